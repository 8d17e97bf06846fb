package cloudinfinite_test

import (
	"context"
	"fmt"
	"iter"
	"reflect"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
	"github.com/cloud-infinite/cloud-infinite-go/internal/emulator"
)

// The tests of the whole family run over the library's own list of calls
// (Operations) and reach each call's generated methods by the names the
// generated table gives them, so that a new call of an existing shape is
// tested without a new test. Expected values come from the fixture JSON.

// operationsOf are the library's calls of one shape.
func operationsOf(t *testing.T, shape cloudinfinite.Shape, want int) []cloudinfinite.OperationInfo {
	t.Helper()
	var out []cloudinfinite.OperationInfo
	for _, op := range cloudinfinite.Operations() {
		if op.Shape == shape {
			out = append(out, op)
		}
	}
	if len(out) != want {
		t.Fatalf("the library lists %d calls of shape %d, want %d", len(out), shape, want)
	}
	return out
}

// methods finds op's two generated methods on c, as D and W.
func methods[D, W any](t *testing.T, c *cloudinfinite.Client, op cloudinfinite.OperationInfo) (D, W) {
	t.Helper()
	for _, g := range cloudinfinite.GeneratedOperations() {
		if g.Operation != op.Operation {
			continue
		}
		v := reflect.ValueOf(c)
		describe, ok1 := v.MethodByName(g.Describe).Interface().(D)
		pages, ok2 := v.MethodByName(g.Pages).Interface().(W)
		if !ok1 || !ok2 {
			t.Fatalf("%s: %s or %s has another signature", op.Name, g.Describe, g.Pages)
		}
		return describe, pages
	}
	t.Fatalf("no generated methods for %s", op.Name)
	panic("unreachable")
}

// Method types of the three shapes.
type (
	describeBuckets   = func(context.Context, *cloudinfinite.BucketQuery) (*cloudinfinite.BucketPage, error)
	walkBuckets       = func(context.Context, *cloudinfinite.BucketQuery, ...cloudinfinite.PageOption) iter.Seq2[*cloudinfinite.BucketPage, error]
	describeCIBuckets = func(context.Context, *cloudinfinite.CIBucketQuery) (*cloudinfinite.CIBucketPage, error)
	walkCIBuckets     = func(context.Context, *cloudinfinite.CIBucketQuery, ...cloudinfinite.PageOption) iter.Seq2[*cloudinfinite.CIBucketPage, error]
	describeQueues    = func(context.Context, string, *cloudinfinite.QueueQuery) (*cloudinfinite.QueuePage, error)
	walkQueues        = func(context.Context, string, *cloudinfinite.QueueQuery, ...cloudinfinite.PageOption) iter.Seq2[*cloudinfinite.QueuePage, error]
)

// collect walks seq, checking that page i says PageNumber from+i, and
// returns every page.
func collect[P any](t *testing.T, seq iter.Seq2[P, error], from uint64, paging func(P) cloudinfinite.Paging) []P {
	t.Helper()
	var out []P
	for page, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		if n := paging(page).PageNumber; n == nil || *n != from+uint64(len(out)) {
			t.Fatalf("page %d says PageNumber %s", len(out)+1, num(n))
		}
		out = append(out, page)
	}
	return out
}

// checkPaging compares a page's paging fields.
func checkPaging(t *testing.T, what string, got cloudinfinite.Paging, total, number, size uint64) {
	t.Helper()
	if cloudinfinite.Value(got.TotalCount) != total || cloudinfinite.Value(got.PageNumber) != number || cloudinfinite.Value(got.PageSize) != size ||
		got.TotalCount == nil || got.PageNumber == nil || got.PageSize == nil {
		t.Fatalf("%s: TotalCount %s PageNumber %s PageSize %s, want %d %d %d", what, num(got.TotalCount), num(got.PageNumber), num(got.PageSize), total, number, size)
	}
}

func filter[T any](items []T, keep func(T) bool) []T {
	var out []T
	for _, item := range items {
		if keep(item) {
			out = append(out, item)
		}
	}
	return out
}

func pagesNeeded(items, size int) int { return (items + size - 1) / size }

// compareQueue compares every field of a queue with the fixture's.
func compareQueue(t *testing.T, what string, got cloudinfinite.Queue, want emulator.Queue) {
	t.Helper()
	sameString(t, what+" QueueID", got.QueueID, &want.QueueID)
	sameString(t, what+" Name", got.Name, want.Name)
	sameString(t, what+" State", got.State, want.State)
	sameNumber(t, what+" MaxSize", got.MaxSize, want.MaxSize)
	sameNumber(t, what+" MaxConcurrent", got.MaxConcurrent, want.MaxConcurrent)
	sameString(t, what+" Category", got.Category, want.Category)
	sameString(t, what+" UpdateTime", got.UpdateTime, want.UpdateTime)
	sameString(t, what+" CreateTime", got.CreateTime, want.CreateTime)
	sameString(t, what+" BucketID", got.BucketID, want.BucketID)
	g, w := got.NotifyConfig, want.NotifyConfig
	if (g == nil) != (w == nil) {
		t.Errorf("%s NotifyConfig = %+v, want %+v", what, g, w)
		return
	}
	if g == nil {
		return
	}
	sameString(t, what+" NotifyConfig.URL", g.URL, w.URL)
	sameString(t, what+" NotifyConfig.Event", g.Event, w.Event)
	sameString(t, what+" NotifyConfig.Type", g.Type, w.Type)
	sameString(t, what+" NotifyConfig.State", g.State, w.State)
	sameString(t, what+" NotifyConfig.ResultFormat", g.ResultFormat, w.ResultFormat)
	sameString(t, what+" NotifyConfig.MqMode", g.MqMode, w.MqMode)
	sameString(t, what+" NotifyConfig.MqRegion", g.MqRegion, w.MqRegion)
	sameString(t, what+" NotifyConfig.MqName", g.MqName, w.MqName)
	gk, wk := g.KafkaConfig, w.KafkaConfig
	if (gk == nil) != (wk == nil) {
		t.Errorf("%s KafkaConfig = %+v, want %+v", what, gk, wk)
		return
	}
	if gk != nil {
		sameString(t, what+" KafkaConfig.Region", gk.Region, wk.Region)
		sameString(t, what+" KafkaConfig.InstanceID", gk.InstanceID, wk.InstanceID)
		sameString(t, what+" KafkaConfig.Topic", gk.Topic, wk.Topic)
	}
}

func compareQueues(t *testing.T, what string, got []cloudinfinite.Queue, want []emulator.Queue) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d queues, want %d", what, len(got), len(want))
	}
	for i := range want {
		compareQueue(t, fmt.Sprintf("%s queue %d", what, i), got[i], want[i])
	}
}
