package cli

import (
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runPlaces: dudao places --county CODE [--stage S] [--db DSN | FILE...]
// | --county CODE --import FILE... | --template FILE
func runPlaces(e *env, args []string) error {
	fs := newFlags(e, "places", "--county 代码 [--stage primary|junior|kindergarten] [--db DSN | 文件...]\n"+
		"       dudao places --county 代码 --import 文件...\n"+
		"       dudao places --template 文件.xlsx\n\n"+
		"学位预警：按学区用出生人口和分年级在校生做队列推算，预测今后几年各学区、各学校的在校生，\n"+
		"与学位数比较（黄色、红色预警阈值和班额取评估方案设置），给出缺口学位、缺口班数、规划项目是否来得及，\n"+
		"以及用已知年份回测的误差。给出文件时在内存中计算；--import 把文件存入数据库（文件中有的表整表替换）。")
	db := dbFlag(e, fs)
	county := fs.String("county", "", "县区代码（6位）")
	stage := fs.String("stage", "primary", "学段：primary（小学）、junior（初中）、kindergarten（幼儿园）")
	std := fs.String("standard", "yzjh2017", "评估标准（dudao standards list）")
	prof := fs.String("profile", "national", "省级方案：取其学位预警阈值、班额和预测年数")
	imp := fs.Bool("import", false, "把文件导入数据库，替换本县文件中有的表")
	tmpl := fs.String("template", "", "写出学位数据导入模板（.xlsx）")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *tmpl != "" {
		if err := writeOutput(e, *tmpl, func(w io.Writer) error { return seatsio.WriteXLSX(w, seats.Records{}) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已写入模板 %s（四张表：出生人口、学校学位、分年级在校生、规划项目；“说明”工作表解释每一列）\n", *tmpl)
		return nil
	}
	code := strings.TrimSpace(*county)
	if len(code) != 6 {
		return usagef("需要 --county 6位县区代码，如 dudao places --county 340207")
	}
	if err := oneOf("stage", *stage, string(seats.Primary), string(seats.Junior), string(seats.Kindergarten)); err != nil {
		return err
	}
	var in []seatsio.File
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		in = append(in, seatsio.File{Name: filepath.Base(f), Data: b})
	}
	if *imp {
		if len(in) == 0 {
			return usagef("--import 需要文件")
		}
		rec, err := seatsio.Read(in...)
		if err != nil {
			return err
		}
		st, err := openStore(e, *db, true)
		if err != nil {
			return err
		}
		defer st.Close()
		var names []string
		for _, f := range in {
			names = append(names, f.Name)
		}
		im, err := st.ReplaceSeats(e.ctx, "cli", code, names, rec)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已导入 %s 的学位数据 %d 行（%s）\n", code, im.Rows, joinTables(im.Tables))
		return nil
	}
	rules, err := standards.Resolve(*std, *prof)
	if err != nil {
		return usagef("%s", err)
	}
	var rec seats.Records
	if len(in) > 0 {
		if rec, err = seatsio.Read(in...); err != nil {
			return err
		}
	} else {
		st, err := openStore(e, *db, false)
		if err != nil {
			return err
		}
		defer st.Close()
		if rec, err = st.Seats(e.ctx, code); err != nil {
			return err
		}
	}
	s := seats.Stage(*stage)
	opt, size, err := seats.OptionsOf(rules.Settings.Places, s)
	if err != nil {
		return err
	}
	input := rec.Input(s, size)
	if len(input.Schools) == 0 {
		return fmt.Errorf("%s 没有%s的学位数据：先用 dudao places --county %s --import 文件 导入", code, s.ZH(), code)
	}
	res, err := seats.Forecast(input, opt)
	if err != nil {
		return err
	}
	return writePlacesText(e.stdout, code, res, input, opt)
}

func joinTables(ts []seats.Table) string {
	zh := map[seats.Table]string{seats.TableBirths: "出生人口", seats.TableSchools: "学校学位", seats.TableEnrolment: "分年级在校生", seats.TableProjects: "规划项目"}
	var out []string
	for _, t := range ts {
		out = append(out, zh[t])
	}
	return strings.Join(out, "、")
}

// writePlacesText writes the forecast as text: the method, the yearly
// summary, the warnings of the central variant with the low and high
// beside them, and the backtest of the last known year.
func writePlacesText(w io.Writer, county string, res *seats.Result, in seats.Input, opt seats.Options) error {
	ew := &lineWriter{w: w}
	ew.f("%s %s学位预测（%d 年起 %d 年）\n%s\n\n", county, res.Stage.ZH(), res.Years[0], len(res.Years), res.Method)
	ew.f("年份  红色学区 黄色学区 红色学校 黄色学校 缺口学位 缺口班数 项目启用后仍缺\n")
	for _, y := range res.Summary(seats.Central) {
		ew.f("%d  %8d %8d %8d %8d %8d %8d %14d\n", y.Year, y.RedCatchments, y.AmberCatchments, y.RedSchools, y.AmberSchools, y.Shortfall, y.ShortfallClasses, y.Uncovered)
	}
	ew.f("\n预警（中方案；括号内为低方案～高方案）：\n")
	light := map[seats.Light]string{seats.Red: "红色", seats.Amber: "黄色", seats.Green: "正常"}
	for _, wn := range res.Warnings {
		c := wn.Checks[seats.Central]
		unit := "学区 " + wn.Catchment
		if wn.School != "" {
			unit = wn.Name + "（" + wn.School + "）"
		}
		cover := ""
		switch c.Cover {
		case seats.InTime:
			cover = "，规划项目按时解决"
		case seats.TooLate:
			cover = fmt.Sprintf("，规划项目 %d 年才启用，来不及", c.ClosedFrom)
		case seats.NotClosed:
			cover = "，规划项目不足以解决"
		}
		ew.f("%d %s %s：在校生 %d（%d～%d），学位 %d，缺口 %d 个学位（%d 个班）%s\n", wn.Year, light[c.Light], unit, c.Students,
			wn.Checks[seats.Low].Students, wn.Checks[seats.High].Students, c.Places, c.Shortfall, c.ShortfallClasses, cover)
	}
	if len(res.Warnings) == 0 {
		ew.f("无\n")
	}
	if bt, err := seats.Backtest(in, res.From, opt); err == nil {
		ew.f("\n回测：用 %d 年及以前的数据预测 %d 年：学区平均绝对误差 %s 人、平均相对误差 %s%%；学校平均绝对误差 %s 人\n", bt.From, bt.Year,
			bt.CatchmentAccuracy.MAE.FloatString(1), new(big.Rat).Mul(bt.CatchmentAccuracy.MAPE, big.NewRat(100, 1)).FloatString(1), bt.SchoolAccuracy.MAE.FloatString(1))
	} else {
		ew.f("\n无法回测：%s\n", err)
	}
	return ew.err
}
