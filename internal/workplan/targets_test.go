package workplan

import (
	"bytes"
	"strings"
	"testing"
)

// TestTargetsRealPlan pins every quantitative target of the real plan
// (testdata/workplan-2023.txt, items 10–18). The excerpt holds seven; they
// are all here, each found by the text around it.
func TestTargetsRealPlan(t *testing.T) {
	p, err := Parse("workplan-2023.txt", bytes.NewReader(realPlan(t)))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		item    string
		around  string // the text around the target in the plan
		text    string // the highlighted span
		kind    Kind
		verb    string
		subject string
		value   float64
		unit    string
		approx  bool
	}
	wants := []want{
		{"10", "新建、改扩建中小学幼儿园80所,提供学位", "80所", KindBuild, "新建、改扩建", "中小学幼儿园", 80, "所", false},
		{"10", "提供学位7.7万个。落实", "7.7万个", KindProvide, "提供", "学位", 77000, "个", false},
		{"10", "改造农村薄弱幼儿园70所。", "70所", KindBuild, "改造", "农村薄弱幼儿园", 70, "所", false},
		{"12", "遴选建设50个左右产教融合示范学科专业(群)", "50个", KindBuild, "遴选建设", "产教融合示范学科专业", 50, "个", true},
		{"17", "新建人工智能教育实验室200间。", "200间", KindBuild, "新建", "人工智能教育实验室", 200, "间", false},
		{"17", "培养300名中小学信息化专家型校长、", "300名", KindProvide, "培养", "中小学信息化专家型校长", 300, "名", false},
		{"17", "、500名专家型学科教师,启动", "500名", KindProvide, "培养", "专家型学科教师", 500, "名", false},
	}
	got := map[string][]Target{}
	total := 0
	for _, it := range p.Items {
		got[it.Number] = it.Targets
		total += len(it.Targets)
		for _, tg := range it.Targets {
			if it.Text[tg.Start:tg.End] != tg.Text {
				t.Errorf("item %s: span %d:%d is %q, text %q", it.Number, tg.Start, tg.End, it.Text[tg.Start:tg.End], tg.Text)
			}
		}
	}
	if total != len(wants) {
		t.Errorf("%d targets in the plan, want %d: %+v", total, len(wants), got)
	}
	for _, w := range wants {
		var it Item
		for _, i := range p.Items {
			if i.Number == w.item {
				it = i
			}
		}
		at := strings.Index(it.Text, w.around)
		if at < 0 {
			t.Fatalf("item %s lacks %q", w.item, w.around)
		}
		found := false
		for _, tg := range got[w.item] {
			if tg.Start < at || tg.End > at+len(w.around) {
				continue
			}
			found = true
			if tg.Text != w.text || tg.Kind != w.kind || tg.Verb != w.verb || tg.Subject != w.subject ||
				tg.Value != w.value || tg.Unit != w.unit || tg.Approx != w.approx {
				t.Errorf("%q: got %+v", w.around, tg)
			}
		}
		if !found {
			t.Errorf("%q: no target found", w.around)
		}
	}
}

// TestNotTargetsRealPlan: numbers in the real plan that are not targets.
func TestNotTargetsRealPlan(t *testing.T) {
	plan := string(realPlan(t))
	for _, s := range []string{
		"落实《XX市基础教育优质资源倍增三年行动计划》。",        // a document's title, 三年
		"落实《XX市\"十四五\"学前教育发展提升行动计划》,",     // 十四五
		"\"一长多校\"办学模式改革",                  // a name
		"开展第二批特色高中认定。",                    // an ordinal
		"提升职业教育与24条产业链的匹配度。",              // 条 is not a target's unit
		"开展在青高等教育机构\"百名大师XX行\"活动。",        // a campaign's name
		"紧扣2024年全省中考统一命题新变化,",             // a year
		"打造XX教育e平台2.0升级版,",                // a version
		"提升中高职五年制贯通培养和\"3+4\"中职本科贯通培养质量,", // 五年制, 3+4
		"用好线上、线下两大阵地,",                    // 两大
	} {
		if !strings.Contains(plan, s) {
			t.Errorf("the plan lacks %q", s)
		}
		if got := Targets(s); len(got) != 0 {
			t.Errorf("%q: %+v, want none", s, got)
		}
	}
}

// TestTargetsPhrases are phrases of other plans, not in the test plan:
// the brief's own examples and the usual forms of targets.
func TestTargetsPhrases(t *testing.T) {
	for _, c := range []struct {
		text, span string
		kind       Kind
		value      float64
		unit       string
		subject    string
		bound      string
	}{
		{"学前教育普惠率达到93%", "93%", KindAtLeast, 93, "%", "学前教育普惠率", ""},
		{"义务教育巩固率保持在99%以上", "99%", KindAtLeast, 99, "%", "义务教育巩固率", "以上"},
		{"大班额比例控制在5%以内", "5%", KindAtMost, 5, "%", "大班额比例", "以内"},
		{"学前三年毛入园率不低于95％", "95％", KindAtLeast, 95, "%", "学前三年毛入园率", ""},
		{"普通高中毛入学率提高3个百分点", "3个百分点", KindAtLeast, 3, "百分点", "普通高中毛入学率", ""},
		{"新建幼儿园八十所", "八十所", KindBuild, 80, "所", "幼儿园", ""},
		{"提供学位七万个", "七万个", KindProvide, 70000, "个", "学位", ""},
		{"新增公办学位1,200个", "1,200个", KindProvide, 1200, "个", "公办学位", ""},
		{"培训教师1.2万人次", "1.2万人次", KindProvide, 12000, "人次", "教师", ""},
		{"投入资金3.5亿元", "3.5亿元", KindProvide, 3.5e8, "元", "资金", ""},
		{"安排专项资金500万元", "500万元", KindProvide, 5e6, "元", "专项资金", ""},
		{"改扩建校舍2.3万平方米", "2.3万平方米", KindBuild, 23000, "平方米", "校舍", ""},
		{"创建国家义务教育优质均衡发展县3个", "3个", KindBuild, 3, "个", "国家义务教育优质均衡发展县", ""},
		{"新建学校5所以上", "5所", KindBuild, 5, "所", "学校", "以上"},
		{"新增2000个学位", "2000个学位", KindProvide, 2000, "个", "学位", ""},
		// A known limit: a lone 一 is refused everywhere (一批, 一所), here too.
		{"中小学生近视率每年降低百分之一", "", "", 0, "", "", ""},
		{"体质健康优良率达到百分之五十", "百分之五十", KindAtLeast, 50, "%", "体质健康优良率", ""},
		{"全市在校生规模保持在6万人以上", "6万人", KindAtLeast, 60000, "人", "全市在校生规模", "以上"},
		{"新建１２所学校", "１２所学校", KindBuild, 12, "所", "学校", ""},
	} {
		got := Targets(c.text)
		if c.span == "" {
			if len(got) != 0 {
				t.Errorf("%q: %+v, want none", c.text, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Errorf("%q: %+v, want one target", c.text, got)
			continue
		}
		g := got[0]
		if g.Text != c.span || c.text[g.Start:g.End] != c.span || g.Kind != c.kind || g.Value != c.value ||
			g.Unit != c.unit || g.Subject != c.subject || g.Bound != c.bound {
			t.Errorf("%q: got %+v", c.text, g)
		}
	}
}

// TestNotTargets: numbers that look like quantities and are not.
func TestNotTargets(t *testing.T) {
	for _, s := range []string{
		"2023年新建工作启动", // a year
		"根据《国务院办公厅关于进一步加强教育督导的意见》(国办发〔2017〕6号)新建机制", // a document number
		"开展第二批示范校创建",          // an ordinal
		"9月1日前完成新建校舍验收",       // a date
		"落实《XX市教育强市建设三年行动计划》", // a plan's name
		"编制\"十四五\"教育发展规划",     // 十四五
		"依照《教育法》第三十条建立制度",     // an article number
		"用3个月时间完成改造",          // a duration
		"争创全国前10名",            // a ranking
		"建设一所高水平学校和一批特色学校",    // 一所/一批: articles
		"5G网络覆盖全部学校",          // a name
		"实施第十四个五年规划",          // ordinal
	} {
		if got := Targets(s); len(got) != 0 {
			t.Errorf("%q: %+v, want none", s, got)
		}
	}
}

func TestParseChinese(t *testing.T) {
	for s, want := range map[string]int64{"八十": 80, "七万": 70000, "一百零五": 105, "三千五百": 3500, "十二": 12, "两百": 200,
		"一万二千": 12000, "十万": 100000, "九": 9, "一千万": 1e7} {
		if got, ok := parseChinese(s); !ok || got != want {
			t.Errorf("%s: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"十四五", "二〇二三", "百", "万", "一二", "十十", "千百"} {
		if got, ok := parseChinese(s); ok {
			t.Errorf("%s: %d, want refused", s, got)
		}
	}
}
