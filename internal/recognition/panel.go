package recognition

import (
	"cmp"
	"math/rand/v2"
	"slices"
)

// The groups of a 座谈会 (forum) panel.
const (
	GroupPrincipal = "principal" // 校长: the head of a drawn school
	GroupTeacher   = "teacher"   // 教师: a teacher by number on the school's roster
	GroupParent    = "parent"    // 家长: the parent of a student by number on the school's roll
)

// PanelGroups lists the groups in the order a panel is printed.
var PanelGroups = []string{GroupPrincipal, GroupTeacher, GroupParent}

// PanelSchool is a school whose people a 座谈会 may draw from: its 城乡
// stratum, its full-time teachers and its students as the census counts
// them.
type PanelSchool struct {
	Code     string
	Stratum  string
	Teachers int
	Students int
}

// PanelSize is how many people of each group a panel draws.
type PanelSize struct {
	Principals, Teachers, Parents int
}

// Total is the panel's size.
func (p PanelSize) Total() int { return p.Principals + p.Teachers + p.Parents }

// Panelist is one person drawn for a 座谈会: the group, the school, and for
// a teacher or parent the number on the school's teacher roster or student
// roll (1-based; the school brings that teacher, or that student's parent).
// The draw names positions on lists the school holds, never a person: the
// inspectors ask the school for the people at those numbers on the day.
type Panelist struct {
	Group  string `json:"group"`
	School string `json:"school"`
	Seq    int    `json:"seq,omitempty"`
}

// DrawPanel draws a 座谈会 panel from schools with seed. Principals are
// the heads of schools drawn as Draw draws visits (stratified by 城乡, no
// weak-school preference); teachers and parents are drawn uniformly from
// every teacher and every student of the county — so each teacher, and
// each student's family, has the same chance whatever the size of their
// school — without replacement. Each group draws from its own stream of
// the seed, so that changing one group's size leaves the others' draw as
// it was. The same schools (in any order), size and seed give the same
// panel, sorted by group, school and number.
func DrawPanel(schools []PanelSchool, size PanelSize, seed uint64) []Panelist {
	pool := slices.Clone(schools)
	slices.SortFunc(pool, func(a, b PanelSchool) int { return cmp.Compare(a.Code, b.Code) })
	pool = slices.CompactFunc(pool, func(a, b PanelSchool) bool { return a.Code == b.Code })
	var out []Panelist
	if size.Principals > 0 {
		cands := make([]Candidate, len(pool))
		for i, s := range pool {
			cands[i] = Candidate{Code: s.Code, Stratum: s.Stratum}
		}
		for _, code := range Draw(cands, size.Principals, seed^0x9e3779b97f4a7c15) {
			out = append(out, Panelist{Group: GroupPrincipal, School: code})
		}
	}
	out = append(out, drawRoster(pool, GroupTeacher, size.Teachers, func(s PanelSchool) int { return s.Teachers },
		rand.New(rand.NewPCG(seed, 0x7eac4e75)))...)
	out = append(out, drawRoster(pool, GroupParent, size.Parents, func(s PanelSchool) int { return s.Students },
		rand.New(rand.NewPCG(seed, 0x9a7e9751)))...)
	return out
}

// drawRoster draws k distinct positions among every school's count(s)
// people (Floyd's algorithm: k steps, whatever the total) and names each
// by its school and its number on that school's list.
func drawRoster(pool []PanelSchool, group string, k int, count func(PanelSchool) int, rng *rand.Rand) []Panelist {
	ends := make([]int, len(pool)) // ends[i]: the people of schools 0..i
	total := 0
	for i, s := range pool {
		total += max(count(s), 0)
		ends[i] = total
	}
	k = min(k, total)
	if k <= 0 {
		return nil
	}
	chosen := make(map[int]bool, k)
	for j := total - k; j < total; j++ {
		t := rng.IntN(j + 1)
		if chosen[t] {
			t = j
		}
		chosen[t] = true
	}
	out := make([]Panelist, 0, k)
	for pos := range chosen {
		i, _ := slices.BinarySearch(ends, pos+1)
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		out = append(out, Panelist{Group: group, School: pool[i].Code, Seq: pos - start + 1})
	}
	slices.SortFunc(out, func(a, b Panelist) int {
		return cmp.Or(cmp.Compare(a.School, b.School), cmp.Compare(a.Seq, b.Seq))
	})
	return out
}
