package report

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
)

// needTool returns the path of an external program the test needs. Missing,
// the test skips with a message, except under CI, where it fails:
// scripts/test.sh installs every one of them.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (Debian package %s); scripts/test.sh installs it", name, pkg)
		}
		t.Skipf("skipping: %s is not installed (apt-get install %s, or run scripts/test.sh)", name, pkg)
	}
	return p
}

func runTool(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// writePDFFile renders d's PDF into dir and returns its path.
func writePDFFile(t *testing.T, dir, name string, write func(w *os.File) error) string {
	t.Helper()
	path := filepath.Join(dir, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := write(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// squeeze drops all white space: pdftotext puts spaces inside justified
// Chinese lines and breaks lines where the layout does.
func squeeze(s string) string {
	return strings.Join(strings.Fields(s), "")
}

var footerRE = regexp.MustCompile(`第 (\d+) 页 共 (\d+) 页`)

func pdfPages(t *testing.T, path string) int {
	t.Helper()
	info := runTool(t, "pdfinfo", path)
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo: no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

func TestPDFCountyText(t *testing.T) {
	needTool(t, "pdftotext", "poppler-utils")
	needTool(t, "pdfinfo", "poppler-utils")
	rep := countyReport(t, roundingCounty)
	path := writePDFFile(t, t.TempDir(), "county.pdf", func(f *os.File) error { return rep.WritePDF(f) })
	text := runTool(t, "pdftotext", "-layout", path, "-")
	flat := squeeze(text)
	pages := pdfPages(t, path)

	// The title, the headings of every section, the figures of every CV.
	want := []string{rep.Title(), "目录", "南江省嘉禾市梅陵县（981124）", "2024年9月1日", "资源配置结论未达标"}
	d := countyDoc(rep)
	for _, s := range d.Sections {
		want = append(want, s.Title)
	}
	for _, st := range rep.Stages {
		for _, ir := range st.Indicators {
			// Short names: the chart labels (a long name wraps in its table cell).
			want = append(want, ir.Short, f4(ir.CV), signed4(ir.Margin))
		}
		for _, s := range st.Schools {
			want = append(want, s.Code)
		}
	}
	want = append(want, "0.5025※", "差异系数0.502509，上限0.50", "特殊教育学校不纳入七项指标计算")
	for _, w := range want {
		if !strings.Contains(flat, squeeze(w)) {
			t.Errorf("PDF text lacks %q", w)
		}
	}
	// Page numbers: every page but the cover, with the right total.
	foot := footerRE.FindAllStringSubmatch(text, -1)
	if len(foot) != pages-1 {
		t.Errorf("%d page footers on %d pages", len(foot), pages)
	}
	for i, m := range foot {
		if m[1] != strconv.Itoa(i+2) || m[2] != strconv.Itoa(pages) {
			t.Errorf("footer %q on page %d of %d", m[0], i+2, pages)
		}
	}
	// The contents: each entry's page number is the page its heading is on.
	toc := runTool(t, "pdftotext", "-layout", "-f", "2", "-l", "2", path, "-")
	for _, s := range d.Sections {
		re := regexp.MustCompile(regexp.QuoteMeta(s.Title) + `[ .…]*\s(\d+)\s*$`)
		var page int
		for _, line := range strings.Split(toc, "\n") {
			if m := re.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
				page, _ = strconv.Atoi(m[1])
			}
		}
		if page < 3 || page > pages {
			t.Errorf("contents: %q has page %d (%d pages)", s.Title, page, pages)
			continue
		}
		onPage := squeeze(runTool(t, "pdftotext", "-f", strconv.Itoa(page), "-l", strconv.Itoa(page), path, "-"))
		if !strings.Contains(onPage, squeeze(s.Title)) {
			t.Errorf("contents says %q is on page %d, but it is not there", s.Title, page)
		}
	}
	// The 附表 repeat their header on every page they run over.
	headers := strings.Count(flat, squeeze("学校标识码学校名称类型在校生"))
	if headers < 3 {
		t.Errorf("school table header printed %d times, want it on every page of the 附表", headers)
	}
	// The font is embedded and subset: the PDF is small.
	if fi, err := os.Stat(path); err != nil || fi.Size() > 600<<10 {
		t.Errorf("PDF size %d: the font should be subset", fi.Size())
	}
	if _, err := exec.LookPath("pdffonts"); err == nil {
		fonts := runTool(t, "pdffonts", path)
		if !strings.Contains(fonts, "CID TrueType") || !regexp.MustCompile(`Identity-H\s+yes`).MatchString(fonts) {
			t.Errorf("font not embedded:\n%s", fonts)
		}
	}
}

// TestPDFRender rasterises every page with pdftoppm and checks that each
// is a page with ink on it. With DUDAO_REPORT_PNG=dir the PNGs are kept
// there to look at.
func TestPDFRender(t *testing.T) {
	needTool(t, "pdftoppm", "poppler-utils")
	needTool(t, "pdfinfo", "poppler-utils")
	dir := t.TempDir()
	if keep := os.Getenv("DUDAO_REPORT_PNG"); keep != "" {
		dir = keep
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		name  string
		write func(*os.File) error
	}{
		{"county", func(f *os.File) error { return countyReport(t, roundingCounty).WritePDF(f) }},
		{"summary", func(f *os.File) error {
			return summary(t, census.LevelProvince, demo.ProvinceCode, demo.ProvinceName).WritePDF(f)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writePDFFile(t, dir, c.name+".pdf", c.write)
			pages := pdfPages(t, path)
			runTool(t, "pdftoppm", "-r", "40", "-png", path, filepath.Join(dir, c.name))
			pngs, _ := filepath.Glob(filepath.Join(dir, c.name+"-*.png"))
			if len(pngs) != pages {
				t.Fatalf("%d PNGs for %d pages", len(pngs), pages)
			}
			for _, p := range pngs {
				f, err := os.Open(p)
				if err != nil {
					t.Fatal(err)
				}
				img, err := png.Decode(f)
				f.Close()
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				b := img.Bounds()
				ink := 0
				for y := b.Min.Y; y < b.Max.Y; y += 2 {
					for x := b.Min.X; x < b.Max.X; x += 2 {
						if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xe000 {
							ink++
						}
					}
				}
				if ink < 50 {
					t.Errorf("%s looks blank (%d dark samples)", filepath.Base(p), ink)
				}
				// 附表 pages are landscape.
				if b.Dx() <= 0 || b.Dy() <= 0 {
					t.Errorf("%s: empty image", p)
				}
			}
		})
	}
}

func TestPDFSummaryText(t *testing.T) {
	needTool(t, "pdftotext", "poppler-utils")
	s := summary(t, census.LevelProvince, demo.ProvinceCode, demo.ProvinceName)
	path := writePDFFile(t, t.TempDir(), "summary.pdf", func(f *os.File) error { return s.WritePDF(f) })
	flat := squeeze(runTool(t, "pdftotext", "-layout", path, "-"))
	for _, w := range []string{s.Title(), "县区排名", "各指标情况", fmt.Sprintf("达标%d个，未达标%d个", s.Passed, s.Failed)} {
		if !strings.Contains(flat, squeeze(w)) {
			t.Errorf("summary PDF lacks %q", w)
		}
	}
	// Every county, with its rank and worst margin, in ranking order.
	last := -1
	for _, r := range s.Counties {
		row := squeeze(fmt.Sprintf("%d %s %s %s %s", r.Rank, r.Code, r.Name, r.City, r.Verdict))
		i := strings.Index(flat, row)
		if i < 0 {
			t.Errorf("no ranking row %q", row)
			continue
		}
		if i < last {
			t.Errorf("row %q out of order", row)
		}
		last = i
		if !strings.Contains(flat[i:], signed4(r.WorstMargin)) {
			t.Errorf("%s: no margin %s", r.Name, signed4(r.WorstMargin))
		}
	}
}

func TestPDFSections(t *testing.T) {
	needTool(t, "pdftotext", "poppler-utils")
	rep := countyReport(t, mixedCounty, testSections()...)
	path := writePDFFile(t, t.TempDir(), "sections.pdf", func(f *os.File) error { return rep.WritePDF(f) })
	flat := squeeze(runTool(t, "pdftotext", "-layout", path, "-"))
	for _, w := range []string{"补短板方案摘要", "估算费用 123.46 万元", "德陵县第一中学", "初中县级以上骨干教师数 +3 人",
		"其他评估内容", "教师工资", "待评定", "幼儿园基本情况表", "县第一幼儿园", "普惠性幼儿园覆盖率 80.0%"} {
		if !strings.Contains(flat, squeeze(w)) {
			t.Errorf("PDF lacks %q", w)
		}
	}
}

// TestPDFConcurrent renders reports at once: the parsed font is shared,
// and each document must still be the same as when rendered alone (run
// with -race to check the sharing).
func TestPDFConcurrent(t *testing.T) {
	codes := []string{roundingCounty, dataGapCounty, mixedCounty, roundingCounty}
	alone := map[string][]byte{}
	for _, c := range codes {
		var b bytes.Buffer
		if err := countyReport(t, c).WritePDF(&b); err != nil {
			t.Fatal(err)
		}
		alone[c] = b.Bytes()
	}
	var wg sync.WaitGroup
	got := make([][]byte, len(codes))
	for i, c := range codes {
		wg.Go(func() {
			var b bytes.Buffer
			if err := countyReport(t, c).WritePDF(&b); err != nil {
				t.Error(err)
			}
			got[i] = b.Bytes()
		})
	}
	wg.Wait()
	for i, c := range codes {
		if !bytes.Equal(got[i], alone[c]) {
			t.Errorf("%s: concurrent PDF differs from the one rendered alone", c)
		}
	}
}
