package browsertest_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dudao-edu/dudao/internal/browsertest"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/web"
)

// TestVisitChecklistOffline: an inspector opens the visit checklist on a
// phone, loses the network, types what is seen (kept in the phone), fails
// to sync while offline, gets the network back and syncs: the figure that
// differs becomes a finding of the case.
func TestVisitChecklistOffline(t *testing.T) {
	b := browsertest.New(t)
	a := startApp(t)
	ctx := context.Background()
	county := web.DemoCounty(a.p)
	cases, _ := a.st.Cases(ctx, county.Code)
	if len(cases) == 0 {
		t.Fatal("no demo case of the county")
	}
	c := cases[0]
	clocks := ticket.DefaultClocks()
	for _, s := range []struct {
		by review.Level
		a  recognition.Action
	}{{review.LevelCounty, recognition.SubmitSelf}, {review.LevelCity, recognition.CityPass}} {
		if _, err := a.st.CaseStep(ctx, "t", s.by, c.ID, store.CaseStepInput{Action: s.a, Clocks: clocks}); err != nil {
			t.Fatal(err)
		}
	}
	school := county.Schools[0]
	in, err := a.st.DrawInspection(ctx, "admin", review.LevelProvince, c.ID, false, 1, 1, []recognition.Candidate{{Code: school, Stratum: "城区"}}, store.PanelDraw{})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := a.st.Record(ctx, string(census.KindSchool), c.Year, school)
	if err != nil {
		t.Fatal(err)
	}
	reported := rec.Values()[census.MusicRoomsStandard]
	a.login(t, b, "admin")
	b.Do(chromedp.EmulateViewport(390, 844))
	b.Navigate(fmt.Sprintf("%s/case/%d", a.URL, c.ID))
	b.ClickAndWait(fmt.Sprintf(`a[data-check="%d"]`, in.ID))
	b.Wait("#checklist")
	input := fmt.Sprintf(`input[name="seen.%s.music_rooms_standard"]`, school)
	b.SetOffline(true)
	b.Fill(input, fmt.Sprint(reported+3))
	if txt := b.Text("#check-status"); !strings.Contains(txt, "离线") {
		t.Fatalf("offline status says %q", txt)
	}
	if got := browsertest.Eval[string](b, fmt.Sprintf(`localStorage.getItem("dudao-check-%d") || ""`, in.ID)); !strings.Contains(got, "music_rooms_standard") {
		t.Fatalf("not kept in the phone: %q", got)
	}
	b.Do(chromedp.Click(chromedp.CSS("#check-sync"), chromedp.NodeVisible))
	time.Sleep(300 * time.Millisecond)
	if txt := b.Text("#check-status"); !strings.Contains(txt, "离线") {
		t.Fatalf("offline sync says %q", txt)
	}
	b.Screenshot("45-checklist-offline")
	if ts, _ := a.st.CaseTickets(ctx, c.ID); len(ts) != 0 {
		t.Fatal("a finding reached the server while offline")
	}
	b.SetOffline(false)
	b.Do(chromedp.Click(chromedp.CSS("#check-sync"), chromedp.NodeVisible))
	deadline := time.Now().Add(10 * time.Second)
	var ts []store.Ticket
	for time.Now().Before(deadline) {
		ts, _ = a.st.CaseTickets(ctx, c.ID)
		if len(ts) > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if len(ts) != 1 || ts[0].Source != "discrepancy" || ts[0].School != school || !strings.Contains(ts[0].Title, "现场") {
		t.Fatalf("findings after the sync: %+v", ts)
	}
	b.Wait(`#check-status[data-synced]`)
	b.Screenshot("46-checklist-synced")

	// Reopened with no server at all: the service worker answers with the
	// page kept in the phone, and what was typed since is still there.
	b.Wait(`#checklist[data-offline-ready]`)
	b.Fill(input, "7")
	typed := browsertest.Eval[string](b, fmt.Sprintf(`document.querySelector('%s').value`, input))
	a.stop()
	b.Navigate(fmt.Sprintf("%s/case/%d/inspection/%d/check", a.URL, c.ID, in.ID))
	b.Wait("#checklist")
	if got := browsertest.Eval[string](b, fmt.Sprintf(`document.querySelector('%s').value`, input)); got != typed {
		t.Fatalf("reopened offline, the typed figure is %q, want %q", got, typed)
	}
	if n := browsertest.Eval[float64](b, `document.styleSheets.length`); n == 0 {
		t.Error("reopened offline without its style sheet")
	}
	b.Screenshot("47-checklist-reopened-offline")
}
