package cloudinfinite_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	cloudinfinite "github.com/cloud-infinite/cloud-infinite-go"
)

// The examples run against the emulator TestMain starts, whose address is
// in CI_EMULATOR_ADDR (scripts/with-emulator.sh sets it the same way).

// emulatorClient is a client on the local emulator; against Tencent Cloud
// use cloudinfinite.NewClient(cloudinfinite.OptionsFromEnv()).
func emulatorClient() *cloudinfinite.Client {
	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
		SecretID:  "AKIDemulatorEXAMPLE",
		SecretKey: "emulator-secret-key",
		Region:    "ap-guangzhou",
		ConnectTo: os.Getenv("CI_EMULATOR_ADDR"),
		Scheme:    cloudinfinite.SchemeHTTP,
		ProxyMode: cloudinfinite.ProxyModeDisabled,
	})
	if err != nil {
		log.Fatal(err)
	}
	return client
}

func ExampleNewClient() {
	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
		SecretID:  "AKIDemulatorEXAMPLE",
		SecretKey: "emulator-secret-key",
		Region:    "ap-guangzhou",
		// Dial the emulator while sending production's Host and signature.
		ConnectTo:  os.Getenv("CI_EMULATOR_ADDR"),
		Scheme:     cloudinfinite.SchemeHTTP,
		ProxyMode:  cloudinfinite.ProxyModeDisabled,
		Timeout:    cloudinfinite.Ptr(10 * time.Second),
		MaxRetries: cloudinfinite.Ptr(uint32(2)),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	page, err := client.DescribePicBuckets(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*page.TotalCount, "buckets")
	// Output: 130 buckets
}

func ExampleOptionsFromEnv() {
	// In production the variables come from the environment; here they
	// name the emulator's credentials.
	os.Setenv("TENCENTCLOUD_SECRET_ID", "AKIDemulatorEXAMPLE")
	os.Setenv("TENCENTCLOUD_SECRET_KEY", "emulator-secret-key")
	os.Setenv("TENCENTCLOUD_REGION", "ap-guangzhou")
	defer func() {
		for _, v := range []string{"TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY", "TENCENTCLOUD_REGION"} {
			os.Unsetenv(v)
		}
	}()

	opts := cloudinfinite.OptionsFromEnv() // the library reads the variables
	opts.ConnectTo = os.Getenv("CI_EMULATOR_ADDR")
	opts.Scheme = cloudinfinite.SchemeHTTP
	client, err := cloudinfinite.NewClient(opts)
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	page, err := client.DescribeAIQueues(context.Background(), "examplebucket-1250000000", nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*page.TotalCount, "queues")
	// Output: 25 queues
}

// The default chain (the environment, the profile file, the CVM role, TKE
// OIDC), with the region from TENCENTCLOUD_REGION. Not run: on a machine
// without a source it would ask the real metadata service.
func ExampleOptionsFromEnv_defaultChain() {
	client, err := cloudinfinite.NewClient(cloudinfinite.OptionsFromEnv(cloudinfinite.CredentialsSourceDefaultChain))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	if _, err := client.DescribeMediaBuckets(context.Background(), nil); errors.Is(err, cloudinfinite.ErrCredentials) {
		log.Fatal("no credential source: ", err) // the message lists every source tried
	}
}

func ExampleCredentialsFunc() {
	// Keys from a store of your own (a vault, a sidecar), asked again
	// before they expire; a returned error fails the calls that need new
	// keys with KindCredentials.
	fromVault := func() (cloudinfinite.Credentials, error) {
		return cloudinfinite.Credentials{
			SecretID:  "AKIDemulatorEXAMPLE",
			SecretKey: "emulator-secret-key",
			ExpiresAt: time.Now().Add(time.Hour),
		}, nil
	}
	client, err := cloudinfinite.NewClient(cloudinfinite.Options{
		Region:          "ap-guangzhou",
		CredentialsFunc: fromVault,
		ConnectTo:       os.Getenv("CI_EMULATOR_ADDR"),
		Scheme:          cloudinfinite.SchemeHTTP,
		ProxyMode:       cloudinfinite.ProxyModeDisabled,
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	for range 3 {
		if _, err := client.DescribePicBuckets(context.Background(), nil); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(client.CredentialFetches(), "fetch for 3 calls")
	// Output: 1 fetch for 3 calls
}

func ExampleClient_SetCredentials() {
	client := emulatorClient()
	defer client.Close()

	// Keys rotated elsewhere: the next calls sign with them.
	err := client.SetCredentials(cloudinfinite.Credentials{
		SecretID:     "AKIDemulatorTMP",
		SecretKey:    "emulator-tmp-key",
		SessionToken: "emulator-session-token",
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.DescribePicBuckets(context.Background(), nil)
	fmt.Println("signed with the new keys:", err == nil)
	// Output: signed with the new keys: true
}

func ExampleClient_DescribePicBuckets() {
	client := emulatorClient()
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // becomes the call's timeout
	defer cancel()
	page, err := client.DescribePicBuckets(ctx, &cloudinfinite.BucketQuery{
		Regions:  []string{"ap-singapore"},
		PageSize: 3,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("page %d of %d buckets:\n", *page.PageNumber, *page.TotalCount)
	for _, b := range page.Buckets {
		fmt.Println(*b.Name, *b.Region)
	}
	// Output:
	// page 1 of 5 buckets:
	// photos-32-1250000000 ap-singapore
	// videos-32-1250000000 ap-singapore
	// docs-32-1250000000 ap-singapore
}

func ExampleClient_DescribeAIQueues() {
	client := emulatorClient()
	defer client.Close()

	page, err := client.DescribeAIQueues(context.Background(), "examplebucket-1250000000", &cloudinfinite.QueueQuery{
		QueueIDs: []string{"p4a17eeea29334bf499b7e20e2fbfd99d", "pnosuchqueue"},
	})
	if err != nil {
		log.Fatal(err)
	}
	q := page.Queues[0]
	fmt.Println(*q.QueueID, *q.Name, *q.State, *q.Category, *q.MaxSize, *q.MaxConcurrent)
	fmt.Println(*q.NotifyConfig.URL, *q.NotifyConfig.Event)
	fmt.Println("MqName absent:", q.NotifyConfig.MqName == nil)
	// With QueueIDs the service sends no paging fields.
	fmt.Println("TotalCount absent:", page.TotalCount == nil)
	fmt.Println("unknown:", page.NonExistPIDs)
	// Output:
	// p4a17eeea29334bf499b7e20e2fbfd99d My-Queue-ai Active AIProcess 10000 10
	// http://callback.demo.com TaskFinish,WorkflowFinish
	// MqName absent: true
	// TotalCount absent: true
	// unknown: [pnosuchqueue]
}

func ExampleClient_PicBucketPages() {
	client := emulatorClient()
	defer client.Close()

	pages, buckets := 0, 0
	for page, err := range client.PicBucketPages(context.Background(), &cloudinfinite.BucketQuery{PageSize: 100}) {
		if err != nil {
			log.Fatal(err)
		}
		pages++
		buckets += len(page.Buckets)
	}
	fmt.Println(buckets, "buckets in", pages, "pages")
	// Output: 130 buckets in 2 pages
}

func ExampleClient_AIQueuePages() {
	client := emulatorClient()
	defer client.Close()

	for page, err := range client.AIQueuePages(context.Background(), "examplebucket-1250000000",
		&cloudinfinite.QueueQuery{State: cloudinfinite.QueueStatePaused, PageSize: 5}) {
		if err != nil {
			log.Fatal(err)
		}
		for _, q := range page.Queues {
			// Value reads an optional field, "" when absent.
			fmt.Printf("%s %q notify=%s\n", *q.QueueID, *q.Name, cloudinfinite.Value(cloudinfinite.Value(q.NotifyConfig).State))
		}
	}
	// Output:
	// p533e00f7f3c606d43d50e24830bac5eb "q&<tag> \"double\" 'single'" notify=
	// pc8e28bfe16044686b3ff38ada329380c "queue-ai-04" notify=
	// pe637bb4c9e7d09856dace13637382ae4 "queue-ai-07" notify=On
	// p5267207749d7d891df7e6eae94108890 "queue-ai-10" notify=On
	// p2f61324e2880d25c0e6ccc2246cef484 "queue-ai-13" notify=Off
	// pe4ef795ff906fdce30f9cff9d79fe463 "queue-ai-16" notify=
	// p5ffdc18818799a516b524a2950169124 "queue-ai-19" notify=
	// p99803e79206b9de285a63bc4fbafba32 "queue-ai-22" notify=On
}

func ExampleError() {
	client := emulatorClient()
	defer client.Close()

	_, err := client.DescribeAIQueues(context.Background(), "nosuchbucket-1250000000", nil)
	var ciErr *cloudinfinite.Error
	if errors.As(err, &ciErr) {
		fmt.Println(ciErr.Kind, ciErr.Code, ciErr.HTTPStatus, ciErr.RequestID != "")
	}
	fmt.Println(errors.Is(err, cloudinfinite.ErrService), errors.Is(err, cloudinfinite.ErrTimeout))
	// Output:
	// service NoSuchBucket 404 true
	// true false
}

func ExampleClient_Close() {
	client := emulatorClient()
	client.Close()
	client.Close() // idempotent

	_, err := client.DescribePicBuckets(context.Background(), nil)
	fmt.Println(errors.Is(err, cloudinfinite.ErrClosed))
	// Output: true
}

func ExampleSign() {
	// Vector "pic_pageSize", made by Tencent's official Python SDK.
	sig, err := cloudinfinite.Sign(cloudinfinite.SignRequest{
		SecretID:  "AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234",
		SecretKey: "EXAMPLEsecretKEYexampleSECRETkey1",
		Method:    "GET",
		Path:      "/picbucket",
		Params:    []cloudinfinite.KV{{Name: "pageSize", Value: "10"}},
		Headers:   []cloudinfinite.KV{{Name: "host", Value: "ci.ap-guangzhou.myqcloud.com"}},
		StartTime: time.Unix(1700000000, 0),
		EndTime:   time.Unix(1700003600, 0),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(sig.Authorization)
	// Output: q-sign-algorithm=sha1&q-ak=AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234&q-sign-time=1700000000;1700003600&q-key-time=1700000000;1700003600&q-header-list=host&q-url-param-list=pagesize&q-signature=255b6521a2fd0f80e9ec5a1c161ed1db09155308
}

func ExampleVersion() {
	fmt.Println(cloudinfinite.Version() != "")
	// Output: true
}

func ExampleClient_DescribeCIBuckets() {
	client := emulatorClient()
	defer client.Close()

	page, err := client.DescribeCIBuckets(context.Background(), &cloudinfinite.CIBucketQuery{Region: "ap-singapore", PageSize: 2})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(*page.TotalCount, "CI buckets in ap-singapore, the first two:")
	for _, b := range page.CIBuckets {
		fmt.Println(*b.BucketID, *b.BucketName, *b.AppID, *b.Status)
	}
	// Output:
	// 5 CI buckets in ap-singapore, the first two:
	// photos-32-1250000000 photos-32 1250000000 on
	// videos-32-1250000000 videos-32 1250000000 on
}

func ExampleClient_MediaQueuePages() {
	client := emulatorClient()
	defer client.Close()

	// Only media queues take a category; without one the service lists
	// Transcoding queues.
	n := 0
	for page, err := range client.MediaQueuePages(context.Background(), "examplebucket-1250000000",
		&cloudinfinite.QueueQuery{Category: "SpeedTranscoding", State: cloudinfinite.QueueStateActive}) {
		if err != nil {
			log.Fatal(err)
		}
		n += len(page.Queues)
	}
	fmt.Println(n, "active SpeedTranscoding queues")
	// Output: 5 active SpeedTranscoding queues
}

func ExampleOperations() {
	for _, op := range cloudinfinite.Operations()[:3] {
		fmt.Println(op.Operation, op.Method, op.Path, op.ListElement, op.Takes(cloudinfinite.ParamRegions))
	}
	// Output:
	// DescribeMediaBuckets GET /mediabucket MediaBucketList true
	// DescribePicProcessBucket GET /picbucket PicBucketList true
	// DescribeAIProcessBuckets GET /ai_bucket AiBucketList true
}

// Cancelling the context stops the request in the library (its connection
// is closed) and returns an error that is both context.Canceled and an
// *Error of kind KindCancelled.
func ExampleClient_DescribeAIQueues_cancel() {
	client := emulatorClient()
	defer client.Close()

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	// The emulator answers this bucket after 2 s.
	_, err := client.DescribeAIQueues(ctx, "slow-1250000000", nil)
	var ciErr *cloudinfinite.Error
	if errors.Is(err, context.Canceled) && errors.As(err, &ciErr) {
		fmt.Println(ciErr.Kind)
	}
	// Output: cancelled
}

// A walk fetches the pages after the first in parallel (here up to 4 at
// once) and yields them in order; the query's Timeout bounds each page, the
// context the whole walk.
func ExampleWithConcurrency() {
	client := emulatorClient()
	defer client.Close()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	q := &cloudinfinite.BucketQuery{PageSize: 20, Timeout: 5 * time.Second}
	buckets := 0
	for page, err := range client.PicBucketPages(ctx, q, cloudinfinite.WithConcurrency(4)) {
		if err != nil {
			log.Fatal(err)
		}
		buckets += len(page.Buckets)
		fmt.Print(*page.PageNumber, " ")
	}
	fmt.Println("-", buckets, "buckets")
	// Output: 1 2 3 4 5 6 7 - 130 buckets
}
