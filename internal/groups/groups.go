// Package groups holds the rules of a county's 教育集团 (集团化办学,
// school groups): the ledger a county keeps of its groups — type
// (紧密型 / 松散型) and mode (融合 / 共建 / 协作), lead school, the member
// schools over time, the yearly evaluation — and the coverage work plans
// quote ("46 个集团覆盖 219 所学校"): the schools and students in a group, by
// stage and by urban and rural schools, against the county's census.
//
// The ledger is declared once (Schema, an internal/ledger schema); its
// reader, template, store, form and API all follow the declaration.
//
// What counts (the method, also in the README):
//   - a group counts on a day when it was founded on or before it (or no
//     founding date is given) and not dissolved on or before it;
//   - its members that day are the schools that joined on or before it and
//     have not left on or before it, and always its lead school;
//   - a school counts once however many groups it is in;
//   - schools are the census's compulsory schools of the year, without
//     教学点 and 特殊教育学校 (the statistics do not count them as
//     schools); a school counts in each stage it has a part in (a 九年一贯制
//     school in 小学 and 初中, a 完全中学 in 初中 only), with that stage's
//     students;
//   - urban are the schools whose 城乡类型 is 城区 or 镇区, rural those of
//     乡村; a school without one is in neither;
//   - the day is the school year's start: 1 September of the census year.
package groups

import (
	"time"

	"github.com/dudao-edu/dudao/internal/ledger"
)

// Table ids of the ledger.
const (
	TGroups      = "groups"
	TMembers     = "members"
	TEvaluations = "evaluations"
)

// Tightness: 紧密型 or 松散型.
const (
	Close = "close"
	Loose = "loose"
)

// Schema is the 教育集团 ledger: groups, member schools over time, and
// yearly evaluations.
var Schema = &ledger.Schema{
	Kind: "groups",
	ZH:   "教育集团台账",
	EN:   "School groups ledger",
	Tables: []ledger.Table{
		{
			ID: TGroups, Sheet: "教育集团", EN: "Groups", Names: []string{"集团", "groups"},
			Key: []string{"group"},
			Cols: []ledger.Column{
				{Key: "group", ZH: "集团编号", EN: "Group ID", Aliases: []string{"集团代码", "编号"}, Required: true, Note: "县里给集团的编号，如 JT01；成员学校和考核表用它指集团"},
				{Key: "name", ZH: "集团名称", EN: "Group name", Aliases: []string{"名称"}, Required: true},
				{Key: "tightness", ZH: "集团类型", EN: "Type", Aliases: []string{"类型", "紧密程度"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: Close, ZH: "紧密型", EN: "close", Aliases: []string{"紧密"}},
					{Value: Loose, ZH: "松散型", EN: "loose", Aliases: []string{"松散"}},
				}},
				{Key: "mode", ZH: "办学模式", EN: "Mode", Aliases: []string{"模式", "集团模式"}, Type: ledger.Choice, Options: []ledger.Option{
					{Value: "merge", ZH: "融合型", EN: "merged", Aliases: []string{"融合"}},
					{Value: "build", ZH: "共建型", EN: "co-built", Aliases: []string{"共建"}},
					{Value: "cooperate", ZH: "协作型", EN: "cooperating", Aliases: []string{"协作"}},
				}},
				{Key: "lead", ZH: "牵头学校代码", EN: "Lead school code", Aliases: []string{"核心校代码", "龙头学校代码"}, Required: true, Note: "牵头学校的学校标识码；牵头学校算作集团成员"},
				{Key: "lead_name", ZH: "牵头学校", EN: "Lead school", Aliases: []string{"牵头学校名称", "核心校"}},
				{Key: "founded", ZH: "成立日期", EN: "Founded", Aliases: []string{"成立时间"}, Type: ledger.Date, Note: "如 2021-09-01；留空为一直存在"},
				{Key: "dissolved", ZH: "撤销日期", EN: "Dissolved", Aliases: []string{"撤销时间"}, Type: ledger.Date, Note: "集团撤销的日期；仍存在的留空"},
			},
			Check: func(r ledger.Row) []ledger.Problem {
				if d, f := r.Date("dissolved"), r.Date("founded"); !d.IsZero() && !f.IsZero() && !d.After(f) {
					return []ledger.Problem{{Key: "dissolved", Problem: "不晚于成立日期", Fix: "请核对成立和撤销日期"}}
				}
				return nil
			},
		},
		{
			ID: TMembers, Sheet: "成员学校", EN: "Member schools", Names: []string{"成员", "members"},
			Key: []string{"group", "school", "joined"},
			Cols: []ledger.Column{
				{Key: "group", ZH: "集团编号", EN: "Group ID", Aliases: []string{"集团代码", "编号"}, Required: true, Note: "「教育集团」表中的集团编号"},
				{Key: "school", ZH: "学校代码", EN: "School code", Aliases: []string{"学校标识码", "成员学校代码"}, Required: true, Note: "成员学校的学校标识码"},
				{Key: "name", ZH: "学校名称", EN: "School name", Aliases: []string{"成员学校", "名称"}},
				{Key: "joined", ZH: "加入日期", EN: "Joined", Aliases: []string{"加入时间"}, Type: ledger.Date, Required: true, Note: "如 2022-09-01"},
				{Key: "left", ZH: "退出日期", EN: "Left", Aliases: []string{"退出时间"}, Type: ledger.Date, Note: "退出集团的日期；仍在集团的留空"},
			},
			Check: func(r ledger.Row) []ledger.Problem {
				if l := r.Date("left"); !l.IsZero() && !l.After(r.Date("joined")) {
					return []ledger.Problem{{Key: "left", Problem: "不晚于加入日期", Fix: "请核对加入和退出日期"}}
				}
				return nil
			},
		},
		{
			ID: TEvaluations, Sheet: "年度考核", EN: "Yearly evaluations", Names: []string{"考核", "evaluations"},
			Key: []string{"group", "year"},
			Cols: []ledger.Column{
				{Key: "group", ZH: "集团编号", EN: "Group ID", Aliases: []string{"集团代码", "编号"}, Required: true, Note: "「教育集团」表中的集团编号"},
				{Key: "year", ZH: "考核年度", EN: "Year", Aliases: []string{"年度"}, Type: ledger.Count, Required: true, Note: "如 2024"},
				{Key: "result", ZH: "考核结果", EN: "Result", Aliases: []string{"结果", "等次"}, Type: ledger.Choice, Required: true, Options: []ledger.Option{
					{Value: "excellent", ZH: "优秀", EN: "excellent"},
					{Value: "good", ZH: "良好", EN: "good"},
					{Value: "pass", ZH: "合格", EN: "pass"},
					{Value: "fail", ZH: "不合格", EN: "fail"},
				}},
				{Key: "remark", ZH: "考核意见", EN: "Remarks", Aliases: []string{"意见", "备注"}},
			},
			Check: func(r ledger.Row) []ledger.Problem {
				if y := r.Int("year"); y < 1990 || y > 2200 {
					return []ledger.Problem{{Key: "year", Problem: "不是年度", Fix: "请填写四位年度，如 2024"}}
				}
				return nil
			},
		},
	},
	Check: func(d *ledger.Data) []ledger.RowProblem {
		known := map[string]bool{}
		for _, g := range d.Rows(TGroups) {
			known[g.Get("group")] = true
		}
		var out []ledger.RowProblem
		for _, id := range []string{TMembers, TEvaluations} {
			for _, r := range d.Rows(id) {
				if !known[r.Get("group")] {
					out = append(out, ledger.RowProblem{Row: r, Problem: ledger.Problem{Key: "group",
						Problem: "不是「教育集团」表中的集团编号", Fix: "先在「教育集团」表中填写这个集团，或改正编号"}})
				}
			}
		}
		return out
	},
}

// Group is one group of the ledger, with its members over time.
type Group struct {
	ID, Name  string
	Tightness string // Close or Loose
	Mode      string // merge, build, cooperate, or ""
	Lead      string // the lead school's code
	LeadName  string
	Founded   time.Time // zero: not given
	Dissolved time.Time // zero: not dissolved
	Members   []Member
	// Results are the yearly evaluations by year (the Option values).
	Results map[int]string
}

// Member is one school's membership of a group.
type Member struct {
	School, Name string
	Joined, Left time.Time // Left zero: still a member
}

// Of returns the groups of a ledger, in its order.
func Of(d *ledger.Data) []Group {
	var out []Group
	at := map[string]int{}
	for _, r := range d.Rows(TGroups) {
		at[r.Get("group")] = len(out)
		out = append(out, Group{ID: r.Get("group"), Name: r.Get("name"), Tightness: r.Get("tightness"), Mode: r.Get("mode"),
			Lead: r.Get("lead"), LeadName: r.Get("lead_name"), Founded: r.Date("founded"), Dissolved: r.Date("dissolved"),
			Results: map[int]string{}})
	}
	for _, r := range d.Rows(TMembers) {
		if i, ok := at[r.Get("group")]; ok {
			out[i].Members = append(out[i].Members, Member{School: r.Get("school"), Name: r.Get("name"), Joined: r.Date("joined"), Left: r.Date("left")})
		}
	}
	for _, r := range d.Rows(TEvaluations) {
		if i, ok := at[r.Get("group")]; ok {
			out[i].Results[r.Int("year")] = r.Get("result")
		}
	}
	return out
}

// Active reports whether g exists on day.
func (g Group) Active(day time.Time) bool {
	return (g.Founded.IsZero() || !g.Founded.After(day)) && (g.Dissolved.IsZero() || g.Dissolved.After(day))
}

// On returns the codes of g's member schools on day — its lead school
// first, then the members in the ledger's order, each once — or none when
// g does not exist that day.
func (g Group) On(day time.Time) []string {
	if !g.Active(day) {
		return nil
	}
	out := []string{g.Lead}
	seen := map[string]bool{g.Lead: true}
	for _, m := range g.Members {
		if seen[m.School] || m.Joined.After(day) || (!m.Left.IsZero() && !m.Left.After(day)) {
			continue
		}
		seen[m.School] = true
		out = append(out, m.School)
	}
	return out
}

// Day is the day a census year's coverage is counted on: 1 September.
func Day(year int) time.Time { return time.Date(year, time.September, 1, 0, 0, 0, 0, time.UTC) }
