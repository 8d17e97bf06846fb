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

// compareBuckets compares every field of the buckets list snakeName
// answered with the fixture's.
func compareBuckets(t *testing.T, what, snakeName string, got []cloudinfinite.Bucket, want []emulator.Bucket) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d buckets %v, want %d %v", what, len(got), bucketNames(got), len(want), fixtureNames(want))
	}
	for i, w := range want {
		g, at := got[i], fmt.Sprintf("%s bucket %d", what, i)
		sameString(t, at+" BucketID", g.BucketID, &w.Name)
		sameString(t, at+" Name", g.Name, &w.Name)
		sameString(t, at+" Region", g.Region, &w.Region)
		sameString(t, at+" CreateTime", g.CreateTime, &w.CreateTime)
		sameString(t, at+" AliasBucketID", g.AliasBucketID, w.BucketLists[snakeName].AliasBucketID)
	}
}

// Every bucket list, with every parameter and every field.
func TestEveryBucketList(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	f := fixture(t, emu)
	aliases := 0
	for _, op := range operationsOf(t, cloudinfinite.ShapeBuckets, 6) {
		t.Run(op.Name, func(t *testing.T) {
			describe, walk := methods[describeBuckets, walkBuckets](t, c, op)
			listed := f.Listed(op.SnakeName)
			if len(listed) < 11 {
				t.Fatalf("the fixture lists %d buckets: too few for two pages", len(listed))
			}
			for _, b := range listed {
				if b.BucketLists[op.SnakeName].AliasBucketID != nil {
					aliases++
				}
			}

			// No parameters: the first page of the service's default size.
			page, err := describe(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if page.Operation != op.Operation || cloudinfinite.Value(page.RequestID) == "" {
				t.Fatalf("Operation %v, RequestID %s", page.Operation, str(page.RequestID))
			}
			checkPaging(t, "no parameters", page.Paging, uint64(len(listed)), 1, 10)
			compareBuckets(t, "first page", op.SnakeName, page.Buckets, listed[:10])

			// Every page, through the pager.
			pages := collect(t, walk(ctx, &cloudinfinite.BucketQuery{PageSize: 7}), 1, func(p *cloudinfinite.BucketPage) cloudinfinite.Paging { return p.Paging })
			var all []cloudinfinite.Bucket
			for _, p := range pages {
				checkPaging(t, "a walked page", p.Paging, uint64(len(listed)), *p.PageNumber, 7)
				all = append(all, p.Buckets...)
			}
			if len(pages) != pagesNeeded(len(listed), 7) {
				t.Fatalf("%d pages of 7 for %d buckets", len(pages), len(listed))
			}
			compareBuckets(t, "every page", op.SnakeName, all, listed)

			// Each parameter, then all of them; the answers come from the fixture.
			second := listed[1]
			prefix := second.Name[:strings.IndexByte(second.Name, '-')]
			names := []string{second.Name, "nosuch-1250000000", listed[len(listed)-1].Name}
			regions := []string{second.Region, "ap-singapore"}
			inRegions := func(b emulator.Bucket) bool { return slices.Contains(regions, b.Region) }
			named := func(b emulator.Bucket) bool { return slices.Contains(names, b.Name) }
			prefixed := func(b emulator.Bucket) bool { return strings.HasPrefix(b.Name, prefix) }
			for _, tc := range []struct {
				name string
				q    cloudinfinite.BucketQuery
				keep func(emulator.Bucket) bool
			}{
				{"Regions", cloudinfinite.BucketQuery{Regions: regions}, inRegions},
				{"BucketNames", cloudinfinite.BucketQuery{BucketNames: names}, named},
				{"BucketNamePrefix", cloudinfinite.BucketQuery{BucketNamePrefix: prefix}, prefixed},
				{"all at once", cloudinfinite.BucketQuery{Regions: regions, BucketNames: names, BucketNamePrefix: prefix},
					func(b emulator.Bucket) bool { return inRegions(b) && named(b) && prefixed(b) }},
			} {
				want := filter(listed, tc.keep)
				if len(want) == 0 || len(want) == len(listed) {
					t.Fatalf("%s matches %d of %d buckets: it would prove nothing", tc.name, len(want), len(listed))
				}
				q := tc.q
				q.PageSize = 100
				page, err := describe(ctx, &q)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				checkPaging(t, tc.name, page.Paging, uint64(len(want)), 1, 100)
				compareBuckets(t, tc.name, op.SnakeName, page.Buckets, want)
			}

			// PageNumber and PageSize: the third page of 3, and one past the end.
			page, err = describe(ctx, &cloudinfinite.BucketQuery{PageNumber: 3, PageSize: 3})
			if err != nil {
				t.Fatal(err)
			}
			checkPaging(t, "page 3 of 3", page.Paging, uint64(len(listed)), 3, 3)
			compareBuckets(t, "page 3 of 3", op.SnakeName, page.Buckets, listed[6:9])
			past, err := describe(ctx, &cloudinfinite.BucketQuery{PageNumber: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if past.Buckets == nil || len(past.Buckets) != 0 || cloudinfinite.Value(past.TotalCount) != uint64(len(listed)) {
				t.Fatalf("past the end: %+v", past)
			}

			// Parameters of other shapes are refused by the core, before sending.
			before := stats(t, emu).Requests
			for _, q := range []*cloudinfinite.BucketQuery{{PageSize: 101}, {Regions: []string{"a,b"}}, {BucketNames: []string{""}}, {BucketNamePrefix: "\xff"}} {
				if p, err := describe(ctx, q); p != nil || err == nil {
					t.Fatalf("%+v: a page came back", q)
				} else {
					wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
				}
			}
			if after := stats(t, emu).Requests; after != before {
				t.Fatalf("bad queries sent %d requests", after-before)
			}
		})
	}
	if aliases == 0 {
		t.Fatal("no bucket list answered an AliasBucketId: the field is untested")
	}
}
