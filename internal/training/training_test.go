package training_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/training"
)

// code completes a 17-character stem into a valid credit code.
func code(stem string) string { return stem + training.CreditCheck(stem) }

var (
	good    = code("52350100MJ0000001") // 学科类, in order, graded A
	expired = code("52350100MJ0000002") // 学科类, licence expired, staff without certificate
	arts    = code("52350100MJ0000003") // 非学科类, charge too large, graded B but breaches
	revoked = code("52350100MJ0000004") // revoked in 2026
	sports  = code("52350100MJ0000005") // 非学科类, expiring licence (a warning), no custody account
	closed  = code("52350100MJ0000006") // closed: not checked, on no list
)

// registry builds a registry touching every column of every table.
func registry(t *testing.T) *ledger.Data {
	t.Helper()
	d := training.Schema.New()
	add := func(table string, v map[string]string) {
		t.Helper()
		if err := d.Add(table, v); err != nil {
			t.Fatalf("%s %v: %v", table, v, err)
		}
	}
	inst := func(credit, name, category, field, licence, from, to, custody, account string) {
		add(training.TInstitutions, map[string]string{"credit": credit, "name": name, "form": "民办非企业单位", "licence": licence,
			"licence_from": from, "licence_to": to, "category": category, "field": field, "mode": "线下", "approver": "教育部门",
			"custody": custody, "account": account, "address": "南江市文明路1号", "contact": "0591-8888", "remark": "—"})
	}
	inst(good, "启明学堂", "学科类", "", "教民135010010000001号", "2024-09-01", "2027-08-31", "银行托管", "南江银行 6222")
	inst(expired, "晨光培训", "学科类", "", "教民135010010000002号", "2021-09-01", "2026-11-30", "银行托管", "南江银行 6223")
	inst(arts, "墨韵书画", "非学科类", "文化艺术", "文民135010010000003号", "2024-01-01", "2028-01-01", "风险保证金", "保证金 01")
	inst(revoked, "速成补习", "学科类", "", "教民135010010000004号", "2022-01-01", "2027-01-01", "银行托管", "南江银行 6224")
	inst(sports, "飞跃体育", "非学科类", "体育", "体民135010010000005号", "2023-02-01", "2027-01-31", "风险保证金", "")
	inst(closed, "旧日书院", "学科类", "", "", "", "", "未落实", "")
	add(training.TSites, map[string]string{"credit": good, "address": "南江市文明路1号2楼", "area": "320", "fire": "合格", "remark": "主校区"})
	add(training.TStaff, map[string]string{"credit": good, "person": "T01", "name": "李明", "teaching": "是", "certificate": "20193501421000123", "serving": "否", "remark": "—"})
	add(training.TStaff, map[string]string{"credit": expired, "person": "T01", "name": "王芳", "teaching": "是", "certificate": "", "serving": "否"})
	add(training.TStaff, map[string]string{"credit": arts, "person": "T02", "name": "赵强", "teaching": "是", "serving": "是"})
	add(training.TCharges, map[string]string{"credit": good, "course": "初二数学", "months": "3", "hours": "60", "amount": "4800", "remark": "按季度"})
	add(training.TCharges, map[string]string{"credit": expired, "course": "高一物理", "months": "4", "amount": "3200"})
	add(training.TCharges, map[string]string{"credit": arts, "course": "国画年卡", "hours": "48", "amount": "5001"})
	add(training.TCharges, map[string]string{"credit": arts, "course": "书法", "hours": "61", "amount": "5000"})
	add(training.TStatuses, map[string]string{"credit": revoked, "date": "2026-05-10", "status": "吊销许可证", "document": "南教罚〔2026〕3号", "reason": "隐形变异学科类培训"})
	add(training.TStatuses, map[string]string{"credit": closed, "date": "2025-07-01", "status": "终止办学", "reason": "自行终止"})
	add(training.TStatuses, map[string]string{"credit": arts, "date": "2027-03-01", "status": "停业整顿"}) // after the day: not yet
	// Scores of 2026: good 19+18+15+14+13+14 = 93 → A (margin 3.00);
	// arts 16+16+12+12+12+12 = 80 → B exactly at the band's minimum;
	// sports misses an indicator → not graded; revoked scored E.
	score := func(credit string, pts ...string) {
		for i, id := range []string{"licence", "safety", "staff", "money", "teaching", "credit"} {
			if i < len(pts) {
				add(training.TScores, map[string]string{"year": "2026", "credit": credit, "indicator": id, "score": pts[i], "basis": "年检记录"})
			}
		}
	}
	score(good, "19", "18", "15", "14", "13", "14")
	score(arts, "16", "16", "12", "12", "12", "12")
	score(sports, "18", "18", "15", "15", "15")
	score(revoked, "5", "10", "5", "5", "5", "5")
	return d
}

func settings(t *testing.T) standards.Training {
	t.Helper()
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	return r.Settings.Training
}

// TestCheck pins every rule against the registry above on 2026-12-04,
// each finding with its margin, worked out by hand in the comments.
func TestCheck(t *testing.T) {
	day := time.Date(2026, 12, 4, 15, 0, 0, 0, time.UTC)
	fs := training.Check(registry(t), day, training.LimitsOf(settings(t)))
	var got []string
	for _, f := range fs {
		got = append(got, string(f.Rule)+" "+f.Name+" "+f.Subject+" "+f.Margin)
	}
	want := []string{
		// 晨光: licence ended 2026-11-30, 4 days before; 高一物理 4 > 3
		// months; 王芳 teaches without a certificate.
		"licence_expired 晨光培训 教民135010010000002号 已过期 4 天",
		"charge_period 晨光培训 高一物理 超 1 个月",
		"certificate 晨光培训 王芳（T01） 缺 1 人",
		// 墨韵: 国画年卡 5 001 > 5 000 元 (non-subject); 书法 61 > 60
		// hours, and exactly 5 000 元 is allowed; 赵强 is a serving
		// teacher.
		"charge_period 墨韵书画 书法 超 1 课时",
		"charge_amount 墨韵书画 国画年卡 超 1 元",
		"serving_teacher 墨韵书画 赵强（T02） 1 人",
		// 飞跃: licence ends 2027-01-31, 58 days on: within 60; deposit
		// without an account.
		"licence_expiring 飞跃体育 体民135010010000005号 还剩 58 天",
		"custody 飞跃体育  —",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	for _, f := range fs {
		if f.Explain == "" || f.Value == "" || f.Limit == "" {
			t.Errorf("%+v does not explain itself", f)
		}
	}
	// 启明 (3 months, 60 hours: at both limits) has no finding; the
	// revoked and the closed institutions are not checked.
	// On 2026-12-02 the 60th day is 2027-01-31: still a warning; on
	// 2026-12-01 it is 61 days away: none.
	for _, c := range []struct {
		day  string
		warn bool
	}{{"2026-12-02", true}, {"2026-12-01", false}} {
		day, _ := time.Parse(time.DateOnly, c.day)
		warn := false
		for _, f := range training.Check(registry(t), day, training.LimitsOf(settings(t))) {
			warn = warn || (f.Rule == training.LicenceExpiring && f.Name == "飞跃体育")
		}
		if warn != c.warn {
			t.Errorf("on %s: expiring warning %v, want %v", c.day, warn, c.warn)
		}
	}
}

// TestStatusOnADay: the latest status on or before the day; none means
// approved.
func TestStatusOnADay(t *testing.T) {
	d := registry(t)
	at := func(day string) map[string]string {
		t, _ := time.Parse(time.DateOnly, day)
		m := map[string]string{}
		for _, in := range training.Institutions(d, t) {
			m[in.Name] = in.Status
		}
		return m
	}
	if s := at("2026-05-09")["速成补习"]; s != training.Approved {
		t.Errorf("速成补习 the day before revocation: %s", s)
	}
	if s := at("2026-05-10")["速成补习"]; s != training.Revoked {
		t.Errorf("速成补习 on the day of revocation: %s", s)
	}
	if s := at("2027-03-01")["墨韵书画"]; s != training.Suspended {
		t.Errorf("墨韵书画 once suspended: %s", s)
	}
}

// TestGrade: exact totals, a total at a band's minimum gets the band, an
// institution missing an indicator is not graded.
func TestGrade(t *testing.T) {
	s := settings(t)
	gs, probs := training.Grade(registry(t), 2026, s.Grading)
	if len(probs) != 0 {
		t.Fatalf("problems: %v", probs)
	}
	got := map[string]string{}
	for _, g := range gs {
		got[g.Name] = g.TotalText() + " " + g.Grade + " " + g.Margin + " " + strings.Join(g.Missing, ",")
	}
	want := map[string]string{
		"启明学堂": "93.00 A +3.00 ",
		"墨韵书画": "80.00 B +0.00 ",
		"飞跃体育": "—   内部管理与诚信",
		"速成补习": "35.00 E -25.00 ", // 25 below D's 60
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grades (-want +got):\n%s", diff)
	}
	// A weight not equal to the maximum: 2 of 3 points of a 10-weight
	// indicator is 20/3, kept exact: 89 + 20/3 = 95.67 → A, and 79 +
	// 1/3 × 10 just misses B's 80 … exactly: 82.33.
	g := standards.Grading{Indicators: []standards.GradingIndicator{{ID: "a", ZH: "甲", Weight: 90, Max: 90}, {ID: "b", ZH: "乙", Weight: 10, Max: 3}},
		Bands: []standards.GradingBand{{Grade: "A", Min: 90}, {Grade: "B", Min: 80}, {Grade: "E", Min: 0}}}
	d := training.Schema.New()
	_ = d.Add(training.TInstitutions, map[string]string{"credit": good, "name": "甲", "form": "企业", "category": "学科类", "mode": "线上", "approver": "教育部门", "custody": "银行托管"})
	for _, r := range []map[string]string{{"indicator": "a", "score": "89"}, {"indicator": "b", "score": "2"}} {
		r["year"], r["credit"] = "2025", good
		if err := d.Add(training.TScores, r); err != nil {
			t.Fatal(err)
		}
	}
	gs, _ = training.Grade(d, 2025, g)
	if gs[0].TotalText() != "95.67" || gs[0].Grade != "A" || gs[0].Total.String() != "287/3" {
		t.Errorf("got %s %s %s", gs[0].Total, gs[0].TotalText(), gs[0].Grade)
	}
	// A score above the maximum and an unknown indicator are problems.
	_ = d.Add(training.TScores, map[string]string{"year": "2025", "credit": good, "indicator": "z", "score": "1"})
	_ = d.Set(training.TScores, 1, map[string]string{"year": "2025", "credit": good, "indicator": "b", "score": "4"})
	_, probs = training.Grade(d, 2025, g)
	if len(probs) != 2 || !strings.Contains(probs[0].Problem, "高于满分") || !strings.Contains(probs[1].Problem, "没有指标") {
		t.Errorf("problems: %v", probs)
	}
}

// TestLists: white needs a white grade, approval and no breach; black
// takes the revoked and the black grades.
func TestLists(t *testing.T) {
	s := settings(t)
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	white, black := training.Lists(registry(t), 2026, day, training.LimitsOf(s), s.Grading)
	names := func(es []training.Entry) (out []string) {
		for _, e := range es {
			out = append(out, e.Name+" "+e.Reason)
		}
		return out
	}
	// 墨韵 is graded B but breaches the charge rules: not white.
	if diff := cmp.Diff([]string{"启明学堂 2026 年度分级评定为 A 级"}, names(white)); diff != "" {
		t.Errorf("white (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"速成补习 吊销办学许可证（2026-05-10）"}, names(black)); diff != "" {
		t.Errorf("black (-want +got):\n%s", diff)
	}
}

// TestLedgerRules: the registry's own checks, each with row and fix.
func TestLedgerRules(t *testing.T) {
	d := registry(t)
	for _, c := range []struct {
		table string
		row   map[string]string
		want  string
	}{
		{training.TInstitutions, map[string]string{"credit": "52350100MJ0000001X", "name": "x", "form": "企业", "category": "学科类", "mode": "线上", "approver": "教育部门", "custody": "无"}, "18位统一社会信用代码"},
		{training.TInstitutions, map[string]string{"credit": code("52350100MJ0000009"), "name": "x", "form": "企业", "category": "非学科类", "mode": "线上", "approver": "体育部门", "custody": "无"}, "非学科类机构不能为空"},
		{training.TInstitutions, map[string]string{"credit": code("52350100MJ0000009"), "name": "x", "form": "企业", "category": "学科类", "licence": "1", "mode": "线上", "approver": "教育部门", "custody": "无"}, "有许可证的机构不能为空"},
		{training.TInstitutions, map[string]string{"credit": code("52350100MJ0000009"), "name": "x", "form": "企业", "category": "学科类", "licence": "1", "licence_from": "2025-01-01", "licence_to": "2024-01-01", "mode": "线上", "approver": "教育部门", "custody": "无"}, "不晚于发证日期"},
		{training.TScores, map[string]string{"year": "1999", "credit": good, "indicator": "x", "score": "1"}, "四位年度"},
	} {
		err := d.Add(c.table, c.row)
		if err == nil {
			d2 := training.Schema.New()
			if c.table != training.TInstitutions {
				_ = d2.Add(training.TInstitutions, registry(t).Rows(training.TInstitutions)[0].Map())
			}
			_ = d2.Add(c.table, c.row)
			var ps []string
			for _, p := range d2.Validate() {
				ps = append(ps, p.Problem.Problem+" "+p.Problem.Fix)
			}
			err = errors.New(strings.Join(ps, "; "))
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: got %v, want %q", c.row, err, c.want)
		}
	}
	d = registry(t)
	if err := d.Add(training.TCharges, map[string]string{"credit": code("52350100MJ0000099"), "course": "x", "amount": "1"}); err != nil {
		t.Fatal(err)
	}
	probs := d.Validate()
	if len(probs) != 1 || !strings.Contains(probs[0].Problem.Problem, "不是「机构」表中的机构") {
		t.Errorf("a charge of an unknown institution: %v", probs)
	}
}

// TestCreditCode: GB 32100's check character.
func TestCreditCode(t *testing.T) {
	for _, c := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true}, // the standard's example
		{"91350100M000100Y44", false},
		{"91350100M000100Y4", false},
		{"91350100M000100I43", false},
		{good, true},
	} {
		if got := training.CreditCode(c.code); got != c.ok {
			t.Errorf("CreditCode(%s) = %v", c.code, got)
		}
	}
}

// TestTemplateRoundTrip: the registry written as the import workbook
// reads back the same, every column of every table filled.
func TestTemplateRoundTrip(t *testing.T) {
	d := registry(t)
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := ledger.Read(training.Schema, ledger.File{Name: "机构台账.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Maps(), back.Maps()); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	for _, tb := range training.Schema.Tables {
		for _, c := range tb.Cols {
			filled := false
			for _, r := range d.Rows(tb.ID) {
				filled = filled || r.Get(c.Key) != ""
			}
			if !filled {
				t.Errorf("the test registry leaves column %s.%s empty: fill it so the round trip walks it", tb.ID, c.Key)
			}
		}
	}
}

// TestBadLicenceDate: a cell that is not a date is refused with its
// file, row, column and fix, and nothing is read.
func TestBadLicenceDate(t *testing.T) {
	d := registry(t)
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	csv := "统一社会信用代码,机构名称,法人类型,培训类别,培训方式,审批部门,预收费监管方式,办学许可证编号,许可证有效期至\n" +
		good + ",启明学堂,企业,学科类,线下,教育部门,银行托管,教民1号,2027-08-31\n" +
		expired + ",晨光培训,企业,学科类,线下,教育部门,银行托管,教民2号,2027-02-30\n"
	_, err := ledger.Read(training.Schema, ledger.File{Name: "机构.csv", Data: []byte(csv)})
	if err == nil {
		t.Fatal("a bad date was read")
	}
	for _, w := range []string{"机构.csv", "第3行", "许可证有效期至", "2027-02-30"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q: %v", w, err)
		}
	}
}

// FuzzRead: no input panics the registry's reader.
func FuzzRead(f *testing.F) {
	f.Add([]byte("统一社会信用代码,机构名称,法人类型,培训类别,培训方式,审批部门,预收费监管方式\n" + good + ",甲,企业,学科类,线下,教育部门,银行托管\n"))
	f.Add([]byte("统一社会信用代码,课程名称,单次收费金额（元）\nx,y,5000\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := ledger.Read(training.Schema, ledger.File{Name: "f.csv", Data: b})
		if err == nil {
			training.Check(d, time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC), training.Limits{WarnDays: 60, MaxMonths: 3, MaxHours: 60, MaxNonSubject: 5000})
		}
	})
}

// TestSummary: the registry above, summed on 2026-12-04, and two of it
// added.
func TestSummary(t *testing.T) {
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	s := training.Summarise(registry(t), day, 2026, settings(t))
	want := training.Summary{Institutions: 6, Subject: 4, NonSubject: 2, Approved: 4, Revoked: 1, Closed: 1,
		Breaching: 3, ByRule: []int{1, 1, 0, 2, 1, 1, 1, 1}, Graded: 3, White: 1, Black: 1}
	if diff := cmp.Diff(want, s); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	var sum training.Summary
	sum.Add(s)
	sum.Add(s)
	if sum.Institutions != 12 || sum.ByRule[3] != 4 || sum.White != 2 {
		t.Errorf("sum %+v", sum)
	}
}
