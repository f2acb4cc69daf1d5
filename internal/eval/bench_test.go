package eval_test

import (
	"fmt"
	"testing"

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
