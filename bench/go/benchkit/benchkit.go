// Package benchkit is the Go side of bench/: the cases, the sequential and
// concurrent loops, peak RSS and the JSON report, shared by the program for
// our binding (bench/go/ours) and the one for Tencent's SDK (bench/go/official).
// Every loop is bounded by a call count and by a time limit.
package benchkit

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Case is one request: an API ("pic" or "queue") and a page size, which is
// also the number of items the answer must hold.
type Case struct {
	Name string
	API  string
	Size int
}

var Cases = map[string]Case{
	"pic10":    {"pic10", "pic", 10},
	"pic100":   {"pic100", "pic", 100},
	"queue10":  {"queue10", "queue", 10},
	"queue100": {"queue100", "queue", 100},
}

// CaseOrder is the order of Cases in a check.
var CaseOrder = []string{"pic10", "pic100", "queue10", "queue100"}

// Caller makes one call of a case with a client made once, and returns the
// number of items received.
type Caller func(Case) (int, error)

// Config is the JSON argument given by bench/bench.py.
type Config struct {
	Impl        string   `json:"impl"`
	Mode        string   `json:"mode"`
	Addr        string   `json:"addr"`
	Bucket      string   `json:"bucket"`
	Cases       []string `json:"cases"`
	Warmup      int      `json:"warmup"`
	SeqCalls    int      `json:"seq_calls"`
	SeqSeconds  float64  `json:"seq_seconds"`
	ConcCalls   int      `json:"conc_calls"`
	ConcSeconds float64  `json:"conc_seconds"`
	Workers     int      `json:"workers"`
	RssCalls    int      `json:"rss_calls"`
	RssCase     string   `json:"rss_case"`
	FfiCalls    int      `json:"ffi_calls"`
	// The listing benchmark ("list" mode): walk every page of `total` pic
	// buckets, `size` per page, `runs` times after a warm-up; ours walks one
	// page at a time ("sequential") or with its default concurrency ("parallel").
	Variant string `json:"variant"`
	Total   int    `json:"total"`
	Size    int    `json:"size"`
	Runs    int    `json:"runs"`
}

// Walker walks every page once and returns the bucket names in order.
type Walker func() ([]string, error)

// RunList times cfg.Runs walks after one warm-up walk, checks each got every
// name in order, and prints the result as Run does.
func RunList(cfg Config, walk Walker) {
	want := make([]string, cfg.Total)
	for i := range want {
		want[i] = fmt.Sprintf("list%04d-1250000000", i)
	}
	walls := []float64{}
	for run := 0; run <= cfg.Runs; run++ {
		t0 := time.Now()
		names, err := walk()
		wall := time.Since(t0).Seconds()
		if err != nil {
			Fail("listing: %v", err)
		}
		if len(names) != len(want) {
			Fail("listing: got %d names, not the %d expected", len(names), len(want))
		}
		for i := range names {
			if names[i] != want[i] {
				Fail("listing: name %d is %q, not %q", i, names[i], want[i])
			}
		}
		if run > 0 {
			walls = append(walls, wall)
		}
	}
	out := map[string]any{"lang": "go", "impl": cfg.Impl, "mode": cfg.Mode, "go": runtime.Version(),
		"walls_s": walls, "runs": cfg.Runs, "items": len(want)}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		Fail("%v", err)
	}
}

func ParseConfig() Config {
	if len(os.Args) != 2 {
		Fail("usage: %s JSON-CONFIG", os.Args[0])
	}
	var cfg Config
	if err := json.Unmarshal([]byte(os.Args[1]), &cfg); err != nil {
		Fail("bad config: %v", err)
	}
	return cfg
}

func Fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func call(f Caller, c Case) {
	n, err := f(c)
	if err != nil {
		Fail("%s: %v", c.Name, err)
	}
	if n != c.Size {
		Fail("%s: expected %d items, got %d", c.Name, c.Size, n)
	}
}

func percentile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return float64(sorted[i].Nanoseconds()) / 1e3
}

func sequential(f Caller, c Case, calls int, seconds float64) map[string]any {
	lat := make([]time.Duration, 0, calls)
	start := time.Now()
	deadline := start.Add(time.Duration(seconds * float64(time.Second)))
	for i := 0; i < calls; i++ {
		t0 := time.Now()
		call(f, c)
		t1 := time.Now()
		lat = append(lat, t1.Sub(t0))
		if t1.After(deadline) {
			break
		}
	}
	elapsed := time.Since(start).Seconds()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return map[string]any{"calls": len(lat), "seconds": elapsed, "calls_per_s": float64(len(lat)) / elapsed,
		"p50_us": percentile(lat, 0.50), "p99_us": percentile(lat, 0.99)}
}

func concurrent(f Caller, c Case, workers, calls int, seconds float64) map[string]any {
	var left atomic.Int64
	var done atomic.Int64
	left.Store(int64(calls))
	start := time.Now()
	deadline := start.Add(time.Duration(seconds * float64(time.Second)))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for left.Add(-1) >= 0 {
				call(f, c)
				done.Add(1)
				if time.Now().After(deadline) {
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start).Seconds()
	return map[string]any{"calls": done.Load(), "seconds": elapsed, "calls_per_s": float64(done.Load()) / elapsed, "workers": workers}
}

// TimePerCall is the median time of one call in microseconds, after 5
// warm-up calls, over up to `calls` calls or `seconds`.
func TimePerCall(f Caller, c Case, calls int, seconds float64) float64 {
	for i := 0; i < 5; i++ {
		call(f, c)
	}
	lat := make([]time.Duration, 0, calls)
	deadline := time.Now().Add(time.Duration(seconds * float64(time.Second)))
	for i := 0; i < calls; i++ {
		t0 := time.Now()
		call(f, c)
		t1 := time.Now()
		lat = append(lat, t1.Sub(t0))
		if t1.After(deadline) {
			break
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return percentile(lat, 0.5)
}

var statusRe = map[string]*regexp.Regexp{}

// StatusKiB reads a field (VmRSS, VmHWM) of /proc/self/status in KiB.
func StatusKiB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	re, ok := statusRe[field]
	if !ok {
		re = regexp.MustCompile(`(?m)^` + field + `:\s+(\d+) kB`)
		statusRe[field] = re
	}
	m := re.FindSubmatch(b)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return n
}

// Run does cfg.Mode with f and prints the JSON report. ffi, when not nil,
// answers mode "ffi".
func Run(cfg Config, f Caller, versions map[string]string, ffi func(Config) map[string]any) {
	out := map[string]any{"lang": "go", "impl": cfg.Impl, "mode": cfg.Mode, "go": runtime.Version(), "gomaxprocs": runtime.GOMAXPROCS(0)}
	switch cfg.Mode {
	case "check":
		items := map[string]int{}
		for _, name := range CaseOrder {
			c := Cases[name]
			n, err := f(c)
			if err != nil {
				Fail("%s: %v", name, err)
			}
			if n != c.Size {
				Fail("%s: expected %d items, got %d", name, c.Size, n)
			}
			items[name] = n
		}
		out["items"] = items
		out["versions"] = versions
	case "perf":
		cases := map[string]any{}
		for _, name := range cfg.Cases {
			c, ok := Cases[name]
			if !ok {
				Fail("unknown case %q", name)
			}
			for i := 0; i < cfg.Warmup; i++ {
				call(f, c)
			}
			// A phase with 0 calls is skipped (bench.py runs the sequential and the concurrent phase apart).
			r := map[string]any{"seq": nil, "conc": nil}
			if cfg.SeqCalls > 0 {
				r["seq"] = sequential(f, c, cfg.SeqCalls, cfg.SeqSeconds)
			}
			if cfg.ConcCalls > 0 {
				r["conc"] = concurrent(f, c, cfg.Workers, cfg.ConcCalls, cfg.ConcSeconds)
			}
			cases[name] = r
		}
		out["cases"] = cases
	case "rss":
		c, ok := Cases[cfg.RssCase]
		if !ok {
			Fail("unknown case %q", cfg.RssCase)
		}
		call(f, c)
		before := StatusKiB("VmRSS")
		t0 := time.Now()
		for i := 0; i < cfg.RssCalls; i++ {
			call(f, c)
		}
		out["case"] = c.Name
		out["calls"] = cfg.RssCalls
		out["seconds"] = time.Since(t0).Seconds()
		out["rss_after_first_call_kib"] = before
		out["rss_end_kib"] = StatusKiB("VmRSS")
		out["peak_rss_kib"] = StatusKiB("VmHWM")
	case "ffi":
		if ffi == nil {
			Fail("mode ffi is not offered by impl %q", cfg.Impl)
		}
		for k, v := range ffi(cfg) {
			out[k] = v
		}
	default:
		Fail("unknown mode %q", cfg.Mode)
	}
	b, err := json.Marshal(out)
	if err != nil {
		Fail("%v", err)
	}
	fmt.Println(string(b))
}
