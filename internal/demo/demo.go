// Package demo builds believable, reproducible census data: a fictional
// province, 南江省, whose hundred counties each tell a known story under
// 优质均衡, for the demo server, the documentation and tests; and a large
// synthetic nation for benchmarks. Each county's resource story (Kind: it
// passes 资源配置, or fails it for one stated reason) and whole-standard
// story (WholeKind: recognised, or not for one stated reason, or pending)
// are checked against the engine in the tests.
//
// Everything is drawn from math/rand/v2's PCG seeded by the caller, so one
// seed always gives the same records, and nothing reads the clock or the
// network. The figures aim at the national yzjh2017 thresholds as the
// standards package holds them (standards.md §2.1).
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// DefaultSeed is the seed of the demo province that `dudao demo` serves and
// the tests check story by story.
const DefaultSeed int64 = 20240901

// The census years of the demo province; the stories hold for the latest.
const (
	FirstYear  = 2022
	LatestYear = 2024
)

// Province is a generated province: its regions, its school records of
// several years, and the story of each county in the latest year.
type Province struct {
	// Regions: the province, its cities and its counties, in code order.
	Regions []census.Region
	// Schools: every year's records, by year, county and school code.
	Schools []census.School
	Years   []int
	// Notes: one per county, in code order.
	Notes []CountyNote
	// The records and judgements of the whole standards (whole.go): county
	// records and kindergartens of every year, by year and code; judgements
	// of the latest year's evidence items; what each county's latest year
	// shows under the whole standards, one note per county in code order.
	CountyRecords []census.CountyRecord
	Kindergartens []census.Kindergarten
	Judgements    []census.Judgement
	WholeNotes    []WholeNote
}

// CountyNote says what a county's latest year should show under the
// national yzjh2017 rules, and why.
type CountyNote struct {
	Code, Name string
	Kind       Kind
	// Story explains the verdict in Chinese, with the figures that decide it.
	Story string
	// Stage, Indicators and Schools name what the story is about: the stage
	// and indicator ids of a failing CV or a weak school part, and the codes
	// of the schools concerned. Empty for counties that pass.
	Stage      census.Stage
	Indicators []string
	Schools    []string
}

// Year returns the records of year y.
func (p *Province) Year(y int) []census.School {
	i, _ := slices.BinarySearchFunc(p.Schools, y, func(s census.School, y int) int { return s.Year - y })
	j, _ := slices.BinarySearchFunc(p.Schools, y+1, func(s census.School, y int) int { return s.Year - y })
	return p.Schools[i:j]
}

// Note returns the note of county code, or nil.
func (p *Province) Note(code string) *CountyNote {
	for i := range p.Notes {
		if p.Notes[i].Code == code {
			return &p.Notes[i]
		}
	}
	return nil
}

// WholeNote returns the whole-standard note of county code, or nil.
func (p *Province) WholeNote(code string) *WholeNote {
	for i := range p.WholeNotes {
		if p.WholeNotes[i].Code == code {
			return &p.WholeNotes[i]
		}
	}
	return nil
}

// Generate builds the demo province for seed: 16 cities, 100 counties and
// about 9 000 school records in the latest year, with the years before it
// drifting back (villages had more pupils, schools fewer teachers and less
// equipment; a few 教学点 since merged, a school opened since).
func Generate(seed int64) *Province {
	setup()
	r := rand.New(rand.NewPCG(uint64(seed), 0x6e616e6a69616e67)) // "nanjiang"
	p := &Province{}
	for y := FirstYear; y <= LatestYear; y++ {
		p.Years = append(p.Years, y)
	}
	p.Regions = append(p.Regions, census.Region{Code: ProvinceCode, Name: ProvinceName, Level: census.LevelProvince})
	places := layout(r)
	kinds := assignKinds(r, places)
	wholes := assignWhole(r, places, kinds)
	crowded := crowdedCounties(kinds)
	var counties []*county
	plans := map[string]wholePlan{}
	for i, pl := range places {
		if pl.city {
			p.Regions = append(p.Regions, pl.region)
			continue
		}
		p.Regions = append(p.Regions, pl.region)
		c := tell(seed, i, pl, kinds[i], wholes[i], crowded[i])
		counties = append(counties, c)
		p.Notes = append(p.Notes, c.story())
		plans[c.code] = c.wholePlan()
	}
	n := 0
	for _, c := range counties {
		n += len(c.schools)
	}
	p.Schools = make([]census.School, 0, n*len(p.Years))
	for _, y := range p.Years {
		for _, c := range counties {
			for _, s := range c.schools {
				if s.first <= y && y <= s.last {
					p.Schools = append(p.Schools, s.emit(c.code, c.name, y, LatestYear))
				}
			}
		}
	}
	p.whole(seed, plans)
	return p
}

// tell builds county i until it tells its story; a draw that cannot (too
// few village schools, a CV that will not move) is drawn again, and a
// county that cannot tell its story in many draws passes instead.
//
// whole is the county's story under the whole standard (whole.go) and
// crowded says whether a weak-school county's weak school is an overcrowded
// 城区 primary: both decide, before the schools are drawn, which schools are
// drawn above the school-size limit.
func tell(seed int64, i int, pl place, kind Kind, whole WholeKind, crowded bool) *county {
	for attempt := range 80 {
		k := kind
		if attempt >= 40 {
			k = KindPass
		}
		c := &county{
			code: pl.region.Code, name: pl.region.Name, kind: k, district: pl.district,
			latest: LatestYear, first: FirstYear, whole: whole, crowded: crowded, attempt: attempt,
			r: rand.New(rand.NewPCG(uint64(seed), uint64(i)<<16|uint64(attempt))),
		}
		c.build()
		if c.settle() && c.apply() && c.accept() {
			return c
		}
	}
	panic(fmt.Sprintf("demo: county %s cannot be generated", pl.region.Code))
}

// place is a city or a county of the layout.
type place struct {
	region   census.Region
	city     bool
	district bool // a 市辖区
}

// layout names the cities and counties: 16 cities, 100 counties. Each city
// has one 市辖区 (the capital three), some a county-level city (code 81),
// the rest 县 (codes 21…); county codes extend their city's four digits.
func layout(r *rand.Rand) []place {
	sizes := make([]int, len(cityNames))
	for i := range sizes {
		sizes[i] = 6
	}
	sizes[0] = 10
	for range 5 {
		a, b := 1+r.IntN(len(sizes)-1), 1+r.IntN(len(sizes)-1)
		if sizes[b] > 5 && sizes[a] < 7 {
			sizes[a]++
			sizes[b]--
		}
	}
	names := newNamer(r, cityNames...)
	var out []place
	for ci, cn := range cityNames {
		cityCode := fmt.Sprintf("98%02d00", ci+1)
		out = append(out, place{city: true, region: census.Region{
			Code: cityCode, Name: cn + "市", Level: census.LevelCity, Parent: ProvinceCode,
		}})
		districts := 1
		if ci == 0 {
			districts = 3
		}
		cities := 0
		if ci > 0 && chance(r, 0.4) {
			cities = 1
		}
		first := len(out)
		for j := range sizes[ci] {
			var code, name string
			district := j < districts
			switch {
			case district:
				code, name = fmt.Sprintf("%s%02d", cityCode[:4], j+2), names.pair(countyFirst, countySecond)+"区"
			case j < districts+cities:
				code, name = cityCode[:4]+"81", names.pair(countyFirst, countySecond)+"市"
			default:
				code, name = fmt.Sprintf("%s%02d", cityCode[:4], 21+j-districts-cities), names.pair(countyFirst, countySecond)+"县"
			}
			out = append(out, place{district: district, region: census.Region{
				Code: code, Name: name, Level: census.LevelCounty, Parent: cityCode,
			}})
		}
		slices.SortFunc(out[first:], func(a, b place) int { return strings.Compare(a.region.Code, b.region.Code) })
	}
	return out
}

// assignKinds gives each county its story; kinds[i] belongs to places[i].
func assignKinds(r *rand.Rand, places []place) []Kind {
	kinds := make([]Kind, len(places))
	order := r.Perm(len(places))
	for _, kc := range kindCounts {
		n := kc.n
		for _, i := range order {
			if n == 0 {
				break
			}
			pl := places[i]
			if pl.city || kinds[i] != "" || kc.county && pl.district {
				continue
			}
			kinds[i] = kc.kind
			n--
		}
	}
	for i := range kinds {
		if kinds[i] == "" && !places[i].city {
			kinds[i] = KindPass
		}
	}
	return kinds
}
