package cloudinfinite_test

// Cancelling calls and walks in flight (issue 16), against servers on
// 127.0.0.1 that each test starts itself, as tests/cancel.rs does for the
// core: a listener whose accept queue is full (the connect hangs), a server
// that never answers, one that answers 503 SlowDown, and the emulator for
// cancels racing completion. In each case the call or walk ends within
// 50 ms of the context's cancel, with an error that is both
// context.Canceled and an *Error of kind KindCancelled, and the server sees
// the connection closed within 50 ms.

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

// prompt is how late a cancel may take effect, at most, measured from the
// moment the context's cancel function was called.
const prompt = 50 * time.Millisecond

// cancelClient reaches addr with long timeouts and a 10 s retry base delay
// (so the first backoff is at least 5 s): only a cancel ends a call soon.
func cancelClient(t *testing.T, addr string) *cloudinfinite.Client {
	t.Helper()
	c, err := cloudinfinite.NewClient(cloudinfinite.Options{
		SecretID:       "AKIDEXAMPLE",
		SecretKey:      "secret",
		Region:         "ap-guangzhou",
		ConnectTo:      addr,
		Scheme:         cloudinfinite.SchemeHTTP,
		ProxyMode:      cloudinfinite.ProxyModeDisabled,
		ConnectTimeout: cloudinfinite.Ptr(20 * time.Second),
		Timeout:        cloudinfinite.Ptr(30 * time.Second),
		RetryBaseDelay: cloudinfinite.Ptr(10 * time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// cancelAfter runs run under a context cancelled after `after`; it returns
// run's error, how long after the cancel run returned, and when the cancel
// was called.
func cancelAfter(t *testing.T, after time.Duration, run func(context.Context) error) (error, time.Duration, time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	at := make(chan time.Time, 1)
	timer := time.AfterFunc(after, func() {
		now := time.Now()
		cancel()
		at <- now
	})
	defer timer.Stop()
	err := run(ctx)
	ended := time.Now()
	select {
	case cancelledAt := <-at:
		return err, ended.Sub(cancelledAt), cancelledAt
	case <-time.After(5 * time.Second):
		t.Fatalf("the call ended before the cancel, with %v", err)
		return nil, 0, time.Time{}
	}
}

// wantCancelled checks that err is what a cancelled context gives.
func wantCancelled(t *testing.T, err error) {
	t.Helper()
	wantError(t, err, cloudinfinite.KindCancelled, "", 0)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, cloudinfinite.ErrCancelled) {
		t.Fatalf("%v does not match both context.Canceled and ErrCancelled", err)
	}
}

// The two ways to run: one call, and a walk counting the pages it got.
type cancelMode struct {
	name string
	run  func(c *cloudinfinite.Client, pages *int) func(context.Context) error
}

var cancelModes = []cancelMode{
	{"call", func(c *cloudinfinite.Client, pages *int) func(context.Context) error {
		return func(ctx context.Context) error {
			_, err := c.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageSize: 10})
			return err
		}
	}},
	{"pager", func(c *cloudinfinite.Client, pages *int) func(context.Context) error {
		return func(ctx context.Context) error {
			for _, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 10}) {
				if err != nil {
					return err
				}
				*pages++
			}
			return nil
		}
	}},
}

// stalledListener is a listen(0) socket whose accept queue this fills: a
// further connect hangs in SYN_SENT (Linux drops the SYN), as behind a
// black-holing firewall.
func stalledListener(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sa.(*syscall.SockaddrInet4).Port)
	for range 8 {
		conn, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			return addr
		}
		t.Cleanup(func() { conn.Close() })
	}
	t.Fatal("the accept queue of a listen(0) socket never filled")
	return ""
}

// rawServer speaks just enough HTTP/1.1 on 127.0.0.1: answer gives, for a
// request of page n, a whole answer to write, or "" to never answer. A
// connection whose last request went unanswered or was answered 503 is
// "held" by the client (waiting, or sleeping before a retry); when such a
// connection ends, the time goes to closed.
type rawServer struct {
	addr   string
	closed chan time.Time
	// held counts the requests left unanswered or answered 503;
	// heldConns the connections whose last request is one of those;
	// answered counts the answers written, by status.
	held      atomic.Int32
	heldConns atomic.Int32
	mu        sync.Mutex
	answered  map[int]int
}

func startRawServer(t *testing.T, answer func(page int) string) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{addr: ln.Addr().String(), closed: make(chan time.Time, 16), answered: map[int]int{}}
	var conns sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		ln.Close()
		conns.Wait()
	})
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer conns.Done()
				s.serve(conn, answer, done)
			}()
		}
	}()
	return s
}

func (s *rawServer) serve(conn net.Conn, answer func(page int) string, done chan struct{}) {
	defer conn.Close()
	go func() {
		<-done
		conn.Close()
	}()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	held := false
	var pending []byte
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if n == 0 || err != nil {
			break
		}
		pending = append(pending, buf[:n]...)
		for {
			end := strings.Index(string(pending), "\r\n\r\n")
			if end < 0 {
				break
			}
			head := string(pending[:end])
			pending = pending[end+4:]
			a := answer(requestedPage(head))
			wasHeld := held
			held = a == "" || strings.HasPrefix(a, "HTTP/1.1 503")
			if held {
				s.held.Add(1)
			}
			if held != wasHeld {
				if held {
					s.heldConns.Add(1)
				} else {
					s.heldConns.Add(-1)
				}
			}
			if a == "" {
				continue
			}
			if _, err := conn.Write([]byte(a)); err != nil {
				return
			}
			status, _ := strconv.Atoi(strings.Fields(a)[1])
			s.mu.Lock()
			s.answered[status]++
			s.mu.Unlock()
		}
	}
	if held {
		s.closed <- time.Now()
	}
}

func (s *rawServer) answers(status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[status]
}

// sawCloses checks that the client held `requests` requests (unanswered
// or backing off after a 503) when it was cancelled, waits for every
// connection that held one to end and returns how long after the cancel
// each did. (Two pages fetched ahead may take turns on one connection: a
// 503 answer returns it to the pool while its call backs off.)
func (s *rawServer) sawCloses(t *testing.T, requests int, cancelledAt time.Time) []time.Duration {
	t.Helper()
	if got := int(s.held.Load()); got != requests {
		t.Fatalf("the client held %d requests at the cancel, want %d", got, requests)
	}
	n := int(s.heldConns.Load())
	if n < 1 || n > requests {
		t.Fatalf("%d connections held %d requests", n, requests)
	}
	var lates []time.Duration
	for i := range n {
		select {
		case seen := <-s.closed:
			lates = append(lates, seen.Sub(cancelledAt))
		case <-time.After(5 * time.Second):
			t.Fatalf("the server never saw connection %d of %d close", i+1, n)
		}
	}
	return lates
}

// timely runs a case until every delay it measured (the call's end, the
// server's view of each close, after the cancel) is under prompt, at most
// 3 times. Each attempt checks everything else in full (the error, the
// pages, the requests, that every connection closed) and fails at once
// when it is wrong; only a delay of 50 ms or more gets another attempt,
// logged: the test's own threads, the server's included, share two cores
// with other builds, and a thread left unscheduled for that long is the
// machine's delay, not the library's. Three misses in a row fail.
func timely(t *testing.T, run func() []time.Duration) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		lates := run()
		worst := slices.Max(lates)
		if worst < prompt {
			t.Logf("attempt %d: the call ended %v after the cancel; the server saw the closes after %v", attempt, lates[0], lates[1:])
			return
		}
		if attempt == 3 {
			t.Fatalf("3 attempts in a row took %v or more after the cancel; the last: %v (the call's end, then each close)", prompt, lates)
		}
		t.Logf("attempt %d: %v (the call's end, then each close): %v is not under %v; once more", attempt, lates, worst, prompt)
	}
}

// requestedPage is the pageNumber of a request head (1 when absent).
func requestedPage(head string) int {
	line, _, _ := strings.Cut(head, "\r\n")
	fields := strings.Fields(line)
	if len(fields) < 2 {
		return 1
	}
	u, err := url.Parse(fields[1])
	if err != nil {
		return 1
	}
	if n, err := strconv.Atoi(u.Query().Get("pageNumber")); err == nil {
		return n
	}
	return 1
}

// firstPage answers page 1 of a 30-bucket list (3 pages of 10), so that a
// pager fetches pages 2 and 3 ahead, in parallel.
func firstPage() string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response><RequestId>page-1</RequestId><TotalCount>30</TotalCount><PageNumber>1</PageNumber><PageSize>10</PageSize>`)
	for i := range 10 {
		fmt.Fprintf(&b, "<PicBucketList><BucketId>bucket%d-1250000000</BucketId><Name>bucket%d</Name><Region>ap-guangzhou</Region><CreateTime>2024-01-01T00:00:00+08:00</CreateTime></PicBucketList>", i, i)
	}
	b.WriteString("</Response>")
	body := b.String()
	return fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func slowDown() string {
	body := `<?xml version="1.0" encoding="UTF-8"?><Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>slow-1</RequestId></Response>`
	return fmt.Sprintf("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

func TestCancelDuringConnect(t *testing.T) {
	for _, mode := range cancelModes {
		t.Run(mode.name, func(t *testing.T) {
			timely(t, func() []time.Duration {
				c := cancelClient(t, stalledListener(t))
				pages := 0
				err, late, _ := cancelAfter(t, 100*time.Millisecond, mode.run(c, &pages))
				wantCancelled(t, err)
				if pages != 0 {
					t.Fatalf("%d pages through a connect that never completes", pages)
				}
				return []time.Duration{late}
			})
		})
	}
}

func TestCancelDuringASlowAnswer(t *testing.T) {
	for _, mode := range cancelModes {
		t.Run(mode.name, func(t *testing.T) {
			// One call: its only request goes unanswered. A walk: page 1
			// comes at once, pages 2 and 3, fetched ahead in parallel,
			// never do.
			answer := func(page int) string { return "" }
			held, wantPages := 1, 0
			if mode.name == "pager" {
				answer = func(page int) string {
					if page == 1 {
						return firstPage()
					}
					return ""
				}
				held, wantPages = 2, 1
			}
			timely(t, func() []time.Duration {
				s := startRawServer(t, answer)
				c := cancelClient(t, s.addr)
				pages := 0
				err, late, cancelledAt := cancelAfter(t, 150*time.Millisecond, mode.run(c, &pages))
				wantCancelled(t, err)
				if pages != wantPages {
					t.Fatalf("%d pages, want %d", pages, wantPages)
				}
				return append([]time.Duration{late}, s.sawCloses(t, held, cancelledAt)...)
			})
		})
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	for _, mode := range cancelModes {
		t.Run(mode.name, func(t *testing.T) {
			// Every request answered 503 SlowDown; for a walk, every page
			// but the first, so that both pages fetched ahead back off.
			answer := func(page int) string { return slowDown() }
			held, wantPages := 1, 0
			if mode.name == "pager" {
				answer = func(page int) string {
					if page == 1 {
						return firstPage()
					}
					return slowDown()
				}
				held, wantPages = 2, 1
			}
			timely(t, func() []time.Duration {
				s := startRawServer(t, answer)
				c := cancelClient(t, s.addr)
				pages := 0
				err, late, cancelledAt := cancelAfter(t, 300*time.Millisecond, mode.run(c, &pages))
				wantCancelled(t, err)
				if got := s.answers(503); got != held {
					t.Fatalf("%d requests answered 503, want %d: the cancel came during the first backoff (of at least 5 s)", got, held)
				}
				if pages != wantPages {
					t.Fatalf("%d pages, want %d", pages, wantPages)
				}
				return append([]time.Duration{late}, s.sawCloses(t, held, cancelledAt)...)
			})
		})
	}
}

// leakBaseline is what the race tests compare with at the end: the
// library's live objects, the cancel handles and the goroutines.
type leakBaseline struct {
	objects    int
	handles    int64
	goroutines int
}

func takeBaseline() leakBaseline {
	return leakBaseline{cloudinfinite.LiveObjects(), cloudinfinite.LiveCancelHandles(), runtime.NumGoroutine()}
}

// noLeak checks that nothing outlived the calls: no library object (page,
// error, cancel handle, pager), no cancel handle, no goroutine (an
// AfterFunc not stopped).
func (b leakBaseline) noLeak(t *testing.T) {
	t.Helper()
	if got := cloudinfinite.LiveObjects(); got != b.objects {
		t.Errorf("%d library objects leaked", got-b.objects)
	}
	if got := cloudinfinite.LiveCancelHandles(); got != b.handles {
		t.Errorf("%d cancel handles leaked", got-b.handles)
	}
	// An AfterFunc that ran has closed its channel and is returning.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > b.goroutines && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := runtime.NumGoroutine(); got > b.goroutines {
		t.Errorf("%d goroutines leaked", got-b.goroutines)
	}
}

// raceCancels runs calls runs over 2 goroutines, each under a context
// cancelled after a random 0-1.5 ms by a timer, and counts the whole and
// the cancelled outcomes; run reports anything else itself.
func raceCancels(t *testing.T, calls int, run func(ctx context.Context) (whole bool)) (whole, cancelled int64) {
	t.Helper()
	const workers = 2
	var w, c atomic.Int64
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(0x9E3779B97F4A7C15, uint64(worker)))
			for range calls / workers {
				ctx, cancel := context.WithCancel(context.Background())
				timer := time.AfterFunc(time.Duration(rng.IntN(1500))*time.Microsecond, cancel)
				ok := run(ctx)
				timer.Stop()
				cancel()
				if ok {
					w.Add(1)
				} else {
					c.Add(1)
				}
				if t.Failed() {
					return
				}
			}
		}()
	}
	wg.Wait()
	return w.Load(), c.Load()
}

func TestCancelRacingCompletion(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	q := &cloudinfinite.BucketQuery{PageSize: 10}
	want, err := c.DescribePicBuckets(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	base := takeBaseline()
	const calls = 10_000
	start := time.Now()
	whole, cancelled := raceCancels(t, calls, func(ctx context.Context) bool {
		page, err := c.DescribePicBuckets(ctx, q)
		if err != nil {
			if wantError(t, err, cloudinfinite.KindCancelled, "", 0); !errors.Is(err, context.Canceled) {
				t.Errorf("a cancelled call: %v", err)
			}
			return false
		}
		if !reflect.DeepEqual(page.Buckets, want.Buckets) || !reflect.DeepEqual(page.Paging, want.Paging) {
			t.Errorf("a call that returned did not return the whole page: %+v", page)
		}
		return true
	})
	t.Logf("%d calls in %v: %d whole pages, %d cancelled", calls, time.Since(start), whole, cancelled)
	if whole+cancelled != calls || whole == 0 || cancelled == 0 {
		t.Fatalf("%d whole, %d cancelled of %d: the random delays should both win and lose the race", whole, cancelled, calls)
	}
	base.noLeak(t)
	// The client still works, on whatever its pool kept.
	if page, err := c.DescribePicBuckets(context.Background(), q); err != nil || !reflect.DeepEqual(page.Buckets, want.Buckets) {
		t.Fatalf("after the race: %v", err)
	}
}

func TestCancelRacingAWalk(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	q := &cloudinfinite.BucketQuery{PageSize: 100} // 130 buckets: pages of 100 and 30, the second fetched ahead
	var want []*cloudinfinite.BucketPage
	for page, err := range c.PicBucketPages(context.Background(), q) {
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, page)
	}
	if len(want) != 2 {
		t.Fatalf("%d pages", len(want))
	}
	base := takeBaseline()
	const walks = 10_000
	start := time.Now()
	whole, cancelled := raceCancels(t, walks, func(ctx context.Context) bool {
		// The pages come whole and in order until the walk ends, at the
		// last page or with the cancelled error.
		n := 0
		for page, err := range c.PicBucketPages(ctx, q) {
			if err != nil {
				if wantError(t, err, cloudinfinite.KindCancelled, "", 0); !errors.Is(err, context.Canceled) {
					t.Errorf("a cancelled walk: %v", err)
				}
				return false
			}
			if n >= len(want) || !reflect.DeepEqual(page.Buckets, want[n].Buckets) || !reflect.DeepEqual(page.Paging, want[n].Paging) {
				t.Errorf("page %d of a walk is not the whole page %d", n+1, n+1)
				return false
			}
			n++
		}
		if n != len(want) {
			t.Errorf("a walk that ended without an error yielded %d pages", n)
		}
		return true
	})
	t.Logf("%d walks in %v: %d whole, %d cancelled", walks, time.Since(start), whole, cancelled)
	if whole+cancelled != walks || whole == 0 || cancelled == 0 {
		t.Fatalf("%d whole, %d cancelled of %d: the random delays should both win and lose the race", whole, cancelled, walks)
	}
	base.noLeak(t)
	n := 0
	for _, err := range c.PicBucketPages(context.Background(), q) {
		if err != nil {
			t.Fatalf("after the race: %v", err)
		}
		n++
	}
	if n != len(want) {
		t.Fatalf("after the race: %d pages", n)
	}
}

// A context that can never end (Done is nil) makes no cancel handle: a
// call under it costs what it did before cancellation existed. One that
// can end makes one per call, and one per walk, freed when it ends.
func TestCancelHandleOnlyForAContextThatCanEnd(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	base := cloudinfinite.LiveCancelHandles()
	cancellable, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want int64
	}{
		{"Background", context.Background(), 0},
		{"WithValue", context.WithValue(context.Background(), struct{}{}, 1), 0},
		{"a deadline without Done", deadlineOnly{context.Background(), time.Now().Add(time.Minute)}, 0},
		{"WithCancel", cancellable, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// During a call (the emulator's slow bucket answers after 2 s;
			// the query's Timeout ends it after 400 ms).
			during := make(chan int64, 1)
			time.AfterFunc(200*time.Millisecond, func() { during <- cloudinfinite.LiveCancelHandles() - base })
			_, err := c.DescribeAIQueues(tc.ctx, "slow-1250000000", &cloudinfinite.QueueQuery{Timeout: 400 * time.Millisecond})
			wantError(t, err, cloudinfinite.KindTimeout, "", 0)
			if got := <-during; got != tc.want {
				t.Fatalf("%d cancel handles during a call, want %d", got, tc.want)
			}
			// During a walk, however many pages.
			for _, err := range c.PicBucketPages(tc.ctx, &cloudinfinite.BucketQuery{PageSize: 10}) {
				if err != nil {
					t.Fatal(err)
				}
				if got := cloudinfinite.LiveCancelHandles() - base; got != tc.want {
					t.Fatalf("%d cancel handles during a walk, want %d", got, tc.want)
				}
			}
			if got := cloudinfinite.LiveCancelHandles() - base; got != 0 {
				t.Fatalf("%d cancel handles left", got)
			}
		})
	}
}

// A context cancelled while the loop body runs (no page in flight but those
// fetched ahead) ends the walk at the next page, with the cancelled error.
func TestCancelBetweenPages(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	base := takeBaseline()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pages := 0
	var last error
	for _, err := range c.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 10}) {
		if err != nil {
			last = err
			break
		}
		pages++
		if pages == 2 {
			cancel()
			time.Sleep(20 * time.Millisecond) // the AfterFunc cancels the pages fetched ahead
		}
	}
	if pages != 2 {
		t.Fatalf("%d pages after a cancel at page 2", pages)
	}
	wantCancelled(t, last)
	base.noLeak(t)
}
