package recognition

import (
	"fmt"
	"slices"
	"testing"
)

func panelSchools() []PanelSchool {
	return []PanelSchool{
		{Code: "A", Stratum: "城区", Teachers: 120, Students: 2000},
		{Code: "B", Stratum: "城区", Teachers: 0, Students: 0}, // an empty school: never drawn for a roster
		{Code: "C", Stratum: "镇区", Teachers: 40, Students: 600},
		{Code: "D", Stratum: "乡村", Teachers: 8, Students: 90},
		{Code: "E", Stratum: "乡村", Teachers: 12, Students: 150},
	}
}

func TestDrawPanelShape(t *testing.T) {
	size := PanelSize{Principals: 3, Teachers: 10, Parents: 12}
	got := DrawPanel(panelSchools(), size, 42)
	counts := map[string]int{}
	seen := map[string]bool{}
	limits := map[string]PanelSchool{}
	for _, s := range panelSchools() {
		limits[s.Code] = s
	}
	for _, p := range got {
		counts[p.Group]++
		key := fmt.Sprint(p.Group, p.School, p.Seq)
		if seen[key] {
			t.Errorf("drawn twice: %+v", p)
		}
		seen[key] = true
		s := limits[p.School]
		switch p.Group {
		case GroupPrincipal:
			if p.Seq != 0 {
				t.Errorf("a principal has a roster number: %+v", p)
			}
		case GroupTeacher:
			if p.Seq < 1 || p.Seq > s.Teachers {
				t.Errorf("teacher %d of %s, which has %d", p.Seq, p.School, s.Teachers)
			}
		case GroupParent:
			if p.Seq < 1 || p.Seq > s.Students {
				t.Errorf("student %d of %s, which has %d", p.Seq, p.School, s.Students)
			}
		}
	}
	if counts[GroupPrincipal] != 3 || counts[GroupTeacher] != 10 || counts[GroupParent] != 12 {
		t.Fatalf("counts %v, want 3/10/12", counts)
	}
	// Three principals from three strata: one of each.
	strata := map[string]bool{}
	for _, p := range got {
		if p.Group == GroupPrincipal {
			strata[limits[p.School].Stratum] = true
		}
	}
	if len(strata) != 3 {
		t.Errorf("principals from strata %v, want all three", strata)
	}
}

func TestDrawPanelRepeatable(t *testing.T) {
	size := PanelSize{Principals: 2, Teachers: 7, Parents: 9}
	a := DrawPanel(panelSchools(), size, 7)
	shuffled := panelSchools()
	slices.Reverse(shuffled)
	shuffled = append(shuffled, shuffled[0]) // a duplicate counts once
	if b := DrawPanel(shuffled, size, 7); !slices.Equal(a, b) {
		t.Fatalf("same schools in another order drew\n%v\nnot\n%v", b, a)
	}
	if c := DrawPanel(panelSchools(), size, 8); slices.Equal(a, c) {
		t.Fatalf("another seed drew the same panel")
	}
	// Changing the principals' number leaves the teachers and parents.
	more := DrawPanel(panelSchools(), PanelSize{Principals: 4, Teachers: 7, Parents: 9}, 7)
	rest := func(ps []Panelist) []Panelist {
		return slices.DeleteFunc(slices.Clone(ps), func(p Panelist) bool { return p.Group == GroupPrincipal })
	}
	if !slices.Equal(rest(a), rest(more)) {
		t.Fatalf("more principals changed the other groups")
	}
}

func TestDrawPanelCapsAndEmpty(t *testing.T) {
	small := []PanelSchool{{Code: "X", Stratum: "乡村", Teachers: 3, Students: 2}}
	got := DrawPanel(small, PanelSize{Principals: 5, Teachers: 10, Parents: 10}, 1)
	want := []Panelist{{GroupPrincipal, "X", 0}, {GroupTeacher, "X", 1}, {GroupTeacher, "X", 2}, {GroupTeacher, "X", 3},
		{GroupParent, "X", 1}, {GroupParent, "X", 2}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want everyone once: %v", got, want)
	}
	if got := DrawPanel(nil, PanelSize{Principals: 1, Teachers: 1, Parents: 1}, 1); len(got) != 0 {
		t.Fatalf("no schools drew %v", got)
	}
	if got := DrawPanel(small, PanelSize{}, 1); len(got) != 0 {
		t.Fatalf("an empty size drew %v", got)
	}
}

// TestDrawPanelUniform: every teacher of the county has the same chance,
// whatever the size of their school: over many seeds each school's share
// of drawn teachers follows its share of teachers.
func TestDrawPanelUniform(t *testing.T) {
	schools := panelSchools() // 180 teachers: A 120, C 40, D 8, E 12
	hits := map[string]int{}
	const runs = 4000
	for seed := range uint64(runs) {
		for _, p := range DrawPanel(schools, PanelSize{Teachers: 9}, seed) {
			hits[p.School]++
		}
	}
	total := float64(runs * 9)
	for _, s := range schools {
		want := float64(s.Teachers) / 180
		got := float64(hits[s.Code]) / total
		if d := got - want; d > 0.01 || d < -0.01 {
			t.Errorf("school %s: drawn %.4f of teachers, has %.4f", s.Code, got, want)
		}
	}
	if hits["B"] != 0 {
		t.Errorf("a school without teachers was drawn %d times", hits["B"])
	}
}
