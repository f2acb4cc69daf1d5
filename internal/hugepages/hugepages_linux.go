// Package hugepages asks the operating system to back large, freshly
// allocated ranges of memory with huge pages, where it can: a nation's
// records touched 4 KB page by page pay a fault for each, which on a
// virtual machine is a fifth of a read's time.
package hugepages

import (
	"runtime"
	"runtime/debug"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Advise asks Linux to back the n bytes at p with huge pages when it
// first touches them. A nation's records are 94 MB; touched page by page,
// the faults of their 23 000 small pages were a fifth of a read's time on
// a virtual machine, where a fault is slow. Only the whole 2 MB pages
// inside the range are advised, and a refusal changes nothing but speed.
func Advise(p unsafe.Pointer, n uintptr) {
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + n) &^ (huge - 1)
	if end <= start {
		return
	}
	unix.Syscall(unix.SYS_MADVISE, start, end-start, unix.MADV_HUGEPAGE)
}

// Heap makes the next n bytes the Go heap grows by advised for huge pages,
// for a short job that allocates them all (a read of a nation, the
// evaluation after it): their memory is then touched 2 MB at a time
// instead of 4 KB at a time. On a virtual machine a fault on a small page
// costs 10–15 µs, and the faults of an evaluation's garbage were a sixth
// of its time.
//
// It allocates one object of n bytes, which the runtime maps fresh and
// does not touch, advises its pages, and collects it: its pages stay
// mapped with the advice and serve the allocations that follow. It runs a
// collection, so it belongs at the start of a job; only the first call in
// a process does anything (a later one would be given pages already
// touched, which the runtime clears). It changes nothing but speed.
func Heap(n int) { heap(n, false) }

// HeapSoon is Heap with the collection run in the background, for a job
// that allocates little on the heap at first (a read of records into an
// arena): a forced collection took 3.5 ms, most of it waiting, at the
// start of a job of a hundred. The heap grows onto the advised pages once
// the collection has ended; what is allocated before goes elsewhere.
func HeapSoon(n int) { heap(n, true) }

func heap(n int, soon bool) {
	heapOnce.Do(func() {
		// Without a collection for the allocation itself: one, forced,
		// is enough.
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		b := make([]byte, n)
		Advise(unsafe.Pointer(unsafe.SliceData(b)), uintptr(n))
		runtime.KeepAlive(b)
		if soon {
			go runtime.GC()
			return
		}
		runtime.GC()
	})
}

var heapOnce sync.Once

// huge is the size of a huge page.
const huge = 2 << 20

// Map returns n zeroed bytes of a private anonymous mapping, outside the
// Go heap, or nil when the system refuses one; Unmap releases it. A
// mapping of 2 MB or more begins at a huge page's boundary and is advised
// for huge pages, so that all of it can be backed by them, not only the
// whole huge pages that happen to fall inside it.
func Map(n int) []byte {
	if n <= 0 {
		return nil
	}
	size := uintptr(n)
	if size < huge {
		p, err := unix.MmapPtr(-1, 0, nil, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		if err != nil {
			return nil
		}
		return unsafe.Slice((*byte)(p), n)
	}
	// Map a huge page more than asked and give back the ends outside the
	// aligned range.
	whole := mapped(size)
	p, err := unix.MmapPtr(-1, 0, nil, whole+huge, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	head := (huge - uintptr(p)%huge) % huge
	start := unsafe.Add(p, head)
	if head > 0 {
		_ = unix.MunmapPtr(p, head)
	}
	if tail := huge - head; tail > 0 {
		_ = unix.MunmapPtr(unsafe.Add(start, whole), tail)
	}
	Advise(start, whole)
	return unsafe.Slice((*byte)(start), n)
}

// mapped is the length of the mapping Map makes for size bytes of 2 MB or
// more: whole huge pages, so that the last one is backed by one too.
func mapped(size uintptr) uintptr { return (size + huge - 1) &^ (huge - 1) }

// Unmap releases the memory of a slice Map returned (the whole of it: b
// as Map returned it, not a part).
func Unmap(b []byte) {
	size := uintptr(len(b))
	if size == 0 {
		return
	}
	if size >= huge {
		size = mapped(size)
	}
	_ = unix.MunmapPtr(unsafe.Pointer(unsafe.SliceData(b)), size)
}

// mapPopulate asks MapFile's mapping to be made all at once (MapFile).
const mapPopulate = unix.MAP_POPULATE
