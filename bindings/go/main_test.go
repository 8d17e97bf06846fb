package cloudinfinite_test

import (
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

const exampleBucket = "examplebucket-1250000000"

// TestMain starts one emulator for the Examples, which cannot start their
// own, and hands its address to them the way scripts/with-emulator.sh
// would: in CI_EMULATOR_ADDR. Tests start private emulators (fresh fault
// counters and stats) with startEmulator.
//
// A child process that inChild starts to run one test in an environment of
// its own needs no shared emulator: the test it runs uses its parent's.
func TestMain(m *testing.M) {
	if os.Getenv(childVar) != "" {
		os.Exit(m.Run())
	}
	emu, err := emulator.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cloudinfinite tests:", err)
		os.Exit(2)
	}
	os.Setenv("CI_EMULATOR_ADDR", emu.Addr)
	code := m.Run()
	emu.Stop()
	os.Exit(code)
}

// startEmulator runs a private emulator for one test.
func startEmulator(t testing.TB, fixture ...string) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.Start(fixture...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emu.Stop)
	return emu
}

// emulatorOptions reach emu with the fixture's credentials.
func emulatorOptions(addr string) cloudinfinite.Options {
	return cloudinfinite.Options{
		SecretID:       emulator.SecretID,
		SecretKey:      emulator.SecretKey,
		Region:         emulator.Region,
		ConnectTo:      addr,
		Scheme:         cloudinfinite.SchemeHTTP,
		ProxyMode:      cloudinfinite.ProxyModeDisabled,
		RetryBaseDelay: cloudinfinite.Ptr(5 * time.Millisecond), // fault tests retry quickly
	}
}

// newClient makes a client on emu (options tweaked by the callers), closed
// when the test ends.
func newClient(t testing.TB, emu *emulator.Emulator, tweak ...func(*cloudinfinite.Options)) *cloudinfinite.Client {
	t.Helper()
	opts := emulatorOptions(emu.Addr)
	for _, f := range tweak {
		f(&opts)
	}
	c, err := cloudinfinite.NewClient(opts)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func fixture(t testing.TB, emu *emulator.Emulator) *emulator.Fixture {
	t.Helper()
	f, err := emu.Fixture()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func stats(t testing.TB, emu *emulator.Emulator) emulator.Stats {
	t.Helper()
	s, err := emu.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// wantError checks that err is an *Error of kind (and code and status when
// given) with a message, and returns it.
func wantError(t testing.TB, err error, kind cloudinfinite.Kind, code string, status int) *cloudinfinite.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %v error", kind)
	}
	var e *cloudinfinite.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %T %v, want an *Error", err, err)
	}
	if e.Kind != kind || (code != "" && e.Code != code) || (status != 0 && e.HTTPStatus != status) || e.Message == "" {
		t.Fatalf("got kind %v code %q status %d message %q; want kind %v code %q status %d and a message",
			e.Kind, e.Code, e.HTTPStatus, e.Message, kind, code, status)
	}
	if !errors.Is(err, kind) {
		t.Fatalf("errors.Is(err, %v) is false", kind)
	}
	if kind == cloudinfinite.KindService && e.RequestID == "" {
		t.Fatalf("a service error without a request id: %v", err)
	}
	return e
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%q", *p)
}

func num(p *uint64) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

// sameString compares a result's optional string with the fixture's.
func sameString(t testing.TB, what string, got, want *string) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		t.Errorf("%s = %s, want %s", what, str(got), str(want))
	}
}

func sameNumber(t testing.TB, what string, got, want *uint64) {
	t.Helper()
	if (got == nil) != (want == nil) || (got != nil && *got != *want) {
		t.Errorf("%s = %s, want %s", what, num(got), num(want))
	}
}
