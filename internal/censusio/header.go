package censusio

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dudao-edu/dudao/internal/census"
)

// A target is what a recognised header feeds: a text column or a numeric
// field, with the factor that brings the file's unit to the stored one.
type target struct {
	text  int          // index into census.TextColumns, or -1
	field census.Field // when text is -1
	scale float64      // 1, or 1e4 for an equipment column in 万元
	unit  string       // the unit in effect for equipment columns: 元 or 万元
}

// headerIndex finds columns by folded key or folded Chinese name.
var headerIndex = func() map[string]target {
	m := make(map[string]target)
	for i, c := range census.TextColumns {
		m[fold(c.Key)] = target{text: i}
		m[fold(c.ZH)] = target{text: i}
	}
	for f := census.Field(0); f < census.NumFields; f++ {
		c := census.Columns[f]
		m[fold(c.Key)] = target{text: -1, field: f, scale: 1}
		m[fold(c.ZH)] = target{text: -1, field: f, scale: 1}
	}
	return m
}()

// unitSynonyms lists, for each unit of the column table, the spellings a
// header may use (folded). 元 is absent: money columns are handled apart,
// because 万元 there changes the value and is not a mere spelling.
var unitSynonyms = map[string][]string{
	"㎡": {"㎡", "m2", "m²", "m^2", "平方米", "平米"},
	"人": {"人", "名"},
	"个": {"个", "班"},
	"间": {"间", "个"},
	"台": {"台"},
	"册": {"册", "本"},
}

// isMoney reports whether f is money in 元, where the header's unit
// matters: 教学仪器设备值 and its per-part variants, and the funds columns.
func isMoney(f census.Field) bool {
	return census.Columns[f].Unit == "元"
}

// headerProblem is why a header that names a known column cannot be used.
type headerProblem struct {
	problem, fix string
}

// matchHeader recognises one header cell. It returns ok false for an
// unknown header, and a problem for a known column whose unit is missing
// (money) or wrong: reading such a column as if the unit were right would
// silently scale every value.
func matchHeader(raw string, opt Options) (t target, ok bool, p *headerProblem) {
	folded := fold(raw)
	base, unit := splitUnit(folded)
	t, ok = headerIndex[base]
	if !ok {
		if t, ok = headerIndex[folded]; !ok {
			return t, false, nil
		}
		base, unit = folded, ""
	}
	if t.text >= 0 {
		// Text columns have no unit; a bracketed remark such as
		// 学校标识码（10位） is harmless.
		return t, true, nil
	}
	c := census.Columns[t.field]
	byKey := base == fold(c.Key)
	if isMoney(t.field) {
		wantHeader := "请把表头写成 " + c.ZH + "（元） 或 " + c.ZH + "（万元）"
		switch unit {
		case "元":
			t.unit = "元"
		case "万元":
			t.unit, t.scale = "万元", 1e4
		case "":
			switch {
			case byKey || opt.EquipmentUnit == "元":
				t.unit = "元"
			case opt.EquipmentUnit == "万元":
				t.unit, t.scale = "万元", 1e4
			default:
				return t, true, &headerProblem{
					problem: "没有写明金额单位（元还是万元）",
					fix:     wantHeader + "，或导入时指定金额单位（元/万元）",
				}
			}
		default:
			return t, true, &headerProblem{problem: "单位“" + unit + "”无法识别", fix: wantHeader}
		}
		return t, true, nil
	}
	if unit == "" {
		return t, true, nil
	}
	for _, u := range unitSynonyms[c.Unit] {
		if unit == u {
			return t, true, nil
		}
	}
	return t, true, &headerProblem{
		problem: "单位“" + unit + "”与该列不符（应为 " + c.Unit + "）",
		fix:     "请按 " + c.Unit + " 填写并把表头写成 " + c.ZH + "（" + c.Unit + "）",
	}
}

// fold brings a header to the form it is matched in: full-width ASCII
// (（）ＡＢ１２) made half-width, 【】〔〕 made [], every kind of space
// removed, ASCII lower-cased. People type headers in both widths and paste
// them with stray spaces; none of that changes which column is meant.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == '【' || r == '〔' || r == '［':
			r = '['
		case r == '】' || r == '〕' || r == '］':
			r = ']'
		}
		if isSpace(r) {
			continue
		}
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// splitUnit splits a folded header into its name and the unit in a
// trailing bracket: "教学仪器设备值(万元)" gives "教学仪器设备值" and
// "万元"; "面积(单位:㎡)" gives "面积" and "㎡".
func splitUnit(s string) (base, unit string) {
	var open byte
	switch {
	case strings.HasSuffix(s, ")"):
		open = '('
	case strings.HasSuffix(s, "]"):
		open = '['
	default:
		return s, ""
	}
	i := strings.LastIndexByte(s, open)
	if i <= 0 {
		return s, ""
	}
	unit = s[i+1 : len(s)-1]
	unit = strings.TrimPrefix(unit, "单位:")
	unit = strings.TrimPrefix(unit, "单位")
	return s[:i], unit
}

// isSpace reports the characters a cell may be padded with: Unicode spaces
// (including the ideographic space U+3000 and NBSP), zero-width spaces and a
// stray byte-order mark.
func isSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u2060'
}

// solidStart reports whether s begins with a printable ASCII character or
// a CJK ideograph of U+4000–U+9FFF, which are no spaces.
func solidStart(s string) bool {
	c := s[0]
	return c > ' ' && c < 0x80 || c >= 0xE4 && c <= 0xE9 && len(s) >= 3
}

// solidEnd reports whether s ends with a printable ASCII character or a
// complete CJK ideograph of U+4000–U+9FFF.
func solidEnd(s string) bool {
	n := len(s)
	if c := s[n-1]; c > ' ' && c < 0x80 {
		return true
	}
	return n >= 3 && s[n-3] >= 0xE4 && s[n-3] <= 0xE9 && s[n-2]&0xC0 == 0x80 && s[n-1]&0xC0 == 0x80
}

// trim removes padding from a cell.
func trim(s string) string {
	// Fast path: most cells begin and end with a printable ASCII
	// character or a CJK ideograph (U+4000–U+9FFF, lead bytes E4–E9),
	// neither of which is a space.
	if s == "" || solidStart(s) && solidEnd(s) {
		return s
	}
	// And most others, Chinese text, neither begin nor end with a space.
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if !isSpace(first) && !isSpace(last) && first != utf8.RuneError && last != utf8.RuneError {
		return s
	}
	return strings.TrimFunc(s, isSpace)
}
