package demo

import (
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
)

func TestNation(t *testing.T) {
	const counties, records = 290, 21000
	a := Nation(3, counties, records)
	if len(a) != records {
		t.Fatalf("%d records, want %d", len(a), records)
	}
	if b := Nation(3, counties, records); firstDifference(a, b) >= 0 {
		t.Errorf("same seed, different nation")
	}
	if c := Nation(4, counties, records); firstDifference(a, c) < 0 {
		t.Errorf("seeds 3 and 4 gave the same nation")
	}
	codes := map[string]bool{}
	perCounty := map[string]int{}
	types := map[census.SchoolType]int{}
	for _, s := range a {
		if codes[s.Code] || len(s.Code) != 10 || len(s.CountyCode) != 6 || s.Code[:6] != s.CountyCode {
			t.Fatalf("school code %q of county %q: duplicate or malformed", s.Code, s.CountyCode)
		}
		codes[s.Code] = true
		perCounty[s.CountyCode]++
		types[s.Type]++
	}
	if len(perCounty) != counties {
		t.Errorf("%d counties, want %d", len(perCounty), counties)
	}
	for code, n := range perCounty {
		if n < records/counties || n > records/counties+1 {
			t.Errorf("county %s has %d records", code, n)
		}
	}
	for _, st := range census.SchoolTypes {
		if types[st.Type] == 0 {
			t.Errorf("no %s", st.ZH)
		}
	}
	checkRecords(t, a)

	// Realistic-ish: some counties pass, most fail, as drawn.
	res := eval.Evaluate(mustResolve(t, "national"), LatestYear, a)
	pass := 0
	for _, c := range res.Counties {
		if c.ResourcePass {
			pass++
		}
	}
	if len(res.Counties) != counties || pass == len(res.Counties) {
		t.Errorf("%d counties evaluated, %d pass", len(res.Counties), pass)
	}
	t.Logf("%d of %d synthetic counties pass", pass, counties)
}

func BenchmarkNation(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Nation(1, 2900, 210000)
	}
}
