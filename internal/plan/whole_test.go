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

// TestWhole: on every county of the demo province, the whole plan builds
// the rooms each school lacks (each kind counted), solves 资源配置 on the
// figures with them built, and with every addition made the engine finds
// both items met; what is left unmet is only what additions cannot meet.
// The rooms' area counts towards the resource plan, so it never costs
// more than the plan solved without them, and somewhere it costs less.
func TestWhole(t *testing.T) {
	p := demo.Generate(demo.DefaultSeed)
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	y := demo.LatestYear
	byCounty := map[string][]census.School{}
	for _, s := range p.Year(y) {
		byCounty[s.CountyCode] = append(byCounty[s.CountyCode], s)
	}
	rooms, cheaper := 0, 0
	for code, schools := range byCounty {
		in := eval.Inputs{Schools: schools, Counties: p.CountyRecords, Judgements: p.Judgements}
		wp, err := Whole(rules, y, in, Options{})
		if err != nil {
			t.Fatalf("%s: %v", code, err)
		}
		total := 0.0
		if wp.Rooms != nil {
			rooms++
			total += wp.Rooms.Cost
			for _, a := range wp.Rooms.Additions {
				n := 0.0
				for _, q := range a.Adds {
					n += q
				}
				if n != a.Qty || a.Cost != n*RoomArea*DefaultCosts().Unit("teaching_area").Cost {
					t.Errorf("%s %s: %v rooms %v costed %v", code, a.Code, a.Adds, a.Qty, a.Cost)
				}
			}
		}
		status := map[string]census.Status{}
		for _, it := range wp.After.Verdict.Items {
			status[it.Item.ID] = it.Status
		}
		if wp.Rooms != nil && status["music_art_rooms"] == census.StatusNotMet {
			t.Errorf("%s: with the rooms built the item is still not met", code)
		}
		if wp.Resource != nil && wp.Resource.Feasible {
			total += wp.Resource.TotalCost
			if !wp.After.ResourcePass {
				t.Errorf("%s: with the plan made 资源配置 still fails", code)
			}
		}
		if wp.Resource != nil && wp.Resource.Feasible && wp.Rooms != nil {
			// Solved without the rooms, the resource plan costs as much or more.
			alone, err := Solve(rules, schools, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if alone.Feasible && wp.Resource.TotalCost > alone.TotalCost {
				t.Errorf("%s: with the rooms built the plan costs %v, without %v", code, wp.Resource.TotalCost, alone.TotalCost)
			}
			if alone.Feasible && wp.Resource.TotalCost < alone.TotalCost {
				cheaper++
			}
		}
		if total != wp.Total {
			t.Errorf("%s: total %v, parts %v", code, wp.Total, total)
		}
		for _, g := range wp.Others {
			if g.Kind == AddRooms || g.Kind == Resource {
				t.Errorf("%s: %s left in others", code, g.ItemID)
			}
			if g.Kind == Reorganise && status[g.ItemID] != census.StatusNotMet {
				t.Errorf("%s: %s said to need reorganising, but the additions meet it", code, g.ItemID)
			}
		}
	}
	if rooms == 0 {
		t.Fatal("no county of the demo lacks rooms: the test proves nothing")
	}
	t.Logf("%d counties build rooms; in %d the rooms make the resource plan cheaper", rooms, cheaper)
}
