package web

import (
	"embed"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

//go:embed openapi.json
var openapiFS embed.FS

// api adapts a JSON handler: it needs an account (a session or an API
// token), and an error becomes {"error": "…"} with its status. The access
// rules are the pages' own (Scope).
func (s *Server) api(h func(r *http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		var v any
		err := errUnauthorized
		if userOf(r) != nil {
			v, err = h(r)
		}
		var ve *apiValidation
		if errors.As(err, &ve) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			json.NewEncoder(w).Encode(map[string]any{"error": tr(langOf(r), "api.invalid"), "status": 422, "fields": ve.fields})
			return
		}
		if err != nil {
			code, key, args := status(err)
			if code >= 500 {
				s.log.Error("API request failed", "path", r.URL.Path, "err", err)
			}
			if code == 499 {
				return
			}
			if code == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="dudao"`)
			}
			w.WriteHeader(code)
			json.NewEncoder(w).Encode(map[string]any{"error": tr(langOf(r), key, args...), "status": code})
			return
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			s.log.Error("API encode", "path", r.URL.Path, "err", err)
		}
	})
}

type apiUser struct {
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Role        string `json:"role"`
	Region      string `json:"region"`
	School      string `json:"school,omitempty"`
	CanEdit     bool   `json:"can_edit"`
}

func (s *Server) apiMe(r *http.Request) (any, error) {
	u := userOf(r)
	return apiUser{u.Username, u.DisplayName, u.Role, u.Region, u.School, scopeOf(u).CanEdit()}, nil
}

func (s *Server) apiYears(r *http.Request) (any, error) {
	return s.st.Years(r.Context())
}

type apiRegion struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Level  string `json:"level"`
	Parent string `json:"parent"`
}

// apiRegions: the regions the account sees.
func (s *Server) apiRegions(r *http.Request) (any, error) {
	sc := scopeOf(userOf(r))
	all, err := s.st.Regions(r.Context())
	if err != nil {
		return nil, err
	}
	out := []apiRegion{}
	for _, rg := range all {
		if sc.Sees(rg) || sc.SchoolOnly() && rg.Code == sc.Region() {
			out = append(out, apiRegion{rg.Code, rg.Name, rg.Level, rg.Parent})
		}
	}
	return out, nil
}

// scopedRecords returns the records of ?year (default latest) and ?county in scope.
func (s *Server) scopedRecords(r *http.Request) (int, []census.School, error) {
	sc := scopeOf(userOf(r))
	c, err := s.choose(r)
	if err != nil {
		return 0, nil, err
	}
	county := r.URL.Query().Get("county")
	if county != "" && !sc.County(county) && !(sc.SchoolOnly() && county == sc.Region()) {
		return 0, nil, errOutOfScope
	}
	if sc.SchoolOnly() {
		county = sc.Region()
	}
	all, err := s.st.Schools(r.Context(), c.Year, county)
	if err != nil {
		return 0, nil, err
	}
	out := all[:0]
	for _, rec := range all {
		if sc.School(rec.CountyCode, rec.Code) {
			out = append(out, rec)
		}
	}
	return c.Year, out, nil
}

type apiSchool struct {
	Year       int    `json:"year"`
	Code       string `json:"school_code"`
	Name       string `json:"school_name"`
	CountyCode string `json:"county_code"`
	CountyName string `json:"county_name"`
	Type       string `json:"school_type"`
	Ownership  string `json:"ownership"`
	Location   string `json:"location"`
	Sponsor    string `json:"sponsor,omitempty"`
}

// recordJSON is a record of any kind as the API writes it: its kind and
// year, every text column by key at the top level (coded columns by their
// key, such as "primary"), and every numeric column under "values", null
// when not reported. The columns are the kind's table's.
func recordJSON(t *census.Table, rec census.UnitRecord) map[string]any {
	y, _ := rec.Key()
	out := map[string]any{"kind": string(t.Kind), "year": y}
	for _, c := range t.Text {
		if c.Key != "year" {
			out[c.Key] = rec.Text(c.Key)
		}
	}
	values := map[string]*float64{}
	for i, v := range rec.Values() {
		if !math.IsNaN(v) {
			values[t.Num[i].Key] = &v
		} else {
			values[t.Num[i].Key] = nil
		}
	}
	out["values"] = values
	return out
}

func schoolJSON(rec *census.School) apiSchool {
	return apiSchool{rec.Year, rec.Code, rec.Name, rec.CountyCode, rec.CountyName, string(rec.Type), rec.Ownership, rec.Location, rec.Sponsor}
}

func (s *Server) apiSchools(r *http.Request) (any, error) {
	_, recs, err := s.scopedRecords(r)
	if err != nil {
		return nil, err
	}
	out := make([]apiSchool, 0, len(recs))
	for i := range recs {
		out = append(out, schoolJSON(&recs[i]))
	}
	return out, nil
}

// apiKind reads ?kind= (school when absent); an unknown kind is a 400.
func apiKind(r *http.Request) (*census.Table, error) {
	k := r.URL.Query().Get("kind")
	if k == "" {
		k = string(census.KindSchool)
	}
	t := census.TableOf(census.Kind(k))
	if t == nil {
		return nil, badRequest("api.unknown_kind", k)
	}
	return t, nil
}

func (s *Server) apiRecords(r *http.Request) (any, error) {
	t, err := apiKind(r)
	if err != nil {
		return nil, err
	}
	if t.Kind == census.KindSchool {
		_, recs, err := s.scopedRecords(r)
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, 0, len(recs))
		for i := range recs {
			out = append(out, recordJSON(t, &recs[i]))
		}
		return out, nil
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	sc := scopeOf(userOf(r))
	county := r.URL.Query().Get("county")
	if county != "" && !sc.County(county) {
		return nil, errForbidden
	}
	recs, err := s.st.Records(r.Context(), string(t.Kind), c.Year, county)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, rec := range recs {
		if sc.County(rec.Text("county_code")) {
			out = append(out, recordJSON(t, rec))
		}
	}
	return out, nil
}

// apiTarget finds the record of ?kind, the path's year and code, in scope.
func (s *Server) apiTarget(r *http.Request) (*census.Table, census.UnitRecord, error) {
	t, err := apiKind(r)
	if err != nil {
		return nil, nil, err
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return nil, nil, notFound("error.404")
	}
	code := r.PathValue("code")
	rec, err := s.st.Record(r.Context(), string(t.Kind), year, code)
	if err != nil {
		return nil, nil, err
	}
	sc := scopeOf(userOf(r))
	county := rec.Text("county_code")
	if t.Kind == census.KindSchool && !sc.School(county, code) || t.Kind != census.KindSchool && !sc.County(county) {
		// Not in scope: answer as if it did not exist, so the API does not
		// tell which codes exist elsewhere.
		return nil, nil, store.ErrNotFound
	}
	return t, rec, nil
}

func (s *Server) apiRecord(r *http.Request) (any, error) {
	t, rec, err := s.apiTarget(r)
	if err != nil {
		return nil, err
	}
	return recordJSON(t, rec), nil
}

// apiUpdateRecord: PUT a record's values ({"school_name": …, "values":
// {"teachers_primary": 12, "sports_area": null}}); keys left out keep their
// value; identifying columns (year, codes, county name) cannot be changed.
// Validated as an upload is.
func (s *Server) apiUpdateRecord(r *http.Request) (any, error) {
	t, rec, err := s.apiTarget(r)
	if err != nil {
		return nil, err
	}
	u := userOf(r)
	if !scopeOf(u).CanEdit() {
		return nil, errForbidden
	}
	// Text columns by key at the top level, numbers under "values".
	var in map[string]json.RawMessage
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(&in); err != nil {
		return nil, badRequest("api.bad_json", err.Error())
	}
	values := map[string]string{}
	for _, c := range t.Text {
		values[c.Key] = rec.Text(c.Key)
	}
	for i, v := range rec.Values() {
		if !math.IsNaN(v) {
			values[t.Num[i].Key] = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	var nums map[string]*json.RawMessage
	for k, raw := range in {
		switch k {
		case "values":
			if err := json.Unmarshal(raw, &nums); err != nil {
				return nil, badRequest("api.bad_json", "values")
			}
			continue
		case "kind", "year":
			continue // read-only, as the GET gives them
		}
		if _, ok := t.TextColumn(k); !ok {
			return nil, badRequest("api.unknown_field", k)
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, badRequest("api.bad_json", k)
		}
		if t.Identifying(k) {
			if v != rec.Text(k) {
				return nil, badRequest("api.read_only_field", k)
			}
			continue
		}
		values[k] = v
	}
	for k, raw := range nums {
		if t.Index(k) < 0 {
			return nil, badRequest("api.unknown_field", k)
		}
		if raw == nil || string(*raw) == "null" {
			values[k] = ""
			continue
		}
		var n json.Number
		if err := json.Unmarshal(*raw, &n); err != nil {
			var str string
			if err := json.Unmarshal(*raw, &str); err != nil {
				return nil, badRequest("api.bad_json", k)
			}
			n = json.Number(str)
		}
		values[k] = n.String()
	}
	next, errs, err := validateForm(t, rec, values)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, &apiValidation{errs}
	}
	n, err := s.st.SaveRecord(r.Context(), u.Username, next, false, sameCountyInScope(scopeOf(u)))
	if err != nil {
		return nil, err
	}
	if n > 0 {
		y, code := next.Key()
		s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditEdit, Region: next.Text("county_code"), Target: auditTarget(t.Kind, code),
			Detail: strconv.Itoa(y) + " 年度 " + next.Text(t.NameKey) + "：修改 " + strconv.Itoa(n) + " 项（API）"})
	}
	return map[string]any{"changed_fields": n, "record": recordJSON(t, next)}, nil
}

// apiValidation is a 422 with the problems per field.
type apiValidation struct{ fields map[string]string }

func (e *apiValidation) Error() string { return "validation failed" }
func (e *apiValidation) Unwrap() error { return errBadRequest }

// apiEvaluations: the interfaces.md §3 document for the counties in scope.
func (s *Server) apiEvaluations(r *http.Request) (any, error) {
	sc := scopeOf(userOf(r))
	if sc.SchoolOnly() {
		return nil, errForbidden
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	res, err := s.cache.result(r.Context(), c.Rules, c.Year, "")
	if err != nil {
		return nil, err
	}
	out := *res
	out.Counties = nil
	for _, cty := range res.Counties {
		if sc.County(cty.Code) {
			out.Counties = append(out.Counties, cty)
		}
	}
	return out.JSON(), nil
}

func (s *Server) apiCountyEvaluation(r *http.Request) (any, error) {
	code := r.PathValue("county")
	if !scopeOf(userOf(r)).County(code) {
		return nil, errOutOfScope
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, err
	}
	res, err := s.cache.result(r.Context(), c.Rules, c.Year, code)
	if err != nil {
		return nil, err
	}
	if len(res.Counties) == 0 {
		return nil, store.ErrNotFound
	}
	return res.JSON(), nil
}
