package censusio

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// nextByBytes is strictRows.next as it was before splitLine: every cell
// found byte by byte. TestSplitLineIsNext reads texts with both.
func (c *strictRows) nextByBytes() ([]string, int, bool) {
	s, i := c.s, c.i
	for {
		switch {
		case i < len(s) && s[i] == '\n':
			i++
			c.line++
			continue
		case i+1 < len(s) && s[i] == '\r' && s[i+1] == '\n':
			i += 2
			c.line++
			continue
		case i+1 == len(s) && s[i] == '\r':
			i++
		}
		break
	}
	if i >= len(s) {
		c.i = i
		return nil, 0, false
	}
	row := c.line - c.inside
	c.rec = c.rec[:0]
	for {
		if i < len(s) && s[i] == '"' {
			i++
			start, plain := i, true
			for {
				k := strings.IndexByte(s[i:], '"')
				if nl := strings.Count(s[i:i+k], "\n"); nl > 0 {
					c.line += nl
					c.inside += nl
					plain = plain && !strings.Contains(s[i:i+k], "\r\n")
				}
				i += k + 1
				if i < len(s) && s[i] == '"' {
					i++
					plain = false
					continue
				}
				break
			}
			cell := s[start : i-1]
			if !plain {
				cell = strings.ReplaceAll(strings.ReplaceAll(cell, `""`, `"`), "\r\n", "\n")
			}
			c.rec = append(c.rec, cell)
			switch {
			case i == len(s):
			case s[i] == c.comma:
				i++
				continue
			case s[i] == '\r':
				i += 2
				c.line++
			default:
				i++
				c.line++
			}
			break
		}
		j := i
		for j < len(s) && s[j] != c.comma && s[j] != '\n' {
			j++
		}
		if j < len(s) && s[j] == c.comma {
			c.rec = append(c.rec, s[i:j])
			i = j + 1
			continue
		}
		c.rec = append(c.rec, strings.TrimSuffix(s[i:j], "\r"))
		i = j
		if i < len(s) {
			i++
			c.line++
		}
		break
	}
	c.i = i
	return c.rec, row, true
}

// TestSplitLineIsNext: strictRows reads every record of strictly quoted
// texts — one-line records of short and long cells, empty and Chinese
// ones, bare CRs inside cells, CRLF and LF line endings, blank lines, a
// last line with no line break, quoted cells with commas, quotes and line
// breaks — exactly as it read them byte by byte: the same cells, rows and
// line counts.
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
		got, want := &strictRows{s: s, comma: comma, line: 1}, &strictRows{s: s, comma: comma, line: 1}
		for {
			g, gr, gok := got.next()
			w, wr, wok := want.nextByBytes()
			if gok != wok || gr != wr || !slices.Equal(g, w) || got.line != want.line || got.inside != want.inside || got.i != want.i {
				t.Fatalf("text %q: got %q row %d (%v), line %d, at %d; want %q row %d (%v), line %d, at %d",
					s, g, gr, gok, got.line, got.i, w, wr, wok, want.line, want.i)
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
