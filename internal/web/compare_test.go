package web

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The comparison lists every county in scope with every CV coloured as
// the evaluation judged it, and every item; sorted by a CV, the largest
// comes first; the .xlsx holds the same rows.
func TestCompare(t *testing.T) {
	e := newEnv(t)
	w := e.get("admin", "/compare")
	check(t, w, http.StatusOK)
	body := w.Body.String()
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.srv.wholeResult(context.Background(), rules, demo.LatestYear)
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`<tr data-code="(\d{6})">`).FindAllStringSubmatch(body, -1)
	if len(rows) != len(res.Counties) {
		t.Fatalf("%d rows, want the %d counties", len(rows), len(res.Counties))
	}
	heads := len(regexp.MustCompile(`<th[ >]`).FindAllString(body[strings.Index(body, `<table class="table compact heat" id="compare">`):strings.Index(body, "</thead>")], -1))
	if want := 2 + 14 + len(rules.Items); heads != want {
		t.Errorf("%d columns, want %d (county, verdict, 14 CVs, %d items)", heads, want, len(rules.Items))
	}
	// One county's cells, against its evaluation.
	cty := res.Counties[0]
	i := strings.Index(body, `<tr data-code="`+cty.Code+`">`)
	rowHTML := body[i : i+strings.Index(body[i:], "</tr>")]
	cells := regexp.MustCompile(`<td class="num (\w+)">([^<]*)</td>`).FindAllStringSubmatch(rowHTML, -1)
	n := 0
	for _, sr := range cty.Stages {
		for _, ir := range sr.Indicators {
			want := cvClass(ir.CV.CV, ir.Limit, ir.Over)
			if !ir.Defined {
				want = clsNA
			}
			if cells[n][1] != want {
				t.Errorf("%s %s %s: class %s, want %s", cty.Code, sr.Stage, ir.Indicator.ID, cells[n][1], want)
			}
			n++
		}
	}
	for _, ir := range cty.Verdict.Items {
		want := map[string]string{"met": "✓", "not_met": "✗"}[string(ir.Status)]
		if want == "" {
			want = "…"
		}
		if cells[n][2] != want {
			t.Errorf("%s item %s: %q, want %q", cty.Code, ir.Item.ID, cells[n][2], want)
		}
		n++
	}
	// Sorted by the junior backbone CV: the largest first.
	w = e.get("admin", "/compare?sort=cv.junior.backbone_teachers")
	check(t, w, http.StatusOK)
	first := regexp.MustCompile(`<tr data-code="(\d{6})">`).FindStringSubmatch(w.Body.String())[1]
	var worst string
	var max float64 = -1
	for _, c := range res.Counties {
		for _, sr := range c.Stages {
			for _, ir := range sr.Indicators {
				if sr.Stage == "junior" && ir.Indicator.ID == "backbone_teachers" && ir.Defined && (ir.CV.CV > max || ir.CV.CV == max && c.Code < worst) {
					max, worst = ir.CV.CV, c.Code
				}
			}
		}
	}
	if first != worst {
		t.Errorf("sorted by the junior backbone CV, first is %s, want %s", first, worst)
	}
	// The workbook: a header and a row per county, coloured.
	w = e.get("admin", "/compare.xlsx")
	check(t, w, http.StatusOK)
	f, err := excelize.OpenReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(res.Counties)+1 || got[0][1] != "县区" {
		t.Errorf("%d rows, header %v", len(got), got[0])
	}
	// A county account compares its own county only; the preschool
	// standard has no CV columns.
	w = e.get("county", "/compare")
	check(t, w, http.StatusOK)
	if n := len(regexp.MustCompile(`<tr data-code=`).FindAllString(w.Body.String(), -1)); n != 1 {
		t.Errorf("a county account sees %d counties", n)
	}
	w = e.get("admin", "/compare?standard=xqpp2020")
	check(t, w, http.StatusOK)
	if strings.Contains(w.Body.String(), "cv.primary") {
		t.Error("CV columns under the preschool standard")
	}
}
