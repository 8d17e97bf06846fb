package cloudinfinite_test

// Credentials from every source the binding reaches on loopback, the
// CredentialsFunc (its errors, its panics, its lifetime), rotation by hand,
// and the runs across many expiries. Tests of the sources that read the
// environment run in a child process (inChild) with an environment of their
// own: setting variables in this process while the library's threads may
// read them is not safe. Nothing here dials anything but the emulator on
// 127.0.0.1: every test of the chain, the CVM role or OIDC points the
// metadata and STS endpoints at it (or at a closed local port).

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// childVar names the test a child process runs (see inChild).
const childVar = "CLOUDINFINITE_TEST_CHILD"

// childEmulatorVar hands a child its parent's emulator address.
const childEmulatorVar = "CLOUDINFINITE_TEST_EMULATOR"

// inChild runs the calling test again in a child process whose environment
// is this one without HOME and any TENCENTCLOUD_* or TKE_* variable, plus
// HOME=/nonexistent-home (so that no ~/.tencentcloud/credentials is read),
// emu's address and env. In the parent it waits for the child, fails the
// test if the child's run of it did not pass, and returns true: the test
// then returns. In the child it returns false, and the test's body runs.
func inChild(t *testing.T, emu *emulator.Emulator, env ...string) bool {
	t.Helper()
	if os.Getenv(childVar) == t.Name() {
		return false
	}
	var pattern []string
	for _, part := range strings.Split(t.Name(), "/") {
		pattern = append(pattern, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(pattern, "/"), "-test.v", "-test.count=1")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "HOME" || name == childVar || strings.HasPrefix(name, "TENCENTCLOUD_") || strings.HasPrefix(name, "TKE_") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "HOME=/nonexistent-home", childVar+"="+t.Name(), childEmulatorVar+"="+emu.Addr)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	t.Logf("child process:\n%s", out)
	if err != nil {
		t.Fatalf("the child process failed: %v", err)
	}
	if !strings.Contains(string(out), "--- PASS: "+t.Name()+" ") {
		t.Fatalf("the child process did not pass %s", t.Name())
	}
	return true
}

// childAddr is the parent's emulator, in a child.
func childAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv(childEmulatorVar)
	if addr == "" {
		t.Fatal("no emulator address from the parent")
	}
	return addr
}

// keyless are emulatorOptions without keys, for a provider.
func keyless(addr string, source cloudinfinite.CredentialsSource) cloudinfinite.Options {
	o := emulatorOptions(addr)
	o.SecretID, o.SecretKey = "", ""
	o.Credentials = source
	return o
}

// mustClient makes a client, closed when the test ends.
func mustClient(t *testing.T, opts cloudinfinite.Options) *cloudinfinite.Client {
	t.Helper()
	c, err := cloudinfinite.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// picBuckets makes one call.
func picBuckets(c *cloudinfinite.Client) error {
	_, err := c.DescribePicBuckets(context.Background(), nil)
	return err
}

func credentialStats(t *testing.T, emu *emulator.Emulator) emulator.CredentialStats {
	t.Helper()
	s, err := emu.Credentials()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fixtureKeys are keys the emulator accepts, expiring after lifetime (0:
// never).
func fixtureKeys(lifetime time.Duration) cloudinfinite.Credentials {
	c := cloudinfinite.Credentials{SecretID: emulator.SecretID, SecretKey: emulator.SecretKey}
	if lifetime != 0 {
		c.ExpiresAt = time.Now().Add(lifetime)
	}
	return c
}

// deadPort is a local port nothing listens on: a metadata endpoint there
// is a machine that is not a CVM, refused at once, never a real service.
func deadPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCredentialsFuncSignsTheCalls(t *testing.T) {
	emu := startEmulator(t)
	var calls atomic.Int64
	// CredentialsSourceKeys, the zero value: the func alone picks the callback.
	c := mustClient(t, withFunc(func() (cloudinfinite.Credentials, error) {
		calls.Add(1)
		return fixtureKeys(time.Hour), nil
	})(keyless(emu.Addr, cloudinfinite.CredentialsSourceKeys)))
	if n := c.CredentialFetches(); n != 0 || calls.Load() != 0 {
		t.Fatalf("fetched before any call: %d fetches, %d calls", n, calls.Load())
	}
	for range 3 {
		if err := picBuckets(c); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.CredentialFetches(); n != 1 || calls.Load() != 1 {
		t.Fatalf("keys valid for an hour: %d fetches, %d calls of the func, want 1", n, calls.Load())
	}
	// Explicitly CredentialsSourceCallback, with a session token.
	c = mustClient(t, withFunc(func() (cloudinfinite.Credentials, error) {
		return cloudinfinite.Credentials{SecretID: emulator.TmpSecretID, SecretKey: emulator.TmpSecretKey, SessionToken: emulator.TmpSessionToken}, nil
	})(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback)))
	if err := picBuckets(c); err != nil {
		t.Fatal(err)
	}
	// Wrong keys from the func are the service's answer, not a credentials error.
	c = mustClient(t, withFunc(func() (cloudinfinite.Credentials, error) {
		return cloudinfinite.Credentials{SecretID: emulator.SecretID, SecretKey: "not-the-key"}, nil
	})(keyless(emu.Addr, cloudinfinite.CredentialsSourceKeys)))
	wantError(t, picBuckets(c), cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
}

// withFunc sets a CredentialsFunc on options.
func withFunc(fn cloudinfinite.CredentialsFunc) func(cloudinfinite.Options) cloudinfinite.Options {
	return func(o cloudinfinite.Options) cloudinfinite.Options {
		o.CredentialsFunc = fn
		return o
	}
}

func TestCredentialsFuncFailures(t *testing.T) {
	emu := startEmulator(t)
	cases := []struct {
		name string
		fn   cloudinfinite.CredentialsFunc
		want []string
	}{
		{"an error", func() (cloudinfinite.Credentials, error) {
			return cloudinfinite.Credentials{}, errors.New("the vault is sealed")
		}, []string{"the credentials callback", "(status 1)", "the CredentialsFunc returned an error: the vault is sealed"}},
		{"a panic", func() (cloudinfinite.Credentials, error) {
			panic("the vault exploded")
		}, []string{"(status 2)", "the CredentialsFunc panicked: the vault exploded"}},
		{"a runtime error", func() (cloudinfinite.Credentials, error) {
			var m map[string]int
			m["key"]++ // a nil map: the runtime panics
			return cloudinfinite.Credentials{}, nil
		}, []string{"(status 2)", "panicked", "nil map"}},
		{"a NUL byte", func() (cloudinfinite.Credentials, error) {
			return cloudinfinite.Credentials{SecretID: "AKID\x00", SecretKey: "k"}, nil
		}, []string{"(status 3)", "SecretID holds a NUL byte"}},
		{"no SecretKey", func() (cloudinfinite.Credentials, error) {
			return cloudinfinite.Credentials{SecretID: emulator.SecretID}, nil
		}, []string{"the credentials callback"}},
		{"an error too long for the library's buffer", func() (cloudinfinite.Credentials, error) {
			return cloudinfinite.Credentials{}, errors.New(strings.Repeat("é", 2000))
		}, []string{"(status 1)", "éé"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := mustClient(t, withFunc(tc.fn)(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback)))
			err := picBuckets(c)
			e := wantError(t, err, cloudinfinite.KindCredentials, "", 0)
			if !errors.Is(err, cloudinfinite.ErrCredentials) {
				t.Fatalf("errors.Is(err, ErrCredentials) is false: %v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(e.Message, w) {
					t.Errorf("the message %q does not say %q", e.Message, w)
				}
			}
			t.Logf("%s: %v", tc.name, err)
			if strings.ContainsRune(e.Message, '\uFFFD') {
				t.Errorf("the message was cut inside a character: %q", e.Message)
			}
		})
	}
	// A func that failed (here: panicked) is asked again by the next call,
	// and the client works once it answers.
	var calls atomic.Int64
	c := mustClient(t, withFunc(func() (cloudinfinite.Credentials, error) {
		if calls.Add(1) == 1 {
			panic("not yet")
		}
		return fixtureKeys(0), nil
	})(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback)))
	wantError(t, picBuckets(c), cloudinfinite.KindCredentials, "", 0)
	if err := picBuckets(c); err != nil {
		t.Fatalf("after the panic: %v", err)
	}
	if n := c.CredentialFetches(); n != 2 {
		t.Fatalf("%d fetches, want 2", n)
	}
}

// Goroutines that need keys at once wait on one call of the func, made
// from one of the library's threads.
func TestCredentialsFuncOneFetchForEightGoroutines(t *testing.T) {
	emu := startEmulator(t)
	var calls, inside, most atomic.Int64
	c := mustClient(t, withFunc(func() (cloudinfinite.Credentials, error) {
		calls.Add(1)
		n := inside.Add(1)
		defer inside.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		time.Sleep(200 * time.Millisecond) // long enough for all eight to be waiting
		return fixtureKeys(time.Hour), nil
	})(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback)))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- picBuckets(c)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if calls.Load() != 1 || most.Load() != 1 || c.CredentialFetches() != 1 {
		t.Fatalf("eight goroutines: %d calls of the func (%d at once), %d fetches; want 1", calls.Load(), most.Load(), c.CredentialFetches())
	}
}

func TestSetCredentials(t *testing.T) {
	emu := startEmulator(t)
	// Fixed keys: the wrong ones fail, the right ones set on the live
	// client work at once.
	c := newClient(t, emu, func(o *cloudinfinite.Options) { o.SecretKey = "not-the-key" })
	wantError(t, picBuckets(c), cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
	if err := c.SetCredentials(fixtureKeys(0)); err != nil {
		t.Fatal(err)
	}
	if err := picBuckets(c); err != nil {
		t.Fatalf("after SetCredentials: %v", err)
	}
	if err := c.SetCredentials(cloudinfinite.Credentials{SecretID: emulator.TmpSecretID, SecretKey: emulator.TmpSecretKey, SessionToken: emulator.TmpSessionToken}); err != nil {
		t.Fatal(err)
	}
	if err := picBuckets(c); err != nil {
		t.Fatalf("temporary keys set by hand: %v", err)
	}
	if n := c.CredentialFetches(); n != 0 {
		t.Fatalf("fixed keys were fetched %d times", n)
	}
	// Refused: keys that cannot sign, which leave the old ones in place.
	for _, bad := range []struct {
		creds cloudinfinite.Credentials
		kind  cloudinfinite.Kind
		text  string
	}{
		{cloudinfinite.Credentials{SecretKey: "k"}, cloudinfinite.KindInvalidArgument, ""},
		{cloudinfinite.Credentials{SecretID: "AKID\tx", SecretKey: "k"}, cloudinfinite.KindInvalidArgument, ""},
		{cloudinfinite.Credentials{SecretID: "AKID", SecretKey: "k\x00"}, cloudinfinite.KindInvalidArgument, "SetCredentials SecretKey"},
		{cloudinfinite.Credentials{SecretID: "AKID", SecretKey: "k", SessionToken: "\x00"}, cloudinfinite.KindInvalidArgument, "SetCredentials SessionToken"},
	} {
		e := wantError(t, c.SetCredentials(bad.creds), bad.kind, "", 0)
		if !strings.Contains(e.Message, bad.text) {
			t.Errorf("%+v: %q does not say %q", bad.creds, e.Message, bad.text)
		}
	}
	if err := picBuckets(c); err != nil {
		t.Fatalf("a refused SetCredentials changed the keys: %v", err)
	}

	// With a provider: keys set by hand serve until they near their
	// expiry, and the provider is not asked meanwhile.
	var calls atomic.Int64
	p := mustClient(t, withFunc(func() (cloudinfinite.Credentials, error) {
		calls.Add(1)
		return cloudinfinite.Credentials{SecretID: emulator.SecretID, SecretKey: "not-the-key", ExpiresAt: time.Now().Add(time.Hour)}, nil
	})(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback)))
	wantError(t, picBuckets(p), cloudinfinite.KindService, "SignatureDoesNotMatch", 403)
	if err := p.SetCredentials(fixtureKeys(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := picBuckets(p); err != nil {
			t.Fatalf("after SetCredentials on a provider's client: %v", err)
		}
	}
	if calls.Load() != 1 || p.CredentialFetches() != 1 {
		t.Fatalf("the provider was asked %d times (%d fetches), want once", calls.Load(), p.CredentialFetches())
	}

	p.Close()
	if err := p.SetCredentials(fixtureKeys(0)); !errors.Is(err, cloudinfinite.ErrClosed) {
		t.Fatalf("SetCredentials after Close: %v", err)
	}
	if n := p.CredentialFetches(); n != 1 {
		t.Fatalf("CredentialFetches after Close: %d, want the last count, 1", n)
	}
	var zero cloudinfinite.Client
	wantError(t, zero.SetCredentials(fixtureKeys(0)), cloudinfinite.KindInvalidArgument, "", 0)
	if zero.CredentialFetches() != 0 {
		t.Fatal("a zero Client has fetches")
	}
}

func TestCVMRoleSource(t *testing.T) {
	emu := startEmulator(t)
	opts := keyless(emu.Addr, cloudinfinite.CredentialsSourceCVMRole)
	opts.MetadataEndpoint = emu.MetadataEndpoint()
	c := mustClient(t, opts)
	for range 3 {
		if err := picBuckets(c); err != nil {
			t.Fatal(err)
		}
	}
	s := credentialStats(t, emu)
	if c.CredentialFetches() != 1 || s.Issued.Metadata != 1 || s.Issued.Used != 1 {
		t.Fatalf("one role key for three calls: %d fetches, %+v", c.CredentialFetches(), s.Issued)
	}
	// The role named.
	opts.CVMRole = emulator.MetadataRole
	if err := picBuckets(mustClient(t, opts)); err != nil {
		t.Fatal(err)
	}
	// A role the instance does not have.
	opts.CVMRole = "other-role"
	e := wantError(t, picBuckets(mustClient(t, opts)), cloudinfinite.KindCredentials, "", 0)
	if !strings.Contains(e.Message, "other-role") {
		t.Fatalf("the message does not name the role: %v", e)
	}
	t.Logf("a role not bound: %v", e)
	// No metadata service: not a CVM.
	opts.CVMRole = ""
	opts.MetadataEndpoint = "http://" + deadPort(t) + "/latest/meta-data/cam/security-credentials/"
	e = wantError(t, picBuckets(mustClient(t, opts)), cloudinfinite.KindCredentials, "", 0)
	if !strings.Contains(e.Message, "not on a CVM") {
		t.Fatalf("no metadata service: %v", e)
	}
	t.Logf("no metadata service: %v", e)
}

// An ExpiredToken answer renews the keys once and signs again: the call
// succeeds, and the emulator saw the refused request.
func TestExpiredTokenRenewsOnce(t *testing.T) {
	emu := startEmulator(t)
	opts := keyless(emu.Addr, cloudinfinite.CredentialsSourceCVMRole)
	opts.MetadataEndpoint = emu.MetadataEndpoint()
	c := mustClient(t, opts)
	if err := picBuckets(c); err != nil {
		t.Fatal(err)
	}
	if err := emu.ConfigureCredentials(map[string]any{"expired_token_next": 1}); err != nil {
		t.Fatal(err)
	}
	if err := picBuckets(c); err != nil {
		t.Fatalf("an ExpiredToken answer was not renewed: %v", err)
	}
	s := credentialStats(t, emu)
	if c.CredentialFetches() != 2 || s.Issued.Metadata != 2 || s.ExpiredTokenAnswers != 1 {
		t.Fatalf("%d fetches, %d issued, %d ExpiredToken answers; want 2, 2, 1", c.CredentialFetches(), s.Issued.Metadata, s.ExpiredTokenAnswers)
	}
	// Twice in a row: renewed once only, then the service's answer stands.
	if err := emu.ConfigureCredentials(map[string]any{"expired_token_next": 2}); err != nil {
		t.Fatal(err)
	}
	wantError(t, picBuckets(c), cloudinfinite.KindService, "ExpiredToken", 400)
	if n := c.CredentialFetches(); n != 3 {
		t.Fatalf("%d fetches, want 3", n)
	}
}

func TestTKEOIDCSource(t *testing.T) {
	emu := startEmulator(t)
	tokenFile := writeFile(t, "token", emulator.WebIdentityToken)
	if inChild(t, emu, "TKE_REGION="+emulator.Region, "TKE_PROVIDER_ID="+emulator.ProviderID,
		"TKE_WEB_IDENTITY_TOKEN_FILE="+tokenFile, "TKE_ROLE_ARN="+emulator.RoleARN) {
		if s := credentialStats(t, emu); s.Issued.STS != 1 || s.Issued.Metadata != 0 {
			t.Fatalf("issued %+v, want one STS key", s.Issued)
		}
		return
	}
	opts := keyless(childAddr(t), cloudinfinite.CredentialsSourceTKEOIDC)
	opts.STSEndpoint = "http://" + childAddr(t) + "/"
	c := mustClient(t, opts)
	for range 3 {
		if err := picBuckets(c); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.CredentialFetches(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	// The token file is read on every fetch: a wrong token fails.
	if err := os.WriteFile(os.Getenv("TKE_WEB_IDENTITY_TOKEN_FILE"), []byte("not-the-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := wantError(t, picBuckets(mustClient(t, opts)), cloudinfinite.KindCredentials, "", 0)
	if !strings.Contains(e.Message, "WebIdentityTokenError") || strings.Contains(e.Message, "not-the-token") {
		t.Fatalf("a wrong web identity token (never shown): %v", e)
	}
	t.Logf("a wrong web identity token: %v", e)
}

func TestProfileFileSource(t *testing.T) {
	emu := startEmulator(t)
	file := writeFile(t, "credentials", fmt.Sprintf("[default]\nsecret_id = %s\nsecret_key = %s\n\n[tmp]\nsecret_id = %s\nsecret_key = %s\ntoken = %s\n",
		emulator.SecretID, emulator.SecretKey, emulator.TmpSecretID, emulator.TmpSecretKey, emulator.TmpSessionToken))
	if inChild(t, emu, "TENCENTCLOUD_CREDENTIALS_FILE="+file) {
		return
	}
	opts := keyless(childAddr(t), cloudinfinite.CredentialsSourceProfileFile)
	if err := picBuckets(mustClient(t, opts)); err != nil {
		t.Fatalf("[default]: %v", err)
	}
	opts.ProfileName = "tmp"
	c := mustClient(t, opts)
	if err := picBuckets(c); err != nil {
		t.Fatalf("[tmp], with a token: %v", err)
	}
	if n := c.CredentialFetches(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
	opts.ProfileName = "nosuch"
	e := wantError(t, picBuckets(mustClient(t, opts)), cloudinfinite.KindCredentials, "", 0)
	if !strings.Contains(e.Message, "nosuch") {
		t.Fatalf("a missing profile: %v", e)
	}
	t.Logf("a missing profile: %v", e)
}

func TestEnvironmentSource(t *testing.T) {
	emu := startEmulator(t)
	if inChild(t, emu, "TENCENTCLOUD_SECRET_ID="+emulator.TmpSecretID, "TENCENTCLOUD_SECRET_KEY="+emulator.TmpSecretKey,
		"TENCENTCLOUD_SESSION_TOKEN="+emulator.TmpSessionToken) {
		return
	}
	c := mustClient(t, keyless(childAddr(t), cloudinfinite.CredentialsSourceEnvironment))
	if err := picBuckets(c); err != nil {
		t.Fatal(err)
	}
	if n := c.CredentialFetches(); n != 1 {
		t.Fatalf("%d fetches, want 1", n)
	}
}

// The default chain, in Tencent's order: the environment, the profile file,
// the CVM role, TKE OIDC. Each case offers the source that should answer
// and those after it; keys the emulator would refuse, or the emulator's
// counters, show which one did.
func TestDefaultChain(t *testing.T) {
	tokenFile := writeFile(t, "token", emulator.WebIdentityToken)
	oidc := []string{"TKE_REGION=" + emulator.Region, "TKE_PROVIDER_ID=" + emulator.ProviderID,
		"TKE_WEB_IDENTITY_TOKEN_FILE=" + tokenFile, "TKE_ROLE_ARN=" + emulator.RoleARN}
	wrongProfile := writeFile(t, "wrong", "[default]\nsecret_id = "+emulator.SecretID+"\nsecret_key = not-the-key\n")
	rightProfile := writeFile(t, "right", "[default]\nsecret_id = "+emulator.SecretID+"\nsecret_key = "+emulator.SecretKey+"\n")
	cases := []struct {
		name     string
		env      func(emu *emulator.Emulator) []string
		setup    func(emu *emulator.Emulator) error
		metadata int // keys the metadata service should issue
		sts      int
	}{
		{"the environment first", func(emu *emulator.Emulator) []string {
			return append([]string{"TENCENTCLOUD_SECRET_ID=" + emulator.SecretID, "TENCENTCLOUD_SECRET_KEY=" + emulator.SecretKey,
				"TENCENTCLOUD_CREDENTIALS_FILE=" + wrongProfile, "TENCENTCLOUD_METADATA_ENDPOINT=" + emu.MetadataEndpoint(),
				"TENCENTCLOUD_STS_ENDPOINT=" + emu.STSEndpoint()}, oidc...)
		}, nil, 0, 0},
		{"then the profile file", func(emu *emulator.Emulator) []string {
			return append([]string{"TENCENTCLOUD_CREDENTIALS_FILE=" + rightProfile, "TENCENTCLOUD_METADATA_ENDPOINT=" + emu.MetadataEndpoint(),
				"TENCENTCLOUD_STS_ENDPOINT=" + emu.STSEndpoint()}, oidc...)
		}, nil, 0, 0},
		{"then the CVM role", func(emu *emulator.Emulator) []string {
			return append([]string{"TENCENTCLOUD_METADATA_ENDPOINT=" + emu.MetadataEndpoint(), "TENCENTCLOUD_STS_ENDPOINT=" + emu.STSEndpoint()}, oidc...)
		}, nil, 1, 0},
		{"then TKE OIDC", func(emu *emulator.Emulator) []string {
			return append([]string{"TENCENTCLOUD_METADATA_ENDPOINT=" + emu.MetadataEndpoint(), "TENCENTCLOUD_STS_ENDPOINT=" + emu.STSEndpoint()}, oidc...)
		}, func(emu *emulator.Emulator) error {
			// A CVM without a role: the role list is 404, so the chain goes on.
			return emu.ConfigureCredentials(map[string]any{"roles": []string{}})
		}, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var emu *emulator.Emulator
			if os.Getenv(childVar) == "" {
				emu = startEmulator(t)
				if tc.setup != nil {
					if err := tc.setup(emu); err != nil {
						t.Fatal(err)
					}
				}
				if inChild(t, emu, append(tc.env(emu), "TENCENTCLOUD_REGION="+emulator.Region)...) {
					if s := credentialStats(t, emu); s.Issued.Metadata != tc.metadata || s.Issued.STS != tc.sts {
						t.Fatalf("issued %+v; want %d from the metadata service, %d from STS", s.Issued, tc.metadata, tc.sts)
					}
				}
				return
			}
			// The from_env constructor asking for the chain: the region
			// from the environment, the keys from the chain.
			opts := cloudinfinite.OptionsFromEnv(cloudinfinite.CredentialsSourceDefaultChain)
			opts.ConnectTo, opts.Scheme, opts.ProxyMode = childAddr(t), cloudinfinite.SchemeHTTP, cloudinfinite.ProxyModeDisabled
			c := mustClient(t, opts)
			for range 2 {
				if err := picBuckets(c); err != nil {
					t.Fatal(err)
				}
			}
			if n := c.CredentialFetches(); n != 1 {
				t.Fatalf("%d fetches, want 1", n)
			}
		})
	}
}

// With no source at all, the chain fails fast, naming every source tried.
func TestDefaultChainWithNoSource(t *testing.T) {
	emu := startEmulator(t)
	if _, err := os.Stat("/etc/tencentcloud/credentials"); err == nil {
		t.Skip("this machine has /etc/tencentcloud/credentials, a source the chain reads")
	}
	if inChild(t, emu) {
		return
	}
	opts := keyless(childAddr(t), cloudinfinite.CredentialsSourceDefaultChain)
	opts.MetadataEndpoint = "http://" + deadPort(t) + "/latest/meta-data/cam/security-credentials/"
	c := mustClient(t, opts)
	start := time.Now()
	err := picBuckets(c)
	took := time.Since(start)
	e := wantError(t, err, cloudinfinite.KindCredentials, "", 0)
	for _, w := range []string{"TENCENTCLOUD_SECRET_ID", "/etc/tencentcloud/credentials", "not on a CVM", "TKE_REGION"} {
		if !strings.Contains(e.Message, w) {
			t.Errorf("the message does not name %q: %s", w, e.Message)
		}
	}
	if took > 5*time.Second {
		t.Errorf("it took %v to fail", took)
	}
	t.Logf("no source (%.2f s): %v", took.Seconds(), err)
}

func TestCredentialOptionsRefused(t *testing.T) {
	noop := func() (cloudinfinite.Credentials, error) { return fixtureKeys(0), nil }
	cases := []struct {
		name string
		opts func() cloudinfinite.Options
		kind cloudinfinite.Kind
		text string
	}{
		{"an unknown source", func() cloudinfinite.Options {
			return keyless("127.0.0.1:1", 99)
		}, cloudinfinite.KindInvalidArgument, "ci_credentials_source"},
		{"keys by hand and a provider", func() cloudinfinite.Options {
			o := emulatorOptions("127.0.0.1:1")
			o.Credentials = cloudinfinite.CredentialsSourceProfileFile
			return o
		}, cloudinfinite.KindInvalidArgument, "both keys and a credentials provider"},
		{"keys by hand and a func", func() cloudinfinite.Options {
			o := emulatorOptions("127.0.0.1:1")
			o.CredentialsFunc = noop
			return o
		}, cloudinfinite.KindInvalidArgument, "both keys and a credentials provider"},
		{"a func with another source", func() cloudinfinite.Options {
			return withFunc(noop)(keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceCVMRole))
		}, cloudinfinite.KindInvalidArgument, "credentials_callback"},
		{"the callback source without a func", func() cloudinfinite.Options {
			return keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceCallback)
		}, cloudinfinite.KindNullArgument, "credentials_callback"},
		{"ProfileName for fixed keys", func() cloudinfinite.Options {
			o := emulatorOptions("127.0.0.1:1")
			o.ProfileName = "dev"
			return o
		}, cloudinfinite.KindInvalidArgument, "profile_name"},
		{"CVMRole for the profile file", func() cloudinfinite.Options {
			o := keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceProfileFile)
			o.CVMRole = "r"
			return o
		}, cloudinfinite.KindInvalidArgument, "cvm_role"},
		{"MetadataEndpoint for TKE OIDC", func() cloudinfinite.Options {
			o := keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceTKEOIDC)
			o.MetadataEndpoint = "http://127.0.0.1:1/"
			return o
		}, cloudinfinite.KindInvalidArgument, "metadata_endpoint"},
		{"STSEndpoint for the CVM role", func() cloudinfinite.Options {
			o := keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceCVMRole)
			o.STSEndpoint = "http://127.0.0.1:1/"
			return o
		}, cloudinfinite.KindInvalidArgument, "sts_endpoint"},
		{"a negative RefreshMargin", func() cloudinfinite.Options {
			o := keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceCVMRole)
			o.RefreshMargin = cloudinfinite.Ptr(-time.Second)
			return o
		}, cloudinfinite.KindInvalidArgument, "Options.RefreshMargin"},
		{"a NUL in ProfileName", func() cloudinfinite.Options {
			o := keyless("127.0.0.1:1", cloudinfinite.CredentialsSourceProfileFile)
			o.ProfileName = "a\x00"
			return o
		}, cloudinfinite.KindInvalidArgument, "Options.ProfileName"},
		{"two sources for OptionsFromEnv", func() cloudinfinite.Options {
			return cloudinfinite.OptionsFromEnv(cloudinfinite.CredentialsSourceDefaultChain, cloudinfinite.CredentialsSourceCVMRole)
		}, cloudinfinite.KindInvalidArgument, "at most one CredentialsSource"},
	}
	live, handles := cloudinfinite.LiveObjects(), cloudinfinite.LiveCredentialsHandles()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := cloudinfinite.NewClient(tc.opts())
			if c != nil {
				t.Fatal("a client from refused options")
			}
			e := wantError(t, err, tc.kind, "", 0)
			if !strings.Contains(e.Message, tc.text) {
				t.Fatalf("%q does not say %q", e.Message, tc.text)
			}
		})
	}
	if cloudinfinite.LiveObjects() != live || cloudinfinite.LiveCredentialsHandles() != handles {
		t.Fatal("a refused NewClient left library objects or CredentialsFunc handles behind")
	}
}

// The client lets go of its CredentialsFunc when closed, after the last
// call or walk, also when a fetch is in flight, and through the finalizer.
func TestCredentialsFuncLifetime(t *testing.T) {
	emu := startEmulator(t)
	handles := cloudinfinite.LiveCredentialsHandles()
	slow := func() (cloudinfinite.Credentials, error) {
		time.Sleep(300 * time.Millisecond)
		return fixtureKeys(time.Hour), nil
	}
	opts := withFunc(slow)(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback))

	// Close while the first fetch is in flight: that call completes.
	c, err := cloudinfinite.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	if cloudinfinite.LiveCredentialsHandles() != handles+1 {
		t.Fatal("no handle for the func")
	}
	done := make(chan error)
	go func() { done <- picBuckets(c) }()
	time.Sleep(100 * time.Millisecond)
	c.Close()
	if err := <-done; err != nil {
		t.Fatalf("a call in flight across Close: %v", err)
	}
	if n := cloudinfinite.LiveCredentialsHandles(); n != handles {
		t.Fatalf("%d handles left after Close and the last call", n-handles)
	}

	// Close inside a walk: the pager may still need keys, so the handle
	// lives until the walk ends.
	c, err = cloudinfinite.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	for page, err := range c.PicBucketPages(context.Background(), &cloudinfinite.BucketQuery{PageSize: 10}) {
		if err != nil {
			if !errors.Is(err, cloudinfinite.ErrClosed) || pages != 1 {
				t.Fatalf("after %d pages: %v", pages, err)
			}
			break
		}
		pages++
		_ = page
		c.Close()
		if cloudinfinite.LiveCredentialsHandles() != handles+1 {
			t.Fatal("Close deleted the handle while a walk holds the pager")
		}
	}
	if n := cloudinfinite.LiveCredentialsHandles(); n != handles {
		t.Fatalf("%d handles left after the walk", n-handles)
	}

	// Dropped without Close: the finalizer lets go of them.
	for range 20 {
		c, err := cloudinfinite.NewClient(opts)
		if err != nil {
			t.Fatal(err)
		}
		_ = c
	}
	deadline := time.Now().Add(10 * time.Second)
	for cloudinfinite.LiveCredentialsHandles() != handles && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if n := cloudinfinite.LiveCredentialsHandles(); n != handles {
		t.Fatalf("%d handles left after the finalizers", n-handles)
	}
}

// sleepUntil sleeps until when.
func sleepUntil(when time.Time) { time.Sleep(time.Until(when)) }

// The refresh margin reaches the library, and a failed refresh keeps keys
// that still work, then fails once they have expired.
func TestRefreshMarginAndFailedRefresh(t *testing.T) {
	t.Parallel()
	emu := startEmulator(t)
	// Keys for a whole number of seconds, ending on a second boundary, so
	// that the ABI's Unix seconds keep the lifetime exact: 5 s.
	expires := time.Unix(time.Now().Unix()+6, 0)
	var calls atomic.Int64
	failAfterFirst := func() (cloudinfinite.Credentials, error) {
		if calls.Add(1) > 1 {
			return cloudinfinite.Credentials{}, errors.New("the vault is sealed")
		}
		return cloudinfinite.Credentials{SecretID: emulator.SecretID, SecretKey: emulator.SecretKey, ExpiresAt: expires}, nil
	}
	var tightCalls atomic.Int64
	tight := func() (cloudinfinite.Credentials, error) {
		tightCalls.Add(1)
		return cloudinfinite.Credentials{SecretID: emulator.SecretID, SecretKey: emulator.SecretKey, ExpiresAt: expires}, nil
	}
	failing := mustClient(t, withFunc(failAfterFirst)(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback)))
	opts := withFunc(tight)(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback))
	opts.RefreshMargin = cloudinfinite.Ptr(100 * time.Millisecond)
	marginal := mustClient(t, opts)
	for _, c := range []*cloudinfinite.Client{failing, marginal} {
		if err := picBuckets(c); err != nil {
			t.Fatal(err)
		}
	}
	// 600 ms before expiry: inside the default margin (a fifth of the
	// lifetime, at most 300 s: about 1 s here), outside 100 ms.
	sleepUntil(expires.Add(-600 * time.Millisecond))
	if err := picBuckets(marginal); err != nil {
		t.Fatal(err)
	}
	if n := tightCalls.Load(); n != 1 {
		t.Fatalf("with a 100 ms margin the keys were renewed %d times 600 ms before expiry", n-1)
	}
	if err := picBuckets(failing); err != nil {
		t.Fatalf("a failed refresh while the keys still work: %v", err)
	}
	if calls.Load() != 2 || failing.CredentialFetches() != 2 {
		t.Fatalf("within the default margin: %d calls of the func, want 2 (the refresh tried)", calls.Load())
	}
	sleepUntil(expires.Add(300 * time.Millisecond))
	e := wantError(t, picBuckets(failing), cloudinfinite.KindCredentials, "", 0)
	if !strings.Contains(e.Message, "the vault is sealed") {
		t.Fatalf("past expiry: %v", e)
	}
	t.Logf("a failed refresh past expiry: %v", e)
}

// rotationSecs is how long the runs across many expiries call:
// $CI_ROTATION_SECS (for a quick local run), else 60 s.
func rotationSecs(t *testing.T) int {
	t.Helper()
	v := os.Getenv("CI_ROTATION_SECS")
	if v == "" {
		return 60
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 5 {
		t.Fatalf("CI_ROTATION_SECS=%q: want whole seconds, at least 5", v)
	}
	return n
}

const (
	rotationLifetime   = 5 // seconds, the keys' lifetime
	rotationGoroutines = 8
)

// hammer calls on c from eight goroutines for secs seconds.
func hammer(t *testing.T, c *cloudinfinite.Client, secs int) (calls, failures int64) {
	var ok, failed atomic.Int64
	until := time.Now().Add(time.Duration(secs) * time.Second)
	var wg sync.WaitGroup
	for range rotationGoroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(until) {
				if err := picBuckets(c); err != nil {
					if failed.Add(1) <= 5 {
						t.Errorf("a failed call: %v", err)
					}
				} else {
					ok.Add(1)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}()
	}
	wg.Wait()
	return ok.Load(), failed.Load()
}

// checkRefreshes checks the refresh count of a run: at least one per
// lifetime, at most one per (lifetime - margin of 1 s) plus two, so one per
// expiry, not one per goroutine.
func checkRefreshes(t *testing.T, secs int, calls, failures int64, fetches uint64) {
	t.Helper()
	least, most := uint64(secs/rotationLifetime), uint64(secs/(rotationLifetime-1)+2)
	if failures != 0 {
		t.Errorf("%d failed calls", failures)
	}
	if calls < int64(10*secs) {
		t.Errorf("only %d calls in %d s", calls, secs)
	}
	if fetches < least || fetches > most {
		t.Errorf("%d refreshes in %d s of %d s keys, want %d to %d", fetches, secs, rotationLifetime, least, most)
	}
}

// The CVM role's keys from the metadata service, 5 s each, for a minute.
func TestRotationAcrossExpiriesCVMRole(t *testing.T) {
	t.Parallel()
	secs := rotationSecs(t)
	emu, err := emulator.StartWithArgs("--credential-lifetime-secs", strconv.Itoa(rotationLifetime))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Stop)
	opts := keyless(emu.Addr, cloudinfinite.CredentialsSourceCVMRole)
	opts.MetadataEndpoint = emu.MetadataEndpoint()
	opts.RefreshMargin = cloudinfinite.Ptr(time.Second)
	c := mustClient(t, opts)
	calls, failures := hammer(t, c, secs)
	s := credentialStats(t, emu)
	fetches := c.CredentialFetches()
	t.Logf("CVM role: %d s, %d goroutines: %d calls, %d failed; %d refreshes for %d lifetimes, %d keys issued, %d ExpiredToken answers",
		secs, rotationGoroutines, calls, failures, fetches, secs/rotationLifetime, s.Issued.Metadata, s.ExpiredTokenAnswers)
	checkRefreshes(t, secs, calls, failures, fetches)
	if fetches != uint64(s.Issued.Metadata) {
		t.Errorf("%d fetches but %d keys issued: each refresh is one fetch of one new key", fetches, s.Issued.Metadata)
	}
	if s.ExpiredTokenAnswers != 0 {
		t.Errorf("%d ExpiredToken answers: the keys were not refreshed before they expired", s.ExpiredTokenAnswers)
	}
}

// A CredentialsFunc handing out keys that expire 5 s after each call, for
// a minute: at most one call of it per expiry window, never two at once.
func TestRotationAcrossExpiriesCredentialsFunc(t *testing.T) {
	t.Parallel()
	secs := rotationSecs(t)
	emu := startEmulator(t)
	var funcCalls, inside, most atomic.Int64
	fn := func() (cloudinfinite.Credentials, error) {
		funcCalls.Add(1)
		n := inside.Add(1)
		defer inside.Add(-1)
		if n > most.Load() {
			most.Store(n)
		}
		time.Sleep(10 * time.Millisecond) // a vault's round trip: time for others to pile up
		return fixtureKeys(rotationLifetime * time.Second), nil
	}
	opts := withFunc(fn)(keyless(emu.Addr, cloudinfinite.CredentialsSourceCallback))
	opts.RefreshMargin = cloudinfinite.Ptr(time.Second)
	c := mustClient(t, opts)
	calls, failures := hammer(t, c, secs)
	fetches := c.CredentialFetches()
	t.Logf("CredentialsFunc: %d s, %d goroutines: %d calls, %d failed; %d refreshes for %d lifetimes, %d calls of the func, at most %d at once",
		secs, rotationGoroutines, calls, failures, fetches, secs/rotationLifetime, funcCalls.Load(), most.Load())
	checkRefreshes(t, secs, calls, failures, fetches)
	if uint64(funcCalls.Load()) != fetches {
		t.Errorf("%d calls of the func but %d fetches", funcCalls.Load(), fetches)
	}
	if most.Load() != 1 {
		t.Errorf("the func ran %d times at once", most.Load())
	}
}
