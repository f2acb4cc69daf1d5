package store

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
)

// FuzzDecodeSnapshot feeds the decoder damaged and made-up payloads: it
// must refuse or decode them, never panic, and what it decodes must
// encode and decode to the same records.
func FuzzDecodeSnapshot(f *testing.F) {
	good := encodeSnapshot(&census.SchoolTable, 2024, benchSchools(5))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{snapshotFormat})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, p []byte) {
		check(t, p)
		// The checksum refuses nearly every change: fuzz the decoding
		// behind it too, with the checksum made right.
		if len(p) >= 4 {
			q := append([]byte(nil), p...)
			binary.LittleEndian.PutUint32(q[len(q)-4:], crc32.Checksum(q[:len(q)-4], crcTable))
			check(t, q)
		}
	})
}

func check(t *testing.T, p []byte) {
	got, err := decodeSnapshot[census.School](&census.SchoolTable, 2024, p)
	if err != nil {
		return
	}
	again, err := decodeSnapshot[census.School](&census.SchoolTable, 2024, encodeSnapshot(&census.SchoolTable, 2024, got))
	if err != nil || len(again) != len(got) {
		t.Fatalf("decoded %d records that do not round-trip: %v", len(got), err)
	}
}

// FuzzDecompressSnapshot feeds what is stored (a zstd frame of a payload)
// damaged or made up: decompressing must refuse it or give bytes that the
// decoder refuses or decodes, never panic, and never take more memory than
// maxSnapshotPart.
func FuzzDecompressSnapshot(f *testing.F) {
	good := compressSnapshot(encodeSnapshot(&census.SchoolTable, 2024, benchSchools(5)))
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd}) // a frame's magic, and nothing after
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, stored []byte) {
		var pb partBuffer // as a reader decompresses, into its own memory
		defer pb.free()
		viaBuffer, errBuffer := pb.decompress(stored)
		p, err := decompressSnapshot(stored, nil)
		if (err == nil) != (errBuffer == nil) || string(p) != string(viaBuffer) {
			t.Fatalf("the part buffer gave %d bytes (%v), decompressSnapshot %d (%v)", len(viaBuffer), errBuffer, len(p), err)
		}
		if err != nil {
			return
		}
		if len(p) > maxSnapshotPart {
			t.Fatalf("decompressed to %d bytes", len(p))
		}
		check(t, p)
	})
}

// TestPartBuffer: one buffer decompresses parts of every size in turn,
// growing to the largest (a part larger than it maps more), and gives each
// payload back byte for byte; a damaged part is refused and leaves the
// buffer usable.
func TestPartBuffer(t *testing.T) {
	var pb partBuffer
	defer pb.free()
	for _, n := range []int{5, 30000, 100, 60000, 0, 2} {
		payload := encodeSnapshot(&census.SchoolTable, 2024, benchSchools(n))
		stored := compressSnapshot(payload)
		p, err := pb.decompress(stored)
		if err != nil || string(p) != string(payload) {
			t.Fatalf("%d records: %d bytes back of %d (%v)", n, len(p), len(payload), err)
		}
		if _, err := pb.decompress(stored[:len(stored)/2]); err == nil {
			t.Fatalf("%d records: half a part decompressed", n)
		}
	}
	if cap(pb.b) < len(encodeSnapshot(&census.SchoolTable, 2024, benchSchools(60000))) {
		t.Errorf("the buffer holds %d bytes, less than the largest part", cap(pb.b))
	}
}

// TestSnapshotCompressed: a part is stored compressed, smaller than its
// payload, and gives the payload back byte for byte; a stored part with a
// byte changed is refused (by zstd's checksum or the payload's) or, where
// the byte is one a decoder ignores, gives the same payload: never other
// records.
func TestSnapshotCompressed(t *testing.T) {
	payload := encodeSnapshot(&census.SchoolTable, 2024, benchSchools(100))
	stored := compressSnapshot(payload)
	if len(stored) >= len(payload) {
		t.Errorf("stored %d bytes of a %d-byte payload", len(stored), len(payload))
	}
	back, err := decompressSnapshot(stored, nil)
	if err != nil || string(back) != string(payload) {
		t.Fatalf("round trip: %v", err)
	}
	refused := 0
	for i := range stored {
		bad := append([]byte(nil), stored...)
		bad[i] ^= 0x10
		p, err := decompressSnapshot(bad, nil)
		if err != nil {
			refused++
			continue
		}
		if _, err := decodeSnapshot[census.School](&census.SchoolTable, 2024, p); err != nil {
			refused++
		} else if string(p) != string(payload) {
			t.Fatalf("byte %d changed, and the part decodes to other records", i)
		}
	}
	if refused < len(stored)-8 {
		t.Errorf("only %d of %d damaged parts refused", refused, len(stored))
	}
}
