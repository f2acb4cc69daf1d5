package eval

import "sync"

// partSlab is the memory of one county's parts: the parts, their figures
// (Part.Raw and Part.Values) and the pointers of County.Parts, each one
// allocation, and their shortfalls (Part.Shortfalls), which the engine
// appends to.
type partSlab struct {
	parts      []Part
	figures    []float64
	ptrs       []*Part
	shortfalls []Shortfall
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
			return s
		}
		// Too small (or none): a new one with room for a larger county,
		// so that slabs stop being outgrown.
		nParts += nParts / 4
		nFigures += nFigures / 4
	}
	return &partSlab{
		parts:   make([]Part, nParts),
		figures: make([]float64, nFigures),
		ptrs:    make([]*Part, 0, nParts),
	}
}

// put gives back the slab of c, whose parts nobody reads any more.
func (p *slabPool) put(c *County) {
	s := c.slab
	if s == nil {
		return
	}
	c.slab, c.Parts = nil, nil
	clear(s.ptrs[:cap(s.ptrs)])
	p.mu.Lock()
	p.free = append(p.free, s)
	p.mu.Unlock()
}
