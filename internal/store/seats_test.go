package store_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pressly/goose/v3"

	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func TestSeatsRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		s.Now = storetest.Clock(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
		in := seats.Generate(seats.Primary, 7)
		reg := 401
		in.Births[0].Registered, in.Births[0].Resident = &reg, nil
		d := seats.RecordsOf(in)
		imp, err := s.ReplaceSeats(ctx, "county", "340207", []string{"学位.xlsx"}, d)
		if err != nil {
			t.Fatal(err)
		}
		if imp.ID == 0 || imp.Rows != d.Rows() {
			t.Errorf("import: %+v", imp)
		}
		got, err := s.Seats(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		// The generated area comes back as the same forecast input.
		back := got.Input(seats.Primary, in.ClassSize)
		if diff := cmp.Diff(sorted(in), sorted(back)); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		want, err := seats.Forecast(in, seats.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := seats.Forecast(back, seats.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Warnings) == 0 || len(res.Warnings) != len(want.Warnings) {
			t.Errorf("warnings: %d stored, %d given", len(res.Warnings), len(want.Warnings))
		}
		stages, err := s.SeatsStages(ctx, "340207")
		if err != nil || len(stages) != 1 || stages[0] != seats.Primary {
			t.Errorf("stages %v, %v", stages, err)
		}
		// Another county holds nothing.
		if other, err := s.Seats(ctx, "340208"); err != nil || other.Rows() != 0 {
			t.Errorf("another county: %d rows, %v", other.Rows(), err)
		}

		// Replacing one table leaves the others.
		if _, err := s.ReplaceSeats(ctx, "county", "340207", []string{"项目.csv"}, seats.Records{Tables: []seats.Table{seats.TableProjects},
			Projects: []seats.StageProject{{Stage: seats.Primary, Project: seats.Project{Name: "新建第九小学", Catchment: "XQ03", OpenYear: 2028, Classes: 24}}}}); err != nil {
			t.Fatal(err)
		}
		got, err = s.Seats(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Projects) != 1 || got.Projects[0].Name != "新建第九小学" || len(got.Births) != len(in.Births) || len(got.Enrolment) != len(in.Enrolment) {
			t.Errorf("after replacing projects: %d projects, %d births, %d enrolment", len(got.Projects), len(got.Births), len(got.Enrolment))
		}

		// Nothing half-stored: an enrolment row naming no school, or a row
		// given twice, refuses the whole import.
		bad := seats.RecordsOf(in)
		bad.Births = bad.Births[:1]
		bad.Enrolment = append(bad.Enrolment, seats.StageEnrolment{Stage: seats.Primary, Enrolment: seats.Enrolment{School: "NOPE", Year: 2025, Grade: 1, Students: 3}})
		if _, err := s.ReplaceSeats(ctx, "county", "340207", nil, bad); !errors.Is(err, store.ErrSeatsInput) {
			t.Errorf("unknown school: %v", err)
		}
		orphan := seats.Records{Tables: []seats.Table{seats.TableProjects}, Projects: []seats.StageProject{
			{Stage: seats.Junior, Project: seats.Project{Name: "扩建", School: in.Schools[0].Code, OpenYear: 2028, Classes: 6}}}}
		if _, err := s.ReplaceSeats(ctx, "county", "340207", nil, orphan); !errors.Is(err, store.ErrSeatsInput) {
			t.Errorf("extension of a school of another stage: %v", err)
		}
		twice := seats.Records{Tables: []seats.Table{seats.TableBirths}, Births: []seats.Births{
			{Catchment: "A", Year: 2019, Births: 1}, {Catchment: "A", Year: 2019, Births: 2}}}
		if _, err := s.ReplaceSeats(ctx, "county", "340207", nil, twice); !errors.Is(err, store.ErrSeatsInput) {
			t.Errorf("births twice: %v", err)
		}
		after, err := s.Seats(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(got, after); diff != "" {
			t.Errorf("a refused import changed the store (-before +after):\n%s", diff)
		}
		ims, err := s.SeatsImports(ctx, "340207")
		if err != nil || len(ims) != 2 || ims[0].Files[0] != "项目.csv" || ims[0].Tables[0] != seats.TableProjects {
			t.Errorf("imports %+v, %v", ims, err)
		}
	})
}

// sorted puts an input's schools in code order, as the store returns them.
func sorted(in seats.Input) seats.Input {
	out := in
	out.Schools = append([]seats.School(nil), in.Schools...)
	for i := range out.Schools {
		for j := i + 1; j < len(out.Schools); j++ {
			if out.Schools[j].Code < out.Schools[i].Code {
				out.Schools[i], out.Schools[j] = out.Schools[j], out.Schools[i]
			}
		}
	}
	return out
}

// TestPlacesLedgerMigration migrates a database holding 学位 inputs in
// the seats tables of version 160 to the declared ledger: every row of
// every table reads back as it was stored, as one version carrying the
// latest import's files, account, time and tables.
func TestPlacesLedgerMigration(t *testing.T) {
	eachDSN(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, dialect, dir := rawDB(t, dsn)
		p, err := goose.NewProvider(dialect, db, os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 160); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO seats_imports (county_code, files, tables, row_count, actor, at) VALUES ('340207', 'old.xlsx', 'births,schools,enrolment,projects', 9, 'a', $1)`, []any{at.Add(-time.Hour)}},
			{`INSERT INTO seats_imports (county_code, files, tables, row_count, actor, at) VALUES ('340207', '学校.csv,项目.csv', 'schools,projects', 5, 'county', $1)`, []any{at}},
			{`INSERT INTO seats_imports (county_code, files, tables, row_count, actor, at) VALUES ('340208', 'b.csv', 'births', 1, 'other', $1)`, []any{at}},
			{`INSERT INTO seats_births (county_code, catchment, year, births, registered, resident) VALUES
				('340207', 'XQ02', 2019, 300, NULL, NULL), ('340207', 'XQ01', 2019, 420, 400, 410), ('340208', 'Z', 2020, 7, NULL, 5)`, nil},
			{`INSERT INTO seats_schools (county_code, stage, code, name, catchment, places, classes, class_size) VALUES
				('340207', 'primary', 'S1', '一小', 'XQ01', 0, 24, 0), ('340207', 'junior', 'S1', '一小初中部', 'XQ01', 600, 0, 0),
				('340207', 'kindergarten', 'K1', '', 'XQ02', 0, 9, 30)`, nil},
			{`INSERT INTO seats_enrolment (county_code, stage, school, year, grade, students) VALUES
				('340207', 'primary', 'S1', 2025, 2, 44), ('340207', 'primary', 'S1', 2025, 1, 45),
				('340207', 'junior', 'S1', 2025, 3, 50), ('340207', 'kindergarten', 'K1', 2024, 3, 28)`, nil},
			{`INSERT INTO seats_projects (county_code, stage, seq, name, school, catchment, open_year, places, classes) VALUES
				('340207', 'primary', 2, '扩建一小', 'S1', '', 2027, 0, 6), ('340207', 'primary', 1, '新建二小', '', 'XQ02', 2028, 900, 0)`, nil},
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
		got, err := s.Seats(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		n := func(x int) *int { return &x }
		want := seats.Records{Tables: seats.Tables,
			Births: []seats.Births{{Catchment: "XQ01", Year: 2019, Births: 420, Registered: n(400), Resident: n(410)}, {Catchment: "XQ02", Year: 2019, Births: 300}},
			Schools: []seats.StageSchool{
				{Stage: seats.Junior, School: seats.School{Code: "S1", Name: "一小初中部", Catchment: "XQ01", Places: 600}},
				{Stage: seats.Kindergarten, School: seats.School{Code: "K1", Catchment: "XQ02", Classes: 9, ClassSize: 30}},
				{Stage: seats.Primary, School: seats.School{Code: "S1", Name: "一小", Catchment: "XQ01", Classes: 24}},
			},
			Enrolment: []seats.StageEnrolment{
				{Stage: seats.Junior, Enrolment: seats.Enrolment{School: "S1", Year: 2025, Grade: 3, Students: 50}},
				{Stage: seats.Kindergarten, Enrolment: seats.Enrolment{School: "K1", Year: 2024, Grade: 3, Students: 28}},
				{Stage: seats.Primary, Enrolment: seats.Enrolment{School: "S1", Year: 2025, Grade: 1, Students: 45}},
				{Stage: seats.Primary, Enrolment: seats.Enrolment{School: "S1", Year: 2025, Grade: 2, Students: 44}},
			},
			Projects: []seats.StageProject{
				{Stage: seats.Primary, Project: seats.Project{Name: "新建二小", Catchment: "XQ02", OpenYear: 2028, Places: 900}},
				{Stage: seats.Primary, Project: seats.Project{Name: "扩建一小", School: "S1", OpenYear: 2027, Classes: 6}},
			},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("migrated inputs (-want +got):\n%s", diff)
		}
		other, err := s.Seats(ctx, "340208")
		if err != nil || len(other.Births) != 1 || other.Births[0].Registered != nil || *other.Births[0].Resident != 5 {
			t.Errorf("another county: %+v %v", other.Births, err)
		}
		imps, err := s.SeatsImports(ctx, "340207")
		if err != nil || len(imps) != 1 || imps[0].Actor != "county" || len(imps[0].Files) != 2 || !imps[0].At.Equal(at) ||
			imps[0].Rows != 11 || !cmp.Equal(imps[0].Tables, []seats.Table{seats.TableSchools, seats.TableProjects}) {
			t.Errorf("imports %+v %v", imps, err)
		}
		// The migrated ledger takes a partial import as any other.
		if _, err := s.ReplaceSeats(ctx, "county", "340207", []string{"b.csv"}, seats.Records{Tables: []seats.Table{seats.TableBirths}}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Seats(ctx, "340207"); err != nil || len(got.Births) != 0 || len(got.Schools) != 3 {
			t.Errorf("after a births import: %+v %v", got, err)
		}
	})
}

// TestSeatsConcurrentImports: two imports of different tables at once
// both land — the one that finds the ledger changed under it replaces its
// table on the newer version — and neither loses the other's rows.
func TestSeatsConcurrentImports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		in := seats.Generate(seats.Primary, 3)
		if _, err := s.ReplaceSeats(ctx, "county", "340207", []string{"学位.xlsx"}, seats.RecordsOf(in)); err != nil {
			t.Fatal(err)
		}
		births := seats.Records{Tables: []seats.Table{seats.TableBirths}, Births: []seats.Births{{Catchment: "NEW", Year: 2024, Births: 5}}}
		projects := seats.Records{Tables: []seats.Table{seats.TableProjects}, Projects: []seats.StageProject{
			{Stage: seats.Primary, Project: seats.Project{Name: "新建", Catchment: "NEW", OpenYear: 2030, Places: 100}}}}
		errs := make(chan error, 2)
		for _, rec := range []seats.Records{births, projects} {
			go func() {
				_, err := s.ReplaceSeats(ctx, "county", "340207", nil, rec)
				errs <- err
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Seats(ctx, "340207")
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Births) != 1 || len(got.Projects) != 1 || len(got.Schools) != len(in.Schools) {
			t.Errorf("after both: %d births, %d projects, %d schools", len(got.Births), len(got.Projects), len(got.Schools))
		}
		if ims, err := s.SeatsImports(ctx, "340207"); err != nil || len(ims) != 3 {
			t.Errorf("%d versions, %v", len(ims), err)
		}
	})
}
