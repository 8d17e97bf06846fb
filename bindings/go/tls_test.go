package cloudinfinite_test

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// HTTPS from Go: certificates are verified by default, and Options.CAFile
// names whom else to trust. The emulator serves TLS with a certificate from
// the test CA in tests/fixtures/tls (for the production host names).
func TestTLSVerifiedByDefaultAndCAFile(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	tls := filepath.Join(filepath.Dir(file), "..", "..", "tests", "fixtures", "tls")
	emu, err := emulator.StartWithArgs("--tls-cert", filepath.Join(tls, "server.pem"), "--tls-key", filepath.Join(tls, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Stop()
	noRetries := uint32(0)
	options := func(caFile string) cloudinfinite.Options {
		return cloudinfinite.Options{
			SecretID: "AKIDemulatorEXAMPLE", SecretKey: "emulator-secret-key", Region: "ap-guangzhou",
			ConnectTo: emu.Addr, ProxyMode: cloudinfinite.ProxyModeDisabled, MaxRetries: &noRetries, CAFile: caFile,
		}
	}
	ctx := context.Background()

	untrusting, err := cloudinfinite.NewClient(options(""))
	if err != nil {
		t.Fatal(err)
	}
	defer untrusting.Close()
	var ciErr *cloudinfinite.Error
	if _, err := untrusting.DescribePicBuckets(ctx, nil); !errors.As(err, &ciErr) || ciErr.Kind != cloudinfinite.KindNetwork || !strings.Contains(ciErr.Message, "TLS") {
		t.Fatalf("an untrusted certificate: %v", err)
	}

	trusting, err := cloudinfinite.NewClient(options(filepath.Join(tls, "ca.pem")))
	if err != nil {
		t.Fatal(err)
	}
	defer trusting.Close()
	page, err := trusting.DescribePicBuckets(ctx, nil)
	if err != nil || page.TotalCount == nil || *page.TotalCount != 130 {
		t.Fatalf("trusted with CAFile: %v %v", page, err)
	}

	if _, err := cloudinfinite.NewClient(options("/nonexistent/ca.pem")); !errors.As(err, &ciErr) || ciErr.Kind != cloudinfinite.KindInvalidArgument || !strings.Contains(ciErr.Message, "ca_file") {
		t.Fatalf("an unreadable CAFile: %v", err)
	}
}
