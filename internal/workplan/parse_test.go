package workplan

import (
	"archive/zip"
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// checkRealPlan pins what every format of the real plan must give.
func checkRealPlan(t *testing.T, p *Plan) {
	t.Helper()
	if len(p.Items) != 9 {
		t.Fatalf("%d items, want 9 (10–18)", len(p.Items))
	}
	for i, it := range p.Items {
		if it.N != 10+i {
			t.Errorf("item %d is numbered %d", i, it.N)
		}
	}
	want := []struct{ title, section string }{
		{"持续扩增基础教育优质资源", "三、强化统筹协调,构建高质量教育体系"},
		{"持续推进职业教育创新发展", "三、强化统筹协调,构建高质量教育体系"},
		{"持续深化高等教育校地融合发展", "三、强化统筹协调,构建高质量教育体系"},
		{"持续提升各类人群教育保障水平", "三、强化统筹协调,构建高质量教育体系"},
		{"引导规范民办教育发展", "三、强化统筹协调,构建高质量教育体系"},
		{"全面深化新时代教育评价改革", "四、深化改革创新,激发教育事业发展内生动力"},
		{"深入推进教育教学和育人方式改革", "四、深化改革创新,激发教育事业发展内生动力"},
		{"积极推进智慧教育创新发展", "四、深化改革创新,激发教育事业发展内生动力"},
		{"扩大和推进高水平教育对外开放", "四、深化改革创新,激发教育事业发展内生动力"},
	}
	for i, w := range want {
		it := p.Items[i]
		if it.Title != w.title || it.SectionTitle != w.section {
			t.Errorf("item %s: title %q section %q, want %q %q", it.Number, it.Title, it.SectionTitle, w.title, w.section)
		}
	}
	if it := p.Items[0]; !strings.HasPrefix(it.Text, "持续扩增基础教育优质资源。落实《XX市基础教育优质资源倍增三年行动计划》") ||
		!strings.HasSuffix(it.Text, "持续扩大优质园和集团化办学覆盖面。") {
		t.Errorf("item 10 text %q", clip(it.Text, 60))
	}
	if len(p.Sections) != 2 || p.Sections[0].Number != "三" || p.Sections[1].Title != "深化改革创新,激发教育事业发展内生动力" {
		t.Errorf("sections %+v", p.Sections)
	}
	if len(p.Items[0].Targets) != 3 || len(p.Items[7].Targets) != 3 {
		t.Errorf("targets of 10: %d, of 17: %d", len(p.Items[0].Targets), len(p.Items[7].Targets))
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
}

func TestParseRealPlanText(t *testing.T) {
	plan := realPlan(t)
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes(plan)
	if err != nil {
		t.Fatal(err)
	}
	crlf := bytes.ReplaceAll(plan, []byte("\n"), []byte("\r\n"))
	for _, c := range []struct {
		name, enc string
		data      []byte
	}{
		{"workplan-2023.txt", "UTF-8", plan},
		{"bom.txt", "UTF-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, plan...)},
		{"gbk.txt", "GB18030", gb},
		{"crlf.txt", "UTF-8", crlf},
		{"no-extension", "UTF-8", plan},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := Parse(c.name, bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != FormatText || p.Encoding != c.enc {
				t.Errorf("format %s encoding %s, want txt %s", p.Format, p.Encoding, c.enc)
			}
			if len(p.Comments) != 2 || !strings.HasPrefix(p.Comments[1], "来源：") {
				t.Errorf("comments %q", p.Comments)
			}
			checkRealPlan(t, p)
			if p.Items[0].Loc != (Loc{"行", 6}) || p.Items[8].Loc.String() != "第 24 行" {
				t.Errorf("locations %v %v", p.Items[0].Loc, p.Items[8].Loc)
			}
		})
	}
}

func TestParseRealPlanDocx(t *testing.T) {
	p, err := Parse("要点.docx", bytes.NewReader(docxOf(t, realPlan(t))))
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != FormatDocx {
		t.Errorf("format %s", p.Format)
	}
	checkRealPlan(t, p)
	if p.Items[0].Loc.String() != "第 6 段" {
		t.Errorf("item 10 at %v", p.Items[0].Loc)
	}
	// Content decides: a .docx renamed .txt is still read as a document.
	p, err = Parse("要点.txt", bytes.NewReader(docxOf(t, realPlan(t))))
	if err != nil || p.Format != FormatDocx {
		t.Fatalf("renamed docx: %v %v", p, err)
	}
}

func TestParseRealPlanXlsx(t *testing.T) {
	p, err := Parse("要点.xlsx", bytes.NewReader(xlsxOf(t, realPlan(t))))
	if err != nil {
		t.Fatal(err)
	}
	if p.Format != FormatXlsx {
		t.Errorf("format %s", p.Format)
	}
	checkRealPlan(t, p)
	if p.Items[0].Loc.String() != "第 7 行" || len(p.Items[0].Extra) != 1 || p.Items[0].Extra[0] != "市教育局" {
		t.Errorf("item 10 at %v extra %q", p.Items[0].Loc, p.Items[0].Extra)
	}
	if p.Preamble[0] != "序号 工作任务 责任单位" && p.Preamble[0] != "序号" {
		t.Errorf("preamble %q", p.Preamble)
	}
}

// TestParseDocxNumbering reads automatic numbering as Word shows it.
func TestParseDocxNumbering(t *testing.T) {
	data := docx(t, []para{
		{text: "2024年教育工作要点"},
		{text: "加强统筹", numID: 1, level: 0},
		{text: "扩增学位。新建幼儿园8所。", numID: 1, level: 1},
		{text: "城区新建5所", numID: 1, level: 2},
		{text: "农村新建3所", numID: 1, level: 2},
		{text: "深化改革。", numID: 1, level: 1},
		{text: "提高质量", numID: 1, level: 0},
		{text: "办好特殊教育。", numID: 1, level: 1},
	})
	p, err := Parse("auto.docx", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range p.Items {
		got = append(got, it.SectionTitle+"|"+it.Number+"|"+it.Title+"|"+strings.Join(subMarkers(it), ","))
	}
	// Word restarts a level when a higher level is used, so 二、 starts
	// again at 10, which the numbering check then reports.
	want := []string{"一、加强统筹|10|扩增学位|①,②", "一、加强统筹|11|深化改革|", "二、提高质量|10|办好特殊教育|"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "第 8 段：条目编号 11 之后是 10") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if len(p.Preamble) != 1 || p.Preamble[0] != "2024年教育工作要点" {
		t.Errorf("preamble %q", p.Preamble)
	}
}

func subMarkers(it Item) []string {
	var ms []string
	for _, s := range it.SubItems {
		ms = append(ms, s.Marker)
	}
	return ms
}

// TestParseOutline pins the outline rules on typed numbering.
func TestParseOutline(t *testing.T) {
	text := `# 试行稿
XX县2024年教育工作要点
指导思想：……
一、办好人民满意的教育
（一）扩大资源供给
1、扩增学位。新建学校3所。
（1）城区新建2所；
（2）农村新建1所。
2、办好学前教育。
①普惠率达到90%；
② 公办率达到55%。
（二）提高质量
3.实施课堂改革，全县中小学推进分层教学，每所学校都建立教研组，开展听评课活动不少于每学期一次的要求落实到人。
1.城区学校先行；
2.农村学校跟进。
4.加强队伍建设。
6.编号跳过一条。
二、深化改革
（1）不是条目，只是说明。
7.深化评价改革。
`
	p, err := Parse("outline.txt", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, it := range p.Items {
		got = append(got, it.SectionTitle+"|"+it.Number+"|"+it.Title+"|"+strings.Join(subMarkers(it), ","))
	}
	want := []string{
		"（一）扩大资源供给|1|扩增学位|（1）,（2）",
		"（一）扩大资源供给|2|办好学前教育|①,②",
		"（二）提高质量|3|实施课堂改革，全县中小学推进分层教学，每所学校都建立教研组，…|1.,2.",
		"（二）提高质量|4|加强队伍建设|",
		"（二）提高质量|6|编号跳过一条|",
		"二、深化改革|7|深化评价改革|",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if p.Sections[1].Parent != 0 || p.Sections[2].Parent != 0 || p.Sections[3].Parent != -1 || p.Sections[3].Level != 1 {
		t.Errorf("sections %+v", p.Sections)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "条目编号 4 之后是 6") || !strings.Contains(p.Warnings[0], "第 17 行") {
		t.Errorf("warnings %q", p.Warnings)
	}
	if p.Sections[3].Text[0] != "（1）不是条目，只是说明。" {
		t.Errorf("section text %q", p.Sections[3].Text)
	}
	if it := p.Items[1]; it.Text != "办好学前教育。\n①普惠率达到90%；\n② 公办率达到55%。" || it.SubItems[1].Text != "公办率达到55%。" || len(it.Targets) != 2 {
		t.Errorf("item 2: %q %+v", it.Text, it.SubItems)
	}
	if len(p.Comments) != 1 || p.Comments[0] != "试行稿" || len(p.Preamble) != 2 {
		t.Errorf("comments %q preamble %q", p.Comments, p.Preamble)
	}
}

func TestParseErrors(t *testing.T) {
	big := bytes.Repeat([]byte("一"), MaxFileSize/3+1)
	var many strings.Builder
	for i := 1; i <= MaxItems+1; i++ {
		many.WriteString(strconv.Itoa(i) + ".工作。\n")
	}
	for _, c := range []struct {
		name string
		data []byte
		want []string
	}{
		{"empty.txt", nil, []string{"empty.txt：没有找到编号的工作条目", "“1.”“1、”或“（1）”"}},
		{"heads.txt", []byte("一、总体要求\n二、主要任务\n"), []string{"找到 2 个大标题（如“一、总体要求”），但没有编号的工作条目"}},
		{"big.txt", big, []string{"文件超过 10 MB"}},
		{"many.txt", []byte(many.String()), []string{"many.txt 第 5001 行：编号条目超过 5000 条"}},
		{"old.doc", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, []string{"旧版 Word/Excel/WPS", "另存为 .docx"}},
		{"fake.docx", []byte("1.新建学校3所。"), []string{"扩展名是 .docx，但内容不是 Word 或 Excel 文件"}},
		{"broken.docx", []byte("PK\x03\x04garbage"), []string{"zip 压缩包开头，但已损坏"}},
		{"plan.pdf", []byte("%PDF-1.4"), []string{"PDF"}},
		{"bad.txt", []byte("1.新建学校\n2.\x81\x30"), []string{"bad.txt：编码无法识别", "第 2 行附近", "另存为“UTF-8”"}},
		{"torn.txt", append(append(append([]byte{}, realPlan(t)[:200]...), 0xE4, '\n'), realPlan(t)[200:]...), []string{"torn.txt：文件是 UTF-8 编码，但第 2 行有损坏的字节", "另存为“UTF-8”"}},
		{"bin.txt", []byte("1.新建\n\x00\x01\x02"), []string{"bin.txt 第 2 行：含有不可显示的控制字符"}},
		{"other.zip", zipWith(t, "readme.txt"), []string{"既不是 Word 文档（.docx）也不是 Excel 工作簿（.xlsx）"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.name, bytes.NewReader(c.data))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v, want *Error", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func zipWith(t *testing.T, name string) []byte {
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("hello"))
	_ = z.Close()
	return buf.Bytes()
}

// TestParseLarge: a file near the size limit, in the worst shapes — one
// item of many lines, and one line of many targets without punctuation —
// parses in linear time.
func TestParseLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("large input")
	}
	var items strings.Builder
	for i := 1; i <= MaxItems; i++ {
		items.WriteString(strconv.Itoa(i) + ".新建学校3所\n")
	}
	for name, data := range map[string]string{
		"lines.txt":   "1.开始\n" + strings.Repeat("新建学校3所\n", MaxFileSize/20),
		"targets.txt": "1.开始" + strings.Repeat("新建学校3所", MaxFileSize/20),
		"items.txt":   items.String(),
	} {
		start := time.Now()
		p, err := Parse(name, strings.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: %v", name, d)
		}
		if name == "items.txt" && len(p.Items) != MaxItems {
			t.Errorf("%s: %d items", name, len(p.Items))
		}
		t.Logf("%s: %d bytes, %d items, %d targets in item 1, %v", name, len(data), len(p.Items), len(p.Items[0].Targets), time.Since(start))
	}
}
