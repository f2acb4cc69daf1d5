package store

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"hash/fnv"
	"math"
	"strings"

	"github.com/dudao-edu/dudao/internal/census"
)

// A snapshot is a year's records of one kind as reading their rows
// returned them, encoded in one payload that decodes far faster than the
// rows scan (see snapshots.go for where it is kept and when it is used).
//
// Layout, version snapshotFormat:
//
//	byte     format (snapshotFormat)
//	8 bytes  signature of the kind's columns (columnSignature), little endian
//	varint   year (zigzag)
//	uvarint  number of records
//	uvarint  number of strings, then each: uvarint length, bytes
//	records  per text column but year, in table order: uvarint string index;
//	         per numeric column: a value (below)
//	4 bytes  CRC-32C of everything before, little endian
//
// A value is one uvarint x: x = 0 is not reported (NaN); otherwise its low
// 3 bits are a tag and x>>3 the zigzag integer n: tag 1..4 is n/10^(tag-1)
// (chosen only when that computation gives back the value's exact bits),
// tag 7 has n = 0 and the value's 8 bytes (little endian) follow. Census
// figures are counts and decimals with few places, so most take 1 to 3
// bytes. Repeated text (county, type, ownership, location) is stored once.

// snapshotFormat is the version of the payload layout, and of how it is
// stored (2: this layout, compressed with zstd; see snapshot_zstd.go); a
// payload of another version is not read.
const snapshotFormat = 2

// errSnapshot is returned for a payload that cannot be read; the caller
// reads the rows instead.
var errSnapshot = errors.New("unreadable record snapshot")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// pow10 are the scales of value tags 1..4.
var pow10 = [...]float64{1, 10, 100, 1000}

const rawTag = 7

// columnSignature names the columns of t, so that a snapshot made before a
// column was added or renamed is not read.
func columnSignature(t *census.Table) uint64 {
	h := fnv.New64a()
	h.Write([]byte(t.Kind))
	for _, c := range t.Text {
		h.Write([]byte{0})
		h.Write([]byte(c.Key))
	}
	for _, c := range t.Num {
		h.Write([]byte{1})
		h.Write([]byte(c.Key))
	}
	return h.Sum64()
}

// textKeys are the text columns a snapshot of t holds: all but year.
func textKeys(t *census.Table) []string {
	keys := make([]string, 0, len(t.Text))
	for _, c := range t.Text {
		if c.Key != "year" {
			keys = append(keys, c.Key)
		}
	}
	return keys
}

// encodeSnapshot encodes recs, the records of year of table t (T is the
// table's record type); it returns nil when a record is of another year.
func encodeSnapshot[T any](t *census.Table, year int, recs []T) []byte {
	keys := textKeys(t)
	index := map[string]uint64{}
	var strs []string
	ids := make([]uint64, 0, len(recs)*len(keys))
	for i := range recs {
		r := any(&recs[i]).(census.UnitRecord)
		if y, _ := r.Key(); y != year {
			return nil
		}
		for _, k := range keys {
			v := r.Text(k)
			id, ok := index[v]
			if !ok {
				id = uint64(len(strs))
				index[v] = id
				strs = append(strs, v)
			}
			ids = append(ids, id)
		}
	}
	size := 32
	for _, s := range strs {
		size += len(s) + 3
	}
	b := make([]byte, 0, size+len(recs)*(len(keys)*3+len(t.Num)*3))
	b = append(b, snapshotFormat)
	b = binary.LittleEndian.AppendUint64(b, columnSignature(t))
	b = binary.AppendVarint(b, int64(year))
	b = binary.AppendUvarint(b, uint64(len(recs)))
	b = binary.AppendUvarint(b, uint64(len(strs)))
	for _, s := range strs {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for i := range recs {
		for _, id := range ids[i*len(keys) : (i+1)*len(keys)] {
			b = binary.AppendUvarint(b, id)
		}
		for _, v := range any(&recs[i]).(census.UnitRecord).Values() {
			b = appendValue(b, v)
		}
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// appendValue appends one numeric value.
func appendValue(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return append(b, 0)
	}
	bits := math.Float64bits(v)
	for k, p := range pow10 {
		m := v * p
		if m != math.Trunc(m) || math.Abs(m) >= 1<<53 {
			continue
		}
		n := int64(m)
		if math.Float64bits(float64(n)/p) != bits {
			continue
		}
		z := uint64(n<<1) ^ uint64(n>>63)
		return binary.AppendUvarint(b, z<<3|uint64(k+1))
	}
	b = append(b, rawTag)
	return binary.LittleEndian.AppendUint64(b, bits)
}

// snapReader reads a payload; a read past its end sets bad.
type snapReader struct {
	b   []byte
	off int
	bad bool
}

// uvarint reads one varint: the one- and two-byte ones, nearly all, inline.
func (r *snapReader) uvarint() uint64 {
	if b, i := r.b, r.off; i+1 < len(b) {
		if c := b[i]; c < 0x80 {
			r.off = i + 1
			return uint64(c)
		} else if d := b[i+1]; d < 0x80 {
			r.off = i + 2
			return uint64(c&0x7f) | uint64(d)<<7
		}
	}
	return r.slowUvarint()
}

// uvarintAt reads the varint at b[off:] and returns it and the offset
// after it; it returns an offset past len(b) for a varint that is not
// there. The one- and two-byte varints, nearly all, take the short way.
func uvarintAt(b []byte, off int) (uint64, int) {
	if off+1 < len(b) {
		if c := b[off]; c < 0x80 {
			return uint64(c), off + 1
		} else if d := b[off+1]; d < 0x80 {
			return uint64(c&0x7f) | uint64(d)<<7, off + 2
		}
	}
	return slowUvarintAt(b, off)
}

func slowUvarintAt(b []byte, off int) (uint64, int) {
	if off >= len(b) {
		return 0, len(b) + 1
	}
	x, n := binary.Uvarint(b[off:])
	if n <= 0 {
		return 0, len(b) + 1
	}
	return x, off + n
}

func (r *snapReader) slowUvarint() uint64 {
	x, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		r.bad = true
		r.off = len(r.b)
		return 0
	}
	r.off += n
	return x
}

// decodeSnapshot decodes a payload made by encodeSnapshot for the records
// of year of table t. It returns errSnapshot for a payload of another
// format, table or year, a damaged one, or one that does not hold what it
// says; it never panics (FuzzDecodeSnapshot).
func decodeSnapshot[T any](t *census.Table, year int, p []byte) ([]T, error) {
	return decodeSnapshotInto[T](t, year, p, nil)
}

// decodeSnapshotInto is decodeSnapshot into dst when dst is not nil: the
// payload must then hold len(dst) records.
func decodeSnapshotInto[T any](t *census.Table, year int, p []byte, dst []T) ([]T, error) {
	if len(p) < 1+8+4 || p[0] != snapshotFormat {
		return nil, errSnapshot
	}
	body := p[:len(p)-4]
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(p[len(p)-4:]) {
		return nil, errSnapshot
	}
	if binary.LittleEndian.Uint64(body[1:9]) != columnSignature(t) {
		return nil, errSnapshot
	}
	r := &snapReader{b: body, off: 9}
	y, n := binary.Varint(body[r.off:])
	if n <= 0 || y != int64(year) {
		return nil, errSnapshot
	}
	r.off += n
	keys := textKeys(t)
	nrec := r.uvarint()
	// Every record takes at least one byte per column: a count the
	// payload cannot hold is damage, not a size to allocate.
	if width := uint64(len(keys) + len(t.Num)); width == 0 || nrec > uint64(len(body))/width {
		return nil, errSnapshot
	}
	if dst != nil && nrec != uint64(len(dst)) {
		return nil, errSnapshot
	}
	nstr := r.uvarint()
	if r.bad || nstr > uint64(len(body)-r.off) {
		return nil, errSnapshot
	}
	// The strings are slices of one string: one allocation for all. The
	// lengths are read twice, to size it and to cut it.
	from := r.off
	total := 0
	for range nstr {
		l := r.uvarint()
		if r.bad || l > uint64(len(body)-r.off) {
			return nil, errSnapshot
		}
		r.off += int(l)
		total += int(l)
	}
	to := r.off
	var sb strings.Builder
	sb.Grow(total)
	strs := make([]string, nstr)
	r.off = from
	for range nstr {
		l := int(r.uvarint())
		sb.Write(body[r.off : r.off+l])
		r.off += l
	}
	all := sb.String()
	r.off, total = from, 0
	for i := range strs {
		l := int(r.uvarint())
		strs[i] = all[total : total+l]
		r.off += l
		total += l
	}
	if r.off != to {
		return nil, errSnapshot
	}
	if dst == nil {
		dst = make([]T, nrec)
	}
	b, off := body, r.off
	schools, _ := any(dst).([]census.School)
	var fast []func(*census.School, uint64)
	if schools != nil {
		fast = schoolSetters(keys, strs)
	}
	for i := range dst {
		var vals []float64
		var id uint64
		if fast != nil {
			s := &schools[i]
			s.Year = year
			for _, set := range fast {
				if id, off = uvarintAt(b, off); id >= nstr {
					return nil, errSnapshot
				}
				set(s, id)
			}
			vals = s.V[:]
		} else {
			rec := any(&dst[i]).(census.UnitRecord)
			rec.SetYear(year)
			for _, k := range keys {
				if id, off = uvarintAt(b, off); id >= nstr {
					return nil, errSnapshot
				}
				rec.SetText(k, strs[id])
			}
			vals = rec.Values()
		}
		if len(vals) != len(t.Num) {
			return nil, errSnapshot
		}
		for j := range vals {
			// uvarintAt, inlined by hand: it is too big for the compiler.
			var x uint64
			if off+1 < len(b) && b[off] < 0x80 {
				x, off = uint64(b[off]), off+1
			} else if off+1 < len(b) && b[off+1] < 0x80 {
				x, off = uint64(b[off]&0x7f)|uint64(b[off+1])<<7, off+2
			} else {
				x, off = slowUvarintAt(b, off)
			}
			switch x & 7 {
			case 0:
				if x != 0 {
					return nil, errSnapshot
				}
				vals[j] = math.NaN()
			case 1:
				z := x >> 3
				vals[j] = float64(int64(z>>1) ^ -int64(z&1))
			case 2, 3, 4:
				z := x >> 3
				vals[j] = float64(int64(z>>1)^-int64(z&1)) / pow10[x&7-1]
			case rawTag:
				if x != rawTag || off+8 > len(b) {
					return nil, errSnapshot
				}
				vals[j] = math.Float64frombits(binary.LittleEndian.Uint64(b[off:]))
				off += 8
			default:
				return nil, errSnapshot
			}
		}
		if off > len(b) {
			return nil, errSnapshot
		}
	}
	r.off = off
	if r.off != len(body) {
		return nil, errSnapshot
	}
	return dst, nil
}

// schoolSetters returns, for the text columns keys of a school, functions
// that set column j of a school to string id of strs straight into its
// field, as School.SetText does but without looking the column up per
// record and parsing a school type once per distinct string; nil when a
// column has none (then SetText is used). TestSnapshotRoundTrip checks
// that a snapshot gives back every field.
func schoolSetters(keys []string, strs []string) []func(*census.School, uint64) {
	out := make([]func(*census.School, uint64), len(keys))
	for j, k := range keys {
		switch k {
		case "county_code":
			out[j] = func(s *census.School, id uint64) { s.CountyCode = strs[id] }
		case "county_name":
			out[j] = func(s *census.School, id uint64) { s.CountyName = strs[id] }
		case "school_code":
			out[j] = func(s *census.School, id uint64) { s.Code = strs[id] }
		case "school_name":
			out[j] = func(s *census.School, id uint64) { s.Name = strs[id] }
		case "ownership":
			out[j] = func(s *census.School, id uint64) { s.Ownership = strs[id] }
		case "location":
			out[j] = func(s *census.School, id uint64) { s.Location = strs[id] }
		case "sponsor":
			out[j] = func(s *census.School, id uint64) { s.Sponsor = strs[id] }
		case "school_type":
			types := map[uint64]census.SchoolType{}
			out[j] = func(s *census.School, id uint64) {
				t, ok := types[id]
				if !ok {
					var x census.School
					x.SetText(k, strs[id])
					t = x.Type
					types[id] = t
				}
				s.Type = t
			}
		default:
			return nil
		}
	}
	return out
}
