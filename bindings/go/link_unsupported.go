//go:build cgo && !cloudinfinite_dev && !cloudinfinite_pkgconfig && !(linux && amd64)

package cloudinfinite

// The module ships a prebuilt library for linux/amd64 only. Elsewhere the
// build stops on this name; build the C library (`make install`) and use the
// build tag cloudinfinite_pkgconfig.
var _ = cloudinfinite_has_no_prebuilt_library_for_this_platform_build_it_and_use_tag_cloudinfinite_pkgconfig
