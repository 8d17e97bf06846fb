//go:build cloudinfinite_pkgconfig

package cloudinfinite

// With the build tag cloudinfinite_pkgconfig the package uses an installed
// library (`make install PREFIX=...`) through its pkg-config file; set
// PKG_CONFIG_PATH to PREFIX/lib/pkgconfig. The linker then prefers the shared
// library, so at run time PREFIX/lib must be on the loader's path (a system
// directory, LD_LIBRARY_PATH, or an rpath given with CGO_LDFLAGS).

/*
#cgo pkg-config: cloud_infinite
*/
import "C"
