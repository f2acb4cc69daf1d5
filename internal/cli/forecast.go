package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/forecast"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runForecast: dudao forecast --county CODE [--years N] [--db DSN | FILE...] [--format text|json] [-o FILE]
func runForecast(e *env, args []string) error {
	fs := newFlags(e, "forecast", "--county 代码 [--years 年数] [--db DSN | 文件...] [--format text|json] [-o 文件]\n\n"+
		"监测预警：用多个年度的数据看每项指标、每所学校（部）和差异系数的走势，预测今后几年各校在校生，\n"+
		"并在教师、校舍、设备保持最新年度水平的前提下，指出哪些学校（部）会低于标准值或不达标、\n"+
		"哪项差异系数会超过上限，以及从哪一年开始。\n\n"+
		"在校生预测方法："+forecast.Options{}.Method())
	src := sourceFlags(e, fs)
	std := fs.String("standard", "yzjh2017", "评估标准（dudao standards list）")
	prof := fs.String("profile", "national", "省级方案（dudao standards list）")
	years := fs.Int("years", 3, "预测今后几年")
	format := fs.String("format", "text", "输出格式：text、json")
	out := fs.String("o", "", "写入文件（默认：标准输出）")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if strings.TrimSpace(*src.county) == "" {
		return usagef("需要 --county：预警一次针对一个县区，如 dudao forecast --county 340207")
	}
	if err := oneOf("format", *format, "text", "json"); err != nil {
		return err
	}
	if *years < 1 || *years > 10 {
		return usagef("--years %d：请在 1 到 10 之间", *years)
	}
	rules, err := standards.Resolve(*std, *prof)
	if err != nil {
		return usagef("%s", err)
	}
	schools, err := loadAllYears(e, src, files, flagSet(fs, "db"))
	if err != nil {
		return err
	}
	res, err := forecast.Forecast(rules, schools, forecast.Options{Horizon: *years})
	if err != nil {
		return err
	}
	return writeOutput(e, *out, func(w io.Writer) error {
		if *format == "json" {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res.JSON())
		}
		return writeForecastText(w, rules, res)
	})
}

// loadAllYears returns one county's records of every year (up to --year
// when given), from files or the database.
func loadAllYears(e *env, src *source, files []string, dbSet bool) ([]census.School, error) {
	county := strings.TrimSpace(*src.county)
	var all []census.School
	if len(files) > 0 {
		if dbSet {
			return nil, usagef("给出文件时在内存中计算，不读数据库：请去掉 --db 或去掉文件")
		}
		for _, f := range files {
			b, err := censusio.ReadFile(f, src.options("school"))
			if err != nil {
				return nil, err
			}
			printNotes(e, b.Warnings)
			all = append(all, b.Schools...)
		}
	} else {
		st, err := openStore(e, *src.db, false)
		if err != nil {
			return nil, err
		}
		defer st.Close()
		ys, err := st.Years(e.ctx)
		if err != nil {
			return nil, err
		}
		for _, y := range ys {
			recs, err := st.Schools(e.ctx, y, "")
			if err != nil {
				return nil, err
			}
			all = append(all, recs...)
		}
	}
	var out []census.School
	seen := map[string]bool{}
	codes := map[string]bool{}
	for _, s := range all {
		if s.CountyCode != county && s.CountyName != county {
			continue
		}
		if *src.year != 0 && s.Year > *src.year {
			continue
		}
		key := fmt.Sprint(s.Year, "/", s.Code)
		if seen[key] {
			return nil, fmt.Errorf("学校标识码 %s 在 %d 年度出现了两次；同一学校同一年度只能有一行", s.Code, s.Year)
		}
		seen[key] = true
		codes[s.CountyCode] = true
		out = append(out, s)
	}
	switch {
	case len(out) == 0:
		return nil, fmt.Errorf("没有县区 %q 的数据：--county 请填6位县区代码或县区名称", county)
	case len(codes) > 1:
		return nil, fmt.Errorf("--county %q 对应 %d 个县区，请用6位县区代码", county, len(codes))
	}
	return out, nil
}

func writeForecastText(w io.Writer, r *standards.Rules, res *forecast.Result) error {
	ew := &lineWriter{w: w}
	var ys []string
	for _, y := range res.Years {
		ys = append(ys, strconv.Itoa(y))
	}
	ew.f("监测预警：%s（%s）· 数据年度 %s · 预测 %d–%d（教师、校舍、设备保持 %d 年度水平）\n", res.CountyName, res.County,
		strings.Join(ys, "、"), res.Ahead[0], res.Ahead[len(res.Ahead)-1], res.Years[len(res.Years)-1])
	ew.f("在校生预测方法：%s\n", res.Method)
	ew.f("\n资源配置：")
	for i, c := range append(slices.Clone(res.Observed), res.Projected...) {
		y := append(slices.Clone(res.Years), res.Ahead...)[i]
		star := ""
		if i >= len(res.Years) {
			star = "*"
		}
		ew.f("%d%s %s  ", y, star, planVerdict(c.ResourcePass))
	}
	ew.f("（* 为预测）\n")
	nf, nw := 0, 0
	for _, wn := range res.Warnings {
		if wn.Level == forecast.Fail {
			nf++
		} else {
			nw++
		}
	}
	ew.f("\n预警：%d 项将不达标，%d 项需要关注\n", nf, nw)
	for _, wn := range res.Warnings {
		level := "关注"
		if wn.Level == forecast.Fail {
			level = "预警"
		}
		ew.f("  [%s] %s\n", level, wn.Message)
	}
	if len(res.Warnings) == 0 {
		ew.f("  在预测年度内没有学校（部）或差异系数会变得不达标。\n")
	}
	all := append(slices.Clone(res.Years), res.Ahead...)
	ew.f("\n差异系数走势（* 为预测）：\n")
	var stage census.Stage
	for _, it := range res.Indicators {
		if it.Stage != stage {
			stage = it.Stage
			ew.f("  【%s】%s", stage.ZH(), export.Pad("", 40))
			for i, y := range all {
				mark := " "
				if i >= len(res.Years) {
					mark = "*"
				}
				ew.f(" %6d%s", y, mark)
			}
			ew.f("   上限  年变化\n")
		}
		ew.f("    %s", export.Pad(it.Name, 48))
		for _, v := range it.CV {
			ew.f(" %7s", fcCV(v))
		}
		ew.f("  %.2f  %s\n", it.Limit, fcSigned(it.Slope))
	}
	// Enrolment: the parts whose enrolment changes most.
	parts := slices.Clone(res.Parts)
	slices.SortFunc(parts, func(a, b forecast.PartTrend) int {
		da, db := math.Abs(a.Growth-1), math.Abs(b.Growth-1)
		switch {
		case da > db:
			return -1
		case da < db:
			return 1
		}
		return strings.Compare(a.SchoolCode, b.SchoolCode)
	})
	n := min(len(parts), 12)
	ew.f("\n在校生预测（变化最快的 %d 个学校（部），共 %d 个）：\n", n, len(parts))
	for _, p := range parts[:n] {
		ew.f("  %s %s %s部  ", p.SchoolCode, export.Pad(p.SchoolName, 24), p.Stage.ZH())
		for i, v := range p.Students {
			if i == len(res.Years) {
				ew.f(" →")
			}
			if math.IsNaN(v) {
				ew.f(" %6s", "—")
			} else {
				ew.f(" %6.0f", v)
			}
		}
		ew.f("  年增长 %+.1f%%\n", (p.Growth-1)*100)
	}
	// The values of the parts warned about.
	warned := map[string]bool{}
	for _, wn := range res.Warnings {
		if wn.Kind == "part" {
			warned[wn.SchoolCode+"/"+string(wn.Stage)+"/"+wn.Indicator] = true
		}
	}
	if len(warned) > 0 {
		ew.f("\n预警学校（部）的指标走势（* 为预测）：\n")
		for _, p := range res.Parts {
			for k, ind := range r.Indicators {
				if !warned[p.SchoolCode+"/"+string(p.Stage)+"/"+ind.ID] {
					continue
				}
				ew.f("  %s %s部 %s", export.Pad(p.SchoolName, 24), p.Stage.ZH(), export.Pad(ind.ZH, 48))
				for i, v := range p.Values[k] {
					if i == len(res.Years) {
						ew.f(" →")
					}
					ew.f(" %s", fcVal(v))
				}
				ew.f("（标准值 %g，年变化 %s）\n", ind.Thresholds[p.Stage], fcSigned(p.Slopes[k]))
			}
		}
	}
	return ew.err
}

func fcCV(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func fcVal(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	if math.Abs(v) >= 100 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func fcSigned(v float64) string {
	if math.IsNaN(v) {
		return "—"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}
