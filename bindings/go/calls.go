package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"context"
	"errors"
	"iter"
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
			return 0, false, context.DeadlineExceeded
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
// The context's deadline (if sooner than the query's or the client's
// timeout) becomes the call's timeout; a context already done returns its
// error without sending anything. Cancelling the context makes this return
// at once with ctx.Err(); the C ABI cannot interrupt a request yet, so the
// library finishes it (within the call's timeout) in the background and its
// answer is dropped.
func describe[P any](ctx context.Context, c *Client, op Operation, bucket *string, q query, conv func(*C.ci_page) P) (P, error) {
	var zero P
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	a := new(arena)
	args, err := c.args(ctx, a, bucket, q)
	if err != nil {
		a.free()
		return zero, err
	}
	return call(ctx, c, a, args.fromDeadline, func(h *C.ci_client) (P, error) {
		var out *C.ci_page
		if err := goError(C.ci_describe(h, C.uint32_t(op), args.bucket, &args.query, &out)); err != nil {
			return zero, err
		}
		defer cfree(unsafe.Pointer(out))
		return conv(out), nil
	})
}

// pages walks every page of op through the library's pager, the generic
// body of every ...Pages method (operations_gen.go).
//
// An error is yielded once, with a nil page, and ends the walk; so does a
// context that ends or a client that is closed between pages. The time left
// until the context's deadline when the walk starts (if sooner than the
// call timeout) is each page's timeout, and the walk stops at the deadline.
func pages[P any](ctx context.Context, c *Client, op Operation, bucket *string, q query, conv func(*C.ci_page) P) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		var zero P
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		a := new(arena)
		args, err := c.args(ctx, a, bucket, q)
		if err != nil {
			a.free()
			yield(zero, err)
			return
		}
		// The walk holds the client like a call for as long as its pager
		// lives: the pager keeps the library's client alive, and with it
		// the CredentialsFunc it may call, whose handle Close must not
		// delete before the pager is freed.
		h, err := c.acquire()
		if err != nil {
			a.free()
			yield(zero, err)
			return
		}
		// ci_pager_new only checks the arguments and copies them: it sends
		// nothing, so it runs here rather than in the background, and the
		// arena is freed right after.
		var pager *C.ci_pager
		err = goError(C.ci_pager_new(h, C.uint32_t(op), args.bucket, &args.query, &pager))
		runtime.KeepAlive(c)
		a.free()
		if err != nil {
			c.release()
			yield(zero, err)
			return
		}
		walk(ctx, c, args.fromDeadline, yield, func() (P, bool, error) {
			var out *C.ci_page
			if err := goError(C.ci_pager_next(pager, &out)); err != nil || out == nil {
				return zero, false, err
			}
			defer cfree(unsafe.Pointer(out))
			return conv(out), true, nil
		}, func() {
			cfree(unsafe.Pointer(pager))
			c.release()
		})
	}
}

// callNow runs f with the client's handle on this goroutine, for C calls
// that do not block; it frees a, the call's C arguments, afterwards.
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

// call runs f, a blocking C call, with the client's handle, and frees a,
// the call's C arguments, once f is done. When the context can end, f runs
// on its own goroutine so that this returns as soon as the context ends;
// f then finishes unobserved, and the client handle stays valid until it
// does (acquire/release), even across Close.
func call[T any](ctx context.Context, c *Client, a *arena, fromDeadline bool, f func(*C.ci_client) (T, error)) (T, error) {
	if ctx.Done() == nil {
		v, err := callNow(c, a, f)
		return v, withDeadlineCause(err, fromDeadline)
	}
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := callNow(c, a, f)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, withDeadlineCause(r.err, fromDeadline)
	case <-ctx.Done():
		var zero T
		return zero, contextError(ctx)
	}
}

// walk drives a pager: next fetches one page (more false at the end), and
// freePager runs exactly once, after the last next has returned, even when
// the loop body panics or the context ends while a page is in flight.
func walk[T any](ctx context.Context, c *Client, fromDeadline bool, yield func(T, error) bool, next func() (T, bool, error), freePager func()) {
	var zero T
	owned := true
	defer func() {
		if owned {
			freePager()
		}
	}()
	type result struct {
		v    T
		more bool
		err  error
	}
	for {
		if err := ctx.Err(); err != nil {
			yield(zero, err)
			return
		}
		// The pager holds its own reference to the library's client, so
		// Close would not stop it: check, so that no page comes after Close.
		if c.isClosed() {
			yield(zero, closedError())
			return
		}
		var r result
		if ctx.Done() == nil {
			r.v, r.more, r.err = next()
		} else {
			done := make(chan result, 1)
			go func() {
				var r result
				r.v, r.more, r.err = next()
				done <- r
			}()
			select {
			case r = <-done:
			case <-ctx.Done():
				// The page in flight cannot be stopped: the pager is freed
				// when it ends.
				owned = false
				go func() {
					<-done
					freePager()
				}()
				yield(zero, contextError(ctx))
				return
			}
		}
		if r.err != nil {
			yield(zero, withDeadlineCause(r.err, fromDeadline))
			return
		}
		if !r.more || !yield(r.v, nil) {
			return
		}
	}
}

// withDeadlineCause links a timeout that the context's deadline set to
// context.DeadlineExceeded, so errors.Is finds either.
func withDeadlineCause(err error, fromDeadline bool) error {
	var e *Error
	if fromDeadline && errors.As(err, &e) && e.Kind == KindTimeout && e.cause == nil {
		e.cause = context.DeadlineExceeded
	}
	return err
}

// contextError is what a call reports when its context ends first: a
// KindTimeout *Error wrapping context.DeadlineExceeded for a deadline, else
// the context's error (context.Canceled) itself.
func contextError(ctx context.Context) error {
	err := ctx.Err()
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Message: "the context's deadline passed before the answer came", cause: err}
	}
	return err
}
