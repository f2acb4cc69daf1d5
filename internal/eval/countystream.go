package eval

import (
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// CountyStream evaluates the resource part of one county at a time, as
// EvaluateResourceStream evaluates each county of its inputs, for a caller
// that has each county's records apart: a reader that hands them on as it
// reads them (censusio.Options.EachRun), so that a nation's records never
// need to be in memory together. One goroutine uses a CountyStream at a
// time; each has its own, with its engine and the memory of the parts it
// lends.
type CountyStream struct {
	e     *engine
	group []*census.School
}

// NewCountyStream returns a CountyStream of the rules r. Without
// shortfalls, the parts it evaluates have no Shortfalls, which take a
// tenth of the time of a county whose schools fall short often and which
// a table of the counties' indicators never reads; every other figure is
// the same (TestCountyStreamWithoutShortfalls).
func NewCountyStream(r *standards.Rules, shortfalls bool) *CountyStream {
	e := newEngine(r)
	e.slabs = &slabPool{}
	e.noShortfalls = !shortfalls
	return &CountyStream{e: e}
}

// County evaluates the resource part of schools, every record of one
// county and year in the order the county's records are kept, and hands
// it to fn, as EvaluateResourceStream hands on each county: its parts and
// their figures are valid only until fn returns. It returns fn's error.
func (s *CountyStream) County(schools []census.School, fn func(*County) error) error {
	s.group = s.group[:0]
	for i := range schools {
		s.group = append(s.group, &schools[i])
	}
	c := s.e.county(s.group)
	err := fn(c)
	s.e.slabs.put(c)
	clear(s.group) // the records are the caller's to reuse
	return err
}
