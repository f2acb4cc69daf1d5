package rotationio_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationio"
)

const rotCSV = "教师编号,教师姓名,派出学校代码,派出学校,接收学校代码,接收学校,开始日期,结束日期,是否骨干教师,交流方式\n" +
	"T1,张三,S1,一小,S2,二小,2025-09-01,2026/7/15,是,交流\n" +
	"T2,李四,S1,一小,S3,三小,2025年9月1日,,否,支教\n"

const eligCSV = "学校代码,学校名称,符合交流条件教师数,其中骨干教师数\nS1,一小,40,8\nS2,二小,\"1,000\",\n"

func TestReadCSVAndRoundTrip(t *testing.T) {
	l, err := rotationio.Read(rotationio.File{Name: "rot.csv", Data: []byte(rotCSV)}, rotationio.File{Name: "el.csv", Data: []byte(eligCSV)})
	if err != nil {
		t.Fatal(err)
	}
	sep1 := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	want := rotation.Ledger{
		Rotations: []rotation.Rotation{
			{Teacher: "T1", Name: "张三", From: "S1", FromName: "一小", To: "S2", ToName: "二小", Start: sep1, End: time.Date(2026, 7, 15, 0, 0, 0, 0, time.UTC), Backbone: true, Type: rotation.Exchange},
			{Teacher: "T2", Name: "李四", From: "S1", FromName: "一小", To: "S3", ToName: "三小", Start: sep1, Type: rotation.Support},
		},
		Eligible: []rotation.Eligible{{School: "S1", Name: "一小", Teachers: 40, Backbone: 8}, {School: "S2", Name: "二小", Teachers: 1000}},
	}
	if diff := cmp.Diff(want, l); diff != "" {
		t.Fatalf("read (-want +got):\n%s", diff)
	}
	var buf bytes.Buffer
	if err := rotationio.WriteXLSX(&buf, l); err != nil {
		t.Fatal(err)
	}
	back, err := rotationio.Read(rotationio.File{Name: "back.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(l, back); diff != "" {
		t.Fatalf("round trip (-read +back):\n%s", diff)
	}
}

func TestReadNamesTheCell(t *testing.T) {
	bad := strings.Replace(rotCSV, "S2,二小,2025-09-01", "S1,二小,2025-13-01", 1)
	bad = strings.Replace(bad, ",支教", ",借调", 1)
	_, err := rotationio.Read(rotationio.File{Name: "rot.csv", Data: []byte(bad)})
	var es censusio.Errors
	if !errors.As(err, &es) {
		t.Fatalf("want censusio.Errors, got %v", err)
	}
	got := map[string]bool{}
	for _, e := range es {
		got[e.Column+"/"+e.Letter+"/"+e.Value] = e.Row > 0 && e.File == "rot.csv" && e.Fix != ""
	}
	for _, k := range []string{"开始日期/G/2025-13-01", "交流方式/J/借调"} {
		if !got[k] {
			t.Errorf("no error at %s: %v", k, es)
		}
	}
}

func TestTemplateReads(t *testing.T) {
	var buf bytes.Buffer
	if err := rotationio.WriteXLSX(&buf, rotation.Ledger{}); err != nil {
		t.Fatal(err)
	}
	l, err := rotationio.Read(rotationio.File{Name: "template.xlsx", Data: buf.Bytes()})
	if err != nil || len(l.Rotations)+len(l.Eligible) != 0 {
		t.Fatalf("the empty template: %v %+v", err, l)
	}
}

// TestReadYear: the ledger's year is the school year its rotations start
// in; rows of another school year are refused at their start cell, as is
// a school year the census does not hold; the 学段 column is read.
func TestReadYear(t *testing.T) {
	const head = "教师编号,派出学校代码,接收学校代码,开始日期,交流方式,学段\n"
	for _, tc := range []struct {
		name  string
		rows  string
		years []int
		want  int    // the ledger's year; 0: refused
		bad   string // "row/letter" refused
	}{
		{"a September start", "T1,A,B,2025-09-01,交流,初中\n", nil, 2025, ""},
		{"a spring start is the year before", "T1,A,B,2026-03-01,交流,\nT2,A,B,2025-09-01,支教,小学\n", []int{2024, 2025}, 2025, ""},
		{"the last day of August", "T1,A,B,2025-08-31,交流,\n", nil, 2024, ""},
		{"another year refused", "T1,A,B,2025-09-01,交流,\nT2,A,B,2025-08-31,交流,\nT3,A,B,2026-01-05,交流,\n", nil, 0, "3/D"},
		{"a year without census", "T1,A,B,2027-09-01,交流,\n", []int{2024, 2025}, 0, "2/D"},
		{"a bad stage", "T1,A,B,2025-09-01,交流,高中\n", nil, 0, "2/F"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := rotationio.ReadYear(2020, tc.years, rotationio.File{Name: "r.csv", Data: []byte(head + tc.rows)})
			if tc.want != 0 {
				if err != nil || l.Year != tc.want {
					t.Fatalf("year %d, %v; want %d", l.Year, err, tc.want)
				}
				return
			}
			var es censusio.Errors
			if !errors.As(err, &es) {
				t.Fatalf("want censusio.Errors, got %v", err)
			}
			got := map[string]bool{}
			for _, e := range es {
				got[fmt.Sprintf("%d/%s", e.Row, e.Letter)] = e.Fix != ""
			}
			if !got[tc.bad] || len(es) != 1 {
				t.Errorf("errors %v, want one at %s", es, tc.bad)
			}
		})
	}
	l, err := rotationio.ReadYear(2020, nil, rotationio.File{Name: "r.csv", Data: []byte(head + "T1,A,B,2025-09-01,交流,初中\n")})
	if err != nil || l.Rotations[0].Stage != census.StageJunior {
		t.Fatalf("stage: %v %+v", err, l)
	}
	if l, err := rotationio.ReadYear(2020, nil, rotationio.File{Name: "e.csv", Data: []byte(eligCSV)}); err != nil || l.Year != 2020 {
		t.Fatalf("eligible teachers only: %v %d", err, l.Year)
	}
}
