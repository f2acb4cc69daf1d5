package store_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func kgRec(code, name string, children float64) census.Kindergarten {
	k := census.NewKindergarten()
	k.Year, k.CountyCode, k.CountyName, k.Code, k.Name = 2024, "340207", "鸠江区", code, name
	k.Category, k.Location = census.CategoryPublic, "城区"
	k.V[census.KgChildren] = children
	k.V[census.KgTeachers] = 20
	return k
}

func countyRec(code string) census.CountyRecord {
	c := census.NewCountyRecord()
	c.Year, c.CountyCode, c.CountyName = 2024, code, "鸠江区"
	c.V[census.CTeacherPay] = 98000
	c.V[census.CRecognitionCompulsory] = 91.5
	return c
}

// TestUnitColumnsMatchCensus keeps kindergarten_records and county_records
// and their census column tables from drifting apart.
func TestUnitColumnsMatchCensus(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for _, tc := range []struct {
			table string
			t     *census.Table
		}{{"kindergarten_records", &census.KindergartenTable}, {"county_records", &census.CountyTable}} {
			rows, err := s.DB().QueryContext(ctx, `SELECT * FROM `+tc.table+` WHERE 1 = 0`)
			if err != nil {
				t.Fatal(err)
			}
			types, err := rows.ColumnTypes()
			rows.Close()
			if err != nil {
				t.Fatal(err)
			}
			fixed := map[string]bool{"batch_id": true, "updated_at": true, "created_batch": true, "created_at": true}
			for _, c := range tc.t.Text {
				fixed[c.Key] = true
			}
			var got, want []string
			for _, ct := range types {
				if fixed[ct.Name()] {
					delete(fixed, ct.Name())
					continue
				}
				got = append(got, ct.Name())
				if typ := ct.DatabaseTypeName(); typ != "REAL" && typ != "FLOAT8" {
					t.Errorf("%s.%s has type %s, want a double", tc.table, ct.Name(), typ)
				}
			}
			for _, c := range tc.t.Num {
				want = append(want, c.Key)
			}
			slices.Sort(got)
			slices.Sort(want)
			if diff := cmp.Diff(want, got); diff != "" || len(fixed) != 0 {
				t.Errorf("%s columns differ (-want +got):\n%s\nmissing %v", tc.table, diff, fixed)
			}
		}
	})
}

func TestImportUnits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		a, b := kgRec("3134020801", "实验幼儿园", 360), kgRec("3134020802", "阳光幼儿园", 180)
		b.Category = census.CategoryInclusive
		b.V[census.KgOutdoorArea] = 0 // zero, not unreported
		c := countyRec("340207")
		sum := mustImport(t, s,
			store.FileBatch{File: "幼儿园.xlsx", Kind: store.KindKindergarten, Kindergartens: []census.Kindergarten{a, b}},
			store.FileBatch{File: "县级.xlsx", Kind: store.KindCounty, Counties: []census.CountyRecord{c}},
			store.FileBatch{File: "学校.xlsx", Schools: []census.School{rec("3134020001", "一小")}})
		if sum.Added != 4 || sum.PerFile[0].Added != 2 || sum.PerFile[1].Added != 1 {
			t.Fatalf("summary %+v", sum)
		}
		kgs, err := s.Kindergartens(ctx, 2024, "")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]census.Kindergarten{a, b}, kgs, cmpNaN); diff != "" {
			t.Fatalf("kindergartens (-want +got):\n%s", diff)
		}
		got, err := s.CountyRecord(ctx, 2024, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got, cmpNaN); diff != "" {
			t.Fatalf("county record (-want +got):\n%s", diff)
		}
		// Reimporting the same file changes nothing; a corrected one records the change.
		sum = mustImport(t, s, store.FileBatch{File: "县级.xlsx", Kind: store.KindCounty, Counties: []census.CountyRecord{c}})
		if sum.Unchanged != 1 || sum.Changed != 0 {
			t.Fatalf("reimport %+v", sum)
		}
		c2 := c
		c2.V[census.CTeacherPay] = 99000
		c2.V[census.CRecognitionCompulsory] = math.NaN()
		sum = mustImport(t, s, store.FileBatch{File: "县级-更正.xlsx", Kind: store.KindCounty, Counties: []census.CountyRecord{c2}})
		if sum.Changed != 1 || sum.Changes != 2 {
			t.Fatalf("correction %+v", sum)
		}
		h, err := s.UnitHistory(ctx, store.KindCounty, 2024, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 3 || h[0].Column != "" || h[0].File != "县级.xlsx" || h[1].Column != "teacher_pay" || *h[1].Old != "98000" || *h[1].New != "99000" ||
			h[2].Column != "recognition_compulsory" || *h[2].Old != "91.5" || h[2].New != nil || h[2].File != "县级-更正.xlsx" {
			t.Fatalf("history %+v", h)
		}
		// The school's history is not the county's.
		if sh, err := s.History(ctx, 2024, "3134020001"); err != nil || len(sh) != 1 {
			t.Fatalf("school history %v %v", sh, err)
		}
		// The county of a kindergarten file is a region.
		regs, _ := s.Regions(ctx)
		if !slices.ContainsFunc(regs, func(r census.Region) bool { return r.Code == "340207" && r.Name == "鸠江区" }) {
			t.Errorf("regions %v", regs)
		}
		if ys, _ := s.UnitYears(ctx, store.KindKindergarten); !slices.Equal(ys, []int{2024}) {
			t.Errorf("years %v", ys)
		}
	})
}

func TestImportUnitsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		a := kgRec("3134020801", "实验幼儿园", 360)
		_, err := s.Import(ctx, "t", []store.FileBatch{
			{File: "a.xlsx", Kind: store.KindCounty, Counties: []census.CountyRecord{countyRec("340207")}},
			{File: "b.xlsx", Kind: store.KindKindergarten, Kindergartens: []census.Kindergarten{a, a}},
		})
		if err == nil || !strings.Contains(err.Error(), "twice") {
			t.Fatalf("duplicate: %v", err)
		}
		if recs, _ := s.CountyRecords(ctx, 2024, ""); len(recs) != 0 {
			t.Fatalf("a failed import stored %d county records", len(recs))
		}
		if _, err := s.Kindergarten(ctx, 2024, "3134020801"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("not found: %v", err)
		}
		if _, err := s.CountyRecord(ctx, 2024, "340207"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("not found: %v", err)
		}
		if _, err := s.UnitHistory(ctx, store.KindCounty, 2024, "340207"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("history not found: %v", err)
		}
	})
}

func TestSaveCountyRecordAndUpdateKindergarten(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		open(t, s)
		c := countyRec("340207")
		n, err := s.SaveCountyRecord(ctx, "督学甲", c)
		if err != nil || n != 2 {
			t.Fatalf("create: %d %v", n, err)
		}
		c.V[census.CSpecialEdFunding] = 6500
		if n, err = s.SaveCountyRecord(ctx, "督学乙", c); err != nil || n != 1 {
			t.Fatalf("edit: %d %v", n, err)
		}
		if n, err = s.SaveCountyRecord(ctx, "督学乙", c); err != nil || n != 0 {
			t.Fatalf("no change: %d %v", n, err)
		}
		h, _ := s.UnitHistory(ctx, store.KindCounty, 2024, "340207")
		if len(h) != 2 || h[0].Kind != store.KindEdit || h[0].Actor != "督学甲" || h[1].Column != "special_ed_funding" || h[1].Actor != "督学乙" {
			t.Fatalf("history %+v", h)
		}
		k := kgRec("3134020801", "实验幼儿园", 360)
		if _, err := s.UpdateKindergarten(ctx, "x", k); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing kindergarten: %v", err)
		}
		mustImport(t, s, store.FileBatch{File: "k.csv", Kind: store.KindKindergarten, Kindergartens: []census.Kindergarten{k}})
		k.V[census.KgChildren] = 361
		if n, err := s.UpdateKindergarten(ctx, "x", k); err != nil || n != 1 {
			t.Fatalf("update: %d %v", n, err)
		}
		got, _ := s.Kindergarten(ctx, 2024, k.Code)
		if got.V[census.KgChildren] != 361 {
			t.Fatalf("children %v", got.V[census.KgChildren])
		}
	})
}

// TestPendingUploads: a pending upload of every kind keeps every column
// (NaN as not reported), is taken once, only by its account.
func TestPendingUploads(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u, err := s.CreateUser(ctx, store.User{Username: "up", Role: store.RoleCounty, Region: "340207"}, "a-long-password")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range census.Kinds {
			tab := census.TableOf(k)
			rec := tab.New()
			rec.SetYear(2024)
			for i, c := range tab.Text {
				if c.Key != "year" {
					rec.SetText(c.Key, fmt.Sprintf("t%d'=\"x", i))
				}
			}
			if c := tab.Text[1]; c.Choices != nil {
				rec.SetText(c.Key, c.Choices[0].Value)
			}
			for i := range rec.Values() {
				if i%3 != 0 {
					rec.Values()[i] = float64(i) + 0.25
				}
			}
			tok, err := s.SavePendingUpload(ctx, store.PendingUpload{UserID: u.ID, File: "f", SHA256: "h", Kind: k, Records: []census.UnitRecord{rec}, Extra: []byte(`[1]`), Expires: t0})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.TakePendingUpload(ctx, tok, u.ID+1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("taken by another account: %v", err)
			}
			p, err := s.TakePendingUpload(ctx, tok, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Records) != 1 || string(p.Extra) != "[1]" || p.Kind != k || !p.Expires.Equal(t0) {
				t.Fatalf("%s: %+v", k, p)
			}
			got := p.Records[0]
			for _, c := range tab.Text {
				if got.Text(c.Key) != rec.Text(c.Key) {
					t.Errorf("%s %s: %q, want %q", k, c.Key, got.Text(c.Key), rec.Text(c.Key))
				}
			}
			for i, v := range rec.Values() {
				if g := got.Values()[i]; g != v && !(math.IsNaN(g) && math.IsNaN(v)) {
					t.Errorf("%s %s: %v, want %v", k, tab.Num[i].Key, g, v)
				}
			}
			if _, err := s.TakePendingUpload(ctx, tok, u.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("taken twice: %v", err)
			}
		}
	})
}
