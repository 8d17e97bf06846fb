package cloudinfinite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// deadlineOnly has a deadline but no Done channel, so the package cannot
// race the call against the context: only the timeout it hands the library
// (time left until the deadline) can end the call.
type deadlineOnly struct {
	context.Context
	deadline time.Time
}

func (d deadlineOnly) Deadline() (time.Time, bool) { return d.deadline, true }
func (d deadlineOnly) Done() <-chan struct{}       { return nil }
func (d deadlineOnly) Err() error {
	if time.Now().After(d.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

func TestContextDoneBeforeTheCall(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		want error
		kind cloudinfinite.Kind
	}{{canceled, context.Canceled, cloudinfinite.KindCancelled}, {expired, context.DeadlineExceeded, cloudinfinite.KindTimeout}} {
		// The context's error, inside an *Error of the matching kind.
		check := func(what string, err error) {
			t.Helper()
			wantError(t, err, tc.kind, "", 0)
			if !errors.Is(err, tc.want) {
				t.Fatalf("%s: %v does not match %v", what, err, tc.want)
			}
		}
		_, err := c.DescribePicBuckets(tc.ctx, nil)
		check("DescribePicBuckets", err)
		_, err = c.DescribeAIQueues(tc.ctx, exampleBucket, nil)
		check("DescribeAIQueues", err)
		for _, err := range c.PicBucketPages(tc.ctx, nil) {
			check("PicBucketPages", err)
		}
		for _, err := range c.AIQueuePages(tc.ctx, exampleBucket, nil) {
			check("AIQueuePages", err)
		}
	}
	// A deadline that passed a moment ago, before the context noticed.
	_, err := c.DescribePicBuckets(deadlineOnly{context.Background(), time.Now().Add(-time.Millisecond)}, nil)
	if wantError(t, err, cloudinfinite.KindTimeout, "", 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a passed deadline: %v", err)
	}
	// A cause given to WithCancelCause is in the message.
	withCause, cancel3 := context.WithCancelCause(context.Background())
	cancel3(errors.New("the user left"))
	_, err = c.DescribePicBuckets(withCause, nil)
	if e := wantError(t, err, cloudinfinite.KindCancelled, "", 0); !errors.Is(err, context.Canceled) || !strings.Contains(e.Message, "the user left") {
		t.Fatalf("a cancel with a cause: %v", err)
	}
	if n := stats(t, emu).Requests; n != 0 {
		t.Fatalf("done contexts sent %d requests", n)
	}
}

func TestContextDeadlineBecomesTheTimeout(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu, func(o *cloudinfinite.Options) { o.MaxRetries = cloudinfinite.Ptr(uint32(0)) })

	check := func(t *testing.T, ctx context.Context, call func(context.Context) error) {
		t.Helper()
		start := time.Now()
		err := call(ctx)
		el := time.Since(start)
		wantError(t, err, cloudinfinite.KindTimeout, "", 0)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("a timeout set by the deadline does not match context.DeadlineExceeded: %v", err)
		}
		if el < 250*time.Millisecond || el > 1500*time.Millisecond {
			t.Fatalf("a 300 ms deadline ended the call after %v", el)
		}
	}
	slowQueues := func(ctx context.Context) error {
		_, err := c.DescribeAIQueues(ctx, "slow-1250000000", nil)
		return err
	}
	slowBuckets := func(ctx context.Context) error {
		_, err := c.DescribePicBuckets(ctx, nil)
		return err
	}

	t.Run("the library's timeout", func(t *testing.T) {
		// No Done channel: the library's own timeout must end the call.
		check(t, deadlineOnly{context.Background(), time.Now().Add(300 * time.Millisecond)}, slowQueues)
		if err := emu.ArmFault(emulator.Fault{Kind: "delay", DelayMs: 2000, Path: "/picbucket", Times: cloudinfinite.Ptr(1)}); err != nil {
			t.Fatal(err)
		}
		check(t, deadlineOnly{context.Background(), time.Now().Add(300 * time.Millisecond)}, slowBuckets)
	})
	t.Run("a real deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		check(t, ctx, slowQueues)
	})
	t.Run("the sooner of deadline and query timeout", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		_, err := c.DescribeAIQueues(ctx, "slow-1250000000", &cloudinfinite.QueueQuery{Timeout: 300 * time.Millisecond})
		wantError(t, err, cloudinfinite.KindTimeout, "", 0)
		if errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 1500*time.Millisecond {
			t.Fatalf("the query's sooner timeout: %v after %v", err, time.Since(start))
		}
		// A deadline later than the call needs changes nothing.
		if _, err := c.DescribeAIQueues(ctx, exampleBucket, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a far deadline does not lengthen the client's timeout", func(t *testing.T) {
		short := newClient(t, emu, func(o *cloudinfinite.Options) { o.Timeout = cloudinfinite.Ptr(300 * time.Millisecond) })
		for _, ctx := range []context.Context{
			deadlineOnly{context.Background(), time.Now().Add(time.Minute)},
			context.Background(),
		} {
			start := time.Now()
			_, err := short.DescribeAIQueues(ctx, "slow-1250000000", nil)
			wantError(t, err, cloudinfinite.KindTimeout, "", 0)
			if errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 1500*time.Millisecond {
				t.Fatalf("the client's 300 ms timeout under a 1 min deadline: %v after %v", err, time.Since(start))
			}
		}
	})
	t.Run("pages", func(t *testing.T) {
		if err := emu.ArmFault(emulator.Fault{Kind: "delay", DelayMs: 2000, Path: "/ai_queue", Times: cloudinfinite.Ptr(1)}); err != nil {
			t.Fatal(err)
		}
		check(t, deadlineOnly{context.Background(), time.Now().Add(300 * time.Millisecond)}, func(ctx context.Context) error {
			for _, err := range c.AIQueuePages(ctx, exampleBucket, nil) {
				if err != nil {
					return err
				}
			}
			return nil
		})
	})
}

func TestCancelStopsTheCallInTheLibrary(t *testing.T) {
	emu := startEmulator(t)
	live := cloudinfinite.LiveObjects()
	c, err := cloudinfinite.NewClient(emulatorOptions(emu.Addr))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.DescribeAIQueues(ctx, "slow-1250000000", nil)
	if e := wantError(t, err, cloudinfinite.KindCancelled, "", 0); !errors.Is(err, context.Canceled) || !errors.Is(err, cloudinfinite.ErrCancelled) || time.Since(start) > time.Second {
		t.Fatalf("cancel after 100 ms of a 2 s call: %v (%+v) after %v", err, e, time.Since(start))
	}
	// A walk cancelled while a page is in flight.
	if err := emu.ArmFault(emulator.Fault{Kind: "delay", DelayMs: 1000, Path: "/picbucket", Times: cloudinfinite.Ptr(1)}); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel2)
	for _, err := range c.PicBucketPages(ctx2, nil) {
		if wantError(t, err, cloudinfinite.KindCancelled, "", 0); !errors.Is(err, context.Canceled) {
			t.Fatalf("a cancelled walk: %v", err)
		}
	}
	// Nothing goes on in the background: once the client is closed, every
	// library object is gone at once, the cancel handles included.
	c.Close()
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("%d library objects left after the cancelled calls returned", got-live)
	}
}
