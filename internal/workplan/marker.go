package workplan

import (
	"strings"
	"unicode/utf8"
)

// style is a way of numbering a line.
type style int

const (
	styleNone     style = iota
	styleSection1       // 一、
	styleSection2       // （一）
	styleDot            // 10. 10、 10．
	styleParen          // （10） (10)
	styleCircled        // ①
)

func (s style) level() int {
	if s == styleSection2 {
		return 2
	}
	return 1
}

// mark is the number a line starts with.
type mark struct {
	style style
	n     int
	num   string // the numeral as written, without its punctuation
	raw   string // the whole marker as written
}

// marker reads the number at the start of s and returns it with the rest
// of the line, spaces trimmed. A line that starts with no number has
// style styleNone and rest s.
func marker(s string) (mark, string) {
	done := func(m mark, n int) (mark, string) {
		m.raw = s[:n]
		return m, strings.TrimLeft(s[n:], " \t\u3000\u00a0")
	}
	// ① … ⑳
	if r, size := utf8.DecodeRuneInString(s); r >= '①' && r <= '⑳' {
		return done(mark{style: styleCircled, n: int(r-'①') + 1, num: string(r)}, size)
	}
	// （一） (一) （10） (10)
	if open, size := openParen(s); open {
		inner := s[size:]
		if n, k := digits(inner); k > 0 {
			if c, size2 := closeParen(inner[k:]); c {
				return done(mark{style: styleParen, n: n, num: inner[:k]}, size+k+size2)
			}
		}
		if n, k := chineseRun(inner); k > 0 {
			if c, size2 := closeParen(inner[k:]); c {
				return done(mark{style: styleSection2, n: n, num: inner[:k]}, size+k+size2)
			}
		}
		return mark{}, s
	}
	// 10. 10、 10．  — but not 2.5 or 2023年
	if n, k := digits(s); k > 0 {
		r, size := utf8.DecodeRuneInString(s[k:])
		if r == '.' || r == '、' || r == '．' {
			if next, _ := utf8.DecodeRuneInString(s[k+size:]); !isDigit(next) {
				return done(mark{style: styleDot, n: n, num: s[:k]}, k+size)
			}
		}
		return mark{}, s
	}
	// 一、
	if n, k := chineseRun(s); k > 0 && strings.HasPrefix(s[k:], "、") {
		return done(mark{style: styleSection1, n: n, num: s[:k]}, k+len("、"))
	}
	return mark{}, s
}

func openParen(s string) (bool, int) {
	switch {
	case strings.HasPrefix(s, "（"):
		return true, len("（")
	case strings.HasPrefix(s, "("):
		return true, 1
	}
	return false, 0
}

func closeParen(s string) (bool, int) {
	switch {
	case strings.HasPrefix(s, "）"):
		return true, len("）")
	case strings.HasPrefix(s, ")"):
		return true, 1
	}
	return false, 0
}

func isDigit(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９'
}

func digitValue(r rune) int {
	if r >= '０' && r <= '９' {
		return int(r - '０')
	}
	return int(r - '0')
}

// digits reads up to 5 Arabic digits (ASCII or full-width) at the start of
// s: an item number. It returns the number and the bytes read, 0 if none
// or if the number is longer.
func digits(s string) (int, int) {
	n, k, count := 0, 0, 0
	for k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		if !isDigit(r) {
			break
		}
		if count == 5 {
			return 0, 0
		}
		n = n*10 + digitValue(r)
		k += size
		count++
	}
	return n, k
}

// chineseRun reads a Chinese numeral of at most 4 characters at the start
// of s (一 … 九十九), as used for headings.
func chineseRun(s string) (int, int) {
	k, count := 0, 0
	for k < len(s) && count < 5 {
		r, size := utf8.DecodeRuneInString(s[k:])
		if _, ok := cnDigit[r]; !ok && r != '十' && r != '百' {
			break
		}
		k += size
		count++
	}
	if k == 0 || count > 4 {
		return 0, 0
	}
	n, ok := parseChinese(s[:k])
	if !ok || n <= 0 || n > 999 {
		return 0, 0
	}
	return int(n), k
}

var cnDigit = map[rune]int64{
	'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4,
	'五': 5, '六': 6, '七': 7, '八': 8, '九': 9,
}

var cnSmall = map[rune]int64{'十': 10, '百': 100, '千': 1000}
var cnBig = map[rune]int64{'万': 1e4, '亿': 1e8}

// parseChinese reads a whole Chinese numeral such as 八十, 七万, 一百零五,
// 三千五百, 十二. It refuses strings of bare digits (二〇二三, 十四五) which
// are years and names rather than quantities, and anything malformed.
func parseChinese(s string) (int64, bool) {
	var total, section, num int64
	lastDigit, lastZero, any := false, false, false
	lastSmall := int64(1e9)
	lastBig := int64(1e17)
	for _, r := range s {
		if d, ok := cnDigit[r]; ok {
			if lastDigit && !lastZero {
				return 0, false
			}
			if r == '两' && lastDigit {
				return 0, false
			}
			num, lastDigit, lastZero, any = d, true, d == 0, true
			continue
		}
		if u, ok := cnSmall[r]; ok {
			if u >= lastSmall {
				return 0, false
			}
			if num == 0 {
				if u != 10 || lastDigit {
					return 0, false
				}
				num = 1
			}
			section += num * u
			num, lastDigit, lastZero, lastSmall, any = 0, false, false, u, true
			continue
		}
		if u, ok := cnBig[r]; ok {
			if !any || u >= lastBig {
				return 0, false
			}
			section += num
			if section == 0 {
				return 0, false
			}
			total += section * u
			section, num, lastDigit, lastZero, lastBig = 0, 0, false, false, u
			lastSmall = 1e9
			continue
		}
		return 0, false
	}
	if !any {
		return 0, false
	}
	return total + section + num, true
}
