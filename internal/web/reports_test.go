package web

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestReportDownloads: the county page and the overview link to the
// reports, each downloads in every format, and the access rules hold.
func TestReportDownloads(t *testing.T) {
	e := newEnv(t)
	c := county()
	other := otherCounty()
	city := census.CityCode(c.Code)
	for _, tc := range []struct {
		name, account, path string
		want                int
		ctype, body         string
	}{
		{"county pdf", "county", "/report/" + c.Code + "/pdf", 200, "application/pdf", "%PDF-"},
		{"county xlsx", "county", "/report/" + c.Code + "/xlsx", 200, "application/vnd.openxmlformats", "PK"},
		{"county html", "county", "/report/" + c.Code + "/html", 200, "text/html", "<!DOCTYPE html>"},
		{"county docx", "county", "/report/" + c.Code + "/docx", 200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK"},
		{"city summary docx", "city", "/report/" + city + "/docx", 200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "PK"},
		{"county last year", "county", "/report/" + c.Code + "/html?year=2023", 200, "text/html", "<!DOCTYPE html>"},
		{"other county", "county", "/report/" + other + "/pdf", 404, "", ""},
		{"county asks for another city", "county", "/report/" + census.CityCode(other) + "/pdf", 404, "", ""},
		{"city summary", "city", "/report/" + city + "/pdf", 200, "application/pdf", "%PDF-"},
		{"city's county", "city", "/report/" + c.Code + "/xlsx", 200, "application/vnd.openxmlformats", "PK"},
		{"city refused elsewhere", "city", "/report/" + other + "/pdf", 404, "", ""},
		{"province summary", "viewer", "/report/" + demo.ProvinceCode + "/xlsx", 200, "application/vnd.openxmlformats", "PK"},
		{"school refused", "school", "/report/" + c.Code + "/pdf", 403, "", ""},
		{"signed out", "", "/report/" + c.Code + "/pdf", 303, "", ""},
		{"unknown format", "county", "/report/" + c.Code + "/doc", 404, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := e.get(tc.account, tc.path)
			if w.Code != tc.want {
				t.Fatalf("GET %s as %s: %d, want %d", tc.path, tc.account, w.Code, tc.want)
			}
			if tc.want != 200 {
				return
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("content type %q", ct)
			}
			if !bytes.HasPrefix(w.Body.Bytes(), []byte(tc.body)) {
				t.Errorf("body starts %q", w.Body.Bytes()[:min(16, w.Body.Len())])
			}
			if !strings.Contains(tc.path, "/html") && !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
				t.Errorf("not a download: %q", w.Header().Get("Content-Disposition"))
			}
		})
	}
	// The county report is the county's, with last year; a city account's
	// province summary lists only its own counties (a county account has
	// no summary: TestSummaryNotForCounty).
	w := e.get("county", "/report/"+c.Code+"/html")
	if body := w.Body.String(); !strings.Contains(body, c.Name) || !strings.Contains(body, "与上年比较") {
		t.Errorf("county report lacks the county or the change from last year")
	}
	for _, tc := range []struct {
		account, region string
		own             func(string) bool
	}{
		{"city", demo.ProvinceCode, func(code string) bool { return census.CityCode(code) == city }},
	} {
		w = e.get(tc.account, "/report/"+tc.region+"/xlsx")
		if w.Code != 200 {
			t.Fatalf("%s's summary of %s: %d", tc.account, tc.region, w.Code)
		}
		f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := f.GetRows("县区排名")
		f.Close()
		if len(rows) < 3 {
			t.Errorf("%s's summary of %s is empty", tc.account, tc.region)
		}
		for _, r := range rows[2:] {
			if !tc.own(r[1]) {
				t.Errorf("%s's summary of %s lists %s", tc.account, tc.region, r[1])
			}
		}
	}
	// The buttons.
	for _, page := range []struct{ path, link string }{
		{"/county/" + c.Code, "/report/" + c.Code + "/pdf"},
		{"/overview?region=" + city, "/report/" + city + "/pdf"},
	} {
		w := e.get("city", page.path)
		if w.Code != 200 || !strings.Contains(w.Body.String(), `href="`+page.link) {
			t.Errorf("%s: no link to %s", page.path, page.link)
		}
	}
}

// TestSummaryWholeVerdict: the province's summary counts and ranks the
// counties by the whole standard's verdict, as the overview does — not
// by the resource part alone — and keeps the resource part as a column.
func TestSummaryWholeVerdict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.srv.wholeResult(ctx, rules, demo.LatestYear)
	if err != nil {
		t.Fatal(err)
	}
	want := map[census.Status]int{}
	resourcePass := 0
	for _, c := range res.Counties {
		want[c.Verdict.Status]++
		if c.ResourcePass {
			resourcePass++
		}
	}
	if want[census.StatusMet] == resourcePass {
		t.Fatal("the demo's recognised counties equal its resource passes: the test cannot tell them apart")
	}
	w := e.get("admin", "/report/"+demo.ProvinceCode+"/xlsx")
	if w.Code != 200 {
		t.Fatalf("summary: %d", w.Code)
	}
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("县区排名")
	if len(rows) < 3 || rows[1][4] != "认定结论" || rows[1][5] != "资源配置" {
		t.Fatalf("ranking header %v", rows[min(1, len(rows)-1)])
	}
	got := map[string]int{}
	rank := 0
	order := map[string]int{"达到认定标准": 0, "未达到": 1, "未达到（一票否决）": 1}
	last := 0
	for _, r := range rows[2:] {
		v := r[4]
		if strings.HasPrefix(v, "待定") {
			v = "待定"
		}
		got[v]++
		o, ok := order[v]
		if !ok {
			o = 2
		}
		if o < last {
			t.Errorf("row %d (%s) ranked after a worse verdict", rank, r[4])
		}
		last = o
		rank++
	}
	if got["达到认定标准"] != want[census.StatusMet] || got["待定"] != want[census.StatusPending] ||
		got["未达到"]+got["未达到（一票否决）"] != want[census.StatusNotMet] {
		t.Errorf("summary verdicts %v, overview's %v", got, want)
	}
	// The PDF, kept as an artefact to look at.
	if dir := os.Getenv("DUDAO_ARTEFACTS"); dir != "" {
		w := e.get("admin", "/report/"+demo.ProvinceCode+"/pdf")
		if err := os.WriteFile(filepath.Join(dir, "province-summary.pdf"), w.Body.Bytes(), 0o644); err != nil {
			t.Error(err)
		}
	}
}
