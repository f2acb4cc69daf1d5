package web

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/flate"

	"github.com/dudao-edu/dudao/internal/store"
)

// A page whose body is cached (the county page) is sent around it: the
// page is rendered with bodyMark where the body goes, and the body is
// written in its place. To a browser that accepts gzip the body goes
// compressed once, when first sent, rather than with every page: a gzip
// member's deflate stream may be made of pieces compressed apart, each
// ending on a byte (a sync flush) and referring only to its own text, so
// the page is the pieces before and after the body and the body's, each
// compressed once and kept (renderSpliced keeps the frame around the body
// as the cache keeps the body). Compressing a nation's county page took
// a quarter of the time of serving it from the cache.

// bodyMark stands for the cached body in the page rendered around it.
const bodyMark = "<!--dudao:body-->"

// pageBody is a rendered page body the cache keeps, with its compressed
// form made on first use.
type pageBody struct {
	html template.HTML
	once sync.Once
	// deflated is html as raw deflate (fastest level) ending in a sync
	// flush, not final; crc is its CRC-32 (IEEE).
	deflated []byte
	crc      uint32
	// shift carries a CRC over len(html) zero bytes: the CRC of a text
	// followed by html is shift × its CRC ⊕ crc (see crc32Combine).
	shift [32]uint32
}

func newPageBody(html template.HTML) *pageBody { return &pageBody{html: html} }

func (b *pageBody) compressed() []byte {
	b.once.Do(func() {
		var buf bytes.Buffer
		fw := flaters.Get().(*flate.Writer)
		fw.Reset(&buf)
		fw.Write(b.bytes())
		fw.Flush()
		flaters.Put(fw)
		b.deflated = buf.Bytes()
		b.crc = crc32.ChecksumIEEE(b.bytes())
		b.shift = crc32Shift(int64(len(b.html)))
	})
	return b.deflated
}

func (b *pageBody) bytes() []byte {
	return unsafe.Slice(unsafe.StringData(string(b.html)), len(b.html))
}

var flaters = sync.Pool{New: func() any {
	fw, err := flate.NewWriter(nil, flate.BestSpeed)
	if err != nil {
		panic(err) // a constant level
	}
	return fw
}}

// renderSpliced renders page name around body, which goes where the page
// has bodyMark (its data's Body): compressed by pieces when the browser
// accepts gzip, as it is otherwise (compress then decides).
//
// What is around the body (the frame: the header, the menu, the data
// status line) is kept too, by frameKey: the page and its block, all of
// b, the account's record, and extra, what else of data the page's
// frame reads (a comparable value; nil if nothing). A nation's county
// page served from the cache spent a third of its time running the
// layout's template, and as much again compressing what it wrote.
func (s *Server) renderSpliced(w http.ResponseWriter, r *http.Request, name string, data any, b *Base, extra any, body *pageBody) {
	// Without the page's template no frame is kept, and execute says so.
	k := frameKey{page: name, block: "layout", base: *b, extra: extra}
	if t := s.tmpl.pages[name]; t != nil {
		k.block = blockOf(r, t)
	}
	k.base.User = nil
	if b.User != nil {
		k.user = *b.User
	}
	f := s.frames.get(k)
	if f == nil {
		buf := renderBufs.Get().(*bytes.Buffer)
		defer putRenderBuf(buf)
		if _, ok := s.execute(w, r, name, data, buf); !ok {
			return
		}
		out := buf.Bytes()
		i := bytes.Index(out, []byte(bodyMark))
		if i < 0 {
			// A block without the body (none is written so today).
			s.pageHeaders(w, r, k.block)
			w.WriteHeader(http.StatusOK)
			w.Write(out)
			return
		}
		f = &frame{prefix: newPageBody(template.HTML(out[:i])), suffix: newPageBody(template.HTML(out[i+len(bodyMark):]))}
		s.frames.put(k, f)
	}
	s.pageHeaders(w, r, k.block)
	if !acceptsGzip(r) {
		w.WriteHeader(http.StatusOK)
		w.Write(f.prefix.bytes())
		w.Write(body.bytes())
		w.Write(f.suffix.bytes())
		return
	}
	gz := renderBufs.Get().(*bytes.Buffer)
	defer putRenderBuf(gz)
	writeGzipPieces(gz, f.prefix, body, f.suffix)
	h := w.Header()
	h.Set("Content-Encoding", "gzip")
	h.Add("Vary", "Accept-Encoding")
	h.Set("Content-Length", strconv.Itoa(gz.Len()))
	w.WriteHeader(http.StatusOK)
	w.Write(gz.Bytes())
}

// frameKey names the frame of a page around its body: everything the
// frame's templates read. Base is taken whole, so a field added to it is
// in the key without more ado (and one that cannot be compared does not
// compile); the account is taken by value, as its pointer differs from
// request to request.
type frameKey struct {
	page, block string
	base        Base // User nil
	user        store.User
	extra       any
}

// frame is a page rendered around bodyMark: what goes before the body and
// after it.
type frame struct{ prefix, suffix *pageBody }

// frameCache keeps frames by their keys. The frames depend on nothing
// but their keys and the templates, so they are never stale; when it
// holds maxFrames, it is emptied.
type frameCache struct {
	mu sync.Mutex
	m  map[frameKey]*frame
	// off, set by tests, keeps nothing and finds nothing: every frame is
	// rendered.
	off bool
}

const maxFrames = 4096

func (c *frameCache) get(k frameKey) *frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off {
		return nil
	}
	return c.m[k]
}

func (c *frameCache) put(k frameKey, f *frame) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.off {
		return
	}
	if c.m == nil || len(c.m) >= maxFrames {
		c.m = map[frameKey]*frame{}
	}
	c.m[k] = f
}

// jitter is what pads the gzip header's comment, as compress pads it: a
// length of 1 to 32 bytes that follows the page's text, so that the size
// of a page that holds text from the request does not tell its secrets
// (BREACH).
var jitter = strings.Repeat("Padding-", 5)[:33]

// writeGzipPieces writes to out one gzip member of the pieces' texts one
// after the other, from their deflate streams as kept: each ends on a
// byte and refers only to its own text, so they follow one another, and
// an empty final block ends the stream. The CRC of the whole is combined
// from theirs.
func writeGzipPieces(out *bytes.Buffer, pieces ...*pageBody) {
	var crc, size uint32
	for _, p := range pieces {
		p.compressed()
		crc = gf2Times(&p.shift, crc) ^ p.crc
		size += uint32(len(p.html))
	}
	// RFC 1952: deflate, FCOMMENT, no time, no extra flags, unknown OS.
	out.Write([]byte{0x1f, 0x8b, 8, 0x10, 0, 0, 0, 0, 0, 255})
	out.WriteString(jitter[:1+(crc^size)%32])
	out.WriteByte(0)
	for _, p := range pieces {
		out.Write(p.deflated)
	}
	// RFC 1951: a final block of fixed codes holding only its end (BFINAL
	// 1, BTYPE 01, the 7 zero bits of code 256), in two bytes.
	out.Write([]byte{0x03, 0x00})
	var tail [8]byte
	binary.LittleEndian.PutUint32(tail[:4], crc)
	binary.LittleEndian.PutUint32(tail[4:], size)
	out.Write(tail[:])
}

// acceptsGzip reports whether the request's Accept-Encoding takes gzip
// (or *) with a weight above zero.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			q := 1.0
			for p := range strings.SplitSeq(params, ";") {
				if k, v, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(strings.TrimSpace(k), "q") {
					if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
						q = f
					}
				}
			}
			if q > 0 {
				return true
			}
		}
	}
	return false
}

// crc32Combine returns the CRC-32 (IEEE) of a text whose first part has
// crc1 and whose second part, of len2 bytes, has crc2.
func crc32Combine(crc1, crc2 uint32, len2 int64) uint32 {
	shift := crc32Shift(len2)
	return gf2Times(&shift, crc1) ^ crc2
}

// crc32Shift returns the operator that carries a CRC-32 (IEEE) over n
// zero bytes, as a matrix over GF(2) (one column a word), made as zlib's
// crc32_combine makes it: the operator of one zero bit squared to those
// of 2, 4, 8 … bits, and the ones of the bits of n multiplied.
func crc32Shift(n int64) [32]uint32 {
	var op, sq, acc [32]uint32
	for i := range acc {
		acc[i] = 1 << i // the identity
	}
	op[0] = 0xedb88320 // one zero bit
	for i := 1; i < 32; i++ {
		op[i] = 1 << (i - 1)
	}
	gf2Square(&sq, &op) // two bits
	gf2Square(&op, &sq) // four
	gf2Square(&sq, &op) // one byte
	op = sq
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			var next [32]uint32
			for i := range next {
				next[i] = gf2Times(&op, acc[i])
			}
			acc = next
		}
		gf2Square(&sq, &op)
		op = sq
	}
	return acc
}

func gf2Times(mat *[32]uint32, vec uint32) uint32 {
	var sum uint32
	for i := 0; vec != 0; i, vec = i+1, vec>>1 {
		if vec&1 != 0 {
			sum ^= mat[i]
		}
	}
	return sum
}

func gf2Square(square, mat *[32]uint32) {
	for n := range 32 {
		square[n] = gf2Times(mat, mat[n])
	}
}
