package demo

import (
	"cmp"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dudao-edu/dudao/internal/census"
)

// province is the demo province, generated once for all tests.
var province = sync.OnceValue(func() *Province { return Generate(DefaultSeed) })

func TestGenerateIsReproducible(t *testing.T) {
	a, b := province(), Generate(DefaultSeed)
	if diff := gocmp.Diff(a, b, cmpopts.IgnoreFields(Province{}, "Schools"), cmpopts.EquateNaNs()); diff != "" {
		t.Fatalf("same seed, different province (-first +second):\n%s", diff)
	}
	if i := firstDifference(a.Schools, b.Schools); i >= 0 {
		t.Fatalf("same seed, different school record %d", i)
	}
	if c := Generate(DefaultSeed + 1); firstDifference(a.Schools, c.Schools) < 0 {
		t.Errorf("seeds %d and %d gave the same schools", DefaultSeed, DefaultSeed+1)
	}
}

// firstDifference returns the index of the first record that differs, or
// -1. NaN equals NaN here (go-cmp on 28 000 records takes seconds).
func firstDifference(a, b []census.School) int {
	for i := range min(len(a), len(b)) {
		x, y := a[i], b[i]
		x.V, y.V = [census.NumFields]float64{}, [census.NumFields]float64{}
		if x != y {
			return i
		}
		for f := range a[i].V {
			if math.Float64bits(a[i].V[f]) != math.Float64bits(b[i].V[f]) {
				return i
			}
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

func TestRegions(t *testing.T) {
	p := province()
	byCode := map[string]census.Region{}
	levels := map[string]int{}
	for _, r := range p.Regions {
		if _, dup := byCode[r.Code]; dup {
			t.Errorf("region code %s twice", r.Code)
		}
		byCode[r.Code] = r
		levels[r.Level]++
		if !regexp.MustCompile(`^98\d{4}$`).MatchString(r.Code) {
			t.Errorf("region %s %s: code not in province 98", r.Code, r.Name)
		}
		switch r.Level {
		case census.LevelProvince:
			if r.Code != ProvinceCode || r.Parent != "" {
				t.Errorf("province %+v", r)
			}
		case census.LevelCity:
			if r.Code != census.CityCode(r.Code) || r.Parent != census.ProvinceCode(r.Code) {
				t.Errorf("city %+v: code or parent inconsistent", r)
			}
			if !hasSuffix(r.Name, "市") {
				t.Errorf("city %s: name %q", r.Code, r.Name)
			}
		case census.LevelCounty:
			if r.Code == census.CityCode(r.Code) || r.Parent != census.CityCode(r.Code) {
				t.Errorf("county %+v: code or parent inconsistent", r)
			}
			if !hasSuffix(r.Name, "县") && !hasSuffix(r.Name, "区") && !hasSuffix(r.Name, "市") {
				t.Errorf("county %s: name %q", r.Code, r.Name)
			}
		}
		if r.Parent != "" && byCode[r.Parent].Code == "" {
			t.Errorf("region %s: parent %s listed after it or missing", r.Code, r.Parent)
		}
	}
	want := map[string]int{census.LevelProvince: 1, census.LevelCity: 16, census.LevelCounty: 100}
	if diff := gocmp.Diff(want, levels); diff != "" {
		t.Errorf("regions by level (-want +got):\n%s", diff)
	}
	if len(p.Notes) != 100 {
		t.Errorf("%d notes, want one per county", len(p.Notes))
	}
	for _, n := range p.Notes {
		if r, ok := byCode[n.Code]; !ok || r.Name != n.Name || r.Level != census.LevelCounty {
			t.Errorf("note %s %s: not a county", n.Code, n.Name)
		}
	}
}

func hasSuffix(s, suf string) bool { return len(s) >= len(suf) && s[len(s)-len(suf):] == suf }

func TestSchoolsShape(t *testing.T) {
	p := province()
	if diff := gocmp.Diff([]int{2022, 2023, 2024}, p.Years); diff != "" {
		t.Errorf("years (-want +got):\n%s", diff)
	}
	if !slices.IsSortedFunc(p.Schools, func(a, b census.School) int { return a.Year - b.Year }) {
		t.Errorf("schools not in year order")
	}
	latest := p.Year(LatestYear)
	if n := len(latest); n < 8500 || n > 9800 {
		t.Errorf("%d records in %d, want about 9 000", n, LatestYear)
	}
	codeRE := regexp.MustCompile(`^1\d{9}$`)
	type ident struct{ county, name string }
	idents := map[string]ident{}
	for _, y := range p.Years {
		seen := map[string]bool{}
		for _, s := range p.Year(y) {
			if !codeRE.MatchString(s.Code) || s.Code[1:7] != s.CountyCode {
				t.Fatalf("%d %s %s: school code not 1 + county code + serial", y, s.Code, s.Name)
			}
			if seen[s.Code] {
				t.Fatalf("%d: school code %s twice", y, s.Code)
			}
			seen[s.Code] = true
			id := ident{s.CountyCode, s.Name}
			if old, ok := idents[s.Code]; ok && old != id {
				t.Fatalf("school %s is %v in one year and %v in another", s.Code, old, id)
			}
			idents[s.Code] = id
		}
	}

	// Per county: many primary schools, fewer junior ones, one special
	// school, at least one 完全中学; across the province every type.
	type tally map[census.SchoolType]int
	counties := map[string]tally{}
	all := tally{}
	var private, tpSmall int
	var urbanPrimary, villagePrimary []float64
	for _, s := range latest {
		if counties[s.CountyCode] == nil {
			counties[s.CountyCode] = tally{}
		}
		counties[s.CountyCode][s.Type]++
		all[s.Type]++
		if s.Ownership == "民办" {
			private++
		}
		if s.Type == census.TeachingPoint && s.Students(census.StagePrimary) < 50 {
			tpSmall++
		}
		if s.Type == census.Primary && s.Ownership == "公办" {
			switch s.Location {
			case "城区":
				urbanPrimary = append(urbanPrimary, s.Students(census.StagePrimary))
			case "乡村":
				villagePrimary = append(villagePrimary, s.Students(census.StagePrimary))
			}
		}
	}
	for code, c := range counties {
		if c[census.Special] != 1 || c[census.CompleteSecondary] < 1 || c[census.Primary] <= c[census.Junior] || c[census.Junior] < 1 {
			t.Errorf("county %s: school types %v", code, c)
		}
	}
	for _, st := range census.SchoolTypes {
		if all[st.Type] == 0 {
			t.Errorf("no %s in the province", st.ZH)
		}
	}
	if share := float64(private) / float64(len(latest)); share < 0.05 || share > 0.15 {
		t.Errorf("民办 share %.3f, want about 10 %%", share)
	}
	if tpSmall < 100 {
		t.Errorf("only %d 教学点 under 50 students", tpSmall)
	}
	// County-seat primaries keep within the 2 000-pupil limit of yzjh2017,
	// but for a few stories.
	if mu, mv := median(urbanPrimary), median(villagePrimary); mu < 1400 || mu > 2000 || mv > 300 {
		t.Errorf("median students: urban primary %.0f, village primary %.0f", mu, mv)
	}
}

func median(xs []float64) float64 {
	xs = slices.Clone(xs)
	slices.Sort(xs)
	if len(xs) == 0 {
		return math.NaN()
	}
	return xs[len(xs)/2]
}

// TestRecordsConsistent checks every record as an importer would: counts
// whole and not negative, no category larger than its teachers, classes
// that fit their pupils, the gym inside the sports area, per-part figures
// within the whole, plausible per-student equipment.
func TestRecordsConsistent(t *testing.T) {
	p := province()
	checkRecords(t, p.Schools)
}

func checkRecords(t *testing.T, recs []census.School) {
	t.Helper()
	errs := 0
	fail := func(s *census.School, format string, args ...any) {
		t.Helper()
		if errs++; errs <= 20 {
			t.Errorf("%d %s %s: "+format, append([]any{s.Year, s.Code, s.Name}, args...)...)
		}
	}
	for i := range recs {
		s := &recs[i]
		for f := census.Field(0); f < census.NumFields; f++ {
			v, ok := s.Get(f)
			if !ok {
				continue
			}
			if v < 0 || census.Columns[f].Integer && v != math.Trunc(v) {
				fail(s, "%s = %v", f, v)
			}
		}
		stages := s.Type.Stages()
		var teachers float64
		for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			get := func(family string) (float64, bool) {
				f, _ := census.StageField(family, st)
				return s.Get(f)
			}
			n, has := get("students")
			if slices.Contains(stages, st) != has {
				fail(s, "%s students reported: %v", st, has)
				continue
			}
			if !has {
				for _, fam := range []string{"classes", "teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers"} {
					if _, ok := get(fam); ok {
						fail(s, "%s reported for a stage it does not have", fam)
					}
				}
				continue
			}
			cls, _ := get("classes")
			over, _ := get("oversize_classes")
			tch, _ := get("teachers")
			teachers += tch
			if cls < 1 || n/cls > 60 || over > cls {
				fail(s, "%s: %v students in %v classes, %v over size", st, n, cls, over)
			}
			if tch < 1 {
				fail(s, "%s: no teachers", st)
			}
			for _, fam := range []string{"qualified_teachers", "backbone_teachers", "pe_art_teachers"} {
				if v, ok := get(fam); !ok || v > tch {
					fail(s, "%s %s = %v of %v teachers", st, fam, v, tch)
				}
			}
		}
		if c, ok := s.Get(census.CertifiedTeachers); !ok || c > teachers {
			fail(s, "certified %v of %v teachers", c, teachers)
		}
		if sp, ok := s.Get(census.SportsArea); ok && sp < s.V[census.IndoorGymArea] {
			fail(s, "sports area %v below the gym %v", sp, s.V[census.IndoorGymArea])
		}
		for _, fam := range []string{"teaching_area", "sports_area", "equipment_value", "multimedia_rooms"} {
			whole, _ := census.FieldByKey(fam)
			var parts float64
			for _, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
				if f, ok := census.StageField(fam, st); ok && s.Has(f) {
					parts += s.V[f]
				}
			}
			if w, ok := s.Get(whole); ok && parts > w+1e-6 {
				fail(s, "%s parts %v exceed the whole %v", fam, parts, w)
			}
		}
		students := s.Students(census.StagePrimary) + s.Students(census.StageJunior) + s.Students(census.StageSenior)
		if e, ok := s.Get(census.EquipmentValue); ok && (e/students < 500 || e/students > 100000) {
			fail(s, "equipment %v 元 for %v students", e, students)
		}
	}
	if errs > 20 {
		t.Errorf("… %d errors in all", errs)
	}
}

// TestEarlierYears: the years before the latest drift back as planned.
func TestEarlierYears(t *testing.T) {
	p := province()
	latest := map[string]census.School{}
	for _, s := range p.Year(LatestYear) {
		latest[s.Code] = s
	}
	first := p.Year(FirstYear)
	var same, changed, closed int
	for _, s := range first {
		l, ok := latest[s.Code]
		if !ok {
			if s.Type != census.TeachingPoint {
				t.Errorf("%s %s (%s) closed before %d; only 教学点 close", s.Code, s.Name, s.Type, LatestYear)
			}
			closed++
			continue
		}
		if s.V == l.V {
			same++
		} else {
			changed++
		}
	}
	if closed == 0 || changed < 5*same {
		t.Errorf("%d: %d schools changed, %d the same, %d closed since", FirstYear, changed, same, closed)
	}
	firstCodes := map[string]bool{}
	for _, s := range first {
		firstCodes[s.Code] = true
	}
	opened := 0
	for code := range latest {
		if !firstCodes[code] {
			opened++
		}
	}
	if opened == 0 {
		t.Errorf("no school opened since %d", FirstYear)
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		Generate(DefaultSeed)
	}
}

func TestInCodeOrder(t *testing.T) {
	p := province()
	if !slices.IsSortedFunc(p.Regions, func(a, b census.Region) int { return strings.Compare(a.Code, b.Code) }) {
		t.Errorf("regions not in code order")
	}
	if !slices.IsSortedFunc(p.Notes, func(a, b CountyNote) int { return strings.Compare(a.Code, b.Code) }) {
		t.Errorf("notes not in code order")
	}
	if !slices.IsSortedFunc(p.Schools, func(a, b census.School) int {
		return cmp.Or(a.Year-b.Year, strings.Compare(a.Code, b.Code))
	}) {
		t.Errorf("schools not in year and code order")
	}
}
