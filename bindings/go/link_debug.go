//go:build !cloudinfinite_pkgconfig

package cloudinfinite

// By default the package links the static debug library of this repository
// (what `make build` or `cargo build --features emulator --lib --bins`
// leaves in target/debug), so `go test` needs no LD_LIBRARY_PATH. The
// static library leaves pthread, dl and libm to the final link.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: ${SRCDIR}/../../target/debug/libcloud_infinite.a -lpthread -ldl -lm
*/
import "C"
