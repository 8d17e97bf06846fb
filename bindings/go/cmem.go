package cloudinfinite

/*
#include <stdlib.h>
#include "cloud_infinite.h"
*/
import "C"

import (
	"strings"
	"unsafe"
)

// arena holds the C copies of one call's arguments. cgo forbids handing C
// a Go pointer to memory that itself holds Go pointers, and a query's lists
// are exactly that; copying every string and array into C memory keeps the
// rules simple, and the whole lot is freed once the call returns (the C ABI
// borrows arguments for the call only).
type arena struct {
	blocks []unsafe.Pointer
}

// string copies s into C memory. C strings end at the first NUL, so a Go
// string holding one would be cut silently: that is refused instead.
func (a *arena) string(s, name string) (*C.char, error) {
	if strings.IndexByte(s, 0) >= 0 {
		return nil, invalidArgument("%s holds a NUL byte, which a C string cannot carry", name)
	}
	p := C.CString(s)
	a.blocks = append(a.blocks, unsafe.Pointer(p))
	return p, nil
}

// optionalString is string, with "" meaning "not set" (NULL), the C ABI's
// convention for optional strings.
func (a *arena) optionalString(s, name string) (*C.char, error) {
	if s == "" {
		return nil, nil
	}
	return a.string(s, name)
}

// list copies a list of strings into a C array; an empty list is NULL, 0.
func (a *arena) list(items []string, name string) (**C.char, C.size_t, error) {
	if len(items) == 0 {
		return nil, 0, nil
	}
	array := (**C.char)(a.alloc(uintptr(len(items)) * unsafe.Sizeof((*C.char)(nil))))
	slots := unsafe.Slice(array, len(items))
	for i, item := range items {
		p, err := a.string(item, name)
		if err != nil {
			return nil, 0, err
		}
		slots[i] = p
	}
	return array, C.size_t(len(items)), nil
}

// kvs copies name/value pairs into a C array of ci_kv.
func (a *arena) kvs(items []KV, name string) (*C.ci_kv, C.size_t, error) {
	if len(items) == 0 {
		return nil, 0, nil
	}
	array := (*C.ci_kv)(a.alloc(uintptr(len(items)) * C.sizeof_ci_kv))
	slots := unsafe.Slice(array, len(items))
	for i, item := range items {
		k, err := a.string(item.Name, name+" name")
		if err != nil {
			return nil, 0, err
		}
		v, err := a.string(item.Value, name+" value")
		if err != nil {
			return nil, 0, err
		}
		slots[i] = C.ci_kv{name: k, value: v}
	}
	return array, C.size_t(len(items)), nil
}

func (a *arena) alloc(size uintptr) unsafe.Pointer {
	p := C.calloc(1, C.size_t(size))
	if p == nil {
		panic("cloudinfinite: out of C memory")
	}
	a.blocks = append(a.blocks, p)
	return p
}

func (a *arena) free() {
	for _, p := range a.blocks {
		C.free(p)
	}
	a.blocks = nil
}

// goStringOrEmpty copies a C string that may be NULL; NULL reads "".
func goStringOrEmpty(p *C.char) string {
	if p == nil {
		return ""
	}
	return C.GoString(p)
}

// cfree releases anything the library handed out.
func cfree(p unsafe.Pointer) {
	if p != nil {
		C.ci_free(p)
	}
}
