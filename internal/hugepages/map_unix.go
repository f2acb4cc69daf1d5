//go:build unix && !linux

package hugepages

import (
	"os"
	"syscall"
)

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

// MapFile returns the first n bytes of f mapped read-only, or nil when the
// system refuses; UnmapFile releases them. A file cut short while it is
// mapped takes away the pages past its new end: reading them faults.
func MapFile(f *os.File, n int) []byte {
	if n <= 0 {
		return nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, n, syscall.PROT_READ, syscall.MAP_PRIVATE)
	if err != nil {
		return nil
	}
	return b
}

// UnmapFile releases a mapping MapFile returned (the whole of it).
func UnmapFile(b []byte) {
	if len(b) > 0 {
		_ = syscall.Munmap(b)
	}
}
