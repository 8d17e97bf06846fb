// Soak of the Go module (issue 17): THREADS goroutines share one Client and
// make CALLS calls each (both APIs, alternating, 10-item pages) against
// ci-emulator.
//
// It must end with zero errors, every call seen by the emulator, every
// library object freed (ci_live_objects back to its baseline), as many open
// file descriptors as before the client existed, and RSS flat. RSS (VmRSS)
// is sampled at every 5% of the calls, each after debug.FreeOSMemory (a GC
// that also returns free pages, so garbage not yet collected is not
// counted); the first 10% are the warm-up, and the growth from the 10%
// sample to the end must stay under a bound (default 4096 KiB: RSS swings
// by up to 2 MiB between samples while the goroutines run, see
// soak/README.md). Prints the figures as one "soak go: key=value ..." line
// and the samples as a second; exits 1 on failure.
//
//	soak-go [--threads N] [--calls-per-thread N]     (default 4 x 250000)
//
// Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh); CI_SOAK_MAX_RSS_GROWTH_KIB
// overrides the bound. Built by soak/run.sh with -tags cloudinfinite_dev.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

const (
	bucket  = "examplebucket-1250000000"
	samples = 20 // one at every 5% of the calls
	warm    = 2  // the 10% sample ends the warm-up
)

func rssKiB() int64 { return statusKiB("VmRSS:") }

// statusKiB reads a field of /proc/self/status (a size in kB, or a count).
func statusKiB(field string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return -1
}

func fdCount() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries) - 1 // the listing's own descriptor
}

// control talks to the emulator's control API on a connection of its own,
// closed before it returns (net/http's transport would close it later, on
// a goroutine of its own, and the descriptor counts could catch it open).
func control(addr, path string, body any) (map[string]any, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	method, data := "GET", []byte(nil)
	if body != nil {
		method, data = "POST", must(json.Marshal(body))
	}
	fmt.Fprintf(conn, "%s /__emulator/%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		method, path, addr, len(data), data)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emulator %s: HTTP %d", path, resp.StatusCode)
	}
	var out map[string]any
	return out, json.NewDecoder(resp.Body).Decode(&out)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// slope is the least-squares slope of RSS against the calls made, in KiB per 100,000 calls.
func slope(rss, at []int64) float64 {
	var n, sx, sy, sxx, sxy float64
	for i := range rss {
		x, y := float64(at[i])/1e5, float64(rss[i])
		n, sx, sy, sxx, sxy = n+1, sx+x, sy+y, sxx+x*x, sxy+x*y
	}
	if d := n*sxx - sx*sx; d > 0 {
		return (n*sxy - sx*sy) / d
	}
	return 0
}

func main() {
	threads := flag.Int("threads", 4, "goroutines sharing the client")
	perThread := flag.Int64("calls-per-thread", 250_000, "calls each goroutine makes")
	flag.Parse()
	addr := os.Getenv("CI_EMULATOR_ADDR")
	if addr == "" || *threads < 1 || *perThread < 1 {
		fmt.Fprintln(os.Stderr, "soak go: CI_EMULATOR_ADDR must be set (scripts/with-emulator.sh); threads and calls >= 1")
		os.Exit(2)
	}
	maxGrowth := int64(4096)
	if v := os.Getenv("CI_SOAK_MAX_RSS_GROWTH_KIB"); v != "" {
		maxGrowth, _ = strconv.ParseInt(v, 10, 64)
	}
	os.Exit(run(addr, *threads, *perThread, maxGrowth))
}

func run(addr string, threads int, perThread, maxGrowth int64) int {
	// The first connection opens the netpoller's descriptors, which stay:
	// the reset comes first, so the baseline is the steady state.
	if _, err := control(addr, "reset", map[string]any{}); err != nil {
		fmt.Fprintln(os.Stderr, "soak go:", err)
		return 2
	}
	debug.FreeOSMemory()
	liveStart := liveObjects()
	fdsStart := fdCount()
	rssStart := rssKiB()
	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
		SecretID: "AKIDemulatorEXAMPLE", SecretKey: "emulator-secret-key", Region: "ap-guangzhou",
		ConnectTo: addr, Scheme: cloudinfinite.SchemeHTTP, ProxyMode: cloudinfinite.ProxyModeDisabled,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak go: NewClient:", err)
		return 2
	}

	total := int64(threads) * perThread
	var done, errs atomic.Int64
	var firstErrors sync.Map
	var reported atomic.Int32
	ctx := context.Background()
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := 0; w < threads; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int64(0); i < perThread; i++ {
				var ok bool
				var err error
				if i%2 == 1 {
					var page *cloudinfinite.BucketPage
					page, err = client.DescribePicBuckets(ctx, nil)
					ok = err == nil && len(page.Buckets) == 10 && page.RequestID != nil && *page.RequestID != ""
				} else {
					var page *cloudinfinite.QueuePage
					page, err = client.DescribeAIQueues(ctx, bucket, nil)
					ok = err == nil && len(page.Queues) == 10 && page.RequestID != nil && *page.RequestID != ""
				}
				if !ok {
					errs.Add(1)
					if n := reported.Add(1); n <= 5 {
						firstErrors.Store(n, fmt.Sprint(err))
					}
				}
				done.Add(1)
			}
		}()
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()

	// RSS at every 5% of the calls (and descriptors and heap at the end of the warm-up).
	rss, at := make([]int64, 0, samples), make([]int64, 0, samples)
	osThreads := make([]int64, 0, samples) // the process's threads: cgo calls can add Ms
	fdsWarm := -1
	var heapWarm, heapEnd runtime.MemStats
	tick := time.NewTicker(5 * time.Millisecond)
sampling:
	for len(rss) < samples-1 {
		select {
		case <-finished:
			break sampling
		case <-tick.C:
			if n := done.Load(); n >= total*int64(len(rss)+1)/samples {
				debug.FreeOSMemory()
				rss = append(rss, rssKiB())
				at = append(at, n)
				osThreads = append(osThreads, statusKiB("Threads:"))
				if len(rss) == warm {
					fdsWarm = fdCount()
					runtime.ReadMemStats(&heapWarm)
				}
			}
		}
	}
	tick.Stop()
	<-finished
	secs := time.Since(t0).Seconds()
	calls := done.Load()
	debug.FreeOSMemory()
	rssEnd := rssKiB()
	runtime.ReadMemStats(&heapEnd)
	for len(rss) < samples { // the last sample, and any the end came before
		rss, at = append(rss, rssEnd), append(at, calls)
		osThreads = append(osThreads, statusKiB("Threads:"))
	}
	if fdsWarm < 0 {
		fdsWarm = fdCount()
		heapWarm = heapEnd
	}
	fdsAfterCalls := fdCount()
	var seen float64 = -1
	if stats, err := control(addr, "stats", nil); err == nil {
		seen, _ = stats["requests"].(float64)
	} else {
		fmt.Fprintln(os.Stderr, "soak go:", err)
	}
	client.Close()
	fdsEnd := fdCount()
	live := liveObjects() - liveStart

	rssWarm := rss[warm-1]
	lo, hi := rssWarm, rssWarm
	for _, v := range rss[warm-1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	fmt.Printf("soak go: threads=%d calls=%d errors=%d secs=%.1f calls_per_s=%.0f rss_start_kib=%d "+
		"rss_warm_kib=%d rss_end_kib=%d growth_kib=%d (bound %d) rss_min_kib=%d rss_max_kib=%d "+
		"slope_kib_per_100k_calls=%.1f fds_before=%d fds_after=%d fds_with_client_warm=%d "+
		"fds_with_client_end=%d emulator_requests=%.0f live_objects=%d go_heap_alloc_kib=%d->%d "+
		"go_sys_kib=%d->%d goroutines=%d\n",
		threads, calls, errs.Load(), secs, float64(calls)/secs, rssStart, rssWarm, rssEnd, rssEnd-rssWarm,
		maxGrowth, lo, hi, slope(rss[warm-1:], at[warm-1:]), fdsStart, fdsEnd, fdsWarm, fdsAfterCalls, seen,
		live, heapWarm.HeapAlloc/1024, heapEnd.HeapAlloc/1024, heapWarm.Sys/1024, heapEnd.Sys/1024,
		runtime.NumGoroutine())
	strs := make([]string, len(rss))
	for i, v := range rss {
		strs[i] = strconv.FormatInt(v, 10)
	}
	threadStrs := make([]string, len(osThreads))
	for i, v := range osThreads {
		threadStrs[i] = strconv.FormatInt(v, 10)
	}
	fmt.Printf("soak go: rss_kib_every_5pct=%s os_threads_every_5pct=%s\n", strings.Join(strs, ","), strings.Join(threadStrs, ","))
	firstErrors.Range(func(_, v any) bool { fmt.Fprintln(os.Stderr, "error:", v); return true })
	ok := calls == total && errs.Load() == 0 && int64(seen) == total && live == 0 &&
		fdsEnd == fdsStart && fdsAfterCalls <= fdsWarm && rssEnd-rssWarm <= maxGrowth
	if ok {
		fmt.Println("soak go: PASS")
		return 0
	}
	fmt.Println("soak go: FAIL")
	return 1
}
