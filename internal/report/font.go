package report

import (
	_ "embed"
	"fmt"
	"sync"
	"unicode"

	"github.com/signintech/gopdf"
	"github.com/signintech/gopdf/fontmaker/core"
)

// The PDF font is WenQuanYi Micro Hei (Apache-2.0; fonts/LICENSE), the
// first face of Debian's wqy-microhei.ttc saved as a TrueType file. It has
// both CJK and Latin glyphs — Debian's DroidSansFallback has no Latin digits,
// and Noto CJK is CFF, which gopdf cannot embed — and gopdf writes only the
// glyphs a document uses into the PDF.
//
//go:embed fonts/wqy-microhei.ttf
var fontTTF []byte

const fontFamily = "wqy"

// pdfFont is the parsed font: a gopdf container (parsed once per process
// and shared by every document) and the advance widths the layout measures with.
type pdfFont struct {
	container *gopdf.FontContainer
	chars     map[int]uint // rune → glyph
	widths    []uint       // glyph → advance, in font units
	upem      float64
}

var loadFont = sync.OnceValues(parseFont)

func parseFont() (*pdfFont, error) {
	f := &pdfFont{container: &gopdf.FontContainer{}}
	if err := f.container.AddTTFFontDataWithOption(fontFamily, fontTTF, gopdf.TtfOption{
		OnGlyphNotFoundSubstitute: func(rune) rune { return '□' },
	}); err != nil {
		return nil, fmt.Errorf("report font: %w", err)
	}
	var p core.TTFParser
	if err := p.ParseFontData(fontTTF); err != nil {
		return nil, fmt.Errorf("report font: %w", err)
	}
	f.chars, f.widths, f.upem = p.Chars(), p.Widths(), float64(p.UnitsPerEm())
	return f, nil
}

// has reports whether the font has a glyph for r.
func (f *pdfFont) has(r rune) bool {
	_, ok := f.chars[int(r)]
	return ok
}

// advance is r's width at size 1.
func (f *pdfFont) advance(r rune) float64 {
	g, ok := f.chars[int(r)]
	if !ok {
		g = f.chars[int('□')]
	}
	if len(f.widths) == 0 {
		return 1
	}
	if int(g) >= len(f.widths) {
		g = uint(len(f.widths) - 1)
	}
	return float64(f.widths[g]) / f.upem
}

// width is the width of s at size.
func (f *pdfFont) width(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += f.advance(r)
	}
	return w * size
}

// substitutes replace characters the font lacks by ones it has.
var substitutes = map[rune]rune{'⚠': '※', '✗': '✕', '✘': '✕', '\t': ' '}

// clean replaces characters the font has no glyph for, so that nothing
// silently disappears from the PDF.
func (f *pdfFont) clean(s string) string {
	ok := true
	for _, r := range s {
		if !f.has(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch {
		case f.has(r):
			out = append(out, r)
		case substitutes[r] != 0:
			out = append(out, substitutes[r])
		case unicode.Is(unicode.Mn, r):
			// a combining mark the font lacks: drop it
		default:
			out = append(out, '□')
		}
	}
	return string(out)
}

// Line breaking for Chinese text mixed with figures. A CJK character is a
// unit of its own; a run of other non-space characters (a number such as
// 0.5025, a code, a Latin word) stays whole. Closing punctuation never starts
// a line and opening punctuation never ends one (避头尾, GB/T 15834).
const (
	noStart = "，。、；：？！）》」』】〕”’％…·—%,.;:?!)]}"
	noEnd   = "（《「『【〔“‘([{"
)

func isCJK(r rune) bool { return r >= 0x2E80 }

// units splits s into unbreakable units.
func units(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i + 1
		if !isCJK(r) && !unicode.IsSpace(r) {
			for j < len(rs) && !isCJK(rs[j]) && !unicode.IsSpace(rs[j]) {
				j++
			}
		}
		out = append(out, string(rs[i:j]))
		i = j
	}
	// 避头尾: glue closing punctuation to the unit before, opening to the unit after.
	var merged []string
	for i := 0; i < len(out); i++ {
		u := out[i]
		first := []rune(u)[0]
		if len(merged) > 0 && containsRune(noStart, first) && !isSpace(merged[len(merged)-1]) {
			merged[len(merged)-1] += u
			continue
		}
		merged = append(merged, u)
	}
	out = merged[:0:0]
	for i := 0; i < len(merged); i++ {
		u := merged[i]
		rs := []rune(u)
		for i+1 < len(merged) && containsRune(noEnd, rs[len(rs)-1]) && !isSpace(merged[i+1]) {
			u += merged[i+1]
			rs = []rune(u)
			i++
		}
		out = append(out, u)
	}
	return out
}

func containsRune(set string, r rune) bool {
	for _, x := range set {
		if x == r {
			return true
		}
	}
	return false
}

func isSpace(u string) bool {
	for _, r := range u {
		if !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// wrappedLine is one line of wrapped text; full lines may be justified.
type wrappedLine struct {
	text  string
	width float64
	full  bool // broken because the next unit did not fit (not the paragraph's end)
}

// wrap breaks s into lines no wider than max at size; the first line is
// indent narrower. Newlines in s end lines.
func (f *pdfFont) wrap(s string, max, size, indent float64) []wrappedLine {
	var lines []wrappedLine
	first := true
	for _, para := range splitLines(s) {
		var cur []rune
		curW := 0.0
		avail := func() float64 {
			if first {
				return max - indent
			}
			return max
		}
		flush := func(full bool) {
			for len(cur) > 0 && unicode.IsSpace(cur[len(cur)-1]) {
				curW -= f.advance(cur[len(cur)-1]) * size
				cur = cur[:len(cur)-1]
			}
			lines = append(lines, wrappedLine{text: string(cur), width: curW, full: full})
			cur, curW, first = nil, 0, false
		}
		for _, u := range units(para) {
			uw := f.width(u, size)
			if isSpace(u) && len(cur) == 0 {
				continue
			}
			if curW+uw <= avail()+0.01 {
				cur = append(cur, []rune(u)...)
				curW += uw
				continue
			}
			if len(cur) > 0 {
				flush(true)
				if isSpace(u) {
					continue
				}
			}
			if uw <= avail()+0.01 {
				cur, curW = []rune(u), uw
				continue
			}
			// A unit wider than a line: break it anywhere.
			for _, r := range u {
				rw := f.advance(r) * size
				if curW+rw > avail()+0.01 && len(cur) > 0 {
					flush(true)
				}
				cur = append(cur, r)
				curW += rw
			}
		}
		flush(false)
	}
	return lines
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i, r := range s {
		if r == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
