package web

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/i18n"
	"github.com/dudao-edu/dudao/internal/store"
)

// TestCasePackage: the county downloads its self-evaluation package as one
// zip: the report (PDF), its tables (XLSX, opened back), the evidence list
// (PDF) and the evidence file it uploaded, in its item's folder.
func TestCasePackage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := county()
	cases, err := e.st.Cases(ctx, c.Code)
	if err != nil || len(cases) == 0 {
		t.Fatalf("no demo case of the county: %v", err)
	}
	cs := cases[0]
	if _, err := e.st.AddEvidence(ctx, cs.Standard, cs.County, cs.Year, "layout_plan", "county", store.EvidenceUpload{Name: "布局规划.pdf", Data: pdfBytes}); err != nil {
		t.Fatal(err)
	}
	w := e.get("county", fmt.Sprintf("/case/%d/package.zip", cs.ID))
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("package: %d %s %.300s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if cd := w.Header().Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(bytes.NewReader(w.Body.Bytes()), int64(w.Body.Len()))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = b
	}
	if dir := os.Getenv("DUDAO_ARTEFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "case-package.zip"), w.Body.Bytes(), 0o644)
	}
	for _, name := range []string{"01-自评报告.pdf", "03-佐证材料清单.pdf"} {
		if !bytes.HasPrefix(got[name], []byte("%PDF-")) {
			t.Errorf("%s is not a PDF (%d bytes)", name, len(got[name]))
		}
	}
	if !bytes.HasPrefix(got["01-自评报告.docx"], []byte("PK")) {
		t.Error("the package has no Word report")
	}
	x, err := excelize.OpenReader(bytes.NewReader(got["02-自评附表.xlsx"]))
	if err != nil {
		t.Fatalf("the tables do not open: %v", err)
	}
	if len(x.GetSheetList()) == 0 {
		t.Error("the tables have no sheet")
	}
	x.Close()
	found := false
	for name, b := range got {
		if strings.HasPrefix(name, "03-佐证材料/") && strings.HasSuffix(name, "布局规划.pdf") && bytes.Equal(b, pdfBytes) {
			found = true
		}
	}
	if !found {
		var names []string
		for n := range got {
			names = append(names, n)
		}
		t.Fatalf("the evidence file is not in the package: %v", names)
	}
	// The school's account does not get its county's package.
	if w := e.get("school", fmt.Sprintf("/case/%d/package.zip", cs.ID)); w.Code == http.StatusOK {
		t.Errorf("a school account downloads the package: %d", w.Code)
	}
}

// TestErrorTitles: every status an error maps to has its page title and
// message in both languages (a 409 page once showed its key).
func TestErrorTitles(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		b := &Base{Lang: lang}
		for _, code := range []int{400, 401, 403, 404, 409, 413, 429, 500} {
			for _, key := range []string{fmt.Sprintf("error.%d", code), fmt.Sprintf("error.%d.title", code)} {
				if got := b.T(key); got == key || got == "" {
					t.Errorf("%s: %s is not translated", lang, key)
				}
			}
		}
	}
}

// TestDemoCasesKeepVerdicts: the demo's cases were stepped as a user steps
// them: every step of the chain keeps the verdict it was taken on, and the
// case page shows them.
func TestDemoCasesKeepVerdicts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases, err := e.st.Cases(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	stepped := 0
	for _, c := range cases {
		evs, err := e.st.CaseEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range evs {
			if ev.Kind == "open" || strings.Contains(ev.Kind, ".") || strings.Contains(ev.Kind, "inspection") || ev.Kind == "finding" {
				continue
			}
			if !strings.Contains(ev.Verdict, `"status"`) {
				t.Errorf("case %d: step %s kept no verdict: %q", c.ID, ev.Kind, ev.Verdict)
			}
			n++
		}
		if n == 0 {
			continue
		}
		stepped++
		body := e.get("admin", fmt.Sprintf("/case/%d", c.ID)).Body.String()
		if got := strings.Count(body, "data-stage-verdict="); got != n {
			t.Errorf("case %d shows %d stage verdicts, has %d", c.ID, got, n)
		}
	}
	if stepped < 3 {
		t.Fatalf("%d demo cases were stepped, want at least 3", stepped)
	}
}
