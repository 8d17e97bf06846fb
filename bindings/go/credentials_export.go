package cloudinfinite

// This file holds only the exported trampoline: cgo forbids C definitions
// in the preamble of a file with //export, so the C shim that hands the
// trampoline to the library lives in credentials.go.

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"runtime/cgo"
	"unsafe"
)

// ciGoCredentials is the ci_credentials_callback of every client with a
// CredentialsFunc: the library calls it, from whichever thread needs keys,
// with the client's cgo.Handle as user data. A Go panic must never unwind
// into the library's C and Rust frames (it would crash the process), so it
// is recovered here and becomes the failure's message.
//
//export ciGoCredentials
func ciGoCredentials(userData unsafe.Pointer, out *C.ci_credential_values, message *C.char, messageLen C.size_t) (status C.int32_t) {
	defer func() {
		if r := recover(); r != nil {
			status = failure(message, messageLen, credentialsPanicked, panicMessage(r))
		}
	}()
	p := cgo.Handle(uintptr(userData)).Value().(*credentialsProvider)
	return p.fetch(out, message, messageLen)
}
