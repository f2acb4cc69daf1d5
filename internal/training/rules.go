package training

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Rule names a check of the registry.
type Rule string

// The rules, in the order they are listed.
const (
	LicenceExpired  Rule = "licence_expired"  // 许可证已过期
	LicenceExpiring Rule = "licence_expiring" // 许可证即将到期
	LicenceMissing  Rule = "licence_missing"  // 学科类机构无办学许可证
	ChargePeriod    Rule = "charge_period"    // 一次收费超过 3 个月或 60 课时
	ChargeAmount    Rule = "charge_amount"    // 非学科类一次收费超过 5 000 元
	Certificate     Rule = "certificate"      // 学科类授课人员无教师资格证
	ServingTeacher  Rule = "serving_teacher"  // 在职中小学教师兼职
	Custody         Rule = "custody"          // 预收费未纳入监管
)

// Rules lists every rule in order.
var Rules = []Rule{LicenceExpired, LicenceExpiring, LicenceMissing, ChargePeriod, ChargeAmount, Certificate, ServingTeacher, Custody}

// Warning reports whether a finding of rule is a warning (time to act)
// rather than a breach: only an expiring licence is.
func (r Rule) Warning() bool { return r == LicenceExpiring }

// Finding is one breach (or warning) of a rule by an institution, with the
// value found, the limit and the margin, in words.
type Finding struct {
	Rule   Rule
	Credit string // the institution
	Name   string
	Table  string // the table of the row at fault
	Row    int    // its index in the table
	// Subject is the row's own name: a course, a staff member, a site.
	Subject string
	// Value and Limit are what was found and what is allowed, and Margin
	// how far over (or, for an expiring licence, how many days are left).
	Value, Limit, Margin string
	// Explain says it all in one Chinese sentence.
	Explain string
}

// Limits are the rules' limits, from the profile's training settings.
type Limits struct {
	WarnDays, MaxMonths, MaxHours, MaxNonSubject int
}

// LimitsOf reads the limits of s.
func LimitsOf(s standards.Training) Limits {
	return Limits{WarnDays: s.LicenceWarnDays, MaxMonths: s.MaxMonths, MaxHours: s.MaxHours, MaxNonSubject: s.MaxNonSubjectCharge}
}

// Institution is one institution of the registry on a day: its row, and
// its status that day.
type Institution struct {
	Row    ledger.Row
	Index  int
	Credit string
	Name   string
	Status string
	// Since is the date of the status row that set Status (zero for an
	// institution with none: approved since it was registered).
	Since time.Time
}

// Active reports whether the institution may run on its day: approved,
// not suspended, revoked or closed.
func (in Institution) Active() bool { return in.Status == Approved }

// Institutions returns the registry's institutions on day, in the
// registry's order, with their status that day.
func Institutions(d *ledger.Data, day time.Time) []Institution {
	type st struct {
		at     time.Time
		status string
	}
	latest := map[string]st{}
	for _, r := range d.Rows(TStatuses) {
		at := r.Date("date")
		if at.After(day) {
			continue
		}
		c := r.Get("credit")
		// The later date wins; on one day, the graver status.
		if cur, ok := latest[c]; !ok || at.After(cur.at) || (at.Equal(cur.at) && gravity(r.Get("status")) > gravity(cur.status)) {
			latest[c] = st{at, r.Get("status")}
		}
	}
	var out []Institution
	for i, r := range d.Rows(TInstitutions) {
		in := Institution{Row: r, Index: i, Credit: r.Get("credit"), Name: r.Get("name"), Status: Approved}
		if s, ok := latest[in.Credit]; ok {
			in.Status, in.Since = s.status, s.at
		}
		out = append(out, in)
	}
	return out
}

func gravity(status string) int {
	return slices.Index([]string{Approved, Suspended, Closed, Revoked}, status)
}

// Check returns every finding of the registry's institutions that are not
// revoked or closed on day, by institution in the registry's order and
// then by rule.
func Check(d *ledger.Data, day time.Time, l Limits) []Finding {
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	by := map[string][]Finding{}
	checked := map[string]Institution{}
	var order []string
	for _, in := range Institutions(d, day) {
		if in.Status == Revoked || in.Status == Closed {
			continue
		}
		checked[in.Credit] = in
		order = append(order, in.Credit)
		by[in.Credit] = append(by[in.Credit], institutionFindings(in, day, l)...)
	}
	add := func(f Finding) {
		in := checked[f.Credit]
		f.Name = in.Name
		by[f.Credit] = append(by[f.Credit], f)
	}
	for i, r := range d.Rows(TCharges) {
		in, ok := checked[r.Get("credit")]
		if !ok {
			continue
		}
		course := r.Get("course")
		if m := r.Int("months"); r.Get("months") != "" && m > l.MaxMonths {
			add(Finding{Rule: ChargePeriod, Credit: in.Credit, Table: TCharges, Row: i, Subject: course,
				Value: fmt.Sprintf("%d 个月", m), Limit: fmt.Sprintf("不超过 %d 个月", l.MaxMonths), Margin: fmt.Sprintf("超 %d 个月", m-l.MaxMonths),
				Explain: fmt.Sprintf("「%s」一次收费 %d 个月，上限 %d 个月，超出 %d 个月", course, m, l.MaxMonths, m-l.MaxMonths)})
		} else if h := r.Int("hours"); r.Get("hours") != "" && h > l.MaxHours {
			add(Finding{Rule: ChargePeriod, Credit: in.Credit, Table: TCharges, Row: i, Subject: course,
				Value: fmt.Sprintf("%d 课时", h), Limit: fmt.Sprintf("不超过 %d 课时", l.MaxHours), Margin: fmt.Sprintf("超 %d 课时", h-l.MaxHours),
				Explain: fmt.Sprintf("「%s」一次收费 %d 课时，上限 %d 课时，超出 %d 课时", course, h, l.MaxHours, h-l.MaxHours)})
		}
		if a := r.Int("amount"); in.Row.Get("category") == NonSubject && a > l.MaxNonSubject {
			add(Finding{Rule: ChargeAmount, Credit: in.Credit, Table: TCharges, Row: i, Subject: course,
				Value: fmt.Sprintf("%d 元", a), Limit: fmt.Sprintf("不超过 %d 元", l.MaxNonSubject), Margin: fmt.Sprintf("超 %d 元", a-l.MaxNonSubject),
				Explain: fmt.Sprintf("非学科类课程「%s」一次收费 %d 元，上限 %d 元，超出 %d 元", course, a, l.MaxNonSubject, a-l.MaxNonSubject)})
		}
	}
	for i, r := range d.Rows(TStaff) {
		in, ok := checked[r.Get("credit")]
		if !ok {
			continue
		}
		who := r.Get("name") + "（" + r.Get("person") + "）"
		if in.Row.Get("category") == Subject && r.Yes("teaching") && r.Get("certificate") == "" {
			add(Finding{Rule: Certificate, Credit: in.Credit, Table: TStaff, Row: i, Subject: who,
				Value: "无教师资格证书", Limit: "学科类授课人员须有教师资格证书", Margin: "缺 1 人",
				Explain: fmt.Sprintf("学科类机构授课人员 %s 没有教师资格证书", who)})
		}
		if r.Yes("serving") {
			add(Finding{Rule: ServingTeacher, Credit: in.Credit, Table: TStaff, Row: i, Subject: who,
				Value: "在职中小学教师", Limit: "在职中小学教师不得在校外培训机构任职", Margin: "1 人",
				Explain: fmt.Sprintf("%s 是在职中小学教师，不得在校外培训机构兼职", who)})
		}
	}
	var out []Finding
	for _, c := range order {
		fs := by[c]
		slices.SortStableFunc(fs, func(a, b Finding) int { return cmp.Compare(slices.Index(Rules, a.Rule), slices.Index(Rules, b.Rule)) })
		out = append(out, fs...)
	}
	return out
}

// institutionFindings checks an institution's own row: licence and
// custody.
func institutionFindings(in Institution, day time.Time, l Limits) []Finding {
	r := in.Row
	var out []Finding
	f := func(rule Rule, subject, value, limit, margin, explain string) {
		out = append(out, Finding{Rule: rule, Credit: in.Credit, Name: in.Name, Table: TInstitutions, Row: in.Index, Subject: subject,
			Value: value, Limit: limit, Margin: margin, Explain: explain})
	}
	to := r.Date("licence_to")
	switch {
	case r.Get("licence") == "" && r.Get("category") == Subject:
		f(LicenceMissing, "", "无办学许可证", "学科类机构须取得办学许可证", "—", "学科类机构没有登记办学许可证编号")
	case to.IsZero():
	case to.Before(day):
		days := int(day.Sub(to).Hours() / 24)
		f(LicenceExpired, r.Get("licence"), "有效期至 "+to.Format(time.DateOnly), "有效期内", fmt.Sprintf("已过期 %d 天", days),
			fmt.Sprintf("办学许可证 %s 有效期至 %s，已过期 %d 天", r.Get("licence"), to.Format(time.DateOnly), days))
	default:
		left := int(to.Sub(day).Hours() / 24)
		if left <= l.WarnDays {
			f(LicenceExpiring, r.Get("licence"), "有效期至 "+to.Format(time.DateOnly), fmt.Sprintf("到期前 %d 天提醒", l.WarnDays), fmt.Sprintf("还剩 %d 天", left),
				fmt.Sprintf("办学许可证 %s 有效期至 %s，还剩 %d 天（%d 天内到期即提醒换证）", r.Get("licence"), to.Format(time.DateOnly), left, l.WarnDays))
		}
	}
	switch {
	case r.Get("custody") == NoneYet:
		f(Custody, "", "未落实", "银行托管或风险保证金", "—", "预收费既未银行托管，也未缴纳风险保证金")
	case r.Get("account") == "":
		f(Custody, "", "无监管账户", "登记监管账户", "—", "预收费监管方式已填，但没有登记监管账户")
	}
	return out
}
