package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/web"
)

// runDemo: dudao demo [--addr HOST:PORT] [--no-serve] [--dir DIR] [--seed N]
//
// It builds the demo province in a fresh SQLite database (in a new temporary
// directory unless --dir is given) with its demo accounts, evaluates the
// latest year, prints what it found and the demo logins, and serves the web
// application until interrupted (not with --no-serve).
func runDemo(e *env, args []string) error {
	fs := newFlags(e, "demo", "[--addr 主机:端口] [--no-serve] [--dir 目录] [--seed 整数]")
	dir := fs.String("dir", "", "演示数据库所在目录（默认：新建临时目录）")
	seed := fs.Int64("seed", demo.DefaultSeed, "随机种子：相同种子生成相同数据")
	addr := fs.String("addr", "127.0.0.1:8080", "网页服务监听地址")
	noServe := fs.Bool("no-serve", false, "只生成数据和账户，不启动网页服务")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	d := *dir
	if d == "" {
		var err error
		if d, err = os.MkdirTemp("", "dudao-demo-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(d, 0o755); err != nil {
		return err
	}
	path := filepath.Join(d, "dudao-demo.db")
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s 已存在：演示需要新的数据库，请换一个 --dir 或删除该文件", path)
	}
	dsn := "sqlite:" + path
	p := demo.Generate(*seed)
	st, err := store.Open(e.ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	accounts, err := web.SeedDemo(e.ctx, st, p)
	if err != nil {
		return err
	}
	year := slices.Max(p.Years)
	rules, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		return err
	}
	schools, err := st.Schools(e.ctx, year, "")
	if err != nil {
		return err
	}
	res := eval.Evaluate(rules, year, schools)
	passed := 0
	for _, c := range res.Counties {
		if c.ResourcePass {
			passed++
		}
	}
	w := e.stdout
	fmt.Fprintf(w, "演示省份已生成：%d 个县区，%d 条学校记录（%d–%d 年度）。\n", len(res.Counties), len(p.Schools), slices.Min(p.Years), year)
	fmt.Fprintf(w, "%d 年度资源配置（优质均衡七项指标）：达标 %d 个县区，未达标 %d 个。\n", year, passed, len(res.Counties)-passed)
	demoWhole(w, p, year)
	fmt.Fprintln(w)
	byCode := map[string]*eval.County{}
	for _, c := range res.Counties {
		byCode[c.Code] = c
	}
	fmt.Fprintln(w, "几个典型县区（每类一个）：")
	shown := map[demo.Kind]bool{}
	for _, n := range p.Notes {
		c := byCode[n.Code]
		if c == nil || shown[n.Kind] {
			continue
		}
		shown[n.Kind] = true
		fmt.Fprintf(w, "  %s %-10s %s —— %s\n", n.Code, n.Name, yesNo(c.ResourcePass), n.Story)
	}
	fmt.Fprintln(w)
	demoWholeStories(w, p)
	fmt.Fprintf(w, "\n数据库：%s\n", path)
	fmt.Fprintf(w, "接着试试：\n")
	fmt.Fprintf(w, "  dudao evaluate --db %s\n", dsn)
	for _, n := range p.Notes {
		if n.Stage != "" && len(n.Indicators) > 0 && len(n.Schools) == 0 {
			fmt.Fprintf(w, "  dudao evaluate --db %s --county %s\n", dsn, n.Code)
			fmt.Fprintf(w, "  dudao explain --db %s --county %s --stage %s --indicator %s\n", dsn, n.Code, n.Stage, n.Indicators[0])
			break
		}
	}
	fmt.Fprintf(w, "  dudao evaluate --db %s --format xlsx -o 评估结果.xlsx\n", dsn)
	fmt.Fprintf(w, "\n演示账户（密码每次随机生成）：\n")
	for _, a := range accounts {
		fmt.Fprintf(w, "  %-8s 密码 %s  %s\n", a.Username, a.Password, a.About)
	}
	fmt.Fprintf(w, "\n演示数据还包括：一项进行中的填报任务（学校待填报、县级待审核、市级待认定和抽查），\n"+
		"以及四个处于不同阶段的认定案卷（自评、市复核、整改中、已认定并监测）。各账户登录后先看“待办”。\n")
	if *noServe {
		fmt.Fprintf(w, "\n启动网页服务：dudao serve --db %s --addr %s\n", dsn, *addr)
		return nil
	}
	return serve(e, st, *addr, "yzjh2017", "national", func(url string) {
		fmt.Fprintf(w, "\n网页服务：%s （按 Ctrl+C 停止）\n", url)
	})
}

func yesNo(b bool) string {
	if b {
		return "达标"
	}
	return "未达标"
}
