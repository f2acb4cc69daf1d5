package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runEvaluate: dudao evaluate [--db DSN | FILE...] [--standard ID] [--profile ID] [--year YYYY] [--county CODE] [--format text|json|csv|xlsx] [-o FILE]
func runEvaluate(e *env, args []string) error {
	fs := newFlags(e, "evaluate", "[--db DSN | 文件...] [--standard ID] [--profile ID] [--year 年度] [--county 代码] [--format text|json|csv|xlsx] [-o 文件]")
	src := sourceFlags(e, fs)
	std := fs.String("standard", "yzjh2017", "评估标准（dudao standards list）")
	prof := fs.String("profile", "national", "省级方案（dudao standards list）")
	format := fs.String("format", "text", "输出格式：text、json、csv、xlsx")
	table := fs.String("table", "indicators", "csv 输出哪张表：counties（县区）、indicators（差异系数）、parts（学校）、items（认定项目）、kindergartens（幼儿园）")
	out := fs.String("o", "", "写入文件（默认：标准输出）")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := oneOf("format", *format, "text", "json", "csv", "xlsx"); err != nil {
		return err
	}
	if err := oneOf("table", *table, export.Tables...); err != nil {
		return err
	}
	if *format == "xlsx" && (*out == "" || *out == "-") {
		return usagef("--format xlsx 需要用 -o 指定输出文件，如 -o 评估结果.xlsx")
	}
	rules, err := standards.Resolve(*std, *prof)
	if err != nil {
		return usagef("%s", err)
	}
	in, year, err := src.loadInputs(e, files, flagSet(fs, "db"), rules)
	if err != nil {
		return err
	}
	res := eval.EvaluateWhole(rules, year, in)
	return writeOutput(e, *out, func(w io.Writer) error {
		switch *format {
		case "json":
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(res.JSON())
		case "csv":
			t, err := export.Build(res, *table)
			if err != nil {
				return err
			}
			return export.WriteCSV(w, t)
		case "xlsx":
			return export.WriteXLSX(w, res)
		}
		return export.WriteText(w, res)
	})
}

// flagSet reports whether the flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			found = true
		}
	})
	return found
}

// runExplain: dudao explain [--db DSN | FILE...] --county C --stage S --indicator ID [--school CODE]
func runExplain(e *env, args []string) error {
	fs := newFlags(e, "explain", "[--db DSN | 文件...] --county 代码 --indicator 指标代码 [--stage primary|junior] [--school 学校标识码]")
	src := sourceFlags(e, fs)
	std := fs.String("standard", "yzjh2017", "评估标准")
	prof := fs.String("profile", "national", "省级方案")
	stage := fs.String("stage", "primary", "学段：primary（小学）或 junior（初中）")
	ind := fs.String("indicator", "", "指标代码，如 backbone_teachers（dudao standards show yzjh2017）")
	school := fs.String("school", "", "学校标识码：解释该校的指标值；不填则解释全县的差异系数")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if *src.county == "" || *ind == "" {
		return usagef("需要 --county 和 --indicator，如：dudao explain --county 340207 --indicator backbone_teachers")
	}
	if err := oneOf("stage", *stage, "primary", "junior"); err != nil {
		return err
	}
	rules, err := standards.Resolve(*std, *prof)
	if err != nil {
		return usagef("%s", err)
	}
	if rules.Indicator(*ind) == nil {
		var ids []string
		for _, i := range rules.Indicators {
			ids = append(ids, i.ID)
		}
		return usagef("没有指标 %q：可用 %s", *ind, strings.Join(ids, "、"))
	}
	schools, year, err := src.load(e, files, flagSet(fs, "db"))
	if err != nil {
		return err
	}
	res := eval.Evaluate(rules, year, schools)
	if len(res.Counties) != 1 {
		return fmt.Errorf("--county %q 对应 %d 个县区，请用6位县区代码", *src.county, len(res.Counties))
	}
	c := res.Counties[0]
	var x *eval.Explanation
	if *school != "" {
		x, err = c.ExplainValue(*school, stageOf(*stage), *ind)
	} else {
		x, err = c.ExplainCV(stageOf(*stage), *ind)
	}
	if err != nil {
		return err
	}
	_, err = io.WriteString(e.stdout, x.String())
	return err
}

func stageOf(s string) census.Stage { return census.Stage(s) }
