package workplan

import (
	"archive/zip"
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// checkPlan holds for whatever Parse returns.
func checkPlan(t *testing.T, p *Plan, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || p != nil {
			t.Fatalf("error %T %v with plan %v", err, err, p != nil)
		}
		return
	}
	if len(p.Items) == 0 || len(p.Items) > MaxItems {
		t.Fatalf("%d items", len(p.Items))
	}
	for _, it := range p.Items {
		if it.Section >= len(p.Sections) {
			t.Fatalf("item %s in section %d of %d", it.Number, it.Section, len(p.Sections))
		}
		checkTargets(t, it.Text, it.Targets)
	}
}

// checkTargets holds for whatever Targets returns.
func checkTargets(t *testing.T, text string, ts []Target) {
	t.Helper()
	end := 0
	for _, tg := range ts {
		if tg.Start < end || tg.End <= tg.Start || tg.End > len(text) || text[tg.Start:tg.End] != tg.Text {
			t.Fatalf("target %+v out of place in %q (previous ends at %d)", tg, text, end)
		}
		if utf8.ValidString(text) && !utf8.ValidString(tg.Text) {
			t.Fatalf("target %+v splits a character", tg)
		}
		if tg.Value < 0 || math.IsNaN(tg.Value) || math.IsInf(tg.Value, 0) || tg.Kind == "" || tg.Unit == "" {
			t.Fatalf("target %+v", tg)
		}
		end = tg.End
	}
}

func FuzzParseText(f *testing.F) {
	plan := realPlan(f)
	f.Add(plan)
	f.Add(append([]byte{0xEF, 0xBB, 0xBF}, plan...))
	f.Add([]byte("一、总体要求\n（一）资源\n1、新建学校3所。\n（1）城区2所\n①达到90%\n2.办好学前教育。\n"))
	f.Add([]byte("\xff\xfe1\x00.\x00"))
	f.Add([]byte("1.\xb2\xe2\xca\xd4"))
	for _, l := range strings.Split(string(plan), "\n") {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.txt", bytes.NewReader(data))
		checkPlan(t, p, err)
	})
}

// zipOf builds a zip of the given members, stored: the fuzzer spends its
// time in the parser rather than in deflate.
func zipOf(t testing.TB, members map[string][]byte) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	for name, b := range members {
		w, err := z.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(b)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzParseDocx fuzzes word/document.xml and word/numbering.xml inside a
// sound zip, where the parser's own code is.
func FuzzParseDocx(f *testing.F) {
	unzip := func(b []byte) (doc, num []byte) {
		z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			f.Fatal(err)
		}
		doc, _ = readZipFile(z, "word/document.xml")
		num, _ = readZipFile(z, "word/numbering.xml")
		return doc, num
	}
	doc, num := unzip(docxOf(f, realPlan(f)))
	f.Add(doc, num)
	doc, num = unzip(docx(f, []para{{text: "加强统筹", numID: 1}, {text: "扩增学位。新建幼儿园8所。", numID: 1, level: 1}, {text: "城区", numID: 1, level: 2}}))
	f.Add(doc, num)
	f.Add([]byte(`<w:p><w:r><w:t>1.新建</w:t><w:br/><w:t>(1)学校3所</w:t></w:r></w:p>`), []byte(numberingXML))
	f.Fuzz(func(t *testing.T, doc, num []byte) {
		data := zipOf(t, map[string][]byte{"word/document.xml": doc, "word/numbering.xml": num})
		p, err := Parse("f.docx", bytes.NewReader(data))
		checkPlan(t, p, err)
	})
}

// FuzzParseXlsx fuzzes a workbook's bytes.
func FuzzParseXlsx(f *testing.F) {
	f.Add(xlsxOf(f, realPlan(f)))
	f.Add(xlsx(f, [][]string{{"一、", "总体要求"}, {"1", "新建学校3所", "市教育局", "12月底"}, {"", "（1）城区2所\n（2）农村1所"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.xlsx", bytes.NewReader(data))
		checkPlan(t, p, err)
	})
}

// FuzzParseXlsxCells fuzzes the cells of a sound workbook: rows split by
// newlines, cells by tabs, a cell's own line breaks written as \v.
func FuzzParseXlsxCells(f *testing.F) {
	var rows []string
	for _, l := range strings.Split(string(realPlan(f)), "\n") {
		if m, rest := marker(l); m.style == styleDot {
			l = m.num + "\t" + rest + "\t市教育局"
		}
		rows = append(rows, l)
	}
	f.Add(strings.Join(rows, "\n"))
	f.Add("序号\t任务\n1\t新建学校3所\v（1）城区2所\n\t\t2.\t办好学前教育")
	f.Fuzz(func(t *testing.T, text string) {
		var cells [][]string
		for _, r := range strings.Split(text, "\n") {
			if len(cells) == 200 {
				break
			}
			cs := strings.Split(strings.ReplaceAll(r, "\v", "\n"), "\t")
			cells = append(cells, cs[:min(len(cs), 20)])
		}
		data, ok := tryXlsx(cells)
		if !ok {
			return // excelize refuses the cell (too long, not UTF-8): nothing to read
		}
		p, err := Parse("f.xlsx", bytes.NewReader(data))
		checkPlan(t, p, err)
	})
}

func tryXlsx(rows [][]string) ([]byte, bool) {
	ok := true
	fake := &softTB{fail: func() { ok = false }}
	var b []byte
	func() {
		defer func() {
			if recover() != nil {
				ok = false
			}
		}()
		b = xlsx(fake, rows)
	}()
	return b, ok
}

// softTB is a testing.TB whose Fatal gives up on building a workbook
// rather than failing the fuzz run.
type softTB struct {
	testing.TB
	fail func()
}

func (s *softTB) Helper() {}
func (s *softTB) Fatal(...any) {
	s.fail()
	panic("give up")
}

func FuzzTargets(f *testing.F) {
	p, err := Parse("workplan-2023.txt", bytes.NewReader(realPlan(f)))
	if err != nil {
		f.Fatal(err)
	}
	for _, it := range p.Items {
		for _, s := range strings.Split(it.Text, "。") {
			f.Add(s)
		}
	}
	for _, s := range []string{"学前教育普惠率达到93%", "新建幼儿园八十所，提供学位七万个", "新增公办学位1,200个以上", "百分之五十", "约3.5亿元", "〔2017〕6号", "\"十四五\"", "1.2.3.4万个", "一万二千个"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		checkTargets(t, text, Targets(text))
	})
}
