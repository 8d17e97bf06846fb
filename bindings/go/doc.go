// Package cloudinfinite calls Tencent Cloud Infinite (CI)'s describe APIs
// through C ABI 3 of the cloud-infinite core (libcloud_infinite): the
// bucket lists of media, image, AI, speech, document and file processing,
// DescribeCIBuckets, and the queue lists of the same six services, 13 calls
// in all. [Operations] lists them as the linked library offers them.
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
//	page, err := client.DescribeMediaBuckets(ctx, &cloudinfinite.BucketQuery{PageSize: 100})
//	for page, err := range client.MediaQueuePages(ctx, "examplebucket-1250000000", nil) { ... }
//
// # One description per call
//
// Every call has two methods, generated (operations_gen.go) from the
// core's table of operations: Describe<Name> for one page, and
// <Name>Pages, an [iter.Seq2] over every page through the library's
// pager. Calls of one shape share a query and a page type: [BucketQuery]
// and [BucketPage] for the six bucket lists, [CIBucketQuery] and
// [CIBucketPage] for DescribeCIBuckets, [QueueQuery] and [QueuePage] for
// the six queue lists, whose methods take the bucket (BucketName-APPID)
// after the context. A query field a call does not take (Category of any
// queue list but the media one) is refused by the library with
// KindInvalidArgument, never silently dropped. The constants, result types
// and converters are generated from include/cloud_infinite.h.
//
// Go's zero values keep meaning "unset" in queries: a PageNumber or
// PageSize of 0 is not sent (the service then starts at page 1 with 10
// items), and nor is "" or an empty list. In [Options] the numbers are
// pointers ([Ptr]), so that an explicit 0 reaches the library, which uses
// it or refuses it.
//
// # Contexts
//
// A context already done returns its error without sending anything. The
// context's deadline (if sooner than the query's Timeout or the client's)
// becomes the call's timeout, and a timeout it caused matches both
// [ErrTimeout] and [context.DeadlineExceeded]. Cancelling the context makes
// a call return at once with ctx.Err(); the C ABI cannot interrupt a
// request yet, so the library finishes it (within the call's timeout) in
// the background and its answer is dropped.
//
// A walk (<Name>Pages) sends nothing until the loop starts, and each range
// walks afresh from the query's PageNumber. An error is yielded once, with
// a nil page, and ends the walk; so does a context that ends or a client
// that is closed between pages. The time left until the context's deadline
// when the walk starts (if sooner than the call timeout) is each page's
// timeout, and the walk stops at the deadline.
//
// # Credentials
//
// Options.Credentials says where the keys come from: fixed keys (SecretID,
// SecretKey, SessionToken, or the environment's with FromEnv), or a
// provider the library asks again before its keys expire, one fetch for
// all goroutines sharing the client: Tencent's default chain
// (OptionsFromEnv(CredentialsSourceDefaultChain)), the environment, the
// profile file, the CVM role, TKE OIDC, or a Go function
// (Options.CredentialsFunc, see [CredentialsFunc]). [Client.SetCredentials]
// rotates keys by hand; [Client.CredentialFetches] counts the fetches. No
// usable keys is an error of kind KindCredentials, whose message names the
// provider and what it tried.
//
// # Errors
//
// Failures are [*Error] values with a [Kind] (KindInvalidArgument also
// covers what Go finds before calling the library: a string holding a NUL
// byte, a negative duration, a closed client); the Err* constants work with
// [errors.Is]. A [Client] is safe for concurrent use.
package cloudinfinite
