package censusio

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestPlainInteger checks the fast path of parseNumber against ParseFloat,
// which it replaces for cells of plain digits.
func TestPlainInteger(t *testing.T) {
	cases := []string{"0", "00", "7", "0420", "999999999999999", "123456789012345", "9007199254740993"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 10000 {
		var b strings.Builder
		for range 1 + r.IntN(17) {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		cases = append(cases, b.String())
	}
	for _, v := range cases {
		want, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := plainInteger(v); ok && got != want {
			t.Errorf("plainInteger(%q) = %v, want %v", v, got, want)
		}
		if got, err := parseNumber(v); err != nil || got != want {
			t.Errorf("parseNumber(%q) = %v, %v, want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"", "1.5", "-1", "+1", "1e3", "1,234", "１２", "1234567890123456"} {
		if _, ok := plainInteger(v); ok {
			t.Errorf("plainInteger(%q) ok", v)
		}
	}
}
