package training

import (
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/standards"
)

// Graded is an institution's grading of a year (分级评定): the points of
// each indicator of the scheme, the weighted total out of 100 (exact) and
// the grade of the band the total falls in. An institution missing the
// points of an indicator is not graded (Grade ""), and Missing names the
// indicators.
type Graded struct {
	Credit, Name string
	Points       map[string]int // indicator → points given
	Basis        map[string]string
	Total        *big.Rat // Σ weight × points / max
	Grade        string
	List         string // white, black or "" (the grade's band)
	Missing      []string
	// Margin is how far the total is above its band's minimum ("+3.00"),
	// or, in the lowest band, how far below the band above it ("-25.00");
	// "" when not graded. A total of exactly a minimum gets the grade.
	Margin string
}

// TotalText writes the total to two decimals, exactly rounded half up
// ("—" when not graded).
func (g Graded) TotalText() string {
	if g.Total == nil {
		return "—"
	}
	return g.Total.FloatString(2)
}

// ScoreProblem is a score row the scheme cannot use: an indicator it does
// not have, or points above the indicator's maximum.
type ScoreProblem struct {
	Row     int // index in the scores table
	Credit  string
	Problem string
}

// Grade grades every institution of the registry that has a score in
// year against scheme g, in the registry's order. Score rows the scheme
// cannot use are returned as problems and not counted.
func Grade(d *ledger.Data, year int, g standards.Grading) ([]Graded, []ScoreProblem) {
	ind := map[string]standards.GradingIndicator{}
	for _, in := range g.Indicators {
		ind[in.ID] = in
	}
	y := strconv.Itoa(year)
	points := map[string]map[string]int{}
	basis := map[string]map[string]string{}
	var probs []ScoreProblem
	for i, r := range d.Rows(TScores) {
		if r.Get("year") != y {
			continue
		}
		c, id := r.Get("credit"), r.Get("indicator")
		in, ok := ind[id]
		switch {
		case !ok:
			probs = append(probs, ScoreProblem{Row: i, Credit: c, Problem: fmt.Sprintf("评分方案没有指标「%s」", id)})
			continue
		case r.Int("score") > in.Max:
			probs = append(probs, ScoreProblem{Row: i, Credit: c, Problem: fmt.Sprintf("「%s」得分 %d 高于满分 %d", in.ZH, r.Int("score"), in.Max)})
			continue
		}
		if points[c] == nil {
			points[c], basis[c] = map[string]int{}, map[string]string{}
		}
		points[c][id] = r.Int("score")
		basis[c][id] = r.Get("basis")
	}
	var out []Graded
	for _, r := range d.Rows(TInstitutions) {
		c := r.Get("credit")
		p, ok := points[c]
		if !ok {
			continue
		}
		gr := Graded{Credit: c, Name: r.Get("name"), Points: p, Basis: basis[c]}
		total := new(big.Rat)
		for _, in := range g.Indicators {
			v, ok := p[in.ID]
			if !ok {
				gr.Missing = append(gr.Missing, in.ZH)
				continue
			}
			total.Add(total, big.NewRat(int64(in.Weight)*int64(v), int64(in.Max)))
		}
		if len(gr.Missing) == 0 {
			gr.Total = total
			for i, b := range g.Bands {
				if total.Cmp(big.NewRat(int64(b.Min), 1)) >= 0 {
					gr.Grade, gr.List = b.Grade, b.List
					if i == len(g.Bands)-1 && i > 0 {
						// The lowest band: how far below the next.
						gr.Margin = "-" + new(big.Rat).Sub(big.NewRat(int64(g.Bands[i-1].Min), 1), total).FloatString(2)
					} else {
						gr.Margin = "+" + new(big.Rat).Sub(total, big.NewRat(int64(b.Min), 1)).FloatString(2)
					}
					break
				}
			}
		}
		out = append(out, gr)
	}
	return out, probs
}

// Entry is an institution on a published list, and why it is there.
type Entry struct {
	Credit, Name, Category, Field, Licence, Address string
	Grade                                           string
	Reason                                          string
}

// Lists returns the white list (白名单) and the black list (黑名单) of year
// on day:
//   - white: institutions approved on day, graded that year in a band of
//     the white list, with no breach of a rule on day (an expiring licence
//     is a warning, not a breach);
//   - black: institutions whose licence was revoked on or before day, and
//     those graded that year in a band of the black list that are not
//     closed.
func Lists(d *ledger.Data, year int, day time.Time, l Limits, g standards.Grading) (white, black []Entry) {
	graded, _ := Grade(d, year, g)
	return lists(d, year, day, graded, Check(d, day, l))
}

// lists draws the lists from the registry's grading and findings.
func lists(d *ledger.Data, year int, day time.Time, graded []Graded, findings []Finding) (white, black []Entry) {
	grade := map[string]Graded{}
	for _, gr := range graded {
		grade[gr.Credit] = gr
	}
	breach := map[string]bool{}
	for _, f := range findings {
		if !f.Rule.Warning() {
			breach[f.Credit] = true
		}
	}
	for _, in := range Institutions(d, day) {
		r := in.Row
		e := Entry{Credit: in.Credit, Name: in.Name, Category: r.Get("category"), Field: r.Get("field"), Licence: r.Get("licence"),
			Address: r.Get("address"), Grade: grade[in.Credit].Grade}
		gr := grade[in.Credit]
		switch {
		case in.Status == Revoked:
			e.Reason = "吊销办学许可证（" + in.Since.Format(time.DateOnly) + "）"
			black = append(black, e)
		case in.Status == Closed:
		case gr.List == "black":
			e.Reason = fmt.Sprintf("%d 年度分级评定为 %s 级", year, gr.Grade)
			black = append(black, e)
		case gr.List == "white" && in.Active() && !breach[in.Credit]:
			e.Reason = fmt.Sprintf("%d 年度分级评定为 %s 级", year, gr.Grade)
			white = append(white, e)
		}
	}
	return white, black
}
