// Package cloudinfinite calls two Tencent Cloud Infinite (CI) APIs,
// DescribePicProcessBucket and DescribeAiProcessQueues, through the C ABI
// of the cloud-infinite core (libcloud_infinite).
//
// The package is a thin cgo layer: the library signs, builds and sends the
// requests, retries, parses the XML, walks pages and reads the environment;
// this package only converts Go values to C and back. Every result is
// copied into Go values and its C memory freed before a call returns.
//
//	client, err := cloudinfinite.NewClient(cloudinfinite.OptionsFromEnv())
//	if err != nil {
//		return err
//	}
//	defer client.Close()
//	page, err := client.DescribeAIQueues(ctx, "examplebucket-1250000000", nil)
//
// Failures are [*Error] values with a [Kind]; the Err* constants work with
// [errors.Is]. A [Client] is safe for concurrent use.
package cloudinfinite
