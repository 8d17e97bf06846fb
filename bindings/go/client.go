package cloudinfinite

// #include "cloud_infinite.h"
import "C"

import (
	"runtime"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"
)

// Options says how to make a [Client]. The zero value of every field means
// "not set": the library's default or, with FromEnv, the environment's
// value. Explicit fields win over the environment. The numbers are
// pointers (set them with [Ptr]) so that an explicit 0 reaches the library,
// which uses it (MaxRetries, RetryBaseDelay: retry at once) or refuses it
// (the timeouts, MaxResponseBytes) with KindInvalidArgument, as the C ABI's
// has_ flags say; nil leaves the library's default.
//
//	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
//		FromEnv: true,          // TENCENTCLOUD_SECRET_ID, _SECRET_KEY, _SESSION_TOKEN, _REGION
//		Region:  "ap-shanghai", // wins over TENCENTCLOUD_REGION
//	})
//
// Durations are passed in whole milliseconds, rounded up (so 1ns is 1 ms,
// and only an explicit 0 is 0); a negative duration is an error.
type Options struct {
	// FromEnv fills unset credentials and region from TENCENTCLOUD_SECRET_ID,
	// TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN (or
	// TENCENTCLOUD_SECURITY_TOKEN) and TENCENTCLOUD_REGION. The library reads
	// them when the client is made.
	FromEnv bool
	// SecretID is the SecretId (q-ak). Required, here or from the environment.
	SecretID string
	// SecretKey is the SecretKey. Required, here or from the environment.
	SecretKey string
	// SessionToken is the token of temporary credentials, sent and signed
	// as x-ci-security-token.
	SessionToken string
	// Region, e.g. "ap-guangzhou". Required, here or from the environment.
	Region string
	// Endpoint replaces ci.<region>.myqcloud.com (host[:port]); bucket calls
	// then go to <bucket>.<Endpoint>.
	Endpoint string
	// ConnectTo dials this host:port for every request while Host, path
	// and signature stay what production gets (like curl's --connect-to);
	// no proxy is used. This is how a client reaches ci-emulator.
	ConnectTo string
	// Scheme is HTTPS unless set to SchemeHTTP.
	Scheme Scheme
	// ConnectTimeout bounds each connection attempt (nil: 5 s).
	ConnectTimeout *time.Duration
	// Timeout bounds a whole call, retries and backoff included (nil:
	// 30 s); in a walk (…Pages), each page. A context deadline or a
	// query's Timeout can shorten one call.
	Timeout *time.Duration
	// MaxRetries is how often connection failures, 5xx answers and
	// throttling are retried (nil: the default, 3). Other 4xx answers are
	// never retried. Ptr(uint32(0)) turns retries off.
	MaxRetries *uint32
	// RetryBaseDelay is the first backoff delay, doubled each retry with
	// jitter (nil: 100 ms). Ptr(time.Duration(0)) retries at once.
	RetryBaseDelay *time.Duration
	// MaxResponseBytes is the largest answer accepted (nil: 16 MiB); a
	// larger one fails with KindResponseTooLarge, never buffered.
	MaxResponseBytes *uint64
	// UserAgentSuffix is appended to the cloud-infinite/<version> User-Agent.
	UserAgentSuffix string
	// ProxyMode: from the environment (default), disabled, or ProxyURL.
	ProxyMode ProxyMode
	// ProxyURL is the proxy for ProxyModeURL, e.g. "http://proxy:3128".
	ProxyURL string
	// CAFile is a PEM file of CA certificates to trust for HTTPS instead of
	// the built-in Mozilla roots (a private CA). Certificates are always
	// verified.
	CAFile string

	// Credentials says where the keys come from. The zero value,
	// CredentialsSourceKeys, is SecretID, SecretKey and SessionToken
	// (filled from the environment with FromEnv): fixed keys, unless a
	// CredentialsFunc is set, which makes it CredentialsSourceCallback.
	// Every other source is a provider the library asks again before its
	// keys expire (see RefreshMargin), and SecretID, SecretKey and
	// SessionToken must then be "" (FromEnv still gives the region):
	// CredentialsSourceDefaultChain (Tencent's order: the environment, the
	// profile file, the CVM role, TKE OIDC), CredentialsSourceEnvironment,
	// CredentialsSourceProfileFile (ProfileName),
	// CredentialsSourceCVMRole (CVMRole, MetadataEndpoint),
	// CredentialsSourceTKEOIDC (the TKE_* variables, STSEndpoint),
	// CredentialsSourceCallback (CredentialsFunc). A field for a source
	// other than the one chosen is refused with KindInvalidArgument.
	Credentials CredentialsSource
	// CredentialsFunc is a provider written in Go (see [CredentialsFunc]),
	// for CredentialsSourceCallback. The client keeps it for its whole
	// life and lets go of it when closed.
	CredentialsFunc CredentialsFunc
	// ProfileName is the section of the profile file for
	// CredentialsSourceProfileFile ("": [default]). The file is
	// $TENCENTCLOUD_CREDENTIALS_FILE, else ~/.tencentcloud/credentials,
	// else /etc/tencentcloud/credentials.
	ProfileName string
	// CVMRole is the CAM role of CredentialsSourceCVMRole ("": the first
	// the metadata service lists).
	CVMRole string
	// MetadataEndpoint is the metadata service's
	// .../latest/meta-data/cam/security-credentials/ URL, for
	// CredentialsSourceCVMRole and CredentialsSourceDefaultChain ("":
	// $TENCENTCLOUD_METADATA_ENDPOINT, else Tencent's
	// http://metadata.tencentyun.com/...).
	MetadataEndpoint string
	// STSEndpoint is the STS URL of CredentialsSourceTKEOIDC and
	// CredentialsSourceDefaultChain ("": $TENCENTCLOUD_STS_ENDPOINT, else
	// https://sts.tencentcloudapi.com/).
	STSEndpoint string
	// RefreshMargin is how long before they expire a provider's keys are
	// renewed (nil: 300 s). The library uses at most a fifth of the keys'
	// lifetime, so that short-lived keys are not renewed on every call.
	RefreshMargin *time.Duration

	// sources counts the sources given to OptionsFromEnv beyond the first:
	// NewClient refuses them rather than pick one.
	extraSources int
}

// OptionsFromEnv returns Options that take the credentials and region from
// Tencent Cloud's environment variables (see Options.FromEnv); set other
// fields on the result as needed.
//
// With no argument the keys are TENCENTCLOUD_SECRET_ID, _SECRET_KEY and
// _SESSION_TOKEN, read once, as fixed keys. Given a source, the region still
// comes from the environment but the keys from that source, refreshed:
//
//	// the environment, the profile file, the CVM role, TKE OIDC
//	opts := cloudinfinite.OptionsFromEnv(cloudinfinite.CredentialsSourceDefaultChain)
//
// At most one source may be given; NewClient refuses more.
func OptionsFromEnv(source ...CredentialsSource) Options {
	o := Options{FromEnv: true}
	if len(source) > 0 {
		o.Credentials = source[0]
		o.extraSources = len(source) - 1
	}
	return o
}

// Ptr returns a pointer to v, for the optional numbers of [Options]:
// Ptr(uint32(0)), Ptr(2 * time.Second).
func Ptr[T any](v T) *T { return &v }

// Value returns *p, or the zero value when p is nil (an absent element):
// handy for printing a result's optional fields.
func Value[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// defaultTimeout is the library's call timeout when Options.Timeout is not
// set, as the header documents it (ci_client_options.timeout_ms, "0: 30000").
const defaultTimeout = 30 * time.Second

// millis converts a duration to whole milliseconds, rounded up.
func millis(d time.Duration, name string) (C.uint64_t, error) {
	if d < 0 {
		return 0, invalidArgument("%s is negative (%v)", name, d)
	}
	return C.uint64_t((d + time.Millisecond - 1) / time.Millisecond), nil
}

// toC fills a ci_client_options whose strings live in a.
func (o *Options) toC(a *arena) (C.ci_client_options, error) {
	var c C.ci_client_options
	var err error
	strs := []struct {
		dst   **C.char
		value string
		name  string
	}{
		{&c.secret_id, o.SecretID, "Options.SecretID"},
		{&c.secret_key, o.SecretKey, "Options.SecretKey"},
		{&c.session_token, o.SessionToken, "Options.SessionToken"},
		{&c.region, o.Region, "Options.Region"},
		{&c.endpoint, o.Endpoint, "Options.Endpoint"},
		{&c.connect_to, o.ConnectTo, "Options.ConnectTo"},
		{&c.user_agent_suffix, o.UserAgentSuffix, "Options.UserAgentSuffix"},
		{&c.proxy_url, o.ProxyURL, "Options.ProxyURL"},
		{&c.ca_file, o.CAFile, "Options.CAFile"},
		{&c.profile_name, o.ProfileName, "Options.ProfileName"},
		{&c.cvm_role, o.CVMRole, "Options.CVMRole"},
		{&c.metadata_endpoint, o.MetadataEndpoint, "Options.MetadataEndpoint"},
		{&c.sts_endpoint, o.STSEndpoint, "Options.STSEndpoint"},
	}
	for _, s := range strs {
		if *s.dst, err = a.optionalString(s.value, s.name); err != nil {
			return c, err
		}
	}
	c.scheme = C.uint32_t(o.Scheme)
	c.proxy_mode = C.uint32_t(o.ProxyMode)
	if o.extraSources > 0 {
		return c, invalidArgument("OptionsFromEnv takes at most one CredentialsSource, got %d", o.extraSources+1)
	}
	c.credentials = C.uint32_t(o.Credentials)
	if o.CredentialsFunc != nil && o.Credentials == CredentialsSourceKeys {
		// A function alone says where the keys come from. With another
		// source, NewClient passes it on for the library to refuse.
		c.credentials = C.uint32_t(CredentialsSourceCallback)
	}
	durations := []struct {
		has   *C.uint8_t
		dst   *C.uint64_t
		value *time.Duration
		name  string
	}{
		{&c.has_connect_timeout_ms, &c.connect_timeout_ms, o.ConnectTimeout, "Options.ConnectTimeout"},
		{&c.has_timeout_ms, &c.timeout_ms, o.Timeout, "Options.Timeout"},
		{&c.has_retry_base_delay_ms, &c.retry_base_delay_ms, o.RetryBaseDelay, "Options.RetryBaseDelay"},
		{&c.has_refresh_margin_ms, &c.refresh_margin_ms, o.RefreshMargin, "Options.RefreshMargin"},
	}
	for _, d := range durations {
		if d.value == nil {
			continue
		}
		if *d.dst, err = millis(*d.value, d.name); err != nil {
			return c, err
		}
		*d.has = 1
	}
	if o.FromEnv {
		c.from_env = 1
	}
	if o.MaxRetries != nil {
		c.has_max_retries, c.max_retries = 1, C.uint32_t(*o.MaxRetries)
	}
	if o.MaxResponseBytes != nil {
		c.has_max_response_bytes, c.max_response_bytes = 1, C.uint64_t(*o.MaxResponseBytes)
	}
	return c, nil
}

// Client calls Tencent Cloud Infinite. It is safe for concurrent use: one
// client serves any number of goroutines, sharing one connection pool, and
// should be reused rather than made per call.
//
// Close releases it. A client that becomes unreachable without Close is
// released by a finalizer, but only when the garbage collector gets to it:
// call Close when done.
type Client struct {
	// timeout is the client's call timeout, so that a context deadline
	// only ever shortens a call (see callTimeout).
	timeout time.Duration

	mu       sync.Mutex
	handle   *C.ci_client
	inFlight int  // calls and walks using handle now; the last one out frees a closed handle
	closed   bool // Close was called (handle may live on until inFlight is 0)
	// creds is the user data of the CredentialsFunc trampoline (0 for
	// none), deleted right after handle is freed: no callback comes later.
	creds cgo.Handle
	// fetches is CredentialFetches once handle is freed.
	fetches uint64
}

// NewClient makes a client. Nothing is sent over the network, and a
// credentials provider is first asked by the first call; bad options fail
// here with KindInvalidArgument (missing credentials or region, a region or
// endpoint that is not a host name, an unknown Scheme, ProxyMode or
// CredentialsSource, a timeout or MaxResponseBytes of 0, keys set by hand
// together with a provider, a field of another source than Credentials) or
// KindNullArgument (ProxyModeURL without ProxyURL,
// CredentialsSourceCallback without CredentialsFunc).
func NewClient(opts Options) (*Client, error) {
	if err := abiOK(); err != nil {
		return nil, err
	}
	var a arena
	defer a.free()
	copts, err := opts.toC(&a)
	if err != nil {
		return nil, err
	}
	var creds cgo.Handle
	if opts.CredentialsFunc != nil {
		creds = newCredentialsHandle(opts.CredentialsFunc)
		copts.credentials_callback = credentialsCallback()
		copts.credentials_user_data = credentialsUserData(creds)
	}
	var handle *C.ci_client
	if err := goError(C.ci_client_new(&copts, &handle)); err != nil {
		if creds != 0 {
			deleteCredentialsHandle(creds)
		}
		return nil, err
	}
	c := &Client{handle: handle, timeout: defaultTimeout, creds: creds}
	if opts.Timeout != nil {
		c.timeout = *opts.Timeout
	}
	// A safety net only: a client dropped without Close still frees its
	// connection pool once the collector finds it unreachable.
	runtime.SetFinalizer(c, (*Client).Close)
	return c, nil
}

// Close releases the client. It is idempotent and safe to call from any
// goroutine, also while calls are in flight: those finish normally, the
// library handle is freed when the last of them ends, and every call made
// after Close fails at once with an error matching ErrClosed. Close always
// returns nil; it has an error result to satisfy io.Closer.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	runtime.SetFinalizer(c, nil)
	if c.inFlight == 0 {
		c.freeHandle()
	}
	return nil
}

// freeHandle frees the library's client, then the CredentialsFunc's
// handle: with the client gone and no call or walk in flight, nothing can
// call the trampoline any more. c.mu is held.
func (c *Client) freeHandle() {
	if c.handle == nil {
		return
	}
	c.fetches = uint64(C.ci_client_credential_fetches(c.handle))
	cfree(unsafe.Pointer(c.handle))
	c.handle = nil
	if c.creds != 0 {
		deleteCredentialsHandle(c.creds)
		c.creds = 0
	}
}

// acquire lends the handle to one call; release must follow.
func (c *Client) acquire() (*C.ci_client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, closedError()
	}
	if c.handle == nil {
		return nil, invalidArgument("this Client was not made by NewClient")
	}
	c.inFlight++
	return c.handle, nil
}

func (c *Client) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight--
	if c.closed && c.inFlight == 0 {
		c.freeHandle()
	}
}

// SetCredentials replaces the client's keys at once (rotation by hand),
// from any goroutine: calls already signed keep theirs, the next attempts
// use these. With a provider (any Options.Credentials but the fixed keys),
// these serve until they near their ExpiresAt, then the provider is asked
// again; with fixed keys they serve until the next SetCredentials.
//
// Keys that cannot sign ("" or not printable ASCII) are refused with
// KindInvalidArgument or KindNullArgument, and the old ones stay; so is a
// closed client (ErrClosed).
func (c *Client) SetCredentials(creds Credentials) error {
	var a arena
	values, err := creds.toC(&a, "SetCredentials")
	if err != nil {
		a.free()
		return err
	}
	_, err = callNow(c, &a, func(h *C.ci_client) (struct{}, error) {
		return struct{}{}, goError(C.ci_client_set_credentials(h, &values))
	})
	return err
}

// CredentialFetches is how many times the client's provider has been asked
// for keys: the first fetch and every refresh (an ExpiredToken answer that
// renewed them included). It is 0 for fixed keys; after Close, the count
// when the library's client was freed.
func (c *Client) CredentialFetches() uint64 {
	c.mu.Lock()
	h := c.handle
	if h == nil {
		defer c.mu.Unlock()
		return c.fetches
	}
	// Held like a call's, also after Close while calls are in flight.
	c.inFlight++
	c.mu.Unlock()
	defer c.release()
	n := uint64(C.ci_client_credential_fetches(h))
	runtime.KeepAlive(c)
	return n
}

// isClosed is for iterators between pages.
func (c *Client) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}
