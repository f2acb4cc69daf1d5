package ledger_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/ledger"
)

// testSchema has a column of every type, a Key, a row Check and a schema
// Check, so every path is walked for every type.
var testSchema = &ledger.Schema{
	Kind: "test", ZH: "测试台账",
	Tables: []ledger.Table{
		{
			ID: "things", Sheet: "事项", Names: []string{"things"}, Key: []string{"code"},
			Cols: []ledger.Column{
				{Key: "code", ZH: "编号", Aliases: []string{"代码"}, Required: true},
				{Key: "name", ZH: "名称"},
				{Key: "count", ZH: "人数", Type: ledger.Count},
				{Key: "start", ZH: "开始日期", Type: ledger.Date, Required: true},
				{Key: "end", ZH: "结束日期", Type: ledger.Date},
				{Key: "flag", ZH: "是否骨干", Type: ledger.YesNo},
				{Key: "kind", ZH: "类型", Type: ledger.Choice, Options: []ledger.Option{
					{Value: "a", ZH: "甲类", Aliases: []string{"甲"}}, {Value: "b", ZH: "乙类"},
				}},
				{Key: "ends", ZH: "结束时刻", Type: ledger.Time},
			},
			Check: func(r ledger.Row) []ledger.Problem {
				if e := r.Date("end"); !e.IsZero() && e.Before(r.Date("start")) {
					return []ledger.Problem{{Key: "end", Problem: "早于开始日期", Fix: "请核对日期"}}
				}
				return nil
			},
		},
		{
			ID: "notes", Sheet: "备注", Key: []string{"code", "line"},
			Cols: []ledger.Column{
				{Key: "code", ZH: "编号", Required: true},
				{Key: "line", ZH: "序号", Type: ledger.Count, Required: true},
				{Key: "text", ZH: "内容"},
			},
		},
	},
	Check: func(d *ledger.Data) []ledger.RowProblem {
		known := map[string]bool{}
		for _, r := range d.Rows("things") {
			known[r.Get("code")] = true
		}
		var out []ledger.RowProblem
		for _, r := range d.Rows("notes") {
			if !known[r.Get("code")] {
				out = append(out, ledger.RowProblem{Row: r, Problem: ledger.Problem{Key: "code", Problem: "不是事项表中的编号", Fix: "先填事项"}})
			}
		}
		return out
	},
}

func sample(t testing.TB) *ledger.Data {
	d := testSchema.New()
	for _, row := range []map[string]string{
		{"code": "0012", "name": "一", "count": "１,200", "start": "2025/9/1", "end": "2026年7月15日", "flag": "是", "kind": "甲", "ends": "17：30"},
		{"code": "X2", "start": "45901", "flag": "", "kind": "乙类", "ends": "下午5点"},
	} {
		if err := d.Add("things", row); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Add("notes", map[string]string{"code": "0012", "line": "1", "text": "备注，带逗号"}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCanonical: what a user writes reaches the canonical form Add keeps.
func TestCanonical(t *testing.T) {
	got := sample(t).Maps()
	want := map[string][]map[string]string{
		"things": {
			{"code": "0012", "name": "一", "count": "1200", "start": "2025-09-01", "end": "2026-07-15", "flag": "是", "kind": "a", "ends": "17:30"},
			{"code": "X2", "start": "2025-09-01", "flag": "否", "kind": "b", "ends": "17:00"},
		},
		"notes": {{"code": "0012", "line": "1", "text": "备注，带逗号"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
}

// TestRoundTrip walks every column of every table through every path:
// form values → ledger → workbook → read → maps (the store's form) →
// ledger → workbook again, and CSV files of each table.
func TestRoundTrip(t *testing.T) {
	d := sample(t)
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	back, err := ledger.Read(testSchema, ledger.File{Name: "a.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Maps(), back.Maps()); diff != "" {
		t.Fatalf("workbook round trip (-want +got):\n%s", diff)
	}
	stored, err := ledger.FromMaps(testSchema, back.Maps())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d.Maps(), stored.Maps()); diff != "" {
		t.Fatalf("store round trip (-want +got):\n%s", diff)
	}
	// The template is the empty ledger: it reads back empty.
	buf.Reset()
	if err := ledger.WriteXLSX(&buf, testSchema.New()); err != nil {
		t.Fatal(err)
	}
	empty, err := ledger.Read(testSchema, ledger.File{Name: "t.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if empty.Len() != 0 {
		t.Fatalf("template read %d rows", empty.Len())
	}
	// Codes stay text, dates stay dates in the workbook.
	f, err := excelize.OpenReader(bytes.NewReader(func() []byte { var b bytes.Buffer; _ = ledger.WriteXLSX(&b, d); return b.Bytes() }()))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.GetCellValue("事项", "A2"); v != "0012" {
		t.Errorf("code cell = %q", v)
	}
	if v, _ := f.GetCellValue("事项", "D2"); v != "2025-09-01" {
		t.Errorf("date cell = %q", v)
	}
	if v, _ := f.GetCellValue("事项", "G2"); v != "甲类" {
		t.Errorf("choice cell = %q", v)
	}
	notes, _ := f.GetRows("说明")
	if v, _ := f.GetCellValue("事项", "H2"); v != "17:30" {
		t.Errorf("time cell = %q", v)
	}
	if len(notes) != 1+8+3 {
		t.Errorf("说明 has %d rows, want a line per column", len(notes))
	}
	// CSV files, columns in another order and under other names.
	csv1 := "类型,开始日期,代码,是否骨干\n甲,2025-09-01,0012,否\n"
	csv2 := "序号,编号\n3,0012\n"
	d2, err := ledger.Read(testSchema, ledger.File{Name: "t.csv", Data: []byte(csv1)}, ledger.File{Name: "n.csv", Data: []byte(csv2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := d2.Rows("things")[0].Map(); got["kind"] != "a" || got["code"] != "0012" || d2.Rows("notes")[0].Int("line") != 3 {
		t.Fatalf("csv read %v", d2.Maps())
	}
}

// TestErrors: every refusal names the file, the row, the column (by the
// header as written and its letter), the value and the fix, and returns no
// ledger.
func TestErrors(t *testing.T) {
	head := "编号,名称,人数,开始日期,结束日期,是否骨干,类型\n"
	for _, tc := range []struct {
		name  string
		files []ledger.File
		want  []string // substrings of the errors, in order
	}{
		{"bad count", []ledger.File{{"a.csv", []byte(head + "A,,十二,2025-09-01,,,\n")}}, []string{"a.csv 第2行 C列「人数」：“十二”不是非负整数"}},
		{"bad date", []ledger.File{{"a.csv", []byte(head + "A,,,2025-02-30,,,\n")}}, []string{"第2行 D列「开始日期」：“2025-02-30”不是日期；请填写日期"}},
		{"bad yes/no", []ledger.File{{"a.csv", []byte(head + "A,,,2025-09-01,,也许,\n")}}, []string{"F列「是否骨干」：“也许”不是「是」或「否」"}},
		{"bad time", []ledger.File{{"a.csv", []byte("编号,开始日期,结束时刻\nA,2025-09-01,25:00\n")}}, []string{"第2行 C列「结束时刻」：“25:00”不是时刻；请填写24小时制的时刻，如 17:30"}},
		{"bad choice", []ledger.File{{"a.csv", []byte(head + "A,,,2025-09-01,,,丙类\n")}}, []string{"G列「类型」：“丙类”不是可选的值；请填写甲类或乙类"}},
		{"required empty", []ledger.File{{"a.csv", []byte(head + ",,,2025-09-01,,,\n")}}, []string{"第2行 A列「编号」：不能为空"}},
		{"too long", []ledger.File{{"a.csv", []byte(head + "A," + strings.Repeat("长", 80) + ",,2025-09-01,,,\n")}}, []string{"B列「名称」", "太长"}},
		{"row check", []ledger.File{{"a.csv", []byte(head + "A,,,2025-09-01,2025-08-01,,\n")}}, []string{"第2行 E列「结束日期」：“2025-08-01”早于开始日期"}},
		{"duplicate key", []ledger.File{{"a.csv", []byte(head + "A,,,2025-09-01,,,\nA,,,2025-09-01,,,\n")}}, []string{"第3行 A列「编号」：“A”与第2行重复"}},
		{"schema check", []ledger.File{{"a.csv", []byte(head + "A,,,2025-09-01,,,\n")}, {"n.csv", []byte("编号,序号\nB,1\n")}}, []string{"n.csv 第2行 A列「编号」：“B”不是事项表中的编号"}},
		{"missing column", []ledger.File{{"a.csv", []byte("编号,名称\nA,x\n")}}, []string{"a.csv 第1行", "「事项」表缺少必填的列：开始日期"}},
		{"unknown header", []ledger.File{{"a.csv", []byte("甲,乙\n1,2\n")}}, []string{"a.csv 第1行", "第一行不是测试台账任何一张表的表头"}},
		{"table twice", []ledger.File{{"a.csv", []byte(head + "A,,,2025-09-01,,,\n")}, {"b.csv", []byte(head + "B,,,2025-09-01,,,\n")}}, []string{"b.csv", "「事项」表已在 a.csv 中给出"}},
		{"empty", []ledger.File{{"a.csv", []byte("\n")}}, []string{"a.csv", "没有找到测试台账的表"}},
		{"cell errors skip the cross checks", []ledger.File{{"a.csv", []byte(head + "A,,x,2025-09-01,,,\nA,,,2025-09-01,,,\n")}}, []string{"C列「人数」"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ledger.Read(testSchema, tc.files...)
			if d != nil {
				t.Fatalf("a refused read returned a ledger")
			}
			var es censusio.Errors
			if !errors.As(err, &es) {
				t.Fatalf("err = %v, want censusio.Errors", err)
			}
			msg := err.Error()
			if len(es) != len(tc.want) && tc.name != "too long" && tc.name != "missing column" && tc.name != "unknown header" && tc.name != "table twice" && tc.name != "empty" {
				t.Errorf("%d errors, want %d:\n%s", len(es), len(tc.want), msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("errors lack %q:\n%s", w, msg)
				}
			}
		})
	}
}

// TestTime: the ways a time of day is written reach HH:MM; what is not
// a time is refused.
func TestTime(t *testing.T) {
	c := ledger.Column{Key: "t", ZH: "时刻", Type: ledger.Time}
	for in, want := range map[string]string{
		"17:30": "17:30", "7:05": "07:05", "17：30": "17:30", "17:30:00": "17:30", "17.30": "17:30",
		"17点30分": "17:30", "17时30分": "17:30", "17时": "17:00", "18": "18:00", "下午5:30": "17:30",
		"5:30 PM": "17:30", "5:30:00 pm": "17:30", "12:10 AM": "00:10", "上午11:50": "11:50", "0.7291666667": "17:30",
		"１７：３０": "17:30", "": "",
	} {
		got, p := c.Parse(in)
		if p != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, p, want)
		}
	}
	for _, in := range []string{"24:00", "17:60", "17:3", "1730", "下午13:00", "五点半", "17:30:15", "x"} {
		if got, p := c.Parse(in); p == nil {
			t.Errorf("Parse(%q) = %q, want refused", in, got)
		}
	}
	if m, ok := ledger.ClockMinutes("17:30"); !ok || m != 17*60+30 {
		t.Errorf("ClockMinutes = %d, %v", m, ok)
	}
	if _, ok := ledger.ClockMinutes(""); ok {
		t.Error("an empty time has minutes")
	}
}

// TestAddAndFromMaps: a form's values are checked cell by cell; the
// store's rows are checked as a file's are.
func TestAddAndFromMaps(t *testing.T) {
	d := testSchema.New()
	err := d.Add("things", map[string]string{"code": "", "count": "-1", "start": "x"})
	var inv *ledger.Invalid
	if !errors.As(err, &inv) || len(inv.Problems) != 3 || d.Len() != 0 {
		t.Fatalf("Add = %v (len %d)", err, d.Len())
	}
	if err := d.Add("things", map[string]string{"nope": "1"}); err == nil {
		t.Fatal("an unknown column was accepted")
	}
	if err := d.Add("nope", nil); err == nil {
		t.Fatal("an unknown table was accepted")
	}
	_, err = ledger.FromMaps(testSchema, map[string][]map[string]string{
		"things": {{"code": "A", "start": "2025-09-01"}},
		"notes":  {{"code": "B", "line": "1"}},
	})
	if err == nil || !strings.Contains(err.Error(), "「备注」第1行「编号」：不是事项表中的编号") {
		t.Fatalf("FromMaps = %v", err)
	}
}

// FuzzRead reads arbitrary bytes as a ledger's CSV or workbook: it never
// panics; it refuses them with censusio.Errors each naming the file, or
// returns a valid ledger that writes to a workbook reading back the same.
func FuzzRead(f *testing.F) {
	f.Add([]byte("编号,名称,人数,开始日期,结束日期,是否骨干,类型,结束时刻\nA,x,12,2025-09-01,,是,甲,17:30\n"))
	f.Add([]byte("编号,序号\nA,1\n"))
	f.Add([]byte("\t编号\t开始日期\n"))
	var buf bytes.Buffer
	if err := ledger.WriteXLSX(&buf, sample(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ledger.Read(testSchema, ledger.File{Name: "f.csv", Data: data})
		if err != nil {
			var es censusio.Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("not censusio.Errors: %v", err)
			}
			for _, e := range es {
				if e.File == "" {
					t.Fatalf("an error names no file: %v", e)
				}
			}
			return
		}
		if ps := d.Validate(); len(ps) > 0 {
			t.Fatalf("a ledger read breaks its checks: %v", ps)
		}
		var out bytes.Buffer
		if err := ledger.WriteXLSX(&out, d); err != nil {
			t.Fatal(err)
		}
		back, err := ledger.Read(testSchema, ledger.File{Name: "back.xlsx", Data: out.Bytes()})
		if err != nil {
			t.Fatalf("written ledger does not read back: %v", err)
		}
		if diff := cmp.Diff(d.Maps(), back.Maps()); diff != "" {
			t.Fatalf("round trip (-read +back):\n%s", diff)
		}
		if _, err := ledger.FromMaps(testSchema, d.Maps()); err != nil {
			t.Fatalf("stored form refused: %v", err)
		}
	})
}

// TestFormRowsNumbered: rows a form adds are numbered by their place in
// their table, so a problem found with one names a row a person can find.
func TestFormRowsNumbered(t *testing.T) {
	d := testSchema.New()
	for _, code := range []string{"A", "B", "A"} {
		if err := d.Add("things", map[string]string{"code": code, "start": "2025-09-01"}); err != nil {
			t.Fatal(err)
		}
	}
	ps := d.Validate()
	if len(ps) != 1 || ps[0].Row.N != 3 || !strings.Contains(ps[0].Problem.Problem, "与第1行重复") {
		t.Fatalf("problems %+v", ps)
	}
	if err := d.Set("things", 1, map[string]string{"code": "C", "start": "2025-09-01"}); err != nil || d.Rows("things")[1].N != 2 {
		t.Fatalf("set: %v, row %d", err, d.Rows("things")[1].N)
	}
}
