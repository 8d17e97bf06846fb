// Command ci-demo lists, through the generated calls of the Go binding, the
// buckets of every service (media, image, AI, speech, document and file
// processing, and DescribeCIBuckets), every page of each, and one bucket's
// queues of every kind, as compact tables: the first rows of each, and
// how many there are.
//
// With CI_EMULATOR_ADDR=127.0.0.1:PORT in the environment it talks to that
// ci-emulator with the emulator's credentials; otherwise the library takes
// the credentials and region from TENCENTCLOUD_SECRET_ID,
// TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN and TENCENTCLOUD_REGION.
//
//	go run ./cmd/ci-demo [-bucket examplebucket-1250000000] [-rows 5]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

func main() {
	bucket := flag.String("bucket", "examplebucket-1250000000", "the bucket whose queues to list (BucketName-APPID)")
	rows := flag.Int("rows", 5, "rows shown of each table")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, os.Getenv("CI_EMULATOR_ADDR"), *bucket, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "ci-demo:", err)
		var ciErr *cloudinfinite.Error
		if errors.As(err, &ciErr) && ciErr.RequestID != "" {
			fmt.Fprintln(os.Stderr, "ci-demo: quote request id", ciErr.RequestID, "to Tencent Cloud support")
		}
		os.Exit(1)
	}
}

// options reach the emulator at addr, or else Tencent Cloud with the
// environment's credentials.
func options(emulatorAddr string) cloudinfinite.Options {
	if emulatorAddr == "" {
		return cloudinfinite.OptionsFromEnv()
	}
	return cloudinfinite.Options{
		SecretID:  "AKIDemulatorEXAMPLE",
		SecretKey: "emulator-secret-key",
		Region:    "ap-guangzhou",
		ConnectTo: emulatorAddr,
		Scheme:    cloudinfinite.SchemeHTTP,
		ProxyMode: cloudinfinite.ProxyModeDisabled,
	}
}

func run(ctx context.Context, out io.Writer, emulatorAddr, bucket string, rows int) error {
	client, err := cloudinfinite.NewClient(options(emulatorAddr))
	if err != nil {
		return err
	}
	defer client.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()

	target := "Tencent Cloud"
	if emulatorAddr != "" {
		target = "ci-emulator at " + emulatorAddr
	}
	fmt.Fprintf(out, "cloud-infinite %s, Go binding, talking to %s\n", cloudinfinite.Version(), target)

	bucketLists := []struct {
		op    cloudinfinite.Operation
		pages func(context.Context, *cloudinfinite.BucketQuery, ...cloudinfinite.PageOption) iter.Seq2[*cloudinfinite.BucketPage, error]
	}{
		{cloudinfinite.OperationMediaBuckets, client.MediaBucketPages},
		{cloudinfinite.OperationPicBuckets, client.PicBucketPages},
		{cloudinfinite.OperationAIBuckets, client.AIBucketPages},
		{cloudinfinite.OperationASRBuckets, client.ASRBucketPages},
		{cloudinfinite.OperationDocBuckets, client.DocBucketPages},
		{cloudinfinite.OperationFileBuckets, client.FileBucketPages},
	}
	for _, l := range bucketLists {
		t := newTable(out, rows, "#\tBUCKET\tREGION\tCREATED\tALIAS")
		for page, err := range l.pages(ctx, &cloudinfinite.BucketQuery{PageSize: 100}) {
			if err != nil {
				return fmt.Errorf("%v: %w", l.op, err)
			}
			t.page(page.Paging)
			for _, b := range page.Buckets {
				t.row("%s\t%s\t%s\t%s", show(b.Name), show(b.Region), show(b.CreateTime), show(b.AliasBucketID))
			}
		}
		t.done(l.op, "buckets")
	}

	t := newTable(out, rows, "#\tBUCKET ID\tNAME\tAPPID\tREGION\tSTATUS\tCREATED")
	for page, err := range client.CIBucketPages(ctx, &cloudinfinite.CIBucketQuery{PageSize: 100}) {
		if err != nil {
			return fmt.Errorf("%v: %w", cloudinfinite.OperationCIBuckets, err)
		}
		t.page(page.Paging)
		for _, b := range page.CIBuckets {
			t.row("%s\t%s\t%s\t%s\t%s\t%s", show(b.BucketID), show(b.BucketName), show(b.AppID), show(b.Region), show(b.Status), show(b.CreateTime))
		}
	}
	t.done(cloudinfinite.OperationCIBuckets, "buckets")

	// Media queues are the only ones with categories; CateAll lists them all
	// (the service's default is Transcoding only).
	queueLists := []struct {
		op       cloudinfinite.Operation
		pages    func(context.Context, string, *cloudinfinite.QueueQuery, ...cloudinfinite.PageOption) iter.Seq2[*cloudinfinite.QueuePage, error]
		category string
	}{
		{cloudinfinite.OperationMediaQueues, client.MediaQueuePages, "CateAll"},
		{cloudinfinite.OperationPicQueues, client.PicQueuePages, ""},
		{cloudinfinite.OperationAIQueues, client.AIQueuePages, ""},
		{cloudinfinite.OperationASRQueues, client.ASRQueuePages, ""},
		{cloudinfinite.OperationDocQueues, client.DocQueuePages, ""},
		{cloudinfinite.OperationFileQueues, client.FileQueuePages, ""},
	}
	for _, l := range queueLists {
		t := newTable(out, rows, "#\tQUEUE ID\tNAME\tSTATE\tCATEGORY\tMAX SIZE\tMAX CONC.\tUPDATED\tNOTIFY")
		for page, err := range l.pages(ctx, bucket, &cloudinfinite.QueueQuery{PageSize: 100, Category: l.category}) {
			if err != nil {
				return fmt.Errorf("%v of %s: %w", l.op, bucket, err)
			}
			t.page(page.Paging)
			for _, q := range page.Queues {
				t.row("%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s", show(q.QueueID), show(q.Name), show(q.State), show(q.Category),
					showNum(q.MaxSize), showNum(q.MaxConcurrent), show(q.UpdateTime), notify(q.NotifyConfig))
			}
		}
		t.done(l.op, "queues of "+bucket)
	}
	return nil
}

// table prints the first rows of a listing and counts the rest.
type table struct {
	out         io.Writer
	tw          *tabwriter.Writer
	rows, n     int
	pages       int
	totalString string
}

func newTable(out io.Writer, rows int, header string) *table {
	fmt.Fprintln(out)
	t := &table{out: out, tw: tabwriter.NewWriter(out, 0, 0, 2, ' ', 0), rows: rows}
	fmt.Fprintln(t.tw, header)
	return t
}

func (t *table) page(p cloudinfinite.Paging) {
	t.pages++
	t.totalString = showNum(p.TotalCount)
}

func (t *table) row(format string, args ...any) {
	t.n++
	if t.n <= t.rows {
		fmt.Fprintf(t.tw, "%d\t"+format+"\n", append([]any{t.n}, args...)...)
	}
}

// done flushes the table under a title line naming the call.
func (t *table) done(op cloudinfinite.Operation, what string) {
	more := ""
	if t.n > t.rows {
		more = fmt.Sprintf(", %d more not shown", t.n-t.rows)
	}
	pages := "pages"
	if t.pages == 1 {
		pages = "page"
	}
	fmt.Fprintf(t.out, "%v: %d %s in %d %s (TotalCount %s)%s\n", op, t.n, what, t.pages, pages, t.totalString, more)
	t.tw.Flush()
}

// show prints an absent element as "-", distinct from an empty one ("").
func show(p *string) string {
	if p == nil {
		return "-"
	}
	if *p == "" {
		return `""`
	}
	return *p
}

func showNum(p *uint64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// notify summarises a NotifyConfig in one cell.
func notify(n *cloudinfinite.NotifyConfig) string {
	if n == nil {
		return "-"
	}
	var parts []string
	add := func(label string, p *string) {
		if p != nil {
			parts = append(parts, label+"="+*p)
		}
	}
	add("type", n.Type)
	add("state", n.State)
	add("url", n.URL)
	add("event", n.Event)
	add("format", n.ResultFormat)
	add("mq", n.MqName)
	add("mqregion", n.MqRegion)
	add("mqmode", n.MqMode)
	if k := n.KafkaConfig; k != nil {
		add("kafka", k.Topic)
		add("kafkaregion", k.Region)
		add("kafkainstance", k.InstanceID)
	}
	return strings.Join(parts, " ")
}
