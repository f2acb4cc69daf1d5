package seatsio_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
)

func TestWriteReadRoundTrip(t *testing.T) {
	rec := seats.RecordsOf(seats.Generate(seats.Primary, 3), seats.Generate(seats.Kindergarten, 4))
	reg := 399
	rec.Births[2].Registered = &reg
	var buf bytes.Buffer
	if err := seatsio.WriteXLSX(&buf, rec); err != nil {
		t.Fatal(err)
	}
	got, err := seatsio.Read(seatsio.File{Name: "学位.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rec, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	// The template is the workbook of no records: every table, empty.
	buf.Reset()
	if err := seatsio.WriteXLSX(&buf, seats.Records{}); err != nil {
		t.Fatal(err)
	}
	empty, err := seatsio.Read(seatsio.File{Name: "模板.xlsx", Data: buf.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(seats.Tables, empty.Tables); diff != "" || empty.Rows() != 0 {
		t.Errorf("template: %d rows, tables (-want +got):\n%s", empty.Rows(), diff)
	}
}

func TestReadCSV(t *testing.T) {
	births := "学区,出生年份,出生人数,户籍儿童数,常住儿童数\nXQ01,2019,420,,\nXQ01,2020,\"1,010\",380,400\n"
	schools := "学段,学校代码,学校名称,学区,学位数（个）,班数,班额\n小学,S1,一小,XQ01,,24,\n初中,S1,一小初中部,XQ01,600,,\n幼儿园,K1,一幼,XQ01,,9,30\n"
	enrol := "学段,学校代码,学年,年级,在校生数\n小学,S1,2025,一年级,45\n初中,S1,2025,七年级,50\n幼儿园,K1,2025,大班,28\n"
	got, err := seatsio.Read(seatsio.File{Name: "births.csv", Data: []byte(births)}, seatsio.File{Name: "schools.csv", Data: []byte(schools)},
		seatsio.File{Name: "enrol.csv", Data: []byte("\xef\xbb\xbf" + enrol)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]seats.Table{seats.TableBirths, seats.TableSchools, seats.TableEnrolment}, got.Tables); diff != "" {
		t.Errorf("tables (-want +got):\n%s", diff)
	}
	if got.Births[1].Births != 1010 || *got.Births[1].Resident != 400 || got.Births[0].Registered != nil {
		t.Errorf("births: %+v", got.Births)
	}
	want := []seats.StageEnrolment{
		{Stage: seats.Primary, Enrolment: seats.Enrolment{School: "S1", Year: 2025, Grade: 1, Students: 45}},
		{Stage: seats.Junior, Enrolment: seats.Enrolment{School: "S1", Year: 2025, Grade: 1, Students: 50}},
		{Stage: seats.Kindergarten, Enrolment: seats.Enrolment{School: "K1", Year: 2025, Grade: 3, Students: 28}},
	}
	if diff := cmp.Diff(want, got.Enrolment); diff != "" {
		t.Errorf("enrolment (-want +got):\n%s", diff)
	}
	if got.Schools[2].ClassSize != 30 || got.Schools[1].Places != 600 {
		t.Errorf("schools: %+v", got.Schools)
	}
}

func TestReadErrors(t *testing.T) {
	schools := "学段,学校代码,学校名称,学区,学位数,班数,班额\n小学,S1,一小,XQ01,,24,\n"
	tests := []struct {
		name  string
		files []seatsio.File
		want  []string // each line of the error holds one of these, in order
	}{
		{"bad number", []seatsio.File{{Name: "b.csv", Data: []byte("学区,出生年份,出生人数\nXQ01,2019,四百\n")}},
			[]string{"b.csv 第2行 C列「出生人数」：“四百”不是非负整数"}},
		{"bad year and empty catchment", []seatsio.File{{Name: "b.csv", Data: []byte("学区,出生年份,出生人数\n,19,400\n")}},
			[]string{"b.csv 第2行 A列「学区」：不能为空", "b.csv 第2行 B列「出生年份」：“19”不是年份"}},
		{"duplicate", []seatsio.File{{Name: "b.csv", Data: []byte("学区,出生年份,出生人数\nXQ01,2019,1\nXQ01,2019,2\n")}},
			[]string{"b.csv 第3行 B列「出生年份」：“2019”与第2行重复；每个学区和出生年份只填一行"}},
		{"missing column", []seatsio.File{{Name: "e.csv", Data: []byte("学段,学校代码,年级,在校生数\n小学,S1,1,4\n")}},
			[]string{"e.csv 第1行：「分年级在校生」表缺少必填的列：学年"}},
		{"not a table", []seatsio.File{{Name: "x.csv", Data: []byte("姓名,电话\n张三,1\n")}},
			[]string{"x.csv 第1行：第一行不是学位测算台账任何一张表的表头"}},
		{"grade of the stage", []seatsio.File{{Name: "s.csv", Data: []byte(schools)}, {Name: "e.csv", Data: []byte("学段,学校代码,学年,年级,在校生数\n小学,S1,2025,七年级,4\n")}},
			[]string{"e.csv 第2行 D列「年级」：“七年级”不是小学的年级；小学填 1–6"}},
		{"unknown school", []seatsio.File{{Name: "s.csv", Data: []byte(schools)}, {Name: "e.csv", Data: []byte("学段,学校代码,学年,年级,在校生数\n初中,S1,2025,1,4\n")}},
			[]string{"e.csv 第2行 B列「学校代码」：“S1”学校学位表中没有这所初中学校"}},
		{"not a stage", []seatsio.File{{Name: "s.csv", Data: []byte("学段,学校代码,学区,学位数,班数\n高中,S1,XQ,,\n")}},
			[]string{"s.csv 第2行 A列「学段」：“高中”不是可选的值；请填写小学、初中或幼儿园"}},
		{"neither places nor classes", []seatsio.File{{Name: "s.csv", Data: []byte("学段,学校代码,学区,学位数,班数\n小学,S2,XQ,,\n")}},
			[]string{"s.csv 第2行 D列「学位数」：学位数和班数都没有填"}},
		{"too large", []seatsio.File{{Name: "b.csv", Data: []byte("学区,出生年份,出生人数\nXQ01,2019,20000000\n")}},
			[]string{"b.csv 第2行 C列「出生人数」：“20000000”超过 10000000"}},
		{"table twice", []seatsio.File{{Name: "s.csv", Data: []byte(schools)}, {Name: "t.csv", Data: []byte(schools)}},
			[]string{"t.csv：「学校学位」表已在 s.csv 中给出"}},
		{"new school without catchment", []seatsio.File{{Name: "p.csv", Data: []byte("学段,项目名称,学校代码,学区,启用年份,新增学位\n小学,新建一小,,,2028,900\n")}},
			[]string{"p.csv 第2行 D列「学区」：新建学校的项目没有填学区"}},
		{"not a table file", []seatsio.File{{Name: "x.csv", Data: []byte("\xff\xfe\x00")}}, []string{"x.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seatsio.Read(tt.files...)
			var es censusio.Errors
			if !errors.As(err, &es) {
				t.Fatalf("want censusio.Errors, got %v", err)
			}
			if len(es) != len(tt.want) {
				t.Fatalf("%d errors, want %d:\n%v", len(es), len(tt.want), err)
			}
			for i, w := range tt.want {
				if !strings.Contains(es[i].Error(), w) {
					t.Errorf("error %d:\n got %s\nwant %s…", i, es[i].Error(), w)
				}
			}
		})
	}
}

func TestReadWorkbookSheetError(t *testing.T) {
	rec := seats.RecordsOf(seats.Generate(seats.Primary, 3))
	rec.Enrolment[5].School = "NOPE"
	var buf bytes.Buffer
	if err := seatsio.WriteXLSX(&buf, rec); err != nil {
		t.Fatal(err)
	}
	_, err := seatsio.Read(seatsio.File{Name: "学位.xlsx", Data: buf.Bytes()})
	if err == nil || !strings.Contains(err.Error(), "学位.xlsx 工作表「分年级在校生」 第7行 B列「学校代码」：“NOPE”学校学位表中没有这所小学学校") {
		t.Errorf("got %v", err)
	}
}
