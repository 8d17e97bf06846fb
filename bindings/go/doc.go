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
// # Contexts and cancellation
//
// A context already done returns its error without sending anything. The
// context's deadline (if sooner than the query's Timeout or the client's)
// becomes the call's timeout. Cancelling the context cancels the call in
// the library: every call under a context that can end (ctx.Done() is not
// nil) carries its own ci_cancel, which a [context.AfterFunc] cancels when
// the context ends; the library then stops the request within about 10 ms
// wherever it is (resolving, connecting, TLS, waiting for or reading the
// answer, sleeping before a retry), closes its connection rather than
// pool it, and the call returns. A call that had its whole answer when the
// cancel came returns it; nothing goes on in the background, and the
// handle is freed before the call returns. A context that can never end
// (context.Background(), context.TODO()) costs nothing of the kind.
//
// The error of a context that ended is an [*Error] wrapping the context's
// error, so both ways of asking work:
//
//	page, err := client.DescribePicBuckets(ctx, nil)
//	if errors.Is(err, context.Canceled) { ... }       // or errors.Is(err, cloudinfinite.ErrCancelled)
//	if errors.Is(err, context.DeadlineExceeded) { ... } // or errors.Is(err, cloudinfinite.ErrTimeout)
//	var ciErr *cloudinfinite.Error
//	if errors.As(err, &ciErr) && ciErr.Kind == cloudinfinite.KindCancelled { ... }
//
// A cancel is KindCancelled wrapping context.Canceled (a cause given to
// context.WithCancelCause is quoted in the message); a deadline is
// KindTimeout wrapping context.DeadlineExceeded, whether the library's
// timeout or the context's timer came first.
//
// # Walks
//
// A walk (<Name>Pages) sends nothing until the loop starts, and each range
// walks afresh from the query's PageNumber. Once the first page tells the
// TotalCount, the library fetches the next pages ahead in parallel, up to
// [DefaultPageConcurrency] at once unless [WithConcurrency] says otherwise,
// and the walk yields them in order. The query's Timeout (or the client's)
// bounds each page, those fetched ahead included, not the walk (the time
// left until the context's deadline when the walk starts replaces it when
// sooner); the context bounds the walk. The walk's context cancels the whole walk: one
// ci_cancel, given to the library's pager, stops the page in flight and
// every page fetched ahead. Breaking out of the loop frees the pager, which
// cancels the pages fetched ahead too.
//
// An error is yielded once, with a nil page, and ends the walk; so does a
// context that ends or a client that is closed between pages.
//
//	ctx, cancel := context.WithTimeout(ctx, time.Minute) // the whole walk
//	defer cancel()
//	q := &cloudinfinite.BucketQuery{PageSize: 100, Timeout: 5 * time.Second} // each page
//	for page, err := range client.PicBucketPages(ctx, q, cloudinfinite.WithConcurrency(4)) { ... }
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
