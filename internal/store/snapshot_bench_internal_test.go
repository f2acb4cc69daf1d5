package store

import (
	"math/rand/v2"
	"testing"

	"github.com/dudao-edu/dudao/internal/census"
)

// benchSchools makes n schools like the generated nation's.
func benchSchools(n int) []census.School {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]census.School, n)
	for i := range out {
		s := census.NewSchool()
		s.Year = 2024
		c := i / 72
		s.CountyCode = "3" + itoa(10000+c)
		s.CountyName = "县" + itoa(c) + "区"
		s.Code = itoa(3400000000 + i)
		s.Name = "第" + itoa(i) + "中心小学校"
		s.Type = census.Primary
		s.Ownership = "公办"
		s.Location = [...]string{"城区", "镇区", "乡村"}[i%3]
		for f := range s.V {
			switch rng.IntN(4) {
			case 0:
			case 1:
				s.V[f] = float64(rng.IntN(3000))
			case 2:
				s.V[f] = float64(rng.IntN(300000)) / 100
			default:
				s.V[f] = float64(rng.IntN(50))
			}
		}
		out[i] = s
	}
	return out
}

// BenchmarkDecodeSnapshot decodes a nation's 207 000 schools: "new"
// into a new slice, as a read does, "reused" into the same one each time,
// which leaves out the allocation and the page faults of a new slice.
//
//	go test ./internal/store -run '^$' -bench DecodeSnapshot -benchtime 10x
func BenchmarkDecodeSnapshot(b *testing.B) {
	p := encodeSnapshot(&census.SchoolTable, 2024, benchSchools(207_000))
	b.Run("new", func(b *testing.B) {
		b.ReportMetric(float64(len(p)), "bytes")
		for b.Loop() {
			if _, err := decodeSnapshot[census.School](&census.SchoolTable, 2024, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reused", func(b *testing.B) {
		dst := make([]census.School, 207_000)
		for b.Loop() {
			if _, err := decodeSnapshotInto(&census.SchoolTable, 2024, p, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkEncodeSnapshot(b *testing.B) {
	s := benchSchools(207_000)
	for b.Loop() {
		encodeSnapshot(&census.SchoolTable, 2024, s)
	}
}
