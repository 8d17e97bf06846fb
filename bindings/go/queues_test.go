package cloudinfinite_test

import (
	"context"
	"slices"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// defaultCategory is what a queue list that takes a category lists without
// one: the docs' default for media queues, which the emulator follows.
const defaultCategory = "Transcoding"

// Every queue list, with every parameter and every field.
func TestEveryQueueList(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	fb, ok := fixture(t, emu).Bucket(exampleBucket)
	if !ok {
		t.Fatal("the fixture lacks the example bucket")
	}
	kafka, bucketIDs := 0, 0
	for _, op := range operationsOf(t, cloudinfinite.ShapeQueues, 6) {
		t.Run(op.Name, func(t *testing.T) {
			describe, walk := methods[describeQueues, walkQueues](t, c, op)
			queues := fb.Queues[op.SnakeName]
			takesCategory := op.Takes(cloudinfinite.ParamCategory)
			listed := queues
			if takesCategory {
				listed = filter(queues, func(q emulator.Queue) bool { return cloudinfinite.Value(q.Category) == defaultCategory })
			}
			if len(listed) < 3 {
				t.Fatalf("the fixture has %d %s: too few to page", len(listed), op.SnakeName)
			}
			for _, q := range queues {
				if q.NotifyConfig != nil && q.NotifyConfig.KafkaConfig != nil {
					kafka++
				}
				if q.BucketID != nil {
					bucketIDs++
				}
			}

			page, err := describe(ctx, exampleBucket, nil)
			if err != nil {
				t.Fatal(err)
			}
			if page.Operation != op.Operation || cloudinfinite.Value(page.RequestID) == "" || page.NonExistPIDs == nil || len(page.NonExistPIDs) != 0 {
				t.Fatalf("Operation %v, RequestID %s, NonExistPIDs %#v", page.Operation, str(page.RequestID), page.NonExistPIDs)
			}
			checkPaging(t, "no parameters", page.Paging, uint64(len(listed)), 1, 10)
			compareQueues(t, "first page", page.Queues, listed[:min(10, len(listed))])

			// Every page, and every category where the call takes one.
			all := &cloudinfinite.QueueQuery{PageSize: 2}
			if takesCategory {
				all.Category = "CateAll"
			}
			var got []cloudinfinite.Queue
			pages := collect(t, walk(ctx, exampleBucket, all), 1, func(p *cloudinfinite.QueuePage) cloudinfinite.Paging { return p.Paging })
			for _, p := range pages {
				checkPaging(t, "a walked page", p.Paging, uint64(len(queues)), *p.PageNumber, 2)
				got = append(got, p.Queues...)
			}
			if len(pages) != pagesNeeded(len(queues), 2) {
				t.Fatalf("%d pages of 2 for %d queues", len(pages), len(queues))
			}
			compareQueues(t, "every page", got, queues)

			// QueueIDs: those asked for in that order, the unknown ones in
			// NonExistPIDs, and no paging fields.
			last := queues[len(queues)-1]
			page, err = describe(ctx, exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: []string{"pnosuch1", last.QueueID, queues[0].QueueID, "pnosuch2"}})
			if err != nil {
				t.Fatal(err)
			}
			if page.TotalCount != nil || page.PageNumber != nil || page.PageSize != nil || !slices.Equal(page.NonExistPIDs, []string{"pnosuch1", "pnosuch2"}) {
				t.Fatalf("with QueueIDs: paging %s %s %s, NonExistPIDs %v", num(page.TotalCount), num(page.PageNumber), num(page.PageSize), page.NonExistPIDs)
			}
			compareQueues(t, "by id", page.Queues, []emulator.Queue{last, queues[0]})

			// State, with paging, and Category where the call takes it.
			type filterCase struct {
				name     string
				state    cloudinfinite.QueueState
				category string
			}
			cases := []filterCase{{"Active", cloudinfinite.QueueStateActive, ""}, {"Paused", cloudinfinite.QueueStatePaused, ""}}
			if takesCategory {
				cases = append(cases, filterCase{"SpeedTranscoding", 0, "SpeedTranscoding"}, filterCase{"Transcoding", 0, "Transcoding"},
					filterCase{"CateAll", 0, "CateAll"}, filterCase{"Active SpeedTranscoding", cloudinfinite.QueueStateActive, "SpeedTranscoding"})
			}
			for _, tc := range cases {
				stateName := map[cloudinfinite.QueueState]string{cloudinfinite.QueueStateActive: "Active", cloudinfinite.QueueStatePaused: "Paused"}[tc.state]
				category := tc.category
				if category == "" && takesCategory {
					category = defaultCategory
				}
				want := filter(queues, func(q emulator.Queue) bool {
					return (stateName == "" || cloudinfinite.Value(q.State) == stateName) &&
						(category == "" || category == "CateAll" || cloudinfinite.Value(q.Category) == category)
				})
				if len(want) == 0 {
					t.Fatalf("%s matches no queue: it would prove nothing", tc.name)
				}
				page, err := describe(ctx, exampleBucket, &cloudinfinite.QueueQuery{State: tc.state, Category: tc.category, PageSize: 100})
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				checkPaging(t, tc.name, page.Paging, uint64(len(want)), 1, 100)
				compareQueues(t, tc.name, page.Queues, want)
				// The last page of size 1 is the last match.
				n := uint64(len(want))
				p2, err := describe(ctx, exampleBucket, &cloudinfinite.QueueQuery{State: tc.state, Category: tc.category, PageNumber: n, PageSize: 1})
				if err != nil {
					t.Fatal(err)
				}
				checkPaging(t, tc.name+" last page of 1", p2.Paging, n, n, 1)
				compareQueues(t, tc.name+" last page of 1", p2.Queues, want[n-1:])
			}

			// An empty bucket, an unknown one, and what the core refuses.
			empty, err := describe(ctx, "emptybucket-1250000000", nil)
			if err != nil || empty.Queues == nil || len(empty.Queues) != 0 || cloudinfinite.Value(empty.TotalCount) != 0 || empty.TotalCount == nil {
				t.Fatalf("an empty bucket: %+v, %v", empty, err)
			}
			_, err = describe(ctx, "nosuchbucket-1250000000", nil)
			wantError(t, err, cloudinfinite.KindService, "NoSuchBucket", 404)
			before := stats(t, emu).Requests
			bad := []struct {
				bucket string
				q      *cloudinfinite.QueueQuery
			}{
				{"", nil}, {"Bad Bucket", nil}, {"a.evil.com/x", nil},
				{exampleBucket, &cloudinfinite.QueueQuery{State: 9}},
				{exampleBucket, &cloudinfinite.QueueQuery{PageSize: 101}},
				{exampleBucket, &cloudinfinite.QueueQuery{QueueIDs: []string{"a,b"}}},
			}
			if !takesCategory {
				bad = append(bad, struct {
					bucket string
					q      *cloudinfinite.QueueQuery
				}{exampleBucket, &cloudinfinite.QueueQuery{Category: "Transcoding"}})
			}
			for _, tc := range bad {
				p, err := describe(ctx, tc.bucket, tc.q)
				if p != nil {
					t.Fatalf("%q %+v: a page came back", tc.bucket, tc.q)
				}
				wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
			}
			if after := stats(t, emu).Requests; after != before {
				t.Fatalf("bad arguments sent %d requests", after-before)
			}
		})
	}
	if kafka == 0 || bucketIDs == 0 {
		t.Fatalf("%d queues with a KafkaConfig and %d with a BucketId: a field is untested", kafka, bucketIDs)
	}
}
