package export

import (
	"bytes"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestCSVWriterIsWriteCSV: a table written county by county (what
// dudao evaluate --format csv does) is byte for byte the one WriteCSV writes
// of the whole result, for every table; and the indicators and parts tables
// of a resource-only evaluation are those of the whole one.
func TestCSVWriterIsWriteCSV(t *testing.T) {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	schools := demo.Nation(7, 30, 2000)
	in := eval.Inputs{Schools: schools}
	year := schools[0].Year
	whole := eval.EvaluateWhole(r, year, in)
	for _, key := range Tables {
		t.Run(key, func(t *testing.T) {
			tab, err := Build(whole, key)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			if err := WriteCSV(&want, tab); err != nil {
				t.Fatal(err)
			}
			each := eval.EvaluateWholeEach
			if !ReadsVerdicts(key) {
				each = eval.EvaluateResourceEach
			}
			var got bytes.Buffer
			cw, err := NewCSVWriter(&got, eval.NewWhole(r, year), key)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := each(r, year, in, cw.County); err != nil {
				t.Fatal(err)
			}
			if err := cw.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("streamed %s table differs from WriteCSV's (%d vs %d bytes)", key, got.Len(), want.Len())
			}
			if len(tab.Rows) == 0 && key != "kindergartens" {
				t.Errorf("no %s rows: the test proves nothing", key)
			}
		})
	}
}
