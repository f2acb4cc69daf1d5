package censusio

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"strings"
)

// maxFormulaCells bounds the formula cells without a cached value that a
// read refuses one by one: a sheet of a million of them needs one fix, and
// its list must not exhaust memory.
const maxFormulaCells = 100_000

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// sheetPart returns the zip entry holding the XML of the worksheet named
// sheet, found as excelize finds it: the package relationships name the
// workbook part, the workbook names the sheet's relationship id, and the
// workbook's relationships name the part. It returns nil when any step
// fails; excelize then fails to read the sheet as well.
func sheetPart(zr *zip.Reader, sheet string) *zip.File {
	if p := sheetParts(zr, func(name string) bool { return strings.EqualFold(name, sheet) }, true); len(p) > 0 {
		return p[0]
	}
	return nil
}

// sheetParts returns the parts of the worksheets whose names match, in the
// workbook's order (only the first match when first is set).
func sheetParts(zr *zip.Reader, match func(name string) bool, first bool) []*zip.File {
	rels := func(name string) map[string]string {
		m := map[string]string{}
		walkXML(zipFile(zr, name), func(se xml.StartElement) {
			if se.Name.Local != "Relationship" {
				return
			}
			var id, typ, target string
			for _, a := range se.Attr {
				switch a.Name.Local {
				case "Id":
					id = a.Value
				case "Type":
					typ = a.Value
				case "Target":
					target = a.Value
				}
			}
			m[id] = target
			if strings.HasSuffix(typ, "/officeDocument") {
				m[""] = target
			}
		})
		return m
	}
	wb := strings.TrimPrefix(rels("_rels/.rels")[""], "/")
	if wb == "" {
		return nil
	}
	var ids []string
	walkXML(zipFile(zr, wb), func(se xml.StartElement) {
		if se.Name.Local != "sheet" || first && len(ids) > 0 {
			return
		}
		var name, rid string
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name":
				name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				rid = a.Value
			}
		}
		if match(name) && rid != "" {
			ids = append(ids, rid)
		}
	})
	if len(ids) == 0 {
		return nil
	}
	dir := path.Dir(wb)
	targets := rels(path.Join(dir, "_rels", path.Base(wb)+".rels"))
	var parts []*zip.File
	for _, id := range ids {
		target, ok := targets[id]
		if !ok {
			continue
		}
		target = strings.ReplaceAll(target, "\\", "/")
		var f *zip.File
		if strings.HasPrefix(target, "/") {
			f = zipFile(zr, strings.TrimPrefix(path.Clean(target), "/"))
		} else {
			f = zipFile(zr, strings.TrimPrefix(path.Clean(dir+"/"+target), "/"))
		}
		if f != nil {
			parts = append(parts, f)
		}
	}
	return parts
}

// zipFile returns the entry called name, ignoring case and the kind of
// slash as excelize does, or nil.
func zipFile(zr *zip.Reader, name string) *zip.File {
	for _, f := range zr.File {
		if strings.EqualFold(strings.ReplaceAll(f.Name, "\\", "/"), name) {
			return f
		}
	}
	return nil
}

// walkXML calls fn for every start element of a small part (the workbook
// and relationship parts, which zipLimits has bounded).
func walkXML(f *zip.File, fn func(xml.StartElement)) {
	if f == nil {
		return
	}
	rc, err := f.Open()
	if err != nil {
		return
	}
	defer rc.Close()
	d := xml.NewDecoder(io.LimitReader(rc, inMemoryLimit))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return
		}
		if se, ok := tok.(xml.StartElement); ok {
			fn(se)
		}
	}
}
