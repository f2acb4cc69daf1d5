package survey

import (
	"math"
	"math/big"
)

// Status is where a response stands: counted, or flagged and waiting for a
// reviewer, who accepts it (counted) or rejects it (kept, never counted).
type Status string

const (
	StatusValid    Status = "valid"
	StatusFlagged  Status = "flagged"
	StatusAccepted Status = "accepted" // flagged, then accepted by a reviewer
	StatusRejected Status = "rejected" // flagged, then rejected by a reviewer
)

// Counts reports whether a response of status s counts towards the rate.
func (s Status) Counts() bool { return s == StatusValid || s == StatusAccepted }

// Response is one stored response as the rate sees it.
type Response struct {
	Group  string
	Area   Area
	Open   bool // answered through an open link, not a single-use code
	Status Status
	// Answers holds, by question ID, the point chosen: 1 (认可) to 5.
	Answers map[string]int
}

// Count is the fill and rate of one group, one area, or all.
type Count struct {
	Received int // every stored response
	Valid    int // those that count (valid, or accepted on review)
	Flagged  int // waiting for a reviewer
	Rejected int
	Open     int // valid responses through an open link (weaker evidence)
	Positive int // valid responses recognising (认可 or 比较认可 on the rate question)
}

// Rate is Positive/Valid exactly, or nil with no valid response.
func (c Count) Rate() *big.Rat {
	if c.Valid == 0 {
		return nil
	}
	return big.NewRat(int64(c.Positive), int64(c.Valid))
}

// Wilson is the 95 % Wilson score interval of the rate, as fractions
// (0 to 1); ok is false with no valid response.
func (c Count) Wilson() (lo, hi float64, ok bool) {
	if c.Valid == 0 {
		return 0, 0, false
	}
	const z = 1.959963984540054
	n := float64(c.Valid)
	p := float64(c.Positive) / n
	den := 1 + z*z/n
	mid := (p + z*z/(2*n)) / den
	half := z / den * math.Sqrt(p*(1-p)/n+z*z/(4*n*n))
	return math.Max(0, mid-half), math.Min(1, mid+half), true
}

// Tally is a survey's result: overall, by group (indexed by q.Groups) and
// by area (indexed by q.Areas()).
type Tally struct {
	All    Count
	Groups []Count
	Areas  []Count
}

// Positive reports whether r recognises: its answer to the rate question
// is one of the first q.Positive points.
func (q *Questionnaire) PositiveResponse(r Response) bool {
	a := r.Answers[q.RateQuestion]
	return a >= 1 && a <= q.Positive
}

// Count tallies responses.
func (q *Questionnaire) Count(rs []Response) Tally {
	areas := q.Areas()
	t := Tally{Groups: make([]Count, len(q.Groups)), Areas: make([]Count, len(areas))}
	for _, r := range rs {
		cs := []*Count{&t.All}
		if i := q.GroupIndex(r.Group); i >= 0 {
			cs = append(cs, &t.Groups[i])
		}
		if i := q.AreaIndex(r.Area); i >= 0 {
			cs = append(cs, &t.Areas[i])
		}
		pos := q.PositiveResponse(r)
		for _, c := range cs {
			c.Received++
			switch {
			case r.Status.Counts():
				c.Valid++
				if pos {
					c.Positive++
				}
				if r.Open {
					c.Open++
				}
			case r.Status == StatusFlagged:
				c.Flagged++
			case r.Status == StatusRejected:
				c.Rejected++
			}
		}
	}
	return t
}

// Margin is rate − pass/100 exactly (pass in percent, e.g. 85): positive
// when the rate clears the bar. nil with no valid response.
func Margin(c Count, passPercent float64) *big.Rat {
	r := c.Rate()
	if r == nil {
		return nil
	}
	return new(big.Rat).Sub(r, new(big.Rat).Quo(ratOf(passPercent), big.NewRat(100, 1)))
}

// Passes reports whether the rate is at least pass percent, compared exactly.
func Passes(c Count, passPercent float64) bool {
	m := Margin(c, passPercent)
	return m != nil && m.Sign() >= 0
}

// Percent writes a fraction as a percentage with decimals places, rounded
// half up (0.8571… → "85.71").
func Percent(r *big.Rat, decimals int) string {
	if r == nil {
		return "—"
	}
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(decimals)
}
