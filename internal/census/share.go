package census

import "math/big"

// Share is a part of a whole of counts: schools or pupils in a group, in
// a service, of all. Kept as whole numbers so the share is exact.
type Share struct {
	In, All int64
}

// Rat returns In/All exactly, or nil when All is 0.
func (s Share) Rat() *big.Rat {
	if s.All == 0 {
		return nil
	}
	return big.NewRat(s.In, s.All)
}

// Percent writes In/All as a percentage with one decimal, rounded half
// away from zero exactly ("—" when All is 0).
func (s Share) Percent() string {
	r := s.Rat()
	if r == nil {
		return "—"
	}
	return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(1) + "%"
}

// Add sums o into s.
func (s *Share) Add(o Share) { s.In += o.In; s.All += o.All }

// CountsAsSchool reports whether a census school counts as a school in
// the statistics' school counts (学校数): not a 教学点 nor a 特殊教育学校.
func CountsAsSchool(s *School) bool {
	return s.Type != TeachingPoint && s.Type != Special && len(s.Type.Stages()) > 0
}
