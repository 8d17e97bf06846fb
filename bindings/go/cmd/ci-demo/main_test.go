package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	cloudinfinite "cloud-infinite/bindings/go"
	"cloud-infinite/bindings/go/internal/emulator"
)

func TestDemoListsEverything(t *testing.T) {
	emu, err := emulator.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Stop()
	f, err := emu.Fixture()
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(context.Background(), &out, emu.Addr, "examplebucket-1250000000"); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, want := range []string{
		"130 pic buckets in 2 pages (TotalCount 130)",
		"25 AI queues in examplebucket-1250000000",
		"p4a17eeea29334bf499b7e20e2fbfd99d  My-Queue-ai",
		"type=TDMQ",
		`q&<tag> "double" 'single'`,
		"队列-测试",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q", want)
		}
	}
	for i, b := range f.Listed("pic_buckets") {
		if !strings.Contains(text, fmt.Sprintf("%d  ", i+1)) || !strings.Contains(text, b.Name) {
			t.Fatalf("bucket %d, %s, is not listed", i+1, b.Name)
		}
	}

	err = run(context.Background(), &out, emu.Addr, "nosuchbucket-1250000000")
	var ciErr *cloudinfinite.Error
	if !errors.As(err, &ciErr) || ciErr.Code != "NoSuchBucket" {
		t.Fatalf("an unknown bucket: %v", err)
	}
}
