package report

import (
	"bytes"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The demo province (internal/demo) is the fixture: its counties tell known
// stories. 梅陵县 981124's primary backbone-teacher CV lies just above 0.50
// (a rounding flip); 文湖县 980127 lacks one figure; 德陵县 980222 has a
// weak school and a high CV.
const (
	roundingCounty = "981124"
	dataGapCounty  = "980127"
	mixedCounty    = "980222"
	fixtureCity    = "981100"
)

var reportDate = time.Date(2024, 9, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	p         *demo.Province
	res, prev *eval.Result
}

var loadFixture = sync.OnceValue(func() *fixture {
	p := demo.Generate(demo.DefaultSeed)
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		panic(err)
	}
	return &fixture{p: p, res: eval.Evaluate(r, demo.LatestYear, p.Year(demo.LatestYear)),
		prev: eval.Evaluate(r, demo.LatestYear-1, p.Year(demo.LatestYear-1))}
})

func county(t testing.TB, res *eval.Result, code string) *eval.County {
	t.Helper()
	for _, c := range res.Counties {
		if c.Code == code {
			return c
		}
	}
	t.Fatalf("no county %s", code)
	return nil
}

// countyReport is the report of a demo county with last year and the
// region names, as `dudao report` builds it.
func countyReport(t testing.TB, code string, sections ...Section) *County {
	t.Helper()
	fx := loadFixture()
	c := county(t, fx.res, code)
	var city string
	for _, r := range fx.p.Regions {
		if r.Code == census.CityCode(code) {
			city = r.Name
		}
	}
	return NewCounty(fx.res, c, Options{Date: reportDate, Previous: county(t, fx.prev, code), PreviousYear: demo.LatestYear - 1,
		City: city, Province: demo.ProvinceName, Sections: sections})
}

func summary(t testing.TB, level, code, name string) *Summary {
	t.Helper()
	fx := loadFixture()
	return NewSummary(fx.res, Scope{Level: level, Code: code, Name: name}, fx.p.Regions, reportDate)
}

func TestCountyRoundingFlip(t *testing.T) {
	rep := countyReport(t, roundingCounty)
	c := county(t, loadFixture().res, roundingCounty)
	if rep.Pass || rep.Verdict != VerdictFail || !rep.Complete {
		t.Fatalf("verdict %q pass=%v complete=%v", rep.Verdict, rep.Pass, rep.Complete)
	}
	if len(rep.Stages) != 2 || rep.Stages[0].Stage != census.StagePrimary {
		t.Fatalf("stages: %+v", rep.Stages)
	}
	// Every figure of the CV table is the engine's, unrounded.
	for i, st := range rep.Stages {
		es := c.Stages[i]
		if st.Parts != es.Parts || st.Students != es.Students {
			t.Errorf("%s: parts %d students %g, engine %d %g", st.Name, st.Parts, st.Students, es.Parts, es.Students)
		}
		for k, ir := range st.Indicators {
			e := es.Indicators[k]
			if ir.ID != e.Indicator.ID || ir.CV != e.CV.CV || ir.Mean != e.Mean || ir.SD != e.SD || ir.Limit != e.Limit || ir.Pass != e.Pass {
				t.Errorf("%s %s: report %+v, engine %+v", st.Name, ir.ID, ir, e)
			}
		}
		if len(st.Schools) != es.Parts {
			t.Errorf("%s: %d school rows for %d parts", st.Name, len(st.Schools), es.Parts)
		}
	}
	// The one unmet item is the primary backbone CV, flagged as a rounding flip.
	want := []Unmet{{Stage: "小学", Kind: "差异系数", Subject: "每百名学生拥有县级以上骨干教师数"}}
	got := make([]Unmet, len(rep.Unmet))
	for i, u := range rep.Unmet {
		got[i] = Unmet{Stage: u.Stage, Kind: u.Kind, Subject: u.Subject}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("unmet (-want +got):\n%s", diff)
	}
	if d := rep.Unmet[0].Detail; !strings.Contains(d, "0.5025") || !strings.Contains(d, "※") {
		t.Errorf("detail %q: want the CV to 4 decimals and the ※ flag", d)
	}
	bb := rep.Stages[0].Indicators[1]
	if !bb.Flips || bb.Pass || bb.CV <= 0.5 || bb.CV >= 0.505 || bb.Margin >= 0 {
		t.Errorf("backbone: %+v", bb)
	}
	if len(rep.Precision.Flips) != 1 || !strings.Contains(rep.Precision.Flips[0], f6(bb.CV)) {
		t.Errorf("precision flips: %q", rep.Precision.Flips)
	}
	if rep.Change == nil || rep.Change.PrevYear != 2023 || len(rep.Change.Rows) != 14 {
		t.Fatalf("change: %+v", rep.Change)
	}
	for _, r := range rep.Change.Rows {
		if math.IsNaN(r.Prev) || r.Delta != r.Cur-r.Prev {
			t.Errorf("change row %+v", r)
		}
	}
	if len(rep.Exclusions) == 0 {
		t.Error("no exclusions: 梅陵县 has a special school")
	}
	for _, e := range rep.Exclusions {
		if e.Reason == "" {
			t.Errorf("exclusion without a reason: %+v", e)
		}
	}
}

func TestCountyDataGap(t *testing.T) {
	rep := countyReport(t, dataGapCounty)
	if rep.Verdict != VerdictIncomplete || rep.Complete {
		t.Fatalf("verdict %q complete=%v", rep.Verdict, rep.Complete)
	}
	var data []Unmet
	for _, u := range rep.Unmet {
		if u.Kind == "数据" {
			data = append(data, u)
		}
	}
	// One school, and the indicator whose CV cannot be judged without it.
	if len(data) != 2 {
		t.Fatalf("data items: %+v", data)
	}
	missing := 0
	for _, st := range rep.Stages {
		missing += st.Missing
		for _, s := range st.Schools {
			if s.Verdict == VerdictIncomplete && !strings.HasPrefix(s.Note, "未填报：") {
				t.Errorf("school %s: note %q", s.Code, s.Note)
			}
		}
	}
	if missing != 1 {
		t.Errorf("missing parts: %d", missing)
	}
}

func TestCountyWeakSchool(t *testing.T) {
	rep := countyReport(t, mixedCounty)
	note := loadFixture().p.Note(mixedCounty)
	var school *Unmet
	for i, u := range rep.Unmet {
		if u.Kind == "学校" {
			school = &rep.Unmet[i]
		}
	}
	if school == nil || !strings.Contains(school.Subject, note.Schools[0]) {
		t.Fatalf("unmet: %+v, want school %s", rep.Unmet, note.Schools)
	}
	if !strings.Contains(school.Detail, "低于85%") || !strings.Contains(school.Detail, "达标还需") {
		t.Errorf("detail: %q", school.Detail)
	}
}

func TestSummaryRanking(t *testing.T) {
	s := summary(t, census.LevelProvince, demo.ProvinceCode, demo.ProvinceName)
	if len(s.Counties) != 100 || s.Passed+s.Failed+s.Incomplete != 100 {
		t.Fatalf("counties %d: %d passed, %d failed, %d incomplete", len(s.Counties), s.Passed, s.Failed, s.Incomplete)
	}
	if s.Incomplete != 2 {
		t.Errorf("incomplete: %d, want the 2 data-gap counties", s.Incomplete)
	}
	for i, r := range s.Counties {
		if r.Rank != i+1 {
			t.Errorf("rank %d at %d", r.Rank, i)
		}
		if i > 0 && compareRows(s.Counties[i-1], r) > 0 {
			t.Errorf("%s before %s", s.Counties[i-1].Name, r.Name)
		}
		if len(r.Worst) == 0 {
			t.Errorf("%s: no worst indicator", r.Name)
		}
		if r.Verdict == VerdictPass && (r.WorstMargin < 0 || r.FailingCVs > 0 || r.Failing > 0) {
			t.Errorf("%s passes with %+v", r.Name, r)
		}
	}
	// Passing counties first, by margin; then failing ones, by margin.
	if s.Counties[0].Verdict != VerdictPass || s.Counties[99].Verdict != VerdictIncomplete {
		t.Errorf("first %q, last %q", s.Counties[0].Verdict, s.Counties[99].Verdict)
	}
	cities := 0
	for _, c := range s.Cities {
		cities += c.Counties
	}
	if len(s.Cities) != 16 || cities != 100 {
		t.Errorf("cities: %d with %d counties", len(s.Cities), cities)
	}
	if len(s.Indicators) != 14 {
		t.Errorf("indicators: %d", len(s.Indicators))
	}
}

func TestSummaryCity(t *testing.T) {
	s := summary(t, census.LevelCity, fixtureCity, "")
	for _, r := range s.Counties {
		if census.CityCode(r.Code) != fixtureCity {
			t.Errorf("county %s outside %s", r.Code, fixtureCity)
		}
	}
	if len(s.Counties) < 5 {
		t.Fatalf("%d counties", len(s.Counties))
	}
	var flip *SummaryRow
	for i := range s.Counties {
		if s.Counties[i].Code == roundingCounty {
			flip = &s.Counties[i]
		}
	}
	if flip == nil || flip.Flips != 1 || len(flip.Worst) != 1 || !strings.Contains(flip.Worst[0].String(), "0.5025（上限 0.50）※") {
		t.Errorf("rounding county: %+v", flip)
	}
}

func TestWrap(t *testing.T) {
	f, err := loadFont()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, in string
		width    float64
	}{
		{"numbers stay whole", "差异系数0.5025，超过上限0.50（超出0.0025）", 6},
		{"closing punctuation", "小学、初中、高中。一二三四五六七八九十", 5},
		{"opening bracket", "县域义务教育（教督〔2017〕6号）评估", 7},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lines := f.wrap(c.in, c.width*10, 10, 0)
			var joined string
			for _, l := range lines {
				if l.width > c.width*10+0.01 && !strings.ContainsAny(l.text, "0123456789") {
					t.Errorf("line %q is %.1f wide, max %.1f", l.text, l.width, c.width*10)
				}
				r := []rune(l.text)
				if len(r) > 0 && containsRune(noStart, r[0]) {
					t.Errorf("line %q starts with closing punctuation", l.text)
				}
				if len(r) > 0 && containsRune(noEnd, r[len(r)-1]) {
					t.Errorf("line %q ends with opening punctuation", l.text)
				}
				joined += l.text
			}
			if joined != c.in {
				t.Errorf("lost text: %q → %q", c.in, joined)
			}
			for _, num := range []string{"0.5025", "0.0025", "2017"} {
				if strings.Contains(c.in, num) {
					found := false
					for _, l := range lines {
						found = found || strings.Contains(l.text, num)
					}
					if !found {
						t.Errorf("%s broken across lines: %+v", num, lines)
					}
				}
			}
		})
	}
}

func TestCleanSubstitutes(t *testing.T) {
	f, err := loadFont()
	if err != nil {
		t.Fatal(err)
	}
	if got := f.clean("⚠ 0.50 ㎡ X̄"); got != "※ 0.50 ㎡ X" {
		t.Errorf("clean: %q", got)
	}
}

func TestNiceAxis(t *testing.T) {
	for _, c := range []struct {
		max, top float64
		n, dec   int
	}{
		{0.65, 0.8, 5, 1}, {0.54, 0.6, 4, 1}, {5, 5, 6, 0}, {37, 40, 5, 0}, {0.27, 0.3, 4, 1}, {0.9, 1, 6, 1},
	} {
		top, ticks, dec := niceAxis(c.max)
		if math.Abs(top-c.top) > 1e-9 || len(ticks) != c.n || dec != c.dec {
			t.Errorf("niceAxis(%g) = %g, %v, %d; want %g, %d ticks, %d decimals", c.max, top, ticks, dec, c.top, c.n, c.dec)
		}
	}
}

// wholeCounty evaluates a demo county under the whole standard sid, with
// the demo's kindergartens and county records.
func wholeCounty(t *testing.T, sid, code string) *County {
	t.Helper()
	fx := loadFixture()
	r, err := standards.Resolve(sid, "national")
	if err != nil {
		t.Fatal(err)
	}
	y := demo.LatestYear
	in := eval.Inputs{Schools: fx.p.Year(y), Kindergartens: fx.p.Kindergartens, Counties: fx.p.CountyRecords}
	res := eval.EvaluateWhole(r, y, in)
	return NewCounty(res, county(t, res, code), Options{Date: reportDate})
}

func TestCountyWholeStandard(t *testing.T) {
	rep := wholeCounty(t, "yzjh2017", roundingCounty)
	if rep.Whole == nil || rep.Whole.Verdict == "" {
		t.Fatalf("no whole verdict")
	}
	if len(rep.Sections) == 0 || rep.Sections[0].ID != "items" || len(rep.Sections[0].Tables) < 3 {
		t.Fatalf("sections: %+v", rep.Sections)
	}
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"整体认定结论", "认定项目", "政府保障程度", "教育质量", "二、小学资源配置"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
}

func TestCountyPreschool(t *testing.T) {
	rep := wholeCounty(t, "xqpp2020", roundingCounty)
	if !rep.Preschool || len(rep.Stages) != 0 || !strings.Contains(rep.Title(), "学前教育普及普惠") {
		t.Fatalf("preschool report: %q, %d stages", rep.Title(), len(rep.Stages))
	}
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, w := range []string{"普及普惠水平", "幼儿园基本情况表", "整体认定结论"} {
		if !strings.Contains(text, w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	for _, w := range []string{"差异系数表", "资源配置结论"} {
		if strings.Contains(text, w) {
			t.Errorf("preschool report has %q", w)
		}
	}
	for _, w := range []func(*bytes.Buffer) error{func(b *bytes.Buffer) error { return rep.WritePDF(b) }, func(b *bytes.Buffer) error { return rep.WriteXLSX(b) }} {
		var b bytes.Buffer
		if err := w(&b); err != nil {
			t.Fatal(err)
		}
	}
}
