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

// PicBucketQuery holds the parameters of DescribePicProcessBucket. The zero
// value of a field means "not sent"; a nil *PicBucketQuery sends nothing.
type PicBucketQuery struct {
	// Regions (regions): only buckets in these regions.
	Regions []string
	// BucketNames (bucketNames): only these buckets, exact BucketName-APPID names.
	BucketNames []string
	// BucketNamePrefix (bucketName): only buckets whose name starts with this.
	BucketNamePrefix string
	// PageNumber (pageNumber), from 1; the service starts at 1.
	PageNumber uint64
	// PageSize (pageSize), 1 to 100; the service uses 10.
	PageSize uint64
	// Timeout bounds this call, all attempts included (not sent; zero: the
	// client's Options.Timeout). A context deadline that comes sooner wins.
	Timeout time.Duration
}

// QueueState filters AI queues by state.
type QueueState uint32

// The queue states.
const (
	// QueueStateAny lists queues in every state.
	QueueStateAny QueueState = C.CI_QUEUE_STATE_ANY
	// QueueStateActive lists active queues only.
	QueueStateActive QueueState = C.CI_QUEUE_STATE_ACTIVE
	// QueueStatePaused lists paused queues only.
	QueueStatePaused QueueState = C.CI_QUEUE_STATE_PAUSED
)

// AIQueueQuery holds the parameters of DescribeAiProcessQueues. The zero
// value of a field means "not sent"; a nil *AIQueueQuery sends nothing.
type AIQueueQuery struct {
	// QueueIDs (queueIds): only these queues. The answer then has no
	// paging fields and lists unknown ids in AIQueuePage.NonExistPIDs.
	QueueIDs []string
	// State (state): QueueStateActive or QueueStatePaused.
	State QueueState
	// Category (category), e.g. "AIProcess".
	Category string
	// PageNumber (pageNumber), from 1.
	PageNumber uint64
	// PageSize (pageSize), 1 to 100.
	PageSize uint64
	// Timeout bounds this call, all attempts included (not sent; zero: the
	// client's Options.Timeout). A context deadline that comes sooner wins.
	Timeout time.Duration
}

// callTimeout is a call's timeout_ms: the query's own, cut to the time left
// before the context's deadline; fromDeadline says the deadline decided it.
// A query's timeout_ms replaces the client's, so a deadline only goes to the
// library when it is sooner than the timeout that would apply anyway
// (clientTimeout when the query has none): a far deadline must not lengthen
// a call.
func callTimeout(ctx context.Context, own, clientTimeout time.Duration, name string) (ms C.uint64_t, fromDeadline bool, err error) {
	if ms, err = millis(own, name); err != nil {
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

func (q *PicBucketQuery) toC(ctx context.Context, a *arena, clientTimeout time.Duration) (c C.ci_pic_bucket_query, fromDeadline bool, err error) {
	if q == nil {
		q = &PicBucketQuery{}
	}
	if c.regions, c.regions_len, err = a.list(q.Regions, "PicBucketQuery.Regions"); err != nil {
		return
	}
	if c.bucket_names, c.bucket_names_len, err = a.list(q.BucketNames, "PicBucketQuery.BucketNames"); err != nil {
		return
	}
	if c.bucket_name_prefix, err = a.optionalString(q.BucketNamePrefix, "PicBucketQuery.BucketNamePrefix"); err != nil {
		return
	}
	c.page_number = C.uint64_t(q.PageNumber)
	c.page_size = C.uint64_t(q.PageSize)
	c.timeout_ms, fromDeadline, err = callTimeout(ctx, q.Timeout, clientTimeout, "PicBucketQuery.Timeout")
	return
}

func (q *AIQueueQuery) toC(ctx context.Context, a *arena, clientTimeout time.Duration) (c C.ci_ai_queue_query, fromDeadline bool, err error) {
	if q == nil {
		q = &AIQueueQuery{}
	}
	if c.queue_ids, c.queue_ids_len, err = a.list(q.QueueIDs, "AIQueueQuery.QueueIDs"); err != nil {
		return
	}
	c.state = C.uint32_t(q.State)
	if c.category, err = a.optionalString(q.Category, "AIQueueQuery.Category"); err != nil {
		return
	}
	c.page_number = C.uint64_t(q.PageNumber)
	c.page_size = C.uint64_t(q.PageSize)
	c.timeout_ms, fromDeadline, err = callTimeout(ctx, q.Timeout, clientTimeout, "AIQueueQuery.Timeout")
	return
}

// DescribePicBuckets calls DescribePicProcessBucket: one page of the
// account's image-processing buckets. q may be nil.
//
// The context's deadline (if sooner than q.Timeout or the client's timeout)
// becomes the call's timeout; a context already done returns its error
// without sending anything. Cancelling the context makes this return at
// once with ctx.Err(); the C ABI cannot interrupt a request, so the library
// finishes (within the call's timeout) in the background and its answer is
// dropped. Safe for concurrent use.
//
// Errors are *Error: KindInvalidArgument for a bad query (a page size
// outside 1..100, a region that is not a region name, a list item that is
// empty or holds a comma) and KindNetwork, KindTimeout, KindService,
// KindParse or KindResponseTooLarge for what happened on the wire.
func (c *Client) DescribePicBuckets(ctx context.Context, q *PicBucketQuery) (*PicBucketPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := new(arena)
	cq, fromDeadline, err := q.toC(ctx, a, c.timeout)
	if err != nil {
		a.free()
		return nil, err
	}
	return call(ctx, c, a, fromDeadline, func(h *C.ci_client) (*PicBucketPage, error) {
		var out *C.ci_pic_bucket_page
		if err := goError(C.ci_describe_pic_buckets(h, &cq, &out)); err != nil {
			return nil, err
		}
		defer cfree(unsafe.Pointer(out))
		return goPicBucketPage(out), nil
	})
}

// DescribeAIQueues calls DescribeAiProcessQueues: one page of the AI queues
// of bucket (BucketName-APPID form, e.g. "examplebucket-1250000000"). q may
// be nil. The context is honoured as by DescribePicBuckets.
//
// Errors are as for DescribePicBuckets, plus KindInvalidArgument for a
// bucket name not of the BucketName-APPID form and KindService with Code
// "NoSuchBucket" for an unknown bucket.
func (c *Client) DescribeAIQueues(ctx context.Context, bucket string, q *AIQueueQuery) (*AIQueuePage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a := new(arena)
	cbucket, err := a.string(bucket, "bucket")
	if err != nil {
		a.free()
		return nil, err
	}
	cq, fromDeadline, err := q.toC(ctx, a, c.timeout)
	if err != nil {
		a.free()
		return nil, err
	}
	return call(ctx, c, a, fromDeadline, func(h *C.ci_client) (*AIQueuePage, error) {
		var out *C.ci_ai_queue_page
		if err := goError(C.ci_describe_ai_queues(h, cbucket, &cq, &out)); err != nil {
			return nil, err
		}
		defer cfree(unsafe.Pointer(out))
		return goAIQueuePage(out), nil
	})
}

// PicBucketPages walks every page of q (nil: no parameters) from its
// PageNumber (default 1), through the library's pager: the paging logic is
// the library's. Nothing is sent until the loop starts, and each range over
// the result walks afresh.
//
//	for page, err := range client.PicBucketPages(ctx, &cloudinfinite.PicBucketQuery{PageSize: 100}) {
//		if err != nil {
//			return err
//		}
//		for _, b := range page.Buckets { ... }
//	}
//
// An error is yielded once, with a nil page, and ends the walk; so does a
// context that ends or a client that is closed between pages. The time left
// until the context's deadline when the walk starts (if sooner than the
// call timeout) is each page's timeout, and the walk stops at the deadline.
func (c *Client) PicBucketPages(ctx context.Context, q *PicBucketQuery) iter.Seq2[*PicBucketPage, error] {
	return func(yield func(*PicBucketPage, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		a := new(arena)
		cq, fromDeadline, err := q.toC(ctx, a, c.timeout)
		if err != nil {
			a.free()
			yield(nil, err)
			return
		}
		// ci_pic_bucket_pager_new only checks the query: it sends nothing,
		// so it runs here rather than in the background.
		pager, err := callNow(c, a, func(h *C.ci_client) (*C.ci_pic_bucket_pager, error) {
			var p *C.ci_pic_bucket_pager
			return p, goError(C.ci_pic_bucket_pager_new(h, &cq, &p))
		})
		if err != nil {
			yield(nil, err)
			return
		}
		walk(ctx, c, fromDeadline, yield, func() (*PicBucketPage, bool, error) {
			var out *C.ci_pic_bucket_page
			if err := goError(C.ci_pic_bucket_pager_next(pager, &out)); err != nil || out == nil {
				return nil, false, err
			}
			defer cfree(unsafe.Pointer(out))
			return goPicBucketPage(out), true, nil
		}, func() { cfree(unsafe.Pointer(pager)) })
	}
}

// AIQueuePages walks every page of bucket's AI queues, as PicBucketPages
// does for buckets. With QueueIDs there is a single page.
func (c *Client) AIQueuePages(ctx context.Context, bucket string, q *AIQueueQuery) iter.Seq2[*AIQueuePage, error] {
	return func(yield func(*AIQueuePage, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(nil, err)
			return
		}
		a := new(arena)
		cbucket, err := a.string(bucket, "bucket")
		if err != nil {
			a.free()
			yield(nil, err)
			return
		}
		cq, fromDeadline, err := q.toC(ctx, a, c.timeout)
		if err != nil {
			a.free()
			yield(nil, err)
			return
		}
		pager, err := callNow(c, a, func(h *C.ci_client) (*C.ci_ai_queue_pager, error) {
			var p *C.ci_ai_queue_pager
			return p, goError(C.ci_ai_queue_pager_new(h, cbucket, &cq, &p))
		})
		if err != nil {
			yield(nil, err)
			return
		}
		walk(ctx, c, fromDeadline, yield, func() (*AIQueuePage, bool, error) {
			var out *C.ci_ai_queue_page
			if err := goError(C.ci_ai_queue_pager_next(pager, &out)); err != nil || out == nil {
				return nil, false, err
			}
			defer cfree(unsafe.Pointer(out))
			return goAIQueuePage(out), true, nil
		}, func() { cfree(unsafe.Pointer(pager)) })
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
