package censusio

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dudao-edu/dudao/internal/census"
)

// EachChunk is how many school records ReadFileEach hands on at a time.
const EachChunk = 4096

// eachChunk is EachChunk, which tests make small.
var eachChunk = EachChunk

// ReadFileEach reads the census file at path as ReadFile does — the same
// checks, the same Errors and Warnings, duplicates refused the same way —
// but hands its school records to each in file order, EachChunk at a time,
// instead of keeping them: the Batch it returns has no Schools, and the
// memory a read of a plain CSV file takes is bounded by the chunk, not by
// the file. The chunk is reused after each returns: each must copy what it
// keeps. Records of the other kinds (kindergartens, counties), which are
// few, are in the Batch as ReadFile returns them.
//
// A read is still all or nothing, but each may have been called before a
// later row turns out to be bad: when ReadFileEach returns an error, what
// each received must be dropped (an import rolls back its transaction).
// Once a row is bad each is not called again. An error each returns stops
// the read and is returned as is.
//
// A UTF-8 CSV file (.csv or .txt, with or without a BOM, lines ending in LF
// or CRLF) is read from the disk in blocks, twice: once to check its
// encoding and hash it, once to read its rows. Any other file — a
// workbook, a GBK or UTF-16 CSV file, a small file — is held in memory
// while its rows are read, as ReadFile holds it; its records are still
// handed on in chunks.
func ReadFileEach(path string, opt Options, each func(chunk []census.School) error) (*Batch, error) {
	name := baseName(path)
	if err := opt.check(); err != nil {
		return nil, fmt.Errorf("%s：%w", name, err)
	}
	if b, err, ok := readCSVStream(path, name, opt, each); ok {
		return b, err
	}
	var rd *reader
	b, err := readFile(path, opt, func(r *reader) {
		r.each = each
		rd = r
	})
	if rd != nil && rd.eachErr != nil {
		return nil, rd.eachErr
	}
	return b, err
}

// streamMin is the size below which ReadFileEach reads a CSV file as
// ReadFile does: holding it is cheaper than reading it twice. Tests make
// it small.
var streamMin int64 = 1 << 20

// readCSVStream reads the file at path as a UTF-8 CSV file read from the
// disk in blocks, when it is one, handing its school records to each, and
// reports whether it did.
func readCSVStream(path, name string, opt Options, each func([]census.School) error) (*Batch, error, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
	default:
		return nil, nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, false // ReadFile says why
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < streamMin || fi.Size() > maxFileSize {
		return nil, nil, false
	}
	sum, comma, bom, ok := scanPlainCSV(f, !opt.NoHash)
	if !ok {
		return nil, nil, false
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, nil, false
	}
	rd := newReader(name, opt)
	rd.each = each
	if sum != nil {
		rd.batch.SHA256 = hex.EncodeToString(sum)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	if bom {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, fmt.Errorf("%s：读取失败：%w", name, err), true
		}
	}
	rd.csv = true
	cr := newCSVReaderFrom(br, comma)
	rows := &csvRows{cr: cr}
	for rd.eachErr == nil {
		rec, n, err := rows.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("%s：读取失败：%w", name, err), true
			}
			rd.add(csvSyntaxError(n, err))
			break
		}
		rd.line(n, rec)
	}
	b, err := rd.finish()
	if rd.eachErr != nil {
		return nil, rd.eachErr, true
	}
	return b, err, true
}

// scanPlainCSV reads f once in blocks and returns its hash (if asked), the delimiter
// of its first line and whether it begins with a UTF-8 BOM, and reports
// whether it is a CSV file that readBytes would read as the UTF-8 text it
// is: not empty, no zip, OLE or other binary signature, valid UTF-8
// throughout, lines that end in LF (crLines leaves it alone), and a first
// line within the first block.
func scanPlainCSV(f *os.File, hash bool) (sum []byte, comma rune, bom, ok bool) {
	h := sha256.New()
	buf := make([]byte, 1<<20)
	var (
		carry     []byte // an incomplete UTF-8 sequence at the end of a block
		first     = true
		firstCR   = int64(-1)
		firstLF   = int64(-1)
		off       int64
		nonBlank  bool
		utf8Bytes [utf8.UTFMax]byte
	)
	for {
		n, err := io.ReadFull(f, buf)
		block := buf[:n]
		if n > 0 {
			if hash {
				h.Write(block)
			}
			if first {
				first = false
				if bytes.HasPrefix(block, zipMagic) || bytes.HasPrefix(block, oleMagic) || binaryKind(block) != "" {
					return nil, 0, false, false
				}
				bom = bytes.HasPrefix(block, utf8BOM)
				text := block
				if bom {
					text = text[len(utf8BOM):]
				}
				i := bytes.IndexByte(text, '\n')
				if i < 0 {
					return nil, 0, false, false
				}
				comma = sniffComma(text)
			}
			if firstCR < 0 {
				if i := bytes.IndexByte(block, '\r'); i >= 0 {
					firstCR = off + int64(i)
				}
			}
			if firstLF < 0 {
				if i := bytes.IndexByte(block, '\n'); i >= 0 {
					firstLF = off + int64(i)
				}
			}
			if !nonBlank {
				text := block
				if off == 0 {
					text = bytes.TrimPrefix(text, utf8BOM)
				}
				nonBlank = len(bytes.TrimSpace(text)) > 0
			}
			// Validate across the blocks: a sequence cut at the end of
			// one is completed by the next.
			if len(carry) > 0 {
				k := copy(utf8Bytes[:], carry)
				k += copy(utf8Bytes[k:], block[:min(len(block), utf8.UTFMax-k)])
				r, size := utf8.DecodeRune(utf8Bytes[:k])
				if r == utf8.RuneError && size <= 1 || size <= len(carry) {
					return nil, 0, false, false
				}
				block = block[size-len(carry):]
				carry = nil
			}
			tail := 0
			for tail < len(block) && tail < utf8.UTFMax-1 {
				c := block[len(block)-1-tail]
				if c < utf8.RuneSelf {
					break
				}
				tail++
				if utf8.RuneStart(c) {
					if utf8.FullRune(block[len(block)-tail:]) {
						tail = 0
					}
					break
				}
			}
			if !utf8.Valid(block[:len(block)-tail]) {
				return nil, 0, false, false
			}
			carry = append(carry[:0], block[len(block)-tail:]...)
			off += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, 0, false, false
		}
	}
	if len(carry) > 0 || !nonBlank {
		return nil, 0, false, false
	}
	// crLines changes a file whose first CR comes before its first LF
	// but one byte (a bare CR), or that has no LF at all.
	if firstLF < 0 || firstCR >= 0 && firstCR < firstLF-1 {
		return nil, 0, false, false
	}
	if hash {
		sum = h.Sum(nil)
	}
	return sum, comma, bom, true
}
