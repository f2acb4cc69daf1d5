// Package training holds the rules of a county's supervision of 校外培训机构
// (off-campus training institutions, after the 2021 双减 documents): the
// registry the county keeps — each institution with its licence, category
// (学科类 or 非学科类: 文化艺术, 体育, 科技), sites, staff, charges,
// pre-payment custody and status history — the rules the engine checks on
// it (Check), and the yearly grading (分级分类) that gives the white and
// black lists the bureau publishes (Grade, Lists).
//
// The registry is declared once (Schema, an internal/ledger schema); its
// reader, template, store, forms and API follow the declaration. It holds
// its history in its own dates (statuses, scores by year), so a county
// keeps one registry, not one a year.
//
// The rules (the method, also in the README; the limits are the profile's
// training settings, standards.Training):
//   - an institution's status on a day is that of its latest status row
//     dated on or before the day; one without a status row is 已审批
//     (approved: the registry lists approved institutions); revoked and
//     closed institutions are not checked;
//   - licence: a licence whose 有效期至 is before the day has expired; one
//     ending within licence_warn_days (60) days of it is expiring; a
//     学科类 institution without a licence number has none;
//   - charges: one charge covering more than max_months (3) months or
//     max_hours (60) class hours; for 非学科类 institutions, one charge of
//     more than max_non_subject_charge (5 000) 元;
//   - staff: a 学科类 institution's teaching staff without a teacher's
//     qualification certificate; anyone who is a serving teacher of a
//     primary or secondary school;
//   - custody: pre-payments neither in bank custody nor covered by a risk
//     deposit, or without the account that holds them.
//
// Every comparison is of whole days, months, hours or 元, so it is exact;
// each finding says the value, the limit and the margin.
package training

import (
	"strings"

	"github.com/dudao-edu/dudao/internal/ledger"
)

// Table ids of the registry.
const (
	TInstitutions = "institutions"
	TSites        = "sites"
	TStaff        = "staff"
	TCharges      = "charges"
	TStatuses     = "statuses"
	TScores       = "scores"
)

// Categories.
const (
	Subject    = "subject"     // 学科类
	NonSubject = "non_subject" // 非学科类
)

// Statuses of an institution.
const (
	Approved  = "approved"  // 已审批, running
	Suspended = "suspended" // 停业整顿
	Revoked   = "revoked"   // 吊销许可证
	Closed    = "closed"    // 注销 / 终止办学
)

// Pre-payment custody modes.
const (
	Bank    = "bank"    // 银行托管
	Deposit = "deposit" // 风险保证金
	NoneYet = "none"    // 未落实
)

// Schema is the 校外培训机构 registry.
var Schema = &ledger.Schema{
	Kind: "training",
	ZH:   "校外培训机构台账",
	EN:   "Off-campus training institutions",
	Tables: []ledger.Table{
		{
			ID: TInstitutions, Sheet: "机构", EN: "Institutions", Names: []string{"培训机构", "institutions"},
			Key: []string{"credit"},
			Cols: []ledger.Column{
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码", "社会信用代码"}, Required: true, Note: "18位统一社会信用代码；其余各表用它指机构"},
				{Key: "name", ZH: "机构名称", EN: "Name", Aliases: []string{"名称", "培训机构名称"}, Required: true},
				{Key: "form", ZH: "法人类型", EN: "Legal form", Aliases: []string{"登记类型", "法人登记类型"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: "nonprofit", ZH: "民办非企业单位", EN: "non-profit", Aliases: []string{"民非", "非营利性", "非营利"}},
					{Value: "company", ZH: "企业", EN: "company", Aliases: []string{"公司", "营利性"}},
					{Value: "public", ZH: "事业单位", EN: "public institution", Aliases: []string{"事业"}},
					{Value: "other", ZH: "其他", EN: "other"},
				}},
				{Key: "licence", ZH: "办学许可证编号", EN: "Licence number", Aliases: []string{"许可证编号", "办学许可证号", "许可证号"}, Note: "学科类机构必填"},
				{Key: "licence_from", ZH: "许可证发证日期", EN: "Licence issued", Aliases: []string{"发证日期"}, Type: ledger.Date},
				{Key: "licence_to", ZH: "许可证有效期至", EN: "Licence valid until", Aliases: []string{"有效期至", "许可证有效期"}, Type: ledger.Date, Note: "如 2027-08-31；有许可证的必填"},
				{Key: "category", ZH: "培训类别", EN: "Category", Aliases: []string{"类别", "机构类别"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: Subject, ZH: "学科类", EN: "subject", Aliases: []string{"学科"}},
					{Value: NonSubject, ZH: "非学科类", EN: "non-subject", Aliases: []string{"非学科"}},
				}},
				{Key: "field", ZH: "非学科类别", EN: "Non-subject field", Aliases: []string{"非学科类型", "培训领域"}, Type: ledger.Choice, Note: "非学科类机构必填", Options: []ledger.Option{
					{Value: "arts", ZH: "文化艺术", EN: "arts", Aliases: []string{"文艺", "艺术"}},
					{Value: "sports", ZH: "体育", EN: "sports"},
					{Value: "science", ZH: "科技", EN: "science and technology", Aliases: []string{"科技类"}},
					{Value: "other", ZH: "其他", EN: "other"},
				}},
				{Key: "mode", ZH: "培训方式", EN: "Mode", Aliases: []string{"线上线下", "方式"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: "offline", ZH: "线下", EN: "on site"},
					{Value: "online", ZH: "线上", EN: "online"},
				}},
				{Key: "approver", ZH: "审批部门", EN: "Approved by", Aliases: []string{"审批机关", "主管部门"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: "education", ZH: "教育部门", EN: "education", Aliases: []string{"教育局", "教育"}},
					{Value: "culture", ZH: "文化和旅游部门", EN: "culture and tourism", Aliases: []string{"文旅", "文化"}},
					{Value: "sport", ZH: "体育部门", EN: "sport", Aliases: []string{"体育局"}},
					{Value: "science", ZH: "科技部门", EN: "science", Aliases: []string{"科技局", "科协"}},
				}},
				{Key: "custody", ZH: "预收费监管方式", EN: "Pre-payment custody", Aliases: []string{"资金监管方式", "预收费监管"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: Bank, ZH: "银行托管", EN: "bank custody", Aliases: []string{"托管", "资金托管"}},
					{Value: Deposit, ZH: "风险保证金", EN: "risk deposit", Aliases: []string{"保证金"}},
					{Value: NoneYet, ZH: "未落实", EN: "none", Aliases: []string{"无", "未监管"}},
				}},
				{Key: "account", ZH: "监管账户", EN: "Custody account", Aliases: []string{"托管账户", "账户"}, Note: "托管银行和账号，或保证金账户"},
				{Key: "address", ZH: "注册地址", EN: "Registered address", Aliases: []string{"地址"}},
				{Key: "contact", ZH: "联系电话", EN: "Telephone", Aliases: []string{"电话"}},
				{Key: "remark", ZH: "备注", EN: "Remarks"},
			},
			Check: checkInstitution,
		},
		{
			ID: TSites, Sheet: "场所", EN: "Sites", Names: []string{"培训场所", "sites"},
			Key: []string{"credit", "address"},
			Cols: []ledger.Column{
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码"}, Required: true},
				{Key: "address", ZH: "场所地址", EN: "Address", Aliases: []string{"地址", "培训地址"}, Required: true},
				{Key: "area", ZH: "面积（平方米）", EN: "Area (m²)", Aliases: []string{"面积", "使用面积"}, Type: ledger.Count},
				{Key: "fire", ZH: "消防验收", EN: "Fire approval", Aliases: []string{"消防审验", "消防"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: "passed", ZH: "合格", EN: "passed", Aliases: []string{"通过", "已验收"}},
					{Value: "failed", ZH: "不合格", EN: "failed", Aliases: []string{"未通过"}},
					{Value: "none", ZH: "未验收", EN: "none", Aliases: []string{"无"}},
				}},
				{Key: "remark", ZH: "备注", EN: "Remarks"},
			},
		},
		{
			ID: TStaff, Sheet: "从业人员", EN: "Staff", Names: []string{"人员", "教师", "staff"},
			Key: []string{"credit", "person"},
			Cols: []ledger.Column{
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码"}, Required: true},
				{Key: "person", ZH: "人员编号", EN: "Staff number", Aliases: []string{"编号", "工号"}, Required: true, Note: "机构内的编号，如 T01；不填身份证号"},
				{Key: "name", ZH: "姓名", EN: "Name", Required: true},
				{Key: "teaching", ZH: "是否授课", EN: "Teaches", Aliases: []string{"授课人员", "是否为授课人员"}, Type: ledger.YesNo},
				{Key: "certificate", ZH: "教师资格证书编号", EN: "Teacher's certificate", Aliases: []string{"教师资格证编号", "资格证书编号", "教师资格证"}, Note: "学科类机构的授课人员必填"},
				{Key: "serving", ZH: "是否在职中小学教师", EN: "Serving school teacher", Aliases: []string{"在职教师", "是否在职教师"}, Type: ledger.YesNo, Note: "在职中小学教师不得在校外培训机构兼职"},
				{Key: "remark", ZH: "备注", EN: "Remarks"},
			},
		},
		{
			ID: TCharges, Sheet: "收费项目", EN: "Charges", Names: []string{"收费", "charges"},
			Key: []string{"credit", "course"},
			Cols: []ledger.Column{
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码"}, Required: true},
				{Key: "course", ZH: "课程名称", EN: "Course", Aliases: []string{"课程", "项目"}, Required: true},
				{Key: "months", ZH: "单次收费时段（月）", EN: "Months per charge", Aliases: []string{"收费时段", "收费周期（月）", "月数"}, Type: ledger.Count},
				{Key: "hours", ZH: "单次收费课时", EN: "Class hours per charge", Aliases: []string{"课时数", "收费课时"}, Type: ledger.Count},
				{Key: "amount", ZH: "单次收费金额（元）", EN: "Amount per charge (yuan)", Aliases: []string{"收费金额", "金额"}, Type: ledger.Count, Required: true},
				{Key: "remark", ZH: "备注", EN: "Remarks"},
			},
		},
		{
			ID: TStatuses, Sheet: "状态变更", EN: "Status history", Names: []string{"状态", "statuses"},
			Key: []string{"credit", "date", "status"},
			Cols: []ledger.Column{
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码"}, Required: true},
				{Key: "date", ZH: "日期", EN: "Date", Aliases: []string{"变更日期"}, Type: ledger.Date, Required: true},
				{Key: "status", ZH: "状态", EN: "Status", Aliases: []string{"办学状态"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: Approved, ZH: "已审批", EN: "approved", Aliases: []string{"正常", "审批", "恢复"}},
					{Value: Suspended, ZH: "停业整顿", EN: "suspended", Aliases: []string{"暂停", "停业"}},
					{Value: Revoked, ZH: "吊销许可证", EN: "revoked", Aliases: []string{"吊销", "撤销"}},
					{Value: Closed, ZH: "终止办学", EN: "closed", Aliases: []string{"注销", "关停", "终止"}},
				}},
				{Key: "document", ZH: "文号", EN: "Document", Aliases: []string{"决定文号"}},
				{Key: "reason", ZH: "原因", EN: "Reason", Aliases: []string{"事由"}},
			},
		},
		{
			ID: TScores, Sheet: "分级评分", EN: "Grading scores", Names: []string{"评分", "scores"},
			Key: []string{"year", "credit", "indicator"},
			Cols: []ledger.Column{
				{Key: "year", ZH: "年度", EN: "Year", Type: ledger.Count, Required: true, Note: "评分所属年度，如 2025", Check: checkYear},
				{Key: "credit", ZH: "统一社会信用代码", EN: "Unified social credit code", Aliases: []string{"信用代码"}, Required: true},
				{Key: "indicator", ZH: "指标", EN: "Indicator", Aliases: []string{"评分指标", "指标代码"}, Required: true, Note: "评分方案的指标代码，如 licence、safety"},
				{Key: "score", ZH: "得分", EN: "Points", Aliases: []string{"分数"}, Type: ledger.Count, Required: true, Note: "该指标的得分，0 至满分"},
				{Key: "basis", ZH: "评分依据", EN: "Basis", Aliases: []string{"依据", "扣分原因"}, Note: "检查记录、材料名称或扣分原因"},
			},
		},
	},
	Check: checkAcross,
}

// checkInstitution checks an institution's cells against each other.
func checkInstitution(r ledger.Row) []ledger.Problem {
	var out []ledger.Problem
	if !CreditCode(r.Get("credit")) {
		out = append(out, ledger.Problem{Key: "credit", Problem: "不是18位统一社会信用代码", Fix: "请按登记证书填写18位代码（数字和大写字母）"})
	}
	if r.Get("category") == NonSubject && r.Get("field") == "" {
		out = append(out, ledger.Problem{Key: "field", Problem: "非学科类机构不能为空", Fix: "请填写文化艺术、体育、科技或其他"})
	}
	if r.Get("category") == Subject && r.Get("field") != "" {
		out = append(out, ledger.Problem{Key: "field", Problem: "学科类机构不填非学科类别", Fix: "学科类机构此列留空；非学科类机构，「培训类别」填「非学科类」"})
	}
	if r.Get("licence") != "" && r.Get("licence_to") == "" {
		out = append(out, ledger.Problem{Key: "licence_to", Problem: "有许可证的机构不能为空", Fix: "请填写许可证有效期至，如 2027-08-31"})
	}
	if f, t := r.Date("licence_from"), r.Date("licence_to"); !f.IsZero() && !t.IsZero() && !t.After(f) {
		out = append(out, ledger.Problem{Key: "licence_to", Problem: "不晚于发证日期", Fix: "请核对许可证的发证日期和有效期"})
	}
	return out
}

// checkYear checks a score's year.
func checkYear(v string) (string, string) {
	if len(v) != 4 || v < "2000" || v > "2100" {
		return "不是年度", "请填写四位年度，如 2025"
	}
	return "", ""
}

// checkAcross checks that every row of the other tables names an
// institution of the registry.
func checkAcross(d *ledger.Data) []ledger.RowProblem {
	known := map[string]bool{}
	for _, r := range d.Rows(TInstitutions) {
		known[r.Get("credit")] = true
	}
	var out []ledger.RowProblem
	for _, t := range []string{TSites, TStaff, TCharges, TStatuses, TScores} {
		for _, r := range d.Rows(t) {
			if !known[r.Get("credit")] {
				out = append(out, ledger.RowProblem{Row: r, Problem: ledger.Problem{Key: "credit", Problem: "不是「机构」表中的机构",
					Fix: "请先在「机构」表登记该机构，或核对统一社会信用代码"}})
			}
		}
	}
	return out
}

// CreditCode reports whether c is a 统一社会信用代码 (GB 32100-2015): 18
// characters of the code's alphabet (digits and capitals without I, O, Z,
// S, V) whose last is the check character of the first 17.
func CreditCode(c string) bool {
	if len(c) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 18; i++ {
		v := strings.IndexByte(creditAlphabet, c[i])
		if v < 0 {
			return false
		}
		if i < 17 {
			sum += v * creditWeights[i]
		} else {
			return v == (31-sum%31)%31
		}
	}
	return false
}

// CreditCheck returns the check character that completes the 17
// characters of code (for demo and test codes); "" when code is not 17
// characters of the alphabet.
func CreditCheck(code string) string {
	if len(code) != 17 {
		return ""
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, code[i])
		if v < 0 {
			return ""
		}
		sum += v * creditWeights[i]
	}
	return string(creditAlphabet[(31-sum%31)%31])
}

const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
