package censusio

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/dudao-edu/dudao/internal/census"
)

// Cells that fastLine reads itself or gives back to reader.line: padded,
// full-width, with a unit's year, grouped or in scientific notation, too
// long for a float64's integers, formulas made safe, example rows.
var (
	numberCells = []string{"0", "007", "12", " 12", "12 ", "\u00a012", "\u300012", "12.0", "12.5", "0.25", ".5", "12.",
		"1 234", "１２", "1e3", "1.2E+5", "123456789012345", "1234567890123456", "12345678901234567890",
		"9999999999.999999", "98765432109876.54", "12345678901234.5", "0.000000000000001", "1.5.", "1.5e3", "  ", "",
		"-3", "abc", "1.2.3", "12a", "NaN", "−5", "+5"}
	yearCells   = []string{"2024", "2024年", "２０２４", "2024.0", " 2024", "2024 ", "1999", "2101", "20x4", "202", "20244"}
	countyCells = []string{"340207", "340207.0", "３４０２０７", " 340207", "34020", "3402070", "34020a"}
	codeCells   = []string{"3134020701", "3134020701.0", "３１３４０２０７０１", "3134020701 ", "313402070", "3.13402E+09"}
	nameCells   = []string{"沈巷学校", " 沈巷学校", "沈巷学校\u3000", "'=SUM(A1)", "'123", "【示例】学校", "[示例]学校", "示例学校", "A", "", "  "}
	typeCells   = []string{"小学", "初中", "九年一贯制学校", "完全中学", "教学点", "primary", " 小学", "幼儿园", ""}
	textCells   = []string{"公办", "民办", " 城区", "乡村 ", "", " ", "'=1+1", "x"}
)

// variant returns a cell to put in column ci of hdr, drawn from those the
// column's kind may meet.
func variant(r *rand.Rand, ci int) string {
	pick := func(c []string) string { return c[r.IntN(len(c))] }
	switch ci {
	case 0:
		return pick(yearCells)
	case 1:
		return pick(countyCells)
	case 2, 6, 7:
		return pick(textCells)
	case 3:
		return pick(codeCells)
	case 4:
		return pick(nameCells)
	case 5:
		return pick(typeCells)
	}
	return pick(numberCells)
}

// restyled returns cell v of column ci written another way that reads as
// the same value: padded, full-width, with leading zeros, a ".0" tail or
// a unit's year; or v itself.
func restyled(r *rand.Rand, ci int, v string) string {
	if v == "" {
		return []string{"", " ", "\u3000"}[r.IntN(3)]
	}
	wide := func(v string) string {
		out := []rune{}
		for _, c := range v {
			if c >= '0' && c <= '9' {
				c += 0xFEE0
			}
			out = append(out, c)
		}
		return string(out)
	}
	ways := []func() string{
		func() string { return " " + v },
		func() string { return v + " " },
		func() string { return "\u00a0" + v + "\u3000" },
		func() string { return wide(v) },
	}
	switch {
	case ci == 0:
		ways = append(ways, func() string { return v + "年" }, func() string { return v + ".0" })
	case ci == 1 || ci == 3:
		ways = append(ways, func() string { return v + ".0" }, func() string { return v + ".00" })
	case ci == 4:
		ways = append(ways, func() string { return "'" + v }, func() string { return "'=" + v }, func() string { return "'+" + v })
	case ci >= 8:
		ways = append(ways, func() string { return "00" + v }, func() string { return v + ".0" })
		if len(v) > 3 {
			ways = append(ways, func() string { return v[:len(v)-3] + " " + v[len(v)-3:] })
		}
	}
	return ways[r.IntN(len(ways))]()
}

// goodRow returns good or good2, at random, as the school of row k: its
// own code and name, and fill in the cells up to width.
func goodRow(r *rand.Rand, k, width int, fill string) []string {
	row := slices.Clone(good)
	if r.IntN(2) == 0 {
		row = slices.Clone(good2)
	}
	row[3] = fmt.Sprintf("31340%05d", k)
	row[4] = fmt.Sprintf("学校%d", k)
	for len(row) < width {
		row = append(row, fill)
	}
	return row
}

// TestFastLineAsLine reads files of rows with varied cells in parallel,
// where chunks read plain lines with fastLine, and row by row, where
// reader.line reads every row, and wants the same records, errors and
// notes. Half the files only write some cells another way that reads the
// same, so that they are read without an error and their records are
// compared.
func TestFastLineAsLine(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	before := fastRowsRead.Load()
	clean := 0
	for i := range 600 {
		h := slices.Clone(hdr)
		switch i % 9 {
		case 1:
			h = append(h, "备注") // a column the reader ignores
		case 2:
			h = append(h, "") // a blank header cell: no fast reading
		}
		opt := Options{}
		if i%4 == 0 {
			// Equipment in 万元, scaled to 元 as it is read.
			opt = Options{ConfirmUnits: true}
			h[slices.Index(h, "教学仪器设备值（元）")] = "教学仪器设备值（万元）"
		}
		rows := [][]string{h}
		few := i%2 == 0
		for k := range 1 + r.IntN(40) {
			row := goodRow(r, k, len(h), "")
			if len(h) > len(hdr) && r.IntN(3) == 0 {
				row[len(hdr)] = "附注"
			}
			for range r.IntN(4) {
				ci := r.IntN(len(hdr))
				row[ci] = restyled(r, ci, row[ci])
			}
			if !few {
				for range 1 + r.IntN(3) {
					ci := r.IntN(len(hdr))
					row[ci] = variant(r, ci)
				}
			}
			k := r.IntN(40)
			if few && k%2 == 1 {
				k = -1 // not short, no cell beyond the header: no error
			}
			switch k {
			case 0:
				row = append(row, "") // an empty cell beyond the header
			case 1:
				row = row[:len(row)-1]
			case 2:
				row = make([]string, len(row)) // empty
			case 3:
				row = append(row, "多余") // a cell beyond the header
			}
			rows = append(rows, row)
		}
		data := csvBytes(rows...)
		if i%5 == 0 {
			data = bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
		}
		if _, err := Read("f.csv", bytes.NewReader(data), opt); err == nil {
			clean++
		}
		readSerialAndParallel(t, data, opt, 1+r.IntN(len(data)))
	}
	if clean < 150 {
		t.Errorf("only %d of 600 files read without an error: too few records compared", clean)
	}
	if n := fastRowsRead.Load() - before; n < 3000 {
		t.Errorf("only %d rows read by fastLine", n)
	}
}

// TestGuessUTF8: a large file is read as UTF-8 before it is checked to
// be, and read again decoded when a part of it is not. Files whose header
// is ASCII (the columns' keys) and whose rows hold bytes that are not
// UTF-8 — in any cell, quoted or not, in a column the reader ignores, in
// a row given back by the fast reading, in a few rows (a damaged UTF-8
// file) or in all (a GBK file) — read as they read when checked first.
func TestGuessUTF8(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 17))
	keys := make([]string, len(hdr))
	for i, h := range hdr {
		t, ok, _ := matchHeader(h, Options{})
		if !ok {
			keys[i] = h
			continue
		}
		if t.text >= 0 {
			keys[i] = census.TextColumns[t.text].Key
		} else {
			keys[i] = census.Columns[t.field].Key
		}
	}
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			return s
		}
		return b
	}
	bad := []string{"\xff", "沈\xe5巷", "\xc0\x80", "\xed\xa0\x80", "12\xff", "\xff12", "2024\xff", "\"a\xff,b\"", "【示例】\xff", " \xff "}
	for i := range 400 {
		h := slices.Clone(keys)
		if i%3 == 0 {
			h = append(h, "remark")
		}
		rows := [][]string{h}
		for k := range 1 + r.IntN(30) {
			row := goodRow(r, k, len(h), "备注")
			if i%4 == 0 { // a GBK file: every Chinese text in GBK
				for ci := range row {
					row[ci] = gbk(row[ci])
				}
			}
			rows = append(rows, row)
		}
		// A damaged UTF-8 file: a bad cell, in the school names' column
		// (kept, not interned) or any, in one row or several.
		switch i % 4 {
		case 1:
			rows[1+r.IntN(len(rows)-1)][4] = bad[r.IntN(len(bad))]
		case 2:
			row := rows[1+r.IntN(len(rows)-1)]
			row[r.IntN(len(row))] = bad[r.IntN(len(bad))]
		case 3:
			for range 1 + r.IntN(4) {
				row := rows[1+r.IntN(len(rows)-1)]
				row[r.IntN(len(row))] = bad[r.IntN(len(bad))]
			}
		}
		data := csvBytes(rows...)
		if i%5 == 0 {
			data = append(slices.Clone(utf8BOM), data...)
		}
		readSerialAndParallel(t, data, Options{}, 1+r.IntN(len(data)))
	}
}
