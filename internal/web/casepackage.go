package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/report"
	"github.com/dudao-edu/dudao/internal/review"
	"github.com/dudao-edu/dudao/internal/standards"
)

// casePackage serves GET /case/{id}/package.zip: the county's
// self-evaluation package (自评材料) in one file, as it goes to the city —
// the 自评报告 (PDF, and Word to edit before stamping), its 附表 (XLSX), the list of evidence files per item
// with what is still missing (PDF), and the evidence files themselves, one
// folder per item. Everything is made from what is stored now; nothing is
// copied into the case.
func (s *Server) casePackage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.caseOf(r)
	if err != nil {
		return err
	}
	rules, err := standards.Resolve(c.Standard, c.Profile)
	if err != nil {
		return err
	}
	ctx := r.Context()
	regions, err := s.st.Regions(ctx)
	if err != nil {
		return err
	}
	years, err := s.cache.Years(ctx)
	if err != nil {
		return err
	}
	now := s.now()
	cty, err := s.wholeCounty(ctx, rules, c.Year, c.County)
	if err != nil {
		return err
	}
	rep, err := s.countyReportOf(r, rules, c.Year, years, cty, regions, now) // the same evaluation as the evidence list
	if err != nil {
		return err
	}
	name := c.County
	if rg, err := s.regionName(r, c.County); err == nil {
		name = rg.Name
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(file string, write func(*bytes.Buffer) error) error {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return err
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: file, Method: zip.Deflate, Modified: now, Flags: 0x800}) // 0x800: UTF-8 names
		if err != nil {
			return err
		}
		_, err = f.Write(b.Bytes())
		return err
	}
	if err := put("01-自评报告.pdf", func(b *bytes.Buffer) error { return rep.WritePDF(b) }); err != nil {
		return err
	}
	if err := put("01-自评报告.docx", func(b *bytes.Buffer) error { return rep.WriteDOCX(b) }); err != nil {
		return err
	}
	if err := put("02-自评附表.xlsx", func(b *bytes.Buffer) error { return rep.WriteXLSX(b) }); err != nil {
		return err
	}
	list := report.Table{Title: "佐证材料清单", Columns: []report.Column{{Header: "项目", Width: 14}, {Header: "结论", Width: 4},
		{Header: "评议", Width: 6}, {Header: "佐证材料", Width: 14}}}
	missing, files := 0, 0
	for _, it := range cty.Verdict.Items {
		if !it.Item.Evidence {
			continue
		}
		label := it.Item.ZH
		if it.Item.No > 0 {
			label = fmt.Sprintf("%d. %s", it.Item.No, it.Item.ZH)
		}
		judged, names := "未评议", []string{}
		if j := it.Judgement; j != nil {
			if !j.At.IsZero() {
				judged = strings.TrimSpace(j.Actor + " " + review.Day(j.At))
			}
			for _, e := range j.Evidence {
				_, _, data, err := s.st.EvidenceFile(ctx, e.ID)
				if err != nil {
					return err
				}
				folder := fmt.Sprintf("03-佐证材料/%s", zipName(label))
				file := fmt.Sprintf("%s/%d-%s", folder, e.ID, zipName(e.Name))
				if err := put(file, func(b *bytes.Buffer) error { _, err := b.Write(data); return err }); err != nil {
					return err
				}
				names = append(names, e.Name)
				files++
			}
		}
		cell := report.TextCell(strings.Join(names, "；"))
		if len(names) == 0 {
			cell = report.Cell{Text: "缺", Bad: true}
			missing++
		}
		list.Rows = append(list.Rows, []report.Cell{report.TextCell(label), report.TextCell(statusZH(it.Status)), report.TextCell(judged), cell})
	}
	doc := &report.Document{Title: name + "佐证材料清单", Subtitle: rules.Name, Date: now,
		Cover: [][2]string{{"县区", name + "（" + c.County + "）"}, {"年度", strconv.Itoa(c.Year)}, {"轮次", strconv.Itoa(c.Round)},
			{"佐证材料", fmt.Sprintf("%d 项需评议，%d 个文件；%d 项尚缺", len(list.Rows), files, missing)}},
		Sections: []report.Section{{ID: "list", Title: "逐项佐证材料", Tables: []report.Table{list},
			Paragraphs: []string{"文件在本压缩包“03-佐证材料”下，按项目分文件夹；文件名前的数字是系统中的文件编号。"}}}}
	if err := put("03-佐证材料清单.pdf", func(b *bytes.Buffer) error { return doc.WritePDF(b) }); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	file := fmt.Sprintf("%s-%d-自评材料.zip", name, c.Year)
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="self-evaluation.zip"; filename*=UTF-8''%s`, pathEscape(file)))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "private, no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// zipName makes s safe as one part of a path in a zip file: no
// separators, no leading dots, at most 60 characters.
func zipName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '/', '\\', ':', '*', '?', '"', '<', '>', '|', 0:
			return '_'
		}
		return r
	}, strings.TrimSpace(s))
	s = strings.TrimLeft(s, ".")
	if rs := []rune(s); len(rs) > 60 {
		s = string(rs[:60])
	}
	if s == "" {
		s = "_"
	}
	return s
}

// statusZH is an item's status in Chinese.
func statusZH(st census.Status) string {
	switch st {
	case census.StatusMet:
		return "达标"
	case census.StatusNotMet:
		return "未达标"
	}
	return "待定"
}
