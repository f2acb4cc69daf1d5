package store_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/rotation"
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

// TestRotationLedgerMigration: a database with rotation ledgers in the
// tables before migration 160 keeps them, whole, as declared ledgers:
// rows, stage, backbone, the import's files and account.
func TestRotationLedgerMigration(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		db, dialect, dir := rawDB(t, dsn)
		p, err := goose.NewProvider(dialect, db, os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 150); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO rotation_imports (county_code, year, files, row_count, actor, at) VALUES ('340207', 2025, 'old.xlsx', 1, 'a', $1)`, []any{at.Add(-time.Hour)}},
			{`INSERT INTO rotation_imports (county_code, year, files, row_count, actor, at) VALUES ('340207', 2025, '轮岗.xlsx,符合.csv', 3, 'county', $1)`, []any{at}},
			{`INSERT INTO rotations (county_code, year, teacher, name, from_school, from_name, to_school, to_name, start_date, end_date, backbone, type, stage)
				VALUES ('340207', 2025, 'T2', '', 'S1', '', 'S3', '', '2025-09-01', '', 0, 'multi_school', ''),
				       ('340207', 2025, 'T1', '张三', 'S1', '一小', 'S2', '二小', '2025-09-01', '2026-07-15', 1, 'exchange', 'junior')`, nil},
			{`INSERT INTO rotation_eligible (county_code, year, school, name, teachers, backbone) VALUES ('340207', 2025, 'S1', '一小', 20, 4)`, nil},
		} {
			if _, err := db.ExecContext(ctx, q.sql, q.args...); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		s, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l, err := s.Rotation(ctx, "340207", 2025)
		if err != nil {
			t.Fatal(err)
		}
		sep := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
		want := rotation.Ledger{County: "340207", Year: 2025,
			Rotations: []rotation.Rotation{
				{Teacher: "T1", Name: "张三", From: "S1", FromName: "一小", To: "S2", ToName: "二小", Start: sep, End: time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), Backbone: true, Type: rotation.Exchange, Stage: census.StageJunior},
				{Teacher: "T2", From: "S1", To: "S3", Start: sep, Type: rotation.MultiSchool},
			},
			Eligible: []rotation.Eligible{{School: "S1", Name: "一小", Teachers: 20, Backbone: 4}},
		}
		if diff := cmp.Diff(want, l); diff != "" {
			t.Errorf("migrated ledger (-want +got):\n%s", diff)
		}
		imps, err := s.RotationImports(ctx, "340207")
		if err != nil || len(imps) != 1 || imps[0].Actor != "county" || len(imps[0].Files) != 2 || !imps[0].At.Equal(at) {
			t.Errorf("imports %+v %v", imps, err)
		}
	})
}
