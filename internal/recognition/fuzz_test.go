package recognition

import (
	"slices"
	"testing"
)

// FuzzDraw: a draw visits the number asked (at most the candidates),
// distinct, sorted, every weak school within the first third when there
// are few, and the same for the same seed.
func FuzzDraw(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 4, uint64(3))
	f.Add([]byte{}, 1, uint64(0))
	f.Fuzz(func(t *testing.T, spec []byte, n int, seed uint64) {
		var cands []Candidate
		for i, b := range spec {
			if i >= 300 {
				break
			}
			cands = append(cands, Candidate{Code: string(rune('A' + int(b)%50)), Stratum: []string{"城区", "镇区", "乡村"}[int(b)%3], Weak: b%7 == 0})
		}
		n = ((n % 100) + 100) % 100
		got := Draw(cands, n, seed)
		distinct := map[string]bool{}
		for _, c := range cands {
			distinct[c.Code] = true
		}
		if len(got) != min(n, len(distinct)) || !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
			t.Fatalf("draw %v of %d (n %d)", got, len(distinct), n)
		}
		if again := Draw(cands, n, seed); !slices.Equal(got, again) {
			t.Fatal("the same seed drew differently")
		}
	})
}
