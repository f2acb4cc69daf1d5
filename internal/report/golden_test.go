package report

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"

	"github.com/dudao-edu/dudao/internal/census"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/report -run %s -update to create it)", err, t.Name())
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s differs (-want +got); if the change is intended, run go test ./internal/report -run %s -update:\n%s", path, t.Name(), diff)
	}
}

// htmlText is the text a reader sees in an HTML report: one line per block,
// table cells separated by " | ", chart labels included.
func htmlText(t *testing.T, b []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	block := map[string]bool{"p": true, "h1": true, "h2": true, "li": true, "tr": true, "caption": true, "figcaption": true,
		"dt": true, "dd": true, "section": true, "header": true, "footer": true, "nav": true, "table": true, "figure": true}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "style", "head":
				return
			case "td", "th":
				sb.WriteString(" | ")
			case "text":
				sb.WriteString(" ")
			}
		}
		if n.Type == html.TextNode {
			sb.WriteString(strings.Join(strings.Fields(n.Data), " "))
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if n.Type == html.ElementNode && block[n.Data] {
			sb.WriteString("\n")
		}
	}
	walk(doc)
	var out []string
	for _, l := range strings.Split(sb.String(), "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "|")); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n") + "\n"
}

// checkSelfContained fails if the page loads anything: no script, no
// stylesheet link, no src, and links only to its own anchors.
func checkSelfContained(t *testing.T, b []byte) {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var hrefs []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe" {
				t.Errorf("page has a <%s>", n.Data)
			}
			for _, a := range n.Attr {
				switch a.Key {
				case "src":
					t.Errorf("<%s src=%q>", n.Data, a.Val)
				case "id":
					ids[a.Val] = true
				case "href":
					hrefs = append(hrefs, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(hrefs) == 0 {
		t.Error("no contents links")
	}
	for _, h := range hrefs {
		if !strings.HasPrefix(h, "#") || !ids[h[1:]] {
			t.Errorf("link %q does not point to an anchor of the page", h)
		}
	}
	if bytes.Contains(b, []byte("url(")) || bytes.Contains(b, []byte("@import")) {
		t.Error("CSS loads something")
	}
}

func TestGoldenCountyHTML(t *testing.T) {
	rep := countyReport(t, roundingCounty)
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, b.Bytes())
	// Per stage the CVs, and the parts below threshold where there are some
	// (in 梅陵县 only in the junior set).
	if n := bytes.Count(b.Bytes(), []byte("<svg")); n != 3 {
		t.Errorf("%d charts, want 3", n)
	}
	golden(t, "county-"+roundingCounty+".txt", htmlText(t, b.Bytes()))
}

func TestGoldenSummaryHTML(t *testing.T) {
	s := summary(t, census.LevelCity, fixtureCity, "")
	var b bytes.Buffer
	if err := s.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, b.Bytes())
	golden(t, "summary-"+fixtureCity+".txt", htmlText(t, b.Bytes()))
}

// testSections are one of each kind of section a caller can add.
func testSections() []Section {
	plan := &PlanSummary{County: mixedCounty, Year: 2024, Feasible: true, TotalCost: 1234567, NaiveCost: 2345678, NaivePass: true, LowerBound: 1200000,
		Additions: []PlanAddition{
			{SchoolCode: "1980222001", Add: map[string]float64{"backbone_teachers_junior": 3, "teaching_area": 120.5}, Cost: 456000},
			{SchoolCode: "1980222002", SchoolName: "示例小学", Add: map[string]float64{"multimedia_rooms": 2}, Cost: 78000},
		}}
	items := []Item{
		{Part: "政府保障程度", ID: "class_size", Name: "班额", Rule: "小学每班不超过45人，初中不超过50人", Value: "超额班级 0 个", Status: VerdictPass},
		{Part: "政府保障程度", ID: "teacher_salary", Name: "教师工资", Rule: "不低于当地公务员平均工资", Value: "98 000 元 / 101 000 元", Status: VerdictFail},
		{Part: "教育质量", ID: "moral_education", Name: "德育", Rule: "德育工作和校园文化建设水平达到良好以上", Status: "待评定", Note: "尚未评定"},
	}
	kgs := []KgRow{
		{Code: "2980222001", Name: "县第一幼儿园", Location: "城区", Category: census.CategoryPublic, Children: 420, Classes: 14, Oversize: 0, Teachers: 30, Certified: 30},
		{Code: "2980222002", Name: "阳光幼儿园", Location: "镇区", Category: census.CategoryInclusive, Children: 180, Classes: 6, Oversize: 1, Teachers: 10, Certified: 9},
		{Code: "2980222003", Name: "小天使幼儿园", Location: "城区", Category: census.CategoryPrivate, Children: 150, Classes: 5, Oversize: math.NaN(), Teachers: 8, Certified: 8},
	}
	return []Section{PlanSection(plan, map[string]string{"1980222001": "德陵县第一中学"}), ItemsSection("其他评估内容", items), KindergartenSection(kgs)}
}

func TestGoldenSectionsHTML(t *testing.T) {
	rep := countyReport(t, mixedCounty, testSections()...)
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	checkSelfContained(t, b.Bytes())
	text := htmlText(t, b.Bytes())
	// Each section where its placement says: items before the unmet list,
	// the plan after it, the kindergartens among the 附表.
	order := []string{"二、小学资源配置", "其他评估内容", "未达标项目", "补短板方案摘要", "附表1 差异系数表", "幼儿园情况"}
	last := -1
	for _, h := range order {
		// The last occurrence: the contents list names each heading first.
		i := strings.LastIndex(text, h)
		if i <= last {
			t.Errorf("%q at %d, after %d", h, i, last)
		}
		last = i
	}
	golden(t, "county-"+mixedCounty+"-sections.txt", text)
}
