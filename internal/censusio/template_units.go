package censusio

import (
	"fmt"
	"slices"

	"github.com/dudao-edu/dudao/internal/census"
)

// templateSpec is what the template of one record kind holds.
type templateSpec struct {
	sheet    string
	title    string
	cols     []templateColumn
	examples []map[string]any
	notes    []string
	freeze   string   // the column up to which the sheet is frozen
	text     []string // columns formatted as text (codes)
}

func (sp *templateSpec) isText(key string) bool { return slices.Contains(sp.text, key) }

// specFor returns the template of kind ("" is school).
func specFor(kind string) (*templateSpec, error) {
	k, ok := ParseKind(kind)
	if !ok {
		return nil, fmt.Errorf("模板类别 %q 无效：可用 school（义务教育学校）、kindergarten（幼儿园）、county（县级数据）", kind)
	}
	switch k {
	case census.KindKindergarten:
		return &templateSpec{sheet: "幼儿园", title: "幼儿园基本情况导入模板：填写说明", cols: unitColumns(&census.KindergartenTable),
			examples: kindergartenExamples, notes: kindergartenNotes, freeze: "kindergarten_name",
			text: []string{"county_code", "kindergarten_code"}}, nil
	case census.KindCounty:
		return &templateSpec{sheet: "县级数据", title: "县级数据导入模板：填写说明", cols: unitColumns(&census.CountyTable),
			examples: countyExamples, notes: countyNotes, freeze: "county_name", text: []string{"county_code"}}, nil
	}
	return &templateSpec{sheet: templateSheet, title: "义务教育学校基本情况导入模板：填写说明", cols: templateColumns(),
		examples: templateExamples, notes: templateNotes, freeze: "school_name", text: []string{"county_code", "school_code"}}, nil
}

// unitColumns lists the template columns of a table: text, then numbers.
func unitColumns(t *census.Table) []templateColumn {
	var cols []templateColumn
	for _, c := range t.Text {
		cols = append(cols, templateColumn{header: c.ZH, key: c.Key, required: c.Required, note: c.Note})
	}
	for _, c := range t.Num {
		cols = append(cols, templateColumn{header: templateHeader(c), key: c.Key, unit: c.Unit,
			integer: c.Integer, numeric: true, note: c.Note})
	}
	return cols
}

// kindergartenExamples are consistent example rows, one of each category.
var kindergartenExamples = []map[string]any{
	{
		"year": 2024, "county_code": "340207", "county_name": "鸠江区", "kindergarten_code": "3134020801",
		"kindergarten_name": "【示例】鸠江区实验幼儿园", "category": "公办", "location": "城区",
		"children": 360, "classes_small": 4, "classes_middle": 4, "classes_large": 4, "classes_mixed": 0,
		"oversize_small": 0, "oversize_middle": 1, "oversize_large": 0, "oversize_mixed": 0,
		"teachers": 26, "certified_teachers": 26, "principal_certified": 1, "caregivers": 12,
		"building_area": 4200, "outdoor_area": 3600,
	},
	{
		"year": 2024, "county_code": "340207", "county_name": "鸠江区", "kindergarten_code": "3134020802",
		"kindergarten_name": "【示例】鸠江区阳光幼儿园", "category": "普惠性民办", "location": "镇区",
		"children": 180, "classes_small": 2, "classes_middle": 2, "classes_large": 2, "classes_mixed": 0,
		"oversize_small": 0, "oversize_middle": 0, "oversize_large": 1, "oversize_mixed": 0,
		"teachers": 12, "certified_teachers": 11, "principal_certified": 1, "caregivers": 6,
		"building_area": 1500,
	},
	{
		"year": 2024, "county_code": "340207", "county_name": "鸠江区", "kindergarten_code": "3134020803",
		"kindergarten_name": "【示例】鸠江区小天使幼儿园", "category": "非普惠民办", "location": "乡村",
		"children": 60, "classes_small": 0, "classes_middle": 0, "classes_large": 0, "classes_mixed": 2,
		"oversize_small": 0, "oversize_middle": 0, "oversize_large": 0, "oversize_mixed": 0,
		"teachers": 4, "certified_teachers": 3, "principal_certified": 0, "caregivers": 2,
	},
}

var kindergartenNotes = []string{
	"每所幼儿园每个年度填一行。第一行是表头（列名），请勿修改，也不要在它上面加标题行；同一年度内幼儿园标识码不能重复。",
	"列名可以用中文列名或英文键（见下表），列的先后顺序不限；全角或半角括号、空格、列名后的单位都不影响识别。不认识的列会被忽略，并在导入时提示。",
	"空白单元格表示“未填报”，不会当作 0；确实为零的请填 0（如没有混龄班，混龄班数填 0）。",
	"办园类型填：" + categoryList() + "。公办园、普惠性民办园以当地政府公布的名单为准。普及普惠三项指标：毛入园率 = 在园幼儿数 ÷ 3至5周岁常住适龄儿童数（在县级数据中填报）；普惠性幼儿园覆盖率 = 公办园和普惠性民办园在园幼儿数 ÷ 在园幼儿总数；公办园在园幼儿占比 = 公办园在园幼儿数 ÷ 在园幼儿总数。",
	"超班额班数：小班超过25人、中班超过30人、大班超过35人、混龄班超过30人的班级个数；不能多于该年龄组的班数。",
	"园长持证：园长持有教师资格证和园长岗位培训合格证的填 1，否则填 0。",
	"幼儿园名称以“【示例】”开头的行是示例，导入时自动跳过，可以直接删除或覆盖。也可以另存为 CSV 文件导入，UTF-8 或 GBK 编码均可。",
}

// countyExamples is one consistent example county.
var countyExamples = []map[string]any{
	{
		"year": 2024, "county_code": "340207", "county_name": "【示例】鸠江区",
		"basic_balance_year": 2016, "small_schools": 6, "small_schools_funded": 6, "special_ed_funding": 7200,
		"teacher_pay": 112000, "civil_servant_pay": 108000, "training_required": 1850, "training_completed": 1850,
		"rotation_eligible": 1200, "rotation_teachers": 150, "rotation_backbone_eligible": 260, "rotation_backbone": 36,
		"nearby_primary_entrants": 4210, "nearby_primary_admitted": 4210, "nearby_junior_entrants": 3650, "nearby_junior_admitted": 3540,
		"hs_quota_places": 2400, "hs_quota_allocated": 1320, "migrant_children": 5230, "migrant_children_public": 4710,
		"public_funds_primary": 1200, "public_funds_junior": 1400, "retention_entrants": 3720, "retention_grade9": 3615,
		"disabled_children": 212, "disabled_enrolled": 207, "monitoring_level": 3, "monitoring_level3_share": 88.5,
		"monitoring_school_gap": 0.11, "recognition_compulsory": 91.2, "recognition_preschool": 89.6, "resident_children_3_5": 14600,
	},
}

var countyNotes = []string{
	"每个县区每个年度填一行，记录由县级汇总的数字：优质均衡的政府保障程度、教育质量、社会认可度和申报前提，学前教育普及普惠的适龄儿童数和社会认可度。学校、幼儿园各自的数据另用各自的模板。",
	"比例类指标请分别填分子和分母（如“交流轮岗教师数”和“符合交流轮岗条件的教师数”），由系统计算比例并说明计算过程；不要填算好的比例。",
	"列名可以用中文列名或英文键（见下表），列的先后顺序不限。空白单元格表示“未填报”，相关项目显示为“待定（数据未填报）”，不会当作 0 或不达标。",
	"单位为 % 的列填百分数的数值，如 96.5（也可写 96.5%）。单位为 元 的列如按万元填写，请把表头改为“…（万元）”。",
	"基本均衡认定年度：通过国家基本均衡认定的年份，评估年度与它相差 3 年以上才能申报优质均衡；尚未通过的请留空。",
	"县区名称以“【示例】”开头的行是示例，导入时自动跳过。也可以另存为 CSV 文件导入，UTF-8 或 GBK 编码均可。",
}
