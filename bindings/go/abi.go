package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"fmt"
	"strings"
	"sync"
)

// The version this package was generated for (abiVersion) and the structs
// whose sizes are compared (structSizes) are in abi_gen.go, from the header.

// libraryABI is what the linked library says of itself.
type libraryABI struct {
	version    uint32
	structSize func(id uint32) uintptr
}

func linkedABI() libraryABI {
	return libraryABI{
		version:    uint32(C.ci_abi_version()),
		structSize: func(id uint32) uintptr { return uintptr(C.ci_struct_size(C.uint32_t(id))) },
	}
}

// checkABI compares the library with what this package expects and lists
// every difference, so one rebuild fixes them all.
func checkABI(lib libraryABI) error {
	var problems []string
	if C.CI_ABI_VERSION != abiVersion {
		problems = append(problems, fmt.Sprintf("the header this package compiled against is C ABI version %d, this package was generated for version %d", C.CI_ABI_VERSION, abiVersion))
	}
	if lib.version != abiVersion {
		problems = append(problems, fmt.Sprintf("the library implements C ABI version %d, this package was generated for version %d", lib.version, abiVersion))
	}
	for _, m := range structSizes {
		if got := lib.structSize(m.id); got != m.size {
			problems = append(problems, fmt.Sprintf("%s is %d bytes in the library but %d in the header this package was compiled with", m.name, got, m.size))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s; rebuild the library and this package from the same source (cargo build, then go build)", ErrABIMismatch, strings.Join(problems, "; "))
}

// abiOK checks the linked library once, the first time a client is made or
// a request signed: a mismatch is then an error, not a crash at import.
var abiOK = sync.OnceValue(func() error { return checkABI(linkedABI()) })

// Version is the linked library's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.ci_version()) }
