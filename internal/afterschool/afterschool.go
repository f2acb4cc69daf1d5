// Package afterschool holds the rules of a county's 课后服务 (after-school
// services, the "5+2" mode of the 2021 双减 documents: every school day,
// until the local working day ends): the
// ledger a county keeps, one row per school and term — whether the school
// offers the service, on how many days a week, until what time, the
// students and teachers taking part, the courses offered (课程超市), the
// outside providers brought in, fees, subsidies and the satisfaction
// survey's counts — with the providers and their vetting; and the
// indicators a county and the province watch (Count).
//
// The ledger is kept per school year (ledger.Schema.PerYear): the ledger of
// school year 2025 holds its 秋季学期 (autumn 2025) and 春季学期 (spring
// 2026) as the 学期 column, as a county's 台账 for the year does; the
// census of the same year gives the schools, students and teachers.
//
// What counts (the method, also in the README):
//   - schools are the census's compulsory schools of the year without
//     教学点 and 特殊教育学校, as for 教育集团 coverage (internal/groups):
//     the statistics do not count them as schools; a school the ledger
//     leaves out counts as not offering the service;
//   - students are a school's compulsory students (小学 and 初中 parts) in
//     the census, teachers its 专任教师 of those stages; the participants
//     of an offering school count up to that figure (a ledger naming more
//     is shown against the school, never above 100 %);
//   - satisfaction is satisfied of surveyed, summed over the offering
//     schools that ran the survey;
//   - the end time complies when it is not earlier than the profile's
//     after_school_end setting (DefaultEnd, 17:30: the local working day's
//     end), the days when the service runs at least MinDays (5) days a
//     week; both are shares of the offering schools.
package afterschool

import (
	"strings"

	"github.com/dudao-edu/dudao/internal/ledger"
)

// Table ids of the ledger.
const (
	TTerms     = "terms"
	TProviders = "providers"
)

// Terms of a school year.
const (
	Autumn = "autumn" // 秋季学期, from September of the year
	Spring = "spring" // 春季学期, from February of the next year
)

// Terms lists the terms of a school year in order.
var Terms = []string{Autumn, Spring}

// Vetting results of a provider.
const (
	Passed  = "passed"
	Failed  = "failed"
	Pending = "pending"
)

// Schema is the 课后服务 ledger: a row per school and term, and the
// providers brought in.
var Schema = &ledger.Schema{
	Kind:    "afterschool",
	ZH:      "课后服务台账",
	EN:      "After-school services ledger",
	PerYear: true,
	Tables: []ledger.Table{
		{
			ID: TTerms, Sheet: "课后服务", EN: "Schools by term", Names: []string{"学校", "terms"},
			Key: []string{"school", "term"},
			Cols: []ledger.Column{
				{Key: "school", ZH: "学校代码", EN: "School code", Aliases: []string{"学校标识码"}, Required: true, Note: "学校的学校标识码，与学校数据一致"},
				{Key: "name", ZH: "学校名称", EN: "School name", Aliases: []string{"学校"}},
				{Key: "term", ZH: "学期", EN: "Term", Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: Autumn, ZH: "秋季学期", EN: "autumn", Aliases: []string{"秋季", "秋", "上学期", "第一学期"}},
					{Value: Spring, ZH: "春季学期", EN: "spring", Aliases: []string{"春季", "春", "下学期", "第二学期"}},
				}},
				{Key: "offers", ZH: "是否开展课后服务", EN: "Offers the service", Aliases: []string{"是否开展", "开展课后服务"}, Type: ledger.YesNo, Required: true},
				{Key: "days", ZH: "每周服务天数", EN: "Days a week", Aliases: []string{"每周天数", "服务天数"}, Type: ledger.Count, Note: "开展的学校必填，1–7"},
				{Key: "end", ZH: "结束时间", EN: "Ends at", Aliases: []string{"课后服务结束时间", "结束时刻"}, Type: ledger.Time, Note: "开展的学校必填，24小时制，如 17:30"},
				{Key: "students", ZH: "在校学生数", EN: "Students enrolled", Aliases: []string{"在校生数", "学生数"}, Type: ledger.Count},
				{Key: "students_in", ZH: "参加学生数", EN: "Students taking part", Aliases: []string{"参与学生数", "参加课后服务学生数"}, Type: ledger.Count, Note: "开展的学校必填；不多于在校学生数"},
				{Key: "teachers", ZH: "专任教师数", EN: "Teachers", Aliases: []string{"教师数"}, Type: ledger.Count},
				{Key: "teachers_in", ZH: "参与教师数", EN: "Teachers taking part", Aliases: []string{"参加教师数", "参与课后服务教师数"}, Type: ledger.Count, Note: "不多于专任教师数"},
				{Key: "courses", ZH: "开设课程数", EN: "Courses offered", Aliases: []string{"课程数", "课程超市课程数"}, Type: ledger.Count, Note: "课程超市中的课程门数"},
				{Key: "providers", ZH: "引进第三方机构数", EN: "Providers brought in", Aliases: []string{"第三方机构数", "引进机构数"}, Type: ledger.Count},
				{Key: "fee", ZH: "收费标准（元/生·学期）", EN: "Fee per student and term (yuan)", Aliases: []string{"收费标准", "收费"}, Type: ledger.Count, Note: "每生每学期收费，元；不收费填 0"},
				{Key: "subsidy", ZH: "财政补助（元/生·学期）", EN: "Subsidy per student and term (yuan)", Aliases: []string{"财政补助", "补助标准"}, Type: ledger.Count, Note: "每生每学期财政补助，元"},
				{Key: "surveyed", ZH: "满意度调查人数", EN: "Surveyed", Aliases: []string{"调查人数"}, Type: ledger.Count, Note: "本学期满意度调查的有效答卷数；未调查留空"},
				{Key: "satisfied", ZH: "满意人数", EN: "Satisfied", Aliases: []string{"满意数"}, Type: ledger.Count, Note: "答「满意」或「比较满意」的人数，不多于调查人数"},
				{Key: "remark", ZH: "备注", EN: "Remarks"},
			},
			Check: checkTerm,
		},
		{
			ID: TProviders, Sheet: "第三方机构", EN: "Providers", Names: []string{"机构", "providers"},
			Key: []string{"credit"},
			Cols: []ledger.Column{
				{Key: "provider", ZH: "机构名称", EN: "Provider", Aliases: []string{"名称", "机构"}, Required: true},
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码"}, Required: true, Note: "18位统一社会信用代码"},
				{Key: "type", ZH: "机构类型", EN: "Type", Aliases: []string{"类型"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: "nonprofit", ZH: "非营利性机构", EN: "non-profit", Aliases: []string{"非营利", "民办非企业"}},
					{Value: "company", ZH: "企业", EN: "company", Aliases: []string{"公司", "营利性机构"}},
					{Value: "public", ZH: "公办场馆", EN: "public venue", Aliases: []string{"少年宫", "青少年活动中心", "场馆"}},
					{Value: "university", ZH: "高校或科研院所", EN: "university or institute", Aliases: []string{"高校", "科研院所"}},
					{Value: "other", ZH: "其他", EN: "other"},
				}},
				{Key: "vetting", ZH: "审核结果", EN: "Vetting result", Aliases: []string{"准入审核", "审核"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: Passed, ZH: "通过", EN: "passed", Aliases: []string{"合格", "准入"}},
					{Value: Failed, ZH: "未通过", EN: "failed", Aliases: []string{"不通过", "不合格"}},
					{Value: Pending, ZH: "审核中", EN: "pending", Aliases: []string{"待审核"}},
				}},
				{Key: "vetted", ZH: "审核日期", EN: "Vetted on", Aliases: []string{"审核时间"}, Type: ledger.Date, Note: "审核通过或未通过的日期；审核中的留空"},
				{Key: "schools", ZH: "服务学校数", EN: "Schools served", Type: ledger.Count},
				{Key: "remark", ZH: "备注", EN: "Remarks"},
			},
			Check: checkProvider,
		},
	},
}

// checkTerm checks a school-term row's cells against each other.
func checkTerm(r ledger.Row) []ledger.Problem {
	var out []ledger.Problem
	offers := r.Yes("offers")
	if offers {
		if d := r.Get("days"); d == "" {
			out = append(out, ledger.Problem{Key: "days", Problem: "开展课后服务的学校不能为空", Fix: "请填写每周服务天数，1–7"})
		}
		if r.Get("end") == "" {
			out = append(out, ledger.Problem{Key: "end", Problem: "开展课后服务的学校不能为空", Fix: "请填写结束时间，如 17:30"})
		}
		if r.Get("students_in") == "" {
			out = append(out, ledger.Problem{Key: "students_in", Problem: "开展课后服务的学校不能为空", Fix: "请填写参加学生数"})
		}
	}
	if d := r.Get("days"); d != "" && (r.Int("days") > 7 || (offers && r.Int("days") < 1)) {
		out = append(out, ledger.Problem{Key: "days", Problem: "不在 1–7 之间", Fix: "请填写每周服务天数，1–7"})
	}
	if !offers && r.Int("students_in") > 0 {
		out = append(out, ledger.Problem{Key: "students_in", Problem: "未开展课后服务的学校不应有参加学生", Fix: "开展的，「是否开展课后服务」填「是」；未开展的，参加学生数留空"})
	}
	if s := r.Get("students"); s != "" && r.Int("students_in") > r.Int("students") {
		out = append(out, ledger.Problem{Key: "students_in", Problem: "多于在校学生数", Fix: "请核对参加学生数和在校学生数"})
	}
	if s := r.Get("teachers"); s != "" && r.Int("teachers_in") > r.Int("teachers") {
		out = append(out, ledger.Problem{Key: "teachers_in", Problem: "多于专任教师数", Fix: "请核对参与教师数和专任教师数"})
	}
	if r.Int("satisfied") > r.Int("surveyed") {
		out = append(out, ledger.Problem{Key: "satisfied", Problem: "多于满意度调查人数", Fix: "请核对满意人数和调查人数"})
	}
	return out
}

// checkProvider checks a provider's credit code and vetting date.
func checkProvider(r ledger.Row) []ledger.Problem {
	var out []ledger.Problem
	if c := r.Get("credit"); !creditCode(c) {
		out = append(out, ledger.Problem{Key: "credit", Problem: "不是18位统一社会信用代码", Fix: "请按营业执照或登记证书填写18位代码（数字和大写字母）"})
	}
	if r.Get("vetting") != Pending && r.Get("vetted") == "" {
		out = append(out, ledger.Problem{Key: "vetted", Problem: "已审核的机构不能为空", Fix: "请填写审核日期，如 2025-08-20"})
	}
	return out
}

// creditCode reports whether c looks like a 统一社会信用代码: 18 digits and
// capital letters (without I, O, Z, S, V, as GB 32100 leaves them out).
func creditCode(c string) bool {
	if len(c) != 18 {
		return false
	}
	for _, r := range c {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') || strings.ContainsRune("IOZSV", r) {
			return false
		}
	}
	return true
}
