package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// Account administration (/accounts): a province, city or county account
// lists the accounts of its region it may administer (Scope.Manages), adds
// one, changes one's name, role, region or school, disables or enables it,
// and resets its password. A new or reset password is made here and shown
// once, to be passed on; its owner changes it on /account. Every change is
// audited with the account's region.

type accountsPage struct {
	*Base
	Accounts []accountRow
	Roles    []string
	Regions  []census.Region // the regions in scope, for the region list
	// New is a password just made (for Of), shown once.
	New, Of  string
	Problems []string
	Form     store.User // the add form as typed, after a refusal
}

type accountRow struct {
	store.User
	RegionName string
}

func (s *Server) accountsScope(r *http.Request) (*Base, error) {
	b := s.base(r, "accounts")
	if !b.Scope.ManagesAccounts() {
		return b, errForbidden
	}
	return b, nil
}

// accountsGet serves GET /accounts.
func (s *Server) accountsGet(w http.ResponseWriter, r *http.Request) error {
	b, err := s.accountsScope(r)
	if err != nil {
		return err
	}
	return s.renderAccounts(w, r, b, &accountsPage{}, http.StatusOK)
}

func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, b *Base, p *accountsPage, code int) error {
	ctx := r.Context()
	users, err := s.st.Users(ctx)
	if err != nil {
		return err
	}
	regions, err := s.st.Regions(ctx)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, rg := range regions {
		names[rg.Code] = rg.Name
		if strings.HasPrefix(rg.Code, b.Scope.prefix()) {
			p.Regions = append(p.Regions, rg)
		}
	}
	for _, u := range users {
		if b.Scope.Manages(u, b.User.ID) {
			p.Accounts = append(p.Accounts, accountRow{User: u, RegionName: names[u.Region]})
		}
	}
	p.Base, p.Roles = b, b.Scope.Grants()
	b.Title = b.T("accounts.title")
	s.render(w, r, code, "accounts", p)
	return nil
}

// accountForm reads the fields of an account from the form: name, role,
// region and school (a school account's region is its county).
func accountForm(r *http.Request) store.User {
	v := func(k string) string { return strings.TrimSpace(r.FormValue(k)) }
	u := store.User{Username: v("username"), DisplayName: v("display_name"), Role: v("role"), Region: v("region"), School: v("school")}
	if u.Role != store.RoleSchool {
		u.School = ""
	}
	return u
}

// checkAccount says in the page's language what is wrong with u as an
// account the administrator b may make, or "" when nothing is.
func checkAccount(b *Base, u store.User) string {
	if err := u.Validate(); err != nil {
		return b.T("accounts.invalid", err.Error())
	}
	if strings.ContainsAny(u.Username, " \t/") {
		return b.T("setup.username")
	}
	if !slices.Contains(b.Scope.Grants(), u.Role) || !strings.HasPrefix(u.Region, b.Scope.prefix()) {
		return b.T("accounts.outside", u.Region)
	}
	return ""
}

// newPassword is a password made for an account: 12 characters without
// look-alikes, about 59 bits.
func newPassword() string {
	const alphabet = "23456789abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ"
	b := make([]byte, 12)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// addAccount serves POST /accounts.
func (s *Server) addAccount(w http.ResponseWriter, r *http.Request) error {
	b, err := s.accountsScope(r)
	if err != nil {
		return err
	}
	u := accountForm(r)
	if !b.Scope.Manages(u, b.User.ID) {
		// Outside the account's region or above its role: nothing to say
		// about what lies there.
		if !strings.HasPrefix(u.Region, b.Scope.prefix()) {
			return errOutOfScope
		}
	}
	if msg := checkAccount(b, u); msg != "" {
		return s.renderAccounts(w, r, b, &accountsPage{Problems: []string{msg}, Form: u}, http.StatusUnprocessableEntity)
	}
	pw := newPassword()
	made, err := s.st.CreateUser(r.Context(), u, pw)
	if errors.Is(err, store.ErrExists) {
		return s.renderAccounts(w, r, b, &accountsPage{Problems: []string{b.T("accounts.exists", u.Username)}, Form: u}, http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: b.User.Username, Action: store.AuditUserAdd, Region: made.Region, Target: made.Username,
		Detail: fmt.Sprintf("%s %s %s", made.Role, made.Region, made.School)})
	return s.renderAccounts(w, r, b, &accountsPage{New: pw, Of: made.Username}, http.StatusOK)
}

// managedAccount reads the account the path's {id} names and refuses it
// unless b administers it.
func (s *Server) managedAccount(r *http.Request, b *Base) (store.User, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.User{}, notFound("error.404")
	}
	u, err := s.st.UserByID(r.Context(), id)
	if err != nil {
		return store.User{}, err
	}
	if !b.Scope.Manages(u, b.User.ID) {
		return store.User{}, refuse(u.ID == b.User.ID)
	}
	return u, nil
}

// editAccount serves POST /accounts/{id}: name, role, region, school and
// whether the account is disabled.
func (s *Server) editAccount(w http.ResponseWriter, r *http.Request) error {
	b, err := s.accountsScope(r)
	if err != nil {
		return err
	}
	old, err := s.managedAccount(r, b)
	if err != nil {
		return err
	}
	u := accountForm(r)
	u.ID, u.Username = old.ID, old.Username
	u.Disabled = r.FormValue("disabled") == "1"
	if msg := checkAccount(b, u); msg != "" {
		return s.renderAccounts(w, r, b, &accountsPage{Problems: []string{old.Username + "：" + msg}}, http.StatusUnprocessableEntity)
	}
	if err := s.st.UpdateUser(r.Context(), u); err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: b.User.Username, Action: store.AuditUserEdit, Region: u.Region, Target: u.Username,
		Detail: fmt.Sprintf("%s %s %s %q disabled=%v → %s %s %s %q disabled=%v", old.Role, old.Region, old.School, old.DisplayName, old.Disabled,
			u.Role, u.Region, u.School, u.DisplayName, u.Disabled)})
	if old.Region != u.Region {
		// The old region's readers see the account leave.
		s.audit(r, store.AuditEntry{Username: b.User.Username, Action: store.AuditUserEdit, Region: old.Region, Target: u.Username,
			Detail: fmt.Sprintf("moved to %s", u.Region)})
	}
	setFlash(w, b.T("accounts.saved", u.Username))
	http.Redirect(w, r, "/accounts", http.StatusSeeOther)
	return nil
}

// resetAccountPassword serves POST /accounts/{id}/password: a new password,
// shown once; the account's sessions end.
func (s *Server) resetAccountPassword(w http.ResponseWriter, r *http.Request) error {
	b, err := s.accountsScope(r)
	if err != nil {
		return err
	}
	u, err := s.managedAccount(r, b)
	if err != nil {
		return err
	}
	pw := newPassword()
	if err := s.st.SetPassword(r.Context(), u.ID, pw); err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: b.User.Username, Action: store.AuditUserReset, Region: u.Region, Target: u.Username})
	return s.renderAccounts(w, r, b, &accountsPage{New: pw, Of: u.Username}, http.StatusOK)
}
