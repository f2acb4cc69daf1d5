package web

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"runtime"
	"testing"

	"github.com/dudao-edu/dudao/internal/censusio"
)

// TestRawPreviewZipBomb: the upload page's error preview opened a refused
// workbook a second time without the import's limits, so a 6.9 MB zip bomb
// took 203 s and 2.8 GB. It must refuse the bomb as the import does.
func TestRawPreviewZipBomb(t *testing.T) {
	// xl/styles.xml, which excelize holds in memory: 300 MiB of spaces,
	// built by repeating one deflated MiB.
	const chunk, n = 1 << 20, 300
	block := bytes.Repeat([]byte{' '}, chunk)
	var one, end bytes.Buffer
	fw, _ := flate.NewWriter(&one, flate.BestCompression)
	fw.Write(block)
	fw.Flush()
	fe, _ := flate.NewWriter(&end, flate.BestCompression)
	fe.Close()
	crc := uint32(0)
	for range n {
		crc = crc32.Update(crc, crc32.IEEETable, block)
	}
	body := append(bytes.Repeat(one.Bytes(), n), end.Bytes()...)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/styles.xml", Method: zip.Deflate, CRC32: crc,
		CompressedSize64: uint64(len(body)), UncompressedSize64: n * chunk})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	errs := censusio.Errors{{File: "bomb.xlsx", Row: 2, Letter: "C", Problem: "x"}}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	g := rawPreview(buf.Bytes(), errs)
	runtime.ReadMemStats(&after)
	if g != nil {
		t.Errorf("a preview of a zip bomb: %+v", g)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("rawPreview allocated %d MB for a %d KB file", alloc>>20, buf.Len()>>10)
	}
}
