package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dudao-edu/dudao/internal/store"
)

// runUser: dudao user add|list|token|passwd …
func runUser(e *env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stdout, userUsage)
		if len(args) == 0 {
			return usagef("缺少子命令：add、list、token 或 passwd")
		}
		return nil
	}
	switch args[0] {
	case "add":
		return runUserAdd(e, args[1:])
	case "list":
		return runUserList(e, args[1:])
	case "token":
		return runUserToken(e, args[1:])
	case "passwd":
		return runUserPasswd(e, args[1:])
	}
	return usagef("未知子命令 %q：可用 add、list、token、passwd", args[0])
}

const userUsage = `用法：
  dudao user add --username 名称 --role 角色 --region 地区代码 [--school 学校标识码] [--name 显示名] [--password 密码]
  dudao user list
  dudao user token --username 名称 [--name 用途]     新建 API 令牌（只显示一次）
  dudao user passwd --username 名称 [--password 密码]

角色：province（省）、city（市）、county（县）、school（学校，--region 填所在县区代码）、readonly（只读；--region 000000 为全国：教育部督导部门看各省）。
不给 --password 时生成随机密码并显示。每个命令都接受 --db。
`

func runUserAdd(e *env, args []string) error {
	fs := newFlags(e, "user add", "--username 名称 --role 角色 --region 代码 [--school 代码] [--name 显示名] [--password 密码]")
	db := dbFlag(e, fs)
	username := fs.String("username", "", "登录名")
	role := fs.String("role", "", "角色："+strings.Join(store.Roles, "、"))
	region := fs.String("region", "", "地区代码（6位）：省、市或县；学校账户填学校所在县区")
	school := fs.String("school", "", "学校标识码（10位），仅 school 角色")
	name := fs.String("name", "", "显示名，如“某某县教育督导室”")
	password := fs.String("password", "", "密码（至少8位）；不给则生成随机密码")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	u := store.User{Username: strings.TrimSpace(*username), DisplayName: *name, Role: *role, Region: *region, School: *school}
	if err := u.Validate(); err != nil {
		return usagef("%s", err)
	}
	pw := *password
	generated := pw == ""
	if generated {
		pw = store.NewSecret()[:16]
	}
	st, err := openStore(e, *db, true)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err = st.CreateUser(e.ctx, u, pw)
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("用户名 %s 已存在", *username)
	}
	if err != nil {
		return err
	}
	if err := st.Audit(e.ctx, store.AuditEntry{Username: "cli", Action: store.AuditUserAdd, Region: u.Region, Target: u.Username, Detail: u.Role}); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "已创建账户 %s（%s，%s）\n", u.Username, u.Role, u.Region)
	if generated {
		fmt.Fprintf(e.stdout, "密码：%s\n", pw)
	}
	return nil
}

func runUserList(e *env, args []string) error {
	fs := newFlags(e, "user list", "[--db DSN]")
	db := dbFlag(e, fs)
	if _, err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	users, err := st.Users(e.ctx)
	if err != nil {
		return err
	}
	for _, u := range users {
		fmt.Fprintf(e.stdout, "%-16s %-9s %-6s %-10s %s\n", u.Username, u.Role, u.Region, u.School, u.DisplayName)
	}
	return nil
}

func runUserToken(e *env, args []string) error {
	fs := newFlags(e, "user token", "--username 名称 [--name 用途]")
	db := dbFlag(e, fs)
	username := fs.String("username", "", "账户名")
	name := fs.String("name", "cli", "令牌用途")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := findUser(e, st, *username)
	if err != nil {
		return err
	}
	_, secret, err := st.CreateAPIToken(e.ctx, u.ID, *name)
	if err != nil {
		return err
	}
	if err := st.Audit(e.ctx, store.AuditEntry{Username: "cli", Action: store.AuditTokenAdd, Region: u.Region, Target: u.Username, Detail: *name}); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, secret)
	return nil
}

func runUserPasswd(e *env, args []string) error {
	fs := newFlags(e, "user passwd", "--username 名称 [--password 密码]")
	db := dbFlag(e, fs)
	username := fs.String("username", "", "账户名")
	password := fs.String("password", "", "新密码（至少8位）；不给则生成随机密码")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(e, *db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := findUser(e, st, *username)
	if err != nil {
		return err
	}
	pw := *password
	if pw == "" {
		pw = store.NewSecret()[:16]
		fmt.Fprintf(e.stdout, "密码：%s\n", pw)
	}
	if err := st.SetPassword(e.ctx, u.ID, pw); err != nil {
		return err
	}
	return st.Audit(e.ctx, store.AuditEntry{Username: "cli", Action: store.AuditPassword, Region: u.Region, Target: u.Username})
}

func findUser(e *env, st *store.Store, username string) (store.User, error) {
	users, err := st.Users(e.ctx)
	if err != nil {
		return store.User{}, err
	}
	for _, u := range users {
		if u.Username == username {
			return u, nil
		}
	}
	return store.User{}, fmt.Errorf("没有账户 %q（dudao user list 列出所有账户）", username)
}
