//go:build !cgo

package cloudinfinite

// The package is a cgo binding of a C library: without cgo there is nothing
// to call, so the build stops on this name rather than on the first missing
// C symbol.
var _ = cloudinfinite_requires_cgo_set_CGO_ENABLED_1
