package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"context"
	"iter"
	"math"
	"runtime"
	"unsafe"
)

// DefaultPageConcurrency is how many pages a walk fetches at once when
// [WithConcurrency] is not given: the first page alone, then, once it
// tells the TotalCount, up to this many of the next ones in parallel
// (CI_DEFAULT_PAGE_CONCURRENCY).
const DefaultPageConcurrency = C.CI_DEFAULT_PAGE_CONCURRENCY

// MaxPageConcurrency is the most [WithConcurrency] may ask
// (CI_MAX_PAGE_CONCURRENCY).
const MaxPageConcurrency = C.CI_MAX_PAGE_CONCURRENCY

// PageOption is an option of one walk, given to a <Name>Pages method after
// its query. The query's fields say what is listed, and its Timeout bounds
// each page; a PageOption says how the pages are fetched.
type PageOption func(*pageOptions)

// pageOptions are a walk's PageOptions, applied in order (the last wins).
type pageOptions struct {
	hasConcurrency bool
	concurrency    int
}

// WithConcurrency sets how many pages the walk may fetch at once
// (ci_query.concurrency): once the first page tells the TotalCount, the
// library requests up to n of the next pages in parallel and the walk
// still yields them in order; a 429 or SlowDown answer halves the number.
// n is 1 (one page after the other, as a walk without a TotalCount always
// goes) to [MaxPageConcurrency]; without this option it is
// [DefaultPageConcurrency]. Another n makes the walk yield a
// KindInvalidArgument error, once, before anything is sent.
//
// Pages fetched ahead are held by the library until the loop asks for
// them: at most n pages of memory beyond the one in hand. Breaking out of
// the loop, or the context ending, cancels them.
func WithConcurrency(n int) PageOption {
	return func(o *pageOptions) { o.hasConcurrency, o.concurrency = true, n }
}

// toC sets the query's pager-only fields.
func (o *pageOptions) toC(c *C.ci_query) error {
	if !o.hasConcurrency {
		return nil
	}
	if o.concurrency < 0 || o.concurrency > math.MaxUint32 {
		return invalidArgument("WithConcurrency(%d): the concurrency must be 1 to %d", o.concurrency, MaxPageConcurrency)
	}
	// 0 and more than the maximum are the library's to refuse, with the
	// same message as in every language.
	c.has_concurrency, c.concurrency = 1, C.uint32_t(o.concurrency)
	return nil
}

// pages walks every page of op through the library's pager, the generic
// body of every ...Pages method (operations_gen.go).
//
// An error is yielded once, with a nil page, and ends the walk; so does a
// context that ends or a client that is closed between pages. The query's
// Timeout (or the client's) bounds each page, the pages fetched ahead
// included, not the walk; the time left until the context's deadline when
// the walk starts, if sooner, replaces it. A context that can end gets one
// ci_cancel for the whole walk, given to ci_pager_new: when the context
// ends, the page in flight and every page fetched ahead stop at once and
// their connections close.
func pages[P any](ctx context.Context, c *Client, op Operation, bucket *string, q query, opts []PageOption, conv func(*C.ci_page) P) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		var zero P
		if ctx.Err() != nil {
			yield(zero, contextError(ctx))
			return
		}
		var po pageOptions
		for _, o := range opts {
			o(&po)
		}
		a := new(arena)
		args, err := c.args(ctx, a, bucket, q)
		if err == nil {
			err = po.toC(&args.query)
		}
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
		cc := newCanceller(ctx)
		args.query.cancel = cc.ptr()
		// ci_pager_new only checks the arguments and copies them: it sends
		// nothing, so it runs here rather than in the background, and the
		// arena is freed right after. The pager keeps its own reference to
		// the ci_cancel.
		var pager *C.ci_pager
		err = goError(C.ci_pager_new(h, C.uint32_t(op), args.bucket, &args.query, &pager))
		runtime.KeepAlive(c)
		a.free()
		if err != nil {
			cc.release()
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
			// Freeing the pager cancels the pages fetched ahead.
			cfree(unsafe.Pointer(pager))
			cc.release()
			c.release()
		})
	}
}

// walk drives a pager on the caller's goroutine: next fetches one page
// (more false at the end), and freePager runs exactly once, after the last
// next has returned, also when the loop body panics.
func walk[T any](ctx context.Context, c *Client, fromDeadline bool, yield func(T, error) bool, next func() (T, bool, error), freePager func()) {
	var zero T
	defer freePager()
	for {
		if ctx.Err() != nil {
			yield(zero, contextError(ctx))
			return
		}
		// The pager holds its own reference to the library's client, so
		// Close would not stop it: check, so that no page comes after Close.
		if c.isClosed() {
			yield(zero, closedError())
			return
		}
		v, more, err := next()
		if err != nil {
			yield(zero, callError(ctx, err, fromDeadline))
			return
		}
		if !more || !yield(v, nil) {
			return
		}
	}
}
