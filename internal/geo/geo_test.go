package geo_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/geo"
	"github.com/dudao-edu/dudao/internal/i18n"
)

var known = map[string]string{"340102": "瑶海区", "340103": "庐阳区", "340100": "合肥市"}

func regions(code string) (string, bool) {
	n, ok := known[code]
	return n, ok
}

const square = `{"type":"Polygon","coordinates":[[[117,31],[117.1,31],[117.1,31.1],[117,31]]]}`

func fc(features ...string) string {
	return `{"type":"FeatureCollection","features":[` + strings.Join(features, ",") + `]}`
}

func feat(props, geom string) string {
	return `{"type":"Feature","properties":` + props + `,"geometry":` + geom + `}`
}

func TestParse(t *testing.T) {
	data := "\ufeff" + fc(
		feat(`{"adcode":340102,"name":"x"}`, square),
		feat(`{"code":"340103"}`, `{"type":"MultiPolygon","coordinates":[[[[117,31],[117.1,31],[117.1,31.1],[117,31,12]]]]}`),
	)
	m, err := geo.Parse("安徽.json", []byte(data), regions)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range m.Features {
		got = append(got, f.Code+" "+f.Name)
	}
	if diff := cmp.Diff([]string{"340102 瑶海区", "340103 庐阳区"}, got); diff != "" {
		t.Errorf("features (-want +got):\n%s", diff)
	}
	out, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	again, err := geo.Parse("stored", out, regions)
	if err != nil {
		t.Fatalf("the stored form does not parse: %v\n%s", err, out)
	}
	if len(again.Features) != 2 || len(m.Within("340103").Features) != 1 {
		t.Errorf("round trip or Within lost features: %s", out)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       string // the English message
		key        string
		feature    int
	}{
		{"not json", `{"type":`, "m.json: not valid JSON (line 1, column 8)", "json", 0},
		{"syntax on line 2", "{\n\"type\" 1}", "m.json: not valid JSON (line 2, column 8)", "json", 0},
		{"a feature alone", feat(`{"code":"340102"}`, square), `m.json, type: not a GeoJSON FeatureCollection: "type" is "Feature"; export the map as a FeatureCollection`, "not_collection", 0},
		{"empty", fc(), "m.json, features: the FeatureCollection has no features", "no_features", 0},
		{"not a feature", fc(`{"type":"Point"}`), `m.json, feature 1, type: "type" is "Point", not "Feature"`, "not_feature", 1},
		{"feature not an object", fc(`3`), "m.json, feature 1: not a JSON object", "bad_feature_json", 1},
		{"no code", fc(feat(`{"name":"瑶海区"}`, square)), "m.json, feature 1, properties: no region code: give each feature a property code (or adcode) with its 6-digit code", "no_code", 1},
		{"no properties", fc(feat(`null`, square)), "m.json, feature 1, properties: no region code: give each feature a property code (or adcode) with its 6-digit code", "no_code", 1},
		{"short code", fc(feat(`{"code":"3401"}`, square)), `m.json, feature 1, code: "3401" is not a 6-digit region code`, "bad_code", 1},
		{"code an object", fc(feat(`{"adcode":{"a":1}}`, square)), `m.json, feature 1, adcode: "{\"a\":1}" is not a 6-digit region code`, "bad_code", 1},
		{"unknown code", fc(feat(`{"code":"340102"}`, square), feat(`{"code":"340199"}`, square)), "m.json, feature 2, code: region 340199 is not in this installation's division list: correct the code, or add the region to the division list first", "unknown_code", 2},
		{"twice", fc(feat(`{"code":"340102"}`, square), feat(`{"adcode":340102}`, square)), "m.json, feature 2, adcode: region 340102 is also feature 1: each region once", "duplicate_code", 2},
		{"no geometry", fc(feat(`{"code":"340102"}`, `null`)), "m.json, feature 1, geometry: no geometry", "no_geometry", 1},
		{"a point", fc(feat(`{"code":"340102"}`, `{"type":"Point","coordinates":[117,31]}`)), `m.json, feature 1, geometry: geometry type "Point": only Polygon and MultiPolygon are drawn`, "geometry_type", 1},
		{"bad coordinates", fc(feat(`{"code":"340102"}`, `{"type":"Polygon","coordinates":[117,31]}`)), "m.json, feature 1, geometry: coordinates are not a list of rings of [longitude, latitude] positions", "coordinates", 1},
		{"open ring", fc(feat(`{"code":"340102"}`, `{"type":"Polygon","coordinates":[[[117,31],[117.1,31],[117.1,31.1],[117,31.1]]]}`)), "m.json, feature 1, geometry: a ring has fewer than 4 positions or does not end where it starts", "ring", 1},
		{"lat lon swapped", fc(feat(`{"code":"340102"}`, `{"type":"Polygon","coordinates":[[[31,117],[31,117.1],[31.1,117.1],[31,117]]]}`)), "m.json, feature 1, geometry: position [31 117] is not a longitude between -180 and 180 and a latitude between -90 and 90", "position", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := geo.Parse("m.json", []byte(tc.data), regions)
			var ge *geo.Error
			if !errors.As(err, &ge) {
				t.Fatalf("err = %v, want a *geo.Error", err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
				if msg := ge.Message(lang); strings.Contains(msg, "map.err.") || strings.Contains(msg, "%!") || !strings.HasPrefix(msg, "m.json") {
					t.Errorf("%s message: %s", lang, msg)
				}
			}
			if ge.Key != tc.key || ge.Feature != tc.feature || ge.File != "m.json" {
				t.Errorf("key %q feature %d file %q, want %q %d", ge.Key, ge.Feature, ge.File, tc.key, tc.feature)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(fc(feat(`{"code":"340102"}`, square))))
	f.Add([]byte(fc(feat(`{"adcode":340103}`, `{"type":"MultiPolygon","coordinates":[[[[117,31],[117.1,31],[117.1,31.1],[117,31]]]]}`))))
	f.Add([]byte(`{"type":"FeatureCollection","features":[{"type":"Feature"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := geo.Parse("f.json", data, regions)
		if err != nil {
			var ge *geo.Error
			if !errors.As(err, &ge) {
				t.Fatalf("not a *geo.Error: %v", err)
			}
			_ = ge.Error()
			return
		}
		out, err := m.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON stored: %s", out)
		}
		again, err := geo.Parse("stored", out, regions)
		if err != nil || len(again.Features) != len(m.Features) {
			t.Fatalf("the stored form does not parse back: %v", err)
		}
	})
}
