package main

// ci_live_objects straight from the C ABI: the binding keeps its own
// counter unexported. The library is linked by the binding's cgo flags
// (build tag cloudinfinite_dev, CGO_LDFLAGS from scripts/dist/go-dev-env.sh);
// this file only needs the header.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#include <cloud_infinite.h>
*/
import "C"

func liveObjects() int { return int(C.ci_live_objects()) }
