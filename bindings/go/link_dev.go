//go:build cloudinfinite_dev && !cloudinfinite_pkgconfig

package cloudinfinite

// With the build tag cloudinfinite_dev the package links a library built in
// this checkout (target/debug by default). The header comes from the
// checkout's include/; the library itself comes in through CGO_LDFLAGS,
// which scripts/dist/go-dev-env.sh sets to a path that carries the
// library's content hash:
//
//	source scripts/dist/go-dev-env.sh   # from the repository root
//	go test -tags cloudinfinite_dev ./...
//
// Why not a fixed ${SRCDIR}/../../target/debug/libcloud_infinite.a here: Go's
// build and test caches key on the flags' text, not on the content of a file
// a flag names, so a rebuilt library behind an unchanged path could be served
// from the cache as the old link. CGO_LDFLAGS is part of the key, and a new
// library gives a new hash, so a new path, so a new link.
//
// The static library leaves pthread, dl and libm to the final link.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: -lpthread -ldl -lm
*/
import "C"
