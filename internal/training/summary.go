package training

import (
	"slices"
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

// Report is registry d checked on a day, with the grading of a year and
// the lists they give: what the county page, the API and the summaries
// show, each computed once.
type Report struct {
	Findings []Finding
	Graded   []Graded
	Problems []ScoreProblem
	White    []Entry
	Black    []Entry
	Summary  Summary
}

// Review checks registry d on day and grades it for year, under the
// profile's training settings s (a nil d is an empty registry).
func Review(d *ledger.Data, day time.Time, year int, s standards.Training) Report {
	out := Report{Summary: Summary{ByRule: make([]int, len(Rules))}}
	if d == nil {
		return out
	}
	out.Findings = Check(d, day, LimitsOf(s))
	out.Graded, out.Problems = Grade(d, year, s.Grading)
	out.White, out.Black = lists(d, year, day, out.Graded, out.Findings)
	sum := &out.Summary
	for _, in := range Institutions(d, day) {
		sum.Institutions++
		switch in.Row.Get("category") {
		case Subject:
			sum.Subject++
		case NonSubject:
			sum.NonSubject++
		}
		switch in.Status {
		case Approved:
			sum.Approved++
		case Suspended:
			sum.Suspended++
		case Revoked:
			sum.Revoked++
		case Closed:
			sum.Closed++
		}
	}
	breach := map[string]bool{}
	for _, f := range out.Findings {
		sum.ByRule[slices.Index(Rules, f.Rule)]++
		if !f.Rule.Warning() {
			breach[f.Credit] = true
		}
	}
	sum.Breaching = len(breach)
	for _, g := range out.Graded {
		if g.Grade != "" {
			sum.Graded++
		}
	}
	sum.White, sum.Black = len(out.White), len(out.Black)
	return out
}

// Summarise sums registry d up on day, with the lists of year.
func Summarise(d *ledger.Data, day time.Time, year int, s standards.Training) Summary {
	return Review(d, day, year, s).Summary
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
