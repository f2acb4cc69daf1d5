package web

import (
	"context"
	"fmt"
	"hash/fnv"

	"github.com/dudao-edu/dudao/internal/afterschool"
	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// seedAfterschool stores a 课后服务 ledger of school year year — its
// autumn term — for each of the counties given, through the same store
// call an import makes, built from the county's schools of the year:
// most schools offer the service five days a week until 17:30 or later;
// from one in six to one in thirteen does not, one in seven runs four
// days, from one in four to one in eight ends at 17:00; one school in twenty is left out of the ledger; a few
// providers are vetted, one failing and one pending. The figures differ
// between counties by a hash of the county's code, deterministically.
func seedAfterschool(ctx context.Context, st *store.Store, year int, counties []string) error {
	for _, code := range counties {
		schools, err := st.Schools(ctx, year, code)
		if err != nil {
			return err
		}
		h := fnv.New32a()
		h.Write([]byte(code))
		seed := int(h.Sum32() % 97)
		d := afterschool.Schema.New()
		add := func(table string, v map[string]string) error {
			if err := d.Add(table, v); err != nil {
				return fmt.Errorf("demo after-school ledger of %s: %w", code, err)
			}
			return nil
		}
		k := 0
		for _, s := range schools {
			if s.Type == census.TeachingPoint || s.Type == census.Special || len(s.Type.Stages()) == 0 {
				continue
			}
			k++
			n := seed + k
			if n%20 == 7 {
				continue // left out of the ledger
			}
			var students, teachers int
			for _, stg := range s.Type.Stages() {
				students += int(s.Students(stg))
				f := census.TeachersPrimary
				if stg == census.StageJunior {
					f = census.TeachersJunior
				}
				if v, ok := s.Get(f); ok {
					teachers += int(v)
				}
			}
			row := map[string]string{"school": s.Code, "name": s.Name, "term": "秋季学期", "offers": "是",
				"students": fmt.Sprint(students), "teachers": fmt.Sprint(teachers)}
			if n%(6+seed%8) == 4 {
				row["offers"] = "否"
				row["remark"] = "生源少，家长无需求"
			} else {
				days, end := "5", []string{"17:30", "17:40", "18:00", "17:30", "18:10"}[n%5]
				if n%7 == 3 {
					days = "4"
				}
				if n%(4+seed%5) == 1 {
					end = "17:00"
				}
				fee := []string{"0", "0", "200", "300"}[n%4]
				surveyed := 40 + n%60
				row["days"], row["end"], row["fee"], row["subsidy"] = days, end, fee, "150"
				row["students_in"] = fmt.Sprint(students * (62 + n%33) / 100)
				row["teachers_in"] = fmt.Sprint(teachers * (55 + n%40) / 100)
				row["courses"] = fmt.Sprint(6 + n%18)
				row["providers"] = fmt.Sprint(n % 4)
				if n%10 != 0 {
					row["surveyed"] = fmt.Sprint(surveyed)
					row["satisfied"] = fmt.Sprint(surveyed * (80 + n%19) / 100)
				}
			}
			if err := add(afterschool.TTerms, row); err != nil {
				return err
			}
		}
		for i, p := range []struct{ name, typ, vetting, vetted string }{
			{"科创教育科技有限公司", "企业", "通过", fmt.Sprintf("%d-08-20", year)},
			{"青少年活动中心", "公办场馆", "通过", fmt.Sprintf("%d-08-15", year)},
			{"艺体培训中心", "非营利性机构", "未通过", fmt.Sprintf("%d-08-25", year)},
			{"棋艺俱乐部", "企业", "审核中", ""},
		} {
			if (seed+i)%5 == 0 && i > 1 {
				continue
			}
			credit := fmt.Sprintf("91%s%02dMA%06d", code, i, seed*1000+i)
			if err := add(afterschool.TProviders, map[string]string{"provider": p.name, "credit": credit[:18], "type": p.typ,
				"vetting": p.vetting, "vetted": p.vetted, "schools": fmt.Sprint(2 + (seed+i)%5)}); err != nil {
				return err
			}
		}
		if _, err := st.SaveLedger(ctx, "demo", code, year, []string{fmt.Sprintf("演示课后服务台账-%s.xlsx", code)}, "", store.AnyVersion, d); err != nil {
			return err
		}
	}
	return nil
}
