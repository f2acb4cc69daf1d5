package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

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
