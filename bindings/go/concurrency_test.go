package cloudinfinite_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

// Sixteen goroutines share one client, every call checked against the
// fixture; then Close races calls and other Closes.
func TestSixteenGoroutinesShareOneClient(t *testing.T) {
	emu := startEmulator(t)
	f := fixture(t, emu)
	listed := fixtureNames(f.Listed("pic_buckets"))
	fb, _ := f.Bucket(exampleBucket)
	live := cloudinfinite.LiveObjects()
	c, err := cloudinfinite.NewClient(emulatorOptions(emu.Addr))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const goroutines, calls = 16, 24
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < calls; i++ {
				switch (g + i) % 4 {
				case 0:
					page := uint64(i%13 + 1)
					p, err := c.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageNumber: page, PageSize: 10})
					if err != nil {
						errs <- err
						continue
					}
					if got := bucketNames(p.Buckets); fmt.Sprint(got) != fmt.Sprint(listed[(page-1)*10:page*10]) {
						errs <- fmt.Errorf("goroutine %d: page %d is %v", g, page, got)
					}
				case 1:
					p, err := c.DescribeAIQueues(ctx, exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: []string{fb.Queues["ai_queues"][i].QueueID}})
					if err != nil {
						errs <- err
						continue
					}
					if len(p.Queues) != 1 || *p.Queues[0].QueueID != fb.Queues["ai_queues"][i].QueueID || *p.Queues[0].Name != *fb.Queues["ai_queues"][i].Name {
						errs <- fmt.Errorf("goroutine %d: queue %d is %+v", g, i, p.Queues)
					}
				case 2:
					n := 0
					for p, err := range c.AIQueuePages(ctx, exampleBucket, &cloudinfinite.QueueQuery{PageSize: 10}) {
						if err != nil {
							errs <- err
							break
						}
						n += len(p.Queues)
					}
					if n != 25 {
						errs <- fmt.Errorf("goroutine %d: walked %d queues", g, n)
					}
				case 3:
					_, err := c.DescribeAIQueues(ctx, "nosuchbucket-1250000000", nil)
					var e *cloudinfinite.Error
					if !errors.As(err, &e) || e.Code != "NoSuchBucket" {
						errs <- fmt.Errorf("goroutine %d: %v", g, err)
					}
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Close while calls are in flight, and from many goroutines at once.
	var ok, closed atomic.Int64
	var wg2 sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg2.Add(2)
		go func() {
			defer wg2.Done()
			for i := 0; i < 10; i++ {
				_, err := c.DescribePicBuckets(ctx, nil)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, cloudinfinite.ErrClosed):
					closed.Add(1)
				default:
					t.Errorf("a call racing Close: %v", err)
				}
			}
		}()
		go func() {
			defer wg2.Done()
			time.Sleep(5 * time.Millisecond)
			if err := c.Close(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg2.Wait()
	if closed.Load() == 0 {
		t.Fatalf("no call saw the client closed (%d succeeded)", ok.Load())
	}
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("%d library objects left after Close", got-live)
	}
	t.Logf("racing Close: %d calls succeeded, %d saw ErrClosed", ok.Load(), closed.Load())
}

// The collector runs all the time while clients are made, used and dropped
// without Close, while results are read after their C memory is gone and
// walks are abandoned midway. Finalizers must free every client, and no
// result may change (a use-after-free would show as garbage or a crash).
func TestGCStress(t *testing.T) {
	emu := startEmulator(t)
	f := fixture(t, emu)
	listed := f.Listed("pic_buckets")
	fb, _ := f.Bucket(exampleBucket)
	live := cloudinfinite.LiveObjects()
	defer debug.SetGCPercent(debug.SetGCPercent(1))

	stop := make(chan struct{})
	var gcs atomic.Int64
	var gcWG sync.WaitGroup
	gcWG.Add(1)
	go func() {
		defer gcWG.Done()
		for {
			select {
			case <-stop:
				return
			default:
				runtime.GC()
				gcs.Add(1)
				time.Sleep(time.Millisecond)
			}
		}
	}()

	ctx := context.Background()
	const workers, rounds = 8, 12
	var wg sync.WaitGroup
	var kept sync.Map // results kept past many collections, checked at the end
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				// Never closed: only the finalizer frees it.
				c, err := cloudinfinite.NewClient(emulatorOptions(emu.Addr))
				if err != nil {
					t.Error(err)
					return
				}
				page, err := c.DescribeAIQueues(ctx, exampleBucket, nil)
				if err != nil {
					t.Error(err)
					return
				}
				runtime.GC()
				kept.Store(fmt.Sprint(w, "/", r), page)
				bp, err := c.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageNumber: uint64(r%13 + 1)})
				if err != nil {
					t.Error(err)
					return
				}
				runtime.GC()
				for i, b := range bp.Buckets {
					if *b.Name != listed[(r%13)*10+i].Name {
						t.Errorf("bucket %d of page %d is %q", i, r%13+1, *b.Name)
					}
				}
				for p, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 40}) {
					if err != nil {
						t.Error(err)
					}
					runtime.GC()
					_ = p
					break // abandoned: the pager must still be freed
				}
				// ctx with a Done channel: the call runs on its own goroutine.
				cctx, cancel := context.WithCancel(ctx)
				if _, err := c.DescribeAIQueues(cctx, exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: []string{fb.Queues["ai_queues"][r].QueueID}}); err != nil {
					t.Error(err)
				}
				cancel()
				if _, err := cloudinfinite.Sign(cloudinfinite.SignRequest{SecretID: "a", SecretKey: "b", Method: "GET", Path: "/", StartTime: time.Unix(1, 0), EndTime: time.Unix(2, 0)}); err != nil {
					t.Error(err)
				}
			}
		}(w)
	}
	wg.Wait()

	// Every client was dropped without Close: only finalizers free them.
	deadline := time.Now().Add(20 * time.Second)
	for cloudinfinite.LiveObjects() != live && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	gcWG.Wait()
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("%d library objects still live: finalizers did not free the dropped clients", got-live)
	}
	n := 0
	kept.Range(func(_, v any) bool {
		n++
		page := v.(*cloudinfinite.QueuePage)
		for i, q := range page.Queues {
			compareQueue(t, fmt.Sprint("kept queue ", i), q, fb.Queues["ai_queues"][i])
		}
		return true
	})
	if n != workers*rounds {
		t.Fatalf("%d results kept", n)
	}
	t.Logf("%d clients dropped without Close, all finalized; %d forced collections", workers*rounds, gcs.Load())
}
