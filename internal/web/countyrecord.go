package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

// The county's own figures (kind county), read and edited in a form.

type countyRecordPage struct {
	*Base
	*choice
	Code, Name string
	Exists     bool
	Fields     []recordField
	Errors     map[string]string
	History    []store.Change
	CanEdit    bool
}

type recordField struct {
	Col   census.Column
	Value string
}

// recordTarget checks access and returns the county's code and name.
func (s *Server) recordTarget(r *http.Request, edit bool) (*Base, *choice, string, string, error) {
	b := s.base(r, "county")
	code := r.PathValue("code")
	if !b.Scope.County(code) || edit && !b.Scope.CanEdit() {
		return nil, nil, "", "", refuse(b.Scope.County(code))
	}
	c, err := s.choose(r)
	if err != nil {
		return nil, nil, "", "", err
	}
	rg, err := s.regionName(r, code)
	if err != nil {
		return nil, nil, "", "", err
	}
	return b, c, code, rg.Name, nil
}

// countyRecordForm serves GET /county/{code}/record?year=: the county's
// figures in a form, with their history.
func (s *Server) countyRecordForm(w http.ResponseWriter, r *http.Request) error {
	b, c, code, name, err := s.recordTarget(r, false)
	if err != nil {
		return err
	}
	values := map[string]string{}
	rec, err := s.st.CountyRecord(r.Context(), c.Year, code)
	exists := err == nil
	switch {
	case exists:
		if rec.CountyName != "" {
			name = rec.CountyName
		}
		for i, col := range census.CountyColumns {
			if v := rec.V[i]; v == v {
				values[col.Key] = strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	return s.renderRecord(w, r, b, c, code, name, exists, values, nil, http.StatusOK)
}

func (s *Server) renderRecord(w http.ResponseWriter, r *http.Request, b *Base, c *choice, code, name string, exists bool, values, errs map[string]string, status int) error {
	p := &countyRecordPage{Base: b, choice: c, Code: code, Name: name, Exists: exists, Errors: errs, CanEdit: b.Scope.CanEdit()}
	for _, col := range census.CountyColumns {
		p.Fields = append(p.Fields, recordField{Col: col, Value: values[col.Key]})
	}
	if exists {
		h, err := s.st.UnitHistory(r.Context(), store.KindCounty, c.Year, code)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		p.History = h
	}
	b.Title = name + " · " + b.T("record.title") + " · " + strconv.Itoa(c.Year)
	s.render(w, r, status, "countyrecord", p)
	return nil
}

// saveCountyRecord serves POST /county/{code}/record: validates the form as
// the importer validates a county file (it is read as a one-row file) and
// saves it with its history.
func (s *Server) saveCountyRecord(w http.ResponseWriter, r *http.Request) error {
	b, c, code, name, err := s.recordTarget(r, true)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	if name == "" {
		name = code
	}
	values := map[string]string{}
	header := []string{"year", "county_code", "county_name"}
	row := []string{strconv.Itoa(c.Year), code, name}
	for _, col := range census.CountyColumns {
		v := strings.TrimSpace(r.PostForm.Get(col.Key))
		values[col.Key] = v
		h := col.Key
		if col.Unit == "元" {
			h += "(元)" // the form asks for 元; the header must say so
		}
		header = append(header, h)
		row = append(row, v)
	}
	batch, errs, err := readFormRow(header, row, string(census.KindCounty))
	if errs != nil {
		_, existsErr := s.st.CountyRecord(r.Context(), c.Year, code)
		return s.renderRecord(w, r, b, c, code, name, existsErr == nil, values, errs, http.StatusUnprocessableEntity)
	}
	if err != nil || len(batch.Counties) != 1 {
		return badRequest("error.400")
	}
	u := userOf(r)
	n, err := s.st.SaveCountyRecord(r.Context(), u.Username, batch.Counties[0])
	if err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditEdit, Region: code, Target: "county_record",
		Detail: fmt.Sprintf("%d %s, %d fields", c.Year, name, n)})
	setFlash(w, b.T("record.saved", n))
	http.Redirect(w, r, "/county/"+code+"/verdict"+string(queryString(c.Query(s)...)), http.StatusSeeOther)
	return nil
}

// unitTemplate serves GET /data/template/{kind}.xlsx: the import template of
// kind school, kindergarten or county.
func (s *Server) unitTemplate(w http.ResponseWriter, r *http.Request) error {
	kind, ok := censusio.ParseKind(strings.TrimSuffix(r.PathValue("file"), ".xlsx"))
	if !ok || !strings.HasSuffix(r.PathValue("file"), ".xlsx") {
		return store404()
	}
	var buf bytes.Buffer
	if err := censusio.WriteTemplate(&buf, string(kind)); err != nil {
		return err
	}
	names := map[census.Kind]string{census.KindSchool: "学校数据模板.xlsx", census.KindKindergarten: "幼儿园数据模板.xlsx", census.KindCounty: "县级数据模板.xlsx"}
	attach(w, names[kind], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_, err := w.Write(buf.Bytes())
	return err
}
