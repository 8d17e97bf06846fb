package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

func TestDemoListsEveryCall(t *testing.T) {
	emu, err := emulator.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Stop()
	f, err := emu.Fixture()
	if err != nil {
		t.Fatal(err)
	}
	const bucket = "examplebucket-1250000000"
	fb, _ := f.Bucket(bucket)
	var out strings.Builder
	if err := run(context.Background(), &out, emu.Addr, bucket, 3); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	// One table per call the library offers, with the fixture's count.
	for _, op := range cloudinfinite.Operations() {
		var n int
		var what string
		switch op.Shape {
		case cloudinfinite.ShapeBuckets:
			n, what = len(f.Listed(op.SnakeName)), "buckets"
		case cloudinfinite.ShapeCIBuckets:
			n, what = len(f.CIListed()), "buckets"
		case cloudinfinite.ShapeQueues:
			n, what = len(fb.Queues[op.SnakeName]), "queues of "+bucket
		}
		want := fmt.Sprintf("%s: %d %s in ", op.Name, n, what)
		if n == 0 || !strings.Contains(text, want) || !strings.Contains(text, fmt.Sprintf("(TotalCount %d), %d more not shown", n, n-3)) {
			t.Errorf("the output lacks %q", want)
		}
	}
	for _, want := range []string{
		"DescribePicProcessBucket: 130 buckets in 2 pages",
		"p4a17eeea29334bf499b7e20e2fbfd99d  My-Queue-ai",
		"preview0-1250000000",
		"type=TDMQ",
		"kafka=",
		`q&<tag> "double" 'single'`,
		"队列-测试",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the output lacks %q", want)
		}
	}

	err = run(context.Background(), &out, emu.Addr, "nosuchbucket-1250000000", 3)
	var ciErr *cloudinfinite.Error
	if !errors.As(err, &ciErr) || ciErr.Code != "NoSuchBucket" {
		t.Fatalf("an unknown bucket: %v", err)
	}
}
