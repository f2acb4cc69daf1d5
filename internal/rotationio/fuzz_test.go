package rotationio_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/dudao-edu/dudao/internal/censusio"
	"github.com/dudao-edu/dudao/internal/rotation"
	"github.com/dudao-edu/dudao/internal/rotationio"
)

// FuzzRead reads arbitrary bytes as a CSV or workbook of the rotation
// ledger: it never panics; it either refuses them with censusio.Errors,
// each naming the file, or returns a ledger that keeps the ledger's rules
// and writes to a workbook that reads back the same.
func FuzzRead(f *testing.F) {
	f.Add([]byte(rotCSV))
	f.Add([]byte(eligCSV))
	f.Add([]byte("教师编号,派出学校代码,接收学校代码,开始日期,交流方式\nT,A,B,45901,一长多校\n"))
	f.Add([]byte("\t学校代码\t符合交流条件教师数\n"))
	var buf bytes.Buffer
	if err := rotationio.WriteXLSX(&buf, rotation.Ledger{Eligible: []rotation.Eligible{{School: "S", Teachers: 3}}}); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := rotationio.Read(rotationio.File{Name: "f.csv", Data: data})
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
		if err := l.Validate(); err != nil {
			t.Fatalf("a ledger read breaks the rules: %v", err)
		}
		var out bytes.Buffer
		if err := rotationio.WriteXLSX(&out, l); err != nil {
			t.Fatal(err)
		}
		back, err := rotationio.Read(rotationio.File{Name: "back.xlsx", Data: out.Bytes()})
		if err != nil {
			t.Fatalf("written ledger does not read back: %v", err)
		}
		if diff := cmp.Diff(l, back); diff != "" {
			t.Fatalf("round trip (-read +back):\n%s", diff)
		}
	})
}
