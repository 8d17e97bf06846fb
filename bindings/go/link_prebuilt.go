//go:build !cloudinfinite_dev && !cloudinfinite_pkgconfig

package cloudinfinite

// The default: the stripped release static library and the header that the
// published module carries (`make dist` copies them into the module zip; git
// holds no prebuilt library, so in a checkout use the build tag
// cloudinfinite_dev or cloudinfinite_pkgconfig). The path is inside the
// module, which the module cache keeps under a versioned, read-only,
// checksummed directory (…/cloud-infinite-go@vX.Y.Z/), so a new library always
// comes with a new path and the build cache cannot link a stale one.

/*
#cgo CFLAGS: -I${SRCDIR}/internal/include
#cgo linux,amd64 LDFLAGS: ${SRCDIR}/internal/lib/linux-amd64/libcloud_infinite.a -lpthread -ldl -lm
*/
import "C"
