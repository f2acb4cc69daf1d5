package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
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
// the head when made, then the counties, then the tail at Close, so that
// memory holds a few counties' documents at a time however many counties
// there are. The counties and their parts and items, most of the
// document, are encoded by hand (indenter), the rest through
// encoding/json. Counties are encoded jsonBatch at a time on every core,
// each into a buffer of its own, and written in their order: encoding a
// nation's 680 MB on one core took longer than evaluating it on all.
type JSONWriter struct {
	bw      *bufio.Writer
	res     *Result
	d       Detail
	enc     []*indenter // one per core
	ids     []string
	order   []int
	n       int
	pending []*County // given to County and not yet written
	bufs    [][]byte  // the encoding of pending[i], reused
	errs    []error   // the error of encoding pending[i]
}

// jsonBatch is how many counties a JSONWriter holds before it encodes them.
const jsonBatch = 64

// jsonTail ends the head of a document with no counties, and every document.
const jsonTail = "]\n}"

// NewJSONWriter writes the head of the document of res (its standard,
// profile, year and comparison; its counties are given to County) at detail
// d to w.
func NewJSONWriter(w io.Writer, res *Result, d Detail) (*JSONWriter, error) {
	jw := &JSONWriter{bw: bufio.NewWriterSize(w, 256<<10), res: res, d: d,
		bufs: make([][]byte, jsonBatch), errs: make([]error, jsonBatch)}
	for range runtime.GOMAXPROCS(0) {
		jw.enc = append(jw.enc, &indenter{prefix: "    ", conds: conditions{}})
	}
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

// County writes the next county (or holds it to write with the next ones).
func (jw *JSONWriter) County(c *County) error {
	jw.pending = append(jw.pending, c)
	if len(jw.pending) < jsonBatch {
		return nil
	}
	return jw.flush()
}

// flush encodes the pending counties and writes them in order.
func (jw *JSONWriter) flush() error {
	cs := jw.pending
	var next atomic.Int64
	var wg sync.WaitGroup
	for _, e := range jw.enc[:min(len(jw.enc), len(cs))] {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(cs) {
					return
				}
				e.b, e.depth, e.first, e.err = jw.bufs[i][:0], 0, e.first[:0], nil
				e.county(jw.res, cs[i], jw.d, jw.ids, jw.order)
				jw.bufs[i], jw.errs[i] = e.b, e.err
			}
		})
	}
	wg.Wait()
	for i := range cs {
		cs[i] = nil
		if jw.errs[i] != nil {
			return jw.errs[i]
		}
		if jw.n > 0 {
			jw.bw.WriteByte(',')
		}
		jw.n++
		jw.bw.WriteString("\n    ")
		if _, err := jw.bw.Write(jw.bufs[i]); err != nil {
			return err
		}
	}
	jw.pending = cs[:0]
	return nil
}

// Close writes the counties held and the tail of the document, and
// flushes it to the writer.
func (jw *JSONWriter) Close() error {
	if err := jw.flush(); err != nil {
		return err
	}
	if jw.n > 0 {
		jw.bw.WriteString("\n  ")
	}
	jw.bw.WriteString(jsonTail + "\n")
	return jw.bw.Flush()
}
