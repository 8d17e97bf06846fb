package cloudinfinite_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

func bucketNames(bs []cloudinfinite.Bucket) []string {
	var out []string
	for _, b := range bs {
		out = append(out, cloudinfinite.Value(b.Name))
	}
	return out
}

func fixtureNames(bs []emulator.Bucket) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.Name)
	}
	return out
}

func TestDescribePicBuckets(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	listed := fixture(t, emu).Listed("pic_buckets")
	if len(listed) != 130 {
		t.Fatalf("the fixture lists %d buckets", len(listed))
	}

	for _, q := range []*cloudinfinite.BucketQuery{nil, {}} {
		page, err := c.DescribePicBuckets(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if cloudinfinite.Value(page.TotalCount) != 130 || cloudinfinite.Value(page.PageNumber) != 1 || cloudinfinite.Value(page.PageSize) != 10 {
			t.Fatalf("paging fields %s %s %s", num(page.TotalCount), num(page.PageNumber), num(page.PageSize))
		}
		if cloudinfinite.Value(page.RequestID) == "" {
			t.Fatal("no RequestID")
		}
		if len(page.Buckets) != 10 {
			t.Fatalf("%d buckets on the first page", len(page.Buckets))
		}
		for i, b := range page.Buckets {
			want := listed[i]
			sameString(t, fmt.Sprintf("bucket %d BucketID", i), b.BucketID, &want.Name)
			sameString(t, fmt.Sprintf("bucket %d Name", i), b.Name, &want.Name)
			sameString(t, fmt.Sprintf("bucket %d Region", i), b.Region, &want.Region)
			sameString(t, fmt.Sprintf("bucket %d CreateTime", i), b.CreateTime, &want.CreateTime)
		}
	}
	first, _ := c.DescribePicBuckets(ctx, nil)
	if got := first.Buckets[0]; *got.BucketID != exampleBucket || *got.Region != "ap-guangzhou" || *got.CreateTime != "2019-11-15T12:12:12+0800" {
		t.Fatalf("the first bucket is %s %s %s", str(got.BucketID), str(got.Region), str(got.CreateTime))
	}

	// Every parameter, alone and together; the answers come from the fixture.
	filter := func(keep func(emulator.Bucket) bool) []string {
		var out []string
		for _, b := range listed {
			if keep(b) {
				out = append(out, b.Name)
			}
		}
		return out
	}
	cases := []struct {
		name string
		q    cloudinfinite.BucketQuery
		want []string // every match, all pages
	}{
		{"Regions", cloudinfinite.BucketQuery{Regions: []string{"ap-singapore", "ap-chongqing"}},
			filter(func(b emulator.Bucket) bool { return b.Region == "ap-singapore" || b.Region == "ap-chongqing" })},
		{"BucketNames", cloudinfinite.BucketQuery{BucketNames: []string{"photos-2-1250000000", "nosuch-1250000000", exampleBucket}},
			filter(func(b emulator.Bucket) bool { return b.Name == "photos-2-1250000000" || b.Name == exampleBucket })},
		{"BucketNamePrefix", cloudinfinite.BucketQuery{BucketNamePrefix: "photos-1"},
			filter(func(b emulator.Bucket) bool { return strings.HasPrefix(b.Name, "photos-1") })},
		{"all at once", cloudinfinite.BucketQuery{
			Regions: []string{"ap-shanghai", "ap-guangzhou"}, BucketNames: []string{"photos-2-1250000000", "nosuch-1250000000", exampleBucket},
			BucketNamePrefix: "photos",
		}, filter(func(b emulator.Bucket) bool {
			return (b.Region == "ap-shanghai" || b.Region == "ap-guangzhou") && b.Name == "photos-2-1250000000"
		})},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if len(tc.want) == 0 {
				t.Fatal("the case matches nothing: it would prove nothing")
			}
			q := tc.q
			q.PageSize = 100
			page, err := c.DescribePicBuckets(ctx, &q)
			if err != nil {
				t.Fatal(err)
			}
			if got := bucketNames(page.Buckets); !slices.Equal(got, tc.want) || cloudinfinite.Value(page.TotalCount) != uint64(len(tc.want)) {
				t.Fatalf("got %v (TotalCount %s), want %v", got, num(page.TotalCount), tc.want)
			}
		})
	}

	t.Run("PageNumber and PageSize", func(t *testing.T) {
		page, err := c.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageNumber: 3, PageSize: 7})
		if err != nil {
			t.Fatal(err)
		}
		want := fixtureNames(listed[14:21])
		if got := bucketNames(page.Buckets); !slices.Equal(got, want) {
			t.Fatalf("page 3 of 7: %v, want %v", got, want)
		}
		if *page.PageNumber != 3 || *page.PageSize != 7 || *page.TotalCount != 130 {
			t.Fatalf("paging fields %s %s %s", num(page.PageNumber), num(page.PageSize), num(page.TotalCount))
		}
		// The last, partial page, and one past the end.
		last, err := c.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageNumber: 2, PageSize: 100})
		if err != nil || len(last.Buckets) != 30 {
			t.Fatalf("the last page: %v", err)
		}
		past, err := c.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{PageNumber: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if past.Buckets == nil || len(past.Buckets) != 0 || *past.TotalCount != 130 {
			t.Fatalf("past the end: %#v", past)
		}
	})

	t.Run("bad queries", func(t *testing.T) {
		before := stats(t, emu).Requests
		bad := []struct {
			q    cloudinfinite.BucketQuery
			kind cloudinfinite.Kind
		}{
			{cloudinfinite.BucketQuery{PageSize: 101}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{Regions: []string{"ap-shanghai,ap-beijing"}}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{Regions: []string{"ap-shanghai", ""}}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{Regions: []string{"evil.com/x"}}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{BucketNames: []string{"a,b"}}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{BucketNames: []string{"a\x00b"}}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{BucketNamePrefix: "\xff"}, cloudinfinite.KindInvalidArgument},
			{cloudinfinite.BucketQuery{Timeout: -1}, cloudinfinite.KindInvalidArgument},
		}
		for i, b := range bad {
			page, err := c.DescribePicBuckets(ctx, &b.q)
			if page != nil {
				t.Fatalf("bad query %d: a page came back", i)
			}
			wantError(t, err, b.kind, "", 0)
		}
		if after := stats(t, emu).Requests; after != before {
			t.Fatalf("bad queries sent %d requests", after-before)
		}
	})
}

func TestDescribeAIQueues(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	fb, ok := fixture(t, emu).Bucket(exampleBucket)
	if !ok || len(fb.Queues["ai_queues"]) != 25 {
		t.Fatal("the fixture lacks the example bucket's 25 queues")
	}

	page, err := c.DescribeAIQueues(ctx, exampleBucket, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *page.TotalCount != 25 || *page.PageNumber != 1 || *page.PageSize != 10 || len(page.Queues) != 10 {
		t.Fatalf("first page: %s %s %s, %d queues", num(page.TotalCount), num(page.PageNumber), num(page.PageSize), len(page.Queues))
	}
	if cloudinfinite.Value(page.RequestID) == "" || page.NonExistPIDs == nil || len(page.NonExistPIDs) != 0 {
		t.Fatalf("RequestID %s, NonExistPIDs %#v", str(page.RequestID), page.NonExistPIDs)
	}
	for i, q := range page.Queues {
		compareQueue(t, fmt.Sprintf("queue %d", i), q, fb.Queues["ai_queues"][i])
	}
	// The documentation's example queue, field by field.
	q := page.Queues[0]
	n := q.NotifyConfig
	if *q.QueueID != "p4a17eeea29334bf499b7e20e2fbfd99d" || *q.Name != "My-Queue-ai" || *q.State != "Active" ||
		*q.MaxSize != 10000 || *q.MaxConcurrent != 10 || *q.Category != "AIProcess" ||
		*q.UpdateTime != "2022-08-09T16:23:11+0800" || *q.CreateTime != "2022-08-09T16:23:11+0800" ||
		n == nil || *n.URL != "http://callback.demo.com" || *n.Event != "TaskFinish,WorkflowFinish" || *n.Type != "Url" ||
		*n.State != "On" || *n.ResultFormat != "JSON" || n.MqMode != nil || n.MqRegion != nil || n.MqName != nil {
		t.Fatalf("the documentation's queue came back as %+v / %+v", q, n)
	}
	if *page.Queues[1].Name != `q&<tag> "double" 'single'` || page.Queues[1].NotifyConfig != nil {
		t.Fatalf("queue 1: %s", str(page.Queues[1].Name))
	}
	if q2 := page.Queues[2]; *q2.Name != "队列-测试" || *q2.NotifyConfig.Type != "TDMQ" ||
		q2.NotifyConfig.MqMode == nil || q2.NotifyConfig.MqRegion == nil || q2.NotifyConfig.MqName == nil {
		t.Fatalf("queue 2: %s %+v", str(q2.Name), q2.NotifyConfig)
	}

	t.Run("QueueIDs", func(t *testing.T) {
		ids := []string{"A", fb.Queues["ai_queues"][0].QueueID, "B", fb.Queues["ai_queues"][7].QueueID}
		page, err := c.DescribeAIQueues(ctx, exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != nil || page.PageNumber != nil || page.PageSize != nil {
			t.Fatalf("paging fields with QueueIDs: %s %s %s", num(page.TotalCount), num(page.PageNumber), num(page.PageSize))
		}
		if !slices.Equal(page.NonExistPIDs, []string{"A", "B"}) || len(page.Queues) != 2 {
			t.Fatalf("NonExistPIDs %v, %d queues", page.NonExistPIDs, len(page.Queues))
		}
		compareQueue(t, "by id 0", page.Queues[0], fb.Queues["ai_queues"][0])
		compareQueue(t, "by id 1", page.Queues[1], fb.Queues["ai_queues"][7])
	})

	t.Run("State PageNumber PageSize", func(t *testing.T) {
		for _, tc := range []struct {
			state cloudinfinite.QueueState
			name  string
		}{
			{cloudinfinite.QueueStatePaused, "Paused"},
			{cloudinfinite.QueueStateActive, "Active"},
			{cloudinfinite.QueueStateAny, ""},
		} {
			var want []emulator.Queue
			for _, q := range fb.Queues["ai_queues"] {
				if tc.name == "" || *q.State == tc.name {
					want = append(want, q)
				}
			}
			if len(want) < 2 {
				t.Fatalf("%v matches %d queues: too few to page", tc.state, len(want))
			}
			page, err := c.DescribeAIQueues(ctx, exampleBucket, &cloudinfinite.QueueQuery{State: tc.state, PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			if int(*page.TotalCount) != len(want) || len(page.Queues) != len(want) {
				t.Fatalf("%v: %d queues (TotalCount %s), want %d", tc.state, len(page.Queues), num(page.TotalCount), len(want))
			}
			for i := range want {
				compareQueue(t, fmt.Sprintf("%v queue %d", tc.state, i), page.Queues[i], want[i])
			}
			// The second page of size 1 is the second match.
			p2, err := c.DescribeAIQueues(ctx, exampleBucket, &cloudinfinite.QueueQuery{State: tc.state, PageNumber: 2, PageSize: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(p2.Queues) != 1 || *p2.PageNumber != 2 || *p2.PageSize != 1 {
				t.Fatalf("page 2 of size 1: %d queues", len(p2.Queues))
			}
			compareQueue(t, "page 2 of size 1", p2.Queues[0], want[1])
		}
	})

	t.Run("empty bucket", func(t *testing.T) {
		page, err := c.DescribeAIQueues(ctx, "emptybucket-1250000000", nil)
		if err != nil {
			t.Fatal(err)
		}
		if page.Queues == nil || len(page.Queues) != 0 || cloudinfinite.Value(page.TotalCount) != 0 || page.TotalCount == nil {
			t.Fatalf("empty bucket: %d queues, TotalCount %s", len(page.Queues), num(page.TotalCount))
		}
	})

	t.Run("bad arguments", func(t *testing.T) {
		before := stats(t, emu).Requests
		for _, tc := range []struct {
			bucket string
			q      *cloudinfinite.QueueQuery
		}{
			{"", nil},
			{"a.evil.com/x", nil},
			{"Bad Bucket", nil},
			{"bucket-1250000000\xff", nil},
			{"bucket-1250000000\x00", nil},
			{exampleBucket, &cloudinfinite.QueueQuery{State: 9}},
			{exampleBucket, &cloudinfinite.QueueQuery{PageSize: 101}},
			{exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: []string{"a,b"}}},
			{exampleBucket, &cloudinfinite.QueueQuery{Category: "x\x00"}},
			// Only media queues take a category: the core refuses it here.
			{exampleBucket, &cloudinfinite.QueueQuery{Category: "AIProcess"}},
		} {
			page, err := c.DescribeAIQueues(ctx, tc.bucket, tc.q)
			if page != nil {
				t.Fatalf("%q %+v: a page came back", tc.bucket, tc.q)
			}
			wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
		}
		if after := stats(t, emu).Requests; after != before {
			t.Fatalf("bad arguments sent %d requests", after-before)
		}
	})
}

// Absent elements are nil, never "" or 0; present empty ones are "" and 0.
func TestAbsentIsNotZero(t *testing.T) {
	emu := startEmulator(t, "testdata/sparse_fixture.json")
	c := newClient(t, emu)
	page, err := c.DescribeAIQueues(context.Background(), "sparse-1250000000", nil)
	if err != nil {
		t.Fatal(err)
	}
	fb, _ := fixture(t, emu).Bucket("sparse-1250000000")
	if len(page.Queues) != 2 || len(fb.Queues["ai_queues"]) != 2 {
		t.Fatalf("%d queues", len(page.Queues))
	}
	bare := page.Queues[0]
	if bare.Name != nil || bare.State != nil || bare.NotifyConfig != nil || bare.MaxSize != nil || bare.MaxConcurrent != nil ||
		bare.Category != nil || bare.UpdateTime != nil || bare.CreateTime != nil {
		t.Fatalf("a queue with only an id: %+v", bare)
	}
	empty := page.Queues[1]
	if empty.Name == nil || *empty.Name != "" || empty.MaxSize == nil || *empty.MaxSize != 0 {
		t.Fatalf("an empty name and a zero size must be present: %s %s", str(empty.Name), num(empty.MaxSize))
	}
	if n := empty.NotifyConfig; n == nil || *n.State != "Off" || n.URL != nil || n.Event != nil || n.Type != nil {
		t.Fatalf("a NotifyConfig with only State: %+v", n)
	}
	for i := range fb.Queues["ai_queues"] {
		compareQueue(t, fmt.Sprint("sparse queue ", i), page.Queues[i], fb.Queues["ai_queues"][i])
	}
}
