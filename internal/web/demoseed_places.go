package web

import (
	"context"
	"fmt"
	"strings"

	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/store"
)

// seedPlaces stores 学位 inputs for the counties given, through the same
// store call an import makes: for each county a generated area of every
// stage (seats.Generate, seeded by the county's place in the list), whose
// fast-growing catchments go amber and red within the years forecast,
// with the planned projects of one of them. Each stage's catchments get
// codes of their own (小学 XQ, 初中 CZ, 幼儿园 YE), as junior catchments
// seldom match primary ones.
func seedPlaces(ctx context.Context, st *store.Store, counties []string) error {
	prefix := map[seats.Stage]string{seats.Primary: "XQ", seats.Junior: "CZ", seats.Kindergarten: "YE"}
	for i, code := range counties {
		var ins []seats.Input
		for j, stage := range []seats.Stage{seats.Primary, seats.Junior, seats.Kindergarten} {
			in := seats.Generate(stage, uint64(100*i+j+1))
			ins = append(ins, recode(in, prefix[stage], code))
		}
		if _, err := st.ReplaceSeats(ctx, "demo", code, []string{fmt.Sprintf("演示学位数据-%s.xlsx", code)}, seats.RecordsOf(ins...)); err != nil {
			return err
		}
	}
	return nil
}

// recode gives a generated area the catchment prefix p in place of XQ,
// and school codes of the county.
func recode(in seats.Input, p, county string) seats.Input {
	c := func(s string) string {
		if s == "" {
			return ""
		}
		return p + strings.TrimPrefix(s, "XQ")
	}
	school := func(s string) string {
		if s == "" {
			return ""
		}
		return county + c(s)
	}
	for i := range in.Births {
		in.Births[i].Catchment = c(in.Births[i].Catchment)
	}
	for i := range in.Schools {
		s := &in.Schools[i]
		s.Catchment, s.Code, s.Name = c(s.Catchment), school(s.Code), strings.Replace(s.Name, "XQ", p, 1)
	}
	for i := range in.Enrolment {
		in.Enrolment[i].School = school(in.Enrolment[i].School)
	}
	for i := range in.Projects {
		pr := &in.Projects[i]
		pr.Catchment, pr.School = c(pr.Catchment), school(pr.School)
	}
	return in
}
