//go:build !linux

package censusio

import "unsafe"

// hugePages does nothing but on Linux.
func hugePages(unsafe.Pointer, uintptr) {}
