package web

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/dudao-edu/dudao/internal/ledger"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/ticket"
	"github.com/dudao-edu/dudao/internal/training"
)

// seedTraining stores a 校外培训机构 registry for each of the counties
// given, through the same store call an import makes: 30 to 59
// institutions a county (a few hundred a city), a quarter of them 学科类,
// each with its sites, staff and charges, last year's grading scores and,
// for a few, a status change. Each rule is broken by some institutions,
// at fixed strides through the list, relative to the store's clock (an
// expired licence ended 10 to 59 days ago, an expiring one ends within 55
// days), so the demo shows every rule whatever day it runs. The demo
// county's lists of the year are published, so its public page has
// something to show. Deterministic from each county's code.
func seedTraining(ctx context.Context, st *store.Store, counties []string, publish string) error {
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		return err
	}
	set := rules.Settings.Training
	now := st.Now()
	today, _ := time.Parse(time.DateOnly, ticket.Day(now))
	year := today.Year() - 1 // the grading of the last full year
	for _, code := range counties {
		d, err := demoRegistry(code, today, year, set.Grading)
		if err != nil {
			return fmt.Errorf("demo training registry of %s: %w", code, err)
		}
		v, err := st.SaveLedger(ctx, "demo", code, 0, []string{"校外培训机构台账.xlsx"}, "", store.AnyVersion, d)
		if err != nil {
			return err
		}
		if code == publish {
			white, black := training.Lists(d, year, today, training.LimitsOf(set), set.Grading)
			if _, err := st.PublishTrainingLists(ctx, "demo", code, year, v.ID, listEntries(white), listEntries(black)); err != nil {
				return err
			}
		}
	}
	return nil
}

var (
	demoTrainingWords = []string{"启明", "晨光", "博雅", "智慧", "星火", "育才", "新航", "卓越", "阳光", "墨韵", "飞跃", "童趣", "创想", "乐学",
		"书香", "明德", "知行", "思源", "远航", "彩虹", "小树", "青禾", "未来", "星辰", "海纳", "致远", "优学"}
	demoTrainingKinds = []struct{ category, field, suffix, approver, prefix, course string }{
		{"学科类", "", "培训学校", "教育部门", "教民", "初中数学"},
		{"学科类", "", "学堂", "教育部门", "教民", "小学英语"},
		{"非学科类", "文化艺术", "艺术培训中心", "文化和旅游部门", "文民", "少儿美术"},
		{"非学科类", "文化艺术", "音乐学校", "文化和旅游部门", "文民", "钢琴"},
		{"非学科类", "体育", "体育俱乐部", "体育部门", "体民", "篮球"},
		{"非学科类", "体育", "游泳培训中心", "体育部门", "体民", "游泳"},
		{"非学科类", "科技", "科技创新中心", "科技部门", "科民", "机器人"},
		{"非学科类", "科技", "编程学校", "科技部门", "科民", "少儿编程"},
	}
	demoSurnames = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"}
	demoGiven    = []string{"芳", "伟", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "霞", "平"}
)

// demoRegistry builds one county's registry.
func demoRegistry(code string, today time.Time, year int, g standards.Grading) (*ledger.Data, error) {
	h := fnv.New32a()
	h.Write([]byte(code))
	seed := int(h.Sum32() % 997)
	d := training.Schema.New()
	var err error
	add := func(table string, v map[string]string) {
		if err == nil {
			if e := d.Add(table, v); e != nil {
				err = fmt.Errorf("%s %v: %w", table, v, e)
			}
		}
	}
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	n := 30 + seed%30
	for i := range n {
		k := seed + i*7
		// A quarter 学科类: kinds 0 and 1 on every fourth institution.
		kind := demoTrainingKinds[2+k%6]
		if i%4 == 0 {
			kind = demoTrainingKinds[k%2]
		}
		w := len(demoTrainingWords)
		name := demoTrainingWords[i%w] + kind.suffix
		if i >= w {
			name = demoTrainingWords[i%w] + demoTrainingWords[(i/w*7+seed)%w] + kind.suffix
		}
		stem := fmt.Sprintf("52%sMJ%07d", code, 1000+i)
		form := "民办非企业单位"
		if kind.category == "非学科类" && k%3 == 0 {
			stem, form = fmt.Sprintf("91%sMA%07d", code, 1000+i), "企业"
		}
		credit := stem + training.CreditCheck(stem)
		from := time.Date(2021+k%4, time.Month(1+k%12), 1, 0, 0, 0, 0, time.UTC)
		to := from.AddDate(5, 0, -1)
		switch {
		case i%17 == 3:
			to = today.AddDate(0, 0, -(10 + k%50)) // expired
		case i%13 == 5:
			to = today.AddDate(0, 0, 5+k%50) // expiring within 55 days
		case !to.After(today.AddDate(0, 0, 60)):
			to = today.AddDate(1+k%3, 2, 0) // renewed
		}
		if !to.After(from) {
			from = to.AddDate(-5, 0, 1)
		}
		licence := fmt.Sprintf("%s%s%06d号", kind.prefix, code, 100+i)
		if i%41 == 8 && kind.category == "学科类" {
			licence = "" // a 学科类 institution without a licence
		}
		custody, account := "银行托管", fmt.Sprintf("南江银行 6217%08d", seed*1000+i)
		switch {
		case i%19 == 8:
			custody, account = "未落实", ""
		case i%29 == 9:
			custody, account = "风险保证金", ""
		case k%5 == 0:
			custody, account = "风险保证金", fmt.Sprintf("保证金专户 %s-%03d", code, i)
		}
		row := map[string]string{"credit": credit, "name": name, "form": form, "licence": licence, "category": kind.category, "field": kind.field,
			"mode": "线下", "approver": kind.approver, "custody": custody, "account": account,
			"address": fmt.Sprintf("%s路%d号", demoTrainingWords[(k/5)%len(demoTrainingWords)], 1+k%300), "contact": fmt.Sprintf("0591-8%07d", seed*100+i)}
		if licence != "" {
			row["licence_from"], row["licence_to"] = day(from), day(to)
		}
		if k%9 == 0 {
			row["mode"] = "线上"
		}
		add(training.TInstitutions, row)
		fire := "合格"
		if i%53 == 14 {
			fire = "未验收"
		}
		add(training.TSites, map[string]string{"credit": credit, "address": row["address"], "area": strconv.Itoa(120 + (k*37)%600), "fire": fire})
		for j := range 2 + k%3 {
			person := map[string]string{"credit": credit, "person": fmt.Sprintf("T%02d", j+1),
				"name": demoSurnames[(k+j*5)%len(demoSurnames)] + demoGiven[(k*3+j)%len(demoGiven)], "teaching": "是", "serving": "否"}
			if kind.category == "学科类" && !(i%7 == 1 && j == 0) {
				person["certificate"] = fmt.Sprintf("20%02d35%011d", 10+(k+j)%14, seed*10000+i*10+j)
			}
			if i%23 == 6 && j == 1 {
				person["serving"] = "是"
			}
			add(training.TStaff, person)
		}
		charge := map[string]string{"credit": credit, "course": kind.course, "months": "3", "hours": strconv.Itoa(24 + k%36), "amount": strconv.Itoa(1200 + (k*53)%3600)}
		if i%11 == 2 {
			charge["months"], charge["hours"] = "6", "96"
		}
		if i%9 == 4 && kind.category == "非学科类" {
			charge["amount"] = "6800"
		}
		add(training.TCharges, charge)
		if k%4 == 1 {
			add(training.TCharges, map[string]string{"credit": credit, "course": kind.course + "（暑期班）", "months": "2", "hours": "30", "amount": strconv.Itoa(900 + k%1000)})
		}
		switch {
		case i%31 == 10:
			add(training.TStatuses, map[string]string{"credit": credit, "date": day(today.AddDate(0, -2, 0)), "status": "停业整顿", "document": fmt.Sprintf("教监〔%d〕%d号", today.Year(), 10+i), "reason": "消防安全隐患未整改"})
		case i%37 == 11:
			add(training.TStatuses, map[string]string{"credit": credit, "date": day(today.AddDate(0, -5, 0)), "status": "吊销许可证", "document": fmt.Sprintf("教罚〔%d〕%d号", today.Year(), 3+i), "reason": "违规开展学科类培训"})
		case i%43 == 12:
			add(training.TStatuses, map[string]string{"credit": credit, "date": day(today.AddDate(0, -8, 0)), "status": "终止办学", "reason": "举办者申请终止"})
		}
		// Last year's grading: most institutions score 80 to 98, some 60
		// to 79, one in fifteen below 60; one in 47 misses an indicator.
		q := 80 + k%19
		switch {
		case i%15 == 7:
			q = 40 + k%19
		case i%6 == 5:
			q = 60 + k%20
		}
		for x, in := range g.Indicators {
			if i%47 == 13 && x == len(g.Indicators)-1 {
				continue
			}
			pts := (in.Max*q + 50) / 100
			if (k+x)%3 == 0 && pts < in.Max {
				pts++
			}
			add(training.TScores, map[string]string{"year": strconv.Itoa(year), "credit": credit, "indicator": in.ID, "score": strconv.Itoa(pts), "basis": "年度检查记录"})
		}
	}
	if err != nil {
		return nil, err
	}
	if ps := d.Validate(); len(ps) > 0 {
		return nil, fmt.Errorf("%v", ps[0].Problem)
	}
	return d, nil
}
