package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

// openAPIDoc is the OpenAPI document: openapi.json for the paths and the
// prose, with the record schemas made from the kinds' census.Tables, so
// that a column declared there is in the API's schema without being
// listed here (the hand-kept School schema once lacked sponsor).
var openAPIDoc = sync.OnceValues(func() ([]byte, error) {
	raw, err := openapiFS.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	var kinds, records, updates []any
	for _, k := range census.Kinds {
		t := census.TableOf(k)
		kinds = append(kinds, string(k))
		rec, upd := recordSchemas(t)
		name := "Record_" + string(k)
		schemas[name], schemas["RecordUpdate_"+string(k)] = rec, upd
		records = append(records, map[string]any{"$ref": "#/components/schemas/" + name})
		updates = append(updates, map[string]any{"$ref": "#/components/schemas/RecordUpdate_" + string(k)})
	}
	schemas["Record"] = map[string]any{"oneOf": records, "discriminator": map[string]any{"propertyName": "kind"}}
	schemas["RecordUpdate"] = map[string]any{"oneOf": updates}
	school, _ := recordSchemas(&census.SchoolTable)
	delete(school["properties"].(map[string]any), "values")
	schemas["School"] = school
	params := doc["components"].(map[string]any)["parameters"].(map[string]any)
	params["kind"] = map[string]any{"name": "kind", "in": "query", "schema": map[string]any{"type": "string", "enum": kinds, "default": "school"},
		"description": "The record kind; default school."}
	// The declared ledgers, one schema each from its declaration.
	var ledgers []any
	var ledgerKinds []string
	for k := range store.LedgerSchemas {
		ledgerKinds = append(ledgerKinds, k)
	}
	slices.Sort(ledgerKinds)
	for _, k := range ledgerKinds {
		schemas["Ledger_"+k] = ledgerSchemaJSON(store.LedgerSchemas[k])
		ledgers = append(ledgers, map[string]any{"$ref": "#/components/schemas/Ledger_" + k})
	}
	schemas["Ledger"] = map[string]any{"oneOf": ledgers, "discriminator": map[string]any{"propertyName": "kind"}}
	paths := doc["paths"].(map[string]any)
	if item, ok := paths["/ledgers/{kind}/{code}"].(map[string]any); ok {
		var kinds []any
		for _, k := range ledgerKinds {
			kinds = append(kinds, k)
		}
		get, _ := item["get"].(map[string]any)
		params, _ := get["parameters"].([]any)
		for _, prm := range params {
			if m, _ := prm.(map[string]any); m["name"] == "kind" {
				m["schema"] = map[string]any{"type": "string", "enum": kinds}
			}
		}
	}
	for _, p := range []string{"/records", "/records/{year}/{code}"} {
		item := paths[p].(map[string]any)
		ps, _ := item["parameters"].([]any)
		item["parameters"] = append(ps, map[string]any{"$ref": "#/components/parameters/kind"})
	}
	return json.MarshalIndent(doc, "", "  ")
})

// recordSchemas returns the JSON schemas of a record of table t as the API
// writes it, and of a change to one.
func recordSchemas(t *census.Table) (rec, upd map[string]any) {
	props := map[string]any{
		"kind": map[string]any{"type": "string", "const": string(t.Kind)},
		"year": map[string]any{"type": "integer"},
	}
	updProps := map[string]any{}
	for _, c := range t.Text {
		if c.Key == "year" {
			continue
		}
		p := map[string]any{"type": "string", "description": c.ZH + note(c.Note)}
		if c.Choices != nil {
			var enum []any
			for _, ch := range c.Choices {
				enum = append(enum, ch.Value)
			}
			p["enum"] = enum
		}
		props[c.Key] = p
		if !t.Identifying(c.Key) {
			updProps[c.Key] = p
		}
	}
	values := map[string]any{}
	for _, c := range t.Num {
		typ := "number"
		if c.Integer {
			typ = "integer"
		}
		values[c.Key] = map[string]any{"type": []any{typ, "null"}, "description": c.ZH + unit(c.Unit) + note(c.Note)}
	}
	props["values"] = map[string]any{"type": "object", "properties": values, "additionalProperties": false,
		"description": "Every numeric column by its key; null = not reported."}
	updProps["values"] = map[string]any{"type": "object", "properties": values, "additionalProperties": false,
		"description": "Columns to change; keys left out keep their value; null clears one (not reported)."}
	return map[string]any{"type": "object", "properties": props},
		map[string]any{"type": "object", "properties": updProps, "additionalProperties": false,
			"description": "Identifying columns (year, codes, county name) cannot be changed."}
}

func note(s string) string {
	if s == "" {
		return ""
	}
	return "：" + s
}

func unit(s string) string {
	if s == "" {
		return ""
	}
	return "（" + s + "）"
}

// openAPI serves GET /api/v1/openapi.json.
func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	b, err := openAPIDoc()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
}
