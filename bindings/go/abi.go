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

// abiVersion is the C ABI this package was written for.
const abiVersion = 2

// mirrors lists every C struct this package reads or fills, with the size
// cgo computed from the header it compiled against. The library reports
// its own sizes; a difference means header and library disagree, and
// reading a result through the wrong layout would be silent corruption.
var mirrors = []struct {
	id   uint32
	name string
	size uintptr
}{
	{C.CI_STRUCT_ID_CLIENT_OPTIONS, "ci_client_options", C.sizeof_ci_client_options},
	{C.CI_STRUCT_ID_PIC_BUCKET_QUERY, "ci_pic_bucket_query", C.sizeof_ci_pic_bucket_query},
	{C.CI_STRUCT_ID_AI_QUEUE_QUERY, "ci_ai_queue_query", C.sizeof_ci_ai_queue_query},
	{C.CI_STRUCT_ID_PIC_BUCKET, "ci_pic_bucket", C.sizeof_ci_pic_bucket},
	{C.CI_STRUCT_ID_PIC_BUCKET_PAGE, "ci_pic_bucket_page", C.sizeof_ci_pic_bucket_page},
	{C.CI_STRUCT_ID_NOTIFY_CONFIG, "ci_notify_config", C.sizeof_ci_notify_config},
	{C.CI_STRUCT_ID_AI_QUEUE, "ci_ai_queue", C.sizeof_ci_ai_queue},
	{C.CI_STRUCT_ID_AI_QUEUE_PAGE, "ci_ai_queue_page", C.sizeof_ci_ai_queue_page},
	{C.CI_STRUCT_ID_KV, "ci_kv", C.sizeof_ci_kv},
	{C.CI_STRUCT_ID_SIGN_REQUEST, "ci_sign_request", C.sizeof_ci_sign_request},
	{C.CI_STRUCT_ID_SIGNATURE, "ci_signature", C.sizeof_ci_signature},
}

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
	if lib.version != abiVersion {
		problems = append(problems, fmt.Sprintf("the library implements C ABI version %d, this package was written for version %d", lib.version, abiVersion))
	}
	for _, m := range mirrors {
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
