package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/geo"
	"github.com/dudao-edu/dudao/internal/store"
	"github.com/dudao-edu/dudao/internal/store/storetest"
)

func TestGeoMapRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := st.MapShapes(ctx, "34"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("shapes before an import: %v, want ErrNotFound", err)
		}
		if _, err := st.MapImported(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("import before an import: %v, want ErrNotFound", err)
		}
		sq := func(x float64) []byte { return geo.Polygon([][2]float64{{x, 31}, {x + 0.1, 31}, {x + 0.1, 31.1}}) }
		m := &geo.Map{Features: []geo.Feature{
			{Code: "341122", Name: "来安县", Geometry: sq(118)},
			{Code: "340102", Name: "瑶海区", Geometry: sq(117)},
			{Code: "341102", Name: "琅琊区", Geometry: sq(118.3)},
		}}
		if err := st.ImportMap(ctx, "安徽.json", "admin", m); err != nil {
			t.Fatal(err)
		}
		got, err := st.MapShapes(ctx, "3411")
		if err != nil {
			t.Fatal(err)
		}
		want := &geo.Map{Features: []geo.Feature{m.Features[2], m.Features[0]}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("shapes of 3411 (-want +got):\n%s", diff)
		}
		mi, err := st.MapImported(ctx)
		if err != nil || mi.File != "安徽.json" || mi.Features != 3 || mi.By != "admin" || mi.At.IsZero() {
			t.Errorf("import = %+v, %v", mi, err)
		}
		// A second import replaces the first whole.
		if err := st.ImportMap(ctx, "new.geojson", "other", &geo.Map{Features: m.Features[1:2]}); err != nil {
			t.Fatal(err)
		}
		all, err := st.MapShapes(ctx, "")
		if err != nil || len(all.Features) != 1 || all.Features[0].Code != "340102" {
			t.Errorf("after a second import: %+v, %v", all, err)
		}
		if err := st.ImportMap(ctx, "empty.json", "x", &geo.Map{}); err == nil {
			t.Error("an empty map was stored")
		}
		if mi, _ := st.MapImported(ctx); mi.File != "new.geojson" {
			t.Errorf("a refused import changed the record: %+v", mi)
		}
	})
}
