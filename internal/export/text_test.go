package export

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
	"github.com/dudao-edu/dudao/internal/standards"
)

// TestTextDetail checks that each detail level of the text report is the
// next level with lines left out, never changed: counties keeps the
// headlines and composite CVs, indicators adds the indicator tables and the
// verdict's items, parts the schools.
func TestTextDetail(t *testing.T) {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	res := eval.EvaluateWhole(r, demo.LatestYear, eval.Inputs{Schools: demo.Nation(5, 6, 500)})
	text := map[eval.Detail]string{}
	for _, d := range []eval.Detail{eval.DetailCounties, eval.DetailIndicators, eval.DetailParts} {
		var b bytes.Buffer
		if err := WriteText(&b, res, d); err != nil {
			t.Fatal(err)
		}
		text[d] = b.String()
	}
	for _, tc := range []struct {
		less, more eval.Detail
		gone       string // in more, not in less
	}{
		{eval.DetailCounties, eval.DetailIndicators, "加权均值"},
		{eval.DetailIndicators, eval.DetailParts, "未达标学校（部）："},
	} {
		less, more := lines(text[tc.less]), lines(text[tc.more])
		if !subsequence(less, more) {
			t.Errorf("%s is not %s with lines left out:\n%s\n----\n%s", tc.less, tc.more, text[tc.less], text[tc.more])
		}
		if len(less) >= len(more) {
			t.Errorf("%s has %d lines, %s %d", tc.less, len(less), tc.more, len(more))
		}
		if !strings.Contains(text[tc.more], tc.gone) || strings.Contains(text[tc.less], tc.gone) {
			t.Errorf("%q should be in %s and not in %s", tc.gone, tc.more, tc.less)
		}
	}
	if !strings.Contains(text[eval.DetailCounties], "综合差异系数") {
		t.Errorf("counties detail lacks the composite CV:\n%s", text[eval.DetailCounties])
	}
}

func lines(s string) []string { return strings.Split(s, "\n") }

// subsequence reports whether a is b with some elements left out.
func subsequence(a, b []string) bool {
	i := 0
	for _, l := range b {
		if i < len(a) && a[i] == l {
			i++
		}
	}
	return i == len(a)
}

// TestTextWriterStreamsTheSameReport evaluates and writes county by county,
// as `dudao evaluate` does, and compares the report with that of the whole
// result.
func TestTextWriterStreamsTheSameReport(t *testing.T) {
	r, err := standards.Resolve("yzjh2017", "national")
	if err != nil {
		t.Fatal(err)
	}
	in := eval.Inputs{Schools: demo.Nation(5, 20, 1500)}
	for _, d := range []eval.Detail{eval.DetailCounties, eval.DetailIndicators, eval.DetailParts} {
		var want, got bytes.Buffer
		if err := WriteText(&want, eval.EvaluateWhole(r, demo.LatestYear, in), d); err != nil {
			t.Fatal(err)
		}
		tw := NewTextWriter(&got, eval.NewWhole(r, demo.LatestYear), d)
		if _, err := eval.EvaluateWholeEach(r, demo.LatestYear, in, tw.County); err != nil {
			t.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if want.String() != got.String() {
			t.Errorf("%s: streamed report differs:\n%s\n----\n%s", d, got.String(), want.String())
		}
	}
}
