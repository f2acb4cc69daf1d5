package web

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/groups"
	"github.com/dudao-edu/dudao/internal/store"
)

// seedGroups stores a 教育集团 ledger for each of the counties given,
// through the same store call an import makes, built from the county's
// schools of year: about one group for every six schools, each led by an
// urban school where there is one, close groups merged or co-built and
// loose ones cooperating; members join in 2021 or 2023, one in ten has
// left; the share of schools in a group differs between counties (from
// about a third to nearly all). The first county's ledger also names a
// 教学点 as a member, so its page shows the member it does not count.
func seedGroups(ctx context.Context, st *store.Store, year int, counties []string) error {
	for ci, code := range counties {
		schools, err := st.Schools(ctx, year, code)
		if err != nil {
			return err
		}
		var urban, rest []census.School
		var point *census.School
		for i, s := range schools {
			switch {
			case s.Type == census.TeachingPoint:
				if point == nil {
					point = &schools[i]
				}
			case s.Type == census.Special:
			case s.Location == "城区" || s.Location == "镇区":
				urban = append(urban, s)
			default:
				rest = append(rest, s)
			}
		}
		all := append(append([]census.School{}, urban...), rest...)
		if len(all) < 3 {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(code))
		share := 35 + int(h.Sum32()%60) // percent of schools in a group
		n := max(1, len(all)/6)
		inGroup := max(n, len(all)*share/100)
		d := groups.Schema.New()
		add := func(table string, v map[string]string) error {
			if err := d.Add(table, v); err != nil {
				return fmt.Errorf("demo groups ledger of %s: %w", code, err)
			}
			return nil
		}
		for g := range n {
			lead := all[g]
			id := fmt.Sprintf("JT%02d", g+1)
			tight, mode := "紧密型", "融合型"
			switch g % 3 {
			case 1:
				mode = "共建型"
			case 2:
				tight, mode = "松散型", "协作型"
			}
			if err := add(groups.TGroups, map[string]string{"group": id, "name": lead.Name + "教育集团", "tightness": tight, "mode": mode,
				"lead": lead.Code, "lead_name": lead.Name, "founded": "2021-09-01"}); err != nil {
				return err
			}
			result := []string{"优秀", "良好", "合格", "良好", "不合格"}[(g+ci)%5]
			for y := year - 1; y <= year; y++ {
				if err := add(groups.TEvaluations, map[string]string{"group": id, "year": fmt.Sprint(y), "result": result}); err != nil {
					return err
				}
			}
		}
		for k, s := range all[n:inGroup] {
			m := map[string]string{"group": fmt.Sprintf("JT%02d", k%n+1), "school": s.Code, "name": s.Name, "joined": "2021-09-01"}
			if k%4 == 3 {
				m["joined"] = "2023-09-01"
			}
			if k%10 == 9 {
				m["left"] = fmt.Sprintf("%d-07-01", year)
			}
			if err := add(groups.TMembers, m); err != nil {
				return err
			}
		}
		if ci == 0 && point != nil {
			if err := add(groups.TMembers, map[string]string{"group": "JT01", "school": point.Code, "name": point.Name, "joined": "2022-09-01"}); err != nil {
				return err
			}
		}
		if _, err := st.SaveLedger(ctx, "demo", code, 0, []string{fmt.Sprintf("演示教育集团台账-%s.xlsx", code)}, "", store.AnyVersion, d); err != nil {
			return err
		}
	}
	return nil
}
