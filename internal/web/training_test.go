package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
	"github.com/dudao-edu/dudao/internal/training"
)

// trainingCSV is a small registry, worked out by hand in
// TestTrainingPage, as the four CSV files a county keeps.
func trainingCSV() map[string]string {
	c := func(stem string) string { return stem + training.CreditCheck(stem) }
	a, b, x, r := c("52350100MJ0000001"), c("52350100MJ0000002"), c("52350100MJ0000003"), c("52350100MJ0000004")
	return map[string]string{
		"机构.csv": "统一社会信用代码,机构名称,法人类型,培训类别,非学科类别,培训方式,审批部门,预收费监管方式,监管账户,办学许可证编号,许可证发证日期,许可证有效期至\n" +
			a + ",启明学堂,民办非企业单位,学科类,,线下,教育部门,银行托管,南江银行 1,教民1号,2024-09-01,2027-08-31\n" +
			b + ",晨光培训,民办非企业单位,学科类,,线下,教育部门,银行托管,南江银行 2,教民2号,2021-09-01,2026-11-30\n" +
			x + ",墨韵书画,企业,非学科类,文化艺术,线下,文化和旅游部门,风险保证金,保证金 3,文民3号,2024-01-01,2028-01-01\n" +
			r + ",速成补习,民办非企业单位,学科类,,线下,教育部门,银行托管,南江银行 4,教民4号,2022-01-01,2027-01-01\n",
		"收费项目.csv": "统一社会信用代码,课程名称,单次收费时段（月）,单次收费课时,单次收费金额（元）\n" +
			a + ",初二数学,3,60,4800\n" + x + ",国画年卡,,48,5001\n",
		"状态变更.csv": "统一社会信用代码,日期,状态,文号\n" + r + ",2026-05-10,吊销许可证,南教罚〔2026〕3号\n",
		"分级评分.csv": "年度,统一社会信用代码,指标,得分\n" +
			"2026," + a + ",licence,19\n2026," + a + ",safety,18\n2026," + a + ",staff,15\n2026," + a + ",money,14\n2026," + a + ",teaching,13\n2026," + a + ",credit,14\n" +
			"2026," + x + ",licence,20\n2026," + x + ",safety,20\n2026," + x + ",staff,15\n2026," + x + ",money,15\n2026," + x + ",teaching,15\n2026," + x + ",credit,15\n",
	}
}

// TestTrainingPage walks a county's 校外培训机构 page as its clerk would,
// on 2026-12-04: a registry imported from four CSV files is checked by
// the rules (晨光's licence ended on 30 November, 4 days ago; 墨韵's
// 国画年卡 charges 5 001 元, 1 over the 5 000 limit; 启明 charges 3
// months and 60 hours, at both limits, so nothing), graded exactly
// (启明 93 → A, 墨韵 100 → A, but 墨韵 breaches a rule: not white), and its
// lists published (white: 启明; black: 速成, revoked on 10 May). The
// public page shows them to a visitor without an account, and a later
// change of the registry does not change what was published.
func TestTrainingPage(t *testing.T) {
	e := newEnv(t)
	e.srv.now = func() time.Time { return time.Date(2026, 12, 4, 2, 0, 0, 0, time.UTC) }
	code := county().Code
	base := "/county/" + code + "/training"
	check(t, e.get("county", "/county/"+code), http.StatusOK, hc.In("a#training-link"))

	// A file with a bad licence date is refused naming file, row and
	// column; nothing changes.
	before, v0, err := e.st.Ledger(context.Background(), training.Schema, code, 0)
	if err != nil {
		t.Fatalf("the demo seeds no registry for its county: %v", err)
	}
	bad := trainingCSV()
	bad["机构.csv"] = strings.Replace(bad["机构.csv"], "2026-11-30", "2026-11-31", 1)
	w := e.uploadLedger("county", base+"/import", bad)
	check(t, w, http.StatusBadRequest, hc.In("#ledger-errors"))
	for _, want := range []string{"机构.csv", `data-row="3" data-letter="L"`, "L 许可证有效期至", "2026-11-31", "不是日期"} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("the refusal lacks %q: %s", want, between(w.Body.String(), `id="ledger-errors"`, "</table>"))
		}
	}
	if after, v, _ := e.st.Ledger(context.Background(), training.Schema, code, 0); v.ID != v0.ID || after.Len() != before.Len() {
		t.Fatal("a refused import changed the registry")
	}

	w = e.uploadLedger("county", base+"/import", trainingCSV())
	if w.Code != http.StatusSeeOther {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	w = e.get("county", base)
	check(t, w, http.StatusOK, hc.In("#training-rules tr[data-rule=licence_expired]"), hc.In("form#training-publish"), hc.In("form#ledger-import"))
	body := w.Body.String()
	rule := func(r string) string { return between(body, `<tr data-rule="`+r+`">`, "</tr>") }
	for r, n := range map[string]string{"licence_expired": ">1<", "charge_amount": ">1<", "charge_period": ">0<", "custody": ">0<", "certificate": ">0<"} {
		if !strings.Contains(rule(r), n) {
			t.Errorf("rule %s: want %s in %s", r, n, rule(r))
		}
	}
	for _, want := range []string{"已过期 4 天", "超 1 元", "办学许可证 教民2号 有效期至 2026-11-30，已过期 4 天"} {
		if !strings.Contains(body, want) {
			t.Errorf("the findings lack %q", want)
		}
	}
	grades := between(body, `id="training-grades"`, "</table>")
	for _, want := range []string{`data-grade="A"`, ">93.00<", ">100.00<"} {
		if !strings.Contains(grades, want) {
			t.Errorf("the grades lack %q", want)
		}
	}
	for _, tb := range training.Schema.Tables {
		for _, c := range tb.Cols {
			if !strings.Contains(body, `name="c.`+c.Key+`"`) {
				t.Errorf("no form field for %s.%s", tb.ID, c.Key)
			}
		}
	}

	// A county that has published nothing has no public page.
	if w := e.get("", "/lists/"+otherCounty()); w.Code != http.StatusNotFound {
		t.Errorf("public lists of a county that published none: %d", w.Code)
	}
	_, v, _ := e.st.Ledger(context.Background(), training.Schema, code, 0)
	// A stale form (an older version) is refused; a read-only account and
	// another county's account may not publish.
	form := url.Values{"version": {"1"}, "gyear": {"2026"}}
	if w := e.postForm("county", base+"/publish", form); w.Code != http.StatusConflict {
		t.Errorf("publish from a stale page: %d", w.Code)
	}
	form.Set("version", itoa64(v.ID))
	if w := e.postForm("viewer", base+"/publish", form); w.Code != http.StatusForbidden {
		t.Errorf("publish as read-only: %d", w.Code)
	}
	if w := e.postForm("county", base+"/publish", form); w.Code != http.StatusSeeOther {
		t.Fatalf("publish: %d %s", w.Code, w.Body)
	}
	w = e.get("", "/lists/"+code)
	check(t, w, http.StatusOK, hc.In("#lists-white li"), hc.In("#lists-black li"))
	if csp := w.Header().Get("Content-Security-Policy"); csp != publicCSP {
		t.Errorf("public CSP %q", csp)
	}
	pub := w.Body.String()
	white, black := between(pub, `id="lists-white"`, "</section>"), between(pub, `id="lists-black"`, "</section>")
	if !strings.Contains(white, "启明学堂") || strings.Contains(white, "墨韵书画") || strings.Contains(white, "晨光培训") {
		t.Errorf("white list: %s", white)
	}
	if !strings.Contains(black, "速成补习") || !strings.Contains(black, "2026-05-10") {
		t.Errorf("black list: %s", black)
	}
	if strings.Contains(pub, "<script") {
		t.Error("the public page carries a script")
	}
	w = e.get("", "/lists/"+code+"/notice.pdf")
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "%PDF") {
		t.Errorf("notice: %d %.20q", w.Code, w.Body.String())
	}
	// The API gives the same findings and grades.
	w = e.get("county", "/api/v1/training/"+code+"?gyear=2026")
	var api struct {
		Findings []struct{ Rule, Margin string }
		Grades   []struct {
			Name, Total, Grade string
			TotalExact         string `json:"total_exact"`
		}
		Ledger map[string][]map[string]string
	}
	if err := json.Unmarshal(w.Body.Bytes(), &api); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
	if len(api.Ledger["institutions"]) != 4 || len(api.Findings) == 0 || api.Findings[0].Margin != "已过期 4 天" {
		t.Errorf("api: %+v", api.Findings)
	}
	if len(api.Grades) != 2 || api.Grades[0].Name != "启明学堂" || api.Grades[0].TotalExact != "93" || api.Grades[0].Grade != "A" {
		t.Errorf("api grades: %+v", api.Grades)
	}

	// A later change of the registry leaves the publication as it was.
	if w := e.uploadLedger("county", base+"/import", map[string]string{"机构.csv": trainingCSV()["机构.csv"]}); w.Code != http.StatusSeeOther {
		t.Fatalf("re-import: %d", w.Code)
	}
	if w := e.get("", "/lists/"+code); !strings.Contains(w.Body.String(), "启明学堂") || !strings.Contains(w.Body.String(), "速成补习") {
		t.Error("a later import changed the published lists")
	}

	// Another county's account sees neither the page nor the API.
	other := otherCounty()
	for _, path := range []string{"/county/" + other + "/training", "/api/v1/training/" + other} {
		if w := e.get("county", path); w.Code != http.StatusNotFound && w.Code != http.StatusForbidden {
			t.Errorf("%s as another county: %d", path, w.Code)
		}
	}

	// The region view sums the counties; the English pages show no key.
	check(t, e.get("city", "/training"), http.StatusOK, hc.In("#training-counties tr[data-region=total]"))
	check(t, e.get("city", "/overview"), http.StatusOK, hc.In(`#ledger-links a[href^="/training"]`), hc.In(`#ledger-links a[href^="/groups"]`))
	for _, path := range []string{base, "/training", "/lists/" + code} {
		w := e.get("admin", path, "Cookie", langCookie+"=en")
		if m := regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).FindString(w.Body.String()); m != "" {
			t.Errorf("%s: untranslated key %s", path, m)
		}
	}
}

// TestTrainingDemo: the demo's registries break every rule somewhere, a
// city holds a few hundred institutions, and the demo county's lists are
// published.
func TestTrainingDemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	all, err := e.st.Ledgers(ctx, training.Schema, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	perCity := map[string]int{}
	broken := map[training.Rule]int{}
	day, _ := time.Parse(time.DateOnly, time.Now().UTC().Format(time.DateOnly))
	limits := training.Limits{WarnDays: 60, MaxMonths: 3, MaxHours: 60, MaxNonSubject: 5000}
	for code, d := range all {
		perCity[code[:4]] += len(d.Rows(training.TInstitutions))
		for _, f := range training.Check(d, day, limits) {
			broken[f.Rule]++
		}
	}
	for _, r := range training.Rules {
		if broken[r] == 0 {
			t.Errorf("no demo institution breaks %s", r)
		}
	}
	for city, n := range perCity {
		if n < 100 {
			t.Errorf("city %s holds %d institutions", city, n)
		}
	}
	if _, err := e.st.LatestTrainingLists(ctx, county().Code); err != nil {
		t.Errorf("the demo county's lists: %v", err)
	}
}
