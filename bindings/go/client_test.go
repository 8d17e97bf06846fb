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

func TestVersionAndABI(t *testing.T) {
	if v := cloudinfinite.Version(); v == "" || !strings.Contains(v, ".") {
		t.Fatalf("Version() = %q", v)
	}
	const abi = 3 // the version this package was generated for
	if got := cloudinfinite.LinkedABIVersion(); got != abi {
		t.Fatalf("the linked library implements ABI %d, the package expects %d", got, abi)
	}
	same := func(_ uint32, real uintptr) uintptr { return real }
	if err := cloudinfinite.CheckABIWith(abi, same); err != nil {
		t.Fatalf("the real library fails the ABI check: %v", err)
	}
	err := cloudinfinite.CheckABIWith(abi+1, same)
	if !errors.Is(err, cloudinfinite.ErrABIMismatch) || !strings.Contains(err.Error(), "version 4") {
		t.Fatalf("a newer ABI version: %v", err)
	}
	const pageID = 3 // CI_STRUCT_ID_PAGE
	err = cloudinfinite.CheckABIWith(abi, func(id uint32, real uintptr) uintptr {
		if id == pageID {
			return real + 8
		}
		return real
	})
	if !errors.Is(err, cloudinfinite.ErrABIMismatch) || !strings.Contains(err.Error(), "ci_page") {
		t.Fatalf("a struct of another size: %v", err)
	}
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	t.Setenv("TENCENTCLOUD_SECRET_ID", "")
	t.Setenv("TENCENTCLOUD_SECRET_KEY", "")
	t.Setenv("TENCENTCLOUD_REGION", "")
	base := emulatorOptions("127.0.0.1:1")
	cases := []struct {
		name  string
		tweak func(*cloudinfinite.Options)
		kind  cloudinfinite.Kind
		text  string
	}{
		{"no options", func(o *cloudinfinite.Options) { *o = cloudinfinite.Options{} }, cloudinfinite.KindInvalidArgument, ""},
		{"no secret key", func(o *cloudinfinite.Options) { o.SecretKey = "" }, cloudinfinite.KindInvalidArgument, ""},
		{"no region", func(o *cloudinfinite.Options) { o.Region = "" }, cloudinfinite.KindInvalidArgument, ""},
		{"region that changes the host", func(o *cloudinfinite.Options) { o.Region = "ap-guangzhou.evil.com" }, cloudinfinite.KindInvalidArgument, ""},
		{"endpoint that is not a host", func(o *cloudinfinite.Options) { o.Endpoint = "a/b c" }, cloudinfinite.KindInvalidArgument, ""},
		{"unknown scheme", func(o *cloudinfinite.Options) { o.Scheme = 77 }, cloudinfinite.KindInvalidArgument, "scheme"},
		{"unknown proxy mode", func(o *cloudinfinite.Options) { o.ProxyMode = 9 }, cloudinfinite.KindInvalidArgument, "proxy_mode"},
		{"proxy URL mode without a URL", func(o *cloudinfinite.Options) { o.ProxyMode = cloudinfinite.ProxyModeURL }, cloudinfinite.KindNullArgument, "proxy_url"},
		{"bad proxy URL", func(o *cloudinfinite.Options) {
			o.ConnectTo = ""
			o.ProxyMode = cloudinfinite.ProxyModeURL
			o.ProxyURL = "::not a url::"
		}, cloudinfinite.KindInvalidArgument, ""},
		{"NUL in a string", func(o *cloudinfinite.Options) { o.SecretID = "AKID\x00x" }, cloudinfinite.KindInvalidArgument, "Options.SecretID"},
		{"NUL in the UA suffix", func(o *cloudinfinite.Options) { o.UserAgentSuffix = "a\x00" }, cloudinfinite.KindInvalidArgument, "Options.UserAgentSuffix"},
		{"non-UTF-8", func(o *cloudinfinite.Options) { o.SecretID = "AKID\xff\xfe" }, cloudinfinite.KindInvalidArgument, ""},
		{"negative timeout", func(o *cloudinfinite.Options) { o.Timeout = cloudinfinite.Ptr(-time.Second) }, cloudinfinite.KindInvalidArgument, "Options.Timeout"},
		{"negative connect timeout", func(o *cloudinfinite.Options) { o.ConnectTimeout = cloudinfinite.Ptr(time.Duration(-1)) }, cloudinfinite.KindInvalidArgument, "Options.ConnectTimeout"},
		{"negative retry delay", func(o *cloudinfinite.Options) { o.RetryBaseDelay = cloudinfinite.Ptr(time.Duration(-1)) }, cloudinfinite.KindInvalidArgument, "Options.RetryBaseDelay"},
		// An explicit 0 reaches the library (has_ flag 1), which refuses it
		// where 0 cannot work.
		{"zero timeout", func(o *cloudinfinite.Options) { o.Timeout = cloudinfinite.Ptr(time.Duration(0)) }, cloudinfinite.KindInvalidArgument, ""},
		{"zero connect timeout", func(o *cloudinfinite.Options) { o.ConnectTimeout = cloudinfinite.Ptr(time.Duration(0)) }, cloudinfinite.KindInvalidArgument, ""},
		{"zero max response bytes", func(o *cloudinfinite.Options) { o.MaxResponseBytes = cloudinfinite.Ptr(uint64(0)) }, cloudinfinite.KindInvalidArgument, ""},
	}
	live := cloudinfinite.LiveObjects()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			opts := base
			tc.tweak(&opts)
			c, err := cloudinfinite.NewClient(opts)
			if c != nil {
				t.Fatal("a client came back with the error")
			}
			e := wantError(t, err, tc.kind, "", 0)
			if !strings.Contains(e.Message, tc.text) {
				t.Fatalf("message %q does not name %q", e.Message, tc.text)
			}
		})
	}
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("failed NewClient calls left %d library objects behind", got-live)
	}
}

func TestOptionsFromEnvironment(t *testing.T) {
	emu := startEmulator(t)
	ctx := context.Background()
	t.Setenv("TENCENTCLOUD_SECRET_ID", emulator.SecretID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", emulator.SecretKey)
	t.Setenv("TENCENTCLOUD_REGION", emulator.Region)
	t.Setenv("TENCENTCLOUD_SESSION_TOKEN", "")
	t.Setenv("TENCENTCLOUD_SECURITY_TOKEN", "")

	onEmulator := func(o cloudinfinite.Options) cloudinfinite.Options {
		o.ConnectTo, o.Scheme, o.ProxyMode = emu.Addr, cloudinfinite.SchemeHTTP, cloudinfinite.ProxyModeDisabled
		return o
	}
	c, err := cloudinfinite.NewClient(onEmulator(cloudinfinite.OptionsFromEnv()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.DescribePicBuckets(ctx, nil); err != nil {
		t.Fatalf("credentials from the environment: %v", err)
	}

	// Explicit fields win over the environment.
	t.Setenv("TENCENTCLOUD_SECRET_KEY", "wrong-key")
	opts := onEmulator(cloudinfinite.OptionsFromEnv())
	c2, err := cloudinfinite.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	_, err = c2.DescribePicBuckets(ctx, nil)
	wantError(t, err, cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
	opts.SecretKey = emulator.SecretKey
	c3, err := cloudinfinite.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c3.Close()
	if _, err := c3.DescribePicBuckets(ctx, nil); err != nil {
		t.Fatalf("an explicit SecretKey did not win: %v", err)
	}

	// Temporary credentials, the token from the environment.
	t.Setenv("TENCENTCLOUD_SECRET_ID", emulator.TmpSecretID)
	t.Setenv("TENCENTCLOUD_SECRET_KEY", emulator.TmpSecretKey)
	t.Setenv("TENCENTCLOUD_SESSION_TOKEN", emulator.TmpSessionToken)
	c4, err := cloudinfinite.NewClient(onEmulator(cloudinfinite.OptionsFromEnv()))
	if err != nil {
		t.Fatal(err)
	}
	defer c4.Close()
	if _, err := c4.DescribeAIQueues(ctx, exampleBucket, nil); err != nil {
		t.Fatalf("session token from the environment: %v", err)
	}

	// Without FromEnv nothing is read from the environment.
	_, err = cloudinfinite.NewClient(onEmulator(cloudinfinite.Options{}))
	wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
}

func TestEveryOption(t *testing.T) {
	emu := startEmulator(t)
	ctx := context.Background()
	t.Setenv("HTTP_PROXY", "")
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("ALL_PROXY", "")

	t.Run("SessionToken", func(t *testing.T) {
		tmp := func(o *cloudinfinite.Options) {
			o.SecretID, o.SecretKey, o.SessionToken = emulator.TmpSecretID, emulator.TmpSecretKey, emulator.TmpSessionToken
		}
		if _, err := newClient(t, emu, tmp).DescribeAIQueues(ctx, exampleBucket, nil); err != nil {
			t.Fatal(err)
		}
		noToken := func(o *cloudinfinite.Options) { o.SessionToken = "" }
		_, err := newClient(t, emu, tmp, noToken).DescribeAIQueues(ctx, exampleBucket, nil)
		wantError(t, err, cloudinfinite.KindService, "", 403)
	})
	t.Run("Endpoint", func(t *testing.T) {
		// A custom domain: service calls go to it, bucket calls to <bucket>.<it>.
		c := newClient(t, emu, func(o *cloudinfinite.Options) { o.Endpoint = "ci.example.internal" })
		page, err := c.DescribePicBuckets(ctx, nil)
		if err != nil || len(page.Buckets) != 10 {
			t.Fatalf("pic buckets through an endpoint: %v", err)
		}
		queues, err := c.DescribeAIQueues(ctx, exampleBucket, nil)
		if err != nil || cloudinfinite.Value(queues.TotalCount) != 25 {
			t.Fatalf("queues through an endpoint: %v", err)
		}
	})
	t.Run("Scheme", func(t *testing.T) {
		// HTTPS (the default) to the plain-HTTP emulator cannot handshake.
		for _, s := range []cloudinfinite.Scheme{cloudinfinite.SchemeDefault, cloudinfinite.SchemeHTTPS} {
			c := newClient(t, emu, func(o *cloudinfinite.Options) { o.Scheme = s; o.MaxRetries = cloudinfinite.Ptr(uint32(0)) })
			_, err := c.DescribePicBuckets(ctx, nil)
			wantError(t, err, cloudinfinite.KindNetwork, "", 0)
		}
	})
	// The core tunnels through a proxy with CONNECT, which the emulator
	// does not serve (it answers 400): that answer proves the proxy was
	// used. The endpoint is a closed local port, so a request that skipped
	// the proxy fails on loopback ("refused") instead of reaching anything.
	viaProxy := func(t *testing.T, mode cloudinfinite.ProxyMode, url string) *cloudinfinite.Error {
		c := newClient(t, emu, func(o *cloudinfinite.Options) {
			o.ConnectTo, o.Endpoint = "", "127.0.0.1:1"
			o.ProxyMode, o.ProxyURL = mode, url
			o.MaxRetries = cloudinfinite.Ptr(uint32(0))
		})
		_, err := c.DescribePicBuckets(ctx, nil)
		return wantError(t, err, cloudinfinite.KindNetwork, "", 0)
	}
	usedProxy := func(e *cloudinfinite.Error) bool { return strings.Contains(strings.ToLower(e.Message), "proxy") }
	t.Run("ProxyURL", func(t *testing.T) {
		if e := viaProxy(t, cloudinfinite.ProxyModeURL, "http://"+emu.Addr); !usedProxy(e) {
			t.Fatalf("ProxyURL was not used: %v", e)
		}
		if e := viaProxy(t, cloudinfinite.ProxyModeDisabled, ""); usedProxy(e) {
			t.Fatalf("ProxyModeDisabled used a proxy: %v", e)
		}
	})
	t.Run("ProxyModeFromEnvironment", func(t *testing.T) {
		for _, name := range []string{"NO_PROXY", "no_proxy", "http_proxy", "https_proxy", "all_proxy"} {
			t.Setenv(name, "")
		}
		t.Setenv("HTTP_PROXY", "http://"+emu.Addr)
		t.Setenv("HTTPS_PROXY", "http://"+emu.Addr)
		t.Setenv("ALL_PROXY", "http://"+emu.Addr)
		if e := viaProxy(t, cloudinfinite.ProxyModeFromEnvironment, ""); !usedProxy(e) {
			t.Fatalf("the environment's proxy was not used: %v", e)
		}
		if e := viaProxy(t, cloudinfinite.ProxyModeDisabled, ""); usedProxy(e) {
			t.Fatalf("ProxyModeDisabled used the environment's proxy: %v", e)
		}
	})
	t.Run("UserAgentSuffixAndConnectTimeout", func(t *testing.T) {
		c := newClient(t, emu, func(o *cloudinfinite.Options) {
			o.UserAgentSuffix = "go-test/1.0"
			o.ConnectTimeout = cloudinfinite.Ptr(1500 * time.Microsecond) // rounds up to 2 ms, never to "not set"
		})
		if _, err := c.DescribePicBuckets(ctx, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Timeout", func(t *testing.T) {
		c := newClient(t, emu, func(o *cloudinfinite.Options) { o.Timeout = cloudinfinite.Ptr(300 * time.Millisecond) })
		start := time.Now()
		_, err := c.DescribeAIQueues(ctx, "slow-1250000000", nil)
		wantError(t, err, cloudinfinite.KindTimeout, "", 0)
		if el := time.Since(start); el > 1500*time.Millisecond {
			t.Fatalf("a 300 ms timeout took %v", el)
		}
		if errors.Is(err, context.DeadlineExceeded) {
			t.Fatal("the client's own timeout is not the context's deadline")
		}
	})
	t.Run("MaxRetriesAndRetryBaseDelay", func(t *testing.T) {
		priv := startEmulator(t)
		none := newClient(t, priv, func(o *cloudinfinite.Options) { o.MaxRetries = cloudinfinite.Ptr(uint32(0)) })
		_, err := none.DescribeAIQueues(ctx, "flaky-1250000000", nil)
		wantError(t, err, cloudinfinite.KindService, "ServiceUnavailable", 503)
		if n := stats(t, priv).Requests; n != 1 {
			t.Fatalf("MaxRetries 0 sent %d requests", n)
		}
		if err := priv.Reset(); err != nil {
			t.Fatal(err)
		}
		// flaky fails twice; the backoff is at least half the base, doubled:
		// 100 ms + 200 ms with a 200 ms base.
		two := newClient(t, priv, func(o *cloudinfinite.Options) {
			o.MaxRetries = cloudinfinite.Ptr(uint32(2))
			o.RetryBaseDelay = cloudinfinite.Ptr(200 * time.Millisecond)
		})
		start := time.Now()
		page, err := two.DescribeAIQueues(ctx, "flaky-1250000000", nil)
		if err != nil || len(page.Queues) != 1 {
			t.Fatalf("flaky with 2 retries: %v", err)
		}
		if el := time.Since(start); el < 300*time.Millisecond {
			t.Fatalf("two retries with a 200 ms base delay took only %v", el)
		}
		if n := stats(t, priv).Requests; n != 3 {
			t.Fatalf("2 retries sent %d requests", n)
		}
		// An explicit zero delay is sent as such and retries at once, where
		// nil keeps the 100 ms default.
		if err := priv.Reset(); err != nil {
			t.Fatal(err)
		}
		atOnce := newClient(t, priv, func(o *cloudinfinite.Options) {
			o.MaxRetries = cloudinfinite.Ptr(uint32(2))
			o.RetryBaseDelay = cloudinfinite.Ptr(time.Duration(0))
		})
		start = time.Now()
		if _, err := atOnce.DescribeAIQueues(ctx, "flaky-1250000000", nil); err != nil {
			t.Fatalf("flaky with 2 retries at once: %v", err)
		}
		if el := time.Since(start); el > 100*time.Millisecond {
			t.Fatalf("two retries with a zero delay took %v", el)
		}
		if err := priv.Reset(); err != nil {
			t.Fatal(err)
		}
		byDefault := newClient(t, priv, func(o *cloudinfinite.Options) { o.RetryBaseDelay = nil })
		start = time.Now()
		if _, err := byDefault.DescribeAIQueues(ctx, "flaky-1250000000", nil); err != nil {
			t.Fatalf("flaky with the default retries: %v", err)
		}
		if el := time.Since(start); el < 100*time.Millisecond {
			t.Fatalf("two retries with the default 100 ms base delay took only %v", el)
		}
	})
	t.Run("PageSizeZeroIsUnset", func(t *testing.T) {
		// Go's zero value means "not sent": the service's default of 10.
		page, err := newClient(t, emu).DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageSize: 0, PageNumber: 0})
		if err != nil || cloudinfinite.Value(page.PageSize) != 10 || cloudinfinite.Value(page.PageNumber) != 1 {
			t.Fatalf("PageSize 0: %v, %+v", err, page)
		}
	})
	t.Run("MaxResponseBytes", func(t *testing.T) {
		capped := newClient(t, emu, func(o *cloudinfinite.Options) { o.MaxResponseBytes = cloudinfinite.Ptr(uint64(64 << 10)) })
		_, err := capped.DescribeAIQueues(ctx, "huge-1250000000", nil)
		wantError(t, err, cloudinfinite.KindResponseTooLarge, "", 0)
		if _, err := capped.DescribeAIQueues(ctx, exampleBucket, nil); err != nil {
			t.Fatalf("a normal answer under a 64 KiB cap: %v", err)
		}
		tiny := newClient(t, emu, func(o *cloudinfinite.Options) { o.MaxResponseBytes = cloudinfinite.Ptr(uint64(100)) })
		_, err = tiny.DescribeAIQueues(ctx, exampleBucket, nil)
		wantError(t, err, cloudinfinite.KindResponseTooLarge, "", 0)
	})
}

func TestClose(t *testing.T) {
	emu := startEmulator(t)
	ctx := context.Background()
	live := cloudinfinite.LiveObjects()
	c, err := cloudinfinite.NewClient(emulatorOptions(emu.Addr))
	if err != nil {
		t.Fatal(err)
	}
	if got := cloudinfinite.LiveObjects(); got != live+1 {
		t.Fatalf("a client is %d library objects", got-live)
	}
	if _, err := c.DescribePicBuckets(ctx, nil); err != nil {
		t.Fatal(err)
	}
	seq := c.PicBucketPages(ctx, nil)
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if got := cloudinfinite.LiveObjects(); got != live {
		t.Fatalf("Close left %d library objects", got-live)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("a second Close: %v", err)
	}
	before := stats(t, emu).Requests
	_, err = c.DescribePicBuckets(ctx, nil)
	e := wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
	if !errors.Is(err, cloudinfinite.ErrClosed) || !strings.Contains(e.Message, "closed") {
		t.Fatalf("after Close: %v", err)
	}
	_, err = c.DescribeAIQueues(ctx, exampleBucket, nil)
	if !errors.Is(err, cloudinfinite.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	n := 0
	for page, err := range seq {
		n++
		if page != nil || !errors.Is(err, cloudinfinite.ErrClosed) {
			t.Fatalf("a walk after Close yielded %v, %v", page, err)
		}
	}
	for _, err := range c.AIQueuePages(ctx, exampleBucket, nil) {
		n++
		if !errors.Is(err, cloudinfinite.ErrClosed) {
			t.Fatalf("a walk after Close: %v", err)
		}
	}
	if n != 2 {
		t.Fatalf("the walks after Close yielded %d times, want 1 each", n)
	}
	if after := stats(t, emu).Requests; after != before {
		t.Fatalf("calls on a closed client sent %d requests", after-before)
	}
}

func TestZeroClient(t *testing.T) {
	var c cloudinfinite.Client
	_, err := c.DescribePicBuckets(context.Background(), nil)
	e := wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
	if !strings.Contains(e.Message, "NewClient") {
		t.Fatalf("a zero Client: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}
