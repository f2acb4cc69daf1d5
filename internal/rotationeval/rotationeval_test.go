package rotationeval_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationeval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestCheck: sending away every backbone teacher of a stage of a school
// meeting the rule breaks that stage, named with the backbone indicator;
// the same rotations given the other stage break nothing there; codes the
// census lacks are listed; the records passed in stay as they were.
func TestCheck(t *testing.T) {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	schools := demo.Nation(7, 1, 80)
	ptrs := make([]*census.School, len(schools))
	for i := range schools {
		ptrs[i] = &schools[i]
	}
	pass := map[string]bool{}
	for _, p := range eval.EvaluateCounty(rules, ptrs).Parts {
		if p.Pass && !p.Excluded {
			pass[p.SchoolCode+"/"+string(p.Stage)] = true
		}
	}
	var from, to *census.School
	for i := range schools {
		s := &schools[i]
		if bb, ok := s.Get(census.BackboneTeachersPrimary); ok && bb > 0 && pass[s.Code+"/primary"] && from == nil {
			from = s
		} else if to == nil && s.Type == census.Primary {
			to = s
		}
	}
	if from == nil || to == nil {
		t.Fatal("no school to send from")
	}
	before := slices.Clone(schools)
	bb, _ := from.Get(census.BackboneTeachersPrimary)
	ledger := func(st census.Stage) rotation.Ledger {
		l := rotation.Ledger{Eligible: []rotation.Eligible{{School: "NOWHERE", Teachers: 3}}}
		for i := range int(bb) {
			l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: fmt.Sprint(i), From: from.Code, To: to.Code,
				Start: time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC), Backbone: true, Type: rotation.Exchange, Stage: st})
		}
		return l
	}
	res := rotationeval.Check(rules, schools, ledger(census.StagePrimary))
	found := false
	for _, b := range res.Breaks {
		if b.School == from.Code && b.Stage == census.StagePrimary && b.Out == int(bb) {
			found = slices.ContainsFunc(b.Shortfalls, func(s eval.Shortfall) bool { return s.Indicator == "backbone_teachers" })
		}
	}
	if !found {
		t.Errorf("no break of %s primary: %+v", from.Code, res.Breaks)
	}
	if !slices.Equal(res.Unknown, []string{"NOWHERE"}) {
		t.Errorf("unknown %v", res.Unknown)
	}
	for i := range schools {
		if fmt.Sprint(schools[i].V) != fmt.Sprint(before[i].V) {
			t.Fatalf("Check changed the records passed in: %s", schools[i].Code)
		}
	}
	res = rotationeval.Check(rules, schools, ledger(census.StageJunior))
	for _, b := range res.Breaks {
		if b.School == from.Code && b.Stage == census.StagePrimary {
			t.Errorf("junior rotations broke the primary part: %+v", b)
		}
	}
}
