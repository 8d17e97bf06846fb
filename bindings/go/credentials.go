package cloudinfinite

/*
#include <stdint.h>
#include "cloud_infinite.h"

// ciGoCredentials is the exported Go trampoline (credentials_export.go).
extern int32_t ciGoCredentials(void *user_data, ci_credential_values *out, char *message, size_t message_len);

// ci_go_credentials_callback is the trampoline as the C ABI's callback
// type, so that Go can store it in ci_client_options.
static ci_credentials_callback ci_go_credentials_callback(void) { return ciGoCredentials; }

// ci_go_user_data turns a runtime/cgo.Handle into the callback's void *
// user data. The handle is a number, never a Go pointer, so cgo's pointer
// rules do not apply to it; doing the conversion in C keeps go vet's
// unsafe.Pointer check quiet.
static void *ci_go_user_data(uintptr_t handle) { return (void *)handle; }
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Credentials are keys to sign with: what a [CredentialsFunc] hands the
// library, and what [Client.SetCredentials] installs.
type Credentials struct {
	// SecretID is the SecretId (or a role's TmpSecretId). Required.
	SecretID string
	// SecretKey is the SecretKey (or TmpSecretKey). Required.
	SecretKey string
	// SessionToken is the token of temporary credentials ("" for none),
	// sent and signed as x-ci-security-token.
	SessionToken string
	// ExpiresAt is when they stop working; the zero Time for keys that
	// never expire. The C ABI counts whole Unix seconds, so it is rounded
	// down to the second (never later than the time given). A client with
	// a provider asks it again before this time, by Options.RefreshMargin.
	ExpiresAt time.Time
}

// CredentialsFunc is a credentials provider written in Go (see
// Options.CredentialsFunc): it returns the keys to sign with, or an error.
//
// The library calls it when the client first needs keys and again before
// the keys it returned expire (ExpiresAt, less the refresh margin; keys
// with a zero ExpiresAt are fetched once). It runs on whichever thread
// makes the call that needs keys, never twice at once for one client, so it
// needs no locking of its own for that; calls needing keys meanwhile wait
// for that one fetch. It takes no context because no single call owns a
// fetch: bound its own work (e.g. with context.WithTimeout inside), since
// every call waiting on it waits as long.
//
// An error it returns, or a panic inside it (recovered, never a crash),
// fails the calls that needed new keys with a [KindCredentials] [*Error]
// whose Message holds the error's text; while the previous keys still
// work, a failed refresh is not an error, and the keys keep serving.
type CredentialsFunc func() (Credentials, error)

// toC fills a ci_credential_values whose strings live in a; what names
// the value in messages ("SetCredentials", "the CredentialsFunc's answer").
func (cr *Credentials) toC(a *arena, what string) (C.ci_credential_values, error) {
	var v C.ci_credential_values
	var err error
	// secret_id and secret_key are required: "" goes as "" for the library
	// to refuse with its own message, not as NULL.
	if v.secret_id, err = a.string(cr.SecretID, what+" SecretID"); err != nil {
		return v, err
	}
	if v.secret_key, err = a.string(cr.SecretKey, what+" SecretKey"); err != nil {
		return v, err
	}
	if v.session_token, err = a.optionalString(cr.SessionToken, what+" SessionToken"); err != nil {
		return v, err
	}
	v.expires_at_unix = expiresAtUnix(cr.ExpiresAt)
	return v, nil
}

// expiresAtUnix is ExpiresAt as the ABI's expires_at_unix: 0 (never) for
// the zero Time, else whole seconds rounded down; a time at or before the
// Unix epoch is 1, already expired, since 0 would mean "never".
func expiresAtUnix(t time.Time) C.uint64_t {
	if t.IsZero() {
		return 0
	}
	if s := t.Unix(); s > 0 {
		return C.uint64_t(s)
	}
	return 1
}

// credentialsProvider is what a client's cgo.Handle refers to: the Go
// function and the C copies of its last answer.
type credentialsProvider struct {
	fn CredentialsFunc
	// mu orders the fetches for the race detector; the library already
	// calls one at a time per client, but its lock is in C, out of sight.
	mu sync.Mutex
	// held keeps the strings of the last answer: the library copies them
	// after the callback has returned, so they live until the next fetch
	// (which begins only once that copy is done) or until the client is
	// freed.
	held arena
}

// liveCredentialsHandles counts the handles made and not yet deleted, so
// that tests can prove Close, a failed NewClient and the finalizer let go
// of every CredentialsFunc.
var liveCredentialsHandles atomic.Int64

// newCredentialsHandle makes the user data of a client whose provider is fn.
func newCredentialsHandle(fn CredentialsFunc) cgo.Handle {
	liveCredentialsHandles.Add(1)
	return cgo.NewHandle(&credentialsProvider{fn: fn})
}

// deleteCredentialsHandle frees h and its provider's C strings. It runs
// after the library's client is freed, when no callback can come any more.
func deleteCredentialsHandle(h cgo.Handle) {
	p := h.Value().(*credentialsProvider)
	p.mu.Lock()
	p.held.free()
	p.mu.Unlock()
	h.Delete()
	liveCredentialsHandles.Add(-1)
}

// Status codes the trampoline returns; the library puts the number and the
// message in its error ("the CredentialsFunc panicked: ... (status 2)").
const (
	credentialsFailed   = 1 // the CredentialsFunc returned an error
	credentialsPanicked = 2 // it panicked
	credentialsUnusable = 3 // its answer cannot be handed to C (a NUL byte)
)

// fetch calls the function and fills out, or writes a message and returns
// a status other than 0.
func (p *credentialsProvider) fetch(out *C.ci_credential_values, message *C.char, messageLen C.size_t) C.int32_t {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The library copied the previous answer before this fetch began.
	p.held.free()
	creds, err := p.fn()
	if err != nil {
		return failure(message, messageLen, credentialsFailed, "the CredentialsFunc returned an error: "+err.Error())
	}
	v, err := creds.toC(&p.held, "the CredentialsFunc's")
	if err != nil {
		return failure(message, messageLen, credentialsUnusable, err.(*Error).Message)
	}
	*out = v
	return 0
}

// failure writes text into the library's message buffer (cut to fit at a
// UTF-8 boundary, NUL-terminated) and returns status.
func failure(message *C.char, messageLen C.size_t, status C.int32_t, text string) C.int32_t {
	if message == nil || messageLen == 0 {
		return status
	}
	buf := unsafe.Slice((*byte)(unsafe.Pointer(message)), int(messageLen))
	n := min(len(text), len(buf)-1)
	for n > 0 && n < len(text) && !utf8.RuneStart(text[n]) {
		n--
	}
	copy(buf, text[:n])
	buf[n] = 0
	return status
}

// panicMessage is what a recovered panic says.
func panicMessage(r any) string {
	return fmt.Sprintf("the CredentialsFunc panicked: %v", r)
}

// credentialsCallback is the C function pointer of the trampoline.
func credentialsCallback() C.ci_credentials_callback { return C.ci_go_credentials_callback() }

// credentialsUserData is h as the callback's user data.
func credentialsUserData(h cgo.Handle) unsafe.Pointer {
	return C.ci_go_user_data(C.uintptr_t(h))
}
