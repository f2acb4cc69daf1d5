// Package census holds the yearly census records that dudao evaluates: the
// compulsory-school record (one row per school per year) and the table of its
// columns (key, Chinese name, unit), which the importers, the template, the
// store and the engine all read, so that a column is defined exactly once.
//
// A numeric value that was not reported is NaN, never zero: an empty cell in
// a census file means "not reported" (interfaces.md §2).
package census

import (
	"fmt"
	"math"
	"strings"
)

// SchoolType is the kind of a compulsory-stage school as the statistics name it.
type SchoolType string

// The school types of interfaces.md §2.1. Vocational schools never reach the
// compulsory-school census; special schools are kept and excluded by the engine.
const (
	Primary           SchoolType = "primary"            // 小学
	Junior            SchoolType = "junior"             // 初中
	NineYear          SchoolType = "nine_year"          // 九年一贯制学校
	TwelveYear        SchoolType = "twelve_year"        // 十二年一贯制学校
	CompleteSecondary SchoolType = "complete_secondary" // 完全中学
	TeachingPoint     SchoolType = "teaching_point"     // 教学点
	Special           SchoolType = "special"            // 特殊教育学校
)

// SchoolTypes lists every type with its Chinese name, in the order a form shows them.
var SchoolTypes = []struct {
	Type SchoolType
	ZH   string
}{
	{Primary, "小学"},
	{Junior, "初中"},
	{NineYear, "九年一贯制学校"},
	{TwelveYear, "十二年一贯制学校"},
	{CompleteSecondary, "完全中学"},
	{TeachingPoint, "教学点"},
	{Special, "特殊教育学校"},
}

// ZH returns the Chinese name of the type, or the key itself when unknown.
func (t SchoolType) ZH() string {
	for _, s := range SchoolTypes {
		if s.Type == t {
			return s.ZH
		}
	}
	return string(t)
}

// ParseSchoolType reads a school type given by key or Chinese name (with a few
// common variants such as 九年一贯制 without 学校). ok is false when unknown.
func ParseSchoolType(s string) (SchoolType, bool) {
	s = strings.TrimSpace(s)
	for _, t := range SchoolTypes {
		if s == string(t.Type) || s == t.ZH || s+"学校" == t.ZH {
			return t.Type, true
		}
	}
	switch s {
	case "完中":
		return CompleteSecondary, true
	case "特教学校", "特殊教育":
		return Special, true
	case "小学教学点":
		return TeachingPoint, true
	}
	return "", false
}

// Stage is one stage of compulsory education.
type Stage string

// The two compulsory stages, plus senior high school, which only matters when
// a mixed school's shared totals are split between its parts.
const (
	StagePrimary Stage = "primary"
	StageJunior  Stage = "junior"
	StageSenior  Stage = "senior"
)

// ZH returns the stage's Chinese name.
func (s Stage) ZH() string {
	switch s {
	case StagePrimary:
		return "小学"
	case StageJunior:
		return "初中"
	case StageSenior:
		return "高中"
	}
	return string(s)
}

// Stages reports which compulsory stages a school of type t has a part in
// (standards.md §2.3). A 完全中学 contributes its junior part only.
func (t SchoolType) Stages() []Stage {
	switch t {
	case Primary, TeachingPoint:
		return []Stage{StagePrimary}
	case Junior, CompleteSecondary:
		return []Stage{StageJunior}
	case NineYear, TwelveYear:
		return []Stage{StagePrimary, StageJunior}
	case Special:
		// Special schools teach compulsory-age pupils but are outside the
		// seven indicators; the engine lists them as excluded.
		return []Stage{StagePrimary, StageJunior}
	}
	return nil
}

// Field identifies one numeric column of the school record.
type Field int

// Column describes one numeric column: its stable key, its Chinese header, its
// unit, and whether it counts whole things (people, rooms, classes).
type Column struct {
	Key     string
	ZH      string
	Unit    string // shown in the template header, e.g. ㎡, 元, 人
	Integer bool   // counts: a fractional value is an input error
	Note    string // explained in the template's notes sheet
	// Group names the section of an edit form that shows the column
	// (students, teachers, facilities, parts, …); forms show a column
	// without one under a section of its own, never leave it out.
	Group string
	// PartOf is the key of the column that counts the whole of which this
	// column counts a part (oversize classes of classes): the reader refuses
	// a part larger than its whole.
	PartOf string
}

// The numeric columns of the school record. Their order is the order of the
// template; append new ones at the end so stored data keeps its meaning.
const (
	StudentsPrimary Field = iota
	StudentsJunior
	StudentsSenior
	ClassesPrimary
	ClassesJunior
	OversizeClassesPrimary
	OversizeClassesJunior
	TeachersPrimary
	TeachersJunior
	QualifiedTeachersPrimary
	QualifiedTeachersJunior
	BackboneTeachersPrimary
	BackboneTeachersJunior
	PEArtTeachersPrimary
	PEArtTeachersJunior
	CertifiedTeachers
	TeachingArea
	SportsArea
	EquipmentValue
	MultimediaRooms
	MusicRoomsStandard
	ArtRoomsStandard
	TeachingAreaPrimary
	TeachingAreaJunior
	SportsAreaPrimary
	SportsAreaJunior
	EquipmentValuePrimary
	EquipmentValueJunior
	MultimediaRoomsPrimary
	MultimediaRoomsJunior
	IndoorGymArea
	// Added for 基本均衡 (jbjh2012) and the per-school items of 优质均衡.
	Computers
	Books
	ComputersPrimary
	ComputersJunior
	BooksPrimary
	BooksJunior
	SeniorTitleTeachersPrimary
	SeniorTitleTeachersJunior
	PublicFunds
	TrainingFunds
	NumFields // the number of numeric fields; not a field
)

// Columns is the table of numeric columns, indexed by Field.
var Columns = [NumFields]Column{
	StudentsPrimary:          {Key: "students_primary", ZH: "小学在校生数", Unit: "人", Integer: true, Group: "students"},
	StudentsJunior:           {Key: "students_junior", ZH: "初中在校生数", Unit: "人", Integer: true, Group: "students"},
	StudentsSenior:           {Key: "students_senior", ZH: "高中在校生数", Unit: "人", Integer: true, Note: "只用于拆分完全中学、十二年一贯制学校的共用设施", Group: "students"},
	ClassesPrimary:           {Key: "classes_primary", ZH: "小学班级数", Unit: "个", Integer: true, Group: "students"},
	ClassesJunior:            {Key: "classes_junior", ZH: "初中班级数", Unit: "个", Integer: true, Group: "students"},
	OversizeClassesPrimary:   {Key: "oversize_classes_primary", ZH: "小学超45人班级数", Unit: "个", Integer: true, Group: "students"},
	OversizeClassesJunior:    {Key: "oversize_classes_junior", ZH: "初中超50人班级数", Unit: "个", Integer: true, Group: "students"},
	TeachersPrimary:          {Key: "teachers_primary", ZH: "小学专任教师数", Unit: "人", Integer: true, Group: "teachers"},
	TeachersJunior:           {Key: "teachers_junior", ZH: "初中专任教师数", Unit: "人", Integer: true, Group: "teachers"},
	QualifiedTeachersPrimary: {Key: "qualified_teachers_primary", ZH: "小学高于规定学历教师数", Unit: "人", Integer: true, Note: "小学：大专及以上学历专任教师（含在编和合同制专任教师，不含兼职、代课教师）", Group: "teachers"},
	QualifiedTeachersJunior:  {Key: "qualified_teachers_junior", ZH: "初中高于规定学历教师数", Unit: "人", Integer: true, Note: "初中：本科及以上学历专任教师（含在编和合同制专任教师，不含兼职、代课教师）", Group: "teachers"},
	BackboneTeachersPrimary:  {Key: "backbone_teachers_primary", ZH: "小学县级以上骨干教师数", Unit: "人", Integer: true, Group: "teachers"},
	BackboneTeachersJunior:   {Key: "backbone_teachers_junior", ZH: "初中县级以上骨干教师数", Unit: "人", Integer: true, Group: "teachers"},
	PEArtTeachersPrimary:     {Key: "pe_art_teachers_primary", ZH: "小学体育艺术专任教师数", Unit: "人", Integer: true, Note: "体育、音乐、美术专任教师之和", Group: "teachers"},
	PEArtTeachersJunior:      {Key: "pe_art_teachers_junior", ZH: "初中体育艺术专任教师数", Unit: "人", Integer: true, Note: "体育、音乐、美术专任教师之和", Group: "teachers"},
	CertifiedTeachers:        {Key: "certified_teachers", ZH: "持证专任教师数", Unit: "人", Integer: true, Group: "teachers"},
	TeachingArea:             {Key: "teaching_area", ZH: "教学及辅助用房面积", Unit: "㎡", Note: "全校合计；一贯制学校和完全中学按学段拆分，另填分学段数据的以分学段数据为准", Group: "facilities"},
	SportsArea:               {Key: "sports_area", ZH: "体育运动场馆面积", Unit: "㎡", Note: "全校合计，运动场地与室内体育馆面积之和", Group: "facilities"},
	EquipmentValue:           {Key: "equipment_value", ZH: "教学仪器设备值", Unit: "元", Note: "全校合计；表头写（万元）时按万元读入", Group: "facilities"},
	MultimediaRooms:          {Key: "multimedia_rooms", ZH: "网络多媒体教室数", Unit: "间", Integer: true, Note: "全校合计", Group: "facilities"},
	MusicRoomsStandard:       {Key: "music_rooms_standard", ZH: "达标音乐专用教室数", Unit: "间", Integer: true, Note: "面积不小于96㎡的音乐专用教室", Group: "facilities"},
	ArtRoomsStandard:         {Key: "art_rooms_standard", ZH: "达标美术专用教室数", Unit: "间", Integer: true, Note: "面积不小于90㎡的美术专用教室", Group: "facilities"},
	TeachingAreaPrimary:      {Key: "teaching_area_primary", ZH: "小学部教学及辅助用房面积", Unit: "㎡", Note: "可选：一贯制学校分学段数据，填写后不再按学生数拆分", Group: "parts"},
	TeachingAreaJunior:       {Key: "teaching_area_junior", ZH: "初中部教学及辅助用房面积", Unit: "㎡", Note: "可选：分学段数据", Group: "parts"},
	SportsAreaPrimary:        {Key: "sports_area_primary", ZH: "小学部体育运动场馆面积", Unit: "㎡", Note: "可选：分学段数据", Group: "parts"},
	SportsAreaJunior:         {Key: "sports_area_junior", ZH: "初中部体育运动场馆面积", Unit: "㎡", Note: "可选：分学段数据", Group: "parts"},
	EquipmentValuePrimary:    {Key: "equipment_value_primary", ZH: "小学部教学仪器设备值", Unit: "元", Note: "可选：分学段数据", Group: "parts"},
	EquipmentValueJunior:     {Key: "equipment_value_junior", ZH: "初中部教学仪器设备值", Unit: "元", Note: "可选：分学段数据", Group: "parts"},
	MultimediaRoomsPrimary:   {Key: "multimedia_rooms_primary", ZH: "小学部网络多媒体教室数", Unit: "间", Integer: true, Note: "可选：分学段数据", Group: "parts"},
	MultimediaRoomsJunior:    {Key: "multimedia_rooms_junior", ZH: "初中部网络多媒体教室数", Unit: "间", Integer: true, Note: "可选：分学段数据", Group: "parts"},
	IndoorGymArea:            {Key: "indoor_gym_area", ZH: "室内体育馆面积", Unit: "㎡", Note: "可选：省级方案要求从教学及辅助用房中扣除时使用", Group: "facilities"},

	Computers:                  {Key: "computers", ZH: "教学用计算机台数", Unit: "台", Integer: true, Note: "全校合计；基本均衡“每百名学生拥有计算机台数”", Group: "facilities"},
	Books:                      {Key: "books", ZH: "图书册数", Unit: "册", Integer: true, Note: "全校合计；基本均衡“生均图书册数”", Group: "facilities"},
	ComputersPrimary:           {Key: "computers_primary", ZH: "小学部教学用计算机台数", Unit: "台", Integer: true, Note: "可选：分学段数据", Group: "parts"},
	ComputersJunior:            {Key: "computers_junior", ZH: "初中部教学用计算机台数", Unit: "台", Integer: true, Note: "可选：分学段数据", Group: "parts"},
	BooksPrimary:               {Key: "books_primary", ZH: "小学部图书册数", Unit: "册", Integer: true, Note: "可选：分学段数据", Group: "parts"},
	BooksJunior:                {Key: "books_junior", ZH: "初中部图书册数", Unit: "册", Integer: true, Note: "可选：分学段数据", Group: "parts"},
	SeniorTitleTeachersPrimary: {Key: "senior_title_teachers_primary", ZH: "小学中级及以上职称教师数", Unit: "人", Integer: true, Note: "具有中级及以上专业技术职务的小学专任教师；基本均衡指标", Group: "teachers"},
	SeniorTitleTeachersJunior:  {Key: "senior_title_teachers_junior", ZH: "初中中级及以上职称教师数", Unit: "人", Integer: true, Note: "具有中级及以上专业技术职务的初中专任教师；基本均衡指标", Group: "teachers"},
	PublicFunds:                {Key: "public_funds", ZH: "公用经费支出", Unit: "元", Note: "学校年度公用经费支出；优质均衡“教师培训经费不低于公用经费的5%”的分母", Group: "funds"},
	TrainingFunds:              {Key: "training_funds", ZH: "教师培训经费支出", Unit: "元", Note: "学校年度用于教师培训的经费", Group: "funds"},
}

// Key returns the field's column key.
func (f Field) Key() string { return Columns[f].Key }

// String returns the field's column key.
func (f Field) String() string {
	if f < 0 || f >= NumFields {
		return fmt.Sprintf("Field(%d)", int(f))
	}
	return Columns[f].Key
}

var fieldByKey = func() map[string]Field {
	m := make(map[string]Field, NumFields)
	for f := Field(0); f < NumFields; f++ {
		m[Columns[f].Key] = f
	}
	return m
}()

// FieldByKey returns the field whose column key is key.
func FieldByKey(key string) (Field, bool) {
	f, ok := fieldByKey[key]
	return f, ok
}

// StageField returns the per-stage variant of a teacher/student field family:
// StageField("students", StagePrimary) is StudentsPrimary.
func StageField(family string, s Stage) (Field, bool) {
	return FieldByKey(family + "_" + string(s))
}

// School is one school's census record for one year (kind `school`).
type School struct {
	Year       int
	CountyCode string
	CountyName string
	Code       string // 10-digit national school id
	Name       string
	Type       SchoolType
	Ownership  string // 公办 / 民办 as written
	Location   string // 城区 / 镇区 / 乡村 as written
	// Sponsor is the 举办者 as written ("" when not reported, read as
	// county-run): only 基本均衡 needs it, to leave out schools run above the county.
	Sponsor string
	// V holds the numeric columns, indexed by Field; NaN means not reported.
	V [NumFields]float64
}

// SchoolRun is a run of school records next to each other in a list,
// all of one county and year: list[Lo:Hi]. A file gives its schools a
// county at a time, so a reader finds the runs as it reads them, and an
// evaluation groups the records by county from them (eval.Inputs.Runs).
type SchoolRun struct {
	Code   string
	Year   int
	Lo, Hi int
}

// NewSchool returns a record with every numeric value not reported.
func NewSchool() School {
	var s School
	ResetSchool(&s)
	return s
}

// ResetSchool sets *s to NewSchool's record, in place: a copy of one made
// once, rather than zeroing it and storing NaN in each value.
func ResetSchool(s *School) { *s = blankSchool }

var blankSchool = func() School {
	var s School
	for i := range s.V {
		s.V[i] = math.NaN()
	}
	return s
}()

// Get returns a value and whether it was reported.
func (s *School) Get(f Field) (float64, bool) {
	v := s.V[f]
	return v, !math.IsNaN(v)
}

// Set stores a reported value.
func (s *School) Set(f Field, v float64) { s.V[f] = v }

// Has reports whether f was reported.
func (s *School) Has(f Field) bool { return !math.IsNaN(s.V[f]) }

// Students returns the students of stage st, 0 when not reported.
func (s *School) Students(st Stage) float64 {
	var f Field
	switch st {
	case StagePrimary:
		f = StudentsPrimary
	case StageJunior:
		f = StudentsJunior
	case StageSenior:
		f = StudentsSenior
	default:
		return 0
	}
	if v, ok := s.Get(f); ok {
		return v
	}
	return 0
}

// TextColumn describes a text column of a record kind.
type TextColumn struct {
	Key      string
	ZH       string
	Required bool
	Note     string
	// Choices are the values a coded column takes (school type, category),
	// stored by Value; nil for free text.
	Choices []Choice
}

// Choice is one value of a coded text column: its stored key and its
// Chinese name.
type Choice struct {
	Value, ZH string
}

// schoolTypeChoices lists SchoolTypes as the choices of school_type.
func schoolTypeChoices() []Choice {
	out := make([]Choice, 0, len(SchoolTypes))
	for _, t := range SchoolTypes {
		out = append(out, Choice{string(t.Type), t.ZH})
	}
	return out
}

// TextColumns are the identifying columns, in template order.
var TextColumns = []TextColumn{
	{Key: "year", ZH: "年度", Required: true, Note: "统计年度，如 2024"},
	{Key: "county_code", ZH: "县区代码", Required: true, Note: "6位行政区划代码"},
	{Key: "county_name", ZH: "县区名称", Required: true},
	{Key: "school_code", ZH: "学校标识码", Required: true, Note: "10位全国学校标识码，同一年度内唯一"},
	{Key: "school_name", ZH: "学校名称", Required: true},
	{Key: "school_type", ZH: "学校类型", Required: true, Note: "小学、初中、九年一贯制学校、十二年一贯制学校、完全中学、教学点、特殊教育学校", Choices: schoolTypeChoices()},
	{Key: "ownership", ZH: "办学性质", Note: "公办 / 民办"},
	{Key: "location", ZH: "城乡类型", Note: "城区 / 镇区 / 乡村"},
	{Key: "sponsor", ZH: "举办者", Note: "可选：县级教育部门、乡镇、地市级教育部门、省级教育部门、其他部门、民办等；基本均衡只计县级及以下举办的公办学校，不填视为县级"},
}
