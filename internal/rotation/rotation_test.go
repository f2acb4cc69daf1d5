package rotation_test

import (
	"errors"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/dudao-edu/dudao/internal/rotation"
)

// Ledger builds a ledger with eligible teachers at school E0 and rotated
// teachers from E0 to R0, the first backbone of them backbone teachers.
func Ledger(eligible, rotated, backbone int) rotation.Ledger {
	l := rotation.Ledger{County: "340101", Year: 2025, Eligible: []rotation.Eligible{{School: "E0", Name: "一中", Teachers: eligible}}}
	start := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	for i := range rotated {
		l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: fmt.Sprintf("T%03d", i), From: "E0", To: "R0",
			Start: start, Backbone: i < backbone, Type: rotation.Exchange})
	}
	return l
}

func TestSharesAtTheBoundary(t *testing.T) {
	for _, tc := range []struct {
		name                      string
		eligible, rot, bb         int
		rotatedMet, backboneMet   bool
		rotatedNeed, backboneNeed int
	}{
		{"exactly 10 % and 20 %", 200, 20, 4, true, true, 0, 0},
		{"one fewer rotated", 200, 19, 4, false, true, 1, 0},
		{"one fewer backbone", 200, 20, 3, true, false, 0, 1},
		{"above both", 100, 11, 3, true, true, 0, 0},
		{"no eligible", 0, 0, 0, false, false, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := Ledger(tc.eligible, tc.rot, tc.bb)
			if err := l.Validate(); err != nil {
				t.Fatal(err)
			}
			s := l.Shares()
			if s.RotatedShare.Met != tc.rotatedMet || s.BackboneShare.Met != tc.backboneMet {
				t.Errorf("met %v %v, want %v %v", s.RotatedShare.Met, s.BackboneShare.Met, tc.rotatedMet, tc.backboneMet)
			}
			if tc.rotatedMet && s.RotatedShare.Spare != tc.rot-(tc.eligible+9)/10 {
				t.Errorf("rotated spare %d", s.RotatedShare.Spare)
			}
			if s.RotatedShare.Need != tc.rotatedNeed || s.BackboneShare.Need != tc.backboneNeed {
				t.Errorf("need %d %d, want %d %d", s.RotatedShare.Need, s.BackboneShare.Need, tc.rotatedNeed, tc.backboneNeed)
			}
		})
	}
	s := Ledger(200, 20, 4).Shares()
	if s.RotatedShare.Margin.Sign() != 0 || s.BackboneShare.Margin.Sign() != 0 || s.RotatedShare.Percent() != "10.00%" {
		t.Errorf("margins %v %v, %s", s.RotatedShare.Margin, s.BackboneShare.Margin, s.RotatedShare.Percent())
	}
	if m := Ledger(200, 19, 4).Shares().RotatedShare.Margin; m.Cmp(big.NewRat(-1, 200)) != 0 {
		t.Errorf("margin of 19/200 is %v, want -1/200", m)
	}
}

func TestValidateAndFlows(t *testing.T) {
	l := Ledger(50, 3, 1)
	l.Rotations = append(l.Rotations, rotation.Rotation{Teacher: "X", From: "R0", To: "E0", Start: l.Rotations[0].Start, Type: rotation.Support})
	fl := l.Flows()
	if len(fl) != 2 || fl[0].School != "E0" || fl[0].Out != 3 || fl[0].In != 1 || fl[0].BackboneOut != 1 || fl[0].Net() != -2 || fl[1].NetBackbone() != 1 {
		t.Errorf("flows %+v", fl)
	}
	bad := Ledger(50, 2, 0)
	bad.Rotations[1].Teacher = bad.Rotations[0].Teacher
	if err := bad.Validate(); !errors.Is(err, rotation.ErrInput) {
		t.Errorf("a teacher twice: %v", err)
	}
	bad = Ledger(50, 1, 0)
	bad.Rotations[0].To = "E0"
	if err := bad.Validate(); !errors.Is(err, rotation.ErrInput) {
		t.Errorf("from and to one school: %v", err)
	}
	if rotation.MinYears(0) != 6 || rotation.MinYears(5) != 5 {
		t.Error("MinYears")
	}
}
