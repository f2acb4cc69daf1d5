package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/store"
	hc "github.com/dudao-edu/dudao/internal/testing/htmlcheck"
)

// featureCodes reads the codes of a GeoJSON FeatureCollection.
func featureCodes(t *testing.T, body []byte) []string {
	t.Helper()
	var fc struct {
		Type     string
		Features []struct {
			Properties struct{ Code, Name string }
		}
	}
	if err := json.Unmarshal(body, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("not a FeatureCollection (%v): %.200s", err, body)
	}
	var codes []string
	for _, f := range fc.Features {
		if f.Properties.Name == "" {
			t.Errorf("feature %s without a name", f.Properties.Code)
		}
		codes = append(codes, f.Properties.Code)
	}
	return codes
}

// TestDemoMap: the demo's map has one polygon a county, and no two
// counties overlap (checked at their points, which are inside).
func TestDemoMap(t *testing.T) {
	m := demoMap(province.Regions)
	var counties []string
	for _, r := range province.Regions {
		if r.Level == census.LevelCounty {
			counties = append(counties, r.Code)
		}
	}
	var got []string
	rings := map[string][][]float64{}
	for _, f := range m.Features {
		got = append(got, f.Code)
		var g struct{ Coordinates [][][]float64 }
		if err := json.Unmarshal(f.Geometry, &g); err != nil {
			t.Fatal(err)
		}
		rings[f.Code] = g.Coordinates[0]
	}
	if diff := cmp.Diff(counties, got); diff != "" {
		t.Errorf("counties on the map (-want +got):\n%s", diff)
	}
	// Each county's centroid lies in its own polygon only.
	for code, ring := range rings {
		var c pt
		for _, p := range ring[:len(ring)-1] {
			c.x += p[0] / float64(len(ring)-1)
			c.y += p[1] / float64(len(ring)-1)
		}
		for other, r2 := range rings {
			if in := pointIn(r2, c); in != (other == code) {
				t.Errorf("the centre of %s: in %s is %v", code, other, in)
			}
		}
	}
	if again := demoMap(province.Regions); !cmp.Equal(m, again) {
		t.Error("the demo map differs between two runs")
	}
}

func pointIn(r [][]float64, p pt) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		if (r[i][1] > p.y) != (r[j][1] > p.y) && p.x < (r[j][0]-r[i][0])*(p.y-r[i][1])/(r[j][1]-r[i][1])+r[i][0] {
			in = !in
		}
	}
	return in
}

func TestMapShapesRoute(t *testing.T) {
	e := newEnv(t)
	c := county()
	city := census.CityCode(c.Code)
	w := e.get("admin", "/overview/map/"+demo.ProvinceCode)
	if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("province shapes: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	if n := len(featureCodes(t, w.Body.Bytes())); n != 100 {
		t.Errorf("province shapes: %d features, want the demo's 100 counties", n)
	}
	// The city's shapes are its counties'; a county account sees its city's
	// overview, and its shapes.
	for _, account := range []string{"admin", "city", "county", "viewer"} {
		w := e.get(account, "/overview/map/"+city)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: city shapes: %d", account, w.Code)
		}
		codes := featureCodes(t, w.Body.Bytes())
		for _, code := range codes {
			if census.CityCode(code) != city {
				t.Errorf("%s: city %s's shapes hold %s", account, city, code)
			}
		}
		if len(codes) == 0 {
			t.Errorf("%s: no shapes for city %s", account, city)
		}
	}
	// Outside the scope: as if missing; a school account has no overview.
	for _, tc := range []struct{ account, code string }{
		{"city", census.CityCode(otherCounty())}, {"county", otherCounty()}, {"school", city}, {"admin", "970000"},
	} {
		if w := e.get(tc.account, "/overview/map/"+tc.code); w.Code != http.StatusNotFound {
			t.Errorf("%s: shapes of %s: %d, want 404", tc.account, tc.code, w.Code)
		}
	}
	// Not modified until the next import.
	lm := w.Header().Get("Last-Modified")
	if w := e.get("admin", "/overview/map/"+demo.ProvinceCode, "If-Modified-Since", lm); lm == "" || w.Code != http.StatusNotModified {
		t.Errorf("asked again since %q: %d, want 304", lm, w.Code)
	}
}

// TestOverviewMapAndTrends: the map's colours are the counts' verdicts, and
// the trends' figures for the year shown are the standings' (the same
// whole-standard evaluation).
func TestOverviewMapAndTrends(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct{ account, target string }{
		{"admin", "/overview"},
		{"admin", "/overview?standard=xqpp2020&year=" + strconv.Itoa(demo.LatestYear-1)},
		{"city", "/overview"},
		{"county", "/overview"},
	} {
		t.Run(tc.account+" "+tc.target, func(t *testing.T) {
			start := time.Now()
			w := e.get(tc.account, tc.target)
			t.Logf("%s %s: %v", tc.account, tc.target, time.Since(start))
			if w.Code != http.StatusOK {
				t.Fatalf("%d: %.500s", w.Code, w.Body.String())
			}
			doc, err := hc.Parse(w.Body.String())
			if err != nil {
				t.Fatal(err)
			}
			kpi := func(status string) int {
				n, _ := strconv.Atoi(strings.TrimSpace(hc.Texts(doc, "#whole-kpis .kpi[data-status="+status+"] b")[0]))
				return n
			}
			maps := hc.All(doc, "#region-map")
			if len(maps) != 1 {
				t.Fatalf("%d maps", len(maps))
			}
			raw, _ := hc.Attr(maps[0], "data-chart")
			var d struct {
				Kind, URL, Query string
				Status           map[string]string
			}
			if err := json.Unmarshal([]byte(raw), &d); err != nil || d.Kind != "map" {
				t.Fatalf("map data %v: %s", err, raw)
			}
			counts := map[string]int{}
			for _, st := range d.Status {
				counts[st]++
			}
			want := map[string]int{"met": kpi("met"), "not_met": kpi("not_met"), "pending": kpi("pending")}
			for k, v := range want {
				if v == 0 {
					delete(want, k)
				}
			}
			if diff := cmp.Diff(want, counts); diff != "" {
				t.Errorf("map colours against the counts (-want +got):\n%s", diff)
			}
			if w := e.get(tc.account, d.URL); w.Code != http.StatusOK {
				t.Errorf("the map's shapes %s: %d", d.URL, w.Code)
			}
			// Trends: every standard, every year; the year shown equals the standings.
			year := demo.LatestYear
			if strings.Contains(tc.target, "year=") {
				year--
			}
			stands := hc.All(doc, "#standings tbody tr")
			if len(stands) == 0 || len(hc.All(doc, "#trend-table tbody")) != len(stands) {
				t.Fatalf("%d standards in the standings, %d in the trends", len(stands), len(hc.All(doc, "#trend-table tbody")))
			}
			for _, tr := range stands {
				std, _ := hc.Attr(tr, "data-standard")
				cells := hc.Texts(tr, "td.num")
				body := hc.All(doc, "#trend-table tbody[data-standard="+std+"]")
				if len(body) != 1 {
					t.Fatalf("no trends of %s", std)
				}
				if n := len(hc.All(body[0], "tr[data-year]")); n != len(province.Years) {
					t.Errorf("%s: %d years in the trends, want %d", std, n, len(province.Years))
				}
				row := hc.All(body[0], "tr[data-year=\""+strconv.Itoa(year)+"\"]")
				if len(row) != 1 {
					t.Fatalf("%s: no row of %d", std, year)
				}
				got := hc.Texts(row[0], "td.num")
				if diff := cmp.Diff(cells, got); diff != "" {
					t.Errorf("%s %d: trends against the standings (-want +got):\n%s", std, year, diff)
				}
			}
		})
	}
}

func postMap(e *env, account, name string, data []byte) *httptest.ResponseRecorder {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return e.do(account, "POST", "/map", &buf, "Content-Type", mw.FormDataContentType())
}

func TestMapImport(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, account := range []string{"city", "county", "school", "viewer"} {
		if w := e.get(account, "/map"); w.Code != http.StatusForbidden {
			t.Errorf("%s: GET /map: %d, want 403", account, w.Code)
		}
	}
	check(t, e.get("admin", "/map"), http.StatusOK, hc.In("#map-status", hc.HasText(demoMapFile)), hc.In("#map-form"))

	// A bad file: the problem named, nothing stored.
	c := county()
	bad := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"` + c.Code + `"},"geometry":{"type":"Polygon","coordinates":[[[116,33],[116.1,33],[116.1,33.1],[116,33]]]}},` +
		`{"type":"Feature","properties":{"adcode":"990101"},"geometry":{"type":"Polygon","coordinates":[[[116,33],[116.1,33],[116.1,33.1],[116,33]]]}}]}`
	check(t, postMap(e, "admin", "坏地图.geojson", []byte(bad)), http.StatusUnprocessableEntity,
		hc.In("#map-problems", hc.HasText("坏地图.geojson 第 2 个要素的属性 adcode：区域 990101 不在本系统的行政区划表中")))
	if mi, err := e.st.MapImported(ctx); err != nil || mi.File != demoMapFile {
		t.Fatalf("after a refused import: %+v, %v", mi, err)
	}
	// In English too.
	check(t, postMap(e, "admin", "m.json", []byte(`{"type":"Feature"}`)), http.StatusUnprocessableEntity)

	// A good one replaces the map.
	good := strings.Replace(bad, `,{"type":"Feature","properties":{"adcode":"990101"},"geometry":{"type":"Polygon","coordinates":[[[116,33],[116.1,33],[116.1,33.1],[116,33]]]}}`, "", 1)
	check(t, postMap(e, "admin", "新地图.json", []byte(good)), http.StatusOK, hc.In("#map-done"), hc.In("#map-status", hc.HasText("新地图.json")))
	m, err := e.st.MapShapes(ctx, "")
	if err != nil || len(m.Features) != 1 || m.Features[0].Code != c.Code || m.Features[0].Name != c.Name {
		t.Fatalf("after the import: %+v, %v", m, err)
	}

	// No map: the overview draws none, and tells the administrator where to import one.
	if _, err := e.st.DB().Exec(`DELETE FROM region_map_import`); err != nil {
		t.Fatal(err)
	}
	check(t, e.get("admin", "/overview"), http.StatusOK, hc.NotIn("#region-map"), hc.In("#map-hint a", hc.HasAttr("href", "/map")), hc.In("#trends"))
	check(t, e.get("viewer", "/overview"), http.StatusOK, hc.NotIn("#region-map"), hc.NotIn("#map-hint"))
	check(t, e.get("city", "/overview"), http.StatusOK, hc.NotIn("#map-hint"))
	if w := e.get("admin", "/overview/map/"+demo.ProvinceCode); w.Code != http.StatusNotFound {
		t.Errorf("shapes without a map: %d, want 404", w.Code)
	}
}

// TestOverviewTarget: a work plan's target of recognised counties stands
// next to the standing under its standard, for the accounts that see the plan.
func TestOverviewTarget(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	y := demo.LatestYear + 2
	_, err := e.st.CreatePlan(ctx, "test", store.Plan{Region: demo.ProvinceCode, Year: y, Title: "全省工作要点"},
		[]store.PlanTask{{Number: "1", Title: "推进优质均衡县创建", Start: time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), Due: time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC),
			Target: 30, TargetUnit: "个", TargetText: "通过认定的县区30个", Link: store.LinkCasesRecognised, LinkArg: "yzjh2017"}})
	if err != nil {
		t.Fatal(err)
	}
	check(t, e.get("admin", "/overview"), http.StatusOK,
		hc.In(`#standings tr[data-standard="yzjh2017"] a[data-target="30"]`, hc.HasText(strconv.Itoa(y)+" 年目标 30 个")),
		hc.Count(`#standings a[data-target]`, 1))
	// The demo city's own plan has a target of 3 counties; the county
	// account, which sees the city's overview, does not see the city's plans.
	check(t, e.get("city", "/overview"), http.StatusOK, hc.In(`#standings tr[data-standard="yzjh2017"] a[data-target="3"]`), hc.Count(`#standings a[data-target]`, 1))
	check(t, e.get("county", "/overview"), http.StatusOK, hc.NotIn(`#standings a[data-target]`))
}
