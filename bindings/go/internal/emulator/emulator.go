// Package emulator starts and drives a private ci-emulator (the local
// Cloud Infinite of this repository) for tests and examples.
package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Credentials the built-in fixture accepts.
const (
	SecretID        = "AKIDemulatorEXAMPLE"
	SecretKey       = "emulator-secret-key"
	TmpSecretID     = "AKIDemulatorTMP"
	TmpSecretKey    = "emulator-tmp-key"
	TmpSessionToken = "emulator-session-token"
	Region          = "ap-guangzhou"
)

// Emulator is a running ci-emulator on 127.0.0.1.
type Emulator struct {
	// Addr is its host:port.
	Addr  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	http  *http.Client
}

// Binary is the emulator to run: $CI_EMULATOR_BIN, else the repository's
// target/debug/ci-emulator.
func Binary() string {
	if bin := os.Getenv("CI_EMULATOR_BIN"); bin != "" {
		return bin
	}
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "..", "target", "debug", "ci-emulator")
}

// Start runs an emulator with the built-in fixture, or with the fixture
// file given, and waits (at most 10 s) for its address.
func Start(fixture ...string) (*Emulator, error) {
	if len(fixture) > 0 {
		return StartWithArgs("--fixture", fixture[0])
	}
	return StartWithArgs()
}

// StartWithArgs runs an emulator with extra command-line arguments (e.g.
// --tls-cert and --tls-key for HTTPS) and waits (at most 10 s) for its address.
func StartWithArgs(extra ...string) (*Emulator, error) {
	args := append([]string{"--listen", "127.0.0.1:0", "--exit-on-stdin-eof"}, extra...)
	cmd := exec.Command(Binary(), args...)
	// It exits when its stdin closes, so it cannot outlive a crashed test.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s (build it with `make build` or set CI_EMULATOR_BIN): %w", cmd.Path, err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()
	e := &Emulator{cmd: cmd, stdin: stdin, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil}}}
	select {
	case line := <-lines:
		const prefix = "ci-emulator listening on "
		scheme, addr, ok := strings.Cut(strings.TrimSpace(strings.TrimPrefix(line, prefix)), "://")
		if !strings.HasPrefix(line, prefix) || !ok || (scheme != "http" && scheme != "https") {
			e.Stop()
			return nil, fmt.Errorf("ci-emulator said %q, not %q", line, prefix+"http://ADDR")
		}
		e.Addr = addr
		return e, nil
	case <-time.After(10 * time.Second):
		e.Stop()
		return nil, errors.New("ci-emulator did not start within 10 s")
	}
}

// Stop ends the emulator and waits for it.
func (e *Emulator) Stop() {
	_ = e.stdin.Close()
	_ = e.cmd.Process.Kill()
	_ = e.cmd.Wait()
}

func (e *Emulator) control(method, path string, body any, out any) error {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+e.Addr+"/__emulator/"+path, r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s /__emulator/%s: %s: %s", method, path, resp.Status, data)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Fault is a fault spec for ArmFault (see the emulator's README).
type Fault struct {
	Kind    string `json:"kind"`
	Status  int    `json:"status,omitempty"`
	Code    string `json:"code,omitempty"`
	Times   *int   `json:"times,omitempty"`
	DelayMs int    `json:"delay_ms,omitempty"`
	Size    int    `json:"size,omitempty"`
	Path    string `json:"path,omitempty"`
	Bucket  string `json:"bucket,omitempty"`
}

// ArmFault arms request faults.
func (e *Emulator) ArmFault(f ...Fault) error {
	return e.control("POST", "faults", f, nil)
}

// SetClockOffset sets the emulator's clock to real time + secs (far ahead
// expires a client's signatures; far behind makes them look skewed).
func (e *Emulator) SetClockOffset(secs int64) error {
	return e.control("POST", "clock", map[string]int64{"offset_secs": secs}, nil)
}

// Reset clears request faults, fault counters and stats.
func (e *Emulator) Reset() error { return e.control("POST", "reset", struct{}{}, nil) }

// Stats is what /__emulator/stats says.
type Stats struct {
	Requests int            `json:"requests"`
	ByPath   map[string]int `json:"by_path"`
	ByStatus map[string]int `json:"by_status"`
}

// Stats counts the API requests served so far.
func (e *Emulator) Stats() (Stats, error) {
	var s Stats
	err := e.control("GET", "stats", nil, &s)
	return s, err
}

// Fixture fetches the emulator's effective fixture.
func (e *Emulator) Fixture() (*Fixture, error) {
	var f Fixture
	err := e.control("GET", "fixture", nil, &f)
	return &f, err
}

// What the emulator's credential services expect and serve by default
// (see its README, "Credential services").
const (
	// MetadataRole is the CAM role the metadata service lists.
	MetadataRole = "emulator-role"
	// WebIdentityToken is the only token STS AssumeRoleWithWebIdentity accepts.
	WebIdentityToken = "emulator-web-identity-token"
	// ProviderID is the OIDC provider STS accepts.
	ProviderID = "emulator-oidc-provider"
	// RoleARN is the role STS lets the web identity assume.
	RoleARN = "qcs::cam::uin/100000000001:roleName/emulator-oidc-role"
)

// MetadataEndpoint is the emulator's CVM metadata credentials URL, for
// Options.MetadataEndpoint or $TENCENTCLOUD_METADATA_ENDPOINT.
func (e *Emulator) MetadataEndpoint() string {
	return "http://" + e.Addr + "/latest/meta-data/cam/security-credentials/"
}

// STSEndpoint is the emulator's STS URL, for Options.STSEndpoint or
// $TENCENTCLOUD_STS_ENDPOINT.
func (e *Emulator) STSEndpoint() string { return "http://" + e.Addr + "/" }

// CredentialStats is what GET /__emulator/credentials says: the credential
// services' settings and counters since start or the last reset.
type CredentialStats struct {
	LifetimeSecs int      `json:"lifetime_secs"`
	Roles        []string `json:"roles"`
	Issued       struct {
		// Metadata and STS count the keys each service issued.
		Metadata int `json:"metadata"`
		STS      int `json:"sts"`
		Total    int `json:"total"`
		Live     int `json:"live"`
		// Used counts issued keys that authenticated a CI request.
		Used int `json:"used"`
		// AcceptedRequests counts the CI requests issued keys authenticated.
		AcceptedRequests int `json:"accepted_requests"`
	} `json:"issued"`
	Requests struct {
		Metadata int `json:"metadata"`
		STS      int `json:"sts"`
	} `json:"requests"`
	// ExpiredTokenAnswers counts ExpiredToken answers, expired and forced.
	ExpiredTokenAnswers int `json:"expired_token_answers"`
}

// Credentials reads the credential services' counters.
func (e *Emulator) Credentials() (CredentialStats, error) {
	var s CredentialStats
	err := e.control("GET", "credentials", nil, &s)
	return s, err
}

// ConfigureCredentials changes the credential services' settings, e.g.
// {"expired_token_next": 1} or {"roles": []} (see the emulator's README).
func (e *Emulator) ConfigureCredentials(settings map[string]any) error {
	return e.control("POST", "credentials", settings, nil)
}
