package plan

import (
	"fmt"
	"math"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
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
	for _, it := range c.Verdict.Items {
		if it.Status != census.StatusNotMet {
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
					if s.Value >= s.Limit {
						continue
					}
					need := math.Ceil(s.Limit - s.Value)
					a := SchoolAddition{Code: s.Code, Name: s.Name, What: "达标音乐、美术专用教室（间）", Qty: need, Cost: need * room}
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

func fmtCost(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
