package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import "unsafe"

// copier copies the strings and optional numbers of one C result into Go
// memory in a few shared blocks. Copied one by one, each optional string
// was two allocations (its bytes and the *string's header), some 1,000
// for a page of 100 buckets; through a copier the page takes a handful.
// A value keeps its block alive (at most copierBytes of text, copierStrs
// headers, copierNums numbers), so a copier serves one result, whose
// values live and die together.
type copier struct {
	text []byte
	strs []string
	nums []uint64
}

const (
	copierBytes = 8 << 10
	copierStrs  = 128
	copierNums  = 64
)

// str copies the C string at p; NULL reads "", as with C.GoString.
func (c *copier) str(p *C.char) string {
	if p == nil {
		return ""
	}
	n := cstrlen(p)
	if n == 0 {
		return ""
	}
	src := unsafe.Slice((*byte)(unsafe.Pointer(p)), n)
	if n > copierBytes/4 {
		// A long string gets its own allocation rather than a mostly
		// wasted block.
		return string(src)
	}
	if cap(c.text)-len(c.text) < n {
		c.text = make([]byte, 0, copierBytes)
	}
	start := len(c.text)
	c.text = append(c.text, src...)
	// The bytes are never written again: appends only extend the block,
	// and a full block is replaced, not reused.
	return unsafe.String(&c.text[start], n)
}

// optString copies a C string, keeping NULL (an absent element) as nil.
func (c *copier) optString(p *C.char) *string {
	if p == nil {
		return nil
	}
	if len(c.strs) == cap(c.strs) {
		c.strs = make([]string, 0, copierStrs)
	}
	c.strs = append(c.strs, c.str(p))
	return &c.strs[len(c.strs)-1]
}

// optUint64 keeps a number whose has_ flag is false as nil.
func (c *copier) optUint64(has C.bool, v C.uint64_t) *uint64 {
	if !bool(has) {
		return nil
	}
	if len(c.nums) == cap(c.nums) {
		c.nums = make([]uint64, 0, copierNums)
	}
	c.nums = append(c.nums, uint64(v))
	return &c.nums[len(c.nums)-1]
}

// cstrlen is strlen without a cgo call (which costs more than scanning
// the short strings of a page). It reads byte by byte: a wider read could
// run past the string's end into an unmapped page.
func cstrlen(p *C.char) int {
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(p), n)) != 0 {
		n++
	}
	return n
}

// goSlice converts the n C items at p with conv; an empty list is an
// empty slice, never nil, so that "none" and "absent" read the same.
func goSlice[T, G any](p *T, n C.size_t, c *copier, conv func(*T, *copier) G) []G {
	out := make([]G, int(n))
	if n > 0 {
		items := unsafe.Slice(p, int(n))
		for i := range items {
			out[i] = conv(&items[i], c)
		}
	}
	return out
}

// goStrings copies n C strings (a NULL item reads ""); empty, never nil.
func goStrings(p **C.char, n C.size_t, c *copier) []string {
	return goSlice(p, n, c, func(s **C.char, c *copier) string { return c.str(*s) })
}

// optRef converts the C struct at p, keeping NULL (an absent element) as nil.
func optRef[T, G any](p *T, c *copier, conv func(*T, *copier) G) *G {
	if p == nil {
		return nil
	}
	g := conv(p, c)
	return &g
}
