package eval_test

import (
	"fmt"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// BenchmarkEvaluateNation evaluates a synthetic nation of China's size
// (2 900 counties, 210 000 school records) and smaller ones with the same
// records per county, to show that the time grows linearly with the records.
//
//	go test ./internal/eval -run '^$' -bench EvaluateNation -benchtime 5x
func BenchmarkEvaluateNation(b *testing.B) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		b.Fatal(err)
	}
	const counties, records = 2900, 210000
	for _, n := range []int{26000, 52000, 105000, records} {
		c := counties * n / records // about 72 records a county
		b.Run(fmt.Sprintf("records=%d", n), func(b *testing.B) {
			schools := demo.Nation(1, c, n)
			b.ReportAllocs()
			for b.Loop() {
				res := eval.Evaluate(rules, demo.LatestYear, schools)
				if len(res.Counties) != c {
					b.Fatalf("%d counties, want %d", len(res.Counties), c)
				}
			}
		})
	}
}

// BenchmarkEvaluateJSONNation writes the JSON document of an evaluated
// nation at each detail level (the output stage alone, as `dudao evaluate
// --format json` writes it), to show what writing costs apart from reading
// and evaluating.
//
//	go test ./internal/eval -run '^$' -bench EvaluateJSONNation -benchtime 3x
func BenchmarkEvaluateJSONNation(b *testing.B) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		b.Fatal(err)
	}
	res := eval.EvaluateWhole(rules, demo.LatestYear, eval.Inputs{Schools: demo.Nation(1, 2900, 210000)})
	for _, d := range []eval.Detail{eval.DetailParts, eval.DetailIndicators, eval.DetailCounties} {
		b.Run("detail="+d.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var n countingWriter
				if err := res.WriteJSON(&n, d); err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(n)/1e6, "MB/doc")
			}
		})
	}
}

// countingWriter counts the bytes written to it and keeps none.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}

// BenchmarkEvaluateWholeEachJSONNation evaluates a synthetic nation and
// writes its JSON document county by county, as `dudao evaluate --format
// json` does: the evaluation and output stages together, without reading.
//
//	go test ./internal/eval -run '^$' -bench EvaluateWholeEachJSONNation -benchtime 3x
func BenchmarkEvaluateWholeEachJSONNation(b *testing.B) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		b.Fatal(err)
	}
	in := eval.Inputs{Schools: demo.Nation(1, 2900, 210000)}
	b.ReportAllocs()
	for b.Loop() {
		var n countingWriter
		jw, err := eval.NewJSONWriter(&n, eval.NewWhole(rules, demo.LatestYear), eval.DetailParts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := eval.EvaluateWholeEach(rules, demo.LatestYear, in, jw.County); err != nil {
			b.Fatal(err)
		}
		if err := jw.Close(); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n)/1e6, "MB/doc")
	}
}

// BenchmarkCountyStreamNation evaluates a synthetic nation county by
// county on one goroutine with a CountyStream without shortfalls, as
// `dudao evaluate FILE --format csv --table indicators` does on each core
// while it reads: the engine's own cost, apart from reading and writing.
// Each county's records are copied into one buffer first, to be in the
// cache as the reader leaves them.
//
//	go test ./internal/eval -run '^$' -bench CountyStreamNation -benchtime 20x
func BenchmarkCountyStreamNation(b *testing.B) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		b.Fatal(err)
	}
	schools := demo.Nation(1, 2900, 210000)
	var counties [][]census.School
	for lo := 0; lo < len(schools); {
		hi := lo + 1
		for hi < len(schools) && schools[hi].CountyCode == schools[lo].CountyCode {
			hi++
		}
		counties = append(counties, schools[lo:hi])
		lo = hi
	}
	cs := eval.NewCountyStream(rules, false)
	var buf []census.School // a county's records copied here first: in the cache, as a reader leaves them
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for _, c := range counties {
			buf = append(buf[:0], c...)
			if err := cs.County(buf, func(*eval.County) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
		}
		if n != len(counties) {
			b.Fatalf("%d counties, want %d", n, len(counties))
		}
	}
}
