package report

import (
	"io"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/demo"
	"github.com/dudao-edu/dudao/internal/eval"
)

// largestCounty is the demo county with the most school parts (宁台县, 180).
func largestCounty() string {
	var best *eval.County
	for _, c := range loadFixture().res.Counties {
		if best == nil || len(c.Parts) > len(best.Parts) {
			best = c
		}
	}
	return best.Code
}

func benchCounty(b *testing.B, write func(*County, io.Writer) error) {
	code := largestCounty()
	if _, err := loadFont(); err != nil { // parsed once per process, not per report
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rep := countyReport(b, code)
		if err := write(rep, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCountyReportPDF builds and renders the 自评报告 of the largest
// demo county (180 school parts, with last year). Target: under 2 s.
func BenchmarkCountyReportPDF(b *testing.B) {
	benchCounty(b, (*County).WritePDF)
}

func BenchmarkCountyReportXLSX(b *testing.B) {
	benchCounty(b, (*County).WriteXLSX)
}

func BenchmarkCountyReportHTML(b *testing.B) {
	benchCounty(b, (*County).WriteHTML)
}

// BenchmarkSummary100 builds and renders the summary of the demo province's
// 100 counties in each format. Target: under 10 s.
func BenchmarkSummary100(b *testing.B) {
	if _, err := loadFont(); err != nil {
		b.Fatal(err)
	}
	fx := loadFixture()
	for _, f := range []struct {
		name  string
		write func(*Summary, io.Writer) error
	}{{"pdf", (*Summary).WritePDF}, {"xlsx", (*Summary).WriteXLSX}, {"html", (*Summary).WriteHTML}} {
		b.Run(f.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := NewSummary(fx.res, Scope{Level: census.LevelProvince, Code: demo.ProvinceCode, Name: demo.ProvinceName}, fx.p.Regions, reportDate)
				if len(s.Counties) != 100 {
					b.Fatalf("%d counties", len(s.Counties))
				}
				if err := f.write(s, io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFontLoad is the one-off cost of parsing the embedded font.
func BenchmarkFontLoad(b *testing.B) {
	for b.Loop() {
		if _, err := parseFont(); err != nil {
			b.Fatal(err)
		}
	}
}
