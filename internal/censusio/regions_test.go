package censusio

import (
	"bytes"
	"strings"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/xuri/excelize/v2"
)

var anhui = census.Region{Code: "340000", Name: "安徽省", Level: census.LevelProvince}

func TestReadRegionsCSVAndXLSX(t *testing.T) {
	csv := "代码,名称\n340100,合肥市\n340102,瑶海区\n340103,庐阳区\n341100,滁州市\n341122,来安县\n"
	f := excelize.NewFile()
	for i, r := range [][]any{{"区划代码", "区划名称"}, {"340100000000", "合肥市"}, {340102, "瑶海区"}, {"340103", "庐阳区"}, {"341100", "滁州市"}, {"341122", "来安县"}} {
		cellRef, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cellRef, &r); err != nil {
			t.Fatal(err)
		}
	}
	var xb bytes.Buffer
	if err := f.Write(&xb); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"a.csv": []byte(csv), "a.xlsx": xb.Bytes(), "b.csv": []byte("340100,合肥市\n340102,瑶海区\n340103,庐阳区\n341100,滁州市\n341122,来安县\n")} {
		got, err := ReadRegions(name, data, anhui)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 6 || got[0] != anhui {
			t.Fatalf("%s: %+v", name, got)
		}
		want := census.Region{Code: "341122", Name: "来安县", Level: census.LevelCounty, Parent: "341100"}
		if got[5] != want || got[1].Level != census.LevelCity || got[1].Parent != "340000" {
			t.Errorf("%s: %+v", name, got)
		}
	}
}

func TestReadRegionsCityServed(t *testing.T) {
	city := census.Region{Code: "341100", Name: "滁州市", Level: census.LevelCity, Parent: "340000"}
	got, err := ReadRegions("c.csv", []byte("代码,名称\n341122,来安县\n341124,全椒县\n"), city)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[1].Code != "340000" || got[1].Name != "安徽省" || got[3].Parent != "341100" {
		t.Errorf("%+v", got)
	}
}

// Every mistake is named by row, column and value, and nothing is returned.
func TestReadRegionsErrors(t *testing.T) {
	for _, c := range []struct{ data, want string }{
		{"代码,名称\n3401,合肥市\n", "第2行 A列「代码」：“3401”不是 6 位行政区划代码"},
		{"代码,名称\n340100,\n", "第2行 B列「名称」：名称为空"},
		{"代码,名称\n320100,南京市\n", "不在本系统服务的安徽省（340000）之内"},
		{"代码,名称\n340100,合肥市\n340100,合肥\n340102,瑶海区\n", "第3行 A列「代码」：“340100”与第 2 行重复"},
		{"代码,名称\n340102,瑶海区\n", "所属的地级区划 340100 不在名单中"},
		{"代码,名称\n350000,福建省\n", "不在本系统服务的"},
		{"代码,名称\n340100,合肥市\n", "名单里没有县级区划"},
		{"编号,名字,备注\n", "表头需要“代码”和“名称”两列"},
		{"code,区县\n340100,合肥市\n", "表头需要“代码”和“名称”两列"},
		{"", "是空文件"},
		{"%PDF-1.4", "不是表格文件"},
	} {
		got, err := ReadRegions("r.csv", []byte(c.data), anhui)
		if err == nil || got != nil {
			t.Errorf("%q: got %v, %v", c.data, got, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "r.csv") {
			t.Errorf("%q: %v\nwant %q", c.data, err, c.want)
		}
	}
}

func TestServedRegion(t *testing.T) {
	for _, c := range []struct {
		code, name, level, parent string
		ok                        bool
	}{
		{"340000", "安徽省", census.LevelProvince, "", true},
		{"341100", "滁州市", census.LevelCity, "340000", true},
		{"341122", "来安县", census.LevelCounty, "341100", true},
		{"980000", "南江省", census.LevelProvince, "", true},
		{"001100", "x", "", "", false},
		{"34110", "x", "", "", false},
		{"341122", " ", "", "", false},
		{"771122", "x", "", "", false},
	} {
		r, err := ServedRegion(c.code, c.name)
		if (err == nil) != c.ok || (c.ok && (r.Level != c.level || r.Parent != c.parent)) {
			t.Errorf("%s %q: %+v %v", c.code, c.name, r, err)
		}
	}
}

func FuzzReadRegions(f *testing.F) {
	f.Add([]byte("代码,名称\n340100,合肥市\n340102,瑶海区\n"))
	f.Add([]byte("340100,合肥市\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadRegions("f.csv", data, anhui)
		if err == nil {
			if got[0] != anhui {
				t.Fatalf("first is %+v", got[0])
			}
			for _, r := range got[1:] {
				if !strings.HasPrefix(r.Code, "34") || len(r.Code) != 6 || r.Name == "" {
					t.Fatalf("bad region %+v", r)
				}
			}
		} else if got != nil {
			t.Fatal("regions with an error")
		}
	})
}
