package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"context"
	"runtime"
	"time"
	"unsafe"
)

// callTimeout is a call's timeout_ms: the query's own, cut to the time left
// before the context's deadline; fromDeadline says the deadline decided it.
// A query's timeout_ms replaces the client's, so a deadline only goes to the
// library when it is sooner than the timeout that would apply anyway
// (clientTimeout when the query has none): a far deadline must not lengthen
// a call.
func callTimeout(ctx context.Context, own, clientTimeout time.Duration) (ms C.uint64_t, fromDeadline bool, err error) {
	if ms, err = millis(own, "the query's Timeout"); err != nil {
		return 0, false, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		left := time.Until(deadline)
		if left <= 0 {
			// The context's timer may not have fired yet; the answer is the same.
			return 0, false, deadlineError(context.DeadlineExceeded)
		}
		applies := own
		if applies == 0 {
			applies = clientTimeout
		}
		if left < applies {
			leftMs, _ := millis(left, "the context's deadline")
			return leftMs, true, nil
		}
	}
	return ms, false, nil
}

// query is what the generated query types (queries_gen.go) have in common:
// their parameters, converted into a ci_query, and their own timeout.
type query interface {
	toC(a *arena, c *C.ci_query) error
	ownTimeout() time.Duration
}

// callArgs are one call's C arguments, their memory in an arena.
type callArgs struct {
	bucket *C.char // NULL for a call on the service's host
	query  C.ci_query
	// fromDeadline says the context's deadline set query.timeout_ms.
	fromDeadline bool
}

// args converts a call's arguments into a's C memory. bucket is nil for
// the calls that take none: the library then gets NULL, where an empty
// bucket of a queue call is sent as "" for the library to refuse.
func (c *Client) args(ctx context.Context, a *arena, bucket *string, q query) (*callArgs, error) {
	args := new(callArgs)
	var err error
	if bucket != nil {
		if args.bucket, err = a.string(*bucket, "bucket"); err != nil {
			return nil, err
		}
	}
	if err = q.toC(a, &args.query); err != nil {
		return nil, err
	}
	var ms C.uint64_t
	if ms, args.fromDeadline, err = callTimeout(ctx, q.ownTimeout(), c.timeout); err != nil {
		return nil, err
	}
	if ms != 0 {
		args.query.has_timeout_ms, args.query.timeout_ms = 1, ms
	}
	return args, nil
}

// describe makes one call of op, the generic body of every Describe...
// method (operations_gen.go): conv copies the page of op's shape into Go.
//
// A context already done returns contextError without sending anything.
// The context's deadline (if sooner than the query's or the client's
// timeout) becomes the call's timeout. A context that can end gets a
// ci_cancel for the call (ci_query.cancel), cancelled when the context
// ends: the library then stops the request wherever it is, closes its
// connection and returns at once, and the call reports contextError. A
// context whose Done is nil costs nothing of the kind.
func describe[P any](ctx context.Context, c *Client, op Operation, bucket *string, q query, conv func(*C.ci_page) P) (P, error) {
	var zero P
	if ctx.Err() != nil {
		return zero, contextError(ctx)
	}
	a := new(arena)
	args, err := c.args(ctx, a, bucket, q)
	if err != nil {
		a.free()
		return zero, err
	}
	cc := newCanceller(ctx)
	defer cc.release()
	args.query.cancel = cc.ptr()
	v, err := callNow(c, a, func(h *C.ci_client) (P, error) {
		var out *C.ci_page
		if err := goError(C.ci_describe(h, C.uint32_t(op), args.bucket, &args.query, &out)); err != nil {
			return zero, err
		}
		defer cfree(unsafe.Pointer(out))
		return conv(out), nil
	})
	return v, callError(ctx, err, args.fromDeadline)
}

// callNow runs f with the client's handle on this goroutine and frees a,
// the call's C arguments, afterwards. A blocking call runs here too: a
// cancelled context ends it in the library (see describe), so there is
// nothing to abandon in the background.
func callNow[T any](c *Client, a *arena, f func(*C.ci_client) (T, error)) (T, error) {
	defer a.free()
	h, err := c.acquire()
	if err != nil {
		var zero T
		return zero, err
	}
	defer c.release()
	v, err := f(h)
	// The handle must outlive the C call: keep the client (and so its
	// finalizer) away until here.
	runtime.KeepAlive(c)
	return v, err
}
