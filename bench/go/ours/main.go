// One benchmark run in Go with our binding (bindings/go, cgo) against
// ci-emulator on 127.0.0.1; mode "ffi" measures one crossing into the library.
//
//	ours '{"impl": "ours", "mode": "check"|"perf"|"rss"|"ffi", ...}'
//
// bench/bench.py builds it with -tags cloudinfinite_pkgconfig against the
// release library; without the tag it links target/debug (the smoke run).
package main

import (
	"context"
	"errors"
	"time"

	"cloud-infinite/bench/benchkit"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

func makeCaller(addr, bucket string) benchkit.Caller {
	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
		SecretID: "AKIDemulatorEXAMPLE", SecretKey: "emulator-secret-key", Region: "ap-guangzhou",
		ConnectTo: addr, Scheme: cloudinfinite.SchemeHTTP, ProxyMode: cloudinfinite.ProxyModeDisabled,
		MaxRetries: cloudinfinite.Ptr(uint32(0)),
	})
	if err != nil {
		benchkit.Fail("NewClient: %v", err)
	}
	ctx := context.Background()
	return func(c benchkit.Case) (int, error) {
		if c.API == "pic" {
			page, err := client.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageSize: uint64(c.Size)})
			if err != nil {
				return 0, err
			}
			return len(page.Buckets), nil
		}
		page, err := client.DescribeAIQueues(ctx, bucket, &cloudinfinite.QueueQuery{PageSize: uint64(c.Size)})
		if err != nil {
			return 0, err
		}
		return len(page.Queues), nil
	}
}

var errCall = errors.New("the C call failed")

// split times the same calls through the binding and straight through the C
// ABI (results freed unread): the difference is the binding's conversion.
func split(cfg benchkit.Config) map[string]any {
	out := map[string]any{}
	viaBinding := makeCaller(cfg.Addr, cfg.Bucket)
	direct, done := cCaller(cfg.Addr, cfg.Bucket)
	defer done()
	for _, name := range []string{"pic100", "queue100"} {
		c := benchkit.Cases[name]
		out[name] = map[string]any{
			"binding_us": benchkit.TimePerCall(viaBinding, c, cfg.SeqCalls, cfg.SeqSeconds),
			"c_only_us":  benchkit.TimePerCall(direct, c, cfg.SeqCalls, cfg.SeqSeconds),
		}
	}
	return out
}

func ffi(cfg benchkit.Config) map[string]any {
	n := cfg.FfiCalls
	for i := 0; i < 1000 && i < n; i++ {
		abiVersion()
	}
	t0 := time.Now()
	for i := 0; i < n; i++ {
		abiVersion()
	}
	noop := float64(time.Since(t0).Nanoseconds()) / float64(n)

	req := cloudinfinite.SignRequest{
		SecretID: "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234", SecretKey: "EXAMPLEsecretKEYexampleSECRETkey1",
		Method: "GET", Path: "/ai_queue",
		Params: []cloudinfinite.KV{{Name: "queueIds", Value: "pa1,pb2"}, {Name: "state", Value: "Active"}, {Name: "pageNumber", Value: "1"}, {Name: "pageSize", Value: "100"}},
		Headers: []cloudinfinite.KV{{Name: "host", Value: "examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com"},
			{Name: "x-ci-security-token", Value: "tmpTOKEN+abc/def==_-.~xyz"}},
		StartTime: time.Unix(1700000000, 0), EndTime: time.Unix(1700003600, 0),
	}
	m := n / 20
	if m < 1 {
		m = 1
	}
	if _, err := cloudinfinite.Sign(req); err != nil {
		benchkit.Fail("Sign: %v", err)
	}
	t0 = time.Now()
	for i := 0; i < m; i++ {
		if _, err := cloudinfinite.Sign(req); err != nil {
			benchkit.Fail("Sign: %v", err)
		}
	}
	sign := float64(time.Since(t0).Nanoseconds()) / float64(m)
	res := map[string]any{"noop_call_ns": noop, "noop_calls": n, "sign_call_ns": sign, "sign_calls": m}
	if cfg.Addr != "" {
		res["split"] = split(cfg)
	}
	return res
}

// makeWalker walks every page of pic buckets with the binding's pager, one
// page at a time ("sequential") or with its default concurrency ("parallel").
func makeWalker(addr, variant string, size int) benchkit.Walker {
	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
		SecretID: "AKIDemulatorEXAMPLE", SecretKey: "emulator-secret-key", Region: "ap-guangzhou",
		ConnectTo: addr, Scheme: cloudinfinite.SchemeHTTP, ProxyMode: cloudinfinite.ProxyModeDisabled,
		MaxRetries: cloudinfinite.Ptr(uint32(0)),
	})
	if err != nil {
		benchkit.Fail("NewClient: %v", err)
	}
	query := &cloudinfinite.BucketQuery{PageSize: uint64(size)}
	ctx := context.Background()
	var options []cloudinfinite.PageOption
	if variant == "sequential" {
		options = append(options, cloudinfinite.WithConcurrency(1))
	}
	return func() ([]string, error) {
		names := []string{}
		for page, err := range client.PicBucketPages(ctx, query, options...) {
			if err != nil {
				return nil, err
			}
			for _, b := range page.Buckets {
				names = append(names, *b.Name)
			}
		}
		return names, nil
	}
}

func main() {
	cfg := benchkit.ParseConfig()
	if cfg.Mode == "list" {
		benchkit.RunList(cfg, makeWalker(cfg.Addr, cfg.Variant, cfg.Size))
		return
	}
	var caller benchkit.Caller
	if cfg.Mode != "ffi" {
		caller = makeCaller(cfg.Addr, cfg.Bucket)
	}
	benchkit.Run(cfg, caller, map[string]string{"library": cloudinfinite.Version()}, ffi)
}
