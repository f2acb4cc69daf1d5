package cli

import (
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/export"
	"github.com/dudao-edu/dudao/internal/hugepages"
	"github.com/dudao-edu/dudao/internal/standards"
)

// runEvaluate: dudao evaluate [--db DSN | FILE...] [--standard ID] [--profile ID] [--year YYYY] [--county CODE] [--format text|json|csv|xlsx] [--detail counties|indicators|parts] [-o FILE]
func runEvaluate(e *env, args []string) error {
	fs := newFlags(e, "evaluate", "[--db DSN | 文件...] [--standard ID] [--profile ID] [--profile-file 文件] [--cv-decimals N] [--year 年度] [--county 代码] [--format text|json|csv|xlsx] [--detail counties|indicators|parts] [-o 文件]")
	src := sourceFlags(e, fs)
	rf := addRuleFlags(fs)
	format := fs.String("format", "text", "输出格式：text、json、csv、xlsx")
	table := fs.String("table", "indicators", "csv 输出哪张表：counties（县区）、indicators（差异系数）、parts（学校）、items（认定项目）、kindergartens（幼儿园）")
	detail := fs.String("detail", "parts", "text 和 json 输出的详细程度：counties（各县区的结论和综合差异系数）、indicators（另加各学段的指标和认定项目）、parts（另加每所学校（部）和幼儿园，即全部）；csv 和 xlsx 由 --table 和工作表决定，不受此影响")
	out := fs.String("o", "", "写入文件（默认：标准输出）")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if err := oneOf("detail", *detail, eval.Details...); err != nil {
		return err
	}
	d, err := eval.ParseDetail(*detail)
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
	rules, err := rf.resolve()
	if err != nil {
		return err
	}
	// The records of files are read outside the collected heap, and
	// forgotten when the evaluation is written.
	var arena *censusio.Arena
	if len(files) > 0 {
		arena = censusio.NewArena()
		defer arena.Free()
	}
	loaded, done := batchGC(e, files, arena != nil)
	defer done()
	asRead := src.readsAsEvaluated(files, rules, *format, *table)
	in, year, err := src.loadInputsIn(e, files, flagSet(fs, "db"), rules, func(o *censusio.Options) {
		o.Arena, o.NoHash = arena, true
		if asRead {
			o.EachRun = rowsOfRuns(rules, *table)
		}
	})
	if src.runs != nil {
		// Evaluated as read: what is left allocates little, and a
		// collection of the rows made would only be waited for.
		return writeOutput(e, *out, func(w io.Writer) error { return writeRuns(w, rules, year, *table, src.runs) })
	}
	loaded()
	if err != nil {
		return err
	}
	switch *format {
	case "json", "text", "csv":
		// Evaluated and written county by county: memory holds the
		// records and a few counties' results, not the nation's.
		return writeOutput(e, *out, func(w io.Writer) error {
			head := eval.NewWhole(rules, year)
			var (
				county func(*eval.County) error
				finish func() error
			)
			switch *format {
			case "json":
				jw, err := eval.NewJSONWriter(w, head, d)
				if err != nil {
					return err
				}
				county, finish = jw.County, jw.Close
			case "csv":
				cw, err := export.NewCSVWriter(w, head, *table)
				if err != nil {
					return err
				}
				county, finish = cw.County, cw.Close
			default:
				tw := export.NewTextWriter(w, head, d)
				county, finish = tw.County, tw.Close
			}
			each := eval.EvaluateWholeEach
			if *format == "csv" && !export.ReadsVerdicts(*table) {
				each = eval.EvaluateResourceStream
			}
			if _, err := each(rules, year, in, county); err != nil {
				return err
			}
			return finish()
		})
	}
	res := eval.EvaluateWhole(rules, year, in)
	return writeOutput(e, *out, func(w io.Writer) error { return export.WriteXLSX(w, res) })
}

// ruleFlags are the flags that choose the rules a command evaluates with.
type ruleFlags struct {
	std, prof, file, cvDecimals, cvCompare *string
}

// addRuleFlags adds --standard, --profile, --profile-file, --cv-decimals
// and --cv-compare to fs (evaluate, report and plan share them).
func addRuleFlags(fs *flag.FlagSet) *ruleFlags {
	rf := addProfileFlags(fs)
	rf.std = fs.String("standard", "yzjh2017", "评估标准（dudao standards list）")
	return rf
}

// addProfileFlags adds the flags of addRuleFlags but --standard, for
// standards show, which takes the standard as its argument (set rf.std).
func addProfileFlags(fs *flag.FlagSet) *ruleFlags {
	return &ruleFlags{
		std:        new(string),
		prof:       fs.String("profile", "national", "省级方案（dudao standards list）"),
		file:       fs.String("profile-file", "", "方案文件（JSON，格式同内置方案：id、name、base、settings、overrides），叠加在 --profile 之上；如 {\"id\":\"my\",\"settings\":{\"cv_compare_decimals\":2}}"),
		cvDecimals: fs.String("cv-decimals", "", "差异系数四舍五入保留 N 位小数后与上限比较；-1 或 none 按未舍入值比较（默认：方案的 cv_compare_decimals）"),
		cvCompare:  fs.String("cv-compare", "", "差异系数比较方式：unrounded（未舍入）或 rounded（舍入，位数见 --cv-decimals，默认 2）"),
	}
}

// resolve returns the rules the flags choose: the standard under the
// profile, overlaid with the profile file, with the comparison settings of
// the command line last.
func (rf *ruleFlags) resolve() (*standards.Rules, error) {
	pid := *rf.prof
	if *rf.file != "" {
		b, err := os.ReadFile(*rf.file)
		if err != nil {
			return nil, err
		}
		p, err := standards.ReadProfile(b, pid)
		if err != nil {
			return nil, usagef("%s：%s", *rf.file, err)
		}
		pid = p.ID
	}
	r, err := standards.Resolve(*rf.std, pid)
	if err != nil {
		return nil, usagef("%s", err)
	}
	d, set := r.Settings.CVCompareDecimals, false
	switch *rf.cvCompare {
	case "":
	case "unrounded":
		d, set = -1, true
	case "rounded":
		if d < 0 {
			d = 2
		}
		set = true
	default:
		return nil, usagef("--cv-compare 只能是 unrounded 或 rounded，不是 %q", *rf.cvCompare)
	}
	if v := *rf.cvDecimals; v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case v == "none":
			n = -1
		case err != nil || n < -1:
			return nil, usagef("--cv-decimals 应为 0 到 10 的整数，或 -1（none，不舍入），不是 %q", v)
		}
		if *rf.cvCompare == "unrounded" && n >= 0 {
			return nil, usagef("--cv-compare unrounded 与 --cv-decimals %d 矛盾", n)
		}
		d, set = n, true
	}
	if set {
		if err := r.SetCVCompare(d); err != nil {
			return nil, usagef("%s", err)
		}
	}
	return r, nil
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
	ind := fs.String("indicator", "", "指标代码或名称，如 backbone_teachers 或 骨干教师（dudao standards show yzjh2017）")
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
	found, close := rules.FindIndicator(*ind)
	if found == nil {
		if len(close) == 0 {
			close = make([]*standards.Indicator, len(rules.Indicators))
			for i := range rules.Indicators {
				close[i] = &rules.Indicators[i]
			}
		}
		var names []string
		for _, i := range close {
			names = append(names, i.ID+"（"+i.ZH+"）")
		}
		return usagef("没有指标 %q；是不是：%s", *ind, strings.Join(names, "、"))
	}
	*ind = found.ID
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

// batchGC tunes the garbage collector for an evaluation, and returns the
// function to call once its records are loaded, and the one that restores
// the collector's settings when the command ends.
//
// While files are read it is off: a read keeps nearly all it allocates
// (the records, and the file until its rows are read), so a collection in
// the middle of it freed little, and it ran while the rows were parsed,
// slowing every allocation and write. A memory limit of a multiple of the
// files' size, far above what a read takes, still bounds a read that would
// take more.
//
// Once records read into an arena (offHeap) are loaded, the heap holds
// little but the evaluation's garbage (each county's results once
// written), which a collection frees at little cost since the records are
// not scanned: the collector runs only when the heap reaches what was live
// after the last collection plus heapRoom (a memory limit that follows
// the live heap, see trackLive), which bounds the memory the evaluation
// adds without a cycle every few counties, and without a cycle after
// every allocation when what is live grows (a whole verdict keeps every
// county's resource part).
//
// Otherwise the records, once read, stay to the end, and what else is
// allocated is garbage soon (a database row's texts once copied, each
// county's results once written): a heap goal of half the live heap above
// it (GOGC=50) rather than all of it keeps the peak of a nation 50 MB
// lower at the cost of a cycle or two, and on this kind of machine a page
// of memory first touched costs more than a collection. GOGC set in the
// environment is kept.
func batchGC(e *env, files []string, offHeap bool) (loaded, done func()) {
	// The heap an evaluation grows by, backed by huge pages: what it
	// allocates besides records read into an arena (files), or with the
	// records when they are read onto the heap (a database: 96 MB of
	// them for a nation, their texts, and the evaluation's garbage). An
	// evaluation from the database took 16 000 faults on small pages, and
	// 3 000 with this.
	if offHeap {
		// The read allocates little on the heap: collect in the
		// background while it starts.
		hugepages.HeapSoon(64 << 20)
	} else {
		hugepages.Heap(256 << 20)
	}
	prevPercent := debug.SetGCPercent(100)
	debug.SetGCPercent(prevPercent)
	prevLimit := debug.SetMemoryLimit(-1)
	track := &liveTracker{}
	var bg sync.WaitGroup // the collection after the read
	done = func() {
		bg.Wait()
		track.stop()
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
	percent := 50
	if e.getenv("GOGC") != "" {
		percent = prevPercent
		offHeap = false
	}
	var size int64
	for _, f := range files {
		if fi, err := os.Stat(f); err == nil {
			size += fi.Size()
		}
	}
	if size == 0 {
		debug.SetGCPercent(percent)
		return func() {}, done
	}
	debug.SetMemoryLimit(int64(256<<20) + 16*size)
	debug.SetGCPercent(-1)
	return func() {
		if !offHeap {
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(prevLimit)
			return
		}
		// Collected in the background while the evaluation starts (it
		// took a millisecond and more of waiting here); until it ends the
		// limit above holds.
		bg.Go(func() {
			runtime.GC()
			if live, ok := liveHeap(); ok {
				debug.SetMemoryLimit(live + heapRoom)
				track.start()
				return
			}
			debug.SetGCPercent(percent)
			debug.SetMemoryLimit(prevLimit)
		})
	}, done
}

// liveHeap returns the bytes of the heap found live by the last collection.
func liveHeap() (int64, bool) {
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(live)
	if live[0].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return int64(live[0].Value.Uint64()), true
}

// liveTracker sets the memory limit to the live heap plus heapRoom after
// every collection, from start to stop: a finalizer, which runs once a
// collection has found its object unreachable, sets it and arms the next.
type liveTracker struct {
	mu sync.Mutex
	on bool
}

func (t *liveTracker) start() {
	t.mu.Lock()
	t.on = true
	t.mu.Unlock()
	t.arm()
}

// stop ends the tracking; the limit is not set again after it returns.
func (t *liveTracker) stop() {
	t.mu.Lock()
	t.on = false
	t.mu.Unlock()
}

func (t *liveTracker) arm() {
	sentinel := &struct{ _ *int }{} // with a pointer: not a tiny object, which may never be finalized
	runtime.SetFinalizer(sentinel, func(*struct{ _ *int }) {
		t.mu.Lock()
		defer t.mu.Unlock()
		if !t.on {
			return
		}
		if live, ok := liveHeap(); ok {
			debug.SetMemoryLimit(live + heapRoom)
		}
		t.arm()
	})
}

// heapRoom is how far the heap of an evaluation of records read into an
// arena may grow above what is live after the read before a collection.
const heapRoom = 48 << 20
