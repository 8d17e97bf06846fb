//go:build !cloudinfinite_pkgconfig

package main

/*
#cgo CFLAGS: -I${SRCDIR}/../../../include
#cgo LDFLAGS: ${SRCDIR}/../../../target/debug/libcloud_infinite.a -lpthread -ldl -lm
*/
import "C"
