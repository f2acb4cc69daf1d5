package web

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// formOf returns the values a browser would submit from the page's
// #edit-form: every named input and the selected option of every select.
func formOf(t *testing.T, body string) url.Values {
	t.Helper()
	doc, err := hc.Parse(body)
	if err != nil {
		t.Fatal(err)
	}
	form := url.Values{}
	for _, n := range hc.All(doc, "#edit-form input") {
		if name, ok := hc.Attr(n, "name"); ok {
			v, _ := hc.Attr(n, "value")
			form.Set(name, v)
		}
	}
	for _, n := range hc.All(doc, "#edit-form select") {
		name, _ := hc.Attr(n, "name")
		form.Set(name, "")
		for _, o := range hc.All(n, "option") {
			if _, sel := hc.Attr(o, "selected"); sel {
				v, _ := hc.Attr(o, "value")
				form.Set(name, v)
			}
		}
	}
	return form
}

// sameRecord reports the columns in which two records of table t differ.
func sameRecord(t *census.Table, a, b census.UnitRecord) []string {
	var out []string
	for _, c := range t.Text {
		if a.Text(c.Key) != b.Text(c.Key) {
			out = append(out, c.Key+": "+a.Text(c.Key)+" → "+b.Text(c.Key))
		}
	}
	av, bv := a.Values(), b.Values()
	for i := range av {
		if av[i] != bv[i] && !(math.IsNaN(av[i]) && math.IsNaN(bv[i])) {
			out = append(out, t.Num[i].Key+": "+strconv.FormatFloat(av[i], 'f', -1, 64)+" → "+strconv.FormatFloat(bv[i], 'f', -1, 64))
		}
	}
	return out
}

// newValue is a valid new value for numeric column c, different from old.
func newValue(c census.Column, old float64) string {
	switch c.Key {
	case "principal_certified":
		if old == 1 {
			return "0"
		}
		return "1"
	case "basic_balance_year":
		if old == 2015 {
			return "2016"
		}
		return "2015"
	case "monitoring_level":
		if old == 4 {
			return "3"
		}
		return "4"
	}
	if math.IsNaN(old) {
		old = 0
	}
	if c.Integer {
		return strconv.FormatFloat(old+1, 'f', -1, 64)
	}
	return strconv.FormatFloat(old+0.25, 'f', -1, 64)
}

// TestRecordFormEveryColumnEveryKind walks every column of every record
// kind through the edit form: the form has an input for each column of the
// kind's table; submitting it unchanged changes nothing (the school form
// once lacked five columns and erased them); changing every column saves
// every column, as read back from the store, with a history entry each.
func TestRecordFormEveryColumnEveryKind(t *testing.T) {
	ctx := context.Background()
	c := county()
	e := newEnv(t)
	kgs, err := e.st.Kindergartens(ctx, demo.LatestYear, c.Code)
	if err != nil || len(kgs) == 0 {
		t.Fatalf("no kindergartens in %s: %v", c.Code, err)
	}
	for _, kind := range census.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			tab := census.TableOf(kind)
			code := map[census.Kind]string{census.KindSchool: c.Schools[0], census.KindKindergarten: kgs[0].Code, census.KindCounty: c.Code}[kind]
			path := recordFormPath(kind, code) + "?year=" + strconv.Itoa(demo.LatestYear)
			before, err := e.st.Record(ctx, string(kind), demo.LatestYear, code)
			if err != nil {
				t.Fatal(err)
			}
			w := e.get("county", path)
			check(t, w, http.StatusOK)
			form := formOf(t, w.Body.String())
			for _, col := range tab.Text {
				_, has := form[col.Key]
				if has == tab.Identifying(col.Key) {
					t.Errorf("text column %s: in form %v, identifying %v", col.Key, has, tab.Identifying(col.Key))
				}
			}
			for _, col := range tab.Num {
				if _, ok := form[col.Key]; !ok {
					t.Errorf("numeric column %s has no input", col.Key)
				}
			}
			if len(form) != len(tab.Num)+len(tab.Text)-4+boolInt(kind == census.KindCounty) {
				t.Errorf("form has %d inputs: %v", len(form), form)
			}

			// Submitted as shown: nothing changes, nothing is lost.
			w = e.postForm("county", path, form)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("unchanged save: %d %.3000s", w.Code, w.Body.String())
			}
			after, _ := e.st.Record(ctx, string(kind), demo.LatestYear, code)
			if diff := sameRecord(tab, before, after); len(diff) > 0 {
				t.Errorf("an unchanged form changed the record: %v", diff)
			}

			// Every column changed.
			changed := url.Values{}
			for k, v := range form {
				changed[k] = v
			}
			for i, col := range tab.Num {
				changed.Set(col.Key, newValue(col, before.Values()[i]))
			}
			for _, col := range tab.Text {
				if tab.Identifying(col.Key) {
					continue
				}
				switch {
				case col.Choices != nil:
					for _, ch := range col.Choices {
						if ch.Value != before.Text(col.Key) {
							changed.Set(col.Key, ch.Value)
							break
						}
					}
				case col.Key == "location":
					v := "乡村"
					if before.Text(col.Key) == v {
						v = "镇区"
					}
					changed.Set(col.Key, v)
				case col.Key == "ownership":
					v := "民办"
					if before.Text(col.Key) == v {
						v = "公办"
					}
					changed.Set(col.Key, v)
				default:
					changed.Set(col.Key, before.Text(col.Key)+"（改）")
				}
			}
			w = e.postForm("county", path, changed)
			if w.Code != http.StatusSeeOther {
				t.Fatalf("save: %d %.3000s", w.Code, w.Body.String())
			}
			after, err = e.st.Record(ctx, string(kind), demo.LatestYear, code)
			if err != nil {
				t.Fatal(err)
			}
			for i, col := range tab.Num {
				if got := strconv.FormatFloat(after.Values()[i], 'f', -1, 64); got != changed.Get(col.Key) {
					t.Errorf("%s: stored %s, sent %s", col.Key, got, changed.Get(col.Key))
				}
			}
			for _, col := range tab.Text {
				if !tab.Identifying(col.Key) && after.Text(col.Key) != changed.Get(col.Key) {
					t.Errorf("%s: stored %q, sent %q", col.Key, after.Text(col.Key), changed.Get(col.Key))
				}
				if tab.Identifying(col.Key) && after.Text(col.Key) != before.Text(col.Key) {
					t.Errorf("identifying %s changed: %q → %q", col.Key, before.Text(col.Key), after.Text(col.Key))
				}
			}
			hist, err := e.st.RecordHistory(ctx, string(kind), demo.LatestYear, code)
			if err != nil {
				t.Fatal(err)
			}
			logged := map[string]bool{}
			for _, h := range hist {
				logged[h.Column] = true
			}
			for _, d := range sameRecord(tab, before, after) {
				if k := d[:strings.Index(d, ":")]; !logged[k] {
					t.Errorf("change of %s not in the history", k)
				}
			}
			// The form shows the saved values back.
			check(t, e.get("county", path), http.StatusOK, hc.In("#edit-form input[name="+tab.Num[0].Key+"]", hc.HasAttr("value", changed.Get(tab.Num[0].Key))))
		})
	}
}

// TestRecordFormRefusals: a bad value shows the reader's message at its
// input and saves nothing; a read-only account cannot save; another
// county's record answers 404 like a missing one; identifying columns sent
// in the form (a county renamed through a school's record) are ignored.
func TestRecordFormRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := county()
	code := c.Schools[0]
	path := "/school/" + code + "/edit"
	before, _ := e.st.Record(ctx, "school", demo.LatestYear, code)
	w := e.get("school", path)
	check(t, w, http.StatusOK)
	form := formOf(t, w.Body.String())
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("teachers_primary", "12.5")
	check(t, e.postForm("school", path, bad), http.StatusUnprocessableEntity, hc.In("label.invalid .field-error"))
	if after, _ := e.st.Record(ctx, "school", demo.LatestYear, code); len(sameRecord(&census.SchoolTable, before, after)) > 0 {
		t.Error("a refused form changed the record")
	}
	if w := e.postForm("viewer", path, form); w.Code != http.StatusForbidden {
		t.Errorf("read-only save: %d", w.Code)
	}
	sneaky := url.Values{}
	for k, v := range form {
		sneaky[k] = v
	}
	sneaky.Set("county_name", "改名县")
	sneaky.Set("county_code", otherCounty())
	sneaky.Set("school_code", "9999999999")
	if w := e.postForm("school", path, sneaky); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d", w.Code)
	}
	after, _ := e.st.Record(ctx, "school", demo.LatestYear, code)
	if after.Text("county_name") != before.Text("county_name") || after.Text("county_code") != c.Code {
		t.Errorf("identifying columns changed through the form: %q %q", after.Text("county_name"), after.Text("county_code"))
	}
	regions, _ := e.st.Regions(ctx)
	for _, rg := range regions {
		if rg.Name == "改名县" {
			t.Error("a school's form renamed its county")
		}
	}
	// Another county's school, kindergarten and county record: 404, as missing ones.
	other := otherCounty()
	var otherSchool string
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == other {
			otherSchool = s.Code
			break
		}
	}
	okgs, _ := e.st.Kindergartens(ctx, demo.LatestYear, other)
	targets := []string{"/school/" + otherSchool + "/edit", "/county/" + other + "/record", "/school/0000000000/edit", "/county/999999/record", "/kindergarten/0000000000/edit"}
	if len(okgs) > 0 {
		targets = append(targets, "/kindergarten/"+okgs[0].Code+"/edit")
	}
	for _, p := range targets {
		if w := e.get("county", p); w.Code != http.StatusNotFound {
			t.Errorf("GET %s as another county: %d, want 404", p, w.Code)
		}
		if w := e.postForm("county", p, form); w.Code != http.StatusNotFound {
			t.Errorf("POST %s as another county: %d, want 404", p, w.Code)
		}
	}
}

// TestOpenAPISchemasFromTables: the API document names every column of
// every kind, from the kinds' tables.
func TestOpenAPISchemasFromTables(t *testing.T) {
	e := newEnv(t)
	w := e.get("", "/api/v1/openapi.json")
	check(t, w, http.StatusOK)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Properties map[string]any `json:"properties"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range census.Kinds {
		tab := census.TableOf(k)
		sch := doc.Components.Schemas["Record_"+string(k)]
		for _, c := range tab.Text {
			if _, ok := sch.Properties[c.Key]; !ok {
				t.Errorf("%s: text column %s not in the schema", k, c.Key)
			}
		}
		for _, c := range tab.Num {
			if _, ok := sch.Properties["values"].Properties[c.Key]; !ok {
				t.Errorf("%s: column %s not in the schema", k, c.Key)
			}
		}
	}
}

// TestRecordFormKeepsTextAsTyped: text that looks like a spreadsheet
// formula, with or without the ' mark, is stored exactly as typed.
func TestRecordFormKeepsTextAsTyped(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	code := county().Schools[0]
	path := "/school/" + code + "/edit"
	w := e.get("county", path)
	check(t, w, http.StatusOK)
	form := formOf(t, w.Body.String())
	for _, name := range []string{`=HYPERLINK("http://x","y")`, "'=1+1", "-一小", "@校", "'普通名"} {
		form.Set("school_name", name)
		if w := e.postForm("county", path, form); w.Code != http.StatusSeeOther {
			t.Fatalf("%q: %d %.1000s", name, w.Code, w.Body.String())
		}
		got, _ := e.st.School(ctx, demo.LatestYear, code)
		if got.Name != name {
			t.Errorf("typed %q, stored %q", name, got.Name)
		}
	}
}
