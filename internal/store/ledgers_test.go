package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func groupsLedger(t *testing.T, groupsCSV string) *ledger.Data {
	t.Helper()
	d, err := ledger.Read(groups.Schema,
		ledger.File{Name: "g.csv", Data: []byte("集团编号,集团名称,集团类型,办学模式,牵头学校代码,牵头学校,成立日期,撤销日期\n" + groupsCSV)},
		ledger.File{Name: "m.csv", Data: []byte("集团编号,学校代码,学校名称,加入日期,退出日期\nG1,0012,二小,2023-09-01,2025-07-01\n")},
		ledger.File{Name: "e.csv", Data: []byte("集团编号,考核年度,考核结果,考核意见\nG1,2025,优秀,好\n")})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestLedgerVersions: every save is a version; the newest is the ledger,
// the older ones stay whole; a bad ledger stores nothing; saves racing
// each land as their own version.
func TestLedgerVersions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		if _, _, err := s.Ledger(ctx, groups.Schema, "340207", 0); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no ledger yet: %v", err)
		}
		first := groupsLedger(t, "G1,一集团,紧密型,融合,0001,一小,2020-09-01,\n")
		v0, _ := s.AuditVersion(ctx)
		v1, err := s.SaveLedger(ctx, "county", "340207", 0, []string{"集团.xlsx"}, "", 0, first)
		if err != nil {
			t.Fatal(err)
		}
		if v1.ID == 0 || v1.Rows != 3 || v1.Kind != "groups" {
			t.Errorf("version %+v", v1)
		}
		if a, _ := s.AuditVersion(ctx); a == v0 {
			t.Error("a save leaves the audit version: cached pages would not see it")
		}
		got, gv, err := s.Ledger(ctx, groups.Schema, "340207", 0)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first.Maps(), got.Maps()); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		if gv.ID != v1.ID || gv.Actor != "county" || len(gv.Files) != 1 {
			t.Errorf("newest version %+v", gv)
		}
		// A form edit makes the second version; the first stays.
		second := groupsLedger(t, "G1,一集团,松散型,,0001,一小,2020-09-01,2026-01-01\n")
		v2, err := s.SaveLedger(ctx, "county", "340207", 0, nil, "改集团类型", v1.ID, second)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := s.LedgerVersions(ctx, "groups", "340207")
		if err != nil || len(vs) != 2 || vs[0].ID != v2.ID || vs[0].Note != "改集团类型" {
			t.Fatalf("versions %+v, %v", vs, err)
		}
		old, _, err := s.LedgerVersionOf(ctx, groups.Schema, v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first.Maps(), old.Maps()); diff != "" {
			t.Errorf("old version changed (-want +got):\n%s", diff)
		}
		// A bad ledger (a row that breaks a check) stores nothing.
		bad := groupsLedger(t, "G1,一集团,紧密型,,0001,,2020-09-01,\n")
		if err := bad.Add(groups.TGroups, map[string]string{"group": "G1", "name": "重复", "tightness": "紧密型", "lead": "0002"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveLedger(ctx, "county", "340207", 0, nil, "", store.AnyVersion, bad); !errors.Is(err, store.ErrLedgerInput) {
			t.Fatalf("a duplicate group was stored: %v", err)
		}
		if _, err := s.SaveLedger(ctx, "county", "340207", 2025, nil, "", store.AnyVersion, second); !errors.Is(err, store.ErrLedgerInput) {
			t.Fatalf("a year for a ledger not kept by year: %v", err)
		}
		// An edit made from the first version, after the second was saved:
		// refused, the second stays the newest.
		if _, err := s.SaveLedger(ctx, "county", "340207", 0, nil, "旧页面的修改", v1.ID, first); !errors.Is(err, store.ErrLedgerChanged) {
			t.Fatalf("an edit of an old version: %v", err)
		}
		if vs, _ := s.LedgerVersions(ctx, "groups", "340207"); len(vs) != 2 {
			t.Fatalf("a refused save left a version: %d", len(vs))
		}
		// Edits racing from the same version: exactly one lands.
		var mu sync.Mutex
		landed := 0
		var ewg sync.WaitGroup
		for range 4 {
			ewg.Add(1)
			go func() {
				defer ewg.Done()
				_, err := s.SaveLedger(ctx, "county", "340207", 0, nil, "同时修改", v2.ID, second)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					landed++
				case !errors.Is(err, store.ErrLedgerChanged):
					t.Error(err)
				}
			}()
		}
		ewg.Wait()
		if landed != 1 {
			t.Fatalf("%d of 4 racing edits landed, want 1", landed)
		}
		// Imports racing each land whole.
		var wg sync.WaitGroup
		errs := make([]error, 4)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = s.SaveLedger(ctx, "county", "340208", 0, []string{"x.xlsx"}, "", store.AnyVersion, first)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		all, err := s.Ledgers(ctx, groups.Schema, 0, "3402")
		if err != nil || len(all) != 2 || all["340208"].Len() != 3 || all["340207"].Rows(groups.TGroups)[0].Get("tightness") != "loose" {
			t.Fatalf("ledgers %v, %v", all, err)
		}
		if other, _ := s.Ledgers(ctx, groups.Schema, 0, "11"); len(other) != 0 {
			t.Fatalf("another province's prefix read %d", len(other))
		}
	})
}
