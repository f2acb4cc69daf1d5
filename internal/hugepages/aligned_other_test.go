//go:build !linux

package hugepages

const aligned = false
