package web

import (
	"embed"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"slices"
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

// openAPI serves GET /api/v1/openapi.json.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	b, _ := openapiFS.ReadFile("openapi.json")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
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

type apiRecord struct {
	apiSchool
	Values map[string]*float64 `json:"values"`
}

func schoolJSON(rec *census.School) apiSchool {
	return apiSchool{rec.Year, rec.Code, rec.Name, rec.CountyCode, rec.CountyName, string(rec.Type), rec.Ownership, rec.Location, rec.Sponsor}
}

func recordJSON(rec *census.School) apiRecord {
	out := apiRecord{apiSchool: schoolJSON(rec), Values: map[string]*float64{}}
	for f := range census.NumFields {
		if v := rec.V[f]; !math.IsNaN(v) {
			out.Values[census.Columns[f].Key] = &v
		} else {
			out.Values[census.Columns[f].Key] = nil
		}
	}
	return out
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

func (s *Server) apiRecords(r *http.Request) (any, error) {
	_, recs, err := s.scopedRecords(r)
	if err != nil {
		return nil, err
	}
	out := make([]apiRecord, 0, len(recs))
	for i := range recs {
		out = append(out, recordJSON(&recs[i]))
	}
	return out, nil
}

// apiTarget finds the record of the path's year and code, in scope.
func (s *Server) apiTarget(r *http.Request) (census.School, error) {
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return census.School{}, notFound("error.404")
	}
	rec, err := s.st.School(r.Context(), year, r.PathValue("code"))
	if err != nil {
		return census.School{}, err
	}
	if !scopeOf(userOf(r)).School(rec.CountyCode, rec.Code) {
		// Not in scope: answer as if it did not exist, so the API does not
		// tell which school codes exist elsewhere.
		return census.School{}, store.ErrNotFound
	}
	return rec, nil
}

func (s *Server) apiRecord(r *http.Request) (any, error) {
	rec, err := s.apiTarget(r)
	if err != nil {
		return nil, err
	}
	return recordJSON(&rec), nil
}

// apiUpdateRecord: PUT a record's values ({"school_name": …, "values":
// {"teachers_primary": 12, "sports_area": null}}); keys left out keep their
// value. Validated as an upload is.
func (s *Server) apiUpdateRecord(r *http.Request) (any, error) {
	rec, err := s.apiTarget(r)
	if err != nil {
		return nil, err
	}
	u := userOf(r)
	if !scopeOf(u).EditSchool(rec.CountyCode, rec.Code) {
		return nil, errForbidden
	}
	// Text columns by key at the top level, numbers under "values".
	var in map[string]json.RawMessage
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	if err := dec.Decode(&in); err != nil {
		return nil, badRequest("api.bad_json", err.Error())
	}
	values := map[string]string{}
	for _, k := range editableText {
		values[k] = textValue(&rec, k)
	}
	var nums map[string]*json.RawMessage
	for k, raw := range in {
		if k == "values" {
			if err := json.Unmarshal(raw, &nums); err != nil {
				return nil, badRequest("api.bad_json", "values")
			}
			continue
		}
		if !slices.Contains(editableText, k) {
			return nil, badRequest("api.unknown_field", k)
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, badRequest("api.bad_json", k)
		}
		values[k] = v
	}
	for f := range census.NumFields {
		if rec.Has(f) {
			values[census.Columns[f].Key] = strconv.FormatFloat(rec.V[f], 'f', -1, 64)
		}
	}
	for k, raw := range nums {
		if _, ok := census.FieldByKey(k); !ok {
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
	next, errs, err := validateRecord(rec, values)
	if err != nil {
		return nil, err
	}
	if len(errs) > 0 {
		return nil, &apiValidation{errs}
	}
	n, err := s.st.UpdateSchool(r.Context(), u.Username, next)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditEdit, Region: rec.CountyCode, Target: rec.Code,
			Detail: strconv.Itoa(rec.Year) + " " + rec.Name + " (API), " + strconv.Itoa(n) + " fields"})
	}
	return map[string]any{"changed_fields": n, "record": recordJSON(&next)}, nil
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
