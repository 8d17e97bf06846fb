package cloudinfinite_test

import (
	"context"
	"reflect"
	"testing"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

// The guard: every call the linked library lists in ci_operations() has
// its two methods on *Client, with the query and page types of the shape
// the library gives it and a bucket argument when the library says it
// takes one; and the package has no method for a call the library does
// not list.
func TestEveryOperationOfTheLibraryHasItsMethods(t *testing.T) {
	lib := cloudinfinite.Operations()
	if len(lib) < 13 {
		t.Fatalf("the library lists %d operations", len(lib))
	}
	generated := map[cloudinfinite.Operation]cloudinfinite.GeneratedOperation{}
	for _, g := range cloudinfinite.GeneratedOperations() {
		generated[g.Operation] = g
	}
	types := map[cloudinfinite.Shape]struct{ query, page reflect.Type }{
		cloudinfinite.ShapeBuckets:   {reflect.TypeFor[*cloudinfinite.BucketQuery](), reflect.TypeFor[*cloudinfinite.BucketPage]()},
		cloudinfinite.ShapeCIBuckets: {reflect.TypeFor[*cloudinfinite.CIBucketQuery](), reflect.TypeFor[*cloudinfinite.CIBucketPage]()},
		cloudinfinite.ShapeQueues:    {reflect.TypeFor[*cloudinfinite.QueueQuery](), reflect.TypeFor[*cloudinfinite.QueuePage]()},
	}
	client := reflect.TypeFor[*cloudinfinite.Client]()
	ctx, str, err := reflect.TypeFor[context.Context](), reflect.TypeFor[string](), reflect.TypeFor[error]()
	for i, op := range lib {
		if op.Operation != cloudinfinite.Operation(i+1) || op.Operation.String() != op.Name {
			t.Errorf("operation %d is %d %q (String %q)", i, op.Operation, op.Name, op.Operation.String())
		}
		g, ok := generated[op.Operation]
		if !ok {
			t.Errorf("the library offers %s (%d), which this package has no methods for: run make generate", op.Name, op.Operation)
			continue
		}
		delete(generated, op.Operation)
		if g.Name != op.Name || g.SnakeName != op.SnakeName || g.Shape != op.Shape || g.HostLevel != op.HostLevel || g.Params != op.Params {
			t.Errorf("%s: generated as %+v, the library says %+v", op.Name, g, op)
		}
		ty, ok := types[op.Shape]
		if !ok {
			t.Errorf("%s: shape %d has no Go types", op.Name, op.Shape)
			continue
		}
		in := []reflect.Type{client, ctx}
		if op.HostLevel == cloudinfinite.HostLevelBucket {
			in = append(in, str)
		}
		in = append(in, ty.query)
		// A page walk is an iter.Seq2[*Page, error]: a named type, whose
		// underlying func type is compared.
		walk := reflect.FuncOf([]reflect.Type{reflect.FuncOf([]reflect.Type{ty.page, err}, []reflect.Type{reflect.TypeFor[bool]()}, false)}, nil, false)
		// A walk takes its ...PageOption after the query.
		pagesIn := append(append([]reflect.Type{}, in...), reflect.TypeFor[[]cloudinfinite.PageOption]())
		for _, want := range []struct {
			name     string
			in, out  []reflect.Type
			variadic bool
		}{{g.Describe, in, []reflect.Type{ty.page, err}, false}, {g.Pages, pagesIn, []reflect.Type{walk}, true}} {
			m, ok := client.MethodByName(want.name)
			if !ok {
				t.Errorf("%s: *Client has no method %s", op.Name, want.name)
				continue
			}
			if !sameSignature(m.Type, want.in, want.out, want.variadic) {
				t.Errorf("%s: %s is %v, want inputs %v (variadic %v) and results %v", op.Name, want.name, m.Type, want.in, want.variadic, want.out)
			}
		}
	}
	for _, g := range generated {
		t.Errorf("this package has methods for %s (%d), which the library does not offer", g.Name, g.Operation)
	}
}

// sameSignature compares f with the inputs and results given (the last
// input variadic or not), a result matching when its underlying type is
// the one wanted.
func sameSignature(f reflect.Type, in, out []reflect.Type, variadic bool) bool {
	if f.NumIn() != len(in) || f.NumOut() != len(out) || f.IsVariadic() != variadic {
		return false
	}
	for i, want := range in {
		if f.In(i) != want {
			return false
		}
	}
	for i, want := range out {
		if got := f.Out(i); got != want && !(got.Kind() == reflect.Func && got.ConvertibleTo(want)) {
			return false
		}
	}
	return true
}

func TestOperationsIsACopyOfTheLibrarysTable(t *testing.T) {
	a := cloudinfinite.Operations()
	a[0].Name = "changed"
	b := cloudinfinite.Operations()
	if b[0].Name != "DescribeMediaBuckets" || b[0].Path != "/mediabucket" || b[0].ListElement != "MediaBucketList" || b[0].Method != "GET" {
		t.Fatalf("the first operation is %+v", b[0])
	}
	media := b[cloudinfinite.OperationMediaQueues-1]
	ai := b[cloudinfinite.OperationAIQueues-1]
	if !media.Takes(cloudinfinite.ParamCategory) || ai.Takes(cloudinfinite.ParamCategory) || !ai.Takes(cloudinfinite.ParamQueueIDs) {
		t.Fatalf("media queues take %b, AI queues %b", media.Params, ai.Params)
	}
	if s := cloudinfinite.Operation(99).String(); s != "operation(99)" {
		t.Fatalf("an unknown operation reads %q", s)
	}
}
