package eval

import "sync"

// partSlab is the memory of one county's parts: the parts, their figures
// (Part.Raw and Part.Values) and the pointers of County.Parts, each one
// allocation, and their shortfalls (Part.Shortfalls), which the engine
// appends to; and of its stage results (County.Stages, each with its
// indicators' results), which stages lends.
type partSlab struct {
	parts      []Part
	figures    []float64
	ptrs       []*Part
	shortfalls []Shortfall

	stages     []StageResult
	stagePtrs  []*StageResult
	results    []IndicatorResult
	resultPtrs []*IndicatorResult

	// splits are lent to the parts of mixed schools (Part.Split), and ids
	// to their lists of indicators (Split.Given, Split.Derived); a pooled
	// slab has room for a split per part, and ids in blocks.
	splits []Split
	ids    []string
}

// split lends a zeroed split, or allocates one when s has no room left.
func (s *partSlab) split() *Split {
	k := len(s.splits)
	if k == cap(s.splits) {
		return new(Split)
	}
	s.splits = s.splits[:k+1]
	sp := &s.splits[k]
	*sp = Split{}
	return sp
}

// addID appends id to the list *dst of a split whose lists hold at most n
// ids: the first one takes room for n from the slab's ids (a pooled slab
// only; otherwise append allocates, as it would).
func (s *partSlab) addID(dst *[]string, id string, n int) {
	if *dst == nil && s.ids != nil {
		if cap(s.ids)-len(s.ids) < n {
			s.ids = make([]string, 0, max(64*n, 2*cap(s.ids)))
		}
		k := len(s.ids)
		s.ids = s.ids[:k+n]
		room := s.ids[k : k+n : k+n]
		clear(room)
		*dst = room[:0]
	}
	*dst = append(*dst, id)
}

// stageList readies s to lend n stage results of nInd indicators each
// (stage), and returns County.Stages, empty, with room for them. The
// memory lent to the county s was lent for before is lent again.
func (s *partSlab) stageList(n, nInd int) []*StageResult {
	if cap(s.stages) < n {
		s.stages = make([]StageResult, 0, n)
		s.stagePtrs = make([]*StageResult, 0, n)
	}
	if cap(s.results) < n*nInd {
		s.results = make([]IndicatorResult, 0, n*nInd)
		s.resultPtrs = make([]*IndicatorResult, 0, n*nInd)
	}
	s.stages, s.results, s.resultPtrs = s.stages[:0], s.results[:0], s.resultPtrs[:0]
	return s.stagePtrs[:0]
}

// stage lends a zeroed stage result and the nInd zeroed results of its
// indicators, whose pointers its Indicators has room for: one of those
// stageList made room for.
func (s *partSlab) stage(nInd int) (*StageResult, []IndicatorResult) {
	k, j := len(s.stages), len(s.results)
	s.stages = s.stages[:k+1]
	sr := &s.stages[k]
	*sr = StageResult{}
	s.results = s.results[:j+nInd]
	res := s.results[j : j+nInd : j+nInd]
	clear(res)
	s.resultPtrs = s.resultPtrs[:j+nInd]
	sr.Indicators = s.resultPtrs[j : j+nInd : j+nInd]
	return sr, res
}

// slabPool keeps the slabs of counties that have been handed on and
// forgotten, for the counties evaluated after them. A nation's parts take
// about 66 MB and their figures 27 MB; evaluated as a stream, a few
// windows of counties' worth are reused instead, which spares the
// collector and the page faults of memory touched once.
type slabPool struct {
	mu   sync.Mutex
	free []*partSlab
}

// get returns a zeroed slab of nParts parts and nFigures figures, a kept
// one when one is large enough. A nil pool allocates one.
func (p *slabPool) get(nParts, nFigures int) *partSlab {
	if p != nil {
		p.mu.Lock()
		var s *partSlab
		if n := len(p.free); n > 0 {
			// The last kept one large enough, else the last (which
			// is dropped for a larger one): counties' sizes vary, and
			// taking the last one whatever its size made 147 slabs
			// for a nation's 2 900 counties, this 91.
			i := n - 1
			for j := n - 1; j >= 0; j-- {
				if f := p.free[j]; cap(f.parts) >= nParts && cap(f.figures) >= nFigures {
					i = j
					break
				}
			}
			s = p.free[i]
			p.free[i] = p.free[n-1]
			p.free[n-1] = nil
			p.free = p.free[:n-1]
		}
		p.mu.Unlock()
		if s != nil && cap(s.parts) >= nParts && cap(s.figures) >= nFigures {
			s.parts = s.parts[:nParts]
			clear(s.parts)
			s.figures = s.figures[:nFigures]
			clear(s.figures)
			s.splits, s.ids = s.splits[:0], s.ids[:0]
			return s
		}
		// Too small (or none): a new one with room for a larger county,
		// so that slabs stop being outgrown.
		nParts += nParts / 4
		nFigures += nFigures / 4
	}
	s := &partSlab{
		parts:   make([]Part, nParts),
		figures: make([]float64, nFigures),
		ptrs:    make([]*Part, 0, nParts),
	}
	if p != nil {
		// Kept and lent again: room for the splits and their ids too.
		s.splits, s.ids = make([]Split, 0, nParts), make([]string, 0)
	}
	return s
}

// put gives back the slab of c, whose parts nobody reads any more.
func (p *slabPool) put(c *County) {
	s := c.slab
	if s == nil {
		return
	}
	c.slab, c.Parts, c.Stages = nil, nil, nil
	clear(s.ptrs[:cap(s.ptrs)])
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}
