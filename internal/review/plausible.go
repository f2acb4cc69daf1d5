package review

import (
	"fmt"
	"math"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// Flag is a value that fails a plausibility rule. It does not block a
// save: the unit keeps the value with a written explanation (and evidence
// if it has any), and the reviewer sees the flag and the explanation.
type Flag struct {
	Column  string // the numeric column's key
	Rule    string // RuleJump, RuleUnit, RuleTeachers
	Message string // what is implausible, in Chinese, naming both values
}

// The plausibility rules.
const (
	// RuleJump: a change of more than JumpPercent from last year. Counts
	// must also change by at least JumpMinCount, so that 2 → 3 music
	// rooms is not flagged.
	RuleJump = "jump"
	// RuleUnit: a money figure a thousand times last year's or less than
	// a thousandth of it: 万元 typed as 元 or the reverse.
	RuleUnit = "unit"
	// RuleTeachers: more teachers of a kind (qualified, backbone, PE and
	// art, senior title) than all full-time teachers of the stage.
	RuleTeachers = "teachers"
)

// JumpPercent and JumpMinCount are the thresholds of RuleJump.
const (
	JumpPercent  = 30
	JumpMinCount = 3
)

// teacherParts are the counts that cannot exceed a stage's teachers.
var teacherParts = map[string]string{
	"qualified_teachers_primary":    "teachers_primary",
	"qualified_teachers_junior":     "teachers_junior",
	"backbone_teachers_primary":     "teachers_primary",
	"backbone_teachers_junior":      "teachers_junior",
	"pe_art_teachers_primary":       "teachers_primary",
	"pe_art_teachers_junior":        "teachers_junior",
	"senior_title_teachers_primary": "teachers_primary",
	"senior_title_teachers_junior":  "teachers_junior",
}

// Check returns the flags of rec against last year's record prev (nil
// when there is none) under table t, in column order.
func Check(t *census.Table, prev, rec census.UnitRecord) []Flag {
	var out []Flag
	cur := rec.Values()
	var last []float64
	if prev != nil {
		last = prev.Values()
	}
	for i, c := range t.Num {
		v := cur[i]
		if math.IsNaN(v) {
			continue
		}
		if whole, ok := teacherParts[c.Key]; ok {
			if j := t.Index(whole); j >= 0 && !math.IsNaN(cur[j]) && v > cur[j] {
				out = append(out, Flag{c.Key, RuleTeachers,
					fmt.Sprintf("%s %s 多于%s %s", c.ZH, num(v), t.Num[j].ZH, num(cur[j]))})
			}
		}
		if last == nil || math.IsNaN(last[i]) || last[i] == 0 || v == 0 {
			continue
		}
		p := last[i]
		if c.Unit == "元" && (v >= 1000*p || 1000*v <= p) {
			out = append(out, Flag{c.Key, RuleUnit,
				fmt.Sprintf("%s %s 元，上年 %s 元，相差约 %s 倍：是否把万元填成了元（或相反）？", c.ZH, num(v), num(p), num(math.Round(math.Max(v/p, p/v)))),
			})
			continue
		}
		d := math.Abs(v - p)
		if d*100 > JumpPercent*math.Abs(p) && (!c.Integer || d >= JumpMinCount) {
			out = append(out, Flag{c.Key, RuleJump,
				fmt.Sprintf("%s 由上年 %s 变为 %s（%+.0f%%），变化超过 %d%%", c.ZH, num(p), num(v), (v-p)/p*100, JumpPercent)})
		}
	}
	return out
}

func num(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
