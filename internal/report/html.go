package report

import (
	"embed"
	"fmt"
	"html"
	"html/template"
	"io"
	"math"
	"strings"
)

//go:embed templates/report.html templates/report.css
var templateFS embed.FS

// htmlTemplate is parsed at start-up, so a broken template fails loudly.
var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"colw": colWidth,
	"svg":  chartSVG,
}).ParseFS(templateFS, "templates/report.html"))

var reportCSS = func() template.CSS {
	b, err := templateFS.ReadFile("templates/report.css")
	if err != nil {
		panic(err)
	}
	return template.CSS(b)
}()

// htmlPage is what the template sees.
type htmlPage struct {
	*doc
	CSS template.CSS
}

// WriteHTML writes the county report as one self-contained HTML page: CSS
// inline, charts as inline SVG, no script and no external asset. It prints
// on A4 with page numbers, landscape pages for the 附表 and repeated table
// headers, so a browser's "print to PDF" gives a proper document too.
func (c *County) WriteHTML(w io.Writer) error { return writeHTML(w, countyDoc(c)) }

// WriteHTML writes the summary as one self-contained HTML page.
func (s *Summary) WriteHTML(w io.Writer) error { return writeHTML(w, summaryDoc(s)) }

func writeHTML(w io.Writer, d *doc) error {
	return htmlTemplate.Execute(w, htmlPage{doc: d, CSS: reportCSS})
}

// colWidth is a column's share of its table's width, as a CSS percentage.
func colWidth(cols []Column, w float64) string {
	total := 0.0
	for _, c := range cols {
		total += widthOr(c.Width)
	}
	return fmt.Sprintf("%.2f%%", widthOr(w)/total*100)
}

func widthOr(w float64) float64 {
	if w <= 0 {
		return 5
	}
	return w
}

// Chart colours, shared with the PDF.
var (
	colorGood  = [3]uint8{0x4a, 0x7f, 0xb0}
	colorBad   = [3]uint8{0xc0, 0x39, 0x2b}
	colorLimit = [3]uint8{0x33, 0x33, 0x33}
	colorGrid  = [3]uint8{0xdd, 0xe3, 0xea}
	colorMuted = [3]uint8{0x5b, 0x66, 0x75}
)

func hex(c [3]uint8) string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

// chartSVG draws a chart as inline SVG, sized in user units and scaled by CSS.
func chartSVG(c *chart) template.HTML {
	const (
		width  = 760.0
		labelW = 170.0
		right  = 110.0
		rowH   = 26.0
		top    = 26.0
	)
	plotW := width - labelW - right
	height := top + rowH*float64(len(c.Bars)) + 40
	x := func(v float64) float64 { return labelW + plotW*math.Min(v/c.Max, 1) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" font-size="12" font-family="inherit">`, width, height, html.EscapeString(c.Title))
	bottom := top + rowH*float64(len(c.Bars))
	for _, t := range c.Ticks {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, x(t), top-4, x(t), bottom, hex(colorGrid))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s" font-size="10">%s</text>`, x(t), top-8, hex(colorMuted), fix(t, c.TickDecimals))
	}
	for i, br := range c.Bars {
		y := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#1d2733">%s</text>`, labelW-8, y+rowH/2+4, html.EscapeString(br.Label))
		col := colorGood
		if br.Bad {
			col = colorBad
		}
		end := labelW
		if !math.IsNaN(br.Value) && br.Value > 0 {
			end = x(br.Value)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, labelW, y+5, end-labelW, rowH-10, hex(col))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="%s">%s</text>`, end+5, y+rowH/2+4, hex(col), html.EscapeString(br.Text))
	}
	fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#8795a5" stroke-width="1"/>`, labelW, top-4, labelW, bottom)
	if c.Limit > 0 {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="5 3"/>`, x(c.Limit), top-4, x(c.Limit), bottom+4, hex(colorLimit))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s" font-size="11">%s</text>`, x(c.Limit), bottom+17, hex(colorLimit), html.EscapeString(c.LimitLabel))
	}
	lx := labelW
	for _, l := range c.Legend {
		col := colorGood
		if l.Bad {
			col = colorBad
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="10" height="10" fill="%s"/>`, lx, height-14, hex(col))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" fill="%s" font-size="11">%s</text>`, lx+14, height-5, hex(colorMuted), html.EscapeString(l.Text))
		lx += 14 + 12*float64(len([]rune(l.Text))) + 24
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
