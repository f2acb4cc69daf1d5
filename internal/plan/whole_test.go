package plan

import (
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestWholeGaps: on the demo province, a county short of music and art
// rooms gets per-school room additions that, added to its census, meet the
// item (met, or pending where a school lacks the data); class size and school size are said to need reorganisation, not
// additions.
func TestWholeGaps(t *testing.T) {
	p := demo.Generate(demo.DefaultSeed)
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	y := demo.LatestYear
	in := eval.Inputs{Schools: p.Year(y), Kindergartens: p.Kindergartens, Counties: p.CountyRecords, Judgements: p.Judgements}
	res := eval.EvaluateWhole(rules, y, in)
	costs := DefaultCosts()
	seen := map[string]bool{}
	for _, c := range res.Counties {
		for _, g := range WholeGaps(c, costs) {
			seen[g.Kind] = true
			switch g.ItemID {
			case "class_size", "school_size":
				if g.Kind != Reorganise {
					t.Errorf("%s %s: %s", c.Code, g.ItemID, g.Kind)
				}
			case "music_art_rooms":
				if g.Kind != AddRooms || len(g.Additions) == 0 || g.Cost <= 0 {
					t.Fatalf("%s rooms: %+v", c.Code, g)
				}
				// Adding the rooms meets the item.
				schools := []census.School{}
				add := map[string]float64{}
				for _, a := range g.Additions {
					if a.Cost != a.Qty*RoomArea*costs.Unit("teaching_area").Cost {
						t.Errorf("cost %v for %v rooms", a.Cost, a.Qty)
					}
					add[a.Code] = a.Qty
				}
				for _, s := range p.Year(y) {
					if s.CountyCode != c.Code {
						continue
					}
					if q, ok := add[s.Code]; ok {
						s.V[census.MusicRoomsStandard] += q
						s.V[census.ArtRoomsStandard] += q
					}
					schools = append(schools, s)
				}
				after := eval.EvaluateWhole(rules, y, eval.Inputs{Schools: schools, Counties: p.CountyRecords, Judgements: p.Judgements})
				for _, it := range after.Counties[0].Verdict.Items {
					if it.Item.ID == "music_art_rooms" && it.Status == census.StatusNotMet {
						t.Errorf("%s: with the rooms added the item is %s", c.Code, it.Status)
					}
				}
			}
		}
	}
	for _, k := range []string{AddRooms, Reorganise, Policy, Resource} {
		if !seen[k] {
			t.Errorf("no %s gap in the demo province", k)
		}
	}
}
