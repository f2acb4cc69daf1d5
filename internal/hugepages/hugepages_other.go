//go:build !linux

package hugepages

import "unsafe"

// Advise does nothing but on Linux.
func Advise(unsafe.Pointer, uintptr) {}

// Heap does nothing but on Linux.
func Heap(int) {}

// HeapSoon does nothing but on Linux.
func HeapSoon(int) {}
