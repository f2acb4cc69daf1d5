package web

import (
	"context"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
)

// TestOutOfScopeAnswersAsMissing: an object outside the account's scope
// answers exactly as a missing one (status and page), so that an account
// cannot learn which codes exist elsewhere.
func TestOutOfScopeAnswersAsMissing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	other := otherCounty()
	var otherSchool, otherKG string
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == other {
			otherSchool = s.Code
			break
		}
	}
	for _, k := range province.Kindergartens {
		if k.CountyCode == other && k.Year == demo.LatestYear {
			otherKG = k.Code
			break
		}
	}
	ev, err := e.st.AddEvidence(ctx, "yzjh2017", other, demo.LatestYear, "layout_plan", "admin", store.EvidenceUpload{Name: "a.pdf", Data: pdfBytes})
	if err != nil {
		t.Fatal(err)
	}
	otherEvidence := strconv.FormatInt(ev.ID, 10)
	if otherSchool == "" || otherKG == "" {
		t.Fatal("no school or kindergarten in another county")
	}
	const missingCounty, missingSchool, missingKG, missingEvidence = "989898", "9898980001", "9898980002", "987654321"
	for _, tc := range []struct {
		name, path, code, missing string
	}{
		{"county", "/county/%s", other, missingCounty},
		{"county export", "/county/%s/export.csv", other, missingCounty},
		{"verdict", "/county/%s/verdict", other, missingCounty},
		{"preschool", "/county/%s/preschool", other, missingCounty},
		{"plan", "/county/%s/plan", other, missingCounty},
		{"plan json", "/county/%s/plan.json", other, missingCounty},
		{"whatif", "/county/%s/whatif", other, missingCounty},
		{"forecast", "/county/%s/forecast", other, missingCounty},
		{"record", "/county/%s/record", other, missingCounty},
		{"report", "/report/%s/html", other, missingCounty},
		{"explain", "/explain?county=%s&stage=primary&indicator=sports_area", other, missingCounty},
		{"school", "/school/%s", otherSchool, missingSchool},
		{"school edit", "/school/%s/edit", otherSchool, missingSchool},
		{"kindergarten", "/kindergarten/%s", otherKG, missingKG},
		{"evidence", "/evidence/%s", otherEvidence, missingEvidence},
	} {
		t.Run(tc.name, func(t *testing.T) {
			outPath := strings.Replace(tc.path, "%s", tc.code, 1)
			missPath := strings.Replace(tc.path, "%s", tc.missing, 1)
			out, miss := e.get("county", outPath), e.get("county", missPath)
			if out.Code != http.StatusNotFound || miss.Code != http.StatusNotFound {
				t.Fatalf("out of scope %d, missing %d; want 404 for both", out.Code, miss.Code)
			}
			// The pages name the path (the language switch returns to it)
			// and may name the code.
			norm := func(body, path, code string) string {
				body = strings.ReplaceAll(body, htmlEscape(path), "PATH")
				if len(code) < 6 {
					return body // an evidence id: too short to replace safely
				}
				return strings.ReplaceAll(body, code, "CODE")
			}
			a, b := norm(out.Body.String(), outPath, tc.code), norm(miss.Body.String(), missPath, tc.missing)
			if a != b {
				t.Errorf("the pages differ:\nout of scope: %.3000s\nmissing: %.3000s", a, b)
			}
		})
	}
}

func htmlEscape(s string) string { return template.HTMLEscapeString(s) }

// TestEvidenceDownloadNamedByType: a GIF uploaded as evidence.html is
// served as a GIF named .gif, never as a page.
func TestEvidenceDownloadNamedByType(t *testing.T) {
	e := newEnv(t)
	c := county().Code
	gif := []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;<script>alert(1)</script>")
	fields := map[string]string{"standard": "yzjh2017", "profile": "national", "year": strconv.Itoa(demo.LatestYear),
		"item": "layout_plan", "status": "met"}
	if w := e.judgeForm("county", c, fields, map[string][]byte{"evidence.html": gif}); w.Code != http.StatusSeeOther {
		t.Fatalf("judge: %d %.500s", w.Code, w.Body.String())
	}
	js, err := e.st.Judgements(context.Background(), "yzjh2017", demo.LatestYear, c)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	for _, j := range js {
		for _, ev := range j.Evidence {
			if ev.Name == "evidence.html" {
				id = ev.ID
			}
		}
	}
	if id == 0 {
		t.Fatal("the evidence file was not stored")
	}
	w := e.get("county", "/evidence/"+strconv.FormatInt(id, 10))
	cd := w.Header().Get("Content-Disposition")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/gif" || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("%d, Content-Type %q, X-Content-Type-Options %q", w.Code, w.Header().Get("Content-Type"), w.Header().Get("X-Content-Type-Options"))
	}
	if !strings.Contains(cd, `filename="evidence.gif"`) || !strings.Contains(cd, "filename*=UTF-8''evidence.gif") || strings.Contains(cd, ".html") {
		t.Errorf("Content-Disposition %q, want the file named evidence.gif", cd)
	}
}
