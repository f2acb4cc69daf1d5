package browsertest_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationio"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestRotation imports a rotation ledger for the demo county in a real
// browser from the county page's link: the ledger sends every backbone
// teacher of a primary school meeting the school rule away, so the
// preview warns of that school by name, with nothing stored; a city
// account's token for the county is refused on another county of the
// city, which keeps its ledger; confirmed, the page shows the shares and
// the verdict's 教师交流轮岗 item is judged from the ledger. Screenshots
// at 1440 and 390 px.
func TestRotation(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	ctx := context.Background()
	code := web.DemoCounty(a.p).Code
	from, to, n := rotationBreaker(t, a.p, code)
	// Exactly 10 % of the eligible rotated, all of them backbone.
	l := rotation.Ledger{Eligible: []rotation.Eligible{{School: from.Code, Name: from.Name, Teachers: 10 * n, Backbone: n}}}
	for i := range n {
		l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: fmt.Sprintf("R%03d", i+1), Name: fmt.Sprintf("教师%d", i+1),
			From: from.Code, FromName: from.Name, To: to.Code, ToName: to.Name,
			Start: time.Date(demo.LatestYear, 9, 1, 0, 0, 0, 0, time.UTC), Backbone: true, Type: rotation.Exchange})
	}
	var buf bytes.Buffer
	if err := rotationio.WriteXLSX(&buf, l); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "交流轮岗台账.xlsx")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	imports := func(county string) int {
		ims, err := a.st.RotationImports(ctx, county)
		if err != nil {
			t.Fatal(err)
		}
		return len(ims)
	}
	upload := func() {
		t.Helper()
		b.Upload(`#rotation-import input[type=file]`, file)
		b.ClickAndWait(`#rotation-import button[type=submit]`)
		b.Wait("#rotation-preview")
	}

	// The city's token for the demo county, sent to another county of the
	// city, is refused and changes nothing.
	ls, err := a.st.Rotations(ctx, demo.LatestYear, "")
	if err != nil || len(ls) == 0 {
		t.Fatalf("the demo seeds no ledger: %v", err)
	}
	other := ls[0].County
	a.login(t, b, "city")
	b.Do(chromedp.EmulateViewport(1440, 900))
	b.Navigate(a.URL + "/county/" + code + "/rotation")
	upload()
	b.Do(chromedp.SetAttributeValue(chromedp.CSS(`#rotation-confirm`), "action", "/county/"+other+"/rotation/confirm"))
	b.ClickAndWait(`#rotation-confirm button[type=submit]`)
	if body := b.Text("main"); !strings.Contains(body, "不属于本账号和本县") {
		t.Errorf("another county's confirmation: %.300s", body)
	}
	if imports(other) != 1 || imports(code) != 0 {
		t.Fatalf("a refused token stored a ledger: %d %d", imports(other), imports(code))
	}

	a.login(t, b, "county")
	b.Navigate(a.URL + "/county/" + code)
	b.ClickAndWait("#rotation-link")
	b.Wait("#rotation-none")
	upload()
	warn := `#rotation-preview-breaks li[data-school="` + from.Code + `"]`
	b.Wait(warn)
	if got := b.Text(warn); !strings.Contains(got, from.Name) || !strings.Contains(got, "骨干") {
		t.Errorf("the warning %q does not name %s and its backbone indicator", got, from.Name)
	}
	if got := b.Attr(`#rotation-preview tr[data-share=rotated] td[data-met]`, "data-met"); got != "true" {
		t.Errorf("rotated share met %q on the preview, want true (exactly 10 %%)", got)
	}
	if imports(code) != 0 {
		t.Fatal("the preview stored the ledger")
	}
	b.Screenshot("73-rotation-preview-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("74-rotation-preview-390")
	b.Do(chromedp.EmulateViewport(1440, 900))

	b.ClickAndWait(`#rotation-confirm button[type=submit]`)
	b.Wait("#rotation-shares")
	if imports(code) != 1 {
		t.Fatal("the confirmation stored nothing")
	}
	if got := b.Text(`#rotation-shares tr[data-share=rotated]`); !strings.Contains(got, "10.00%") {
		t.Errorf("rotated share %q, want 10.00%%", got)
	}
	b.Wait(`#rotation-breaks li[data-school="` + from.Code + `"]`)
	b.Screenshot("75-rotation-confirmed-1440")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Screenshot("76-rotation-confirmed-390")
	b.Do(chromedp.EmulateViewport(1440, 900))

	b.ClickAndWait(`a[href*="/verdict"][href*="item-teacher_rotation"]`)
	b.Wait("#item-teacher_rotation")
	if got := b.Attr("#item-teacher_rotation", "data-status"); got != "met" {
		t.Errorf("the rotation item is %q, want met", got)
	}
	if got := b.Text("#item-teacher_rotation"); !strings.Contains(got, "交流轮岗台账") {
		t.Errorf("the rotation item does not name the ledger: %q", got)
	}
}

// rotationBreaker finds, in county, a primary school meeting the school
// rule with backbone teachers, and another primary school to send them to.
func rotationBreaker(t *testing.T, p *demo.Province, county string) (from, to census.School, backbone int) {
	t.Helper()
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	var recs []*census.School
	for _, s := range p.Year(demo.LatestYear) {
		if s.CountyCode == county {
			recs = append(recs, &s)
		}
	}
	pass := map[string]bool{}
	for _, part := range eval.EvaluateCounty(rules, recs).Parts {
		if part.Stage == census.StagePrimary && part.Pass && !part.Excluded {
			pass[part.SchoolCode] = true
		}
	}
	for _, s := range recs {
		bb, ok := s.Get(census.BackboneTeachersPrimary)
		if s.Type != census.Primary || !pass[s.Code] || !ok || bb <= 0 {
			continue
		}
		for _, o := range recs {
			if o.Code != s.Code && o.Type == census.Primary {
				return *s, *o, int(bb)
			}
		}
	}
	t.Fatal("no primary school meeting the rule with backbone teachers")
	return
}
