package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"fmt"
	"slices"
	"sync"
)

// linkedOperations reads ci_operations() once: the table is static in the
// library.
var linkedOperations = sync.OnceValue(func() []OperationInfo {
	var n C.size_t
	p := C.ci_operations(&n)
	return goSlice(p, n, new(copier), goOperationInfo)
})

// Operations lists every describe call the linked library offers, in
// Operation order (from ci_operations()). Each has a Describe... and a
// ...Pages method on [Client], generated from the same table; a test fails
// when the two disagree.
func Operations() []OperationInfo { return slices.Clone(linkedOperations()) }

// String is the operation's API name, e.g. "DescribeMediaBuckets", as the
// library names it; an unknown number reads "operation(99)".
func (o Operation) String() string {
	for _, info := range linkedOperations() {
		if info.Operation == o {
			return info.Name
		}
	}
	return fmt.Sprintf("operation(%d)", uint32(o))
}

// Takes says whether the call takes the query field p.
func (o OperationInfo) Takes(p Param) bool { return o.Params&p != 0 }
