//go:build !unix

package hugepages

// Map returns nil: the system has no anonymous mappings here, and the
// caller takes its memory from the heap.
func Map(int) []byte { return nil }

// Unmap is never called without Map.
func Unmap([]byte) {}
