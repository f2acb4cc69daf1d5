package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
)

func TestForecastFromFiles(t *testing.T) {
	dir := t.TempDir()
	p := demo.Generate(demo.DefaultSeed)
	var recs []census.School
	for _, s := range p.Schools {
		if s.CountyCode == "980104" {
			recs = append(recs, s)
		}
	}
	var b bytes.Buffer
	if err := censusio.WriteSchoolsCSV(&b, recs); err != nil {
		t.Fatal(err)
	}
	f := writeFile(t, dir, "all-years.csv", b.String())
	code, out, errs := run(t, dir, "forecast", f, "--county", "980104")
	if code != 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{"监测预警", "2022、2023、2024", "2025–2027", "差异系数走势", "在校生预测", "[预警]"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = run(t, dir, "forecast", "--county", "永川区", f, "--format", "json", "--years", "2")
	if code != 0 {
		t.Fatal(errs)
	}
	var doc struct {
		Years    []int `json:"years"`
		Ahead    []int `json:"forecast_years"`
		Warnings []struct {
			Year  int    `json:"year"`
			Level string `json:"level"`
		} `json:"warnings"`
		Parts []struct {
			Students []*float64 `json:"students"`
		} `json:"parts"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Years) != 3 || len(doc.Ahead) != 2 || len(doc.Warnings) == 0 || len(doc.Parts) == 0 || len(doc.Parts[0].Students) != 5 {
		t.Errorf("doc: years %v ahead %v warnings %d parts %d", doc.Years, doc.Ahead, len(doc.Warnings), len(doc.Parts))
	}
	// --year caps the data: from 2023 back, two years observed.
	code, out, _ = run(t, dir, "forecast", f, "--county", "980104", "--year", "2023", "--format", "json")
	if err := json.Unmarshal([]byte(out), &doc); code != 0 || err != nil || len(doc.Years) != 2 || doc.Ahead[0] != 2024 {
		t.Errorf("--year 2023: %d %v %v", code, err, doc.Years)
	}
	if code, _, _ := run(t, dir, "forecast", f); code != 2 {
		t.Errorf("no county: exit %d", code)
	}
	if code, _, _ := run(t, dir, "forecast", f, "--county", "999999"); code != 1 {
		t.Errorf("unknown county: exit %d", code)
	}
}
