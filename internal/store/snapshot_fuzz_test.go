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
