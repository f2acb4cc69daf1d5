package plan

import (
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
)

func exactSchool(code string, t census.SchoolType, st census.Stage, n float64) census.School {
	s := census.NewSchool()
	s.Year, s.CountyCode, s.CountyName = 2024, "340207", "鸠江区"
	s.Code, s.Name, s.Type = code, "学校"+code, t
	f := func(family string) census.Field {
		f, _ := census.StageField(family, st)
		return f
	}
	s.Set(f("students"), n)
	s.Set(f("teachers"), n*0.08)
	s.Set(f("qualified_teachers"), n*0.06)
	s.Set(f("backbone_teachers"), n*0.012)
	s.Set(f("pe_art_teachers"), n*0.01)
	s.Set(census.TeachingArea, n*6)
	s.Set(census.SportsArea, n*11)
	s.Set(census.EquipmentValue, n*2600)
	s.Set(census.MultimediaRooms, n*0.025)
	return s
}

// TestPlanShortByLessThanTolerance: a school 0.0000008 元/生 short of
// 2 000 and short of multimedia rooms (2.0 < 2.3, above the floor) meets
// only 5 of 7 in the engine; the planner must agree and add something, not
// take the equipment as met and leave the county short.
func TestPlanShortByLessThanTolerance(t *testing.T) {
	r := national(t)
	short := exactSchool("3402070001", census.Primary, census.StagePrimary, 1000)
	short.Set(census.EquipmentValue, 1999999.9992)
	short.Set(census.MultimediaRooms, 20)
	schools := []census.School{short,
		exactSchool("3402070002", census.Primary, census.StagePrimary, 1000),
		exactSchool("3402070003", census.Junior, census.StageJunior, 1000)}
	pl, err := Solve(r, schools, Options{Work: 10_000})
	if err != nil {
		t.Fatal(err)
	}
	if pl.Before.ResourcePass {
		t.Fatal("the engine passes a school short of 2000 元/生")
	}
	if !pl.Feasible || !pl.After.ResourcePass {
		t.Fatalf("feasible %v, after %v: %s", pl.Feasible, pl.After.ResourcePass, pl.Problem)
	}
	if c := reevaluate(t, r, schools, pl); !c.ResourcePass {
		t.Error("the plan's additions do not pass the engine")
	}
}
