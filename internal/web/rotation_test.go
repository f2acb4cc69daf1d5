package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/standards"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// rotationLedger is a ledger of county for year: eligible teachers at
// one school, rotated of them to another, the first backbone of them
// backbone teachers.
func rotationLedger(eligible, rotated, backbone int) rotation.Ledger {
	l := rotation.Ledger{Eligible: []rotation.Eligible{{School: "S-OUT", Teachers: eligible}}}
	for i := range rotated {
		l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: fmt.Sprintf("T%03d", i), From: "S-OUT", To: "S-IN",
			Start: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Backbone: i < backbone, Type: rotation.Exchange})
	}
	return l
}

// TestRotationLedgerFeedsVerdict: where a county has a rotation ledger
// for the year, the teacher_rotation item is judged from it, exactly at
// its boundary (10 % of the eligible rotated, 20 % of them backbone), and
// says so; without one, the typed county figures stand.
func TestRotationLedgerFeedsVerdict(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	year := demo.LatestYear
	// A county with a county record and no ledger (the demo seeds ledgers
	// for the demo county's city only).
	recs, err := e.st.CountyRecords(ctx, year, "")
	if err != nil {
		t.Fatal(err)
	}
	ls, err := e.st.Rotations(ctx, year, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	has := map[string]bool{}
	for _, l := range ls {
		has[l.County] = true
	}
	c := ""
	for _, r := range recs {
		if !has[r.CountyCode] {
			c = r.CountyCode
			break
		}
	}
	if c == "" {
		t.Fatal("every county has a ledger")
	}
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	item := func() *eval.ItemResult {
		t.Helper()
		cty, err := wholeCountyOf(ctx, e.st, rules, year, c)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range cty.Verdict.Items {
			if it.Item.ID == "teacher_rotation" {
				return it
			}
		}
		t.Fatal("no teacher_rotation item")
		return nil
	}
	// The typed figures: 1 of 1 000 eligible rotated, not met.
	rec, err := e.st.CountyRecord(ctx, year, c)
	if err != nil {
		t.Fatal(err)
	}
	rec.V[census.CRotationEligible], rec.V[census.CRotationTeachers], rec.V[census.CRotationBackbone] = 1000, 1, 1
	if _, err := e.st.SaveCountyRecord(ctx, "admin", rec); err != nil {
		t.Fatal(err)
	}
	it := item()
	if it.Status != census.StatusNotMet || strings.Contains(it.Reason, "台账") {
		t.Fatalf("typed figures: %s %s", it.Status, it.Reason)
	}
	for _, tc := range []struct {
		name              string
		eligible, rot, bb int
		want              census.Status
	}{
		{"exactly 10 % and 20 %", 200, 20, 4, census.StatusMet},
		{"one fewer rotated", 200, 19, 4, census.StatusNotMet},
		{"one fewer backbone", 200, 20, 3, census.StatusNotMet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := e.st.ReplaceRotation(ctx, "admin", c, year, []string{"轮岗.xlsx"}, rotationLedger(tc.eligible, tc.rot, tc.bb)); err != nil {
				t.Fatal(err)
			}
			it := item()
			if it.Status != tc.want {
				t.Errorf("status %s, want %s: %s", it.Status, tc.want, it.Reason)
			}
			for _, cr := range it.Checks {
				if !strings.Contains(cr.Text, "交流轮岗台账") {
					t.Errorf("the check does not name the ledger: %s", cr.Text)
				}
			}
			if it.Checks[0].Num != float64(tc.rot) || it.Checks[0].Den != float64(tc.eligible) {
				t.Errorf("rotated share %g/%g, want %d/%d", it.Checks[0].Num, it.Checks[0].Den, tc.rot, tc.eligible)
			}
		})
	}
	// The overview's verdict of every county reads the same ledger.
	res, err := e.srv.wholeResult(ctx, rules, year)
	if err != nil {
		t.Fatal(err)
	}
	for _, cty := range res.Counties {
		if cty.Code != c {
			continue
		}
		for _, it := range cty.Verdict.Items {
			if it.Item.ID == "teacher_rotation" && it.Status != census.StatusNotMet {
				t.Errorf("overview: %s", it.Status)
			}
		}
	}
}

// TestRotationPage: the demo county's ledger page shows its shares and
// flows, the verdict names the ledger, a bad file is refused with its
// errors named, a good one replaces the ledger.
func TestRotationPage(t *testing.T) {
	e := newEnv(t)
	ls, err := e.st.Rotations(context.Background(), demo.LatestYear, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	c := ls[0].County
	check(t, e.get("admin", "/county/"+c), http.StatusOK, hc.In("a#rotation-link"))
	// The demo county has none: the page says so and offers the form.
	check(t, e.get("county", "/county/"+county().Code+"/rotation"), http.StatusOK, hc.In("#rotation-none"), hc.In("form#rotation-import"))
	w := e.get("admin", "/county/"+c+"/rotation")
	check(t, w, http.StatusOK, hc.In("#rotation-shares tr[data-share=rotated]"), hc.In("#rotation-shares tr[data-share=backbone]"),
		hc.In("#rotation-flows tr[data-school]"), hc.In("form#rotation-import"), hc.In("a#rotation-template"))
	if w := e.get("admin", "/county/"+c+"/verdict"); !strings.Contains(w.Body.String(), "交流轮岗台账") {
		t.Error("the verdict does not name the ledger")
	}
	for _, path := range []string{"/rotation/template.xlsx", "/county/" + c + "/rotation.xlsx"} {
		if w := e.get("admin", path); w.Code != 200 || !bytes.HasPrefix(w.Body.Bytes(), []byte("PK")) {
			t.Errorf("%s: %d", path, w.Code)
		}
	}
	post := func(name, data string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write([]byte(data))
		mw.Close()
		return e.do("admin", "POST", "/county/"+c+"/rotation/import", &body, "Content-Type", mw.FormDataContentType())
	}
	w = post("bad.csv", "教师编号,派出学校代码,接收学校代码,开始日期,交流方式\nT1,S1,S1,2025-09-01,借调\n")
	check(t, w, http.StatusBadRequest, hc.In("#rotation-errors tr[data-letter=E]"))
	w = post("good.csv", "教师编号,派出学校代码,接收学校代码,开始日期,是否骨干教师,交流方式\nT1,S1,S2,2025-09-01,是,交流\n")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("import: %d %s", w.Code, w.Body.String())
	}
	w = e.get("admin", "/county/"+c+"/rotation")
	check(t, w, http.StatusOK, hc.In("#rotation-flows tr[data-school=S1]"), hc.In("#rotation-imports li"))
	if w := e.get("school", "/county/"+county().Code+"/rotation"); w.Code == http.StatusOK {
		t.Errorf("a school account sees the county's ledger: %d", w.Code)
	}
}
