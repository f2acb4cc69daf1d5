package web

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/geo"
	"github.com/dudao-edu/dudao/internal/store"
)

// The installation's map (internal/geo): an administrator imports it once
// (/map), the overview draws it coloured by verdict, reading a region's
// shapes from /overview/map/{code}. Shapes are of the installation's own
// regions and say nothing scoped: any account that sees a region may have
// its shapes, as it has the region's overview.

type mapPage struct {
	*Base
	Imported *store.MapImport // nil: no map yet
	Problems []string
	Done     bool // an import just succeeded
}

// mapAdmin reports whether the account administers the installation's
// map: an account that administers accounts and sees every county of the
// division list (the province's administrator; a city's, on a city's
// installation).
func (s *Server) mapAdmin(b *Base, regions []census.Region) bool {
	if !b.Scope.ManagesAccounts() {
		return false
	}
	n := 0
	for _, rg := range regions {
		if rg.Level == census.LevelCounty {
			if !b.Scope.County(rg.Code) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// mapGet serves GET /map: the map imported, and the form to import one.
func (s *Server) mapGet(w http.ResponseWriter, r *http.Request) error {
	return s.renderMap(w, r, nil, false, http.StatusOK)
}

func (s *Server) renderMap(w http.ResponseWriter, r *http.Request, problems []string, done bool, code int) error {
	b := s.base(r, "overview")
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	if !s.mapAdmin(b, regions) {
		return errForbidden
	}
	p := &mapPage{Base: b, Problems: problems, Done: done}
	switch mi, err := s.st.MapImported(r.Context()); {
	case err == nil:
		p.Imported = &mi
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	b.Title = b.T("map.title")
	s.render(w, r, code, "map", p)
	return nil
}

// mapImport serves POST /map: a GeoJSON file, checked against the
// division list (geo.Parse) and stored in place of the map there was, or
// refused with what to fix, storing nothing.
func (s *Server) mapImport(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "overview")
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	if !s.mapAdmin(b, regions) {
		return errForbidden
	}
	r.Body = http.MaxBytesReader(w, r.Body, geo.MaxFileSize+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return cmp.Or(bodyTooLarge(err, "map.too_large", geo.MaxFileSize>>20), badRequest("map.no_file"))
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		return s.renderMap(w, r, []string{b.T("map.no_file")}, false, http.StatusUnprocessableEntity)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, geo.MaxFileSize+1))
	if err != nil {
		return err
	}
	known := map[string]string{}
	for _, rg := range regions {
		known[rg.Code] = rg.Name
	}
	m, err := geo.Parse(fh.Filename, data, func(code string) (string, bool) { n, ok := known[code]; return n, ok })
	if err != nil {
		var ge *geo.Error
		if !errors.As(err, &ge) {
			return err
		}
		return s.renderMap(w, r, []string{ge.Message(b.Lang)}, false, http.StatusUnprocessableEntity)
	}
	if err := s.st.ImportMap(r.Context(), fh.Filename, b.User.Username, m); err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: b.User.Username, Action: store.AuditImport, Region: b.Scope.Region(), Target: fh.Filename,
		Detail: fmt.Sprintf("map: %d regions", len(m.Features))})
	return s.renderMap(w, r, nil, true, http.StatusOK)
}

// mapShapes serves GET /overview/map/{code}: the shapes of the regions in
// region code (a province's counties, a city's, one county), a GeoJSON
// FeatureCollection with code and name properties; 404 when no map was
// imported or the account does not see the region.
func (s *Server) mapShapes(w http.ResponseWriter, r *http.Request) error {
	b := s.base(r, "overview")
	code := r.PathValue("code")
	regions, err := s.st.Regions(r.Context())
	if err != nil {
		return err
	}
	var region *census.Region
	for i := range regions {
		if regions[i].Code == code {
			region = &regions[i]
		}
	}
	if region == nil || !b.Scope.Sees(*region) {
		return errOutOfScope
	}
	mi, err := s.st.MapImported(r.Context())
	if err != nil {
		return err
	}
	m, err := s.st.MapShapes(r.Context(), regionPrefix(*region))
	if err != nil {
		return err
	}
	data, err := m.JSON()
	if err != nil {
		return err
	}
	// Asked again on every overview, answered "not modified" until the
	// next import.
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "private, no-cache")
	http.ServeContent(w, r, "", mi.At, bytes.NewReader(data))
	return nil
}
