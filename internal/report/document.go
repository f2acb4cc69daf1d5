package report

import (
	"io"
	"time"
)

// Document is a document other than an evaluation report — a 问题清单, a
// 整改报告, a 通报 — laid out like the reports: a cover with its facts, a
// contents page, and Sections of paragraphs and tables, in PDF and HTML.
type Document struct {
	Title    string
	Subtitle string
	// Header is the running page header; Title when empty.
	Header string
	// Cover lists the facts on the cover, in order (label, value).
	Cover [][2]string
	// Verdict, when not empty, is stamped on the cover; Pass colours it.
	Verdict string
	Pass    bool
	// Date is the document's date.
	Date     time.Time
	Sections []Section
}

func (d *Document) doc() *doc {
	out := &doc{Title: d.Title, Subtitle: d.Subtitle, Header: d.Header, Verdict: d.Verdict, Pass: d.Pass}
	if out.Header == "" {
		out.Header = d.Title
	}
	for _, c := range d.Cover {
		out.Cover = append(out.Cover, kv{c[0], c[1]})
	}
	for i, s := range d.Sections {
		out.Sections = append(out.Sections, secOf(s, i))
	}
	return out
}

// WritePDF writes the document as an A4 PDF with its fonts embedded.
func (d *Document) WritePDF(w io.Writer) error { return writePDF(w, d.doc(), Meta{Date: d.Date}) }

// WriteHTML writes the document as one self-contained HTML page.
func (d *Document) WriteHTML(w io.Writer) error { return writeHTML(w, d.doc()) }
