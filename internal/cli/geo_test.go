package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/store"
)

func TestGeoImport(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "d.db")
	st, err := store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.UpsertRegions(context.Background(), []census.Region{
		{Code: "340000", Name: "安徽省", Level: census.LevelProvince},
		{Code: "341100", Name: "滁州市", Level: census.LevelCity, Parent: "340000"},
		{Code: "341122", Name: "来安县", Level: census.LevelCounty, Parent: "341100"},
	}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	write := func(name, code string) string {
		path := filepath.Join(dir, name)
		data := `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"adcode":` + code +
			`},"geometry":{"type":"Polygon","coordinates":[[[118,32],[118.2,32],[118.2,32.2],[118,32]]]}}]}`
		if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	code, _, errs := run(t, "", "geo", "import", write("bad.geojson", "341199"), "--db", db)
	if code != 1 || !strings.Contains(errs, "bad.geojson 第 1 个要素的属性 adcode：区域 341199 不在本系统的行政区划表中") {
		t.Errorf("a bad map: %d %q", code, errs)
	}
	code, out, errs := run(t, "", "geo", "import", write("滁州.geojson", "341122"), "--db", db)
	if code != 0 || !strings.Contains(out, "已导入地图 滁州.geojson：1 个区域") {
		t.Fatalf("a good map: %d %q %q", code, out, errs)
	}
	st, err = store.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m, err := st.MapShapes(context.Background(), "34")
	if err != nil || len(m.Features) != 1 || m.Features[0].Name != "来安县" {
		t.Errorf("stored: %+v, %v", m, err)
	}
	if code, _, _ := run(t, "", "geo", "export"); code != 2 {
		t.Errorf("an unknown subcommand: %d, want 2", code)
	}
}
