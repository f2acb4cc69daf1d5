package store

import (
	"math/rand/v2"
	"testing"
)

// TestKeySet: the set of a file's keys tells a repeated (year, code) from
// a new one exactly as a set of the pairs does, for codes of digits (with
// leading zeros, of every length it packs and longer) and others, and
// years at the ends of the range.
func TestKeySet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	codes := []string{"0", "00", "000123", "123", "0123", "3402070001", "999999999999", "0000000000000", "1234567890123", "34020A0001", "", "一二三", "12 3"}
	for range 2000 {
		n := 1 + rng.IntN(13)
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + rng.IntN(3)) // few digits: many repeats
		}
		codes = append(codes, string(b))
	}
	years := []int{1, 2, 2024, 9999, 10000, 0, -1}
	want := map[recordKey]bool{}
	got := newKeySet(0)
	for range 20000 {
		y := years[rng.IntN(len(years))]
		c := codes[rng.IntN(len(codes))]
		k := recordKey{y, c}
		if dup := got.add(y, c); dup != want[k] {
			t.Fatalf("add(%d, %q) = %v after %d keys, want %v", y, c, dup, len(want), want[k])
		}
		want[k] = true
	}
	if k, ok := packKey(2024, "3402070001"); !ok || k>>44 != 2024 || k&(1<<40-1) != 3402070001 {
		t.Errorf("packKey(2024, 3402070001) = %x, %v", k, ok)
	}
}
