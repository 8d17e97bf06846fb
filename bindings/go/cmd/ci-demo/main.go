// Command ci-demo lists every image-processing bucket of the account (all
// pages) and the AI queues of one bucket, as tables.
//
// With CI_EMULATOR_ADDR=127.0.0.1:PORT in the environment it talks to that
// ci-emulator with the emulator's credentials; otherwise the library takes
// the credentials and region from TENCENTCLOUD_SECRET_ID,
// TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_SESSION_TOKEN and TENCENTCLOUD_REGION.
//
//	go run ./cmd/ci-demo [-bucket examplebucket-1250000000]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	cloudinfinite "cloud-infinite/bindings/go"
)

func main() {
	bucket := flag.String("bucket", "examplebucket-1250000000", "the bucket whose AI queues to list (BucketName-APPID)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, os.Getenv("CI_EMULATOR_ADDR"), *bucket); err != nil {
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

func run(ctx context.Context, out io.Writer, emulatorAddr, bucket string) error {
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
	fmt.Fprintf(out, "cloud-infinite %s, Go binding, talking to %s\n\n", cloudinfinite.Version(), target)

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tBUCKET\tREGION\tCREATED")
	n, pages := 0, 0
	var total uint64
	for page, err := range client.PicBucketPages(ctx, &cloudinfinite.BucketQuery{PageSize: 100}) {
		if err != nil {
			return fmt.Errorf("listing pic buckets: %w", err)
		}
		pages++
		total = cloudinfinite.Value(page.TotalCount)
		for _, b := range page.Buckets {
			n++
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", n, show(b.Name), show(b.Region), show(b.CreateTime))
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "%d pic buckets in %d pages (TotalCount %d)\n\n", n, pages, total)

	tw = tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tQUEUE ID\tNAME\tSTATE\tCATEGORY\tMAX SIZE\tMAX CONC.\tUPDATED\tNOTIFY")
	n = 0
	for page, err := range client.AIQueuePages(ctx, bucket, &cloudinfinite.QueueQuery{PageSize: 100}) {
		if err != nil {
			return fmt.Errorf("listing the AI queues of %s: %w", bucket, err)
		}
		for _, q := range page.Queues {
			n++
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n, show(q.QueueID), show(q.Name), show(q.State), show(q.Category),
				showNum(q.MaxSize), showNum(q.MaxConcurrent), show(q.UpdateTime), notify(q.NotifyConfig))
		}
	}
	tw.Flush()
	fmt.Fprintf(out, "%d AI queues in %s\n", n, bucket)
	return nil
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
	return strings.Join(parts, " ")
}
