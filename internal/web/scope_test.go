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
