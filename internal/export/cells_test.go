package export

import (
	"bytes"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestNumWhole: a whole number is written as AppendFloat with 'f' and -1
// writes it, which tableCSV.num leaves to AppendInt below 10¹⁵, also when
// it comes again in its column; every other number as before; and a limit
// (tableCSV.limit, whose cell is made once per value) as a number.
func TestNumWhole(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 8))
	xs := []float64{0, math.Copysign(0, -1), 1, 7, 10, 99, 1e14, 1e15 - 1, 1e15, 1e15 + 1, 1 << 52, 1<<53 - 1, 1 << 53, 1e16,
		-1, -1e14, 0.5, 4.2, 1e-7, 123456.75, math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, math.SmallestNonzeroFloat64}
	for range 200_000 {
		switch r.IntN(4) {
		case 0:
			xs = append(xs, float64(r.Int64N(1e15)))
		case 1:
			xs = append(xs, math.Trunc(math.Pow(10, r.Float64()*16)))
		case 2:
			xs = append(xs, float64(r.Int64N(100000))/float64(1+r.IntN(1000)))
		default:
			xs = append(xs, math.Float64frombits(r.Uint64()))
		}
	}
	var b bytes.Buffer
	tw, err := newTableCSV(&b, []string{"x"})
	if err != nil {
		t.Fatal(err)
	}
	// Then the first ones each twice in a row and the one before again:
	// a whole number that comes again in a column is written from the
	// cell made of it the time before (tableCSV.nums), 0 and -0 apart.
	var again []float64
	for i, x := range xs[:100] {
		again = append(again, x, x, xs[max(i-1, 0)])
	}
	for _, x := range slices.Concat(xs, again) {
		tw.num(x)
		tw.end()
	}
	// The first numbers again as limits, each twice over, and then all.
	for _, x := range slices.Concat(xs[:40], xs[:40], xs[20:60], xs) {
		tw.limit(x)
		tw.end()
	}
	xs = slices.Concat(xs, again, xs[:40], xs[:40], xs[20:60], xs)
	if err := tw.close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")[1:]
	if len(lines) != len(xs) {
		t.Fatalf("%d lines for %d numbers", len(lines), len(xs))
	}
	for i, x := range xs {
		want := ""
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			want = strconv.FormatFloat(x, 'f', -1, 64)
		}
		if lines[i] != want {
			t.Fatalf("num(%v) wrote %q, want %q", x, lines[i], want)
		}
	}
}

// TestWords: a word is written as text writes it, the first time and
// every time after, and words that share their text's start (a shorter
// word inside a longer one), differ only in their text, or need quoting or
// neutralising are kept apart; past maxMade words are still written.
func TestWords(t *testing.T) {
	long := "达标,未达标"
	words := []string{long, long[:len("达标")], "未达标", "=SUM(A1)", "a\"b", " lead", "", "'x", "+1", "1.5"}
	for i := range maxMade + 10 {
		words = append(words, "指标"+strconv.Itoa(i))
	}
	write := func(word bool) string {
		var b bytes.Buffer
		tw, err := newTableCSV(&b, []string{"a", "b"})
		if err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			for i, w := range words {
				if word {
					tw.word(w)
				} else {
					tw.text(w)
				}
				tw.word(words[(i+round)%len(words)])
				tw.end()
			}
		}
		tw.close()
		return b.String()
	}
	// Written as words and as texts, alike (text is the reference: word
	// the second cell of every row in both).
	if got, want := write(true), write(false); got != want {
		t.Fatalf("words written differ from texts:\n%s\nwant\n%s", got, want)
	}

}

// BenchmarkIndicatorsCSV writes a nation's indicators table (2 900
// counties, 40 600 rows), as `dudao evaluate --format csv --table
// indicators` writes it while the counties are evaluated: the writing
// alone.
//
//	go test ./internal/export -run '^$' -bench IndicatorsCSV -benchtime 20x
func BenchmarkIndicatorsCSV(b *testing.B) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		b.Fatal(err)
	}
	res := eval.Evaluate(rules, demo.LatestYear, demo.Nation(1, 2900, 207000))
	b.ResetTimer()
	for b.Loop() {
		w, err := NewCSVWriter(io.Discard, eval.NewWhole(rules, demo.LatestYear), "indicators")
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range res.Counties {
			if err := w.County(c); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
