package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/i18n"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// judgeForm posts a judgement with files (name → bytes) as account.
func (e *env) judgeForm(account, county string, fields map[string]string, files map[string][]byte) *httptest.ResponseRecorder {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		fw, _ := mw.CreateFormFile("evidence", name)
		fw.Write(data)
	}
	mw.Close()
	return e.do(account, "POST", "/county/"+county+"/judge", &buf, "Content-Type", mw.FormDataContentType())
}

// TestWholePages renders the verdict, preschool, kindergarten and county
// record pages in both languages.
func TestWholePages(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	var kg string
	for _, k := range province.Kindergartens {
		if k.CountyCode == c && k.Year == demo.LatestYear {
			kg = k.Code
			break
		}
	}
	pages := []struct{ path, sel string }{
		{"/county/" + c + "/verdict", "table.items tr[data-item=teacher_rotation]"},
		{"/county/" + c + "/verdict?standard=xqpp2020", "table.items tr[data-item=gross_enrollment]"},
		{"/county/" + c + "/verdict?standard=jbjh2012&year=2023", "table.items tr[data-item=resource]"},
		{"/county/" + c + "/verdict?profile=chongqing", "tr[data-item=basic_balance] div.check[data-check=prior_cvs]"},
		{"/county/" + c + "/preschool", "table.kindergartens tr[data-kindergarten=" + kg + "]"},
		{"/kindergarten/" + kg, "table.kg-values tr[data-col=children]"},
		{"/county/" + c + "/record", "form#edit-form input[name=teacher_pay]"},
		{"/county/" + c, "a#verdict-link"},
	}
	for _, lang := range i18n.Langs {
		for _, p := range pages {
			t.Run(string(lang)+p.path, func(t *testing.T) {
				w := e.get("admin", p.path, "Cookie", langCookie+"="+string(lang))
				check(t, w, http.StatusOK, hc.In(p.sel), hc.In("html", hc.HasAttr("lang", string(lang))))
				if m := regexp.MustCompile(`>[a-z_]+\.[a-z_.]+<`).FindString(w.Body.String()); m != "" {
					t.Errorf("untranslated key %s", m)
				}
			})
		}
	}
	if w := e.get("admin", "/data/template/county.xlsx"); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
		t.Errorf("county template: %d", w.Code)
	}
	if w := e.get("admin", "/data/template/hospital.xlsx"); w.Code != 404 {
		t.Errorf("unknown template: %d", w.Code)
	}
}

// TestVerdictPageShowsEveryStatus: the demo county's verdict page names
// every item with its status, and tells pending (awaiting judgement or
// data) from not met.
func TestVerdictPageShowsEveryStatus(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	w := e.get("admin", "/county/"+c+"/verdict")
	check(t, w, 200, hc.In("#whole-verdict"), hc.In("#summary #unmet"), hc.In("#summary #pending"),
		hc.In("tr[data-item=school_size] span.badge[data-status=not_met]"))
	body := w.Body.String()
	n := strings.Count(body, `<tr id="item-`)
	if n != 33 { // the 33 items of yzjh2017
		t.Errorf("%d items shown, want 33", n)
	}
}

func TestJudgeWithEvidence(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	year := strconv.Itoa(demo.LatestYear)
	fields := map[string]string{"standard": "yzjh2017", "profile": "national", "year": year, "item": "layout_plan",
		"status": "not_met", "comment": "布局规划未经批复"}
	w := e.judgeForm("admin", c, fields, map[string][]byte{"布局规划.pdf": pdfBytes})
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "#item-layout_plan") {
		t.Fatalf("judge: %d %s", w.Code, w.Body.String())
	}
	w = e.get("admin", "/county/"+c+"/verdict")
	check(t, w, 200, hc.In("tr[data-item=layout_plan]", hc.HasAttr("data-status", "not_met")),
		hc.In("tr[data-item=layout_plan] .judged", hc.HasText("布局规划未经批复")),
		hc.In("#unmet a[href=\"#item-layout_plan\"]"))
	m := regexp.MustCompile(`href="/evidence/(\d+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatal("no evidence link")
	}
	f := e.get("admin", "/evidence/"+m[1])
	if f.Code != 200 || f.Header().Get("Content-Type") != "application/pdf" || !bytes.Equal(f.Body.Bytes(), pdfBytes) ||
		!strings.Contains(f.Header().Get("Content-Disposition"), "inline") {
		t.Errorf("evidence: %d %q %q", f.Code, f.Header().Get("Content-Type"), f.Header().Get("Content-Disposition"))
	}
	// A later judgement keeps the file and the history.
	fields["status"], fields["comment"] = "met", "已补报批复文件"
	if w := e.judgeForm("admin", c, fields, nil); w.Code != http.StatusSeeOther {
		t.Fatalf("second judgement: %d", w.Code)
	}
	check(t, e.get("admin", "/county/"+c+"/verdict"), 200,
		hc.In("tr[data-item=layout_plan]", hc.HasAttr("data-status", "met")),
		hc.In("tr[data-item=layout_plan] ul.evidence a[href=\"/evidence/"+m[1]+"\"]"),
		hc.In("tr[data-item=layout_plan] details", hc.HasText("布局规划未经批复")))

	// Who may not, and what is refused.
	other := otherCounty()
	cases := []struct {
		name    string
		account string
		county  string
		change  map[string]string
		files   map[string][]byte
		code    int
	}{
		{"read-only account", "viewer", c, nil, nil, 403},
		{"another county", "county", other, nil, nil, 404},
		{"school account", "school", c, nil, nil, 404},
		{"computed item", "admin", c, map[string]string{"item": "teacher_rotation"}, nil, 400},
		{"no status", "admin", c, map[string]string{"status": ""}, nil, 400},
		{"not a document", "admin", c, nil, map[string][]byte{"x.pdf": []byte("MZ\x90\x00")}, 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := map[string]string{}
			for k, v := range fields {
				f[k] = v
			}
			for k, v := range tc.change {
				f[k] = v
			}
			w := e.judgeForm(tc.account, tc.county, f, tc.files)
			if w.Code != tc.code {
				t.Fatalf("%d, want %d: %.500s", w.Code, tc.code, w.Body.String())
			}
		})
	}
	// Evidence of a county is not served to an account of another.
	if w := e.get("county", "/evidence/"+m[1]); w.Code != 200 {
		t.Errorf("own county's evidence: %d", w.Code)
	}
	acct := e.get("city", "/evidence/"+m[1])
	if census.CityCode(c) != census.CityCode(seedAccounts["city"].Region) && acct.Code != 404 {
		t.Errorf("city of another county: %d", acct.Code)
	}
	if w := e.get("admin", "/evidence/999999"); w.Code != 404 {
		t.Errorf("missing evidence: %d", w.Code)
	}
}

func TestCountyRecordForm(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	ctx := context.Background()
	rec, err := e.st.CountyRecord(ctx, demo.LatestYear, c)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for i, col := range census.CountyColumns {
		if v := rec.V[i]; v == v {
			form.Set(col.Key, strconv.FormatFloat(v, 'f', -1, 64))
		}
	}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("rotation_teachers", "一百")
	bad.Set("recognition_compulsory", "120")
	w := e.postForm("admin", "/county/"+c+"/record", bad)
	check(t, w, http.StatusUnprocessableEntity, hc.In("#record-errors", hc.HasText("不是数字")),
		hc.In("label.invalid input[name=recognition_compulsory]"))
	// Rotation below 10 % makes the item not met.
	eligible := rec.V[census.CRotationEligible]
	form.Set("rotation_teachers", fmt.Sprint(eligible*0.05))
	if eligible*0.05 != float64(int(eligible*0.05)) {
		form.Set("rotation_teachers", fmt.Sprint(int(eligible*0.05)))
	}
	form.Set("rotation_backbone", "0")
	w = e.postForm("admin", "/county/"+c+"/record", form)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d %.1000s", w.Code, w.Body.String())
	}
	check(t, e.get("admin", "/county/"+c+"/verdict"), 200, hc.In("tr[data-item=teacher_rotation]", hc.HasAttr("data-status", "not_met")))
	check(t, e.get("admin", "/county/"+c+"/record"), 200, hc.In("table.history", hc.HasText("admin")))
	if w := e.postForm("viewer", "/county/"+c+"/record", form); w.Code != 403 {
		t.Errorf("read-only save: %d", w.Code)
	}
}

func TestPreschoolPage(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	check(t, e.get("admin", "/county/"+c+"/preschool"), 200,
		hc.In("#headline .kpi[data-item=gross_enrollment]"), hc.In("#headline .kpi[data-item=inclusive_coverage]"),
		hc.In("#headline .kpi[data-item=public_share]"), hc.In("table#categories tr[data-category=public]"),
		hc.In("a#preschool-verdict"))
	if w := e.get("county", "/county/"+otherCounty()+"/preschool"); w.Code != 404 {
		t.Errorf("another county's preschool page: %d", w.Code)
	}
	if w := e.get("admin", "/kindergarten/2999999999"); w.Code != 404 {
		t.Errorf("missing kindergarten: %d", w.Code)
	}
}

// TestUploadCountyFile: a county file goes through the same preview and
// confirmation as a school file, within the account's scope.
func TestUploadCountyFile(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	year := demo.LatestYear
	csv := fmt.Sprintf("年度,县区代码,县区名称,交流轮岗教师数,符合交流轮岗条件的教师数,学前教育社会认可度（%%）\n%d,%s,%s,1,1000,91%%\n", year, c, county().Name)
	w := e.upload("county", "县级.csv", []byte(csv))
	check(t, w, 200, hc.In("#upload-preview .diff", hc.HasText("交流轮岗教师数")), hc.In("#confirm-import"))
	tok := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if tok == nil {
		t.Fatal("no token")
	}
	w = e.postForm("county", "/data/confirm", url.Values{"token": {tok[1]}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("confirm: %d %.500s", w.Code, w.Body.String())
	}
	rec, err := e.st.CountyRecord(context.Background(), year, c)
	if err != nil || rec.V[census.CRotationTeachers] != 1 || rec.V[census.CRecognitionPreschool] != 91 {
		t.Fatalf("stored %v %v", rec.V[census.CRotationTeachers], err)
	}
	// Another county's figures are refused.
	other := otherCounty()
	csv = fmt.Sprintf("年度,县区代码,县区名称,交流轮岗教师数\n%d,%s,某县,1\n", year, other)
	if w := e.upload("county", "县级.csv", []byte(csv)); w.Code != http.StatusForbidden {
		t.Errorf("another county: %d", w.Code)
	}
}

func TestAPIVerdict(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	w := e.get("admin", "/api/v1/verdicts/"+c+"?standard=xqpp2020")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"recognised"`) || !strings.Contains(w.Body.String(), `"kindergartens"`) ||
		!strings.Contains(w.Body.String(), `"gross_enrollment"`) {
		t.Fatalf("%d %.500s", w.Code, w.Body.String())
	}
	if w := e.get("county", "/api/v1/verdicts/"+otherCounty()); w.Code != 404 {
		t.Errorf("another county: %d", w.Code)
	}
}
