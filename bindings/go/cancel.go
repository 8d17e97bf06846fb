package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"context"
	"errors"
	"sync/atomic"
	"unsafe"
)

// liveCancelHandles counts the ci_cancel handles made and not yet freed,
// for the tests' leak checks (and to prove a context that cannot end
// makes none).
var liveCancelHandles atomic.Int64

// canceller ties a context to one ci_cancel: once the context is done, the
// library ends the call (or every page of the pager) that carries the
// handle within about 10 ms, wherever it is, and closes its connection.
// One handle serves one call or one walk, since a cancelled handle stays
// cancelled.
type canceller struct {
	handle *C.ci_cancel
	// stop unregisters the context.AfterFunc that cancels handle.
	stop func() bool
	// fired is closed once that AfterFunc's ci_cancel_cancel has returned,
	// so that release never frees the handle under it.
	fired chan struct{}
}

// newCanceller makes the handle for one call or walk under ctx; nil (no
// handle, no C object, no AfterFunc) for a context that can never end,
// whose Done channel is nil: the fast path.
func newCanceller(ctx context.Context) *canceller {
	if ctx.Done() == nil {
		return nil
	}
	cc := &canceller{handle: C.ci_cancel_new(), fired: make(chan struct{})}
	liveCancelHandles.Add(1)
	handle := cc.handle
	cc.stop = context.AfterFunc(ctx, func() {
		// The handle is live: release waits for this function before it
		// frees it.
		C.ci_cancel_cancel(handle)
		close(cc.fired)
	})
	return cc
}

// ptr is what ci_query.cancel gets: NULL for no canceller.
func (cc *canceller) ptr() *C.ci_cancel {
	if cc == nil {
		return nil
	}
	return cc.handle
}

// release stops the AfterFunc, waits for it if the context ended and it
// has started, then frees the handle. It runs once, after the C call (or
// after ci_pager_new, when the pager took its own reference) is done with
// the handle: a call or pager keeps its own reference, so nothing in
// flight depends on it.
func (cc *canceller) release() {
	if cc == nil {
		return
	}
	if !cc.stop() {
		// The context ended: the AfterFunc runs (or ran) on its own
		// goroutine.
		<-cc.fired
	}
	cfree(unsafe.Pointer(cc.handle))
	cc.handle = nil
	liveCancelHandles.Add(-1)
}

// contextError is what a call reports when its context ended before the
// answer came: an [*Error] of kind KindCancelled that wraps
// context.Canceled for a cancelled context, or of kind KindTimeout that
// wraps context.DeadlineExceeded for a deadline that passed, so that
// errors.Is finds the kind and the context's error alike. A cause given to
// context.WithCancelCause (or WithDeadlineCause) is quoted in the message.
func contextError(ctx context.Context) error {
	err := ctx.Err()
	var e *Error
	if errors.Is(err, context.DeadlineExceeded) {
		e = deadlineError(err)
	} else {
		e = &Error{Kind: KindCancelled, Message: "the context was cancelled before the answer came", cause: err}
	}
	if cause := context.Cause(ctx); cause != nil && cause != err {
		e.Message += ": " + cause.Error()
	}
	return e
}

// deadlineError is a KindTimeout error for a context deadline (err is
// context.DeadlineExceeded) that passed before the answer came.
func deadlineError(err error) *Error {
	return &Error{Kind: KindTimeout, Message: "the context's deadline passed before the answer came", cause: err}
}

// callError is what a call or a page reports for err, the library's
// answer (nil for success): a cancelled call, whose handle only the
// context's end cancels, reads as contextError; a library timeout that
// the context's deadline set (fromDeadline) wraps
// context.DeadlineExceeded too.
func callError(ctx context.Context, err error, fromDeadline bool) error {
	var e *Error
	if !errors.As(err, &e) {
		return err
	}
	if e.Kind == KindCancelled && ctx.Err() != nil {
		return contextError(ctx)
	}
	if fromDeadline && e.Kind == KindTimeout && e.cause == nil {
		e.cause = context.DeadlineExceeded
	}
	return err
}
