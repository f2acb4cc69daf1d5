package censusio

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dudao-edu/dudao/internal/census"
)

func TestWriteSchoolsRoundTrip(t *testing.T) {
	a := wantGood()
	b := wantGood2()
	b.V[census.SportsArea] = math.NaN() // not reported stays not reported
	b.V[census.MultimediaRooms] = 0     // zero stays zero
	schools := []census.School{a, b}
	for _, tc := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"data.csv", func(w *bytes.Buffer) error { return WriteSchoolsCSV(w, schools) }},
		{"data.xlsx", func(w *bytes.Buffer) error { return WriteSchoolsXLSX(w, schools) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.write(&buf); err != nil {
				t.Fatal(err)
			}
			got := mustRead(t, tc.name, buf.Bytes(), Options{})
			if diff := cmp.Diff(schools, got.Schools, cmpopts.EquateNaNs()); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
			if len(got.Unknown) != 0 {
				t.Errorf("unknown columns on read-back: %v", got.Unknown)
			}
		})
	}
}
