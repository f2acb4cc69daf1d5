package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/store"
)

func TestUserCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "d.db")
	code, out, errs := run(t, "", "user", "add", "--db", db, "--username", "jq", "--role", "county", "--region", "340207", "--name", "鸠江区督导室")
	if code != 0 || !strings.Contains(out, "密码：") {
		t.Fatalf("user add: %d %q %q", code, out, errs)
	}
	pw := strings.TrimSpace(out[strings.Index(out, "密码：")+len("密码："):])
	if code, _, errs := run(t, "", "user", "add", "--db", db, "--username", "jq", "--role", "county", "--region", "340207"); code != 1 || !strings.Contains(errs, "已存在") {
		t.Errorf("duplicate: %d %q", code, errs)
	}
	if code, _, errs := run(t, "", "user", "add", "--db", db, "--username", "x", "--role", "county", "--region", "34"); code != 2 {
		t.Errorf("bad region: %d %q", code, errs)
	}
	code, out, _ = run(t, "", "user", "list", "--db", db)
	if code != 0 || !strings.Contains(out, "jq") || !strings.Contains(out, "340207") {
		t.Errorf("user list: %d %q", code, out)
	}
	code, out, _ = run(t, "", "user", "token", "--db", db, "--username", "jq")
	if code != 0 || !strings.HasPrefix(out, "dudao_") {
		t.Errorf("user token: %d %q", code, out)
	}
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Authenticate(context.Background(), "jq", pw); err != nil {
		t.Errorf("the printed password does not sign in: %v", err)
	}
	if _, err := st.APITokenUser(context.Background(), strings.TrimSpace(out)); err != nil {
		t.Errorf("the printed token does not work: %v", err)
	}
}

func TestDemoNoServe(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "", "demo", "--no-serve", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo: %d %q", code, errs)
	}
	for _, want := range []string{"演示账户", "admin", "county", "school", "viewer", "dudao serve --db"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}
