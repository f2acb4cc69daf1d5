package plan

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// ItemGap is what it takes to meet one unmet item of a whole standard,
// beyond the 资源配置 part that Solve plans: additions a county can make
// school by school (rooms), or why additions cannot meet it (school size,
// class size: students must be moved, schools built, classes split; a
// county's own policy figures; judged items).
type ItemGap struct {
	ItemID, Item string
	// Kind is AddRooms (additions planned below), Reorganise (no addition
	// meets it), Policy (a county-level figure: funds, posts, rotation,
	// enrolment), Judged (an item judged by people) or Resource (the
	// 资源配置 part, planned by Solve).
	Kind      string
	How       string // in Chinese: what it takes
	Additions []SchoolAddition
	Cost      float64 // 元, for AddRooms
}

// SchoolAddition is an addition at one school.
type SchoolAddition struct {
	Code, Name string
	What       string  // in Chinese
	Qty        float64 // in units of What
	Cost       float64 // 元
	// Adds is the addition by census column key (rooms of each kind),
	// which Whole adds to the school's figures.
	Adds map[string]float64
}

// The kinds of ItemGap.
const (
	AddRooms   = "add_rooms"
	Reorganise = "reorganise"
	Policy     = "policy"
	Judged     = "judged"
	Resource   = "resource"
)

// RoomArea is the area of one music or art room the standard asks for
// (音乐 96 ㎡, 美术 90 ㎡: the larger is costed).
const RoomArea = 96

// WholeGaps lists, for every item of county c's whole-standard verdict
// that is not met, what it takes, with costs from costs: a music or art
// room costs RoomArea ㎡ of teaching_area. The 资源配置 part is one entry
// pointing at Solve's plan.
func WholeGaps(c *eval.County, costs Costs) []ItemGap {
	if c == nil || c.Verdict == nil {
		return nil
	}
	room := RoomArea * costs.Unit("teaching_area").Cost
	var out []ItemGap
	if !c.ResourcePass && len(c.Stages) > 0 {
		out = append(out, ItemGap{ItemID: "resource", Item: "资源配置（七项指标和差异系数）", Kind: Resource,
			How: "由补短板规划计算费用最低的补充方案（教师、校舍、场地、设备）"})
	}
	music, art := census.Columns[census.MusicRoomsStandard].Key, census.Columns[census.ArtRoomsStandard].Key
	for _, it := range c.Verdict.Items {
		if it.Status != census.StatusNotMet || resourceItem(it) {
			continue
		}
		g := ItemGap{ItemID: it.Item.ID, Item: it.Item.ZH}
		switch {
		case it.Item.ID == "music_art_rooms":
			g.Kind = AddRooms
			missing := 0
			for _, ch := range it.Checks {
				for _, s := range ch.Schools {
					if s.Missing || math.IsNaN(s.Value) {
						missing++
						continue
					}
					if len(s.Short) == 0 {
						continue
					}
					// Each room of each kind is built: a school short of 2
					// music rooms and 1 art room builds 3.
					var what []string
					if q := s.Short[music]; q > 0 {
						what = append(what, fmt.Sprintf("达标音乐教室 %g 间", q))
					}
					if q := s.Short[art]; q > 0 {
						what = append(what, fmt.Sprintf("达标美术教室 %g 间", q))
					}
					a := SchoolAddition{Code: s.Code, Name: s.Name, Adds: s.Short, What: strings.Join(what, "、")}
					for _, q := range s.Short {
						a.Qty += q
					}
					a.Cost = a.Qty * room
					g.Additions = append(g.Additions, a)
					g.Cost += a.Cost
				}
			}
			g.How = fmt.Sprintf("逐校补建达标专用教室：每间按 %d ㎡、%s 元/㎡ 计", RoomArea, fmtCost(costs.Unit("teaching_area").Cost))
			if missing > 0 {
				g.How += fmt.Sprintf("；另有 %d 所学校未填报专用教室或班级数，补报后才能认定", missing)
			}
		case it.Item.ID == "school_size" || it.Item.ID == "class_size":
			g.Kind = Reorganise
			g.How = "补充教师或设施不能解决：须分流学生、新建或扩建学校、增设班级（调整学校布局和招生计划）"
		case it.Item.Evidence && len(it.Checks) == 0:
			g.Kind = Judged
			g.How = "评议项目：按评议意见整改，附佐证材料"
		default:
			g.Kind = Policy
			g.How = "县级保障措施（经费、编制、交流轮岗、招生入学等），不属于补充学校资源"
			for _, ch := range it.Checks {
				if ch.Check != nil && ch.Check.Kind == "schools" {
					g.How = fmt.Sprintf("逐校整改：%d 所学校不达标", ch.Failed)
				}
			}
		}
		out = append(out, g)
	}
	return out
}

// resourceItem reports whether item result it is the 资源配置 part itself
// (judged by the indicators and CVs, which Solve plans).
func resourceItem(it *eval.ItemResult) bool {
	for _, ch := range it.Checks {
		if ch.Check != nil && ch.Check.Kind == standards.CheckResource {
			return true
		}
	}
	return false
}

func fmtCost(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// WholePlan is the least-cost plan over every numeric item of a whole
// standard that additions can meet: the rooms each school must build for
// the music and art room item, then the 资源配置 plan solved on the
// figures with those rooms built (a new room is teaching and auxiliary
// area, so it counts towards 生均教学及辅助用房面积 and the plan buys no
// area the rooms already give). The rooms are forced — every one is
// needed whatever else is bought — so the resource plan solved after them
// is the least-cost whole.
type WholePlan struct {
	// Rooms is the music and art room item's gap, nil when it is met.
	Rooms *ItemGap
	// Resource is the 资源配置 plan on the figures with the rooms built.
	Resource *Plan
	// Others are the unmet items no addition meets (school size, class
	// size), the county's own figures, and judged items.
	Others []ItemGap
	// Total is the rooms' cost plus the resource plan's, in 元.
	Total float64
	// Before and After are the whole-standard verdicts without and with
	// every addition (rooms and the resource plan).
	Before, After *eval.County
}

// Whole plans the whole standard r for one county: in holds its schools
// of year (and its county record and judgements for the other items).
// Solve's options apply to the 资源配置 part.
func Whole(r *standards.Rules, year int, in eval.Inputs, opt Options) (*WholePlan, error) {
	if len(in.Schools) == 0 {
		return nil, fmt.Errorf("没有学校数据")
	}
	if opt.Costs == nil {
		opt.Costs = DefaultCosts()
	}
	code := in.Schools[0].CountyCode
	for _, s := range in.Schools {
		if s.CountyCode != code {
			return nil, fmt.Errorf("整体规划一次只针对一个县区：%s 与 %s 不同", s.CountyCode, code)
		}
	}
	county := func(res *eval.Result) *eval.County {
		for _, c := range res.Counties {
			if c.Code == code {
				return c
			}
		}
		return nil
	}
	wp := &WholePlan{Before: county(eval.EvaluateWhole(r, year, in))}
	if wp.Before == nil {
		return nil, fmt.Errorf("县区 %s 没有 %d 年度的数据", code, year)
	}
	add := map[string]map[string]float64{}
	area := census.Columns[census.TeachingArea].Key
	for _, g := range WholeGaps(wp.Before, opt.Costs) {
		switch g.Kind {
		case AddRooms:
			wp.Rooms = &g
			wp.Total += g.Cost
			for _, a := range g.Additions {
				cols := map[string]float64{}
				for k, q := range a.Adds {
					cols[k] += q
				}
				cols[area] += a.Qty * RoomArea
				add[a.Code] = cols
			}
		case Resource:
		default:
			wp.Others = append(wp.Others, g)
		}
	}
	schools, err := applyReported(in.Schools, add)
	if err != nil {
		return nil, err
	}
	if len(r.Indicators) > 0 {
		if wp.Resource, err = Solve(r, schools, opt); err != nil {
			return nil, err
		}
		if wp.Resource.Feasible {
			wp.Total += wp.Resource.TotalCost
			if schools, err = Apply(schools, additions(wp.Resource.Schools)); err != nil {
				return nil, err
			}
		}
	}
	after := in
	after.Schools = schools
	wp.After = county(eval.EvaluateWhole(r, year, after))
	return wp, nil
}

// applyReported adds add to schools as Apply does, except that a column
// the school did not report is left as it is (the addition is still
// costed; the figure stays unreported, and the item says so).
func applyReported(schools []census.School, add map[string]map[string]float64) ([]census.School, error) {
	for code, cols := range add {
		i := slices.IndexFunc(schools, func(s census.School) bool { return s.Code == code })
		if i < 0 {
			return nil, fmt.Errorf("没有学校 %s", code)
		}
		for k := range cols {
			if f, ok := census.FieldByKey(k); !ok || !schools[i].Has(f) {
				delete(cols, k)
			}
		}
	}
	return Apply(schools, add)
}
