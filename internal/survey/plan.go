package survey

import (
	"math"
	"math/big"
	"sort"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/standards"
)

// SampleSize is the number of respondents a county of population residents
// must survey: PerMille ‰ of the residents rounded up, no fewer than Min and,
// when Max > 0, no more than Max.
func SampleSize(population int64, s standards.SurveySample) int {
	if population < 0 {
		population = 0
	}
	pm := ratOf(s.PerMille)
	n := new(big.Rat).Mul(new(big.Rat).SetInt64(population), pm)
	n.Quo(n, big.NewRat(1000, 1))
	q, r := new(big.Int).QuoRem(n.Num(), n.Denom(), new(big.Int))
	if r.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	size := int64(s.Min)
	if q.IsInt64() && q.Int64() > size {
		size = q.Int64()
	} else if !q.IsInt64() {
		size = 1 << 40
	}
	if s.Max > 0 && size > int64(s.Max) {
		size = int64(s.Max)
	}
	return int(size)
}

// Apportion splits total among weights by the largest remainder: every
// part is its exact share rounded down, and the parts with the largest
// remainders (ties to the earlier part) get one more, so the parts sum to
// total exactly. Zero weights get nothing; all-zero weights split nothing.
func Apportion(total int, weights []*big.Rat) []int {
	out := make([]int, len(weights))
	sum := new(big.Rat)
	for _, w := range weights {
		if w != nil && w.Sign() > 0 {
			sum.Add(sum, w)
		}
	}
	if sum.Sign() == 0 || total <= 0 {
		return out
	}
	type rem struct {
		i int
		r *big.Rat
	}
	var rems []rem
	given := 0
	for i, w := range weights {
		if w == nil || w.Sign() <= 0 {
			continue
		}
		share := new(big.Rat).Mul(w, big.NewRat(int64(total), 1))
		share.Quo(share, sum)
		fl := new(big.Int).Quo(share.Num(), share.Denom())
		out[i] = int(fl.Int64())
		given += out[i]
		rems = append(rems, rem{i, new(big.Rat).Sub(share, new(big.Rat).SetInt(fl))})
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r.Cmp(rems[b].r) > 0 })
	for k := 0; given < total && k < len(rems); k++ {
		out[rems[k].i]++
		given++
	}
	return out
}

// Plan is a county's sample: its size and the quota of each group and of
// each area, targets the fill is shown against.
type Plan struct {
	Population int64
	Sample     int
	// MinValid is the number of valid returns the sample needs.
	MinValid int
	Groups   []int // quota by q.Groups
	Areas    []int // quota by q.Areas()
}

// MakePlan plans the sample of a county of population residents: the
// size from the band, the groups' quotas from the profile's shares (groups
// the profile gives no share get none) and the areas' quotas in proportion
// to areaWeights (indexed by q.Areas(), e.g. the students of each location
// and stage; all zero leaves the areas without quotas).
func MakePlan(q *Questionnaire, s standards.SurveySample, population int64, areaWeights []*big.Rat) Plan {
	p := Plan{Population: population, Sample: SampleSize(population, s)}
	mv := new(big.Rat).Mul(big.NewRat(int64(p.Sample), 1), ratOf(s.MinValidPercent))
	mv.Quo(mv, big.NewRat(100, 1))
	c, r := new(big.Int).QuoRem(mv.Num(), mv.Denom(), new(big.Int))
	if r.Sign() > 0 {
		c.Add(c, big.NewInt(1))
	}
	p.MinValid = int(c.Int64())
	gw := make([]*big.Rat, len(q.Groups))
	for i, g := range q.Groups {
		gw[i] = ratOf(s.GroupShares[g.ID])
	}
	p.Groups = Apportion(p.Sample, gw)
	w := make([]*big.Rat, len(q.Areas()))
	copy(w, areaWeights)
	p.Areas = Apportion(p.Sample, w)
	return p
}

// ratOf is the exact decimal a setting was written as (70 → 70, 1.5 → 3/2).
func ratOf(f float64) *big.Rat {
	r, ok := new(big.Rat).SetString(big.NewFloat(f).Text('g', 15))
	if !ok {
		return new(big.Rat)
	}
	return r
}

// AreaWeights counts the students of each area of q (indexed by
// q.Areas()) in a county's census records: schools' primary and junior
// students by their 城乡类型, or kindergartens' children under a preschool
// questionnaire (stage "kindergarten"). nil when none is counted.
func AreaWeights(q *Questionnaire, schools []census.School, kgs []census.Kindergarten) []int64 {
	out := make([]int64, len(q.Areas()))
	counted := false
	add := func(loc, stage string, n float64) {
		if i := q.AreaIndex(Area{Location: loc, Stage: stage}); i >= 0 && n > 0 && !math.IsInf(n, 0) {
			out[i] += int64(n)
			counted = true
		}
	}
	for _, s := range schools {
		add(s.Location, "primary", s.Students(census.StagePrimary))
		add(s.Location, "junior", s.Students(census.StageJunior))
	}
	for _, k := range kgs {
		n, _ := k.Get(census.KgChildren)
		add(k.Location, "kindergarten", n)
	}
	if !counted {
		return nil
	}
	return out
}
