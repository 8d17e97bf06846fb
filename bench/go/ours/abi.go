package main

// Direct C calls, with no Go-side conversion: a call that does nothing
// (ci_abi_version), and one call of each API whose C result is freed
// unread, to split a binding call into the library's part and the binding's.
// The library is linked by the binding's cgo flags; link_*.go only find the
// header and name the same library again (an archive or .so named twice adds
// nothing).

/*
#include <stdlib.h>
#include <cloud_infinite.h>

static ci_client *bench_client(const char *addr) {
	ci_client_options o = {0};
	o.secret_id = "AKIDemulatorEXAMPLE";
	o.secret_key = "emulator-secret-key";
	o.region = "ap-guangzhou";
	o.connect_to = addr;
	o.scheme = CI_SCHEME_HTTP;
	o.proxy_mode = CI_PROXY_MODE_DISABLED;
	o.has_max_retries = 1;
	o.max_retries = 0;
	ci_client *c = NULL;
	ci_error *e = ci_client_new(&o, &c);
	if (e) { ci_free(e); return NULL; }
	return c;
}

static long bench_pics(const ci_client *c, uint64_t size) {
	ci_query q = {0};
	q.has_page_size = 1;
	q.page_size = size;
	ci_page *p = NULL;
	ci_error *e = ci_describe(c, CI_OPERATION_PIC_BUCKETS, NULL, &q, &p);
	if (e) { ci_free(e); return -1; }
	long n = (long)p->buckets_len;
	ci_free(p);
	return n;
}

static long bench_queues(const ci_client *c, const char *bucket, uint64_t size) {
	ci_query q = {0};
	q.has_page_size = 1;
	q.page_size = size;
	ci_page *p = NULL;
	ci_error *e = ci_describe(c, CI_OPERATION_AI_QUEUES, bucket, &q, &p);
	if (e) { ci_free(e); return -1; }
	long n = (long)p->queues_len;
	ci_free(p);
	return n;
}
*/
import "C"

import (
	"unsafe"

	"cloud-infinite/bench/benchkit"
)

func abiVersion() uint32 { return uint32(C.ci_abi_version()) }

// cCaller makes calls straight through the C ABI (results freed unread).
func cCaller(addr, bucket string) (benchkit.Caller, func()) {
	cAddr := C.CString(addr)
	cBucket := C.CString(bucket)
	client := C.bench_client(cAddr)
	if client == nil {
		benchkit.Fail("ci_client_new failed")
	}
	return func(c benchkit.Case) (int, error) {
			var n C.long
			if c.API == "pic" {
				n = C.bench_pics(client, C.uint64_t(c.Size))
			} else {
				n = C.bench_queues(client, cBucket, C.uint64_t(c.Size))
			}
			if n < 0 {
				return 0, errCall
			}
			return int(n), nil
		}, func() {
			C.ci_free(unsafe.Pointer(client))
			C.free(unsafe.Pointer(cAddr))
			C.free(unsafe.Pointer(cBucket))
		}
}
