//go:build !unix

package hugepages

import "os"

// Map returns nil: the system has no anonymous mappings here, and the
// caller takes its memory from the heap.
func Map(int) []byte { return nil }

// Unmap is never called without Map.
func Unmap([]byte) {}

// MapFile returns nil: the file is read into memory instead.
func MapFile(*os.File, int) []byte { return nil }

// UnmapFile is never called without MapFile.
func UnmapFile([]byte) {}
