package plan

import (
	"container/heap"
	"math"
)

// bnode is a node of the search: its parent and the one thing it changes,
// an act's range or a part's choice. The bound is its parent's until the
// node itself is evaluated.
type bnode struct {
	parent *bnode
	act    int // −1 when the node fixes a part's choice
	lo, hi int
	part   int
	mask   uint32
	bound  float64
}

type nodeHeap []*bnode

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].bound < h[j].bound }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(*bnode)) }
func (h *nodeHeap) Pop() any {
	old := *h
	n := old[len(old)-1]
	*h = old[:len(old)-1]
	return n
}

// materialize sets b's ranges and choices to those of node nd.
func (b *bnb) materialize(nd *bnode) {
	m := b.m
	for a := range m.acts {
		b.lo[a], b.hi[a] = m.acts[a].lo, m.acts[a].hi
	}
	clear(b.fixed)
	var chain []*bnode
	for x := nd; x != nil; x = x.parent {
		chain = append(chain, x)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		x := chain[i]
		switch {
		case x.act >= 0:
			b.lo[x.act], b.hi[x.act] = x.lo, x.hi
		case x.part >= 0:
			b.fixed[x.part], b.fmask[x.part] = true, x.mask
		}
	}
}

// search runs best-first branch and bound from the incumbent start (may be
// nil) until it proves the incumbent optimal or spends work; it returns
// the best lower bound it proved and whether the incumbent is optimal.
func (b *bnb) search(start []int, work int) (lb float64, optimal bool) {
	if start != nil {
		b.offer(start)
	}
	root := &bnode{act: -1, part: -1, bound: math.Inf(-1)}
	h := &nodeHeap{root}
	tol := func() float64 { return 1e-9 * math.Max(1, math.Abs(b.incCost)) }
	for h.Len() > 0 {
		nd := heap.Pop(h).(*bnode)
		if nd.bound >= b.incCost-tol() {
			// Every open node is at least as dear: the incumbent is optimal.
			return b.incCost, true
		}
		if b.work() >= work && nd != root {
			heap.Push(h, nd)
			break
		}
		b.materialize(nd)
		v := b.eval()
		if v.infeasible || v.done || v.lb >= b.incCost-tol() {
			if nd == root && !v.infeasible {
				lb = v.lb
			}
			continue
		}
		bound := max(v.lb, nd.bound)
		if nd == root {
			lb = bound
		}
		switch {
		case v.part >= 0:
			for _, mk := range v.masks {
				heap.Push(h, &bnode{parent: nd, act: -1, part: v.part, mask: mk, bound: bound})
			}
		case v.act >= 0:
			a := v.act
			heap.Push(h, &bnode{parent: nd, act: a, part: -1, lo: b.lo[a], hi: v.split, bound: bound})
			heap.Push(h, &bnode{parent: nd, act: a, part: -1, lo: v.split + 1, hi: b.hi[a], bound: bound})
		}
	}
	if h.Len() == 0 {
		// Searched to the end.
		return b.incCost, !math.IsInf(b.incCost, 1)
	}
	best := (*h)[0].bound
	return math.Min(math.Max(best, lb), b.incCost), false
}
