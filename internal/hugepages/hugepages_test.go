package hugepages

import (
	"testing"
	"unsafe"
)

// TestAdviseKeepsMemory: advice changes how memory is backed, never what
// it holds — written bytes survive it (a wrong advice, such as
// MADV_DONTNEED, would drop them), and ranges too short for a whole huge
// page, or empty, are left alone.
func TestAdviseKeepsMemory(t *testing.T) {
	for _, n := range []int{0, 1, 4096, 3 << 20, 9<<20 + 17} {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i*7 + 1)
		}
		if n > 0 {
			Advise(unsafe.Pointer(unsafe.SliceData(b)), uintptr(n))
		}
		for i := range b {
			if b[i] != byte(i*7+1) {
				t.Fatalf("%d bytes: byte %d is %d after the advice, was %d", n, i, b[i], byte(i*7+1))
			}
		}
		// Touching the advised range afterwards works as before.
		for i := range b {
			b[i]++
		}
	}
}

// TestMap: a mapping holds zeroes and keeps what is written to all of it;
// one of 2 MB or more begins on a huge page's boundary (on Linux, where it
// is aligned), and Unmap releases it (a second mapping of the same size
// works, and a nil or empty slice is left alone).
func TestMap(t *testing.T) {
	if Map(0) != nil || Map(-1) != nil {
		t.Fatal("Map of no bytes returned memory")
	}
	Unmap(nil)
	for _, n := range []int{1, 4096, 5000, 2 << 20, 3<<20 + 17, 9 << 20} {
		for range 2 {
			b := Map(n)
			if b == nil {
				t.Skipf("no anonymous mappings here")
			}
			if len(b) != n {
				t.Fatalf("Map(%d) gave %d bytes", n, len(b))
			}
			if aligned && n >= 2<<20 && uintptr(unsafe.Pointer(&b[0]))%(2<<20) != 0 {
				t.Errorf("Map(%d) at %p: not on a 2 MB boundary", n, &b[0])
			}
			for i := range b {
				if b[i] != 0 {
					t.Fatalf("Map(%d): byte %d is %d", n, i, b[i])
				}
				b[i] = byte(i * 3)
			}
			for i := range b {
				if b[i] != byte(i*3) {
					t.Fatalf("Map(%d): byte %d lost", n, i)
				}
			}
			Unmap(b)
		}
	}
}

// TestHeap: reserving the heap leaves it working, and a second call does
// nothing (it would be given touched pages, which the runtime clears).
func TestHeap(t *testing.T) {
	Heap(8 << 20)
	Heap(8 << 20)
	b := make([]byte, 4<<20)
	for i := range b {
		b[i] = byte(i)
	}
	if b[12345] != byte(12345%256) {
		t.Fatal("heap memory lost a write")
	}
}
