package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

// Uploads of census files of every kind (data.go has the page): which
// records the account may store, and what importing would change. The
// stored record decides, not the file: a code already stored in a county
// outside the account's scope is refused without showing anything of it,
// and a record that would move between counties is a province's action,
// confirmed as such (an attacker once put another county's school code
// under their own county code and took the school over).

// uploadCheck is what the upload found out about one record that decides
// whether the account may store it.
type uploadCheck struct {
	outOfScope bool   // the file's county is not the account's, or not its school
	elsewhere  bool   // the code is stored in a county outside the scope
	moveFrom   string // the code is stored in another county in scope
}

// checkRecord decides, for account scope sc, a record of table t against
// old, its stored record of the same year and code (nil when none).
func checkRecord(sc Scope, t *census.Table, old, rec census.UnitRecord) uploadCheck {
	var c uploadCheck
	county := rec.Text("county_code")
	_, code := rec.Key()
	if !sc.CanEdit() || !sc.County(county) && !(t.Kind == census.KindSchool && sc.EditSchool(county, code)) {
		c.outOfScope = true
	}
	if old == nil {
		return c
	}
	was := old.Text("county_code")
	switch {
	case !sc.County(was) && !(t.Kind == census.KindSchool && sc.School(was, code)):
		c.elsewhere = true
	case was != county:
		c.moveFrom = was
	}
	return c
}

// importCheck is the check the confirmed import makes inside its
// transaction, against the records as stored then: the same rules as the
// preview, so that nothing changed in between slips through. moves says
// whether the account confirmed moving records between counties.
func importCheck(sc Scope, t *census.Table, moves bool) store.CheckFunc {
	return func(old, rec census.UnitRecord) error {
		c := checkRecord(sc, t, old, rec)
		switch {
		case c.outOfScope, c.elsewhere:
			return store.ErrNotFound
		case c.moveFrom != "" && !(sc.role == store.RoleProvince && moves):
			return errForbidden
		}
		return nil
	}
}

// uploadErrors returns the errors that stop an upload of recs by the
// account, and the records that would move between counties; p translates.
func (s *Server) uploadErrors(ctx context.Context, p *dataPage, sc Scope, file string, t *census.Table, recs []census.UnitRecord) (errs []*censusio.Error, moves []diffRecord, err error) {
	add := func(e *censusio.Error) {
		if len(errs) < censusio.MaxErrors {
			e.File = file
			errs = append(errs, e)
		}
	}
	codeCol := t.Text[0].ZH
	if c, ok := t.TextColumn(t.CodeKey); ok {
		codeCol = c.ZH
	}
	regions, err := s.st.Regions(ctx)
	if err != nil {
		return nil, nil, err
	}
	level := make(map[string]string, len(regions))
	for _, rg := range regions {
		level[rg.Code] = rg.Level
	}
	for _, rec := range recs {
		if county := rec.Text("county_code"); level[county] != census.LevelCounty {
			// Records belong to a county the regions know; a city's or a
			// province's code (or an unknown one) is not one. Regions are
			// changed by region administration only.
			add(&censusio.Error{Column: "县区代码", Value: county, Problem: p.T("data.not_county"), Fix: p.T("data.not_county.fix")})
			continue
		}
		y, code := rec.Key()
		old, err := s.st.Record(ctx, string(t.Kind), y, code)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, err
		}
		if old == nil || errors.Is(err, store.ErrNotFound) {
			old = nil
		}
		c := checkRecord(sc, t, old, rec)
		switch {
		case c.outOfScope:
			add(&censusio.Error{Column: "县区代码 / " + codeCol, Value: rec.Text("county_code") + " / " + code,
				Problem: p.T("data.out_of_scope"), Fix: p.T("data.out_of_scope.fix")})
		case c.elsewhere:
			// Nothing of the stored record is shown: not its county, not its values.
			add(&censusio.Error{Column: codeCol, Value: code, Problem: p.T("data.code_elsewhere"), Fix: p.T("data.code_elsewhere.fix")})
		case c.moveFrom != "" && sc.role != store.RoleProvince:
			add(&censusio.Error{Column: "县区代码 / " + codeCol, Value: rec.Text("county_code") + " / " + code,
				Problem: p.T("data.move_refused", c.moveFrom), Fix: p.T("data.move_refused.fix")})
		case c.moveFrom != "":
			moves = append(moves, diffRecord{Year: y, Code: code, Name: rec.Text(t.NameKey), County: rec.Text("county_code"), From: c.moveFrom})
		}
	}
	return errs, moves, nil
}

// diffUpload compares records of table t with the stored ones, reading
// each (year, county) once.
func (s *Server) diffUpload(ctx context.Context, t *census.Table, recs []census.UnitRecord) (*uploadDiff, error) {
	type yc struct {
		year   int
		county string
	}
	stored := map[yc]map[string]census.UnitRecord{}
	d := &uploadDiff{}
	for _, rec := range recs {
		y, code := rec.Key()
		k := yc{y, rec.Text("county_code")}
		m, ok := stored[k]
		if !ok {
			list, err := s.st.Records(ctx, string(t.Kind), y, k.county)
			if err != nil {
				return nil, err
			}
			m = make(map[string]census.UnitRecord, len(list))
			for _, r := range list {
				_, c := r.Key()
				m[c] = r
			}
			stored[k] = m
			d.Counties = append(d.Counties, k.county)
		}
		dr := diffRecord{Year: y, Code: code, Name: rec.Text(t.NameKey), County: k.county}
		old, ok := m[code]
		if !ok {
			// A record reported for the first time, or moved from another
			// county (the upload's checks decided it may be).
			if o, err := s.st.Record(ctx, string(t.Kind), y, code); err == nil {
				old = o
			}
		}
		if old == nil {
			d.Added++
			dr.Added = true
		} else {
			dr.Changes = diffColumns(t, old, rec)
			if len(dr.Changes) == 0 {
				d.Unchanged++
				continue
			}
			d.Changed++
		}
		if len(d.Records) < 300 {
			d.Records = append(d.Records, dr)
		} else {
			d.More++
		}
	}
	return d, nil
}

// diffColumns lists the columns of table t in which b differs from a.
func diffColumns(t *census.Table, a, b census.UnitRecord) []fieldChange {
	var out []fieldChange
	for _, c := range t.Text {
		if x, y := t.FileText(a, c.Key), t.FileText(b, c.Key); x != y {
			out = append(out, fieldChange{c.Key, x, y})
		}
	}
	av, bv := a.Values(), b.Values()
	for i, c := range t.Num {
		x, y := av[i], bv[i]
		if x == y || math.IsNaN(x) && math.IsNaN(y) {
			continue
		}
		out = append(out, fieldChange{c.Key, numText(x), numText(y)})
	}
	return out
}

func numText(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// moveAudit is the audit detail of a record moved between counties.
func moveAudit(m diffRecord) string {
	return fmt.Sprintf("%d %s %s: %s → %s", m.Year, m.Code, m.Name, m.From, m.County)
}
