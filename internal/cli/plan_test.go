package cli

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/demo"
)

// demoCountyCSV writes the latest records of demo counties to a census CSV.
func demoCountyCSV(t *testing.T, dir string, codes ...string) string {
	t.Helper()
	p := demo.Generate(demo.DefaultSeed)
	var recs []census.School
	for _, s := range p.Year(demo.LatestYear) {
		for _, c := range codes {
			if s.CountyCode == c {
				recs = append(recs, s)
			}
		}
	}
	var b bytes.Buffer
	if err := censusio.WriteSchoolsCSV(&b, recs); err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, "census.csv", b.String())
}

type planDoc struct {
	Feasible          bool    `json:"feasible"`
	TotalCost         float64 `json:"total_cost"`
	NaiveCost         float64 `json:"naive_cost"`
	NaivePass         bool    `json:"naive_pass"`
	LowerBound        float64 `json:"lower_bound"`
	ResourcePassAfter bool    `json:"resource_pass_after"`
	Additions         []struct {
		SchoolCode string             `json:"school_code"`
		Add        map[string]float64 `json:"add"`
		Cost       float64            `json:"cost"`
	} `json:"additions"`
	Moves []struct {
		From, To string
		Count    float64
	} `json:"moves"`
}

// The contract of interfaces.md §4: add every addition to the census file,
// evaluate the file again, and the county passes.
func TestPlanAdditionsPassWhenAddedToTheFile(t *testing.T) {
	dir := t.TempDir()
	// 980721: a weak school and a high equipment CV, with mixed schools.
	f := demoCountyCSV(t, dir, "980721")
	code, out, errs := run(t, dir, "plan", f, "--county", "980721", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc planDoc
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !doc.Feasible || !doc.ResourcePassAfter || doc.NaivePass || doc.TotalCost < doc.LowerBound || len(doc.Additions) == 0 {
		t.Fatalf("plan: %+v", doc)
	}
	// Add to the file, as a user would, and evaluate it.
	b, err := censusio.ReadFile(f, censusio.Options{Kind: "school"})
	if err != nil {
		t.Fatal(err)
	}
	add := map[string]map[string]float64{}
	for _, a := range doc.Additions {
		add[a.SchoolCode] = a.Add
	}
	for i := range b.Schools {
		for key, v := range add[b.Schools[i].Code] {
			fld, ok := census.FieldByKey(key)
			if !ok {
				t.Fatalf("addition to unknown column %q", key)
			}
			b.Schools[i].V[fld] += v
		}
	}
	var buf bytes.Buffer
	if err := censusio.WriteSchoolsCSV(&buf, b.Schools); err != nil {
		t.Fatal(err)
	}
	g := writeFile(t, dir, "census-after.csv", buf.String())
	code, out, errs = run(t, dir, "evaluate", g, "--format", "json")
	if code != 0 {
		t.Fatalf("evaluate: %s", errs)
	}
	var ev struct {
		Counties []struct {
			ResourcePass bool `json:"resource_pass"`
		} `json:"counties"`
	}
	if err := json.Unmarshal([]byte(out), &ev); err != nil || len(ev.Counties) != 1 || !ev.Counties[0].ResourcePass {
		t.Fatalf("after adding the plan to the file: %v %+v", err, ev)
	}
}

func TestPlanTextOptionsAndXLSX(t *testing.T) {
	dir := t.TempDir()
	f := demoCountyCSV(t, dir, "980902") // high primary backbone-teacher CV
	code, out, errs := run(t, dir, "plan", "--county", "980902", f)
	if code != 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{"补短板规划", "总费用", "朴素方案", "差异系数", "复核", "资源配置达标", "120,000 元/人"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = run(t, dir, "plan", "--county", "980902", f, "--format", "json")
	var hire planDoc
	if err := json.Unmarshal([]byte(out), &hire); code != 0 || err != nil || !hire.Feasible {
		t.Fatalf("plan: %d %v %s", code, err, errs)
	}
	// Rotation: moves, and cheaper than hiring.
	code, out, errs = run(t, dir, "plan", "--county", "980902", f, "--rotation", "--format", "json")
	if code != 0 {
		t.Fatal(errs)
	}
	var rot planDoc
	if err := json.Unmarshal([]byte(out), &rot); err != nil {
		t.Fatal(err)
	}
	if !rot.Feasible || len(rot.Moves) == 0 || rot.TotalCost >= hire.TotalCost {
		t.Errorf("rotation plan: %+v", rot)
	}
	// Dearer backbone teachers from a costs file change the cost.
	costs := writeFile(t, dir, "costs.csv", "指标,单价\nbackbone_teachers,200000\n")
	code, out, errs = run(t, dir, "plan", "--county", "980902", f, "--costs", costs, "--format", "json")
	if code != 0 {
		t.Fatal(errs)
	}
	var dear planDoc
	if err := json.Unmarshal([]byte(out), &dear); err != nil {
		t.Fatal(err)
	}
	if dear.TotalCost <= hire.TotalCost {
		t.Errorf("cost with dearer teachers %v, %v before", dear.TotalCost, hire.TotalCost)
	}
	// At most three backbone teachers per school: a dearer plan, within the cap.
	code, out, _ = run(t, dir, "plan", "--county", "980902", f, "--cap", "backbone_teachers=3", "--format", "json")
	var capped planDoc
	if err := json.Unmarshal([]byte(out), &capped); code != 0 || err != nil || !capped.Feasible {
		t.Fatalf("capped: %d %v %+v", code, err, capped)
	}
	for _, a := range capped.Additions {
		if a.Add["backbone_teachers_primary"] > 3 || a.Add["backbone_teachers_junior"] > 3 {
			t.Errorf("cap exceeded: %+v", a)
		}
	}
	// One per school is not enough: no plan, and the reason.
	code, out, _ = run(t, dir, "plan", "--county", "980902", f, "--cap", "backbone_teachers=1")
	if code != 0 || !strings.Contains(out, "没有可行方案") || !strings.Contains(out, "骨干教师") {
		t.Errorf("cap 1: exit %d\n%s", code, out)
	}
	x := filepath.Join(dir, "plan.xlsx")
	if code, _, errs := run(t, dir, "plan", "--county", "980902", f, "--format", "xlsx", "-o", x); code != 0 {
		t.Fatal(errs)
	}
	wb, err := excelize.OpenFile(x)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	if got := strings.Join(wb.GetSheetList(), ","); got != "补充方案,差异系数,学校指标,单价,概要" {
		t.Errorf("sheets %s", got)
	}
	rows, _ := wb.GetRows("补充方案")
	if len(rows) < 2 {
		t.Errorf("补充方案: %d rows", len(rows))
	}
}

func TestPlanUsageErrors(t *testing.T) {
	dir := t.TempDir()
	f := demoCountyCSV(t, dir, "980902")
	for name, args := range map[string][]string{
		"no county":      {"plan", f},
		"bad format":     {"plan", f, "--county", "980902", "--format", "pdf"},
		"bad cap":        {"plan", f, "--county", "980902", "--cap", "classrooms=3"},
		"xlsx to stdout": {"plan", f, "--county", "980902", "--format", "xlsx"},
	} {
		if code, _, errs := run(t, dir, args...); code != 2 || errs == "" {
			t.Errorf("%s: exit %d, %q", name, code, errs)
		}
	}
	for name, args := range map[string][]string{
		"unknown county":   {"plan", f, "--county", "999999"},
		"unknown no-build": {"plan", f, "--county", "980902", "--no-build", "123"},
		"missing costs":    {"plan", f, "--county", "980902", "--costs", filepath.Join(dir, "nope.json")},
	} {
		if code, _, errs := run(t, dir, args...); code != 1 || errs == "" {
			t.Errorf("%s: exit %d, %q", name, code, errs)
		}
	}
}

// TestPlanWholeStandard: for a county short of music and art rooms, the
// text plan lists the rooms each school builds, says the 资源配置 plan was
// solved with them built, and gives the whole plan's total.
func TestPlanWholeStandard(t *testing.T) {
	dir := t.TempDir()
	f := demoCountyCSV(t, dir, "980302")
	code, out, errs := run(t, dir, "plan", "--county", "980302", f)
	if code != 0 {
		t.Fatal(errs)
	}
	for _, want := range []string{"资源配置以外仍未达标的项目", "达标音乐教室", "已计入教学及辅助用房面积", "整体方案合计（专用教室 + 资源配置）"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
}
