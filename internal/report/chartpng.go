package report

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// chartScale is the pixels per SVG unit of a chart's PNG: the DOCX shows
// it 16 cm wide, about 240 dpi.
const chartScale = 2

// chartFaces are the embedded font at the chart's three sizes, parsed once.
var chartFaces = sync.OnceValues(func() (map[float64]font.Face, error) {
	f, err := opentype.Parse(fontTTF)
	if err != nil {
		return nil, err
	}
	out := map[float64]font.Face{}
	for _, size := range []float64{10, 11, 12} {
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size * chartScale, DPI: 72, Hinting: font.HintingNone})
		if err != nil {
			return nil, err
		}
		out[size] = face
	}
	return out, nil
})

// chartPNG draws c as a PNG, laid out as chartSVG lays it out (the same
// bars, ticks, limit line and legend), for the documents that cannot hold
// SVG (DOCX). It returns the image and its size in SVG units.
func chartPNG(c *chart) ([]byte, float64, float64, error) {
	const (
		width  = 760.0
		labelW = 170.0
		right  = 110.0
		rowH   = 26.0
		top    = 26.0
	)
	faces, err := chartFaces()
	if err != nil {
		return nil, 0, 0, err
	}
	plotW := width - labelW - right
	height := top + rowH*float64(len(c.Bars)) + 40
	img := image.NewRGBA(image.Rect(0, 0, int(width*chartScale), int(height*chartScale)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	rgb := func(c [3]uint8) color.RGBA { return color.RGBA{c[0], c[1], c[2], 255} }
	px := func(v float64) int { return int(math.Round(v * chartScale)) }
	x := func(v float64) float64 { return labelW + plotW*math.Min(v/c.Max, 1) }
	rect := func(x0, y0, x1, y1 float64, col color.RGBA) {
		draw.Draw(img, image.Rect(px(x0), px(y0), px(x1), px(y1)), &image.Uniform{col}, image.Point{}, draw.Src)
	}
	vline := func(xv, y0, y1, w float64, col color.RGBA, dashed bool) {
		for y := y0; y < y1; y += 8 {
			end := math.Min(y+8, y1)
			if dashed {
				end = math.Min(y+5, y1)
			}
			rect(xv-w/2, y, xv+w/2, end, col)
		}
	}
	// text draws s with its baseline at y; anchor is "start", "middle" or "end".
	text := func(s string, xv, y, size float64, col color.RGBA, anchor string) {
		d := &font.Drawer{Dst: img, Src: &image.Uniform{col}, Face: faces[size]}
		w := d.MeasureString(s)
		xx := fixed.I(px(xv))
		switch anchor {
		case "middle":
			xx -= w / 2
		case "end":
			xx -= w
		}
		d.Dot = fixed.Point26_6{X: xx, Y: fixed.I(px(y))}
		d.DrawString(s)
	}
	bottom := top + rowH*float64(len(c.Bars))
	for _, t := range c.Ticks {
		vline(x(t), top-4, bottom, 1, rgb(colorGrid), false)
		text(fix(t, c.TickDecimals), x(t), top-8, 10, rgb(colorMuted), "middle")
	}
	for i, br := range c.Bars {
		y := top + rowH*float64(i)
		text(br.Label, labelW-8, y+rowH/2+4, 12, color.RGBA{0x1d, 0x27, 0x33, 255}, "end")
		col := rgb(colorGood)
		if br.Bad {
			col = rgb(colorBad)
		}
		end := labelW
		if !math.IsNaN(br.Value) && br.Value > 0 {
			end = x(br.Value)
			rect(labelW, y+5, end, y+rowH-5, col)
		}
		text(br.Text, end+5, y+rowH/2+4, 12, col, "start")
	}
	vline(labelW, top-4, bottom, 1, color.RGBA{0x87, 0x95, 0xa5, 255}, false)
	if c.Limit > 0 {
		vline(x(c.Limit), top-4, bottom+4, 1.5, rgb(colorLimit), true)
		text(c.LimitLabel, x(c.Limit), bottom+17, 11, rgb(colorLimit), "middle")
	}
	lx := labelW
	for _, l := range c.Legend {
		col := rgb(colorGood)
		if l.Bad {
			col = rgb(colorBad)
		}
		rect(lx, height-14, lx+10, height-4, col)
		text(l.Text, lx+14, height-5, 11, rgb(colorMuted), "start")
		lx += 14 + 12*float64(len([]rune(l.Text))) + 24
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		return nil, 0, 0, err
	}
	return buf.Bytes(), width, height, nil
}
