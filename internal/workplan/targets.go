package workplan

import (
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind is what a target asks for.
type Kind string

// The kinds of target.
const (
	KindBuild   Kind = "build"    // 新建、改扩建、改造、建设、创建…: things to be built or set up
	KindProvide Kind = "provide"  // 提供、新增、培养、培训、资助…: things to be provided or people served
	KindAtLeast Kind = "at_least" // 达到、不低于、超过、…以上: a level to reach
	KindAtMost  Kind = "at_most"  // 控制在、不超过、低于、…以内: a level not to exceed
)

// Target is a quantitative target found in an item's text, for the user
// to confirm or correct.
type Target struct {
	Kind    Kind
	Verb    string  // the word that gave the kind, as written: "新建、改扩建", "普惠率达到"→"达到"; "" when only a rate or 以上 did
	Subject string  // what is counted: "中小学幼儿园", "学位", "专家型学科教师"; may be ""
	Value   float64 // normalized: 7.7万个 → 77000, 93% → 93, 2亿元 → 200000000
	Unit    string  // normalized, without multiplier: 个, 所, 名, %, 百分点, 元, 平方米…
	Approx  bool    // 左右, 约, 余, 多
	Bound   string  // 以上, 以内, 以下 as written after the unit, else ""
	Text    string  // Text == text[Start:End], the number with its unit as written: "7.7万个"
	Start   int     // byte offsets in the text passed to Targets
	End     int
}

// unit is a unit as written and what it normalizes to.
type unit struct {
	written, base, subject string
}

// units are tried longest first.
var units = sortedUnits([]unit{
	{"个百分点", "百分点", ""}, {"百分点", "百分点", ""}, {"%", "%", ""}, {"％", "%", ""},
	{"个学位", "个", "学位"}, {"学位", "个", "学位"},
	{"所学校", "所", "学校"}, {"所幼儿园", "所", "幼儿园"}, {"所", "所", ""},
	{"个班", "班", ""}, {"班", "班", ""}, {"个县", "县", ""}, {"县", "县", ""},
	{"个乡镇", "个", "乡镇"}, {"个区", "个", "区"},
	{"人次", "人次", ""}, {"人", "人", ""}, {"名", "名", ""}, {"位", "名", ""},
	{"平方米", "平方米", ""}, {"㎡", "平方米", ""}, {"亩", "亩", ""},
	{"元", "元", ""}, {"间", "间", ""}, {"项", "项", ""}, {"家", "家", ""},
	{"座", "座", ""}, {"套", "套", ""}, {"台", "台", ""}, {"张", "张", ""},
	{"场", "场", ""}, {"门", "门", ""}, {"支", "支", ""}, {"册", "册", ""},
	{"节", "节", ""}, {"个", "个", ""},
})

func sortedUnits(us []unit) []unit {
	for i := 1; i < len(us); i++ {
		for j := i; j > 0 && len(us[j].written) > len(us[j-1].written); j-- {
			us[j], us[j-1] = us[j-1], us[j]
		}
	}
	return us
}

// notAfterGe are words after 个 that make a duration, not a count: 3个月.
var notAfterGe = []string{"月", "工作日", "小时", "星期", "季度", "年"}

// verb is a word before a number that says what kind of target it is.
type verb struct {
	word string
	kind Kind
	not  string // runes that, right after the word, make it another word: 达标
}

var verbs = []verb{
	{"新建", KindBuild, ""}, {"改建", KindBuild, ""}, {"扩建", KindBuild, ""}, {"改扩建", KindBuild, ""},
	{"新改扩建", KindBuild, ""}, {"建设", KindBuild, ""}, {"建成", KindBuild, ""}, {"改造", KindBuild, ""},
	{"创建", KindBuild, ""}, {"打造", KindBuild, ""}, {"培育", KindBuild, ""}, {"遴选", KindBuild, ""},
	{"认定", KindBuild, ""}, {"开工", KindBuild, ""}, {"竣工", KindBuild, ""}, {"建立", KindBuild, ""},
	{"设立", KindBuild, ""}, {"成立", KindBuild, ""}, {"开设", KindBuild, ""}, {"实施", KindBuild, ""},
	{"评选", KindBuild, ""}, {"推出", KindBuild, ""}, {"创成", KindBuild, ""}, {"建", KindBuild, "议立设成造"},
	{"提供", KindProvide, ""}, {"新增", KindProvide, ""}, {"增加", KindProvide, ""}, {"增设", KindProvide, ""},
	{"培养", KindProvide, ""}, {"培训", KindProvide, ""}, {"招收", KindProvide, ""}, {"招聘", KindProvide, ""},
	{"补充", KindProvide, ""}, {"配备", KindProvide, ""}, {"资助", KindProvide, ""}, {"投入", KindProvide, ""},
	{"安排", KindProvide, ""}, {"惠及", KindProvide, ""}, {"覆盖", KindProvide, "率面"}, {"招生", KindProvide, ""},
	{"选派", KindProvide, ""}, {"发放", KindProvide, ""}, {"奖补", KindProvide, ""}, {"扩充", KindProvide, ""},
	{"达到", KindAtLeast, ""}, {"达", KindAtLeast, "标成到"}, {"不低于", KindAtLeast, ""}, {"不少于", KindAtLeast, ""},
	{"超过", KindAtLeast, ""}, {"至少", KindAtLeast, ""}, {"提高到", KindAtLeast, ""}, {"提高至", KindAtLeast, ""},
	{"提升到", KindAtLeast, ""}, {"提升至", KindAtLeast, ""}, {"增长到", KindAtLeast, ""}, {"增至", KindAtLeast, ""},
	{"突破", KindAtLeast, ""}, {"高于", KindAtLeast, ""}, {"保持在", KindAtLeast, ""}, {"稳定在", KindAtLeast, ""},
	{"完成", KindAtLeast, ""}, {"提高", KindAtLeast, "到至"}, {"增长", KindAtLeast, "到至"},
	{"控制在", KindAtMost, ""}, {"不超过", KindAtMost, ""}, {"不高于", KindAtMost, ""}, {"低于", KindAtMost, ""},
	{"降至", KindAtMost, ""}, {"降到", KindAtMost, ""}, {"降低到", KindAtMost, ""}, {"降低至", KindAtMost, ""},
	{"减少到", KindAtMost, ""}, {"压减到", KindAtMost, ""}, {"压缩到", KindAtMost, ""},
}

// rateWords before a percentage make it a level to reach without a verb:
// "普惠率93%".
var rateWords = []string{"率", "比例", "占比", "比重"}

// clauseEnds end the stretch of text in which a verb applies to a number.
// 、 does not: "新建、改扩建中小学幼儿园80所".
const clauseEnds = "。；;，,！!？?：:\n"

// maxVerbGap is how many runes may stand between a verb and its number.
const maxVerbGap = 30

// Targets finds the quantitative targets in an item's text: a number
// (Arabic, with decimals and 万/亿, or a Chinese numeral such as 八十 or
// 七万) directly followed by a unit, with a verb before it in the same
// clause (or a rate word before a percentage, or 以上/以内 after it).
// Numbers that are years, dates, ordinals (第二批), document numbers
// (〔2017〕6号), or inside quotation marks and title marks (《…三年行动计划》,
// "十四五") are not targets.
func Targets(text string) []Target {
	masked := quoted(text)
	vm := verbMatches(text, masked)
	var out []Target
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !startsNumber(text, i, r) {
			i += size
			continue
		}
		n := readNumber(text, i)
		next := n.end
		if n.ok && !masked[i] {
			if t, ok := target(text, n, vm, out); ok {
				out = append(out, t)
				next = t.End
			}
		}
		i = max(next, i+size)
	}
	return out
}

// number is a number read from the text.
type number struct {
	start, end int // the number, with 百分之 and 万/亿
	value      float64
	percent    bool // 百分之…
	chinese    bool
	ok         bool
}

func startsNumber(text string, i int, r rune) bool {
	if isDigit(r) {
		return true
	}
	if strings.HasPrefix(text[i:], "百分之") {
		return true
	}
	_, isCn := cnDigit[r]
	return isCn || r == '十'
}

// readNumber reads the number at text[i:]. It always advances past the
// whole run of digits, so that 2023 is never read again as 023.
func readNumber(text string, i int) number {
	n := number{start: i}
	j := i
	if strings.HasPrefix(text[j:], "百分之") {
		n.percent = true
		j += len("百分之")
	}
	r, _ := utf8.DecodeRuneInString(text[j:])
	if isDigit(r) {
		var mant strings.Builder
		j = readDigits(text, j, &mant)
		// 1,200: a thousands separator only before exactly three digits.
		for strings.HasPrefix(text[j:], ",") && threeDigits(text[j+1:]) {
			j = readDigits(text, j+1, &mant)
		}
		if (strings.HasPrefix(text[j:], ".") || strings.HasPrefix(text[j:], "．")) && j+1 < len(text) {
			dot := 1
			if text[j] != '.' {
				dot = len("．")
			}
			if d, _ := utf8.DecodeRuneInString(text[j+dot:]); isDigit(d) {
				mant.WriteByte('.')
				j = readDigits(text, j+dot, &mant)
			}
		}
		n.end = j
		exp := 0
		switch {
		case strings.HasPrefix(text[j:], "万"):
			exp, j = 4, j+len("万")
		case strings.HasPrefix(text[j:], "亿"):
			exp, j = 8, j+len("亿")
		case strings.HasPrefix(text[j:], "千"):
			exp, j = 3, j+len("千")
		}
		v, err := strconv.ParseFloat(mant.String()+"e"+strconv.Itoa(exp), 64)
		if err != nil || mant.Len() > 15 {
			return n
		}
		n.value, n.end, n.ok = v, j, true
		// A letter or digit glued before (5G, H5, v2) is a name, not a number.
		if p, _ := utf8.DecodeLastRuneInString(text[:i]); p < utf8.RuneSelf && (unicode.IsLetter(p) || p == '.' || p == '_') {
			n.ok = false
		}
		return n
	}
	// A Chinese numeral: the longest run of numeral characters.
	k := j
	for k < len(text) {
		r, size := utf8.DecodeRuneInString(text[k:])
		_, d := cnDigit[r]
		_, s := cnSmall[r]
		_, b := cnBig[r]
		if !d && !s && !b {
			break
		}
		k += size
	}
	n.end, n.chinese = k, true
	if k == j {
		return n
	}
	v, ok := parseChinese(text[j:k])
	// A lone 一 is an article (一批, 一所), not a count.
	n.value, n.ok = float64(v), ok && text[j:k] != "一"
	return n
}

func readDigits(text string, j int, b *strings.Builder) int {
	for j < len(text) {
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isDigit(r) {
			break
		}
		b.WriteByte(byte('0' + digitValue(r)))
		j += size
	}
	return j
}

func threeDigits(s string) bool {
	return len(s) >= 3 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9' && s[2] >= '0' && s[2] <= '9' &&
		(len(s) == 3 || s[3] < '0' || s[3] > '9')
}

// target decides whether the number n is a target and reads its unit, verb
// and subject. prev are the targets already found before it.
func target(text string, n number, vm []vmatch, prev []Target) (Target, bool) {
	t := Target{Start: n.start, Value: n.value}
	before := text[:n.start]
	// Ordinals (第二批), rankings (前10名), 约.
	if last, _ := utf8.DecodeLastRuneInString(before); last == '第' || last == '前' || last == '初' || last == '周' {
		return t, false
	}
	if strings.HasSuffix(before, "约") {
		t.Approx = true
	}
	j := n.end
	for _, a := range []string{"余", "多"} {
		if strings.HasPrefix(text[j:], a) {
			t.Approx, j = true, j+len(a)
		}
	}
	// The unit.
	var u unit
	if n.percent {
		u = unit{"", "%", ""}
	} else {
		for _, c := range units {
			if strings.HasPrefix(text[j:], c.written) {
				u = c
				break
			}
		}
		if u.written == "" {
			return t, false
		}
		j += len(u.written)
		if u.written == "个" {
			for _, w := range notAfterGe {
				if strings.HasPrefix(text[j:], w) {
					return t, false
				}
			}
		}
	}
	t.End, t.Text, t.Unit = j, text[n.start:j], u.base
	// After the unit: 以上/以内/以下, 左右.
	after := text[j:]
	for _, b := range []string{"及以上", "以上", "以内", "以下"} {
		if strings.HasPrefix(after, b) {
			t.Bound, after = b, after[len(b):]
			break
		}
	}
	if strings.HasPrefix(after, "左右") {
		t.Approx = true
	}
	// The clause the number stands in, and the verb nearest before it. A
	// verb further back than maxVerbGap runes is not looked at; neither is
	// the text before that, so that a long run without punctuation costs
	// no more than a short one.
	lim := runeStart(text, n.start-4*(maxVerbGap+60))
	cs := strings.LastIndexAny(before[lim:], clauseEnds)
	if cs < 0 {
		cs = lim
	} else {
		cs += lim
		_, size := utf8.DecodeRuneInString(before[cs:])
		cs += size
	}
	clause := before[cs:]
	ws := max(cs, runeStart(text, n.start-4*(maxVerbGap+4)))
	vs, ve, kind := findVerb(vm, ws, n.start)
	if vs >= 0 {
		vs, ve = vs-cs, ve-cs
		if utf8.RuneCountInString(clause[ve:]) > maxVerbGap {
			vs = -1
		}
	}
	switch {
	case vs >= 0:
		t.Kind, t.Verb = kind, clause[vs:ve]
		// 新建、改扩建 and 遴选建设: verbs side by side read as one.
		for {
			head := strings.TrimSuffix(clause[:vs], "、")
			s := verbEndingAt(vm, cs+len(head))
			if s < cs {
				break
			}
			vs = s - cs
			t.Verb = clause[vs:ve]
		}
		vs, ve = vs+cs, ve+cs
	case t.Bound == "以上" || t.Bound == "及以上":
		t.Kind = KindAtLeast
	case t.Bound == "以内" || t.Bound == "以下":
		t.Kind = KindAtMost
	case u.base == "%" && hasRateWord(clause):
		t.Kind = KindAtLeast
	default:
		return t, false
	}
	if t.Bound == "以上" || t.Bound == "及以上" {
		if t.Kind == KindAtMost {
			t.Kind = KindAtLeast
		}
	} else if t.Bound != "" && t.Kind == KindAtLeast {
		t.Kind = KindAtMost
	}
	t.Subject = subject(text, t, vs, ve, cs, u, prev)
	return t, true
}

// vmatch is a verb found in the text.
type vmatch struct {
	start, end int
	kind       Kind
}

// verbMatches finds every verb in text outside quotation marks, once,
// ordered by where they end and then by where they start.
func verbMatches(text string, masked []bool) []vmatch {
	var out []vmatch
	for i, r := range text {
		if masked[i] {
			continue
		}
		for _, v := range verbsByRune[r] {
			if !strings.HasPrefix(text[i:], v.word) {
				continue
			}
			e := i + len(v.word)
			if v.not != "" {
				if r, _ := utf8.DecodeRuneInString(text[e:]); strings.ContainsRune(v.not, r) {
					continue
				}
			}
			out = append(out, vmatch{i, e, v.kind})
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].end != out[b].end {
			return out[a].end < out[b].end
		}
		return out[a].start < out[b].start
	})
	return out
}

var verbsByRune = func() map[rune][]verb {
	m := map[rune][]verb{}
	for _, v := range verbs {
		r, _ := utf8.DecodeRuneInString(v.word)
		m[r] = append(m[r], v)
	}
	return m
}()

// findVerb picks, among the verbs lying within [from, to), the one ending
// last, the longest of those: its bounds and kind, -1 if none.
func findVerb(vm []vmatch, from, to int) (int, int, Kind) {
	k := sort.Search(len(vm), func(i int) bool { return vm[i].end > to })
	for k--; k >= 0 && vm[k].end > from; k-- {
		end := vm[k].end
		// The longest of those ending at end that start within range.
		best := -1
		for ; k >= 0 && vm[k].end == end; k-- {
			if vm[k].start >= from {
				best = k
			}
		}
		if best >= 0 {
			return vm[best].start, vm[best].end, vm[best].kind
		}
		k++
	}
	return -1, -1, ""
}

// verbEndingAt is the start of the longest verb of two characters or more
// ending at end, -1 if none.
func verbEndingAt(vm []vmatch, end int) int {
	k := sort.Search(len(vm), func(i int) bool { return vm[i].end >= end })
	for ; k < len(vm) && vm[k].end == end; k++ {
		if vm[k].end-vm[k].start > len("建") {
			return vm[k].start
		}
	}
	return -1
}

func hasRateWord(s string) bool {
	for _, w := range rateWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// subject is what the target counts: the words between the verb (or the
// previous target) and the number, "改造农村薄弱幼儿园70所"; else the
// words after the unit, "培养300名中小学信息化专家型校长"; else the unit's
// own noun (个学位) or, for a percentage, the rate before the verb
// ("普惠率达到93%").
func subject(text string, t Target, vs, ve, cs int, u unit, prev []Target) string {
	anchor := cs
	if ve > 0 {
		anchor = ve
	}
	if k := len(prev); k > 0 && prev[k-1].End > anchor && prev[k-1].End <= t.Start {
		anchor = prev[k-1].End
	}
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || strings.ContainsRune("、和及与共约为", r)
		})
	}
	if ve > 0 || anchor > cs {
		between := text[anchor:t.Start]
		if s := trim(between); s != "" && !strings.HasSuffix(strings.TrimSpace(between), "、") && utf8.RuneCountInString(s) <= 20 {
			return s
		}
	}
	after := text[t.End:runeStart(text, t.End+200)]
	for _, w := range []string{"及以上", "以上", "以内", "以下", "左右", "的"} {
		after = strings.TrimPrefix(after, w)
	}
	if k := strings.IndexFunc(after, func(r rune) bool {
		return strings.ContainsRune(clauseEnds+"、（(和及", r)
	}); k >= 0 {
		after = after[:k]
	}
	if s := trim(after); s != "" && u.base != "%" && u.base != "百分点" {
		return clip(s, 20)
	}
	if u.subject != "" {
		return u.subject
	}
	if vs > cs {
		return clipLeft(trim(text[cs:vs]), 12)
	}
	return ""
}

// clipLeft keeps the last n runes of s.
func clipLeft(s string, n int) string {
	for utf8.RuneCountInString(s) > n {
		_, size := utf8.DecodeRuneInString(s)
		s = s[size:]
	}
	return s
}

// quoted marks the bytes inside quotation marks and brackets — names of
// documents, campaigns and slogans, where numbers are not targets:
// 《…三年行动计划》, "十四五", 〔2017〕6号. A mark not closed within 60
// runes marks nothing.
func quoted(text string) []bool {
	pairs := map[rune]rune{'《': '》', '〈': '〉', '〔': '〕', '【': '】', '[': ']', '“': '”', '‘': '’', '「': '」', '"': '"', '『': '』'}
	m := make([]bool, len(text)+1)
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		closing, ok := pairs[r]
		if !ok {
			i += size
			continue
		}
		j, count, found := i+size, 0, false
		for j < len(text) && count < 60 {
			c, cs := utf8.DecodeRuneInString(text[j:])
			if c == closing {
				found = true
				break
			}
			j += cs
			count++
		}
		if !found {
			i += size
			continue
		}
		for k := i; k < j; k++ {
			m[k] = true
		}
		i = j + len(string(closing))
	}
	return m
}

// runeStart is the start of the character holding byte i of text, i
// clamped to the text.
func runeStart(text string, i int) int {
	i = max(0, min(i, len(text)))
	for i > 0 && i < len(text) && !utf8.RuneStart(text[i]) {
		i--
	}
	return i
}
