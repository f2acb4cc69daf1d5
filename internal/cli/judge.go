package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/dudao-edu/dudao/internal/store"
)

// listFlag collects a flag given several times.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// runJudge: dudao judge [--db DSN] --county C [--year Y] [--standard S]
// [--item ID [--status met|not_met|pending] [--comment TEXT] [--evidence FILE]...]
//
// With --status it records a judgement of an evidence item (never
// overwriting an earlier one) with its evidence files; without it lists the
// judgements of the county, or the history of one item.
func runJudge(e *env, args []string) error {
	fs := newFlags(e, "judge", "--county 代码 [--year 年度] [--standard 标准] [--item 项目 --status met|not_met|pending [--comment 意见] [--evidence 文件]...]")
	db := dbFlag(e, fs)
	county := fs.String("county", "", "6位县区代码")
	year := fs.Int("year", 0, "评估年度（默认：数据中最新的年度）")
	std := fs.String("standard", "yzjh2017", "评估标准（dudao standards list）")
	prof := fs.String("profile", "national", "省级方案：决定有哪些项目（如辽宁的附加否决项）")
	item := fs.String("item", "", "项目代码或名称，如 layout_plan 或 学校规划布局合理（dudao standards show 标准 列出每个项目）")
	status := fs.String("status", "", "评议结论：met（达标；否决项为“不存在该情形”）、not_met（未达标）、pending（待评议）")
	comment := fs.String("comment", "", "评议意见")
	actor := fs.String("actor", "", "评议人（默认：当前系统用户）")
	var evidence listFlag
	fs.Var(&evidence, "evidence", "佐证材料文件（PDF、图片、Word/Excel/PowerPoint、WPS、OFD，每个不超过 20 MB）；可重复")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("多余的参数 %v（佐证材料请用 --evidence 文件）", pos)
	}
	if _, ok := digits6(*county); !ok {
		return usagef("需要 --county 6位县区代码，如：dudao judge --county 340207 --item layout_plan --status met")
	}
	r, err := standards.Resolve(*std, *prof)
	if err != nil {
		return usagef("%s", err)
	}
	var it *standards.Item
	if *item != "" {
		var close []*standards.Item
		if it, close = r.FindItem(*item); it == nil {
			if len(close) > 0 {
				var names []string
				for _, x := range close {
					names = append(names, x.ID+"（"+x.ZH+"）")
				}
				return usagef("%s 没有项目 %q；是不是：%s", r.ID, *item, strings.Join(names, "、"))
			}
			var ids []string
			for _, x := range r.Items {
				if x.Evidence {
					ids = append(ids, x.ID+"（"+x.ZH+"）")
				}
			}
			return usagef("%s 没有项目 %q；需要评议的项目：%s", r.ID, *item, strings.Join(ids, "、"))
		}
		if !it.Evidence {
			return usagef("项目 %s（%s）由数据计算，不需要评议：请导入或修改数据（县级数据：dudao template --kind county）", it.ID, it.ZH)
		}
	}
	if *status == "" && (len(evidence) > 0 || *comment != "") {
		return usagef("记录评议需要 --status met、not_met 或 pending")
	}
	if *status != "" && it == nil {
		return usagef("记录评议需要 --item 项目代码")
	}
	var st census.Status
	if *status != "" {
		var ok bool
		if st, ok = census.ParseStatus(*status); !ok {
			return usagef("--status %q 无效：可用 met、not_met、pending", *status)
		}
	}
	var files []store.EvidenceUpload
	for _, f := range evidence {
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("不能读取佐证材料 %s：%w", f, err)
		}
		if _, err := store.SniffEvidence(filepath.Base(f), data); err != nil {
			return evidenceError(f, err)
		}
		files = append(files, store.EvidenceUpload{Name: filepath.Base(f), Data: data})
	}
	s, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer s.Close()
	y := *year
	if y == 0 {
		var years []int
		if r.Preschool() {
			years, err = s.UnitYears(e.ctx, store.KindKindergarten)
		} else {
			years, err = s.Years(e.ctx)
		}
		if err != nil {
			return err
		}
		if len(years) == 0 {
			return usagef("数据库中还没有数据：请用 --year 指定评估年度")
		}
		y = slices.Max(years)
	}
	if st == "" {
		return listJudgements(e, s, r, *county, y, it)
	}
	who := *actor
	if who == "" {
		who = os.Getenv("USER")
	}
	if who == "" {
		who = "cli"
	}
	j, err := s.Judge(e.ctx, census.Judgement{Standard: r.ID, CountyCode: *county, Year: y, Item: it.ID,
		Status: st, Comment: *comment, Actor: who}, files)
	if err != nil {
		if errors.Is(err, store.ErrEvidenceType) || errors.Is(err, store.ErrEvidenceSize) {
			return evidenceError("", err)
		}
		return err
	}
	what := export.StatusText(j.Status, []string{"judgement"})
	if it.Veto && j.Status == census.StatusMet {
		what = "不存在该情形"
	}
	fmt.Fprintf(e.stdout, "已记录：%s %d年度 %s（%s）：%s，评议人 %s，%s。佐证材料共 %d 份。\n",
		*county, y, it.ZH, it.ID, what, j.Actor, j.At.Format("2006-01-02 15:04"), len(j.Evidence))
	return nil
}

func evidenceError(file string, err error) error {
	var why string
	switch {
	case errors.Is(err, store.ErrEvidenceSize):
		why = fmt.Sprintf("超过 %d MB，请压缩或拆分后上传", store.MaxEvidenceSize>>20)
	default:
		why = "不是可接受的佐证材料（接受 PDF、图片、Word/Excel/PowerPoint、WPS、OFD 文档）"
	}
	if file == "" {
		return fmt.Errorf("佐证材料%s：%v", why, err)
	}
	return fmt.Errorf("%s %s（%v）", file, why, err)
}

func digits6(s string) (string, bool) {
	if len(s) != 6 {
		return "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	return s, true
}

// listJudgements prints the judgements in force of a county, or one item's history.
func listJudgements(e *env, s *store.Store, r *standards.Rules, county string, year int, it *standards.Item) error {
	w := &lineWriter{w: e.stdout}
	if it != nil {
		h, err := s.JudgementHistory(e.ctx, r.ID, year, county, it.ID)
		if err != nil {
			return err
		}
		w.f("%s %d年度 %s（%s）的评议记录：\n", county, year, it.ZH, it.ID)
		if len(h) == 0 {
			w.f("  尚未评议。\n")
		}
		for _, j := range h {
			w.f("  %s  %-6s %s  %s\n", j.At.Format("2006-01-02 15:04"), j.Actor, j.Status.ZH(), j.Comment)
		}
		cur, err := s.Judgements(e.ctx, r.ID, year, county)
		if err != nil {
			return err
		}
		for _, j := range cur {
			if j.Item == it.ID {
				for _, f := range j.Evidence {
					w.f("  佐证材料 #%d %s（%s，%d 字节，%s %s 上传）\n", f.ID, f.Name, f.Type, f.Size, f.Actor, f.At.Format("2006-01-02"))
				}
			}
		}
		return w.err
	}
	cur, err := s.Judgements(e.ctx, r.ID, year, county)
	if err != nil {
		return err
	}
	byItem := map[string]census.Judgement{}
	for _, j := range cur {
		byItem[j.Item] = j
	}
	w.f("%s %d年度 %s 需要评议的项目：\n", county, year, r.Name)
	for _, x := range r.Items {
		if !x.Evidence {
			continue
		}
		j, ok := byItem[x.ID]
		state := "待评议"
		if ok && j.ID != 0 {
			state = j.Status.ZH()
			if x.Veto && j.Status == census.StatusMet {
				state = "不存在该情形"
			}
			state += "（" + j.Actor + " " + j.At.Format("2006-01-02") + "）"
		}
		files := ""
		if n := len(j.Evidence); n > 0 {
			files = fmt.Sprintf("，佐证材料 %d 份", n)
		}
		w.f("  %-24s %s %s%s\n", x.ID, export.Pad(x.ZH, 28), state, files)
	}
	w.f("\n记录评议：dudao judge --county %s --year %d --item 项目代码 --status met|not_met [--comment 意见] [--evidence 文件]\n", county, year)
	return w.err
}
