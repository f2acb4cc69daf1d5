package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/plan"
	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runReport: dudao report [--db DSN | FILE...] (--county C | --city C | --province P) [--year Y]
// [--standard ID] [--profile ID] [--format pdf|docx|xlsx|html] [--plan plan.json] [--date YYYY-MM-DD] -o FILE
//
// A county gets its 自评报告 (with the change from the previous year when
// that year's records are there); a city or a province gets the summary
// that ranks its counties.
func runReport(e *env, args []string) error {
	fs := newFlags(e, "report", "[--db DSN | 文件...] (--county 代码 | --city 代码 | --province 代码) [--profile ID] [--profile-file 文件] [--cv-decimals N] [--year 年度] [--format pdf|docx|xlsx|html] -o 文件")
	src := sourceFlags(e, fs)
	city := fs.String("city", "", "市级汇总：市的6位代码（如 340200）或名称")
	province := fs.String("province", "", "省级汇总：省的6位代码（如 340000）或名称")
	rf := addRuleFlags(fs)
	format := fs.String("format", "", "输出格式：pdf、docx（Word/WPS 可编辑）、xlsx、html（默认按 -o 的扩展名，否则 pdf）")
	out := fs.String("o", "", "写入文件，如 -o 自评报告.pdf（html 可省略，写到标准输出）")
	planFile := fs.String("plan", "", "加入县级报告的补短板方案：auto（资源配置未达标时按默认单价规划），或 dudao plan --format json 的输出文件")
	dateFlag := fs.String("date", "", "报告日期 YYYY-MM-DD（默认：今天）")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	n := 0
	for _, v := range []string{*src.county, *city, *province} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	if n != 1 {
		return usagef("请给出 --county、--city 或 --province 中的一个，如：dudao report --county 340207 -o 自评报告.pdf")
	}
	f := *format
	if f == "" {
		switch ext := strings.ToLower(filepath.Ext(*out)); ext {
		case ".xlsx":
			f = "xlsx"
		case ".html", ".htm":
			f = "html"
		case ".docx":
			f = "docx"
		case ".pdf", "":
			f = "pdf"
		default:
			// Never a PDF under another name.
			return usagef("-o %s：不认识扩展名 %s；请用 .pdf、.docx、.xlsx 或 .html，或用 --format 指定", *out, ext)
		}
	}
	if err := oneOf("format", f, "pdf", "docx", "xlsx", "html"); err != nil {
		return err
	}
	if f != "html" && (*out == "" || *out == "-") {
		return usagef("--format %s 需要用 -o 指定输出文件，如 -o 自评报告.%s", f, f)
	}
	date := time.Now()
	if *dateFlag != "" {
		if date, err = time.Parse("2006-01-02", *dateFlag); err != nil {
			return usagef("--date %q 无效：请写成 2024-09-01", *dateFlag)
		}
	}
	rules, err := rf.resolve()
	if err != nil {
		return err
	}
	var planned *report.PlanSummary
	if *planFile != "" {
		if *src.county == "" {
			return usagef("--plan 只用于县级报告（--county）")
		}
		if *planFile != "auto" {
			if planned, err = readPlan(*planFile); err != nil {
				return err
			}
		}
	}
	dbSet := flagSet(fs, "db")
	regions := loadRegions(e, *src.db, files)
	var w func(io.Writer) error
	if *src.county != "" {
		// The whole standard: every kind of record and the judgements, as
		// dudao evaluate reads them.
		in, year, err := src.loadInputs(e, files, dbSet, rules)
		if err != nil {
			return err
		}
		res := eval.EvaluateWhole(rules, year, in)
		if len(res.Counties) != 1 {
			return fmt.Errorf("--county %q 对应 %d 个县区，请用6位县区代码", *src.county, len(res.Counties))
		}
		c := res.Counties[0]
		opt := report.Options{Date: date}
		opt.City, opt.Province = regionNames(regions, c.Code)
		if prev := previousYear(e, src, files, dbSet, rules, year); prev != nil {
			opt.Previous, opt.PreviousYear = prev, year-1
		}
		if *planFile == "auto" && !c.ResourcePass && c.Complete && len(c.Stages) > 0 {
			pl, err := plan.Solve(rules, in.Schools, plan.Options{DefaultCaps: map[string]float64{}, Caps: map[string]map[string]float64{}, NoBuild: map[string]bool{}})
			if err != nil {
				return fmt.Errorf("补短板规划：%w", err)
			}
			planned = planSummary(pl)
		}
		if planned != nil {
			if planned.County != "" && planned.County != c.Code {
				return fmt.Errorf("%s 是县区 %s 的方案，不是 %s（%s）的", *planFile, planned.County, c.Name, c.Code)
			}
			names := map[string]string{}
			for _, p := range c.Parts {
				names[p.SchoolCode] = p.SchoolName
			}
			opt.Sections = append(opt.Sections, report.PlanSection(planned, names))
		}
		rep := report.NewCounty(res, c, opt)
		w = writer(rep, f)
	} else {
		scope, err := resolveScope(*city, *province, regions)
		if err != nil {
			return err
		}
		in, year, err := src.loadInputs(e, files, dbSet, rules)
		if err != nil {
			return err
		}
		res := eval.EvaluateWhole(rules, year, in)
		s := report.NewSummary(res, scope, regions, date)
		if len(s.Counties) == 0 {
			return fmt.Errorf("%d 年度的数据中没有%s（%s）的县区", year, scope.Name, scope.Code)
		}
		w = writer(s, f)
	}
	if err := writeOutput(e, *out, w); err != nil {
		return err
	}
	if *out != "" && *out != "-" {
		where, _ := filepath.Abs(*out)
		fmt.Fprintf(e.stderr, "已写入 %s（%s）\n", cmp.Or(where, *out), strings.ToUpper(f))
	}
	return nil
}

// document is a report that renders in every format.
type document interface {
	WritePDF(io.Writer) error
	WriteDOCX(io.Writer) error
	WriteXLSX(io.Writer) error
	WriteHTML(io.Writer) error
}

func writer(d document, format string) func(io.Writer) error {
	switch format {
	case "xlsx":
		return d.WriteXLSX
	case "html":
		return d.WriteHTML
	case "docx":
		return d.WriteDOCX
	}
	return d.WritePDF
}

// previousYear evaluates the county's records of the year before, or
// returns nil when there are none.
func previousYear(e *env, src *source, files []string, dbSet bool, rules *standards.Rules, year int) *eval.County {
	quiet := *e
	quiet.stderr = io.Discard // the file notes were printed once already
	y := *src.year
	defer func() { *src.year = y }()
	*src.year = year - 1
	schools, _, err := src.load(&quiet, files, dbSet)
	if err != nil || len(schools) == 0 {
		return nil
	}
	res := eval.Evaluate(rules, year-1, schools)
	if len(res.Counties) != 1 {
		return nil
	}
	return res.Counties[0]
}

// loadRegions returns the regions the database knows, for names; nil when
// reading files or when the database has none.
func loadRegions(e *env, dsn string, files []string) []census.Region {
	if len(files) > 0 {
		return nil
	}
	st, err := openStore(e, dsn, false)
	if err != nil {
		return nil
	}
	defer st.Close()
	regions, err := st.Regions(e.ctx)
	if err != nil {
		return nil
	}
	return regions
}

// regionNames returns the names of the city and the province of county code.
func regionNames(regions []census.Region, code string) (city, province string) {
	for _, r := range regions {
		switch r.Code {
		case census.CityCode(code):
			if r.Level == census.LevelCity {
				city = r.Name
			}
		case census.ProvinceCode(code):
			province = r.Name
		}
	}
	if province == "" && city != "" {
		province = census.ProvinceNames[code[:2]]
	}
	return city, province
}

var digits = regexp.MustCompile(`^[0-9]+$`)

// resolveScope reads --city or --province: a code (6 digits, or the 4 or 2
// leading ones) or a name the database knows.
func resolveScope(city, province string, regions []census.Region) (report.Scope, error) {
	level, v := census.LevelCity, strings.TrimSpace(city)
	if v == "" {
		level, v = census.LevelProvince, strings.TrimSpace(province)
	}
	var code string
	switch {
	case digits.MatchString(v) && len(v) == 6:
		code = v
	case digits.MatchString(v) && len(v) == 4 && level == census.LevelCity:
		code = v + "00"
	case digits.MatchString(v) && len(v) == 2 && level == census.LevelProvince:
		code = v + "0000"
	default:
		for _, r := range regions {
			if r.Level == level && (r.Name == v || strings.TrimSuffix(r.Name, "市") == v || strings.TrimSuffix(r.Name, "省") == v) {
				code = r.Code
			}
		}
		if code == "" && level == census.LevelProvince {
			for k, name := range census.ProvinceNames {
				if name == v || strings.TrimSuffix(strings.TrimSuffix(name, "省"), "市") == v {
					code = k + "0000"
				}
			}
		}
		if code == "" {
			flag := "--city"
			if level == census.LevelProvince {
				flag = "--province"
			}
			return report.Scope{}, usagef("%s %q：找不到这个名称，请用6位行政区划代码", flag, v)
		}
	}
	if level == census.LevelCity {
		code = census.CityCode(code)
	} else {
		code = census.ProvinceCode(code)
	}
	s := report.Scope{Level: level, Code: code}
	for _, r := range regions {
		if r.Code == code {
			s.Name = r.Name
		}
	}
	if s.Name == "" && level == census.LevelProvince {
		s.Name = census.ProvinceNames[code[:2]]
	}
	if s.Name == "" {
		s.Name = code
	}
	return s, nil
}

// planSummary is what a county report says of a plan (interfaces.md §4).
func planSummary(pl *plan.Plan) *report.PlanSummary {
	s := &report.PlanSummary{County: pl.County, CountyName: pl.CountyName, Year: pl.Year, Standard: pl.Standard, Profile: pl.Profile,
		Feasible: pl.Feasible, Problem: pl.Problem, TotalCost: pl.TotalCost, LowerBound: pl.LowerBound, Gap: pl.Gap,
		Optimal: pl.Optimal, Notes: pl.Notes}
	if pl.Naive != nil {
		s.NaiveCost, s.NaivePass = pl.Naive.Cost, pl.Naive.Pass
	}
	for _, sp := range pl.Schools {
		s.Additions = append(s.Additions, report.PlanAddition{SchoolCode: sp.Code, SchoolName: sp.Name, Add: sp.Add, Cost: sp.Cost})
	}
	return s
}

// readPlan reads a plan as `dudao plan --format json` writes it.
func readPlan(path string) (*report.PlanSummary, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("读取补短板方案：%w", err)
	}
	var p report.PlanSummary
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s 不是 dudao plan --format json 的输出：%v", path, err)
	}
	return &p, nil
}
