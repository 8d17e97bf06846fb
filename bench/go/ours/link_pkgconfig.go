//go:build cloudinfinite_pkgconfig

package main

/*
#cgo pkg-config: cloud_infinite
*/
import "C"
