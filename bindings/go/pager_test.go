package cloudinfinite_test

import (
	"context"
	"errors"
	"slices"
	"testing"

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
	// An error mid-walk is yielded once and ends it.
	pages, errs := 0, 0
	for page, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 20}) {
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
	for _, err := range c.PicBucketPages(ctx, nil) {
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
