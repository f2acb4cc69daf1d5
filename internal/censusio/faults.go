package censusio

import (
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"sync/atomic"
	"unsafe"

	"github.com/dudao-edu/dudao/internal/hugepages"
)

// faults watches the goroutines that read a file mapped into memory
// (mapped). A file cut short while it is mapped — rewritten by
// another program as it is read — takes away the pages past its new end,
// and reading them faults: without a watch the process dies of it. A
// goroutine that reads the mapping calls watch, and defers catch, which
// turns such a fault into a mark; the read then fails with readWatched's
// error. A nil *faults watches nothing: the file is in memory of its own.
type faults struct {
	lo, hi uintptr // the mapping's addresses: a fault outside them is a bug
	hit    atomic.Bool
}

// newFaults returns a watch on faults on the memory of data.
func newFaults(data []byte) *faults {
	p := uintptr(unsafe.Pointer(unsafe.SliceData(data)))
	return &faults{lo: p, hi: p + uintptr(len(data))}
}

// watch makes a fault on memory in the calling goroutine a panic, which a
// deferred catch recovers, and returns the setting it had. A goroutine
// that ends need not restore it.
func (g *faults) watch() bool {
	if g == nil {
		return false
	}
	return debug.SetPanicOnFault(true)
}

// catch, deferred by a goroutine that watches, recovers the panic of a
// fault on the mapping and marks it. Any other panic goes on.
func (g *faults) catch() {
	if g == nil {
		return
	}
	e := recover()
	if e == nil {
		return
	}
	if f, ok := e.(interface{ Addr() uintptr }); ok && f.Addr() >= g.lo && f.Addr() < g.hi {
		g.hit.Store(true)
		return
	}
	panic(e)
}

// cut reports whether a goroutine met a fault on the mapping.
func (g *faults) cut() bool { return g != nil && g.hit.Load() }

// readWatched runs read, which reads a mapped file, on this goroutine
// watched by g, and returns its result or, when any of its goroutines met
// the file cut short, an error that says so.
func readWatched(name string, g *faults, read func() (*Batch, error)) (*Batch, error) {
	b, err := func() (*Batch, error) {
		defer debug.SetPanicOnFault(g.watch())
		defer g.catch()
		return read()
	}()
	if g.cut() {
		return nil, fmt.Errorf("%s：读取失败：文件在读取时被改短了（另一个程序正在写它？）；请等它写完后重新运行", name)
	}
	return b, err
}

// mapMin is the size from which a read into an arena maps a file rather
// than read it into memory. Tests make it small.
var mapMin int64 = readPartsMin

// cutAt, when set, is called at two moments of the read of a mapped
// file: "mapped", right after it is mapped, and "chunks",
// before its rows are read in parallel. Tests cut the file short there.
var cutAt func(at string)

// filesMapped counts the files mapped, for tests.
var filesMapped atomic.Int64

// mapped returns the content of f, size bytes long (at most maxFileSize), mapped into memory
// when opt has an arena, the file is large enough and holds no workbook
// (whose reading this package does not watch), and a watch on the
// mapping; nil when it is to be read. The caller unmaps it
// (hugepages.UnmapFile) once read: nothing read keeps a part of it (the
// texts of the records are copied, as are the values errors quote).
func mapped(f *os.File, size int64, opt Options) ([]byte, *faults) {
	if opt.Arena == nil || size < mapMin {
		return nil, nil
	}
	var head [8]byte
	if n, _ := f.ReadAt(head[:], 0); bytes.HasPrefix(head[:n], zipMagic) {
		return nil, nil
	}
	data := hugepages.MapFile(f, int(size))
	if data == nil {
		return nil, nil
	}
	filesMapped.Add(1)
	if cutAt != nil {
		cutAt("mapped")
	}
	return data, newFaults(data)
}
