package rotation_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/rotation"
)

func TestSchoolYear(t *testing.T) {
	for d, want := range map[string]int{"2025-09-01": 2025, "2025-08-31": 2024, "2026-03-01": 2025, "2025-12-31": 2025, "2026-01-01": 2025} {
		x, _ := time.Parse(time.DateOnly, d)
		if got := rotation.SchoolYear(x); got != want {
			t.Errorf("SchoolYear(%s) = %d, want %d", d, got, want)
		}
	}
}

// TestMoves: each rotation moves the teachers of its stage — as given,
// else the sending school's one stage, else the receiving school's; a
// rotation between two schools of both stages, with none given, moves
// nothing and is returned apart.
func TestMoves(t *testing.T) {
	types := map[string]census.SchoolType{"P": census.Primary, "J": census.Junior, "N1": census.NineYear, "N2": census.TwelveYear}
	sep := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	r := func(id, from, to string, st census.Stage, bb bool) rotation.Rotation {
		return rotation.Rotation{Teacher: id, From: from, To: to, Start: sep, Type: rotation.Exchange, Stage: st, Backbone: bb}
	}
	l := rotation.Ledger{Rotations: []rotation.Rotation{
		r("a", "P", "N1", "", true),                  // primary: the sender's stage
		r("b", "N1", "J", "", false),                 // junior: the receiver's
		r("c", "N1", "N2", census.StageJunior, true), // as given
		r("d", "N1", "N2", "", false),                // unknown
	}}
	moves, unstaged := l.Moves(types)
	want := []rotation.Move{
		{School: "J", Stage: census.StageJunior, In: 1},
		{School: "N1", Stage: census.StageJunior, Out: 2, BackboneOut: 1},
		{School: "N1", Stage: census.StagePrimary, In: 1, BackboneIn: 1},
		{School: "N2", Stage: census.StageJunior, In: 1, BackboneIn: 1},
		{School: "P", Stage: census.StagePrimary, Out: 1, BackboneOut: 1},
	}
	if diff := cmp.Diff(want, moves); diff != "" {
		t.Errorf("moves (-want +got):\n%s", diff)
	}
	if len(unstaged) != 1 || unstaged[0].Teacher != "d" {
		t.Errorf("unstaged %+v", unstaged)
	}
	bad := rotation.Ledger{Rotations: []rotation.Rotation{r("x", "P", "J", census.StageSenior, false)}}
	if err := bad.Validate(); err == nil {
		t.Error("a senior-high stage validates")
	}
}

func TestShareExactMargin(t *testing.T) {
	if m := rotation.NewShare(1, 3, rotation.RotatedFloor).ExactMargin(); m != "70/3" {
		t.Errorf("1/3 − 10%% = %q points, want 70/3", m)
	}
	if m := rotation.NewShare(1, 8, rotation.RotatedFloor).ExactMargin(); m != "" {
		t.Errorf("12.5%% − 10%% = %q, want none (2.50 holds it)", m)
	}
}
