//go:build unix

package hugepages

import (
	"os"

	"golang.org/x/sys/unix"
)

// MapFile returns the first n bytes of f mapped read-only, or nil when the
// system refuses; UnmapFile releases them. The pages are the system's
// cache of the file, on Linux mapped all at once (MAP_POPULATE): unlike a
// buffer the file is read into, they need no clearing, which on a virtual
// machine was a tenth of the CPU time of a nation's evaluation.
//
// A file cut short while it is mapped takes away the pages past its new
// end: reading them faults (SIGBUS), which a reader must be ready for
// (debug.SetPanicOnFault).
func MapFile(f *os.File, n int) []byte {
	if n <= 0 {
		return nil
	}
	b, err := unix.Mmap(int(f.Fd()), 0, n, unix.PROT_READ, unix.MAP_PRIVATE|mapPopulate)
	if err != nil {
		return nil
	}
	return b
}

// UnmapFile releases a mapping MapFile returned (the whole of it).
func UnmapFile(b []byte) {
	if len(b) > 0 {
		_ = unix.Munmap(b)
	}
}
