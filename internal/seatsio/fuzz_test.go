package seatsio_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/seats"
	"github.com/dudao-edu/dudao/internal/seatsio"
)

// FuzzRead reads arbitrary bytes as a CSV or workbook of 学位 inputs: it
// never panics; it either refuses them with censusio.Errors, each naming
// the file, or returns records whose every count is within bounds, that
// write to a workbook and read back the same.
func FuzzRead(f *testing.F) {
	f.Add([]byte("学区,出生年份,出生人数,户籍儿童数,常住儿童数\nXQ01,2019,420,,\nXQ01,2020,\"1,010\",380,400\n"))
	f.Add([]byte("学段,学校代码,学校名称,学区,学位数,班数,班额\n小学,S1,一小,XQ01,,24,\n幼儿园,K1,一幼,XQ01,,9,30\n"))
	f.Add([]byte("学段,学校代码,学年,年级,在校生数\n小学,S1,2025,一年级,45\n初中,S1,2025,七年级,50\n"))
	f.Add([]byte("学段,项目名称,学校代码,学区,启用年份,新增学位,新增班数\n小学,新建一小,,XQ01,2028,900,\n"))
	f.Add([]byte("\t学区\t出生年份\n"))
	var buf bytes.Buffer
	if err := seatsio.WriteXLSX(&buf, seats.RecordsOf(seats.Generate(seats.Junior, 1))); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := seatsio.Read(seatsio.File{Name: "f.csv", Data: data})
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
		for _, b := range rec.Births {
			if b.Births < 0 || b.Births > seats.MaxCount || b.Year < 1900 || b.Year > 2200 || b.Catchment == "" {
				t.Fatalf("births out of bounds: %+v", b)
			}
		}
		for _, e := range rec.Enrolment {
			if e.Grade < 1 || e.Grade > e.Stage.Grades() || e.Students < 0 || e.Students > seats.MaxCount {
				t.Fatalf("enrolment out of bounds: %+v", e)
			}
		}
		var out bytes.Buffer
		if err := seatsio.WriteXLSX(&out, rec); err != nil {
			t.Fatal(err)
		}
		back, err := seatsio.Read(seatsio.File{Name: "back.xlsx", Data: out.Bytes()})
		if err != nil {
			t.Fatalf("written records do not read back: %v", err)
		}
		if diff := cmp.Diff(rec, back); diff != "" {
			t.Fatalf("round trip (-read +back):\n%s", diff)
		}
	})
}
