//go:build unix

package censusio

import "syscall"

// mapBytes returns an anonymous private mapping of at least n bytes, or
// nil when the system refuses one.
func mapBytes(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

// unmap releases a mapping of mapBytes.
func unmap(b []byte) { _ = syscall.Munmap(b) }
