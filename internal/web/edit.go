package web

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/store"
)

type editPage struct {
	*Base
	*choice
	Q      []any
	School census.School
	Groups []fieldGroup
	Text   []formField
	Types  []census.SchoolType
	Errors map[string]string // column key → problem and fix
	Any    bool
}

type fieldGroup struct {
	Key    string // i18n key of the group's heading
	Fields []formField
}

type formField struct {
	Key, Value, Unit string
	Integer          bool
	Note             string
}

// editableText lists the text columns a form changes: all but the ones
// that identify the record (year, county and school codes).
var editableText = func() []string {
	var out []string
	for _, c := range census.TextColumns {
		switch c.Key {
		case "year", "county_code", "school_code":
		default:
			out = append(out, c.Key)
		}
	}
	return out
}()

// textValue is the form value of text column key of rec.
func textValue(rec *census.School, key string) string {
	if key == "school_type" {
		return string(rec.Type)
	}
	return rec.Text(key)
}

// fieldGroups arranges the numeric columns of the form.
var fieldGroups = []struct {
	key    string
	fields []census.Field
}{
	{"edit.group.students", []census.Field{census.StudentsPrimary, census.StudentsJunior, census.StudentsSenior, census.ClassesPrimary, census.ClassesJunior, census.OversizeClassesPrimary, census.OversizeClassesJunior}},
	{"edit.group.teachers", []census.Field{census.TeachersPrimary, census.TeachersJunior, census.QualifiedTeachersPrimary, census.QualifiedTeachersJunior, census.BackboneTeachersPrimary, census.BackboneTeachersJunior, census.PEArtTeachersPrimary, census.PEArtTeachersJunior, census.CertifiedTeachers}},
	{"edit.group.facilities", []census.Field{census.TeachingArea, census.SportsArea, census.EquipmentValue, census.MultimediaRooms, census.MusicRoomsStandard, census.ArtRoomsStandard, census.IndoorGymArea}},
	{"edit.group.parts", []census.Field{census.TeachingAreaPrimary, census.TeachingAreaJunior, census.SportsAreaPrimary, census.SportsAreaJunior, census.EquipmentValuePrimary, census.EquipmentValueJunior, census.MultimediaRoomsPrimary, census.MultimediaRoomsJunior}},
}

func (s *Server) editTarget(r *http.Request) (*Base, *choice, census.School, error) {
	b := s.base(r, "school")
	c, err := s.choose(r)
	if err != nil {
		return nil, nil, census.School{}, err
	}
	rec, err := s.st.School(r.Context(), c.Year, r.PathValue("code"))
	if err != nil {
		return nil, nil, census.School{}, err
	}
	if !b.Scope.EditSchool(rec.CountyCode, rec.Code) {
		return nil, nil, census.School{}, refuse(b.Scope.School(rec.CountyCode, rec.Code))
	}
	return b, c, rec, nil
}

// editForm serves GET /school/{code}/edit?year=: the record in a form.
func (s *Server) editForm(w http.ResponseWriter, r *http.Request) error {
	b, c, rec, err := s.editTarget(r)
	if err != nil {
		return err
	}
	values := map[string]string{}
	for _, k := range editableText {
		values[k] = textValue(&rec, k)
	}
	for f := range census.NumFields {
		if rec.Has(f) {
			values[census.Columns[f].Key] = strconv.FormatFloat(rec.V[f], 'f', -1, 64)
		}
	}
	s.renderEdit(w, r, b, c, rec, values, nil, http.StatusOK)
	return nil
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, b *Base, c *choice, rec census.School, values, errs map[string]string, code int) {
	p := &editPage{Base: b, choice: c, Q: c.Query(s), School: rec, Errors: errs, Any: len(errs) > 0}
	for _, st := range census.SchoolTypes {
		p.Types = append(p.Types, st.Type)
	}
	for _, k := range editableText {
		p.Text = append(p.Text, formField{Key: k, Value: values[k]})
	}
	for _, g := range fieldGroups {
		fg := fieldGroup{Key: g.key}
		for _, f := range g.fields {
			col := census.Columns[f]
			fg.Fields = append(fg.Fields, formField{Key: col.Key, Value: values[col.Key], Unit: col.Unit, Integer: col.Integer, Note: col.Note})
		}
		p.Groups = append(p.Groups, fg)
	}
	b.Title = b.T("edit.title", rec.Name)
	s.render(w, r, code, "edit", p)
}

// editSchool serves POST /school/{code}/edit: validates the form exactly as
// the importer validates a file (it is read as a one-row file by
// censusio.Read), and on success writes it with its history.
func (s *Server) editSchool(w http.ResponseWriter, r *http.Request) error {
	b, c, rec, err := s.editTarget(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.400")
	}
	values := map[string]string{}
	for _, k := range editableText {
		values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	for f := range census.NumFields {
		k := census.Columns[f].Key
		values[k] = strings.TrimSpace(r.PostForm.Get(k))
	}
	next, errs, err := validateRecord(rec, values)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		s.renderEdit(w, r, b, c, rec, values, errs, http.StatusUnprocessableEntity)
		return nil
	}
	u := userOf(r)
	n, err := s.st.UpdateSchool(r.Context(), u.Username, next)
	if err != nil {
		return err
	}
	s.audit(r, store.AuditEntry{Username: u.Username, Action: store.AuditEdit, Region: rec.CountyCode, Target: rec.Code,
		Detail: fmt.Sprintf("%d %s, %d fields", rec.Year, rec.Name, n)})
	setFlash(w, b.T("edit.saved", n))
	http.Redirect(w, r, "/school/"+rec.Code+string(queryString(c.Query(s)...)), http.StatusSeeOther)
	return nil
}

// validateRecord checks the form values of rec's year and codes by reading
// them as a one-row census file: the same rules, messages and fixes as an
// upload. It returns the new record, or problems by column key.
func validateRecord(rec census.School, values map[string]string) (census.School, map[string]string, error) {
	header := []string{"year", "county_code", "school_code"}
	row := []string{strconv.Itoa(rec.Year), rec.CountyCode, rec.Code}
	for _, k := range editableText {
		header = append(header, k)
		row = append(row, values[k])
	}
	for f := range census.NumFields {
		k := census.Columns[f].Key
		h := k
		if census.Columns[f].Unit == "元" {
			h += "(元)" // the form asks for 元; the header must say so
		}
		header = append(header, h)
		row = append(row, values[k])
	}
	batch, problems, err := readFormRow(header, row, "")
	if problems != nil {
		return census.School{}, problems, nil
	}
	if err != nil {
		return census.School{}, nil, err
	}
	if len(batch.Schools) != 1 {
		return census.School{}, map[string]string{"_": "no record"}, nil
	}
	return batch.Schools[0], nil, nil
}

// readFormRow reads a form's values as a one-row census file of kind ("" for
// school), so that a form gets the same rules, messages and fixes as an
// upload. problems maps column keys ("_" for the row) to what is wrong and
// how to fix it; it is nil when the row is valid.
func readFormRow(header, row []string, kind string) (batch *censusio.Batch, problems map[string]string, err error) {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Write(header)
	cw.Write(row)
	cw.Flush()
	batch, err = censusio.Read("form.csv", &buf, censusio.Options{Kind: kind})
	var es censusio.Errors
	if !errors.As(err, &es) {
		return batch, nil, err
	}
	problems = map[string]string{}
	for _, e := range es {
		key := strings.TrimSuffix(e.Column, "(元)")
		if key == "" {
			key = "_"
		}
		msg := e.Problem
		if e.Value != "" {
			msg = "“" + e.Value + "”" + msg
		}
		if e.Fix != "" {
			msg += "；" + e.Fix
		}
		if prev, ok := problems[key]; ok {
			msg = prev + "；" + msg
		}
		problems[key] = msg
	}
	return nil, problems, nil
}
