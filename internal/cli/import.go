package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

// runImport: dudao import [--db DSN] FILE...
//
// All files are read and checked first; only when every row of every file is
// valid are they written, in one transaction. A bad cell is reported with its
// file, row and column, and nothing is stored.
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
	who := *actor
	if who == "" {
		who = os.Getenv("USER")
	}
	if who == "" {
		who = "cli"
	}
	var batches []store.FileBatch
	var read []*censusio.Batch
	for _, f := range files {
		b, err := readWithProgress(e, f, censusio.Options{EquipmentUnit: *unit, Kind: *kind, ConfirmUnits: *confirm, Sheet: *sheet})
		if err != nil {
			var errs censusio.Errors
			if errors.As(err, &errs) {
				for _, x := range errs {
					fmt.Fprintln(e.stderr, x.Error())
				}
				if censusio.NeedsUnitConfirmation(errs) {
					return fmt.Errorf("%s 有 %d 处错误，没有导入任何数据；改正后重新导入（金额单位确无误的，加 --confirm-units 重新导入）", f, errs.Total())
				}
				return fmt.Errorf("%s 有 %d 处错误，没有导入任何数据；改正后重新导入", f, errs.Total())
			}
			return err
		}
		read = append(read, b)
		batches = append(batches, store.FileBatch{File: b.File, SHA256: b.SHA256, Kind: string(b.Kind), Schools: b.Schools,
			Kindergartens: b.Kindergartens, Counties: b.Counties})
	}
	st, err := openStore(e, *db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := st.Import(e.ctx, who, batches)
	if err != nil {
		return fmt.Errorf("导入失败，数据库未做任何修改：%w", err)
	}
	for i, b := range read {
		printNotes(e, b.Warnings)
		fs := sum.PerFile[i]
		fmt.Fprintf(e.stdout, "%s（%s）：%d 行，新增 %d，修改 %d（%d 处数值），未变 %d，跳过 %d\n",
			b.File, b.Kind.ZH(), len(b.Schools)+len(b.Kindergartens)+len(b.Counties)+len(b.Skipped), fs.Added, fs.Changed, fs.Changes, fs.Unchanged, len(b.Skipped))
		for _, n := range b.Skipped {
			fmt.Fprintf(e.stdout, "  跳过：%s\n", noteText(n))
		}
		if len(b.Unknown) > 0 {
			fmt.Fprintf(e.stdout, "  未识别的列（未导入）：%v\n", b.Unknown)
		}
	}
	fmt.Fprintf(e.stdout, "合计：新增 %d，修改 %d，未变 %d。数据库：%s\n", sum.Added, sum.Changed, sum.Unchanged, *db)
	return nil
}

// readWithProgress reads a census file, showing a progress bar over its
// bytes when stderr is a terminal and the file is large.
func readWithProgress(e *env, path string, opt censusio.Options) (*censusio.Batch, error) {
	f, ok := e.stderr.(*os.File)
	info, err := os.Stat(path)
	if !ok || err != nil || !term.IsTerminal(int(f.Fd())) || info.Size() < 2<<20 {
		return censusio.ReadFile(path, opt)
	}
	in, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	bar := progressbar.NewOptions64(info.Size(),
		progressbar.OptionSetWriter(f), progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("读取 "+filepath.Base(path)), progressbar.OptionClearOnFinish())
	defer bar.Finish()
	return censusio.Read(path, io.TeeReader(in, bar), opt)
}
