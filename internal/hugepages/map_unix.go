//go:build unix && !linux

package hugepages

import "syscall"

// Map returns n zeroed bytes of a private anonymous mapping, outside the
// Go heap, or nil when the system refuses one; Unmap releases it. Only
// Linux is asked for huge pages.
func Map(n int) []byte {
	if n <= 0 {
		return nil
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

// Unmap releases the memory of a slice Map returned.
func Unmap(b []byte) { _ = syscall.Munmap(b) }

// mapPopulate is 0: only Linux is asked to make MapFile's mapping at once.
const mapPopulate = 0
