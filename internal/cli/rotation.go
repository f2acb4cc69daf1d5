package cli

import (
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"strings"

	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationeval"
	"github.com/dudao-edu/dudao/internal/rotationio"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runRotation: dudao rotation --county CODE --year Y [--db DSN | FILE...]
// | --county CODE --year Y --import FILE... | --template FILE
func runRotation(e *env, args []string) error {
	fs := newFlags(e, "rotation", "--county 代码 --year 年份 [--db DSN | 文件...]\n"+
		"       dudao rotation --county 代码 --year 年份 --import 文件...\n"+
		"       dudao rotation --county 代码 --year 年份 --export 文件.xlsx\n"+
		"       dudao rotation --template 文件.xlsx\n\n"+
		"教师交流轮岗台账：交流轮岗教师占符合交流条件教师的比例（标准 ≥ 10%）和其中骨干教师的比例（标准 ≥ 20%），\n"+
		"按精确分数判定；各校派出、接收的教师和骨干教师。--import 把台账存入数据库（替换本县该年度的台账），\n"+
		"此后“教师交流轮岗”一项按台账计算，不再用县级数据中填报的数字。")
	db := dbFlag(e, fs)
	county := fs.String("county", "", "县区代码（6位）")
	year := fs.Int("year", 0, "年度")
	imp := fs.Bool("import", false, "把文件导入数据库，替换本县该年度的台账")
	export := fs.String("export", "", "把数据库中本县该年度的台账写成 .xlsx（与模板同格式）")
	tmpl := fs.String("template", "", "写出交流轮岗台账导入模板（.xlsx）")
	std := fs.String("standard", "yzjh2017", "评估标准：导入前按它的校际达标要求检查交流的影响")
	prof := fs.String("profile", "national", "省级方案")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *tmpl != "" {
		if err := writeOutput(e, *tmpl, func(w io.Writer) error { return rotationio.WriteXLSX(w, rotation.Ledger{}) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "已写入模板 %s（两张表：交流轮岗、符合条件教师；“说明”工作表解释每一列）\n", *tmpl)
		return nil
	}
	code := strings.TrimSpace(*county)
	if len(code) != 6 || *year < 1900 || *year > 2200 {
		return usagef("需要 --county 6位县区代码和 --year 年度，如 dudao rotation --county 340207 --year 2025")
	}
	var in []rotationio.File
	var names []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		in = append(in, rotationio.File{Name: filepath.Base(f), Data: b})
		names = append(names, filepath.Base(f))
	}
	var l rotation.Ledger
	switch {
	case *imp:
		if len(in) == 0 {
			return usagef("--import 需要文件")
		}
		if l, err = rotationio.ReadYear(*year, nil, in...); err != nil {
			return err
		}
		if l.Year != *year {
			return fmt.Errorf("按开始日期，台账属于 %d 学年（学年从 9 月 1 日起算），与 --year %d 不同：核对开始日期或 --year", l.Year, *year)
		}
		rules, err := standards.Resolve(*std, *prof)
		if err != nil {
			return usagef("%s", err)
		}
		st, err := openStore(e, *db, true)
		if err != nil {
			return err
		}
		defer st.Close()
		// The same warnings as the page's preview, before storing.
		if err := writeRotationText(e.stdout, code, *year, l); err != nil {
			return err
		}
		if !rules.Preschool() {
			schools, err := st.Schools(e.ctx, *year, code)
			if err != nil {
				return err
			}
			if err := writeRotationWarnings(e.stdout, rules, *year, len(schools) > 0, rotationeval.Check(rules, schools, l)); err != nil {
				return err
			}
		}
		im, err := st.ReplaceRotation(e.ctx, "cli", code, *year, names, l)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "\n已导入 %s %d 年的交流轮岗台账：%d 名教师交流轮岗，%d 所学校的符合条件教师数（共 %d 行）\n",
			code, *year, len(l.Rotations), len(l.Eligible), im.Rows)
		return nil
	case len(in) > 0:
		if l, err = rotationio.Read(in...); err != nil {
			return err
		}
	default:
		st, err := openStore(e, *db, false)
		if err != nil {
			return err
		}
		defer st.Close()
		if l, err = st.Rotation(e.ctx, code, *year); err != nil {
			return fmt.Errorf("%s %d 年没有交流轮岗台账：先用 dudao rotation --county %s --year %d --import 文件 导入（%w）", code, *year, code, *year, err)
		}
		if *export != "" {
			if err := writeOutput(e, *export, func(w io.Writer) error { return rotationio.WriteXLSX(w, l) }); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "已写出 %s\n", *export)
			return nil
		}
	}
	return writeRotationText(e.stdout, code, *year, l)
}

// writeRotationText writes the ledger's shares, with their verdicts and
// margins, and each school's flows.
func writeRotationText(w io.Writer, county string, year int, l rotation.Ledger) error {
	ew := &lineWriter{w: w}
	s := l.Shares()
	verdict := func(sh rotation.Share) string {
		switch {
		case sh.Value == nil:
			return "无法计算"
		case sh.Met:
			return fmt.Sprintf("达标（高出 %s 个百分点）", pp(sh))
		default:
			return fmt.Sprintf("未达标（差 %s 个百分点，还需 %d 人）", pp(sh), sh.Need)
		}
	}
	ew.f("%s %d 年教师交流轮岗\n", county, year)
	ew.f("交流轮岗教师 %d ÷ 符合交流条件教师 %d = %s，标准 ≥ 10%%，%s\n", s.Rotated, s.Eligible, s.RotatedShare.Percent(), verdict(s.RotatedShare))
	ew.f("骨干教师 %d ÷ 交流轮岗教师 %d = %s，标准 ≥ 20%%，%s\n", s.Backbone, s.Rotated, s.BackboneShare.Percent(), verdict(s.BackboneShare))
	ew.f("\n学校代码  学校  派出  接收  净变化  派出骨干  接收骨干  符合条件教师\n")
	for _, f := range l.Flows() {
		ew.f("%s  %s  %d  %d  %+d  %d  %d  %d\n", f.School, f.Name, f.Out, f.In, f.Net(), f.BackboneOut, f.BackboneIn, f.Eligible)
	}
	return ew.err
}

// pp is a share's margin in percentage points, unsigned, two decimals.
func pp(sh rotation.Share) string {
	m := new(big.Rat).Abs(sh.Margin)
	return m.Mul(m, big.NewRat(100, 1)).FloatString(2)
}

// writeRotationWarnings writes what the page's preview warns of: the
// schools that meet the school rule now and would not after the
// rotations, with the indicators that break; the rotations of unknown
// stage; the school codes the census of year does not hold.
func writeRotationWarnings(w io.Writer, rules *standards.Rules, year int, census bool, res rotationeval.Result) error {
	ew := &lineWriter{w: w}
	if !census {
		ew.f("\n注意：没有本县 %d 学年的学校数据，无法检查交流对校际达标的影响。\n", year)
		return ew.err
	}
	if len(res.Breaks) == 0 {
		ew.f("\n交流后没有学校由达标变为不达标。\n")
	} else {
		ew.f("\n警告：交流后 %d 所学校不再达到校际达标要求：\n", len(res.Breaks))
	}
	for _, b := range res.Breaks {
		var short []string
		for _, sf := range b.Shortfalls {
			name := sf.Indicator
			if ind := rules.Indicator(sf.Indicator); ind != nil {
				name = ind.ZH
			}
			short = append(short, fmt.Sprintf("%s %.2f < %g", name, sf.Value, sf.Threshold))
		}
		ew.f("  %s %s %s（派出 %d 人，接收 %d 人）：%s\n", b.School, b.Name, b.Stage.ZH(), b.Out, b.In, strings.Join(short, "；"))
	}
	if len(res.Unstaged) > 0 {
		ew.f("注意：%d 名教师的学段无法确定（两所学校都是九年一贯制或十二年一贯制），未计入检查：请在“学段”列填写小学或初中。\n", len(res.Unstaged))
		for _, r := range res.Unstaged {
			ew.f("  %s %s：%s → %s\n", r.Teacher, r.Name, r.From, r.To)
		}
	}
	if len(res.Unknown) > 0 {
		ew.f("注意：这些学校代码不在本县 %d 学年的学校数据中：%s\n", year, strings.Join(res.Unknown, "、"))
	}
	return ew.err
}
