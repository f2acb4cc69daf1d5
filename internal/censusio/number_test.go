package censusio

import (
	"github.com/dudao-edu/dudao/internal/census"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
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

// TestTrimIsTrimFunc: trim's fast paths give what trimming every space
// gives, on cells made of ASCII, ideographs, spaces and broken bytes.
func TestTrimIsTrimFunc(t *testing.T) {
	parts := []string{"a", " ", "学", "校", "\u3000", "\u00a0", "\ufeff", "\u200b", "\t", "\xe5", "\xe5\xad", "\x80", "é", "１", "\u2028", "x y"}
	r := rand.New(rand.NewPCG(9, 10))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(5) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		s := b.String()
		if got, want := trim(s), strings.TrimFunc(s, isSpace); got != want {
			t.Fatalf("trim(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestPlainDecimal checks the decimal fast path of parseNumber against
// ParseFloat.
func TestPlainDecimal(t *testing.T) {
	cases := []string{"0.0", "12.5", ".5", "12.", "0.1", "0.3", "999999999999999.", ".999999999999999", "1234567.891", "123456789012.345"}
	r := rand.New(rand.NewPCG(5, 6))
	for range 100000 {
		var b strings.Builder
		n := 1 + r.IntN(17)
		point := r.IntN(n + 1)
		for i := range n {
			if i == point {
				b.WriteByte('.')
			}
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		if point == n {
			b.WriteByte('.')
		}
		cases = append(cases, b.String())
	}
	for _, v := range cases {
		want, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := plainDecimal(v); ok && got != want {
			t.Errorf("plainDecimal(%q) = %v, want %v", v, got, want)
		}
		if got, err := parseNumber(v); err != nil || got != want {
			t.Errorf("parseNumber(%q) = %v, %v, want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"", ".", "1", "1.2.3", "-1.5", "+1.5", "1e3", "1,234.5", "１.２", "1.2345678901234567"} {
		if _, ok := plainDecimal(v); ok {
			t.Errorf("plainDecimal(%q) ok", v)
		}
	}
}

// TestValidUTF8 checks validUTF8 against utf8.Valid on large texts broken
// near the cut.
func TestValidUTF8(t *testing.T) {
	base := []byte(strings.Repeat("学校a", 1<<20)) // 7 MB
	for i := range 40 {
		data := slices.Clone(base)
		at := len(data)/2 - 20 + i
		data[at] = []byte{0xff, 0xe5, 0x80, 'a'}[i%4]
		if got, want := validUTF8(data, nil), utf8.Valid(data); got != want {
			t.Errorf("byte %d set to %#x: %v, want %v", at, data[at], got, want)
		}
	}
	if !validUTF8(base, nil) {
		t.Error("valid text refused")
	}
}

// TestRecentTypesHoldEveryType: schoolType remembers as many cells as
// there are school types, so that a file of every type finds each cell
// among them instead of parsing it row after row.
func TestRecentTypesHoldEveryType(t *testing.T) {
	r := newReader("a.csv", Options{})
	for range 3 {
		for _, st := range census.SchoolTypes {
			if got, ok := r.schoolType(st.ZH); !ok || got != st.Type {
				t.Fatalf("%s: %q, %v", st.ZH, got, ok)
			}
		}
	}
	if r.types.n != len(census.SchoolTypes) {
		t.Errorf("%d types parsed for %d types read three times over: the cells do not all fit", r.types.n, len(census.SchoolTypes))
	}
}

// TestFacilityPartsCoverEveryPartColumn: every column of a facility by
// stage (the table's group "parts") is a part in facilityParts, of the
// column it is a part of, so that crossCheck compares it with its whole.
func TestFacilityPartsCoverEveryPartColumn(t *testing.T) {
	seen := map[census.Field]bool{}
	for _, g := range facilityParts {
		for k, st := range []census.Stage{census.StagePrimary, census.StageJunior} {
			if g[k+1].Key() != g[0].Key()+"_"+string(st) {
				t.Errorf("%v: %s is not the %s part of %s", g, g[k+1].Key(), st, g[0].Key())
			}
			seen[g[k+1]] = true
		}
	}
	for f := census.Field(0); f < census.NumFields; f++ {
		if census.Columns[f].Group == "parts" && !seen[f] {
			t.Errorf("%s (a facility by stage) is in no facilityParts", f.Key())
		}
	}
	if len(facilityParts) != 6 {
		t.Errorf("%d facilities by stage, want 6", len(facilityParts))
	}
}
