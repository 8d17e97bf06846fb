// One benchmark run in Go with Tencent's cos-go-sdk-v5
// (CI.DescribePicProcessBuckets, CI.DescribeAIProcessQueues), or with a raw
// net/http keep-alive client that only signs, sends and reads the body (no
// parsing): the load generator showing what the emulator itself can serve.
//
//	official '{"impl": "official"|"raw", "mode": "check"|"perf"|"rss", ...}'
//
// Prints one JSON object on stdout. bench/bench.py drives it; see bench/README.md.
package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"cloud-infinite/bench/benchkit"

	cos "github.com/tencentyun/cos-go-sdk-v5"
)

const (
	secretID  = "AKIDemulatorEXAMPLE"
	secretKey = "emulator-secret-key"
	region    = "ap-guangzhou"
)

// transport dials the emulator for every host, keeping the production Host
// (and so the signed host), like our connect_to. Enough idle connections are
// kept for 8 workers, so neither client pays for new connections.
func transport(addr string) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}
}

func makeCaller(impl, addr, bucket string) benchkit.Caller {
	tr := transport(addr)
	httpClient := &http.Client{Transport: &cos.AuthorizationTransport{SecretID: secretID, SecretKey: secretKey, Transport: tr}}
	ciURL, _ := url.Parse("http://ci." + region + ".myqcloud.com")
	bucketURL, _ := url.Parse("http://" + bucket + ".ci." + region + ".myqcloud.com")
	ctx := context.Background()
	switch impl {
	case "official":
		service := cos.NewClient(&cos.BaseURL{CIURL: ciURL}, httpClient)
		bucketLevel := cos.NewClient(&cos.BaseURL{CIURL: bucketURL}, httpClient)
		return func(c benchkit.Case) (int, error) {
			if c.API == "pic" {
				res, resp, err := service.CI.DescribePicProcessBuckets(ctx, &cos.DescribePicProcessBucketsOptions{PageSize: c.Size})
				if err != nil {
					return 0, err
				}
				if resp.StatusCode != 200 {
					return 0, fmt.Errorf("status %d", resp.StatusCode)
				}
				return len(res.MediaBucketList), nil
			}
			res, resp, err := bucketLevel.CI.DescribeAIProcessQueues(ctx, &cos.DescribeMediaProcessQueuesOptions{PageSize: c.Size})
			if err != nil {
				return 0, err
			}
			if resp.StatusCode != 200 {
				return 0, fmt.Errorf("status %d", resp.StatusCode)
			}
			return len(res.QueueList), nil
		}
	case "raw":
		return func(c benchkit.Case) (int, error) {
			u := ciURL.String() + "/picbucket?pageSize=" + strconv.Itoa(c.Size)
			if c.API == "queue" {
				u = bucketURL.String() + "/ai_queue?pageSize=" + strconv.Itoa(c.Size)
			}
			resp, err := httpClient.Get(u)
			if err != nil {
				return 0, err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil {
				return 0, err
			}
			if resp.StatusCode != 200 {
				return 0, fmt.Errorf("status %d", resp.StatusCode)
			}
			return c.Size, nil // not parsed: the raw client only reads the bytes
		}
	}
	fmt.Fprintf(os.Stderr, "unknown impl %q\n", impl)
	os.Exit(2)
	return nil
}

// makeWalker walks every page of pic buckets with the official SDK, one
// request after another (it has no pager).
func makeWalker(addr string, size int) benchkit.Walker {
	httpClient := &http.Client{Transport: &cos.AuthorizationTransport{SecretID: secretID, SecretKey: secretKey, Transport: transport(addr)}}
	ciURL, _ := url.Parse("http://ci." + region + ".myqcloud.com")
	service := cos.NewClient(&cos.BaseURL{CIURL: ciURL}, httpClient)
	ctx := context.Background()
	return func() ([]string, error) {
		names := []string{}
		for number := 1; ; number++ {
			res, resp, err := service.CI.DescribePicProcessBuckets(ctx, &cos.DescribePicProcessBucketsOptions{PageNumber: number, PageSize: size})
			if err != nil {
				return nil, err
			}
			if resp.StatusCode != 200 {
				return nil, fmt.Errorf("status %d", resp.StatusCode)
			}
			for _, b := range res.MediaBucketList {
				names = append(names, b.Name)
			}
			if len(res.MediaBucketList) == 0 || number*size >= res.TotalCount {
				return names, nil
			}
		}
	}
}

func main() {
	cfg := benchkit.ParseConfig()
	if cfg.Mode == "list" {
		benchkit.RunList(cfg, makeWalker(cfg.Addr, cfg.Size))
		return
	}
	versions := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/tencentyun/cos-go-sdk-v5" {
				versions["cos-go-sdk-v5"] = m.Version
			}
		}
	}
	benchkit.Run(cfg, makeCaller(cfg.Impl, cfg.Addr, cfg.Bucket), versions, nil)
}
