package training

import (
	"time"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Summary is a registry's figures on a day: institutions by status and
// category, the institutions breaching a rule, the findings of each rule,
// and the size of the year's lists. Summaries of counties add up to their
// city's and province's.
type Summary struct {
	Institutions, Subject, NonSubject    int
	Approved, Suspended, Revoked, Closed int
	Breaching                            int // institutions with at least one breach (not counting warnings)
	ByRule                               []int
	Graded, White, Black                 int
}

// Summarise sums registry d up on day, with the lists of year.
func Summarise(d *ledger.Data, day time.Time, year int, s standards.Training) Summary {
	out := Summary{ByRule: make([]int, len(Rules))}
	if d == nil {
		return out
	}
	l := LimitsOf(s)
	for _, in := range Institutions(d, day) {
		out.Institutions++
		switch in.Row.Get("category") {
		case Subject:
			out.Subject++
		case NonSubject:
			out.NonSubject++
		}
		switch in.Status {
		case Approved:
			out.Approved++
		case Suspended:
			out.Suspended++
		case Revoked:
			out.Revoked++
		case Closed:
			out.Closed++
		}
	}
	breach := map[string]bool{}
	for _, f := range Check(d, day, l) {
		for i, r := range Rules {
			if r == f.Rule {
				out.ByRule[i]++
			}
		}
		if !f.Rule.Warning() {
			breach[f.Credit] = true
		}
	}
	out.Breaching = len(breach)
	graded, _ := Grade(d, year, s.Grading)
	for _, g := range graded {
		if g.Grade != "" {
			out.Graded++
		}
	}
	white, black := Lists(d, year, day, l, s.Grading)
	out.White, out.Black = len(white), len(black)
	return out
}

// Add adds o to s.
func (s *Summary) Add(o Summary) {
	s.Institutions += o.Institutions
	s.Subject += o.Subject
	s.NonSubject += o.NonSubject
	s.Approved += o.Approved
	s.Suspended += o.Suspended
	s.Revoked += o.Revoked
	s.Closed += o.Closed
	s.Breaching += o.Breaching
	s.Graded += o.Graded
	s.White += o.White
	s.Black += o.Black
	if s.ByRule == nil {
		s.ByRule = make([]int, len(Rules))
	}
	for i, n := range o.ByRule {
		s.ByRule[i] += n
	}
}
