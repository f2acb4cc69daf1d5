package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// Scope is what an account may see and change. It is the one place where
// access rules live: pages and the API both ask it.
type Scope struct {
	role   string
	region string // 6-digit code: a province (xx0000), a city (xxxx00) or a county
	school string // for a school account
}

func scopeOf(u *store.User) Scope {
	return Scope{role: u.Role, region: u.Region, school: u.School}
}

// prefix is the code prefix that the counties in scope share.
func (s Scope) prefix() string {
	switch {
	case s.role == "":
		return "\x00" // no account: nothing
	case s.role == store.RoleSchool || s.role == store.RoleCounty:
		return s.region
	}
	return census.CountyPrefix(s.region)
}

// Region is the code of the region the account sees.
func (s Scope) Region() string { return s.region }

// SchoolOnly reports whether the account sees one school only.
func (s Scope) SchoolOnly() bool { return s.role == store.RoleSchool }

// County reports whether the account sees the whole county code (its
// county page, its evaluation). A school account sees its school only.
func (s Scope) County(code string) bool {
	if s.role == "" || s.role == store.RoleSchool || len(code) != 6 || code == census.NationCode {
		return false
	}
	return strings.HasPrefix(code, s.prefix())
}

// Region reports whether the account sees region code (a province, city or
// county) or part of it: a city account sees its province's page, limited
// to its own counties.
func (s Scope) Sees(r census.Region) bool {
	if s.role == "" || s.role == store.RoleSchool {
		return false
	}
	switch r.Level {
	case census.LevelCounty:
		return s.County(r.Code)
	case census.LevelCity:
		return strings.HasPrefix(r.Code, s.prefix()) || strings.HasPrefix(s.prefix(), r.Code[:4])
	case census.LevelProvince:
		return strings.HasPrefix(s.prefix(), r.Code[:2]) || s.Nation()
	case census.LevelNation:
		return s.Nation()
	}
	return false
}

// Nation reports whether the account sees the nation: every province.
func (s Scope) Nation() bool { return s.role != "" && s.role != store.RoleSchool && s.prefix() == "" }

// Summary reports whether the account may have the summary of region r
// (a city or a province: its counties ranked, and how many pass): an
// account over a city or a province, of a region it sees. An account of
// one county has its county's own report only: a summary of its city
// would count one county and rank it first.
//
// The nation has no summary report: its overview counts the provinces,
// and each province's page has the province's summary.
func (s Scope) Summary(r census.Region) bool {
	return r.Level != census.LevelCounty && r.Level != census.LevelNation && s.Sees(r) && len(s.prefix()) < 6
}

// School reports whether the account sees the school code of county.
func (s Scope) School(county, code string) bool {
	if s.role == store.RoleSchool {
		return code == s.school && county == s.region
	}
	return s.County(county)
}

// CanEdit reports whether the account may change data: every role but read-only.
func (s Scope) CanEdit() bool { return s.role != "" && s.role != store.RoleReadOnly }

// EditSchool reports whether the account may change the record of school
// code in county.
func (s Scope) EditSchool(county, code string) bool { return s.CanEdit() && s.School(county, code) }

// Home is the first page of the account: its school, its county, or the overview.
func (s Scope) Home() string {
	switch s.role {
	case store.RoleSchool:
		return "/school/" + s.school
	case store.RoleCounty:
		return "/county/" + s.region
	}
	return "/overview"
}

// Audit reports whether the account reads the audit log, and of which
// regions: every account but a school's, of its own region.
func (s Scope) Audit() (prefix string, ok bool) {
	switch s.role {
	case "", store.RoleSchool:
		return "", false
	case store.RoleProvince:
		// Its province's entries and those of no region: sign-ins (failed
		// ones of unknown names too) and accounts. Another province's
		// entries are not its to read.
		return s.prefix() + "+", true
	}
	return s.prefix(), true
}

// errOutOfScope is the error for an object outside the account's scope. It
// answers exactly as a missing object does (404, the same page), so that
// an account cannot learn which codes exist outside its region; the log
// still tells the two apart.
var errOutOfScope error = &userError{err: fmt.Errorf("out of scope: %w", store.ErrNotFound), key: "error.404"}

// refuse is the error for an account refused an object: errOutOfScope when
// the object is outside its scope (sees is false), else errForbidden (it
// sees the object but may not do this, as a read-only account editing).
func refuse(sees bool) error {
	if !sees {
		return errOutOfScope
	}
	return errForbidden
}

// pathObject reads the object the path's {id} names with get, and refuses
// it unless the account's scope holds it (in): the one way a page reads a
// case, a survey, a task or a work plan by its number. nav is the page's
// navigation entry.
func pathObject[T any](s *Server, r *http.Request, nav string, get func(context.Context, int64) (T, error), in func(Scope, T) bool) (T, *Base, error) {
	b := s.base(r, nav)
	var zero T
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return zero, b, notFound("error.404")
	}
	v, err := get(r.Context(), id)
	if err != nil {
		return v, b, err
	}
	if !in(b.Scope, v) {
		return v, b, errOutOfScope
	}
	return v, b, nil
}

// ManagesAccounts reports whether the account administers accounts: a
// province's, a city's or a county's (a county office makes its school
// clerks' accounts), not a school's or a read-only one.
func (s Scope) ManagesAccounts() bool {
	return s.role == store.RoleProvince || s.role == store.RoleCity || s.role == store.RoleCounty
}

// Grants lists the roles the account may give, in the order a form shows
// them: a province any; a city no province role; a county its county's
// own, its schools' and read-only ones.
func (s Scope) Grants() []string {
	switch s.role {
	case store.RoleProvince:
		return store.Roles
	case store.RoleCity:
		return []string{store.RoleCity, store.RoleCounty, store.RoleSchool, store.RoleReadOnly}
	case store.RoleCounty:
		return []string{store.RoleCounty, store.RoleSchool, store.RoleReadOnly}
	}
	return nil
}

// Manages reports whether the account may administer account u, or make
// one like it: u's role is one it grants and u's region lies in its own.
// No account administers itself here (its own page is /account).
func (s Scope) Manages(u store.User, self int64) bool {
	return s.ManagesAccounts() && u.ID != self && slices.Contains(s.Grants(), u.Role) && strings.HasPrefix(u.Region, s.prefix())
}
