package eval

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/google/go-cmp/cmp"
)

// wholeDocument is the document as `dudao evaluate --format json` wrote it
// before WriteJSON streamed it: the whole document built, then encoded.
func wholeDocument(t *testing.T, res *Result) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(res.JSON()); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// streamCases are results with every kind of county: demo counties with
// failing, missing and excluded parts and mixed schools; a county with a
// record and judgements; a preschool county with kindergartens; a
// county-less result.
func streamCases(t *testing.T) map[string]*Result {
	yzjh := resolve(t, "yzjh2017", "national")
	xqpp := resolve(t, "xqpp2020", "national")
	nation := EvaluateWhole(yzjh, demo.LatestYear, Inputs{Schools: demo.Nation(7, 12, 900)})
	// A school with a figure the evaluation does not use, for warnings.
	odd := goodSchool("3134020009", census.Primary, 800)
	odd.Name = `<"引号">&校`
	odd.Set(census.TeachingAreaJunior, 123)
	in := goodInputs(yzjh)
	in.Schools = append(in.Schools, odd)
	return map[string]*Result{
		"nation":         nation,
		"judged":         EvaluateWhole(yzjh, 2024, in),
		"composite":      EvaluateWhole(resolve(t, "jbjh2012", "national"), 2024, goodInputs(yzjh)),
		"rounded":        EvaluateWhole(resolve(t, "yzjh2017", "chongqing"), 2024, goodInputs(yzjh)),
		"preschool":      EvaluateWhole(xqpp, 2024, preschoolInputs(xqpp)),
		"no counties":    EvaluateWhole(yzjh, 2024, Inputs{}),
		"evaluated only": Evaluate(yzjh, demo.LatestYear, demo.Nation(3, 4, 300)),
	}
}

// TestWriteJSONSameAsWholeDocument proves that the streamed document at the
// default detail is, byte for byte, the document built whole and encoded.
func TestWriteJSONSameAsWholeDocument(t *testing.T) {
	var all []byte
	for name, res := range streamCases(t) {
		t.Run(name, func(t *testing.T) {
			want := wholeDocument(t, res)
			all = append(all, want...)
			var got bytes.Buffer
			if err := res.WriteJSON(&got, DetailParts); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got.Bytes()) {
				t.Errorf("streamed document differs (-whole +streamed):\n%s", cmp.Diff(string(want), got.String()))
			}
		})
	}
	// The cases must hold every field the hand-written encoder writes, or
	// the comparison proves nothing about it.
	for _, f := range []string{`"raw"`, `"excluded": true`, `"reason_code"`, `"missing": [`, `"shortfalls"`,
		`"split"`, `"weights"`, `"given"`, `"derived"`, `"warnings"`, `"items"`, `"judgement": {`,
		`"kindergartens"`, `"composite_cv_limit"`, `"schools": [`, `"years": [`, `"checked"`, `"failed"`, `"op"`, `\u003c`, `"resource_pass": null`, `"counties": []`} {
		if !bytes.Contains(all, []byte(f)) {
			t.Errorf("no case writes %s", f)
		}
	}
}

// TestWriteJSONDetail checks what each detail level keeps: the counties level
// the county's verdicts and stage CVs, indicators the stages' indicators and
// the verdict's items, parts everything; and that every level is valid JSON
// equal to the full document with the lower levels' fields removed.
func TestWriteJSONDetail(t *testing.T) {
	res := streamCases(t)["judged"]
	var full map[string]any
	if err := json.Unmarshal(wholeDocument(t, res), &full); err != nil {
		t.Fatal(err)
	}
	for _, d := range []Detail{DetailCounties, DetailIndicators} {
		t.Run(d.String(), func(t *testing.T) {
			var b bytes.Buffer
			if err := res.WriteJSON(&b, d); err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b.Bytes(), &got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, b.String())
			}
			var want map[string]any
			json.Unmarshal(wholeDocument(t, res), &want)
			for _, c := range want["counties"].([]any) {
				c := c.(map[string]any)
				delete(c, "parts")
				delete(c, "kindergartens")
				if d == DetailCounties {
					delete(c, "items")
					for _, s := range c["stages"].([]any) {
						delete(s.(map[string]any), "indicators")
					}
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("detail %s (-want +got):\n%s", d, diff)
			}
			for _, k := range []string{`"values":`, `"kindergartens":`} {
				if strings.Contains(b.String(), k) {
					t.Errorf("detail %s writes %s", d, k)
				}
			}
		})
	}
}

func TestParseDetail(t *testing.T) {
	for i, n := range Details {
		d, err := ParseDetail(n)
		if err != nil || d != Detail(i) || d.String() != n {
			t.Errorf("ParseDetail(%q) = %v, %v", n, d, err)
		}
	}
	if _, err := ParseDetail("schools"); err == nil {
		t.Error("ParseDetail(schools) succeeded")
	}
}

// TestEvaluateWholeEachStreamsTheSameDocument evaluates and writes county by
// county, as `dudao evaluate --format json` does, and compares the bytes with
// the document of the whole result.
func TestEvaluateWholeEachStreamsTheSameDocument(t *testing.T) {
	yzjh := resolve(t, "yzjh2017", "national")
	xqpp := resolve(t, "xqpp2020", "national")
	cq := resolve(t, "yzjh2017", "chongqing")
	withPrior := goodInputs(cq)
	withPrior.Prior = map[int]*Result{2021: priorResult(2021, 0.60, 0.50), 2022: priorResult(2022, 0.55, 0.45), 2023: priorResult(2023, 0.42, 0.33)}
	for name, tc := range map[string]struct {
		r    *standards.Rules
		year int
		in   Inputs
	}{
		// More than 20 000 records: evaluated on every core.
		"nation":      {yzjh, demo.LatestYear, Inputs{Schools: demo.Nation(9, 300, 21000)}},
		"judged":      {yzjh, 2024, goodInputs(yzjh)},
		"prior years": {cq, 2024, withPrior},
		"preschool":   {xqpp, 2024, preschoolInputs(xqpp)},
		"no counties": {yzjh, 2024, Inputs{}},
	} {
		t.Run(name, func(t *testing.T) {
			want := wholeDocument(t, EvaluateWhole(tc.r, tc.year, tc.in))
			var got bytes.Buffer
			jw, err := NewJSONWriter(&got, NewWhole(tc.r, tc.year), DetailParts)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := EvaluateWholeEach(tc.r, tc.year, tc.in, jw.County); err != nil {
				t.Fatal(err)
			}
			if err := jw.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, got.Bytes()) {
				t.Errorf("streamed document differs (-whole +streamed):\n%s", cmp.Diff(string(want), got.String()))
			}
		})
	}
}

// TestWriteJSONManyCounties: a document of more counties than a JSONWriter
// encodes at once (jsonBatch) is still, byte for byte, the whole document,
// its counties in order.
func TestWriteJSONManyCounties(t *testing.T) {
	res := EvaluateWhole(resolve(t, "yzjh2017", "national"), demo.LatestYear, Inputs{Schools: demo.Nation(5, 2*jsonBatch+7, 3000)})
	if len(res.Counties) <= 2*jsonBatch {
		t.Fatalf("%d counties: not more than two batches", len(res.Counties))
	}
	var got bytes.Buffer
	if err := res.WriteJSON(&got, DetailParts); err != nil {
		t.Fatal(err)
	}
	if want := wholeDocument(t, res); !bytes.Equal(got.Bytes(), want) {
		t.Errorf("streamed document of %d counties differs from the whole one (%d vs %d bytes)", len(res.Counties), got.Len(), len(want))
	}
}
