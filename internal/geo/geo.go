// Package geo reads the map of a deployment's region: a GeoJSON
// FeatureCollection whose features are the counties (or cities) of the
// division list, each naming its 6-digit region code in a property. An
// administrator imports it once; the overview colours it by verdict.
//
// Parse checks everything a map needs before anything is stored, and says
// what is wrong in words a user can act on (Error: the file, the feature,
// the property, what to fix). What it returns is the map reduced to what
// the overview draws: each feature's code, name and geometry.
package geo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/i18n"
)

// MaxFileSize is the largest map file read: a province's counties at the
// detail of a public map are a few megabytes.
const MaxFileSize = 20 << 20

// CodeProperties are the property names read for a feature's region code,
// in order: "code" (dudao's own), "adcode" (the 行政区划代码 of the public
// map services), "region_code".
var CodeProperties = []string{"code", "adcode", "region_code"}

// Map is a region's map: one feature a region.
type Map struct {
	Features []Feature
}

// Feature is one region's shape.
type Feature struct {
	Code, Name string
	// Geometry is the GeoJSON geometry as read (a Polygon or a
	// MultiPolygon), checked.
	Geometry json.RawMessage
}

// Error is a problem that stops an import. Key names the problem (the
// translation key "geo.err."+Key, whose arguments are Args); Feature is
// the 1-based number of the feature (0: the file as a whole) and Property
// the property or member concerned.
type Error struct {
	File     string
	Feature  int
	Property string
	Key      string
	Args     []any
}

// messages are the problems in English, for Error.Error (the log, the
// command line); the web pages translate Key.
var messages = map[string]string{
	"too_large":        "the file is larger than %d MB",
	"json":             "not valid JSON (line %d, column %d)",
	"not_collection":   `not a GeoJSON FeatureCollection: "type" is %q; export the map as a FeatureCollection`,
	"no_features":      "the FeatureCollection has no features",
	"not_feature":      `"type" is %q, not "Feature"`,
	"no_code":          "no region code: give each feature a property code (or adcode) with its 6-digit code",
	"bad_code":         "%q is not a 6-digit region code",
	"unknown_code":     "region %s is not in this installation's division list: correct the code, or add the region to the division list first",
	"duplicate_code":   "region %s is also feature %d: each region once",
	"no_geometry":      "no geometry",
	"geometry_type":    `geometry type %q: only Polygon and MultiPolygon are drawn`,
	"coordinates":      "coordinates are not a list of rings of [longitude, latitude] positions",
	"position":         "position %v is not a longitude between -180 and 180 and a latitude between -90 and 90",
	"ring":             "a ring has fewer than 4 positions or does not end where it starts",
	"bad_feature_json": "not a JSON object",
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Feature > 0 {
		fmt.Fprintf(&b, ", feature %d", e.Feature)
	}
	if e.Property != "" {
		fmt.Fprintf(&b, ", %s", e.Property)
	}
	b.WriteString(": ")
	if m, ok := messages[e.Key]; ok {
		fmt.Fprintf(&b, m, e.Args...)
	} else {
		b.WriteString(e.Key)
	}
	return b.String()
}

// Message says the problem in lang, as the web pages and the command line
// show it: the file, the feature and the property, what is wrong and what
// to do (the translations "map.err.*").
func (e *Error) Message(lang i18n.Lang) string {
	where := e.File
	if e.Feature > 0 {
		where = i18n.T(lang, "map.err.where_feature", e.File, e.Feature)
	}
	if e.Property != "" {
		where = i18n.T(lang, "map.err.where_property", where, e.Property)
	}
	args := e.Args
	if e.Key == "position" && len(args) == 1 {
		if pos, ok := args[0].([]float64); ok && len(pos) == 2 {
			args = []any{strconv.FormatFloat(pos[0], 'f', -1, 64) + ", " + strconv.FormatFloat(pos[1], 'f', -1, 64)}
		}
	}
	return i18n.T(lang, "map.err.line", where, i18n.T(lang, "map.err."+e.Key, args...))
}

// Regions answers, for a region code, its name and whether the division
// list holds it.
type Regions func(code string) (name string, ok bool)

type collection struct {
	Type     string            `json:"type"`
	Features []json.RawMessage `json:"features"`
}

type feature struct {
	Type       string                     `json:"type"`
	Properties map[string]json.RawMessage `json:"properties"`
	Geometry   json.RawMessage            `json:"geometry"`
}

type geometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// Parse reads the map file name (its content data) and checks it against
// the division list: a FeatureCollection, each feature with a region code
// of the list (once) and a polygon geometry. A feature's name is the
// list's. Errors are *Error values; the first problem found is returned.
func Parse(name string, data []byte, regions Regions) (*Map, error) {
	fail := func(feature int, prop, key string, args ...any) (*Map, error) {
		return nil, &Error{File: name, Feature: feature, Property: prop, Key: key, Args: args}
	}
	if len(data) > MaxFileSize {
		return fail(0, "", "too_large", MaxFileSize>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var fc collection
	if err := json.Unmarshal(data, &fc); err != nil {
		line, col := jsonProblem(data, err)
		return fail(0, "", "json", line, col)
	}
	if fc.Type != "FeatureCollection" {
		return fail(0, "type", "not_collection", fc.Type)
	}
	if len(fc.Features) == 0 {
		return fail(0, "features", "no_features")
	}
	m := &Map{}
	seen := map[string]int{}
	for i, raw := range fc.Features {
		n := i + 1
		var f feature
		if err := json.Unmarshal(raw, &f); err != nil {
			return fail(n, "", "bad_feature_json")
		}
		if f.Type != "Feature" {
			return fail(n, "type", "not_feature", f.Type)
		}
		prop, code, found := codeOf(f.Properties)
		if !found {
			return fail(n, "properties", "no_code")
		}
		if !isCode(code) {
			return fail(n, prop, "bad_code", code)
		}
		regionName, ok := regions(code)
		if !ok {
			return fail(n, prop, "unknown_code", code)
		}
		if first, dup := seen[code]; dup {
			return fail(n, prop, "duplicate_code", code, first)
		}
		seen[code] = n
		geom, key, args := checkGeometry(f.Geometry)
		if key != "" {
			return fail(n, "geometry", key, args...)
		}
		m.Features = append(m.Features, Feature{Code: code, Name: regionName, Geometry: geom})
	}
	return m, nil
}

// jsonProblem says where JSON stops being JSON: the line and column.
func jsonProblem(data []byte, err error) (line, col int) {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 {
		return 1, 1
	}
	off = min(off, int64(len(data)))
	line = 1 + bytes.Count(data[:off], []byte("\n"))
	// The offset is past the byte that broke the JSON: the column is that byte's.
	col = int(max(1, off-1-int64(bytes.LastIndexByte(data[:off], '\n'))))
	return line, col
}

// codeOf reads the region code of a feature from the first of
// CodeProperties it has: a string or a whole number.
func codeOf(props map[string]json.RawMessage) (prop, code string, found bool) {
	for _, p := range CodeProperties {
		raw, ok := props[p]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return p, strings.TrimSpace(s), true
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return p, n.String(), true
		}
		return p, string(raw), true
	}
	return "", "", false
}

func isCode(s string) bool {
	if len(s) != 6 || s[0] == '0' {
		return false
	}
	_, err := strconv.Atoi(s)
	return err == nil && !strings.ContainsAny(s, "+-")
}

// checkGeometry checks a Polygon or MultiPolygon and returns it compacted,
// or the problem's key and arguments.
func checkGeometry(raw json.RawMessage) (json.RawMessage, string, []any) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, "no_geometry", nil
	}
	var g geometry
	if err := json.Unmarshal(raw, &g); err != nil {
		return nil, "no_geometry", nil
	}
	var polys [][][][]float64
	switch g.Type {
	case "Polygon":
		var p [][][]float64
		if json.Unmarshal(g.Coordinates, &p) != nil || len(p) == 0 {
			return nil, "coordinates", nil
		}
		polys = [][][][]float64{p}
	case "MultiPolygon":
		if json.Unmarshal(g.Coordinates, &polys) != nil || len(polys) == 0 {
			return nil, "coordinates", nil
		}
	default:
		return nil, "geometry_type", []any{g.Type}
	}
	for _, p := range polys {
		if len(p) == 0 {
			return nil, "coordinates", nil
		}
		for _, ring := range p {
			if len(ring) < 4 {
				return nil, "ring", nil
			}
			for _, pos := range ring {
				if len(pos) < 2 || len(pos) > 3 {
					return nil, "coordinates", nil
				}
				if !(pos[0] >= -180 && pos[0] <= 180 && pos[1] >= -90 && pos[1] <= 90) {
					return nil, "position", []any{pos[:2]}
				}
			}
			first, last := ring[0], ring[len(ring)-1]
			if first[0] != last[0] || first[1] != last[1] {
				return nil, "ring", nil
			}
		}
	}
	out, err := json.Marshal(geometry{Type: g.Type, Coordinates: mustCompact(g.Coordinates)})
	if err != nil {
		return nil, "coordinates", nil
	}
	return out, "", nil
}

func mustCompact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return raw
	}
	return b.Bytes()
}

// JSON writes the map as a GeoJSON FeatureCollection whose features carry
// code and name properties: what is stored, and what the overview draws.
func (m *Map) JSON() ([]byte, error) {
	type props struct {
		Code string `json:"code"`
		Name string `json:"name"`
	}
	type feat struct {
		Type       string          `json:"type"`
		Properties props           `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	out := struct {
		Type     string `json:"type"`
		Features []feat `json:"features"`
	}{Type: "FeatureCollection", Features: []feat{}}
	for _, f := range m.Features {
		out.Features = append(out.Features, feat{Type: "Feature", Properties: props{Code: f.Code, Name: f.Name}, Geometry: f.Geometry})
	}
	return json.Marshal(out)
}

// Within returns the map's features whose code starts with prefix (the
// counties of a city, of a province).
func (m *Map) Within(prefix string) *Map {
	out := &Map{}
	for _, f := range m.Features {
		if strings.HasPrefix(f.Code, prefix) {
			out.Features = append(out.Features, f)
		}
	}
	return out
}

// Polygon makes a Polygon geometry of one ring of [longitude, latitude]
// positions, closing it: for maps made by program (the demo's).
func Polygon(ring [][2]float64) json.RawMessage {
	var b strings.Builder
	b.WriteString(`{"type":"Polygon","coordinates":[[`)
	pts := append(ring[:len(ring):len(ring)], ring[0])
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%s,%s]", strconv.FormatFloat(round(p[0]), 'f', -1, 64), strconv.FormatFloat(round(p[1]), 'f', -1, 64))
	}
	b.WriteString(`]]}`)
	return json.RawMessage(b.String())
}

func round(x float64) float64 { return math.Round(x*1e5) / 1e5 }
