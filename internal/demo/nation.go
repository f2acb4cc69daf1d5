package demo

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
)

// Nation builds a synthetic nation for benchmarks: records school records
// of the latest year spread evenly over counties counties (2 900 counties
// and 210 000 records is about China's size). The schools are drawn like
// the demo province's (mixed types, urban schools large, village schools
// small, figures around the thresholds) but with plain names and no story:
// some counties pass and many fail, as drawn. It is fast (no tuning) and
// reproducible for a seed.
func Nation(seed int64, counties, records int) []census.School {
	setup()
	if counties <= 0 || records <= 0 {
		return nil
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x6e6174696f6e)) // "nation"
	out := make([]census.School, 0, records)
	s := new(school) // reused: one record at a time
	for i := range counties {
		n := records / counties
		if i < records%counties {
			n++
		}
		code := nationCode(i)
		c := &county{
			code: code, name: "合成县" + code, latest: LatestYear, first: LatestYear, r: r,
			wealth: uni(r, 0.9, 1.3), staff: uni(r, 0.95, 1.1), gamma: uni(r, 0.2, 0.5), pace: 1,
		}
		for j := range n {
			c.nationSchool(s, j)
			c.draw(s)
			// Most schools have been brought up to the thresholds, as in
			// the demo province; the others keep their raw draw.
			if s.typ != census.Special && chance(r, 0.9) {
				for _, st := range s.stages() {
					if st != ss && s.stu[st] > 0 {
						for k := range nInd {
							part{s, st}.meet(k, 1+uni(r, 0, 0.05))
						}
					}
				}
			}
			out = append(out, s.emit(c.code, c.name, LatestYear, LatestYear))
		}
	}
	return out
}

// nationCode gives county i a 6-digit code: 89 provinces of 30 cities of 30
// counties leave room for 80 100 counties.
func nationCode(i int) string {
	return fmt.Sprintf("%02d%02d%02d", 11+i/900, 1+i/30%30, 1+i%30)
}

// nationSchool sets s to the kind of school j of a county: the special school
// and a 完全中学 first, then a mix close to the national one.
func (c *county) nationSchool(s *school, j int) {
	r := c.r
	n := j % 10000
	code := append([]byte(c.code), byte('0'+n/1000), byte('0'+n/100%10), byte('0'+n/10%10), byte('0'+n%10))
	*s = school{code: string(code), own: public, first: c.latest, last: c.latest}
	loc := func(pu, pt float64) {
		switch v := r.Float64(); {
		case v < pu:
			s.loc, s.role = urban, roleSeat
		case v < pu+pt:
			s.loc, s.role = town, roleCentral
		default:
			s.loc, s.role = rural, roleCentral
		}
	}
	switch u := r.Float64(); {
	case j == 0:
		s.typ, s.loc, s.role = census.Special, urban, roleSpecial
	case j == 1 || u < 0.01:
		s.typ, s.loc, s.role = census.CompleteSecondary, urban, roleSeat
	case u < 0.1:
		s.typ, s.loc, s.role = census.TeachingPoint, rural, roleTP
	case u < 0.25:
		s.typ = census.Junior
		loc(0.3, 0.4)
	case u < 0.31:
		s.typ = census.NineYear
		loc(0.2, 0.4)
	case u < 0.315:
		s.typ, s.loc, s.role, s.own = census.TwelveYear, urban, rolePrivate, private
	default:
		s.typ = census.Primary
		loc(0.2, 0.25)
		if s.loc == rural {
			s.role = roleVillage
		}
	}
	if s.role != roleSpecial && s.typ != census.TeachingPoint && s.loc != rural && chance(r, 0.12) {
		s.own, s.role = private, rolePrivate
	}
	s.name = s.typ.ZH() + strconv.Itoa(j+1)
}

// Uneven returns schools with each county cut to between 1 and 150 of its
// schools, by the county's position (1 + 37k mod 150 for the k-th county),
// topped up with the records after them up to 20 000 so that a nation is
// still evaluated on every core: counties of very different sizes, for
// tests of memory lent from one county to the next.
func Uneven(schools []census.School) []census.School {
	var out []census.School
	kept, order := map[string]int{}, map[string]int{}
	for _, s := range schools {
		if _, ok := order[s.CountyCode]; !ok {
			order[s.CountyCode] = len(order)
		}
		if kept[s.CountyCode] < 1+order[s.CountyCode]*37%150 {
			kept[s.CountyCode]++
			out = append(out, s)
		}
	}
	if len(out) < 20000 && len(schools) > len(out) {
		out = append(out, schools[len(out):]...)
	}
	return out
}
