package store

import (
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/dudao-edu/dudao/internal/hugepages"
)

// A snapshot's payload is stored compressed with zstd at its fastest
// level: a nation's school records take 6 MB in place of 20 MB, so a
// PostgreSQL server sends (and reassembles from TOAST) a third of the
// bytes, SQLite reads a third of the pages, and a backup carries a third.
// Decompressing costs a few milliseconds a part, on the readers' cores.

// maxSnapshotPart bounds what one part may decompress to: a part holds
// about 25 000 records of at most a few hundred bytes each, so a frame
// that claims more is damage, refused before it takes the memory.
const maxSnapshotPart = 256 << 20

var (
	snapshotEncoder = sync.OnceValue(func() *zstd.Encoder {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
		if err != nil {
			panic(err) // only for options that are wrong
		}
		return e
	})
	snapshotDecoder = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(maxSnapshotPart))
		if err != nil {
			panic(err)
		}
		return d
	})
)

// compressSnapshot returns payload compressed, in a zstd frame with its
// checksum. Encoders are safe to use at once from several goroutines.
func compressSnapshot(payload []byte) []byte {
	return snapshotEncoder().EncodeAll(payload, make([]byte, 0, len(payload)/3))
}

// decompressSnapshot returns the payload of a stored part, appended to
// buf, or errSnapshot when it is not a whole, intact frame.
func decompressSnapshot(stored, buf []byte) ([]byte, error) {
	out, err := snapshotDecoder().DecodeAll(stored, buf[:0])
	if err != nil {
		return nil, errSnapshot
	}
	return out, nil
}

// partBuffer holds a reader's decompressed parts, one at a time, outside
// the heap: a part of a nation decompresses to about 3 MB, and the fresh
// heap pages it took were a fifth of the page faults of a read from the
// database (each one 10–15 µs on a virtual machine). Its memory is
// mapped on huge pages, and released by free; the payloads it holds are
// only read while a part is decoded (the records' texts are copied).
type partBuffer struct{ b []byte }

// decompress returns the payload of stored (see decompressSnapshot), in
// the buffer when its frame says how large it is.
func (pb *partBuffer) decompress(stored []byte) ([]byte, error) {
	var h zstd.Header
	if err := h.Decode(stored); err == nil && h.HasFCS && h.FrameContentSize <= maxSnapshotPart && uint64(cap(pb.b)) < h.FrameContentSize {
		pb.free()
		pb.b = hugepages.Map(int(h.FrameContentSize))
	}
	return decompressSnapshot(stored, pb.b)
}

// free releases the buffer's memory.
func (pb *partBuffer) free() {
	hugepages.Unmap(pb.b)
	pb.b = nil
}
