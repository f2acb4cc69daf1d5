package census

// CountyField identifies one numeric column of the county record.
type CountyField int

// The numeric columns of the county record (kind `county`): the county-level
// figures that the whole standards judge (standards.md §2.4–2.6, §4), as
// numerators and denominators wherever the rule is a ratio, so that the
// ratio is computed and explained rather than typed in. Template order;
// append new ones at the end.
const (
	CBasicBalanceYear CountyField = iota
	CSmallSchools
	CSmallSchoolsFunded
	CSpecialEdFunding
	CTeacherPay
	CCivilServantPay
	CTrainingRequired
	CTrainingCompleted
	CRotationEligible
	CRotationTeachers
	CRotationBackboneEligible
	CRotationBackbone
	CNearbyPrimaryEntrants
	CNearbyPrimaryAdmitted
	CNearbyJuniorEntrants
	CNearbyJuniorAdmitted
	CHSQuotaPlaces
	CHSQuotaAllocated
	CMigrantChildren
	CMigrantChildrenPublic
	CPublicFundsPrimary
	CPublicFundsJunior
	CRetentionEntrants
	CRetentionGrade9
	CDisabledChildren
	CDisabledEnrolled
	CMonitoringLevel
	CMonitoringLevel3Share
	CMonitoringSchoolGap
	CRecognitionCompulsory
	CRecognitionPreschool
	CResidentChildren3to5
	NumCountyFields
)

// CountyColumns is the table of the county record's numeric columns,
// indexed by CountyField. A unit of "%" means a percentage written as a
// number (96.5 for 96.5 %); the reader also accepts "96.5%".
var CountyColumns = [NumCountyFields]Column{
	CBasicBalanceYear:         {Key: "basic_balance_year", ZH: "基本均衡认定年度", Unit: "年", Integer: true, Note: "县域义务教育基本均衡发展通过国家认定的年度，如 2016；尚未通过请留空。优质均衡的前提：认定满3年"},
	CSmallSchools:             {Key: "small_schools", ZH: "不足100人的村小学和教学点数", Unit: "个", Integer: true},
	CSmallSchoolsFunded:       {Key: "small_schools_funded", ZH: "按100人核定公用经费的村小学和教学点数", Unit: "个", Integer: true, Note: "应等于上一列", PartOf: "small_schools"},
	CSpecialEdFunding:         {Key: "special_ed_funding", ZH: "特殊教育学校生均公用经费", Unit: "元/生", Note: "全国标准不低于6000元（辽宁8000元）"},
	CTeacherPay:               {Key: "teacher_pay", ZH: "义务教育教师年平均工资收入", Unit: "元", Note: "不低于当地公务员年平均工资收入"},
	CCivilServantPay:          {Key: "civil_servant_pay", ZH: "当地公务员年平均工资收入", Unit: "元"},
	CTrainingRequired:         {Key: "training_required", ZH: "应完成五年360学时培训的教师数", Unit: "人", Integer: true},
	CTrainingCompleted:        {Key: "training_completed", ZH: "已完成五年360学时培训的教师数", Unit: "人", Integer: true, Note: "完成率须达到100%", PartOf: "training_required"},
	CRotationEligible:         {Key: "rotation_eligible", ZH: "符合交流轮岗条件的教师数", Unit: "人", Integer: true},
	CRotationTeachers:         {Key: "rotation_teachers", ZH: "交流轮岗教师数", Unit: "人", Integer: true, Note: "不低于符合条件教师数的10%", PartOf: "rotation_eligible"},
	CRotationBackboneEligible: {Key: "rotation_backbone_eligible", ZH: "符合交流轮岗条件的骨干教师数", Unit: "人", Integer: true, Note: "安徽：骨干教师交流比例以此为分母"},
	CRotationBackbone:         {Key: "rotation_backbone", ZH: "交流轮岗的骨干教师数", Unit: "人", Integer: true, Note: "全国标准：不低于交流轮岗教师数的20%", PartOf: "rotation_teachers"},
	CNearbyPrimaryEntrants:    {Key: "nearby_primary_entrants", ZH: "城区和镇区公办小学一年级新生数", Unit: "人", Integer: true, Note: "不含寄宿制学校"},
	CNearbyPrimaryAdmitted:    {Key: "nearby_primary_admitted", ZH: "城区和镇区公办小学就近入学人数", Unit: "人", Integer: true, Note: "就近划片入学比例须达到100%", PartOf: "nearby_primary_entrants"},
	CNearbyJuniorEntrants:     {Key: "nearby_junior_entrants", ZH: "城区和镇区公办初中一年级新生数", Unit: "人", Integer: true, Note: "不含寄宿制学校"},
	CNearbyJuniorAdmitted:     {Key: "nearby_junior_admitted", ZH: "城区和镇区公办初中就近入学人数", Unit: "人", Integer: true, Note: "就近划片入学比例不低于95%", PartOf: "nearby_junior_entrants"},
	CHSQuotaPlaces:            {Key: "hs_quota_places", ZH: "优质普通高中招生计划数", Unit: "人", Integer: true},
	CHSQuotaAllocated:         {Key: "hs_quota_allocated", ZH: "优质普通高中分配到初中的招生名额", Unit: "人", Integer: true, Note: "不低于招生计划的50%，并向农村初中倾斜", PartOf: "hs_quota_places"},
	CMigrantChildren:          {Key: "migrant_children", ZH: "进城务工人员随迁子女在校生数", Unit: "人", Integer: true},
	CMigrantChildrenPublic:    {Key: "migrant_children_public", ZH: "在公办学校和政府购买学位的民办学校就读的随迁子女数", Unit: "人", Integer: true, Note: "不低于85%", PartOf: "migrant_children"},
	CPublicFundsPrimary:       {Key: "public_funds_primary", ZH: "小学生均公用经费", Unit: "元/生", Note: "辽宁：不低于1150元"},
	CPublicFundsJunior:        {Key: "public_funds_junior", ZH: "初中生均公用经费", Unit: "元/生", Note: "辽宁：不低于1350元"},
	CRetentionEntrants:        {Key: "retention_entrants", ZH: "三年前初一年级新生数", Unit: "人", Integer: true, Note: "初中三年巩固率的分母"},
	CRetentionGrade9:          {Key: "retention_grade9", ZH: "本届初三年级在校生数", Unit: "人", Integer: true, Note: "按统计口径扣除转入、加上转出和死亡；巩固率 = 本列 ÷ 上一列，不低于95%"},
	CDisabledChildren:         {Key: "disabled_children", ZH: "适龄残疾儿童少年数", Unit: "人", Integer: true},
	CDisabledEnrolled:         {Key: "disabled_enrolled", ZH: "适龄残疾儿童少年入学人数", Unit: "人", Integer: true, Note: "含随班就读、特教学校和送教上门；入学率不低于95%", PartOf: "disabled_children"},
	CMonitoringLevel:          {Key: "monitoring_level", ZH: "质量监测学业水平等级", Unit: "级", Integer: true, Note: "国家义务教育质量监测报告中的等级：Ⅲ级填 3，Ⅳ级填 4；须达到Ⅲ级以上"},
	CMonitoringLevel3Share:    {Key: "monitoring_level3_share", ZH: "质量监测Ⅲ级以上学生比例", Unit: "%", Note: "重庆：四、八年级学生达到Ⅲ级以上的比例不低于85%"},
	CMonitoringSchoolGap:      {Key: "monitoring_school_gap", ZH: "质量监测校际差异率", Unit: "", Note: "监测报告中的校际差异率，如 0.12；须小于0.15"},
	CRecognitionCompulsory:    {Key: "recognition_compulsory", ZH: "义务教育社会认可度", Unit: "%", Note: "社会认可度调查结果，不低于85%"},
	CRecognitionPreschool:     {Key: "recognition_preschool", ZH: "学前教育社会认可度", Unit: "%", Note: "社会认可度调查结果，不低于85%"},
	CResidentChildren3to5:     {Key: "resident_children_3_5", ZH: "3至5周岁常住适龄儿童数", Unit: "人", Integer: true, Note: "学前三年毛入园率的分母"},
}

// CountyTextColumns are the county record's identifying columns.
var CountyTextColumns = []TextColumn{
	{Key: "year", ZH: "年度", Required: true, Note: "统计年度，如 2024"},
	{Key: "county_code", ZH: "县区代码", Required: true, Note: "6位行政区划代码；每个县区每个年度一行"},
	{Key: "county_name", ZH: "县区名称", Required: true},
}

// CountyTable is the column table of kind county.
var CountyTable = Table{
	Kind: KindCounty, CodeKey: "county_code", NameKey: "county_name",
	Names: []string{"县级数据", "county", "counties", "县区", "县级", "县区数据"}, PerRow: "每个县区",
	Text: CountyTextColumns, Num: CountyColumns[:],
	New: func() UnitRecord { c := NewCountyRecord(); return &c },
}

// CountyRecord is one county's own figures for one year (kind `county`).
type CountyRecord struct {
	Year       int
	CountyCode string
	CountyName string
	// V holds the numeric columns, indexed by CountyField; NaN means not reported.
	V [NumCountyFields]float64
}

// NewCountyRecord returns a record with every number not reported.
func NewCountyRecord() CountyRecord {
	var c CountyRecord
	nanArray(c.V[:])
	return c
}

// Get returns a value and whether it was reported.
func (c *CountyRecord) Get(f CountyField) (float64, bool) { v := c.V[f]; return v, v == v }

// Key implements UnitRecord: the county code.
func (c *CountyRecord) Key() (int, string) { return c.Year, c.CountyCode }

// SetYear implements UnitRecord.
func (c *CountyRecord) SetYear(y int) { c.Year = y }

// Values implements UnitRecord.
func (c *CountyRecord) Values() []float64 { return c.V[:] }

// Text implements UnitRecord.
func (c *CountyRecord) Text(key string) string {
	switch key {
	case "county_code":
		return c.CountyCode
	case "county_name":
		return c.CountyName
	}
	return ""
}

// SetText implements UnitRecord.
func (c *CountyRecord) SetText(key, v string) {
	switch key {
	case "county_code":
		c.CountyCode = v
	case "county_name":
		c.CountyName = v
	}
}
