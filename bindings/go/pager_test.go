package cloudinfinite_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

func faultOnce(kind, path string, status int) emulator.Fault {
	return emulator.Fault{Kind: kind, Status: status, Path: path, Times: cloudinfinite.Ptr(1)}
}

func TestPicBucketPages(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	want := fixtureNames(fixture(t, emu).Listed("pic_buckets"))
	live := cloudinfinite.LiveObjects()

	seq := c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 50})
	for round := 0; round < 2; round++ { // each range walks afresh
		var names []string
		pages := 0
		for page, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			pages++
			if *page.PageNumber != uint64(pages) || *page.TotalCount != 130 {
				t.Fatalf("page %d says PageNumber %s", pages, num(page.PageNumber))
			}
			names = append(names, bucketNames(page.Buckets)...)
		}
		if pages != 3 || !slices.Equal(names, want) {
			t.Fatalf("round %d: %d pages, %d buckets", round, pages, len(names))
		}
	}

	// From a page number on, with filters.
	var names []string
	for page, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{Regions: []string{"ap-beijing"}, PageSize: 10, PageNumber: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, bucketNames(page.Buckets)...)
	}
	if len(names) != 15 { // 25 in ap-beijing, from the 11th
		t.Fatalf("ap-beijing from page 2: %d buckets", len(names))
	}

	// Stopping early frees the pager.
	for _, err := range c.PicBucketPages(ctx, nil) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	// An error mid-walk is yielded once and ends it (one page at a time,
	// so that the fault armed after page 2 meets page 3).
	pages, errs := 0, 0
	for page, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 20}, cloudinfinite.WithConcurrency(1)) {
		if err != nil {
			errs++
			wantError(t, err, cloudinfinite.KindService, "", 400)
			continue
		}
		pages++
		if pages == 2 {
			if err := emu.ArmFault(faultOnce("status", "/picbucket", 400)); err != nil {
				t.Fatal(err)
			}
		}
		_ = page
	}
	if pages != 2 || errs != 1 {
		t.Fatalf("a failing third page: %d pages, %d errors", pages, errs)
	}
	// A bad query fails once, before anything is sent.
	n := 0
	for page, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 500}) {
		n++
		if page != nil {
			t.Fatal("a page for a bad query")
		}
		wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
	}
	if n != 1 {
		t.Fatalf("a bad query yielded %d times", n)
	}
	// A panic in the loop body still frees the pager.
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic was lost")
			}
		}()
		for range c.PicBucketPages(ctx, nil) {
			panic("in the loop body")
		}
	}()
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("the walks left %d library objects behind", got-live)
	}
}

func TestAIQueuePages(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	fb, _ := fixture(t, emu).Bucket(exampleBucket)
	live := cloudinfinite.LiveObjects()

	var ids []string
	pages := 0
	for page, err := range c.AIQueuePages(ctx, exampleBucket, &cloudinfinite.QueueQuery{PageSize: 7}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, q := range page.Queues {
			ids = append(ids, *q.QueueID)
			compareQueue(t, *q.QueueID, q, fb.Queues["ai_queues"][len(ids)-1])
		}
	}
	if pages != 4 || len(ids) != 25 {
		t.Fatalf("%d pages, %d queues", pages, len(ids))
	}

	// With QueueIDs there is one page, without paging fields.
	pages = 0
	for page, err := range c.AIQueuePages(ctx, exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: []string{ids[3], "nope"}}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page.Queues) != 1 || !slices.Equal(page.NonExistPIDs, []string{"nope"}) || page.TotalCount != nil {
			t.Fatalf("by id: %+v", page)
		}
	}
	if pages != 1 {
		t.Fatalf("by id: %d pages", pages)
	}

	// State filter across pages.
	paused := 0
	for page, err := range c.AIQueuePages(ctx, exampleBucket, &cloudinfinite.QueueQuery{State: cloudinfinite.QueueStatePaused, PageSize: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range page.Queues {
			if *q.State != "Paused" {
				t.Fatalf("%s is %s", *q.QueueID, *q.State)
			}
			paused++
		}
	}
	if paused != 8 {
		t.Fatalf("%d paused queues, the fixture has 8", paused)
	}

	for _, tc := range []struct {
		bucket string
		kind   cloudinfinite.Kind
		code   string
	}{
		{"Bad Bucket", cloudinfinite.KindInvalidArgument, ""},
		{"x\x00-1250000000", cloudinfinite.KindInvalidArgument, ""},
		{"nosuchbucket-1250000000", cloudinfinite.KindService, "NoSuchBucket"},
	} {
		n := 0
		for page, err := range c.AIQueuePages(ctx, tc.bucket, nil) {
			n++
			if page != nil {
				t.Fatal("a page with an error")
			}
			wantError(t, err, tc.kind, tc.code, 0)
		}
		if n != 1 {
			t.Fatalf("%q yielded %d times", tc.bucket, n)
		}
	}
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("the walks left %d library objects behind", got-live)
	}
}

func TestPagesStopWhenTheContextEnds(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pages := 0
	var last error
	// One page at a time, so that the requests are the pages handed out.
	for _, err := range c.PicBucketPages(ctx, nil, cloudinfinite.WithConcurrency(1)) {
		if err != nil {
			last = err
			break
		}
		pages++
		if pages == 2 {
			cancel()
		}
	}
	if pages != 2 || !errors.Is(last, context.Canceled) {
		t.Fatalf("after cancel: %d pages, %v", pages, last)
	}
	if n := stats(t, emu).ByPath["/picbucket"]; n != 2 {
		t.Fatalf("%d requests after cancelling at page 2", n)
	}

	// Closing the client between pages ends the walk too.
	pages, last = 0, nil
	c2, err := cloudinfinite.NewClient(emulatorOptions(emu.Addr))
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range c2.AIQueuePages(context.Background(), exampleBucket, nil) {
		if err != nil {
			last = err
			break
		}
		pages++
		c2.Close()
	}
	if pages != 1 || !errors.Is(last, cloudinfinite.ErrClosed) {
		t.Fatalf("after Close: %d pages, %v", pages, last)
	}
}

// The query's Timeout bounds each page of a walk, not the walk: three pages
// of 250 ms each under a 400 ms Timeout all come, and one page slower than
// the Timeout ends the walk with KindTimeout (not the context's deadline).
func TestPagesTimeoutIsPerPage(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu, func(o *cloudinfinite.Options) { o.MaxRetries = cloudinfinite.Ptr(uint32(0)) })
	q := &cloudinfinite.BucketQuery{PageSize: 50, Timeout: 400 * time.Millisecond} // 3 pages
	if err := emu.ArmFault(emulator.Fault{Kind: "delay", DelayMs: 250, Path: "/picbucket", Times: cloudinfinite.Ptr(3)}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	pages := 0
	// One page at a time, so that the walk takes three delays.
	for _, err := range c.PicBucketPages(context.Background(), q, cloudinfinite.WithConcurrency(1)) {
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
	}
	if el := time.Since(start); pages != 3 || el < 750*time.Millisecond {
		t.Fatalf("%d pages in %v", pages, el)
	}
	// The third page is slower than the Timeout: the walk ends there.
	if err := emu.ArmFault(emulator.Fault{Kind: "delay", DelayMs: 1, Path: "/picbucket", Times: cloudinfinite.Ptr(2)},
		emulator.Fault{Kind: "delay", DelayMs: 3000, Path: "/picbucket", Times: cloudinfinite.Ptr(1)}); err != nil {
		t.Fatal(err)
	}
	pages = 0
	var last error
	start = time.Now()
	for _, err := range c.PicBucketPages(context.Background(), q, cloudinfinite.WithConcurrency(1)) {
		if err != nil {
			last = err
			break
		}
		pages++
	}
	wantError(t, last, cloudinfinite.KindTimeout, "", 0)
	if el := time.Since(start); pages != 2 || errors.Is(last, context.DeadlineExceeded) || el > 2*time.Second {
		t.Fatalf("a slow third page: %d pages, %v after %v", pages, last, el)
	}
}

// WithConcurrency: once the first page tells the TotalCount, the next ones
// are fetched in parallel (and still yielded in order); 1 fetches one page
// at a time; values outside 1..MaxPageConcurrency are refused before
// anything is sent.
func TestPagesConcurrency(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	want := fixtureNames(fixture(t, emu).Listed("pic_buckets"))
	q := &cloudinfinite.BucketQuery{PageSize: 20} // 130 buckets: 7 pages
	walk := func(opts ...cloudinfinite.PageOption) time.Duration {
		t.Helper()
		if err := emu.ArmFault(emulator.Fault{Kind: "delay", DelayMs: 150, Path: "/picbucket", Times: cloudinfinite.Ptr(7)}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var names []string
		for page, err := range c.PicBucketPages(context.Background(), q, opts...) {
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, bucketNames(page.Buckets)...)
		}
		if !slices.Equal(names, want) {
			t.Fatalf("the buckets came out of order or incomplete: %d of %d", len(names), len(want))
		}
		return time.Since(start)
	}
	sequential := walk(cloudinfinite.WithConcurrency(1))
	parallel := walk()                              // the default, 10
	six := walk(cloudinfinite.WithConcurrency(6))   // the 6 pages after the first at once
	three := walk(cloudinfinite.WithConcurrency(3)) // 1, then 3, then 3
	t.Logf("7 pages of 150 ms: sequential %v, default %v, 6 at once %v, 3 at once %v", sequential, parallel, six, three)
	if sequential < 7*150*time.Millisecond || parallel > 600*time.Millisecond || six > 600*time.Millisecond ||
		three < 3*150*time.Millisecond || three > 900*time.Millisecond {
		t.Fatalf("sequential %v, default %v, 6 at once %v, 3 at once %v", sequential, parallel, six, three)
	}

	before := stats(t, emu).Requests
	for _, n := range []int{0, -1, cloudinfinite.MaxPageConcurrency + 1, 1 << 40} {
		yields := 0
		for page, err := range c.PicBucketPages(context.Background(), q, cloudinfinite.WithConcurrency(n)) {
			yields++
			if page != nil {
				t.Fatal("a page with a bad concurrency")
			}
			if e := wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0); !strings.Contains(e.Message, "concurrency") {
				t.Fatalf("WithConcurrency(%d): %v", n, err)
			}
		}
		if yields != 1 {
			t.Fatalf("WithConcurrency(%d) yielded %d times", n, yields)
		}
	}
	if after := stats(t, emu).Requests; after != before {
		t.Fatalf("bad concurrencies sent %d requests", after-before)
	}
	// The last option wins; MaxPageConcurrency is accepted.
	for _, err := range c.PicBucketPages(context.Background(), q, cloudinfinite.WithConcurrency(0), cloudinfinite.WithConcurrency(cloudinfinite.MaxPageConcurrency)) {
		if err != nil {
			t.Fatal(err)
		}
	}
}
