package cli

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

// source is where a command's census records come from: files read in
// memory, or a database. Commands that read records register its flags.
type source struct {
	db            *string
	year          *int
	county        *string
	equipmentUnit *string
	confirmUnits  *bool
	sheet         *string
	// runs, when a file's records were evaluated as they were read
	// (readsAsEvaluated), are the rows of each county of the year, in
	// order; the inputs then hold no schools.
	runs []censusio.RunResult
}

// sheetHelp explains --sheet.
const sheetHelp = "读取 .xlsx 工作簿中的哪个工作表（默认：名为 学校/幼儿园/县级数据 的工作表，否则第一行是表头的工作表，否则第一个）"

// options are the censusio options the flags ask for, reading kind.
func (src *source) options(kind string) censusio.Options {
	return censusio.Options{EquipmentUnit: *src.equipmentUnit, ConfirmUnits: *src.confirmUnits, Kind: kind, Sheet: *src.sheet}
}

func sourceFlags(e *env, fs *flag.FlagSet) *source {
	return &source{
		db:            dbFlag(e, fs),
		year:          fs.Int("year", 0, "统计年度（默认：数据中最新的年度）"),
		county:        fs.String("county", "", "只看一个县区：6位县区代码或县区名称"),
		equipmentUnit: fs.String("equipment-unit", "", "文件表头未注明单位时，教学仪器设备值的单位：元 或 万元"),
		confirmUnits:  fs.Bool("confirm-units", false, "确认金额单位：文件表头写万元而数值像按元填写时，仍按表头的万元读取"),
		sheet:         fs.String("sheet", "", sheetHelp),
	}
}

// load returns the records of the chosen year and county, and that year.
// With files it works in memory and writes nothing.
func (src *source) load(e *env, files []string, dbSet bool) ([]census.School, int, error) {
	var all []census.School
	if len(files) > 0 {
		if dbSet {
			return nil, 0, usagef("给出文件时在内存中评估，不读数据库：请去掉 --db 或去掉文件")
		}
		seen := map[string]string{}
		for _, f := range files {
			b, err := censusio.ReadFile(f, src.options("school"))
			if err != nil {
				return nil, 0, err
			}
			printNotes(e, b.Warnings)
			for _, s := range b.Schools {
				key := fmt.Sprint(s.Year, "/", s.Code)
				if prev, ok := seen[key]; ok {
					return nil, 0, fmt.Errorf("%s：学校标识码 %s 在 %d 年度已出现在 %s 中；同一学校同一年度只能有一行，请删去重复的一行", f, s.Code, s.Year, prev)
				}
				seen[key] = f
			}
			all = append(all, b.Schools...)
		}
		year := *src.year
		if year == 0 {
			for _, s := range all {
				year = max(year, s.Year)
			}
		}
		return src.filter(all, year)
	}
	st, err := openStore(e, *src.db, false)
	if err != nil {
		return nil, 0, err
	}
	defer st.Close()
	year := *src.year
	if year == 0 {
		years, err := st.Years(e.ctx)
		if err != nil {
			return nil, 0, err
		}
		if len(years) == 0 {
			return nil, 0, fmt.Errorf("数据库 %s 中还没有数据：先运行 dudao import 文件.xlsx", *src.db)
		}
		year = slices.Max(years)
	}
	all, err = st.Schools(e.ctx, year, "")
	if err != nil {
		return nil, 0, err
	}
	return src.filter(all, year)
}

func (src *source) filter(all []census.School, year int) ([]census.School, int, error) {
	c := strings.TrimSpace(*src.county)
	years := map[int]bool{}
	out := keep(all, func(s *census.School) bool {
		years[s.Year] = true
		return s.Year == year && (c == "" || s.CountyCode == c || s.CountyName == c)
	})
	if len(out) == 0 {
		switch {
		case !years[year]:
			var ys []string
			for y := range years {
				ys = append(ys, fmt.Sprint(y))
			}
			slices.Sort(ys)
			return nil, 0, fmt.Errorf("没有 %d 年度的数据（已有年度：%s）：请用 --year 选择", year, strings.Join(ys, "、"))
		case c != "":
			names := map[string]string{}
			for i := range all {
				if all[i].Year == year {
					names[all[i].CountyCode] = all[i].CountyName
				}
			}
			return nil, 0, fmt.Errorf("%d 年度没有县区 %q 的数据：--county 请填6位县区代码或县区名称%s", year, c, countyHint(c, names))
		}
		return nil, 0, fmt.Errorf("%d 年度没有学校数据", year)
	}
	return out, year, nil
}

// countyHint suggests the counties (code → name) whose name or code holds
// q ("来安" → 来安县（341122）), at most five: "；是不是：…", or "".
func countyHint(q string, names map[string]string) string {
	var hits []string
	for _, code := range slices.Sorted(maps.Keys(names)) {
		if n := names[code]; strings.Contains(n, q) || strings.Contains(code, q) {
			hits = append(hits, n+"（"+code+"）")
		}
	}
	if len(hits) == 0 {
		return ""
	}
	return "；是不是：" + strings.Join(hits[:min(len(hits), 5)], "、")
}

// openStore opens the database. When mustExist is false and the DSN is a
// SQLite file that does not exist, it says so instead of creating an empty one.
func openStore(e *env, dsn string, create bool) (*store.Store, error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok && !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("找不到数据库 %s：先用 dudao import 导入数据，或用 --db 指定数据库，或直接给出数据文件", path)
		}
	}
	return store.Open(e.ctx, dsn)
}

func printNotes(e *env, notes []censusio.Note) {
	for _, n := range notes {
		fmt.Fprintf(e.stderr, "提示：%s\n", noteText(n))
	}
}

// noteText is a note on one line, as censusio writes it: a header or cell
// typed with a line break must not split it.
func noteText(n censusio.Note) string {
	return n.String()
}
