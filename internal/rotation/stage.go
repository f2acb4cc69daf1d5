package rotation

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
)

// SchoolYear is the school year a date falls in: a school year starts on
// 1 September, so 2025-09-01 and 2026-03-01 are both in school year 2025
// (the year the census of that autumn carries).
func SchoolYear(d time.Time) int {
	if d.Month() >= time.September {
		return d.Year()
	}
	return d.Year() - 1
}

// ParseStage reads a 学段 as a ledger writes it: 小学 or 初中 (or the
// keys primary and junior); "" reads as no stage given.
func ParseStage(s string) (census.Stage, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "小学", "primary":
		return census.StagePrimary, true
	case "初中", "junior":
		return census.StageJunior, true
	}
	return "", false
}

// StageOf is the stage whose teacher counts rotation r moves, which the
// school rule evaluates per stage (teachers_primary, teachers_junior and
// their backbone kin): the stage the ledger gives; else the one
// compulsory stage of the sending school's type (a 小学 teacher of a
// primary school stays a 小学 teacher where she goes), else of the
// receiving school's; "" when neither school has a single stage — a
// rotation between two 九年一贯制 or 十二年一贯制 schools, whose stage
// the ledger must give.
func StageOf(r Rotation, types map[string]census.SchoolType) census.Stage {
	if r.Stage != "" {
		return r.Stage
	}
	for _, code := range []string{r.From, r.To} {
		if st := types[code].Stages(); len(st) == 1 {
			return st[0]
		}
	}
	return ""
}

// Move is what the year's rotations do to one stage of one school: the
// teachers (and backbone teachers) of the stage it sends and receives.
type Move struct {
	School, Name                     string
	Stage                            census.Stage
	Out, In, BackboneOut, BackboneIn int
}

// Net is the stage's change in teachers: In − Out.
func (m Move) Net() int { return m.In - m.Out }

// NetBackbone is the stage's change in backbone teachers.
func (m Move) NetBackbone() int { return m.BackboneIn - m.BackboneOut }

// Moves lists, by school code and stage, what the ledger's rotations do
// to each stage of each school, with each rotation's stage from StageOf
// over types (the schools' types by code); it returns apart the
// rotations whose stage is unknown, which move nothing here.
func (l Ledger) Moves(types map[string]census.SchoolType) (moves []Move, unstaged []Rotation) {
	type key struct {
		school string
		stage  census.Stage
	}
	by := map[key]*Move{}
	get := func(code, name string, st census.Stage) *Move {
		m := by[key{code, st}]
		if m == nil {
			m = &Move{School: code, Stage: st}
			by[key{code, st}] = m
		}
		if m.Name == "" {
			m.Name = name
		}
		return m
	}
	for _, r := range l.Rotations {
		st := StageOf(r, types)
		if st == "" {
			unstaged = append(unstaged, r)
			continue
		}
		from, to := get(r.From, r.FromName, st), get(r.To, r.ToName, st)
		from.Out++
		to.In++
		if r.Backbone {
			from.BackboneOut++
			to.BackboneIn++
		}
	}
	for _, m := range by {
		moves = append(moves, *m)
	}
	slices.SortFunc(moves, func(a, b Move) int {
		return cmp.Or(strings.Compare(a.School, b.School), strings.Compare(string(a.Stage), string(b.Stage)))
	})
	return moves, unstaged
}

// YearOf is the school year of the ledger's rotations (SchoolYear of
// their starts) when they all start in one, with ok; with none it is
// fallback. Rotations of several school years give the most common one
// (the later on a tie) and ok false: the rows of the others are the
// caller's to refuse.
func (l Ledger) YearOf(fallback int) (year int, ok bool) {
	if len(l.Rotations) == 0 {
		return fallback, true
	}
	n := map[int]int{}
	for _, r := range l.Rotations {
		n[SchoolYear(r.Start)]++
	}
	for y, k := range n {
		if k > n[year] || k == n[year] && y > year {
			year = y
		}
	}
	return year, len(n) == 1
}
