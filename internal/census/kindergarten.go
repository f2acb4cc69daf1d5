package census

import (
	"math"
	"strings"
)

// Category is the 办园类型 of a kindergarten, which decides the three
// headline ratios of 学前教育普及普惠 (standards.md §4).
type Category string

// The three categories. 公办园 are run by state organs, state enterprises or
// institutions, sub-districts or village collectives with public funds;
// 普惠性民办园 are non-profit private kindergartens recognised by the
// education authority, with capped fees and a subsidy.
const (
	CategoryPublic    Category = "public"            // 公办
	CategoryInclusive Category = "inclusive_private" // 普惠性民办
	CategoryPrivate   Category = "private"           // 非普惠民办
)

// Categories lists the categories with their Chinese names.
var Categories = []struct {
	Category Category
	ZH       string
}{
	{CategoryPublic, "公办"},
	{CategoryInclusive, "普惠性民办"},
	{CategoryPrivate, "非普惠民办"},
}

// categoryChoices lists Categories as the choices of category.
func categoryChoices() []Choice {
	out := make([]Choice, 0, len(Categories))
	for _, c := range Categories {
		out = append(out, Choice{string(c.Category), c.ZH})
	}
	return out
}

// ZH returns the category's Chinese name.
func (c Category) ZH() string {
	for _, x := range Categories {
		if x.Category == c {
			return x.ZH
		}
	}
	return string(c)
}

// ParseCategory reads a category by key or Chinese name, with the variants
// people write (公办园, 普惠性民办园, 营利性民办, 民办（非普惠）…).
func ParseCategory(s string) (Category, bool) {
	s = strings.TrimSpace(s)
	for _, c := range Categories {
		if s == string(c.Category) || s == c.ZH {
			return c.Category, true
		}
	}
	s = strings.NewReplacer("幼儿园", "", "园", "", "（", "(", "）", ")", " ", "").Replace(s)
	switch {
	case s == "公办" || s == "公立":
		return CategoryPublic, true
	case strings.Contains(s, "非普惠") || strings.Contains(s, "营利"):
		return CategoryPrivate, true
	case strings.Contains(s, "普惠") && strings.Contains(s, "民办"):
		return CategoryInclusive, true
	case s == "民办":
		return CategoryPrivate, true
	}
	return "", false
}

// KgField identifies one numeric column of the kindergarten record.
type KgField int

// The numeric columns of the kindergarten record, in template order;
// append new ones at the end.
const (
	KgChildren KgField = iota
	KgClassesSmall
	KgClassesMiddle
	KgClassesLarge
	KgClassesMixed
	KgOversizeSmall
	KgOversizeMiddle
	KgOversizeLarge
	KgOversizeMixed
	KgTeachers
	KgCertifiedTeachers
	KgPrincipalCertified
	KgCaregivers
	KgBuildingArea
	KgOutdoorArea
	NumKgFields
)

// KindergartenColumns is the table of the kindergarten record's numeric
// columns, indexed by KgField.
var KindergartenColumns = [NumKgFields]Column{
	KgChildren:           {Key: "children", ZH: "在园幼儿数", Unit: "人", Integer: true},
	KgClassesSmall:       {Key: "classes_small", ZH: "小班数", Unit: "个", Integer: true},
	KgClassesMiddle:      {Key: "classes_middle", ZH: "中班数", Unit: "个", Integer: true},
	KgClassesLarge:       {Key: "classes_large", ZH: "大班数", Unit: "个", Integer: true},
	KgClassesMixed:       {Key: "classes_mixed", ZH: "混龄班数", Unit: "个", Integer: true},
	KgOversizeSmall:      {Key: "oversize_small", ZH: "小班超25人班数", Unit: "个", Integer: true, Note: "幼儿超过25人的小班个数", PartOf: "classes_small"},
	KgOversizeMiddle:     {Key: "oversize_middle", ZH: "中班超30人班数", Unit: "个", Integer: true, Note: "幼儿超过30人的中班个数", PartOf: "classes_middle"},
	KgOversizeLarge:      {Key: "oversize_large", ZH: "大班超35人班数", Unit: "个", Integer: true, Note: "幼儿超过35人的大班个数", PartOf: "classes_large"},
	KgOversizeMixed:      {Key: "oversize_mixed", ZH: "混龄班超30人班数", Unit: "个", Integer: true, Note: "幼儿超过30人的混龄班个数", PartOf: "classes_mixed"},
	KgTeachers:           {Key: "teachers", ZH: "专任教师数", Unit: "人", Integer: true},
	KgCertifiedTeachers:  {Key: "certified_teachers", ZH: "持证专任教师数", Unit: "人", Integer: true, Note: "取得幼儿园（或更高学段）教师资格证的专任教师", PartOf: "teachers"},
	KgPrincipalCertified: {Key: "principal_certified", ZH: "园长持证", Unit: "", Integer: true, Note: "园长持有教师资格证和园长岗位培训合格证的填 1，否则填 0"},
	KgCaregivers:         {Key: "caregivers", ZH: "保育员数", Unit: "人", Integer: true},
	KgBuildingArea:       {Key: "building_area", ZH: "园舍建筑面积", Unit: "㎡"},
	KgOutdoorArea:        {Key: "outdoor_area", ZH: "户外活动场地面积", Unit: "㎡"},
}

// KindergartenTextColumns are the kindergarten record's identifying columns.
var KindergartenTextColumns = []TextColumn{
	{Key: "year", ZH: "年度", Required: true, Note: "统计年度，如 2024"},
	{Key: "county_code", ZH: "县区代码", Required: true, Note: "6位行政区划代码"},
	{Key: "county_name", ZH: "县区名称", Required: true},
	{Key: "kindergarten_code", ZH: "幼儿园标识码", Required: true, Note: "10位全国学校（机构）标识码，同一年度内唯一"},
	{Key: "kindergarten_name", ZH: "幼儿园名称", Required: true},
	{Key: "category", ZH: "办园类型", Required: true, Note: "公办、普惠性民办、非普惠民办", Choices: categoryChoices()},
	{Key: "location", ZH: "城乡类型", Note: "城区 / 镇区 / 乡村"},
}

// KindergartenTable is the column table of kind kindergarten.
var KindergartenTable = Table{
	Kind: KindKindergarten, CodeKey: "kindergarten_code", NameKey: "kindergarten_name",
	Names: []string{"幼儿园", "kindergarten", "kindergartens", "幼儿园数据"}, PerRow: "每所幼儿园",
	Text: KindergartenTextColumns, Num: KindergartenColumns[:],
	New: func() UnitRecord { k := NewKindergarten(); return &k },
}

// Kindergarten is one kindergarten's record for one year (kind `kindergarten`).
type Kindergarten struct {
	Year       int
	CountyCode string
	CountyName string
	Code       string // 10-digit national id
	Name       string
	Category   Category
	Location   string
	// V holds the numeric columns, indexed by KgField; NaN means not reported.
	V [NumKgFields]float64
}

// NewKindergarten returns a record with every number not reported.
func NewKindergarten() Kindergarten {
	var k Kindergarten
	nanArray(k.V[:])
	return k
}

// Get returns a value and whether it was reported.
func (k *Kindergarten) Get(f KgField) (float64, bool) { v := k.V[f]; return v, v == v }

// Has reports whether f was reported.
func (k *Kindergarten) Has(f KgField) bool { return !math.IsNaN(k.V[f]) }

// Key implements UnitRecord.
func (k *Kindergarten) Key() (int, string) { return k.Year, k.Code }

// SetYear implements UnitRecord.
func (k *Kindergarten) SetYear(y int) { k.Year = y }

// Values implements UnitRecord.
func (k *Kindergarten) Values() []float64 { return k.V[:] }

// Text implements UnitRecord.
func (k *Kindergarten) Text(key string) string {
	switch key {
	case "county_code":
		return k.CountyCode
	case "county_name":
		return k.CountyName
	case "kindergarten_code":
		return k.Code
	case "kindergarten_name":
		return k.Name
	case "category":
		return string(k.Category)
	case "location":
		return k.Location
	}
	return ""
}

// SetText implements UnitRecord.
func (k *Kindergarten) SetText(key, v string) {
	switch key {
	case "county_code":
		k.CountyCode = v
	case "county_name":
		k.CountyName = v
	case "kindergarten_code":
		k.Code = v
	case "kindergarten_name":
		k.Name = v
	case "category":
		k.Category = Category(v)
	case "location":
		k.Location = v
	}
}

// Classes returns the kindergarten's classes of every age group, and
// whether all four counts were reported.
func (k *Kindergarten) Classes() (float64, bool) {
	return sumFields(k.V[:], KgClassesSmall, KgClassesMiddle, KgClassesLarge, KgClassesMixed)
}

// Oversize returns the kindergarten's over-size classes of every age
// group, and whether all four counts were reported.
func (k *Kindergarten) Oversize() (float64, bool) {
	return sumFields(k.V[:], KgOversizeSmall, KgOversizeMiddle, KgOversizeLarge, KgOversizeMixed)
}

func sumFields(v []float64, fs ...KgField) (float64, bool) {
	var s float64
	for _, f := range fs {
		if v[f] != v[f] {
			return s, false
		}
		s += v[f]
	}
	return s, true
}
