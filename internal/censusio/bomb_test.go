package censusio

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"hash/crc32"
	"io"
	"runtime"
	"testing"
)

// zipBomb returns the workbook base with part replaced by size bytes of c,
// deflated: a few megabytes that unpack to gigabytes. It repeats one
// deflate block of 1 MiB rather than compressing size bytes, so that
// building it takes milliseconds.
func zipBomb(t testing.TB, base []byte, part string, c byte, size int64) []byte {
	t.Helper()
	const chunk = 1 << 20
	block := bytes.Repeat([]byte{c}, chunk)
	var one bytes.Buffer
	fw, err := flate.NewWriter(&one, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(block); err != nil {
		t.Fatal(err)
	}
	if err := fw.Flush(); err != nil { // ends with a non-final, byte-aligned block
		t.Fatal(err)
	}
	var end bytes.Buffer
	fe, _ := flate.NewWriter(&end, flate.BestCompression)
	if err := fe.Close(); err != nil { // an empty final block
		t.Fatal(err)
	}
	crc := uint32(0)
	for range size / chunk {
		crc = crc32.Update(crc, crc32.IEEETable, block)
	}
	compressed := bytes.Repeat(one.Bytes(), int(size/chunk))
	compressed = append(compressed, end.Bytes()...)

	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == part {
			w, err := zw.CreateRaw(&zip.FileHeader{Name: part, Method: zip.Deflate, CRC32: crc,
				CompressedSize64: uint64(len(compressed)), UncompressedSize64: uint64(size)})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.Write(compressed); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestZipBombBoundedEverywhere(t *testing.T) {
	// A zip bomb through the web upload took 203 s and 2.8 GB: Read
	// refused it, but the error preview opened the workbook again without
	// the limits. Every path opens workbooks through openBounded now.
	base := xlsxBytes(t, "", hdr, good)
	for _, tc := range []struct {
		name, part string
		c          byte
		size       int64
	}{
		{"2 GiB sheet of zeros", "xl/worksheets/sheet1.xml", '0', 2 << 30},
		{"300 MiB styles part held in memory", "xl/styles.xml", ' ', 300 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := zipBomb(t, base, tc.part, tc.c, tc.size)
			if len(bomb) > 8<<20 {
				t.Fatalf("bomb is %d bytes", len(bomb))
			}
			limit := uint64(len(bomb))*4 + 16<<20
			var es Errors
			if n := allocated(func() { es = mustFail(t, "bomb.xlsx", bomb, Options{}) }); n > limit {
				t.Errorf("Read allocated %d MB", n>>20)
			}
			wantErr(t, es, "bomb.xlsx", "解压后超过")
			var err error
			if n := allocated(func() { _, err = PreviewRows(bomb, Options{}, []int{1, 2}) }); n > limit {
				t.Errorf("PreviewRows allocated %d MB", n>>20)
			}
			if !bytes.Contains([]byte(err.Error()), []byte("解压后超过")) {
				t.Errorf("PreviewRows error %v", err)
			}
		})
	}
}

func TestPreviewRows(t *testing.T) {
	// Rows are numbered as Read numbers them in its errors: a blank line
	// and a cell spanning lines in CSV, empty rows in a workbook.
	csvData := []byte(string(csvBytes(hdr, with(good, "学校名称", "沈巷\n学校"))) + "\n" + string(csvBytes(good2)))
	xlsxData := xlsxBytes(t, "学校", hdr, good, nil, good2)
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"csv", csvData},
		{"cr-only csv", bytes.ReplaceAll(csvData, []byte("\n"), []byte("\r"))},
		{"xlsx", xlsxData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PreviewRows(tc.data, Options{}, []int{1, 4, 9, 4})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 4 || len(got[0]) != len(hdr) || got[0][4] != "学校名称" || got[1][4] != "第一小学" || got[2] != nil || got[3][4] != "第一小学" {
				t.Errorf("got %q", got)
			}
		})
	}
	if _, err := PreviewRows([]byte("PK\x03\x04 not a zip"), Options{}, []int{1}); err == nil {
		t.Error("a broken workbook previewed")
	}
}
