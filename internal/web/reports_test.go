package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
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
