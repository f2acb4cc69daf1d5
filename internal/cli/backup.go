package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dudao-edu/dudao/internal/store"
)

// runBackup: dudao backup [--db DSN] [文件]
func runBackup(e *env, args []string) error {
	fs := newFlags(e, "backup", "[--db DSN] [备份文件]")
	db := dbFlag(e, fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return usagef("只能给一个备份文件名，收到 %d 个", len(pos))
	}
	var out string
	if len(pos) == 1 {
		out = pos[0]
	} else if path, ok := strings.CutPrefix(*db, "sqlite:"); ok {
		// Beside the database, named after it and the time (not in the
		// daily backups' form, so that their retention never deletes it).
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		out = filepath.Join(filepath.Dir(path), base+".backup-"+time.Now().UTC().Format("20060102-150405")+".db")
	} else {
		out = "dudao-" + time.Now().UTC().Format("20060102") + ".dump"
	}
	st, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(e.ctx, out); err != nil {
		var pe *store.PgDumpError
		if errors.As(err, &pe) {
			return fmt.Errorf("没有写备份。%s", pe.Error())
		}
		return err
	}
	fmt.Fprintf(e.stdout, "已备份到 %s\n恢复：dudao restore --db %s %s（先停止 dudao serve）\n", out, *db, out)
	return nil
}

// runRestore: dudao restore [--db DSN] 备份文件
func runRestore(e *env, args []string) error {
	fs := newFlags(e, "restore", "[--db DSN] 备份文件")
	db := dbFlag(e, fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("要给出一个备份文件（dudao backup 写出的 .db 文件）")
	}
	path, ok := strings.CutPrefix(*db, "sqlite:")
	if !ok {
		return errors.New("dudao restore 只恢复 SQLite 数据库；PostgreSQL 请用 pg_restore --clean --if-exists --dbname '数据库 URL' 备份文件")
	}
	if path == "" || path == ":memory:" || strings.ContainsRune(path, '?') {
		return usagef("--db %s 不是 SQLite 数据库文件", *db)
	}
	if _, err := os.Stat(pos[0]); err != nil {
		return fmt.Errorf("找不到备份文件 %s：%w", pos[0], err)
	}
	kept, err := store.Restore(e.ctx, pos[0], path, time.Now())
	if err != nil {
		return err
	}
	// Opening migrates a backup of an older version now, not at the next start.
	st, err := store.Open(e.ctx, *db)
	if err != nil {
		return fmt.Errorf("已把 %s 放到 %s，但打开失败：%w", pos[0], path, err)
	}
	st.Close()
	fmt.Fprintf(e.stdout, "已从 %s 恢复数据库 %s\n", pos[0], path)
	if kept != "" {
		fmt.Fprintf(e.stdout, "原数据库保留为 %s（不会自动删除）\n", kept)
	}
	return nil
}
