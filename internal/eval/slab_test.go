package eval

import (
	"testing"

	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/standards"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestStreamLendsCleanly: EvaluateResourceStream lends each county the
// memory of counties handed on before it — its parts, their figures and
// shortfalls, its stage results and their indicators, its parts' splits
// and their lists — and each county it hands on is, field for field, the
// one EvaluateResourceEach allocates afresh: nothing of an earlier county
// shows through. The counties differ widely in size (a slab is reused by
// smaller ones and outgrown by larger ones), under a standard of each
// balance rule.
func TestStreamLendsCleanly(t *testing.T) {
	schools := demo.Uneven(demo.Nation(13, 400, 30000))
	in := Inputs{Schools: schools}
	year := schools[0].Year
	opts := cmp.Options{cmpopts.EquateNaNs(), cmpopts.IgnoreUnexported(County{}, Part{}, StageResult{})}
	for _, std := range []string{"yzjh2017", "jbjh2012"} {
		r, err := standards.Resolve(std, "national")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]*County{}
		if _, err := EvaluateResourceEach(r, year, in, func(c *County) error { want[c.Code] = c; return nil }); err != nil {
			t.Fatal(err)
		}
		n, lists := 0, 0
		_, err = EvaluateResourceStream(r, year, in, func(c *County) error {
			n++
			if diff := cmp.Diff(want[c.Code], c, opts); diff != "" {
				t.Fatalf("%s county %s (-fresh +lent):\n%s", std, c.Code, diff)
			}
			for _, p := range c.Parts {
				if p.Split != nil {
					lists += len(p.Split.Given) + len(p.Split.Derived)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) || n < 300 {
			t.Fatalf("%s: %d counties handed on, %d evaluated", std, n, len(want))
		}
		if lists == 0 && std == "yzjh2017" {
			t.Error("no split lists an indicator: the test proves less than it says")
		}
	}
}
