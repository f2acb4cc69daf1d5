package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/hugepages"
	"github.com/dudao-edu/dudao/internal/store"
)

// runImport: dudao import [--db DSN] FILE...
//
// The files are read and written in one transaction, each file's records
// a chunk at a time as they are read (store.ImportStreams), so memory holds
// a few chunks of a file of any size; only when every row of every file is
// valid and every write succeeded is the transaction committed. A bad cell
// is reported with its file, row and column, and nothing is stored (a
// database the import created is removed).
func runImport(e *env, args []string) error {
	fs := newFlags(e, "import", "[--db DSN] [--confirm-units] 文件.xlsx|文件.csv ...")
	db := dbFlag(e, fs)
	unit := fs.String("equipment-unit", "", "表头未注明单位时，教学仪器设备值的单位：元 或 万元")
	actor := fs.String("actor", "", "记录在修改历史中的操作人（默认：当前系统用户）")
	kind := fs.String("kind", "", "数据类别：school（学校）、kindergarten（幼儿园）、county（县级数据）；默认按表头判断")
	confirm := fs.Bool("confirm-units", false, "确认金额单位：表头写万元而数值像按元填写（生均超过百万元）时，仍按表头的万元导入")
	sheet := fs.String("sheet", "", sheetHelp)
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("请给出要导入的文件，如：dudao import 2024年学校数据.xlsx（模板：dudao template -o 学校模板.xlsx）")
	}
	if _, ok := censusio.ParseKind(*kind); !ok {
		return usagef("--kind %q 无效：可用 school、kindergarten、county", *kind)
	}
	if *unit != "" {
		if err := oneOf("equipment-unit", *unit, "元", "万元"); err != nil {
			return err
		}
	}
	// The heap an import of a nation works in (its records a chunk at a
	// time, the statements' arguments), backed by huge pages: 7 % of its
	// CPU time was faults on small pages.
	hugepages.Heap(64 << 20)
	who := *actor
	if who == "" {
		who = os.Getenv("USER")
	}
	if who == "" {
		who = "cli"
	}
	dsn := *db
	// A database that the import creates and that ends up without the
	// records (a bad row, a failed write) is removed: a failed import
	// leaves nothing behind, as before it streamed.
	newPath := ""
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
			newPath = path
		}
	}
	opt := censusio.Options{EquipmentUnit: *unit, Kind: *kind, ConfirmUnits: *confirm, Sheet: *sheet}
	read := make([]*censusio.Batch, len(files))
	rows := make([]int, len(files))
	var (
		readErr  error  // the first error about a file's content
		readFile string // its file
	)
	streams := make([]store.Stream, len(files))
	for i, f := range files {
		streams[i] = store.Stream{File: filepath.Base(f), Read: func(put func(string, []census.UnitRecord) error) (store.FileBatch, error) {
			var putErr error // the store's, passed on
			add, finish := progress(e, f)
			defer finish()
			b, err := censusio.ReadFileEach(f, opt, func(chunk []census.School) error {
				// the reader reuses chunk: the store gets a copy
				kept := slices.Clone(chunk)
				recs := make([]census.UnitRecord, len(kept))
				for k := range kept {
					recs[k] = &kept[k]
				}
				rows[i] += len(kept)
				add(len(kept))
				putErr = put(store.KindSchool, recs)
				return putErr
			})
			if err != nil {
				if readErr == nil && putErr == nil {
					readErr, readFile = err, f
				}
				return store.FileBatch{}, err
			}
			read[i] = b
			return store.FileBatch{File: b.File, SHA256: b.SHA256, Kind: string(b.Kind),
				Kindergartens: b.Kindergartens, Counties: b.Counties}, nil
		}}
	}
	// The first file is read while the database opens (and, when new,
	// gets its tables).
	var stop func()
	streams[0].Read, stop = ahead(streams[0].Read)
	// A database the import creates is written with a rollback journal
	// until the import ends (store.OpenFresh).
	st, err := store.OpenFresh(e.ctx, dsn)
	if err != nil {
		stop()
		return err
	}
	closed := false
	defer func() {
		if !closed {
			st.Close()
		}
	}()
	sum, err := st.ImportStreams(e.ctx, who, streams)
	stop() // the reader has returned: what it set may be read
	if err != nil {
		st.Close()
		closed = true
		if newPath != "" {
			for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
				os.Remove(newPath + suffix)
			}
		}
		if readErr != nil {
			var errs censusio.Errors
			if errors.As(readErr, &errs) {
				for _, x := range errs {
					fmt.Fprintln(e.stderr, x.Error())
				}
				if censusio.NeedsUnitConfirmation(errs) {
					return fmt.Errorf("%s 有 %d 处错误，没有导入任何数据；改正后重新导入（金额单位确无误的，加 --confirm-units 重新导入）", readFile, errs.Total())
				}
				return fmt.Errorf("%s 有 %d 处错误，没有导入任何数据；改正后重新导入", readFile, errs.Total())
			}
			return readErr
		}
		return fmt.Errorf("导入失败，数据库未做任何修改：%w", err)
	}
	for i, b := range read {
		printNotes(e, b.Warnings)
		fs := sum.PerFile[i]
		fmt.Fprintf(e.stdout, "%s（%s）：%d 行，新增 %d，修改 %d（%d 处数值），未变 %d，跳过 %d\n",
			b.File, b.Kind.ZH(), rows[i]+len(b.Schools)+len(b.Kindergartens)+len(b.Counties)+len(b.Skipped), fs.Added, fs.Changed, fs.Changes, fs.Unchanged, len(b.Skipped))
		for _, n := range b.Skipped {
			fmt.Fprintf(e.stdout, "  跳过：%s\n", noteText(n))
		}
		if len(b.Unknown) > 0 {
			fmt.Fprintf(e.stdout, "  未识别的列（未导入）：%v\n", b.Unknown)
		}
	}
	fmt.Fprintf(e.stdout, "合计：新增 %d，修改 %d，未变 %d。数据库：%s\n", sum.Added, sum.Changed, sum.Unchanged, dsn)
	return nil
}

// progress returns the function that shows how many records of the file
// at path have been read, and the one that clears it: on one line of
// stderr, rewritten as the count grows, when stderr is a terminal and the
// file is large; nothing otherwise.
func progress(e *env, path string) (add func(int), finish func()) {
	f, ok := e.stderr.(*os.File)
	info, err := os.Stat(path)
	if !ok || err != nil || !term.IsTerminal(int(f.Fd())) || info.Size() < 2<<20 {
		return func(int) {}, func() {}
	}
	n, shown := 0, time.Time{}
	name := filepath.Base(path)
	return func(k int) {
			n += k
			if now := time.Now(); now.Sub(shown) >= 100*time.Millisecond {
				shown = now
				fmt.Fprintf(f, "\r导入 %s：已读 %d 行", name, n)
			}
		}, func() {
			if !shown.IsZero() {
				fmt.Fprint(f, "\r\033[K")
			}
		}
}

// ahead starts read, a stream's Read, at once, keeping up to two chunks
// of it until the store takes them, and returns the Read that hands them
// on, and the function that stops the read if the store has not taken it
// all (the import failed) and waits for it to return; stop may be called
// more than once.
func ahead(read func(put func(string, []census.UnitRecord) error) (store.FileBatch, error)) (_ func(put func(string, []census.UnitRecord) error) (store.FileBatch, error), stop func()) {
	type chunk struct {
		kind string
		recs []census.UnitRecord
	}
	chunks := make(chan chunk, 2)
	quit, done := make(chan struct{}), make(chan struct{})
	var (
		rest store.FileBatch
		err  error
	)
	go func() {
		defer close(done)
		defer close(chunks)
		rest, err = read(func(kind string, recs []census.UnitRecord) error {
			select {
			case chunks <- chunk{kind, recs}:
				return nil
			case <-quit:
				return errStopped
			}
		})
	}()
	stop = sync.OnceFunc(func() {
		close(quit)
		<-done
	})
	return func(put func(string, []census.UnitRecord) error) (store.FileBatch, error) {
		for c := range chunks {
			if err := put(c.kind, c.recs); err != nil {
				stop()
				return store.FileBatch{}, err
			}
		}
		<-done
		return rest, err
	}, stop
}

// errStopped ends a read ahead that the import no longer takes.
var errStopped = errors.New("import stopped")
