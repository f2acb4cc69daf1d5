package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/recognition"
	"github.com/dudao-edu/dudao/internal/store"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

func schoolsXLSX(t *testing.T, recs ...census.School) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := censusio.WriteSchoolsXLSX(&buf, recs); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func schoolIn(county string) census.School {
	for _, s := range province.Year(demo.LatestYear) {
		if s.CountyCode == county {
			return s
		}
	}
	panic("no school in " + county)
}

func uploadToken(t *testing.T, w interface{ String() string }) string {
	t.Helper()
	m := regexp.MustCompile(`name="token" value="([0-9a-f]+)"`).FindStringSubmatch(w.String())
	if m == nil {
		t.Fatalf("no token in %.2000s", w.String())
	}
	return m[1]
}

// TestUploadTakeoverRefused: an account that puts another county's school
// or kindergarten code under its own county code is refused, is shown
// nothing of the stored record, and nothing changes; the stored record's
// county decides, not the file's. A city account cannot turn its city into
// a county by uploading under the city's code.
func TestUploadTakeoverRefused(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	c := county()
	victim := schoolIn(otherCounty())
	forged := census.NewSchool()
	forged.Year, forged.CountyCode, forged.CountyName = victim.Year, c.Code, "本县"
	forged.Code, forged.Name, forged.Type = victim.Code, "新学校", census.Primary
	forged.Set(census.StudentsPrimary, 100)
	for _, acct := range []string{"county", "city"} {
		w := e.upload(acct, "forged.xlsx", schoolsXLSX(t, forged))
		check(t, w, http.StatusForbidden, hc.NotIn("#upload-preview"), hc.In("body", hc.HasText(victim.Code)))
		// The school code begins with its county's code: the county may
		// appear only inside the code the attacker sent.
		if body := w.Body.String(); strings.Contains(body, victim.Name) || strings.Count(body, victim.CountyCode) != strings.Count(body, victim.Code) {
			t.Errorf("%s: the refusal shows the stored record", acct)
		}
	}
	got, _ := e.st.School(ctx, victim.Year, victim.Code)
	if got.CountyCode != victim.CountyCode || got.Name != victim.Name {
		t.Errorf("victim changed: %s %s", got.CountyCode, got.Name)
	}

	// Kindergartens too.
	okgs, _ := e.st.Kindergartens(ctx, demo.LatestYear, otherCounty())
	if len(okgs) > 0 {
		k := okgs[0]
		k.CountyCode, k.CountyName, k.Name = c.Code, "本县", "新园"
		csv := "年度,县区代码,县区名称,幼儿园标识码,幼儿园名称,办园类型,在园幼儿数\n2024," + k.CountyCode + ",本县," + k.Code + ",新园,公办,100\n"
		csv = strings.ReplaceAll(csv, "2024", strconv.Itoa(k.Year))
		check(t, e.upload("county", "kg.csv", []byte(csv)), http.StatusForbidden, hc.NotIn("#upload-preview"))
		if got, _ := e.st.Kindergarten(ctx, k.Year, k.Code); got.CountyCode != okgs[0].CountyCode {
			t.Errorf("kindergarten moved to %s", got.CountyCode)
		}
	}

	// A city account uploading under its own city code: refused, and the
	// city stays a city.
	city := census.CityCode(c.Code)
	s := schoolIn(c.Code)
	s.CountyCode, s.Code = city, "9999999001"
	check(t, e.upload("city", "city.xlsx", schoolsXLSX(t, s)), http.StatusForbidden, hc.NotIn("#upload-preview"))
	regions, _ := e.st.Regions(ctx)
	for _, rg := range regions {
		if rg.Code == city && rg.Level != census.LevelCity {
			t.Errorf("city %s is now a %s", city, rg.Level)
		}
	}

	// A record previewed as new, stored meanwhile in another county by
	// someone else: the confirmation is refused inside the transaction.
	fresh := schoolIn(c.Code)
	fresh.Code, fresh.Name = "9999999002", "新建学校"
	w := e.upload("county", "fresh.xlsx", schoolsXLSX(t, fresh))
	check(t, w, http.StatusOK, hc.In("#upload-preview"))
	tok := uploadToken(t, w.Body)
	elsewhere := fresh
	elsewhere.CountyCode, elsewhere.CountyName = otherCounty(), "他县"
	if _, err := e.st.Import(ctx, "admin", []store.FileBatch{{File: "x.csv", Schools: []census.School{elsewhere}}}); err != nil {
		t.Fatal(err)
	}
	if w := e.postForm("county", "/data/confirm", url.Values{"token": {tok}}); w.Code != http.StatusNotFound {
		t.Errorf("confirm after the code was stored elsewhere: %d", w.Code)
	}
	if got, _ := e.st.School(ctx, fresh.Year, fresh.Code); got.CountyCode != otherCounty() {
		t.Errorf("the confirmation moved the school to %s", got.CountyCode)
	}
}

// TestUploadMove: moving a school between counties is a province account's
// action with its own confirmation, logged in both counties; a city
// account is refused.
func TestUploadMove(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	from := county().Code
	// The demo's neighbours: one whose case is being judged (its records
	// locked) and one free.
	var to, judged string
	for _, n := range province.Notes {
		if n.Code == from || census.CityCode(n.Code) != census.CityCode(from) {
			continue
		}
		cases, _ := e.st.Cases(ctx, n.Code)
		locked := slices.ContainsFunc(cases, func(c store.Case) bool {
			return c.Year == demo.LatestYear && slices.Contains(recognition.Judging, c.Stage)
		})
		switch {
		case locked && judged == "":
			judged = n.Code
		case !locked && to == "":
			to = n.Code
		}
	}
	if to == "" || judged == "" {
		t.Fatalf("the demo city lacks a free county (%q) or one being judged (%q)", to, judged)
	}
	// A move into a county whose data are being judged is refused.
	intoJudged := schoolIn(from)
	intoJudged.CountyCode, intoJudged.CountyName = judged, "被评县"
	w0 := e.upload("admin", "move.xlsx", schoolsXLSX(t, intoJudged))
	if w := e.postForm("admin", "/data/confirm", url.Values{"token": {uploadToken(t, w0.Body)}, "confirm_move": {"1"}}); w.Code != http.StatusConflict ||
		!strings.Contains(w.Body.String(), "认定案卷") {
		t.Fatalf("a move into a county being judged: %d %.300s", w.Code, w.Body.String())
	}
	s := schoolIn(from)
	s.CountyCode, s.CountyName = to, "邻县"
	data := schoolsXLSX(t, s)
	check(t, e.upload("city", "move.xlsx", data), http.StatusForbidden, hc.NotIn("#upload-preview"))

	w := e.upload("admin", "move.xlsx", data)
	check(t, w, http.StatusOK, hc.In("#upload-moves", hc.HasText(s.Code)))
	tok := uploadToken(t, w.Body)
	if w := e.postForm("admin", "/data/confirm", url.Values{"token": {tok}}); w.Code != http.StatusBadRequest {
		t.Errorf("move without its confirmation: %d", w.Code)
	}
	if got, _ := e.st.School(ctx, s.Year, s.Code); got.CountyCode != from {
		t.Fatalf("moved without confirmation")
	}
	w = e.upload("admin", "move.xlsx", data)
	tok = uploadToken(t, w.Body)
	if w := e.postForm("admin", "/data/confirm", url.Values{"token": {tok}, "confirm_move": {"1"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("confirmed move: %d %.2000s", w.Code, w.Body.String())
	}
	if got, _ := e.st.School(ctx, s.Year, s.Code); got.CountyCode != to {
		t.Errorf("school in %s after the move", got.CountyCode)
	}
	for _, county := range []string{from, to} {
		entries, err := e.st.AuditLog(ctx, county, 1000)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, a := range entries {
			found = found || a.Action == store.AuditMove && a.Target == s.Code
		}
		if !found {
			t.Errorf("no move entry in the log of %s", county)
		}
	}
}

// TestUploadConfirmUnits: 元 figures under a 万元 header are refused with a
// box to confirm them; uploaded again with it ticked, the preview follows.
func TestUploadConfirmUnits(t *testing.T) {
	e := newEnv(t)
	s := schoolIn(county().Code)
	var buf bytes.Buffer
	if err := censusio.WriteSchoolsCSV(&buf, []census.School{s}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Replace(buf.Bytes(), []byte("教学仪器设备值（元）"), []byte("教学仪器设备值（万元）"), 1)
	if bytes.Equal(data, buf.Bytes()) {
		t.Fatalf("no 元 header for the equipment value in %.300s", buf.String())
	}
	w := e.upload("county", "wan.csv", data)
	check(t, w, http.StatusUnprocessableEntity, hc.In("#confirm-units input[name=confirm_units]"), hc.NotIn("#upload-preview"))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "wan.csv")
	fw.Write(data)
	mw.WriteField("confirm_units", "1")
	mw.Close()
	w = e.do("county", "POST", "/data/upload", &body, "Content-Type", mw.FormDataContentType())
	check(t, w, http.StatusOK, hc.In("#upload-preview"))
}
