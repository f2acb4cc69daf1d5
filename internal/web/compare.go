package web

import (
	"bytes"
	"cmp"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// The inspector's comparison (/compare): the counties of a region against
// each other, one row per county — its verdict under the chosen standard,
// every CV of every stage against its limit (the colour code of every
// page), and every item of the whole standard — sortable by any column
// and exportable as the same table in .xlsx.

type compareCol struct {
	Key   string // the sort key: "cv.<stage>.<indicator>" or "item.<id>"
	Head  string // the column's heading
	Title string // its tooltip: the full name and the limit
	CV    bool
}

type compareCell struct {
	Text  string
	Class string
	Sort  float64 // for sorting: CVs by value (NaN last), items by status
}

type compareRow struct {
	Code, Name, City string
	Status           census.Status
	Cells            []compareCell
}

type comparePage struct {
	*Base
	*choice
	Region    census.Region
	Standards []*standards.Standard
	Profiles  []*standards.Profile
	Cols      []compareCol
	Rows      []compareRow
	Sort      string
	Q         []any
	Legend    string // the parts' letters in the item columns' headings
}

// comparison builds the table of the counties of region in scope.
func (s *Server) comparison(r *http.Request, b *Base) (*comparePage, error) {
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return nil, err
	}
	byCode := map[string]census.Region{}
	for _, rg := range regions {
		byCode[rg.Code] = rg
	}
	code := r.URL.Query().Get("region")
	if code == "" {
		code = b.Scope.Region()
	}
	region, ok := regionIn(regions, b, code)
	if !ok || b.Scope.SchoolOnly() {
		return nil, notFound("error.no_region", code)
	}
	res, err := s.wholeResult(r.Context(), c.Rules, c.Year)
	if err != nil {
		return nil, err
	}
	p := &comparePage{Base: b, choice: c, Region: region, Standards: standards.List(), Profiles: standards.Profiles(),
		Sort: r.URL.Query().Get("sort"), Q: c.Query(s)}
	// The columns: the CVs stage by stage, then the items.
	for _, st := range c.Rules.Stages {
		for _, ind := range c.Rules.Indicators {
			if ind.Kind == "school" {
				continue
			}
			p.Cols = append(p.Cols, compareCol{Key: "cv." + string(st) + "." + ind.ID, CV: true,
				Head:  b.T("stage.short."+string(st)) + b.T("ind.short."+ind.ID),
				Title: b.T("compare.cv_title", b.T("stage."+string(st)), b.Ind(&ind))})
		}
	}
	var legend []string
	for i := range c.Rules.Items {
		it := &c.Rules.Items[i]
		if i == 0 || c.Rules.Items[i-1].Part != it.Part {
			name := standards.PartZH(it.Part)
			if b.EN() {
				for _, pt := range standards.Parts {
					if pt.ID == it.Part {
						name = pt.EN
					}
				}
			}
			legend = append(legend, partLetter(it.Part)+" "+name)
		}
		p.Cols = append(p.Cols, compareCol{Key: "item." + it.ID, Head: fmt.Sprintf("%s%d", partLetter(it.Part), it.No), Title: b.Item(it)})
	}
	p.Legend = strings.Join(legend, " · ")
	prefix := regionPrefix(region)
	if region.Level == census.LevelCounty {
		prefix = region.Code
	}
	for _, cty := range res.Counties {
		if !strings.HasPrefix(cty.Code, prefix) || !b.Scope.County(cty.Code) {
			continue
		}
		row := compareRow{Code: cty.Code, Name: cty.Name, City: byCode[census.CityCode(cty.Code)].Name, Status: census.StatusPending}
		if cty.Verdict != nil {
			row.Status = cty.Verdict.Status
		}
		cvs := map[string]*eval.IndicatorResult{}
		for _, sr := range cty.Stages {
			for _, ir := range sr.Indicators {
				cvs["cv."+string(sr.Stage)+"."+ir.Indicator.ID] = ir
			}
		}
		items := map[string]*eval.ItemResult{}
		if cty.Verdict != nil {
			for _, ir := range cty.Verdict.Items {
				items["item."+ir.Item.ID] = ir
			}
		}
		for _, col := range p.Cols {
			if col.CV {
				ir := cvs[col.Key]
				if ir == nil || !ir.Defined {
					row.Cells = append(row.Cells, compareCell{Text: "—", Class: clsNA, Sort: math.Inf(1)})
					continue
				}
				row.Cells = append(row.Cells, compareCell{Text: numAgainst(ir.CV.CV, ir.Limit, 4), Class: cvClass(ir.CV.CV, ir.Limit, ir.Over), Sort: ir.CV.CV})
				continue
			}
			ir := items[col.Key]
			cell := compareCell{Text: "…", Class: clsWarn, Sort: 1}
			switch {
			case ir == nil:
				cell = compareCell{Text: "—", Class: clsNA, Sort: 3}
			case ir.Status == census.StatusMet:
				cell = compareCell{Text: "✓", Class: clsOK, Sort: 0}
			case ir.Status == census.StatusNotMet:
				cell = compareCell{Text: "✗", Class: clsBad, Sort: 2}
			}
			row.Cells = append(row.Cells, cell)
		}
		p.Rows = append(p.Rows, row)
	}
	// Sorted by the chosen column, worst first (the largest CV, an item
	// not met); by default by verdict, then code.
	col := slices.IndexFunc(p.Cols, func(c compareCol) bool { return c.Key == p.Sort })
	slices.SortStableFunc(p.Rows, func(a, z compareRow) int {
		if col >= 0 {
			x, y := a.Cells[col].Sort, z.Cells[col].Sort
			if math.IsInf(x, 1) || math.IsInf(y, 1) {
				return cmp.Or(cmp.Compare(boolInt(math.IsInf(x, 1)), boolInt(math.IsInf(y, 1))), strings.Compare(a.Code, z.Code))
			}
			return cmp.Or(cmp.Compare(y, x), strings.Compare(a.Code, z.Code))
		}
		return cmp.Or(cmp.Compare(statusRank(a.Status), statusRank(z.Status)), strings.Compare(a.Code, z.Code))
	})
	return p, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// partLetter is the short letter of a part of the whole standard in a
// column heading: its place in standards.Parts (A 申报前提, B 资源配置, …).
func partLetter(part string) string {
	for i, p := range standards.Parts {
		if p.ID == part {
			return string(rune('A' + i))
		}
	}
	return "?"
}

// compareGet serves GET /compare.
func (s *Server) compareGet(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "overview")
	p, err := s.comparison(r, b)
	if err != nil {
		return err
	}
	b.Title = p.Region.Name + " · " + b.T("compare.title")
	s.render(w, r, http.StatusOK, "compare", p)
	return nil
}

// compareXLSX serves GET /compare.xlsx: the same table, with the colours.
func (s *Server) compareXLSX(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "overview")
	p, err := s.comparison(r, b)
	if err != nil {
		return err
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := b.T("compare.title")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	fills := map[string]int{}
	for cls, colour := range map[string]string{clsOK: "E3F2E6", clsWarn: "FFF1D6", clsBad: "F9DEDC", clsNA: "F2F4F7"} {
		id, err := f.NewStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{colour}}})
		if err != nil {
			return err
		}
		fills[cls] = id
	}
	head := []any{b.T("compare.code"), b.T("compare.county"), b.T("compare.city"), b.T("compare.verdict")}
	for _, c := range p.Cols {
		if c.CV {
			head = append(head, c.Head)
		} else {
			head = append(head, c.Head+" "+c.Title)
		}
	}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	for i, row := range p.Rows {
		cells := []any{row.Code, row.Name, row.City, b.T(verdictKey(row.Status))}
		for _, c := range row.Cells {
			cells = append(cells, c.Text)
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, ref, &cells); err != nil {
			return err
		}
		for j, c := range row.Cells {
			ref, _ := excelize.CoordinatesToCellName(5+j, i+2)
			if err := f.SetCellStyle(sheet, ref, ref, fills[c.Class]); err != nil {
				return err
			}
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return err
	}
	attach(w, fmt.Sprintf("%s%d年%s.xlsx", p.Region.Name, p.Year, b.T("compare.title")), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err = w.Write(buf.Bytes())
	return err
}

// verdictKey is the i18n key of a county's whole verdict.
func verdictKey(st census.Status) string {
	switch st {
	case census.StatusMet:
		return "overview.recognised"
	case census.StatusNotMet:
		return "overview.not_recognised"
	}
	return "overview.pending"
}
