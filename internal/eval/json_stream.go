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

// WriteJSON writes the interfaces.md §3 document at detail d to w, county by
// county: the head, then each county encoded into a reused buffer and
// written, then the tail, so that memory holds one county's document at a
// time however many counties there are. The parts, most of a county, are
// encoded by hand (indenter.part). At DetailParts the bytes are those
// of json.Encoder with SetIndent("", "  ") over res.JSON().
func (res *Result) WriteJSON(w io.Writer, d Detail) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	// The head is the document with no counties, which ends in
	// `"counties": []` + "\n}\n" (counties is its last field): cut it before
	// the "]" and put the counties there.
	head, err := json.MarshalIndent(res.jsonHead(), "", "  ")
	if err != nil {
		return err
	}
	const tail = "]\n}"
	if !bytes.HasSuffix(head, []byte(tail)) {
		return fmt.Errorf("eval: document head ends in %q, not %q", head[max(0, len(head)-20):], tail)
	}
	if len(res.Counties) == 0 {
		bw.Write(head)
		bw.WriteByte('\n')
		return bw.Flush()
	}
	bw.Write(head[:len(head)-len(tail)])
	ids, order := res.indicatorOrder()
	e := &indenter{prefix: "    ", conds: conditions{}}
	for i, c := range res.Counties {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		e.b, e.depth, e.first = e.b[:0], 0, e.first[:0]
		e.county(res, c, d, ids, order)
		if e.err != nil {
			return e.err
		}
		if _, err := bw.Write(e.b); err != nil {
			return err
		}
	}
	bw.WriteString("\n  " + tail + "\n")
	return bw.Flush()
}
