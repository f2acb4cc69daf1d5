package web

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

// Uploads of kindergarten and county files (data.go handles the page): the
// records' counties must be in the account's scope, and the preview shows
// what importing would add and change, as for school files.

// unitCountyCodes lists the counties of a kindergarten or county batch.
func unitCountyCodes(b *censusio.Batch) []string {
	var out []string
	for _, k := range b.Kindergartens {
		out = append(out, k.CountyCode)
	}
	for _, c := range b.Counties {
		out = append(out, c.CountyCode)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// unitsOutOfScope returns an error per county of the batch that the account
// may not change; p (may be nil) translates the message.
func unitsOutOfScope(p *dataPage, sc Scope, file string, b *censusio.Batch) []*censusio.Error {
	var out []*censusio.Error
	for _, c := range unitCountyCodes(b) {
		if sc.County(c) && sc.CanEdit() {
			continue
		}
		e := &censusio.Error{File: file, Column: "县区代码", Value: c}
		if p != nil {
			e.Problem, e.Fix = p.T("data.out_of_scope"), p.T("data.out_of_scope.fix")
		}
		out = append(out, e)
		if len(out) >= censusio.MaxErrors {
			break
		}
	}
	return out
}

// diffUnits compares a kindergarten or county batch with the stored records.
func (s *Server) diffUnits(ctx context.Context, b *censusio.Batch) (*uploadDiff, error) {
	d := &uploadDiff{Counties: unitCountyCodes(b)}
	t := census.TableOf(b.Kind)
	var recs []census.UnitRecord
	for i := range b.Kindergartens {
		recs = append(recs, &b.Kindergartens[i])
	}
	for i := range b.Counties {
		recs = append(recs, &b.Counties[i])
	}
	for _, r := range recs {
		year, code := r.Key()
		var old census.UnitRecord
		var err error
		if b.Kind == census.KindKindergarten {
			var k census.Kindergarten
			if k, err = s.st.Kindergarten(ctx, year, code); err == nil {
				old = &k
			}
		} else {
			var c census.CountyRecord
			if c, err = s.st.CountyRecord(ctx, year, code); err == nil {
				old = &c
			}
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		name := r.Text("kindergarten_name")
		if name == "" {
			name = r.Text("county_name")
		}
		dr := diffRecord{Year: year, Code: code, Name: name, County: r.Text("county_code")}
		if old == nil {
			d.Added++
			dr.Added = true
		} else {
			ov, nv := old.Values(), r.Values()
			for i, c := range t.Num {
				x, y := ov[i], nv[i]
				if x == y || math.IsNaN(x) && math.IsNaN(y) {
					continue
				}
				dr.Changes = append(dr.Changes, fieldChange{Key: c.Key, Old: numText(x), New: numText(y)})
			}
			for _, c := range t.Text {
				if c.Key != "year" && old.Text(c.Key) != r.Text(c.Key) {
					dr.Changes = append(dr.Changes, fieldChange{Key: c.Key, Old: old.Text(c.Key), New: r.Text(c.Key)})
				}
			}
			if len(dr.Changes) == 0 {
				d.Unchanged++
				continue
			}
			d.Changed++
		}
		if len(d.Records) < 200 {
			d.Records = append(d.Records, dr)
		} else {
			d.More++
		}
	}
	return d, nil
}

func numText(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
