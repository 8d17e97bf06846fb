package cloudinfinite_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// The fault matrix (docs/fault-matrix.md) through Go: each emulator fault
// ends in the documented kind, or success after retries, with the request
// id where the service gave one, within the timeout.

func retries(n uint32) func(*cloudinfinite.Options) {
	return func(o *cloudinfinite.Options) { o.MaxRetries = &n }
}

func requests(t *testing.T, emu *emulator.Emulator) int {
	t.Helper()
	s, err := emu.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return s.Requests
}

// expectKind checks err is a *cloudinfinite.Error of kind (code and status
// when given) and, for service errors, that it carries a request id.
func expectKind(t *testing.T, err error, kind cloudinfinite.Kind, code string, status int) *cloudinfinite.Error {
	t.Helper()
	var e *cloudinfinite.Error
	if !errors.As(err, &e) {
		t.Fatalf("want a *cloudinfinite.Error of kind %v, got %v", kind, err)
	}
	if e.Kind != kind || (code != "" && e.Code != code) || (status != 0 && e.HTTPStatus != status) {
		t.Fatalf("want kind %v code %q status %d, got %v %q %d: %s", kind, code, status, e.Kind, e.Code, e.HTTPStatus, e.Message)
	}
	if kind == cloudinfinite.KindService && e.RequestID == "" {
		t.Fatalf("a service error without a request id: %v", e)
	}
	return e
}

func rssKiB(t *testing.T) int {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS in /proc/self/status")
	return 0
}

func TestFaultMatrix(t *testing.T) {
	ctx := context.Background()

	t.Run("5xx then success", func(t *testing.T) {
		emu := startEmulator(t)
		page, err := newClient(t, emu).DescribeAIQueues(ctx, "flaky-1250000000", nil)
		if err != nil || len(page.Queues) != 1 {
			t.Fatalf("%v %v", page, err)
		}
		if n := requests(t, emu); n != 3 {
			t.Fatalf("%d requests, want 2 failures and a success", n)
		}
	})

	t.Run("permanent 5xx", func(t *testing.T) {
		emu := startEmulator(t)
		_, err := newClient(t, emu, retries(2)).DescribeAIQueues(ctx, "broken-1250000000", nil)
		expectKind(t, err, cloudinfinite.KindService, "InternalError", 500)
		if n := requests(t, emu); n != 3 {
			t.Fatalf("%d requests, want max_retries+1 = 3", n)
		}
	})

	t.Run("delay past the timeout", func(t *testing.T) {
		emu := startEmulator(t)
		client := newClient(t, emu)
		deadline, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		started := time.Now()
		_, err := client.DescribeAIQueues(deadline, "slow-1250000000", nil)
		if !errors.Is(err, cloudinfinite.ErrTimeout) {
			t.Fatalf("want a timeout, got %v", err)
		}
		if took := time.Since(started); took > 1500*time.Millisecond {
			t.Fatalf("gave up after %v", took)
		}
	})

	t.Run("connection reset", func(t *testing.T) {
		emu := startEmulator(t)
		_, err := newClient(t, emu, retries(1)).DescribeAIQueues(ctx, "reset-1250000000", nil)
		expectKind(t, err, cloudinfinite.KindNetwork, "", 0)
		if n := requests(t, emu); n != 2 {
			t.Fatalf("%d requests, want a retry", n)
		}
	})

	t.Run("malformed XML", func(t *testing.T) {
		emu := startEmulator(t)
		_, err := newClient(t, emu).DescribeAIQueues(ctx, "malformed-1250000000", nil)
		e := expectKind(t, err, cloudinfinite.KindParse, "", 200)
		if e.RequestID == "" || requests(t, emu) != 1 {
			t.Fatalf("a parse error keeps the header's request id and is not retried: %v", e)
		}
	})

	t.Run("truncated body", func(t *testing.T) {
		emu := startEmulator(t)
		_, err := newClient(t, emu, retries(0)).DescribeAIQueues(ctx, "truncated-1250000000", nil)
		expectKind(t, err, cloudinfinite.KindNetwork, "", 0)
	})

	t.Run("1 GiB body streamed", func(t *testing.T) {
		emu := startEmulator(t)
		if err := emu.ArmFault(emulator.Fault{Kind: "oversized", Size: 1 << 30, Path: "/picbucket"}); err != nil {
			t.Fatal(err)
		}
		client := newClient(t, emu, retries(0))
		before := rssKiB(t)
		started := time.Now()
		_, err := client.DescribePicBuckets(ctx, nil)
		expectKind(t, err, cloudinfinite.KindResponseTooLarge, "", 0)
		grew := rssKiB(t) - before
		if took := time.Since(started); took > 10*time.Second {
			t.Fatalf("took %v: the body was read past the cap", took)
		}
		// The 16 MiB cap bounds what is buffered; far from 1 GiB.
		if grew > 64*1024 {
			t.Fatalf("RSS grew by %d KiB reading a 1 GiB body", grew)
		}
		t.Logf("1 GiB body refused in %v, RSS +%d KiB", time.Since(started), grew)
	})

	t.Run("wrong credentials", func(t *testing.T) {
		emu := startEmulator(t)
		_, err := newClient(t, emu, func(o *cloudinfinite.Options) { o.SecretKey = "wrong" }).DescribePicBuckets(ctx, nil)
		expectKind(t, err, cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
		_, err = newClient(t, emu, func(o *cloudinfinite.Options) { o.SecretID = "AKIDnobody" }).DescribePicBuckets(ctx, nil)
		expectKind(t, err, cloudinfinite.KindService, "InvalidAccessKeyId", 403)
		if n := requests(t, emu); n != 2 {
			t.Fatalf("%d requests: a 403 is not retried", n)
		}
	})

	for _, offset := range []int64{7200, -7200} {
		t.Run("clock "+strconv.FormatInt(offset, 10)+"s: expired or skewed, corrected once", func(t *testing.T) {
			emu := startEmulator(t)
			if err := emu.SetClockOffset(offset); err != nil {
				t.Fatal(err)
			}
			if _, err := newClient(t, emu).DescribePicBuckets(ctx, nil); err != nil {
				t.Fatal(err)
			}
			if n := requests(t, emu); n != 2 {
				t.Fatalf("%d requests, want one refused and one signed again", n)
			}
		})
	}

	t.Run("permanent RequestTimeTooSkewed", func(t *testing.T) {
		emu := startEmulator(t)
		if err := emu.ArmFault(emulator.Fault{Kind: "status", Status: 403, Code: "RequestTimeTooSkewed", Path: "/picbucket"}); err != nil {
			t.Fatal(err)
		}
		_, err := newClient(t, emu).DescribePicBuckets(ctx, nil)
		expectKind(t, err, cloudinfinite.KindService, "RequestTimeTooSkewed", 403)
		if n := requests(t, emu); n != 2 {
			t.Fatalf("%d requests, want exactly one correction", n)
		}
	})

	t.Run("unknown bucket", func(t *testing.T) {
		emu := startEmulator(t)
		_, err := newClient(t, emu).DescribeAIQueues(ctx, "nosuchbucket-1250000000", nil)
		expectKind(t, err, cloudinfinite.KindService, "NoSuchBucket", 404)
	})
}
