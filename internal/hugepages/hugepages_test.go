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
