package cloudinfinite_test

// Issue 15 ("fail closed") as Go sees it: bad proxy URLs are
// KindInvalidArgument without their password, a refused proxy (HTTP or
// SOCKS) is a named KindNetwork error, and a hostile error body is a
// KindService error whose message, code and request id are bounded and
// printable. The servers are raw sockets on 127.0.0.1.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
	"unicode"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

const (
	maxMessageBytes = 2048
	maxFieldBytes   = 256
)

func printable(s string) bool {
	return !strings.ContainsFunc(s, unicode.IsControl)
}

func closedPort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

func failClosedOptions() cloudinfinite.Options {
	return cloudinfinite.Options{
		SecretID: "AKIDgoEXAMPLE", SecretKey: "go-secret-key", Region: "ap-guangzhou",
		Scheme: cloudinfinite.SchemeHTTP, Timeout: cloudinfinite.Ptr(5 * time.Second), MaxRetries: cloudinfinite.Ptr(uint32(0)),
	}
}

func asError(t *testing.T, err error, kind cloudinfinite.Kind) *cloudinfinite.Error {
	t.Helper()
	var e *cloudinfinite.Error
	if !errors.As(err, &e) || e.Kind != kind {
		t.Fatalf("want kind %v, got %v", kind, err)
	}
	return e
}

func TestFailClosedBadProxyURLs(t *testing.T) {
	for _, url := range []string{"http://127.0.0.1:notaport", "http://127.0.0.1:99999", "http://127.0.0.1:0", "http://u:Pa55w0rdX@127.0.0.1:3128 "} {
		o := failClosedOptions()
		o.ProxyMode, o.ProxyURL = cloudinfinite.ProxyModeURL, url
		c, err := cloudinfinite.NewClient(o)
		if err == nil {
			c.Close()
			t.Fatalf("%q: accepted", url)
		}
		e := asError(t, err, cloudinfinite.KindInvalidArgument)
		if strings.Contains(e.Error(), "Pa55w0rdX") || !strings.Contains(e.Message, "proxy") {
			t.Fatalf("%q: %v", url, e)
		}
	}
}

func TestFailClosedRefusedProxyIsNamed(t *testing.T) {
	port := closedPort(t)
	for _, scheme := range []string{"http", "socks5h"} {
		o := failClosedOptions()
		o.ProxyMode, o.ProxyURL = cloudinfinite.ProxyModeURL, fmt.Sprintf("%s://user:Pa55w0rdX@127.0.0.1:%d", scheme, port)
		c, err := cloudinfinite.NewClient(o)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.DescribePicBuckets(context.Background(), nil)
		c.Close()
		e := asError(t, err, cloudinfinite.KindNetwork)
		if !strings.Contains(e.Message, fmt.Sprintf("proxy 127.0.0.1:%d refused the connection", port)) || strings.Contains(e.Error(), "Pa55w0rdX") {
			t.Fatalf("%s: %v", scheme, e)
		}
	}
}

func TestFailClosedHostileErrorBody(t *testing.T) {
	message := "\x1b[2J\x1b]0;pwned\x07\r\nINFO forged\u009b" + strings.Repeat("A", 30000)
	body := fmt.Sprintf("<Response><Code>AccessDenied\r\nX: 1</Code><Message>%s</Message><RequestId>%s</RequestId></Response>", message, strings.Repeat("r\x1b", 5000))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil || line == "\r\n" {
				break
			}
		}
		fmt.Fprintf(conn, "HTTP/1.1 403 Forbidden\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s", len(body), body)
	}()
	o := failClosedOptions()
	o.ConnectTo, o.ProxyMode = l.Addr().String(), cloudinfinite.ProxyModeDisabled
	c, err := cloudinfinite.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.DescribePicBuckets(context.Background(), nil)
	e := asError(t, err, cloudinfinite.KindService)
	if e.HTTPStatus != 403 || len(e.Message) > maxMessageBytes || !printable(e.Message) || !strings.Contains(e.Message, `\u{1b}[2J`) {
		t.Fatalf("message of %d bytes: %q", len(e.Message), e.Message)
	}
	if !strings.HasPrefix(e.Code, `AccessDenied\u{d}\u{a}X`) || len(e.Code) > maxFieldBytes || len(e.RequestID) > maxFieldBytes || !printable(e.RequestID) {
		t.Fatalf("code %q, request id %q", e.Code, e.RequestID)
	}
}
