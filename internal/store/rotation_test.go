package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func TestRotationRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		if _, err := s.Rotation(ctx, "340207", 2025); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no ledger yet: %v", err)
		}
		sep := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
		l := rotation.Ledger{County: "340207", Year: 2025,
			Rotations: []rotation.Rotation{
				{Teacher: "T1", Name: "张三", From: "S1", FromName: "一小", To: "S2", ToName: "二小", Start: sep, End: sep.AddDate(1, 0, 0), Backbone: true, Type: rotation.Exchange},
				{Teacher: "T2", From: "S1", To: "S3", Start: sep, Type: rotation.MultiSchool, Stage: census.StageJunior},
			},
			Eligible: []rotation.Eligible{{School: "S1", Name: "一小", Teachers: 20, Backbone: 4}},
		}
		v0, err := s.AuditVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		imp, err := s.ReplaceRotation(ctx, "county", "340207", 2025, []string{"轮岗.xlsx"}, l)
		if err != nil {
			t.Fatal(err)
		}
		if imp.ID == 0 || imp.Rows != 3 {
			t.Errorf("import %+v", imp)
		}
		if v1, _ := s.AuditVersion(ctx); v1 == v0 {
			t.Error("an import leaves the audit version: cached verdicts would not see it")
		}
		got, err := s.Rotation(ctx, "340207", 2025)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(l, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		// A bad ledger stores nothing: the first stays whole.
		bad := l
		bad.Rotations = append([]rotation.Rotation{}, l.Rotations...)
		bad.Rotations[1].Teacher = "T1"
		if _, err := s.ReplaceRotation(ctx, "county", "340207", 2025, nil, bad); !errors.Is(err, store.ErrRotationInput) {
			t.Fatalf("a teacher twice: %v", err)
		}
		all, err := s.Rotations(ctx, 2025, "")
		if err != nil || len(all) != 1 || len(all[0].Rotations) != 2 {
			t.Fatalf("after a refused import: %v %+v", err, all)
		}
		// An empty ledger is a ledger: the county's year has one, with no rotations.
		if _, err := s.ReplaceRotation(ctx, "county", "340207", 2025, []string{"空.csv"}, rotation.Ledger{}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Rotation(ctx, "340207", 2025)
		if err != nil || len(got.Rotations)+len(got.Eligible) != 0 {
			t.Fatalf("emptied: %v %+v", err, got)
		}
		ims, err := s.RotationImports(ctx, "340207")
		if err != nil || len(ims) != 2 || ims[0].Files[0] != "空.csv" || !ims[1].At.Equal(imp.At) {
			t.Fatalf("imports: %v %+v", err, ims)
		}
	})
}

// TestRotationPending: a ledger previewed waits in the database until its
// account confirms it for its county, once: another account's or another
// county's token finds nothing (and leaves it), and a census confirmation
// does not take it.
func TestRotationPending(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		u, err := s.CreateUser(ctx, store.User{Username: "rot", Role: store.RoleCounty, Region: "340207"}, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		other, err := s.CreateUser(ctx, store.User{Username: "rot2", Role: store.RoleCounty, Region: "340208"}, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		exp := time.Date(2026, 3, 1, 8, 30, 0, 0, time.UTC)
		l := rotation.Ledger{Year: 2025, Rotations: []rotation.Rotation{{Teacher: "T1", From: "S1", To: "S2",
			Start: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Backbone: true, Type: rotation.Support, Stage: census.StagePrimary}},
			Eligible: []rotation.Eligible{{School: "S1", Teachers: 9, Backbone: 2}}}
		p := store.PendingRotation{UserID: u.ID, County: "340207", Files: []string{"a.xlsx", "b.csv"}, SHA256: "h", Ledger: l, Expires: exp}
		tok, err := s.SavePendingRotation(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		for name, try := range map[string]func() error{
			"another county":  func() error { _, err := s.TakePendingRotation(ctx, tok, u.ID, "340208"); return err },
			"another account": func() error { _, err := s.TakePendingRotation(ctx, tok, other.ID, "340207"); return err },
			"a census upload": func() error { _, err := s.TakePendingUpload(ctx, tok, u.ID); return err },
		} {
			if err := try(); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", name, err)
			}
		}
		got, err := s.TakePendingRotation(ctx, tok, u.ID, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(p, got); diff != "" {
			t.Errorf("pending (-want +got):\n%s", diff)
		}
		if _, err := s.TakePendingRotation(ctx, tok, u.ID, "340207"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("taken twice: %v", err)
		}
	})
}
