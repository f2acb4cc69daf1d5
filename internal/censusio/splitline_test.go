package censusio

import (
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestSplitLineIsNext: strictRows reads every record of strictly quoted
// texts — one-line records of short and long cells, empty and Chinese
// ones, bare CRs inside cells, CRLF and LF line endings, blank lines, a
// last line with no line break or a CR, quoted cells with commas, quotes
// and line breaks — as encoding/csv reads them (csvRows): the same cells
// and rows.
func TestSplitLineIsNext(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	plain := []string{"", "1", "12", "2024", "340207", "3134020701", "学校", "九年一贯制学校", "12.5", "a\rb", " x ", strings.Repeat("长", 20), strings.Repeat("9", 17)}
	quoted := []string{`""`, `"a,b"`, `"a""b"`, "\"多\n行\"", "\"c\r\nd\"", `"x"`}
	for n := range 3000 {
		comma := []byte{',', '\t'}[n%2]
		var b strings.Builder
		for range r.IntN(6) {
			if r.IntN(8) == 0 {
				b.WriteString([]string{"\n", "\r\n"}[r.IntN(2)]) // a blank line
			}
			for k := range 1 + r.IntN(30) {
				if k > 0 {
					b.WriteByte(comma)
				}
				if r.IntN(20) == 0 {
					b.WriteString(quoted[r.IntN(len(quoted))])
				} else {
					b.WriteString(plain[r.IntN(len(plain))])
				}
			}
			b.WriteString([]string{"\n", "\r\n", "\n"}[r.IntN(3)])
		}
		s := b.String()
		switch r.IntN(4) {
		case 0:
			s = strings.TrimSuffix(strings.TrimSuffix(s, "\n"), "\r") // no line break at the end
		case 1:
			s = strings.TrimSuffix(s, "\n") // a CR at the end
		}
		got := &strictRows{s: s, comma: comma, line: 1}
		want := &csvRows{cr: newCSVReader([]byte(s), rune(comma))}
		for {
			g, gr, gok := got.next()
			w, wr, err := want.next()
			if err != nil && err != io.EOF {
				t.Fatalf("text %q: encoding/csv: %v", s, err)
			}
			if wok := err == nil; gok != wok || gok && (gr != wr || !slices.Equal(g, w)) {
				t.Fatalf("text %q: got %q row %d (%v); want %q row %d (%v)", s, g, gr, gok, w, wr, wok)
			}
			if !gok {
				break
			}
		}
	}
}

// TestZeroBytes: zeroBytes marks exactly the zero bytes of a word.
func TestZeroBytes(t *testing.T) {
	r := rand.New(rand.NewPCG(23, 24))
	for range 100000 {
		var x uint64
		for k := range 8 {
			v := uint64([]byte{0, 1, 0x7F, 0x80, 0xFF, ','}[r.IntN(6)])
			if r.IntN(3) == 0 {
				v = uint64(r.IntN(256))
			}
			x |= v << (8 * k)
		}
		var want uint64
		for k := range 8 {
			if byte(x>>(8*k)) == 0 {
				want |= 0x80 << (8 * k)
			}
		}
		if got := zeroBytes(x); got != want {
			t.Fatalf("zeroBytes(%#016x) = %#016x, want %#016x", x, got, want)
		}
	}
}
