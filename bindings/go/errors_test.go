package cloudinfinite_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

func TestErrorKinds(t *testing.T) {
	emu := startEmulator(t)
	ctx := context.Background()
	c := newClient(t, emu)
	noRetry := func(o *cloudinfinite.Options) { o.MaxRetries = cloudinfinite.Ptr(uint32(0)) }
	once := newClient(t, emu, noRetry)

	t.Run("service 403", func(t *testing.T) {
		wrong := newClient(t, emu, func(o *cloudinfinite.Options) { o.SecretKey = "wrong-key" })
		_, err := wrong.DescribeAIQueues(ctx, exampleBucket, nil)
		e := wantError(t, err, cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
		if e.Resource == "" || e.TraceID == "" {
			t.Fatalf("a COS error body has Resource and TraceId: %+v", e)
		}
		for _, part := range []string{"service", "SignatureDoesNotMatch", "HTTP 403", e.RequestID} {
			if !strings.Contains(err.Error(), part) {
				t.Fatalf("%q does not mention %q", err.Error(), part)
			}
		}
		if strings.Contains(err.Error(), "wrong-key") || strings.Contains(err.Error(), "q-signature") {
			t.Fatalf("the error leaks a secret: %v", err)
		}
		_, err = wrong.DescribePicBuckets(ctx, nil)
		wantError(t, err, cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
	})
	t.Run("service 404", func(t *testing.T) {
		_, err := c.DescribeAIQueues(ctx, "nosuchbucket-1250000000", nil)
		wantError(t, err, cloudinfinite.KindService, "NoSuchBucket", 404)
	})
	t.Run("service 500 and 503 after retries", func(t *testing.T) {
		before := stats(t, emu).Requests
		retrying := newClient(t, emu, func(o *cloudinfinite.Options) { o.MaxRetries = cloudinfinite.Ptr(uint32(2)) })
		_, err := retrying.DescribeAIQueues(ctx, "broken-1250000000", nil)
		wantError(t, err, cloudinfinite.KindService, "InternalError", 500)
		_, err = retrying.DescribeAIQueues(ctx, "throttled-1250000000", nil)
		wantError(t, err, cloudinfinite.KindService, "SlowDown", 503)
		if n := stats(t, emu).Requests - before; n != 6 {
			t.Fatalf("two calls with 2 retries each sent %d requests, want 6", n)
		}
		page, err := retrying.DescribeAIQueues(ctx, "flaky-1250000000", nil)
		if err != nil || len(page.Queues) != 1 {
			t.Fatalf("flaky recovers after its two 503s: %v", err)
		}
	})
	t.Run("service 4xx armed", func(t *testing.T) {
		if err := emu.ArmFault(faultOnce("status", "/picbucket", 400)); err != nil {
			t.Fatal(err)
		}
		_, err := c.DescribePicBuckets(ctx, nil)
		wantError(t, err, cloudinfinite.KindService, "", 400)
	})
	t.Run("timeout", func(t *testing.T) {
		start := time.Now()
		_, err := once.DescribeAIQueues(ctx, "slow-1250000000", &cloudinfinite.QueueQuery{Timeout: 300 * time.Millisecond})
		wantError(t, err, cloudinfinite.KindTimeout, "", 0)
		if el := time.Since(start); el > 1500*time.Millisecond {
			t.Fatalf("a 300 ms timeout took %v", el)
		}
		// The query's timeout wins over the client's 30 s, and is no context deadline.
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("a query timeout reported as the context's deadline")
		}
	})
	t.Run("network", func(t *testing.T) {
		_, err := once.DescribeAIQueues(ctx, "reset-1250000000", nil)
		wantError(t, err, cloudinfinite.KindNetwork, "", 0)
		_, err = once.DescribeAIQueues(ctx, "truncated-1250000000", nil)
		wantError(t, err, cloudinfinite.KindNetwork, "", 0)
		refused := newClient(t, emu, noRetry, func(o *cloudinfinite.Options) { o.ConnectTo = "127.0.0.1:1" })
		_, err = refused.DescribePicBuckets(ctx, nil)
		wantError(t, err, cloudinfinite.KindNetwork, "", 0)
	})
	t.Run("parse", func(t *testing.T) {
		_, err := once.DescribeAIQueues(ctx, "malformed-1250000000", nil)
		wantError(t, err, cloudinfinite.KindParse, "", 200)
		if err := emu.ArmFault(faultOnce("malformed", "/picbucket", 0)); err != nil {
			t.Fatal(err)
		}
		_, err = once.DescribePicBuckets(ctx, nil)
		wantError(t, err, cloudinfinite.KindParse, "", 200)
	})
	t.Run("response too large", func(t *testing.T) {
		// The default cap (16 MiB) refuses the 64 MiB answer while reading it.
		_, err := once.DescribeAIQueues(ctx, "huge-1250000000", nil)
		wantError(t, err, cloudinfinite.KindResponseTooLarge, "", 0)
	})
	t.Run("invalid and null argument", func(t *testing.T) {
		_, err := c.DescribeAIQueues(ctx, "not a bucket", nil)
		wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
		_, err = cloudinfinite.NewClient(cloudinfinite.Options{SecretID: "a", SecretKey: "b", Region: "ap-guangzhou", ProxyMode: cloudinfinite.ProxyModeURL})
		wantError(t, err, cloudinfinite.KindNullArgument, "", 0)
	})
	t.Run("panic", func(t *testing.T) {
		for _, msg := range []string{"boom from Go", ""} {
			err := cloudinfinite.DebugPanic(msg)
			e := wantError(t, err, cloudinfinite.KindPanic, "", 0)
			if msg != "" && !strings.Contains(e.Message, msg) {
				t.Fatalf("panic message %q does not quote %q", e.Message, msg)
			}
		}
		// The library is still usable after a caught panic.
		if _, err := c.DescribePicBuckets(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
}

func TestErrorValues(t *testing.T) {
	e := &cloudinfinite.Error{Kind: cloudinfinite.KindService, Message: "m", Code: "NoSuchBucket", HTTPStatus: 404, RequestID: "rid"}
	if got, want := e.Error(), "cloudinfinite: service: m (code NoSuchBucket, HTTP 404, request id rid)"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
	var err error = e
	if !errors.Is(err, cloudinfinite.ErrService) || errors.Is(err, cloudinfinite.ErrTimeout) {
		t.Fatal("errors.Is with kinds")
	}
	wrapped := errors.Join(errors.New("context"), err)
	var back *cloudinfinite.Error
	if !errors.As(wrapped, &back) || back != e || !errors.Is(wrapped, cloudinfinite.ErrService) {
		t.Fatal("errors.As / errors.Is through wrapping")
	}
	if cloudinfinite.KindTimeout.String() != "timeout" || cloudinfinite.Kind(99).String() != "kind(99)" {
		t.Fatal("Kind.String")
	}
	if !errors.Is(cloudinfinite.ErrTimeout, cloudinfinite.KindTimeout) || cloudinfinite.ErrTimeout.Error() != "timeout" || fmt.Sprint(cloudinfinite.KindService) != "service" {
		t.Fatal("the sentinels")
	}
	numbers := map[cloudinfinite.Kind]uint32{
		cloudinfinite.KindInvalidArgument: 1, cloudinfinite.KindNullArgument: 2, cloudinfinite.KindNetwork: 3, cloudinfinite.KindTimeout: 4,
		cloudinfinite.KindService: 5, cloudinfinite.KindParse: 6, cloudinfinite.KindResponseTooLarge: 7, cloudinfinite.KindPanic: 8,
	}
	for k, n := range numbers {
		if uint32(k) != n {
			t.Fatalf("%v is %d, the C ABI says %d", k, uint32(k), n)
		}
	}
}
