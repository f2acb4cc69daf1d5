package censusio

import (
	"strings"
	"sync"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/census"
	"github.com/dudao-edu/dudao/internal/hugepages"
)

// Arena holds the school records of a read and their texts outside the
// garbage-collected heap, for a caller that keeps a nation's records to
// the end of a short job (dudao evaluate): the collector, which otherwise
// scans their 94 MB at every cycle for the pointers of their eight
// strings, never sees them, so that the job's garbage is collected at a
// fraction of the cost. Options.Arena asks a read to use it. A large file
// read with one (ReadFile, 4 MB or more, not a workbook) is mapped into
// memory while it is read rather than copied into a buffer: its pages
// need no clearing (see mapped).
//
// The records and every string in them stay valid until Free, and no
// longer: a caller must not use them, or anything that shares their texts,
// after it, nor store a string made elsewhere into a record that the
// arena holds (the collector would not see it kept there). Where the
// system has no anonymous mappings an Arena takes memory from the heap,
// and Free only forgets it.
type Arena struct {
	mu     sync.Mutex
	blocks [][]byte // mapped, each unmapped by Free
	free   []byte   // the rest of the last block bytes mapped
}

// NewArena returns an empty arena.
func NewArena() *Arena { return &Arena{} }

// Free releases the memory of the arena; the records and texts read into
// it must not be used after.
func (a *Arena) Free() {
	if a == nil {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, b := range a.blocks {
		hugepages.Unmap(b)
	}
	a.blocks, a.free = nil, nil
}

// arenaBlock is how much memory bytes maps at a time: its pages are
// advised for huge pages, so that the texts of a nation fault 2 MB at a
// time rather than 4 KB at a time (1 100 faults of 10–15 µs each on a
// virtual machine, when each text block was a mapping of its own).
const arenaBlock = 8 << 20

// bytes returns n zeroed bytes of the arena.
func (a *Arena) bytes(n int) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n > len(a.free) {
		size := arenaBlock
		if n > arenaBlock/2 {
			size = n // its own block: the current one's rest stays in use
		}
		b := hugepages.Map(size)
		if b == nil {
			return make([]byte, n)
		}
		a.blocks = append(a.blocks, b)
		if size != arenaBlock {
			return b[:n:n]
		}
		a.free = b
	}
	b := a.free[:n:n]
	a.free = a.free[n:]
	return b
}

// schools returns room for n zeroed school records in the arena.
func (a *Arena) schools(n int) []census.School {
	if n == 0 {
		return nil
	}
	size := n * int(unsafe.Sizeof(census.School{}))
	b := hugepages.Map(size)
	if b == nil {
		return make([]census.School, n)
	}
	a.mu.Lock()
	a.blocks = append(a.blocks, b)
	a.mu.Unlock()
	return unsafe.Slice((*census.School)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// texts copies strings into an arena, or onto the heap when it has none;
// one reader uses it at a time.
type texts struct {
	a     *Arena
	free  []byte // the rest of the current block
	block int    // the size of the last block taken
}

// textBlock is the most an arena's texts take at a time. The first block
// of a reader is small, and each next one twice the last: a chunk of a
// file read in parallel has a reader of its own, which keeps a few
// kilobytes of texts (its counties' names; the codes and names of its
// schools take a block of their own, keepTexts), and blocks of textBlock
// each were 6 MB of a nation's memory touched for nothing.
const (
	textBlock      = 256 << 10
	textBlockFirst = 16 << 10
)

// room returns n bytes to copy a text into.
func (t *texts) room(n int) []byte {
	if t.a == nil {
		return make([]byte, n)
	}
	if n > textBlock/4 {
		return t.a.bytes(n)
	}
	if len(t.free) < n {
		t.block = min(max(2*t.block, textBlockFirst), textBlock)
		for t.block < n {
			t.block *= 2
		}
		t.free = t.a.bytes(t.block)
	}
	b := t.free[:n:n]
	t.free = t.free[n:]
	return b
}

// clone returns a copy of s that does not share its memory.
func (t *texts) clone(s string) string {
	if s == "" {
		return ""
	}
	if t.a == nil {
		return strings.Clone(s)
	}
	b := t.room(len(s))
	copy(b, s)
	return unsafe.String(unsafe.SliceData(b), len(b))
}
