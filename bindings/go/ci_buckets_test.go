package cloudinfinite_test

import (
	"context"
	"fmt"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// compareCIBuckets compares every field of DescribeCIBuckets' buckets with
// the fixture's.
func compareCIBuckets(t *testing.T, what string, got []cloudinfinite.CIBucket, want []emulator.Bucket) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d buckets, want %d", what, len(got), len(want))
	}
	for i, w := range want {
		g, at := got[i], fmt.Sprintf("%s bucket %d", what, i)
		sameString(t, at+" BucketID", g.BucketID, &w.Name)
		sameString(t, at+" BucketName", g.BucketName, w.CI.BucketName)
		sameString(t, at+" AppID", g.AppID, w.CI.AppID)
		sameString(t, at+" CreateTime", g.CreateTime, &w.CreateTime)
		sameString(t, at+" Region", g.Region, &w.Region)
		sameString(t, at+" Status", g.Status, w.CI.Status)
	}
}

// DescribeCIBuckets, with every parameter and every field.
func TestEveryCIBucketList(t *testing.T) {
	emu := startEmulator(t)
	c := newClient(t, emu)
	ctx := context.Background()
	f := fixture(t, emu)
	for _, op := range operationsOf(t, cloudinfinite.ShapeCIBuckets, 1) {
		t.Run(op.Name, func(t *testing.T) {
			describe, walk := methods[describeCIBuckets, walkCIBuckets](t, c, op)
			listed := f.CIListed()
			if len(listed) < 11 {
				t.Fatalf("the fixture has %d CI buckets", len(listed))
			}
			page, err := describe(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if page.Operation != op.Operation || cloudinfinite.Value(page.RequestID) == "" {
				t.Fatalf("Operation %v, RequestID %s", page.Operation, str(page.RequestID))
			}
			checkPaging(t, "no parameters", page.Paging, uint64(len(listed)), 1, 10)
			compareCIBuckets(t, "first page", page.CIBuckets, listed[:10])

			pages := collect(t, walk(ctx, &cloudinfinite.CIBucketQuery{PageSize: 100}), 1, func(p *cloudinfinite.CIBucketPage) cloudinfinite.Paging { return p.Paging })
			var all []cloudinfinite.CIBucket
			for _, p := range pages {
				all = append(all, p.CIBuckets...)
			}
			if len(pages) != pagesNeeded(len(listed), 100) {
				t.Fatalf("%d pages of 100 for %d buckets", len(pages), len(listed))
			}
			compareCIBuckets(t, "every page", all, listed)

			hasTag := func(key string) func(emulator.Bucket) bool {
				return func(b emulator.Bucket) bool { _, ok := b.CI.Tags[key]; return ok }
			}
			named := func(name string) func(emulator.Bucket) bool {
				return func(b emulator.Bucket) bool { return b.Name == name || cloudinfinite.Value(b.CI.BucketName) == name }
			}
			inRegion := func(region string) func(emulator.Bucket) bool {
				return func(b emulator.Bucket) bool { return b.Region == region }
			}
			second := listed[1]
			for _, tc := range []struct {
				name string
				q    cloudinfinite.CIBucketQuery
				keep func(emulator.Bucket) bool
			}{
				{"BucketName as the name", cloudinfinite.CIBucketQuery{BucketName: *second.CI.BucketName}, named(*second.CI.BucketName)},
				{"BucketName as the id", cloudinfinite.CIBucketQuery{BucketName: second.Name}, named(second.Name)},
				{"TagKey", cloudinfinite.CIBucketQuery{TagKey: "team"}, hasTag("team")},
				{"TagKey not ASCII", cloudinfinite.CIBucketQuery{TagKey: "项目"}, hasTag("项目")},
				{"Region", cloudinfinite.CIBucketQuery{Region: "ap-beijing"}, inRegion("ap-beijing")},
				{"all at once", cloudinfinite.CIBucketQuery{TagKey: "env", Region: "ap-guangzhou", BucketName: "examplebucket"},
					func(b emulator.Bucket) bool {
						return hasTag("env")(b) && inRegion("ap-guangzhou")(b) && named("examplebucket")(b)
					}},
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
				compareCIBuckets(t, tc.name, page.CIBuckets, want)
			}

			page, err = describe(ctx, &cloudinfinite.CIBucketQuery{PageNumber: 4, PageSize: 5})
			if err != nil {
				t.Fatal(err)
			}
			checkPaging(t, "page 4 of 5", page.Paging, uint64(len(listed)), 4, 5)
			compareCIBuckets(t, "page 4 of 5", page.CIBuckets, listed[15:20])

			before := stats(t, emu).Requests
			for _, q := range []*cloudinfinite.CIBucketQuery{{PageSize: 101}, {Region: "evil.com/x"}, {TagKey: "\xff"}, {BucketName: "a\x00"}} {
				p, err := describe(ctx, q)
				if p != nil {
					t.Fatalf("%+v: a page came back", q)
				}
				wantError(t, err, cloudinfinite.KindInvalidArgument, "", 0)
			}
			if after := stats(t, emu).Requests; after != before {
				t.Fatalf("bad queries sent %d requests", after-before)
			}
		})
	}
}
