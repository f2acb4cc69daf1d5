package web

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/standards"
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
	c, year := county().Code, demo.LatestYear
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
