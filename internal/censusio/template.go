package censusio

import (
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
)

// Sheet names of the template.
const (
	templateSheet = "学校"
	notesSheet    = "说明"
)

// WriteTemplate writes an empty import template for kind ("school", or "")
// as an .xlsx workbook: a sheet 学校 with the Chinese headers (units in
// brackets) and a few example rows that the reader skips, and a sheet 说明
// that explains every column.
func WriteTemplate(w io.Writer, kind string) error {
	sp, err := specFor(kind)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), sp.sheet); err != nil {
		return err
	}
	if err := writeDataSheet(f, sp); err != nil {
		return fmt.Errorf("模板：%w", err)
	}
	if _, err := f.NewSheet(notesSheet); err != nil {
		return err
	}
	if err := writeNotesSheet(f, sp); err != nil {
		return fmt.Errorf("模板说明：%w", err)
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// templateHeader returns the header the template gives a numeric column:
// its Chinese name with the unit in full-width brackets.
func templateHeader(c census.Column) string {
	if c.Unit == "" {
		return c.ZH
	}
	return c.ZH + "（" + c.Unit + "）"
}

// templateColumn is one column of the template's data sheet.
type templateColumn struct {
	header   string
	key      string
	unit     string
	required bool
	integer  bool
	numeric  bool
	note     string
}

// templateColumns lists the data sheet's columns: the text columns, then
// the numeric ones, each in the order of its table.
func templateColumns() []templateColumn {
	var cols []templateColumn
	for _, c := range census.TextColumns {
		cols = append(cols, templateColumn{header: c.ZH, key: c.Key, required: c.Required, note: c.Note})
	}
	for _, c := range census.Columns {
		cols = append(cols, templateColumn{header: templateHeader(c), key: c.Key, unit: c.Unit,
			integer: c.Integer, numeric: true, note: c.Note})
	}
	return cols
}

// templateExamples are the example rows, by column key. They are real
// looking, consistent records (they pass every check once the 【示例】
// prefix is removed), so that they show what a good row looks like: one
// 小学, one 初中 and a 九年一贯制学校 that also gives per-part figures, with
// some cells left empty to show "not reported".
var templateExamples = []map[string]any{
	{
		"year": 2024, "county_code": "340207", "county_name": "鸠江区", "school_code": "3134020701",
		"school_name": "【示例】鸠江区第一小学", "school_type": "小学", "ownership": "公办", "location": "城区",
		"students_primary": 1200, "classes_primary": 27, "oversize_classes_primary": 0,
		"teachers_primary": 68, "qualified_teachers_primary": 66, "backbone_teachers_primary": 9,
		"pe_art_teachers_primary": 10, "certified_teachers": 68,
		"teaching_area": 8600, "sports_area": 12000, "equipment_value": 3100000,
		"multimedia_rooms": 30, "music_rooms_standard": 2, "art_rooms_standard": 2,
	},
	{
		"year": 2024, "county_code": "340207", "county_name": "鸠江区", "school_code": "3134020702",
		"school_name": "【示例】鸠江区第二中学", "school_type": "初中", "ownership": "公办", "location": "镇区",
		"students_junior": 1500, "classes_junior": 30, "oversize_classes_junior": 2,
		"teachers_junior": 120, "qualified_teachers_junior": 112, "backbone_teachers_junior": 15,
		"pe_art_teachers_junior": 14, "certified_teachers": 119,
		"teaching_area": 12500.5, "sports_area": 16000, "equipment_value": 5200000,
		"multimedia_rooms": 32, "music_rooms_standard": 2, "art_rooms_standard": 2,
	},
	{
		"year": 2024, "county_code": "340207", "county_name": "鸠江区", "school_code": "3134020703",
		"school_name": "【示例】鸠江区沈巷学校", "school_type": "九年一贯制学校", "ownership": "公办", "location": "乡村",
		"students_primary": 420, "students_junior": 300, "classes_primary": 12, "classes_junior": 9,
		"oversize_classes_primary": 0, "oversize_classes_junior": 0,
		"teachers_primary": 30, "teachers_junior": 28, "qualified_teachers_primary": 29, "qualified_teachers_junior": 25,
		"backbone_teachers_primary": 3, "backbone_teachers_junior": 3, "pe_art_teachers_primary": 4, "pe_art_teachers_junior": 4,
		"certified_teachers": 57, "teaching_area": 5200, "sports_area": 9000, "equipment_value": 1600000,
		"multimedia_rooms": 21, "music_rooms_standard": 1, "art_rooms_standard": 1,
		"teaching_area_primary": 2800, "teaching_area_junior": 2400,
		"equipment_value_primary": 800000, "equipment_value_junior": 800000,
		"multimedia_rooms_primary": 11, "multimedia_rooms_junior": 10,
	},
}

func writeDataSheet(f *excelize.File, sp *templateSpec) error {
	sh := sp.sheet
	cols := sp.cols
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	headerStyle := func(fill string) (int, error) {
		return f.NewStyle(&excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
			Border:    border,
		})
	}
	required, err := headerStyle("#FCE4D6") // required columns stand out
	if err != nil {
		return err
	}
	optional, err := headerStyle("#DDEBF7")
	if err != nil {
		return err
	}
	// Codes are text: as numbers, Excel would show a long one in
	// scientific notation and write it so to CSV.
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	example, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Italic: true}})
	if err != nil {
		return err
	}
	exampleText, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "808080", Italic: true}, NumFmt: 49})
	if err != nil {
		return err
	}

	for i, c := range cols {
		name := letter(i)
		cell := name + "1"
		if err := f.SetColWidth(sh, name, name, columnWidth(c.header)); err != nil {
			return err
		}
		if sp.isText(c.key) {
			if err := f.SetColStyle(sh, name, textStyle); err != nil {
				return err
			}
		}
		if err := f.SetCellStr(sh, cell, c.header); err != nil {
			return err
		}
		style := optional
		if c.required {
			style = required
		}
		if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
			return err
		}
		if err := addValidation(f, sh, name, c); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(sh, 1, 48); err != nil {
		return err
	}

	for r, ex := range sp.examples {
		row := r + 2
		for i, c := range cols {
			cell := fmt.Sprintf("%s%d", letter(i), row)
			style := example
			if sp.isText(c.key) {
				style = exampleText
			}
			if err := f.SetCellStyle(sh, cell, cell, style); err != nil {
				return err
			}
			v, ok := ex[c.key]
			if !ok {
				continue
			}
			if err := f.SetCellValue(sh, cell, v); err != nil {
				return err
			}
		}
	}
	// Freeze the header and the identifying columns up to 学校名称, so
	// that a row stays recognisable while scrolling across 40 columns.
	freeze := 0
	for i, c := range cols {
		if c.key == sp.freeze {
			freeze = i + 1
		}
	}
	return f.SetPanes(sh, &excelize.Panes{
		Freeze: true, XSplit: freeze, YSplit: 1,
		TopLeftCell: letter(freeze) + "2", ActivePane: "bottomRight",
	})
}

// addValidation gives a column Excel's data validation: a drop-down for the
// columns with a fixed list, non-negative (whole) numbers for the numeric
// ones. It only helps while typing (pasting bypasses it); the reader checks
// everything again.
func addValidation(f *excelize.File, sheet, col string, c templateColumn) error {
	dv := excelize.NewDataValidation(true)
	dv.Sqref = fmt.Sprintf("%s2:%s%d", col, col, excelize.TotalRows)
	switch {
	case c.key == "school_type":
		var list []string
		for _, t := range census.SchoolTypes {
			list = append(list, t.ZH)
		}
		if err := dv.SetDropList(list); err != nil {
			return err
		}
		// A warning, not a stop: the reader also accepts keys and variants
		// such as 九年一贯制.
		dv.SetError(excelize.DataValidationErrorStyleWarning, "学校类型", "请从下拉列表中选择："+strings.Join(list, "、"))
	case c.key == "year":
		if err := dv.SetRange(2000, 2100, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "统计年度", "请填写4位年份，如 2024")
	case c.key == "ownership":
		if err := dv.SetDropList([]string{"公办", "民办"}); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, "办学性质", "请选择 公办 或 民办")
	case c.key == "category":
		list := strings.Split(categoryList(), "、")
		if err := dv.SetDropList(list); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, "办园类型", "请从下拉列表中选择："+categoryList())
	case c.key == "location":
		if err := dv.SetDropList([]string{"城区", "镇区", "乡村"}); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleWarning, "城乡类型", "请选择 城区、镇区 或 乡村")
	case c.integer:
		if err := dv.SetRange(0, 100000000, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "需要整数", "请填写不小于 0 的整数；未填报请留空")
	case c.numeric:
		if err := dv.SetRange(0, 1e13, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
			return err
		}
		dv.SetError(excelize.DataValidationErrorStyleStop, "需要数字", "请填写不小于 0 的数字；未填报请留空")
	default:
		return nil
	}
	return f.AddDataValidation(sheet, dv)
}

// columnWidth sizes a column to its header wrapped on about two lines; a
// CJK character is two units wide.
func columnWidth(header string) float64 {
	w := 0
	for _, r := range header {
		if r < 0x80 {
			w++
		} else {
			w += 2
		}
	}
	return math.Max(10, math.Min(20, float64(w)/2+3))
}

// templateNotes are the general rules, as the notes sheet states them.
var templateNotes = []string{
	"每所学校每个年度填一行。第一行是表头（列名），请勿修改，也不要在它上面加标题行；同一年度内学校标识码不能重复。",
	"列名可以用中文列名或英文键（见下表），列的先后顺序不限；全角或半角括号、空格、列名后的单位如（㎡）都不影响识别。不认识的列会被忽略，并在导入时提示。",
	"空白单元格表示“未填报”，不会当作 0；确实为零的请填 0。",
	"数字请填阿拉伯数字，可带千分位逗号（如 1,234）；人数、班级数、教室数必须是整数；都不能为负数。",
	"教学仪器设备值以“元”为单位。如果手头的数据是万元，请把表头改为“教学仪器设备值（万元）”，导入时自动乘以 10000 换算为元；小学部、初中部的设备值同理。表头没有写单位时无法导入，除非导入时指定了金额单位。",
	"九年一贯制学校、十二年一贯制学校和完全中学：面积、设备值、多媒体教室数填全校合计。如有分学段数据，可另填“小学部…”“初中部…”各列，填了的以分学段数据为准，没填的按学生数拆分。完全中学和十二年一贯制学校请填高中在校生数，用于拆分。",
	"学校类型可填：" + schoolTypeList() + "。",
	"学校名称以“【示例】”开头的行是示例，导入时自动跳过，可以直接删除或覆盖。",
	"也可以另存为 CSV 文件导入，UTF-8 或 GBK 编码均可。",
}

func writeNotesSheet(f *excelize.File, sp *templateSpec) error {
	const sh = notesSheet
	title, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{
		Font:   &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "A6A6A6", Style: 1}},
	})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for col, w := range map[string]float64{"A": 34, "B": 30, "C": 8, "D": 10, "E": 80} {
		if err := f.SetColWidth(sh, col, col, w); err != nil {
			return err
		}
	}
	set := func(cell string, v any, style int) error {
		if err := f.SetCellValue(sh, cell, v); err != nil {
			return err
		}
		if style == 0 {
			return nil
		}
		return f.SetCellStyle(sh, cell, cell, style)
	}

	row := 1
	if err := set("A1", sp.title, title); err != nil {
		return err
	}
	row += 2
	for i, n := range sp.notes {
		cell := fmt.Sprintf("A%d", row)
		if err := set(cell, fmt.Sprintf("%d. %s", i+1, n), wrap); err != nil {
			return err
		}
		if err := f.MergeCell(sh, cell, fmt.Sprintf("E%d", row)); err != nil {
			return err
		}
		// Merged cells do not grow with their text; size the row by hand.
		lines := math.Ceil(float64(utf8.RuneCountInString(n))/75) + 0.2
		if err := f.SetRowHeight(sh, row, 15*lines); err != nil {
			return err
		}
		row++
	}
	row++
	for i, h := range []string{"列名（表头）", "键（英文列名）", "单位", "是否必填", "说明"} {
		if err := set(fmt.Sprintf("%s%d", letter(i), row), h, bold); err != nil {
			return err
		}
	}
	row++
	for _, c := range sp.cols {
		note := c.note
		req := "选填"
		if c.required {
			req = "必填"
		}
		if !c.required && isIndicatorInput(c.key) {
			// Optional in a file, but needed for the verdict.
			req = "评估需要"
			note = strings.TrimPrefix(note+"；七项指标的数据：空白时该校（部）该项指标无法计算，县区结论为“数据不全”（本县没有该学段的可空）", "；")
		}
		unit := c.unit
		if unit == "" {
			unit = "—"
		}
		if c.unit == "元" && !strings.Contains(note, "万元") {
			note = strings.TrimPrefix(note+"；也可按万元填写，表头改为 "+strings.TrimSuffix(c.header, "（元）")+"（万元）", "；")
		}
		for i, v := range []string{c.header, c.key, unit, req, note} {
			if err := set(fmt.Sprintf("%s%d", letter(i), row), v, wrap); err != nil {
				return err
			}
		}
		row++
	}
	return nil
}
