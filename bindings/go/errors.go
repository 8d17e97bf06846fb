package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"strings"
	"unsafe"
)

// ErrClosed is what every call on a closed [Client] reports (inside an
// [*Error] of kind KindInvalidArgument): errors.Is(err, ErrClosed).
var ErrClosed = errors.New("cloudinfinite: the client is closed")

// ErrABIMismatch is wrapped by the error NewClient and Sign return when the
// linked libcloud_infinite does not match the C ABI this package was written
// for (a header or library from another version).
var ErrABIMismatch = errors.New("cloudinfinite: libcloud_infinite does not match this binding")

// String names the kind, e.g. "timeout"; an unknown number (from a newer
// library) reads "kind(9)".
func (k Kind) String() string {
	if name, ok := k.name(); ok {
		return name
	}
	return fmt.Sprintf("kind(%d)", uint32(k))
}

// Error makes a Kind usable as a sentinel error; it reads as String does,
// so that fmt prints a Kind the same either way.
func (k Kind) Error() string { return k.String() }

// Error is every failure of this package that the library (or the context)
// reports. Get at it with [errors.As]; test its kind with [errors.Is] and
// the Err* sentinels. A context that ends a call gives an Error too,
// wrapping the context's error: KindCancelled and context.Canceled for a
// cancel, KindTimeout and context.DeadlineExceeded for a deadline.
//
//	var ciErr *cloudinfinite.Error
//	if errors.As(err, &ciErr) && ciErr.Code == "NoSuchBucket" { ... }
//
// The string fields are "" when the service sent no such value, and
// HTTPStatus is 0 when there was no answer (the service never sends an
// empty code or request id, so "" is unambiguous).
type Error struct {
	// Kind says what failed.
	Kind Kind
	// Message is meant for a person: what went wrong and, where it can,
	// what to do about it. It never holds a secret or a signature.
	Message string
	// Code is the service's error code, e.g. "SignatureDoesNotMatch".
	Code string
	// RequestID identifies the failed request to Tencent Cloud support.
	RequestID string
	// HTTPStatus is the status of the service's answer.
	HTTPStatus int
	// Resource is the error body's Resource element.
	Resource string
	// TraceID is the error body's TraceId element.
	TraceID string

	// cause is what the error wraps: the context's error (ctx.Err()) when
	// the context ended the call, context.Canceled for a KindCancelled
	// error and context.DeadlineExceeded for a KindTimeout one (also when
	// the deadline set the library's timeout that ran out); ErrClosed for a
	// call on a closed client.
	cause error
}

// Error formats the kind, the message and whatever the service said.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("cloudinfinite: ")
	b.WriteString(e.Kind.String())
	b.WriteString(": ")
	b.WriteString(e.Message)
	var details []string
	if e.Code != "" {
		details = append(details, "code "+e.Code)
	}
	if e.HTTPStatus != 0 {
		details = append(details, fmt.Sprintf("HTTP %d", e.HTTPStatus))
	}
	if e.RequestID != "" {
		details = append(details, "request id "+e.RequestID)
	}
	if len(details) > 0 {
		b.WriteString(" (" + strings.Join(details, ", ") + ")")
	}
	return b.String()
}

// Is reports whether target is this error's kind, so that
// errors.Is(err, ErrService) works.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// Unwrap returns the cause: context.Canceled for a call whose context was
// cancelled (KindCancelled), context.DeadlineExceeded for a timeout the
// context's deadline caused (KindTimeout), ErrClosed for a call on a
// closed client, else nil. So errors.Is(err, context.Canceled) and
// errors.As(err, &ciErr) both hold for a cancelled call.
func (e *Error) Unwrap() error { return e.cause }

// goError turns a ci_error into an *Error and frees it; nil for NULL.
func goError(e *C.ci_error) error {
	if e == nil {
		return nil
	}
	defer cfree(unsafe.Pointer(e))
	return &Error{
		Kind:       Kind(C.ci_error_kind(e)),
		Message:    C.GoString(C.ci_error_message(e)),
		Code:       goStringOrEmpty(C.ci_error_code(e)),
		RequestID:  goStringOrEmpty(C.ci_error_request_id(e)),
		HTTPStatus: int(C.ci_error_http_status(e)),
		Resource:   goStringOrEmpty(C.ci_error_resource(e)),
		TraceID:    goStringOrEmpty(C.ci_error_trace_id(e)),
	}
}

func invalidArgument(format string, args ...any) *Error {
	return &Error{Kind: KindInvalidArgument, Message: fmt.Sprintf(format, args...)}
}

func closedError() *Error {
	return &Error{Kind: KindInvalidArgument, Message: "the client is closed: make a new one with NewClient", cause: ErrClosed}
}

// debugPanic calls ci_debug_panic, which panics inside the library: tests
// use it to prove that a panic reaches Go as an error of kind KindPanic.
func debugPanic(message string) error {
	var a arena
	defer a.free()
	cmsg, err := a.optionalString(message, "message")
	if err != nil {
		return err
	}
	return goError(C.ci_debug_panic(cmsg))
}

// liveObjects is how many objects the library has handed out and not yet
// freed: tests use it to prove that nothing leaks.
func liveObjects() int { return int(C.ci_live_objects()) }
