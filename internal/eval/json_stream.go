package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Detail is how much of each county a written evaluation gives: the
// county's verdicts and composite CVs, plus each stage's indicators and the
// verdict's items, plus every school part (and kindergarten).
type Detail int

// The detail levels, least first; DetailParts, everything, is the default.
const (
	DetailCounties Detail = iota
	DetailIndicators
	DetailParts
)

// Details are the names of the detail levels, least first, as
// `dudao evaluate --detail` takes them.
var Details = []string{"counties", "indicators", "parts"}

// ParseDetail returns the detail level named s (one of Details).
func ParseDetail(s string) (Detail, error) {
	for i, n := range Details {
		if n == s {
			return Detail(i), nil
		}
	}
	return 0, fmt.Errorf("no detail level %q", s)
}

// String returns the name of the detail level.
func (d Detail) String() string {
	if d < 0 || int(d) >= len(Details) {
		return fmt.Sprintf("Detail(%d)", int(d))
	}
	return Details[d]
}

// WriteJSON writes the interfaces.md §3 document of res at detail d to w,
// county by county (see JSONWriter). At DetailParts the bytes are those of
// json.Encoder with SetIndent("", "  ") over res.JSON().
func (res *Result) WriteJSON(w io.Writer, d Detail) error {
	jw, err := NewJSONWriter(w, res, d)
	if err != nil {
		return err
	}
	for _, c := range res.Counties {
		if err := jw.County(c); err != nil {
			return err
		}
	}
	return jw.Close()
}

// A JSONWriter writes the interfaces.md §3 document as its counties come:
// the head when made, then each county encoded into a reused buffer and
// written, then the tail at Close, so that memory holds one county's
// document at a time however many counties there are. The counties and
// their parts and items, most of the document, are encoded by hand
// (indenter), the rest through encoding/json.
type JSONWriter struct {
	bw    *bufio.Writer
	res   *Result
	d     Detail
	e     *indenter
	ids   []string
	order []int
	n     int
}

// jsonTail ends the head of a document with no counties, and every document.
const jsonTail = "]\n}"

// NewJSONWriter writes the head of the document of res (its standard,
// profile, year and comparison; its counties are given to County) at detail
// d to w.
func NewJSONWriter(w io.Writer, res *Result, d Detail) (*JSONWriter, error) {
	jw := &JSONWriter{bw: bufio.NewWriterSize(w, 256<<10), res: res, d: d, e: &indenter{prefix: "    ", conds: conditions{}}}
	jw.ids, jw.order = res.indicatorOrder()
	// The head is the document with no counties, which ends in
	// `"counties": []` + "\n}" (counties is its last field): cut it before
	// the "]" and put the counties there.
	head, err := json.MarshalIndent(res.jsonHead(), "", "  ")
	if err != nil {
		return nil, err
	}
	if !bytes.HasSuffix(head, []byte(jsonTail)) {
		return nil, fmt.Errorf("eval: document head ends in %q, not %q", head[max(0, len(head)-20):], jsonTail)
	}
	jw.bw.Write(head[:len(head)-len(jsonTail)])
	return jw, nil
}

// County writes the next county.
func (jw *JSONWriter) County(c *County) error {
	if jw.n > 0 {
		jw.bw.WriteByte(',')
	}
	jw.n++
	jw.bw.WriteString("\n    ")
	e := jw.e
	e.b, e.depth, e.first = e.b[:0], 0, e.first[:0]
	e.county(jw.res, c, jw.d, jw.ids, jw.order)
	if e.err != nil {
		return e.err
	}
	_, err := jw.bw.Write(e.b)
	return err
}

// Close writes the tail of the document and flushes it to the writer.
func (jw *JSONWriter) Close() error {
	if jw.n > 0 {
		jw.bw.WriteString("\n  ")
	}
	jw.bw.WriteString(jsonTail + "\n")
	return jw.bw.Flush()
}
