package cloudinfinite

/*
#include "cloud_infinite.h"
*/
import "C"

import (
	"time"
	"unsafe"
)

// KV is a name and a raw (not yet encoded) value: a query parameter or a
// header for [Sign].
type KV struct {
	Name  string
	Value string
}

// SignRequest is what [Sign] signs.
type SignRequest struct {
	// SecretID (q-ak).
	SecretID string
	// SecretKey.
	SecretKey string
	// Method, e.g. "GET".
	Method string
	// Path, e.g. "/picbucket", used as given.
	Path string
	// Params are the query parameters, all signed.
	Params []KV
	// Headers: those Tencent's SDKs sign are signed (host, content and
	// conditional headers, x-cos-*, x-ci-*...), the others left out.
	Headers []KV
	// StartTime is the first second of validity.
	StartTime time.Time
	// EndTime is the last second of validity, not before StartTime.
	EndTime time.Time
}

// Signature is a computed signature with its intermediate strings.
type Signature struct {
	// Authorization is the Authorization header's value.
	Authorization string
	// Signature is q-signature, 40 lowercase hex digits.
	Signature string
	// HeaderList is q-header-list: the signed header names, ';'-separated.
	HeaderList string
	// ParamList is q-url-param-list: the signed parameter names, ';'-separated.
	ParamList string
	// HTTPString is the canonical request that was hashed (HttpString).
	HTTPString string
	// StringToSign is the StringToSign.
	StringToSign string
}

// Sign signs a request with q-sign-algorithm=sha1 exactly as Tencent's SDKs
// do, for COS/CI calls this package does not wrap. It is pure (nothing is
// sent) and safe for concurrent use; the library does the signing.
//
// Errors are *Error: KindInvalidArgument when EndTime is before StartTime,
// a time is before 1970, or a string holds a NUL byte.
func Sign(r SignRequest) (*Signature, error) {
	if err := abiOK(); err != nil {
		return nil, err
	}
	var a arena
	defer a.free()
	var c C.ci_sign_request
	var err error
	fields := []struct {
		dst   **C.char
		value string
		name  string
	}{
		{&c.secret_id, r.SecretID, "SignRequest.SecretID"},
		{&c.secret_key, r.SecretKey, "SignRequest.SecretKey"},
		{&c.method, r.Method, "SignRequest.Method"},
		{&c.path, r.Path, "SignRequest.Path"},
	}
	for _, f := range fields {
		if *f.dst, err = a.string(f.value, f.name); err != nil {
			return nil, err
		}
	}
	if c.params, c.params_len, err = a.kvs(r.Params, "SignRequest.Params"); err != nil {
		return nil, err
	}
	if c.headers, c.headers_len, err = a.kvs(r.Headers, "SignRequest.Headers"); err != nil {
		return nil, err
	}
	if c.start_time, err = unixSeconds(r.StartTime, "SignRequest.StartTime"); err != nil {
		return nil, err
	}
	if c.end_time, err = unixSeconds(r.EndTime, "SignRequest.EndTime"); err != nil {
		return nil, err
	}
	var out *C.ci_signature
	if err := goError(C.ci_sign(&c, &out)); err != nil {
		return nil, err
	}
	defer cfree(unsafe.Pointer(out))
	return &Signature{
		Authorization: C.GoString(out.authorization),
		Signature:     C.GoString(out.signature),
		HeaderList:    C.GoString(out.header_list),
		ParamList:     C.GoString(out.param_list),
		HTTPString:    C.GoString(out.http_string),
		StringToSign:  C.GoString(out.string_to_sign),
	}, nil
}

func unixSeconds(t time.Time, name string) (C.uint64_t, error) {
	s := t.Unix()
	if s < 0 {
		return 0, invalidArgument("%s (%v) is before 1970: a signature's times are Unix seconds", name, t)
	}
	return C.uint64_t(s), nil
}
