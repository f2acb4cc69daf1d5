package report

import (
	"fmt"
	"io"
	"math"
	"unicode/utf8"

	"github.com/signintech/gopdf"
)

// WritePDF writes the county report as a PDF: cover, table of contents with
// page numbers, the chapters with their tables and charts, and the 附表 on
// landscape pages with headers repeated on every page. It needs nothing but
// the binary: the font is embedded, and only the glyphs used are written.
func (c *County) WritePDF(w io.Writer) error { return writePDF(w, countyDoc(c), c.Meta) }

// WritePDF writes the summary as a PDF.
func (s *Summary) WritePDF(w io.Writer) error { return writePDF(w, summaryDoc(s), s.Meta) }

// Page geometry, in points (A4: 595.28 × 841.89).
const (
	a4W = 595.28
	a4H = 841.89
)

type pageGeom struct {
	w, h, ml, mr, mt, mb float64
}

var (
	portrait  = pageGeom{w: a4W, h: a4H, ml: 62, mr: 62, mt: 72, mb: 66}
	landscape = pageGeom{w: a4H, h: a4W, ml: 42, mr: 42, mt: 58, mb: 54}
)

// Type sizes (pt): 小二 18, 三号 16, 小四 12, 五号 10.5, 小五 9.
const (
	sizeTitle   = 22
	sizeH1      = 15
	sizeBody    = 10.5
	sizeTable   = 8.5
	sizeWide    = 7.5
	sizeNote    = 8.5
	sizeCaption = 9.5
	leading     = 1.7
)

// Colours.
var (
	colInk    = [3]uint8{0x1d, 0x27, 0x33}
	colAccent = [3]uint8{0x1f, 0x4e, 0x79}
	colRule   = [3]uint8{0xc9, 0xd1, 0xdb}
	colHead   = [3]uint8{0xe8, 0xee, 0xf4}
	colZebra  = [3]uint8{0xf6, 0xf8, 0xfa}
	colGood   = [3]uint8{0x1b, 0x6e, 0x3a}
	colGoodBg = [3]uint8{0xe6, 0xf2, 0xea}
	colBadBg  = [3]uint8{0xfb, 0xe9, 0xe7}
)

// pdfw lays a doc out on pages.
type pdfw struct {
	gp     *gopdf.GoPdf
	f      *pdfFont
	g      pageGeom
	wide   bool
	y      float64
	page   int
	fresh  bool // nothing drawn on the page yet below the header
	header string
	err    error
	// toc maps a section id to its placeholder on the contents page.
	toc map[string]string
}

func writePDF(w io.Writer, d *doc, m Meta) error {
	f, err := loadFont()
	if err != nil {
		return err
	}
	gp := &gopdf.GoPdf{}
	gp.Start(gopdf.Config{PageSize: gopdf.Rect{W: a4W, H: a4H}, Unit: gopdf.UnitPT})
	gp.SetInfo(gopdf.PdfInfo{Title: d.Title, Subject: d.Subtitle, Creator: "dudao", Producer: "dudao (gopdf)", CreationDate: m.Date})
	if err := gp.AddTTFFontFromFontContainer(fontFamily, f.container); err != nil {
		return fmt.Errorf("report font: %w", err)
	}
	p := &pdfw{gp: gp, f: f, header: d.Header, toc: map[string]string{}}
	p.setFont(sizeBody)
	p.cover(d)
	p.contents(d)
	for _, s := range d.Sections {
		p.section(s)
	}
	if p.err != nil {
		return p.err
	}
	if err := gp.FillInPlaceHoldText("pages", fmt.Sprint(p.page), gopdf.Center); err != nil {
		return err
	}
	_, err = gp.WriteTo(w)
	return err
}

func (p *pdfw) check(err error) {
	if err != nil && p.err == nil {
		p.err = err
	}
}

func (p *pdfw) setFont(size float64) { p.check(p.gp.SetFont(fontFamily, "", size)) }

func (p *pdfw) color(c [3]uint8) { p.gp.SetTextColor(c[0], c[1], c[2]) }

// text draws s with its line box's top at y (the baseline sits at 0.8 em).
func (p *pdfw) text(x, y, size float64, s string) {
	if s == "" {
		return
	}
	p.setFont(size)
	p.gp.SetXY(x, y+size*0.86)
	p.check(p.gp.Text(p.f.clean(s)))
}

// textRight draws s ending at x.
func (p *pdfw) textRight(x, y, size float64, s string) {
	s = p.f.clean(s)
	p.text(x-p.f.width(s, size), y, size, s)
}

func (p *pdfw) textCenter(cx, y, size float64, s string) {
	s = p.f.clean(s)
	p.text(cx-p.f.width(s, size)/2, y, size, s)
}

func (p *pdfw) fill(x, y, w, h float64, c [3]uint8) {
	p.gp.SetFillColor(c[0], c[1], c[2])
	p.gp.RectFromUpperLeftWithStyle(x, y, w, h, "F")
}

func (p *pdfw) line(x1, y1, x2, y2, width float64, c [3]uint8) {
	p.gp.SetStrokeColor(c[0], c[1], c[2])
	p.gp.SetLineWidth(width)
	p.gp.SetLineType("")
	p.gp.Line(x1, y1, x2, y2)
}

func (p *pdfw) left() float64   { return p.g.ml }
func (p *pdfw) right() float64  { return p.g.w - p.g.mr }
func (p *pdfw) bottom() float64 { return p.g.h - p.g.mb }
func (p *pdfw) avail() float64  { return p.right() - p.left() }

// newPage starts a page, portrait or landscape, with the running header and
// the footer "第 N 页 共 M 页" (M is filled in at the end).
func (p *pdfw) newPage(wide bool) {
	p.wide = wide
	p.g = portrait
	if wide {
		p.g = landscape
		p.gp.AddPageWithOption(gopdf.PageOption{PageSize: &gopdf.Rect{W: landscape.w, H: landscape.h}})
	} else {
		p.gp.AddPageWithOption(gopdf.PageOption{PageSize: &gopdf.Rect{W: portrait.w, H: portrait.h}})
	}
	p.page++
	p.y = p.g.mt
	p.fresh = true
	if p.page == 1 {
		return // the cover has neither header nor footer
	}
	p.color(colorMuted)
	p.text(p.left(), p.g.mt-30, 8, p.header)
	p.textRight(p.right(), p.g.mt-30, 8, "dudao 督导")
	p.line(p.left(), p.g.mt-16, p.right(), p.g.mt-16, 0.5, colRule)
	// Footer: "第 N 页 共 " + placeholder + " 页", centred.
	const size = 9
	pre, post := fmt.Sprintf("第 %d 页 共 ", p.page), " 页"
	phW := p.f.width("000", size)
	total := p.f.width(pre, size) + phW + p.f.width(post, size)
	x := (p.g.w - total) / 2
	y := p.g.h - p.g.mb + 24
	p.text(x, y, size, pre)
	x += p.f.width(pre, size)
	p.gp.SetXY(x, y+size*0.86)
	p.check(p.gp.PlaceHolderText("pages", phW))
	p.text(x+phW, y, size, post)
	p.color(colInk)
}

// ensure starts a new page when less than h is left on this one.
func (p *pdfw) ensure(h float64) {
	if p.y+h > p.bottom() && !p.fresh {
		p.newPage(p.wide)
	}
}

func (p *pdfw) cover(d *doc) {
	p.newPage(false)
	p.color(colorMuted)
	p.textCenter(p.g.w/2, 150, 12, d.Subtitle)
	p.color(colAccent)
	lines := p.f.wrap(d.Title, p.avail()-40, sizeTitle, 0)
	y := 190.0
	for _, l := range lines {
		p.textCenter(p.g.w/2, y, sizeTitle, l.text)
		y += sizeTitle * 1.5
	}
	p.line(p.g.w/2-60, y+14, p.g.w/2+60, y+14, 1.5, colAccent)
	y += 60
	p.color(colInk)
	labelX, valueX := p.left()+50, p.left()+150
	for _, kv := range d.Cover {
		p.color(colorMuted)
		p.text(labelX, y, 12, kv.K)
		p.color(colInk)
		vl := p.f.wrap(kv.V, p.right()-50-valueX, 12, 0)
		for i, l := range vl {
			p.text(valueX, y+float64(i)*20, 12, l.text)
		}
		y += 20*float64(max(1, len(vl))) + 10
	}
	if d.Verdict == "" {
		p.color(colorMuted)
		p.textCenter(p.g.w/2, p.g.h-90, 9, "本文件由 dudao 督导评估系统生成。")
		p.color(colInk)
		return
	}
	// The verdict stamp.
	y += 30
	const size = 16
	wv := p.f.width(d.Verdict, size) + 44
	x := (p.g.w - wv) / 2
	c, bg := colorBad, colBadBg
	if d.Pass {
		c, bg = colGood, colGoodBg
	}
	p.fill(x, y, wv, 40, bg)
	p.gp.SetStrokeColor(c[0], c[1], c[2])
	p.gp.SetLineWidth(1.5)
	p.gp.RectFromUpperLeftWithStyle(x, y, wv, 40, "D")
	p.color(c)
	p.textCenter(p.g.w/2, y+10, size, d.Verdict)
	p.color(colorMuted)
	p.textCenter(p.g.w/2, p.g.h-90, 9, "本报告由 dudao 督导评估系统根据学校统计数据自动生成，所有数字均可在系统中逐项解释。")
	p.color(colInk)
}

// contents draws the table of contents, with a placeholder for each page
// number, filled in when the section is laid out, and a link to it.
func (p *pdfw) contents(d *doc) {
	p.newPage(false)
	p.fresh = false
	p.color(colAccent)
	p.textCenter(p.g.w/2, p.y, 18, "目　录")
	p.y += 48
	const size, rowH = 11.5, 25.0
	for i, s := range d.Sections {
		if s.Level != 1 {
			continue
		}
		if p.y+rowH > p.bottom() {
			p.newPage(false)
			p.fresh = false
		}
		p.color(colInk)
		title := p.f.clean(s.Title)
		p.text(p.left(), p.y, size, title)
		tw := p.f.width(title, size)
		numW := p.f.width("0000", size)
		// Dotted leader.
		p.gp.SetStrokeColor(0x99, 0xa3, 0xad)
		p.gp.SetLineWidth(0.6)
		p.gp.SetCustomLineType([]float64{0.6, 2.4}, 0)
		ly := p.y + size*0.82
		if x1, x2 := p.left()+tw+6, p.right()-numW-4; x2 > x1 {
			p.gp.Line(x1, ly, x2, ly)
		}
		p.gp.SetLineType("")
		name := fmt.Sprintf("toc-%d", i)
		p.toc[s.ID] = name
		p.setFont(size)
		p.gp.SetXY(p.right()-numW, p.y+size*0.86)
		p.check(p.gp.PlaceHolderText(name, numW))
		p.gp.AddInternalLink(s.ID, p.left(), p.y-2, p.avail(), rowH-4)
		p.y += rowH
	}
}

func (p *pdfw) section(s *sec) {
	switch {
	case s.Wide != p.wide || (s.Break && !p.fresh):
		p.newPage(s.Wide)
	default:
		p.ensure(120)
	}
	if !p.fresh {
		p.y += 18
	}
	p.fresh = false
	// Anchor, bookmark and the contents page number.
	p.gp.SetXY(p.left(), p.y)
	p.gp.SetAnchor(s.ID)
	p.gp.AddOutline(s.Title)
	if name, ok := p.toc[s.ID]; ok {
		p.check(p.gp.FillInPlaceHoldText(name, fmt.Sprint(p.page), gopdf.Right))
	}
	p.color(colAccent)
	p.text(p.left(), p.y, sizeH1, s.Title)
	p.y += sizeH1 * 1.6
	p.line(p.left(), p.y, p.right(), p.y, 1.2, colAccent)
	p.y += 10
	p.color(colInk)
	for _, b := range s.Blocks {
		switch {
		case b.Verdict != nil:
			p.verdict(b.Verdict)
		case b.Para != "":
			p.para(b.Para, sizeBody, 2*sizeBody, colInk)
		case len(b.List) > 0:
			p.list(b.List)
		case b.Table != nil:
			p.table(b.Table)
		case b.Chart != nil:
			p.chart(b.Chart)
		case b.Note != "":
			p.para(b.Note, sizeNote, 0, colorMuted)
		}
	}
}

// para flows a paragraph over pages, first line indented, full lines justified.
func (p *pdfw) para(s string, size, indent float64, c [3]uint8) {
	lh := size * leading
	lines := p.f.wrap(s, p.avail(), size, indent)
	p.y += size * 0.3
	for i, l := range lines {
		p.ensure(lh)
		x := p.left()
		if i == 0 {
			x += indent
		}
		p.color(c)
		n := utf8.RuneCountInString(l.text)
		if room := p.avail() - (x - p.left()) - l.width; l.full && n > 1 && room > 0 && room < size*3 {
			p.check(p.gp.SetCharSpacing(room / float64(n-1)))
			p.text(x, p.y+(lh-size)/2, size, l.text)
			p.check(p.gp.SetCharSpacing(0))
		} else {
			p.text(x, p.y+(lh-size)/2, size, l.text)
		}
		p.y += lh
	}
	p.y += size * 0.3
	p.fresh = false
	p.color(colInk)
}

func (p *pdfw) list(items []string) {
	const size = 10
	lh := size * 1.6
	indent := size * 1.4
	for _, it := range items {
		lines := p.f.wrap(it, p.avail()-indent, size, 0)
		for i, l := range lines {
			p.ensure(lh)
			if i == 0 {
				p.color(colAccent)
				p.text(p.left()+2, p.y+(lh-size)/2, size, "•")
				p.color(colInk)
			}
			p.text(p.left()+indent, p.y+(lh-size)/2, size, l.text)
			p.y += lh
		}
		p.y += 3
	}
	p.y += 4
	p.fresh = false
}

func (p *pdfw) verdict(v *verdictLine) {
	const h = 30.0
	p.ensure(h + 10)
	c, bg := colorBad, colBadBg
	if v.Pass {
		c, bg = colGood, colGoodBg
	}
	p.fill(p.left(), p.y, p.avail(), h, bg)
	p.fill(p.left(), p.y, 4, h, c)
	p.color(colorMuted)
	p.text(p.left()+14, p.y+9, 11, v.Label)
	p.color(c)
	p.text(p.left()+14+p.f.width(v.Label, 11)+14, p.y+7, 14, v.Text)
	p.color(colInk)
	p.y += h + 8
	p.fresh = false
}

// table draws t, breaking it across pages with the header repeated.
func (p *pdfw) table(t *Table) {
	size := sizeTable
	if t.Wide || len(t.Columns) > 10 {
		size = sizeWide
	}
	lh := size * 1.4
	const pad = 3.0
	total := 0.0
	for _, c := range t.Columns {
		total += widthOr(c.Width)
	}
	ws := make([]float64, len(t.Columns))
	for i, c := range t.Columns {
		ws[i] = widthOr(c.Width) / total * p.avail()
	}
	wrapCells := func(texts []string) ([][]wrappedLine, float64) {
		out := make([][]wrappedLine, len(texts))
		n := 1
		for i, s := range texts {
			out[i] = p.f.wrap(p.f.clean(s), ws[i]-2*pad, size, 0)
			n = max(n, len(out[i]))
		}
		return out, float64(n)*lh + 2*pad
	}
	headers := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		headers[i] = c.Header
	}
	hcells, hh := wrapCells(headers)
	drawRow := func(cells [][]wrappedLine, h float64, header bool, row []Cell) {
		x := p.left()
		for i, lines := range cells {
			for j, l := range lines {
				y := p.y + pad + float64(j)*lh + (lh-size)/2
				switch {
				case header:
					p.color(colInk)
				case row[i].Bad:
					p.color(colorBad)
				default:
					p.color(colInk)
				}
				if t.Columns[i].Number {
					p.text(x+ws[i]-pad-l.width, y, size, l.text)
				} else {
					p.text(x+pad, y, size, l.text)
				}
			}
			x += ws[i]
		}
		p.color(colInk)
	}
	caption := func(cont bool) {
		s := t.Title
		if cont {
			s += "（续）"
		}
		if s == "" {
			return
		}
		p.color(colInk)
		p.text(p.left(), p.y, sizeCaption, s)
		p.y += sizeCaption * 1.7
	}
	head := func() {
		p.fill(p.left(), p.y, p.avail(), hh, colHead)
		p.line(p.left(), p.y, p.right(), p.y, 1, colAccent)
		drawRow(hcells, hh, true, nil)
		p.y += hh
		p.line(p.left(), p.y, p.right(), p.y, 0.6, colAccent)
	}
	// Start where the caption, the header and a row or two fit.
	first := lh + 2*pad
	if len(t.Rows) > 0 {
		texts := make([]string, len(t.Rows[0]))
		for i, c := range t.Rows[0] {
			texts[i] = c.Text
		}
		_, first = wrapCells(texts)
	}
	p.y += 4
	p.ensure(sizeCaption*1.7 + hh + first)
	p.fresh = false
	caption(false)
	head()
	texts := make([]string, len(t.Columns))
	for r, row := range t.Rows {
		for i := range texts {
			texts[i] = ""
			if i < len(row) {
				texts[i] = row[i].Text
			}
		}
		cells, h := wrapCells(texts)
		if p.y+h > p.bottom() {
			p.line(p.left(), p.y, p.right(), p.y, 1, colAccent)
			p.newPage(p.wide)
			p.fresh = false
			caption(true)
			head()
		}
		if r%2 == 1 {
			p.fill(p.left(), p.y, p.avail(), h, colZebra)
		}
		drawRow(cells, h, false, row)
		p.y += h
		if r < len(t.Rows)-1 {
			p.line(p.left(), p.y, p.right(), p.y, 0.3, colRule)
		}
	}
	p.line(p.left(), p.y, p.right(), p.y, 1, colAccent)
	p.y += 8
}

// chart draws a horizontal bar chart, kept on one page.
func (p *pdfw) chart(c *chart) {
	const (
		rowH = 19.0
		top  = 22.0
		size = 8.5
	)
	width := math.Min(p.avail(), 480)
	labelW := 0.0
	for _, b := range c.Bars {
		labelW = math.Max(labelW, p.f.width(b.Label, size))
	}
	labelW += 10
	textW := 0.0
	for _, b := range c.Bars {
		textW = math.Max(textW, p.f.width(b.Text, size))
	}
	plotW := width - labelW - textW - 10
	h := sizeCaption*1.8 + top + rowH*float64(len(c.Bars)) + 44
	p.y += 6
	p.ensure(h)
	p.fresh = false
	x0 := p.left() + (p.avail()-width)/2
	p.color(colInk)
	p.text(x0, p.y, sizeCaption, c.Title)
	p.y += sizeCaption * 1.8
	px := x0 + labelW
	x := func(v float64) float64 { return px + plotW*math.Min(v/c.Max, 1) }
	y0 := p.y + top
	bottom := y0 + rowH*float64(len(c.Bars))
	for _, t := range c.Ticks {
		p.line(x(t), y0-4, x(t), bottom, 0.5, colorGrid)
		p.color(colorMuted)
		p.textCenter(x(t), y0-16, 7.5, fix(t, c.TickDecimals))
	}
	for i, b := range c.Bars {
		y := y0 + rowH*float64(i)
		p.color(colInk)
		p.textRight(px-6, y+(rowH-size)/2, size, b.Label)
		col := colorGood
		if b.Bad {
			col = colorBad
		}
		end := px
		if !math.IsNaN(b.Value) && b.Value > 0 {
			end = x(b.Value)
			p.fill(px, y+4, end-px, rowH-8, col)
		}
		p.color(col)
		p.text(end+4, y+(rowH-size)/2, size, b.Text)
	}
	p.line(px, y0-4, px, bottom, 0.8, [3]uint8{0x87, 0x95, 0xa5})
	if c.Limit > 0 {
		p.gp.SetStrokeColor(colorLimit[0], colorLimit[1], colorLimit[2])
		p.gp.SetLineWidth(1.2)
		p.gp.SetCustomLineType([]float64{4, 2.5}, 0)
		p.gp.Line(x(c.Limit), y0-4, x(c.Limit), bottom+4)
		p.gp.SetLineType("")
		p.color(colorLimit)
		p.textCenter(x(c.Limit), bottom+7, 8, c.LimitLabel)
	}
	ly := bottom + 24
	lx := px
	for _, l := range c.Legend {
		col := colorGood
		if l.Bad {
			col = colorBad
		}
		p.fill(lx, ly+1, 8, 8, col)
		p.color(colorMuted)
		p.text(lx+12, ly, 8, l.Text)
		lx += 12 + p.f.width(l.Text, 8) + 18
	}
	p.color(colInk)
	p.y = ly + 20
}
