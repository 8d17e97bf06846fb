/**
 * cloud-infinite: Tencent Cloud Infinite (DescribePicProcessBucket,
 * DescribeAiProcessQueues) for Node.js, over the cloud-infinite native core.
 *
 * Every call returns a Promise and runs on libuv's thread pool; results are
 * plain objects (absent elements are `null`, never `0` or `""`).
 *
 * @example
 * import { Client } from 'cloud-infinite';
 * const client = new Client({ fromEnv: true });
 * const page = await client.describeAiQueues('examplebucket-1250000000');
 * client.close();
 */

/** What kind of failure a {@link CIError} reports. */
export type ErrorKindName =
  | 'invalid_argument'
  | 'null_argument'
  | 'network'
  | 'timeout'
  | 'service'
  | 'parse'
  | 'response_too_large'
  | 'panic';

/** The error kinds as constants. */
export declare const ErrorKind: Readonly<{
  /** Bad input found before anything was sent (also: a closed client). */
  INVALID_ARGUMENT: 'invalid_argument';
  /** A required argument was null or undefined (e.g. the bucket). */
  NULL_ARGUMENT: 'null_argument';
  /** The connection failed or broke (refused, reset, truncated answer, DNS, TLS). */
  NETWORK: 'network';
  /** The connect timeout or the whole call's timeout ran out. */
  TIMEOUT: 'timeout';
  /** The service answered with an error: see `code` and `httpStatus`. */
  SERVICE: 'service';
  /** The service answered 2xx with a body that is not the expected XML. */
  PARSE: 'parse';
  /** The answer was larger than the client's `maxResponseBytes`. */
  RESPONSE_TOO_LARGE: 'response_too_large';
  /** A bug: a panic inside the native library, caught at its boundary. */
  PANIC: 'panic';
}>;

/**
 * Every failure of this package: thrown by the constructor and the signer,
 * and the rejection of every Promise.
 *
 * @example
 * try { await client.describeAiQueues('nosuchbucket-1250000000'); }
 * catch (e) { if (e instanceof CIError && e.code === 'NoSuchBucket') console.log(e.httpStatus); }
 */
export declare class CIError extends Error {
  constructor(
    kind: ErrorKindName,
    message: string,
    details?: { code?: string | null; requestId?: string | null; httpStatus?: number | null; resource?: string | null; traceId?: string | null },
  );
  readonly name: 'CIError';
  /** What went wrong, e.g. `'timeout'` or `'service'`. */
  readonly kind: ErrorKindName;
  /** The service's error code, e.g. `'SignatureDoesNotMatch'`; null when the service did not send one. */
  readonly code: string | null;
  /** The failed request's id (from the error body or `x-ci-request-id`), or null. */
  readonly requestId: string | null;
  /** The HTTP status of the service's answer, or null when there was none. */
  readonly httpStatus: number | null;
  /** The error body's `Resource`, or null. */
  readonly resource: string | null;
  /** The error body's `TraceId`, or null. */
  readonly traceId: string | null;
}

/**
 * How to make a {@link Client}. Every field is optional; an omitted one
 * takes the core's default (or, with `fromEnv`, the environment's value).
 */
export interface ClientOptions {
  /**
   * Fill unset credentials and region from `TENCENTCLOUD_SECRET_ID`,
   * `TENCENTCLOUD_SECRET_KEY`, `TENCENTCLOUD_SESSION_TOKEN` (or
   * `TENCENTCLOUD_SECURITY_TOKEN`) and `TENCENTCLOUD_REGION`; explicit
   * fields win. The core reads them, when the client is made.
   */
  fromEnv?: boolean;
  /** SecretId (`q-ak`). Required here or from the environment. */
  secretId?: string;
  /** SecretKey. Required here or from the environment. */
  secretKey?: string;
  /** Session token of temporary credentials (sent and signed as `x-ci-security-token`). */
  sessionToken?: string;
  /** Region, e.g. `'ap-guangzhou'`. Required here or from the environment. */
  region?: string;
  /** Replaces `ci.<region>.myqcloud.com` (`host[:port]`); bucket calls go to `<bucket>.<endpoint>`. */
  endpoint?: string;
  /**
   * Dial this `host:port` for every request while Host, path and signature
   * stay as production gets them (curl's `--connect-to`); no proxy is used.
   */
  connectTo?: string;
  /** `'https'` (the default) or `'http'` (a local emulator, a trusted private route). */
  scheme?: 'https' | 'http';
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** Timeout of a whole call, retries included, in milliseconds (default 30000). */
  timeoutMs?: number;
  /** Retries of connection failures, 5xx and throttling (default 3; 0 for none). */
  maxRetries?: number;
  /** First backoff delay in milliseconds, doubled each retry with jitter (default 100). */
  retryBaseDelayMs?: number;
  /** Largest response body accepted, in bytes (default 16 MiB). */
  maxResponseBytes?: number;
  /** Appended to the `cloud-infinite/<version>` User-Agent. */
  userAgentSuffix?: string;
  /**
   * A PEM file of CA certificates to trust for HTTPS instead of the built-in
   * Mozilla roots (a private CA). Certificates are always verified.
   */
  caFile?: string;
  /**
   * `'environment'` (the default: `HTTPS_PROXY` / `HTTP_PROXY` / `ALL_PROXY`,
   * honouring `NO_PROXY`), `'disabled'`, or `{ url: 'http://proxy:3128' }`.
   */
  proxy?: 'environment' | 'disabled' | { url: string };
}

/** Parameters of DescribePicProcessBucket; an omitted field is not sent. */
export interface PicBucketQuery {
  /** Only buckets in these regions. */
  regions?: string[];
  /** Only these buckets (exact `BucketName-APPID` names). */
  bucketNames?: string[];
  /** Only buckets whose name starts with this. */
  bucketNamePrefix?: string;
  /** Page number, from 1 (the service starts at 1). */
  pageNumber?: number;
  /** Page size, 1 to 100 (the service uses 10). */
  pageSize?: number;
  /** This call's timeout in milliseconds, all attempts included (default: the client's). */
  timeoutMs?: number;
}

/** Parameters of DescribeAiProcessQueues; an omitted field is not sent. */
export interface AiQueueQuery {
  /** Only these queues; the answer then has no paging fields and lists unknown ids in `nonExistPids`. */
  queueIds?: string[];
  /** Only queues in this state (omit for every state). */
  state?: 'Active' | 'Paused';
  /** Only queues of this category, e.g. `'AIProcess'`. */
  category?: string;
  /** Page number, from 1. */
  pageNumber?: number;
  /** Page size, 1 to 100. */
  pageSize?: number;
  /** This call's timeout in milliseconds, all attempts included (default: the client's). */
  timeoutMs?: number;
}

/** One image-processing bucket (`PicBucketList`). */
export interface PicBucket {
  /** `BucketId`, e.g. `'examplebucket-1250000000'`. */
  bucketId: string | null;
  /** `Name`, the same as `bucketId`. */
  name: string | null;
  /** `Region`, e.g. `'ap-beijing'`. */
  region: string | null;
  /** `CreateTime`, as the service wrote it (e.g. `'2019-11-15T12:12:12+0800'`). */
  createTime: string | null;
}

/**
 * One page of DescribePicProcessBucket. Counts are JS numbers: they come
 * from 64-bit fields but stay far below 2^53.
 */
export interface PicBucketPage {
  /** `RequestId`, or null. */
  requestId: string | null;
  /** `TotalCount`: matching buckets across all pages; null when absent. */
  totalCount: number | null;
  /** `PageNumber`, from 1; null when absent. */
  pageNumber: number | null;
  /** `PageSize`; null when absent. */
  pageSize: number | null;
  /** The buckets of this page (empty past the last page). */
  buckets: PicBucket[];
}

/** A queue's callback settings (`NotifyConfig`). */
export interface NotifyConfig {
  /** `Url`: the callback address. */
  url: string | null;
  /** `Event`, e.g. `'TaskFinish,WorkflowFinish'`. */
  event: string | null;
  /** `Type`: `'Url'` or `'TDMQ'`. */
  type: string | null;
  /** `State`: `'On'` or `'Off'`. */
  state: string | null;
  /** `ResultFormat`, e.g. `'JSON'`. */
  resultFormat: string | null;
  /** `MqMode`: how TDMQ is used. */
  mqMode: string | null;
  /** `MqRegion`: the TDMQ region. */
  mqRegion: string | null;
  /** `MqName`: the TDMQ topic. */
  mqName: string | null;
}

/** One AI-processing queue (`QueueList`). */
export interface AiQueue {
  /** `QueueId`. */
  queueId: string | null;
  /** `Name`. */
  name: string | null;
  /** `State`: `'Active'` or `'Paused'`. */
  state: string | null;
  /** `NotifyConfig`, or null when the queue has none. */
  notifyConfig: NotifyConfig | null;
  /** `MaxSize`: the queue's maximum length; null when absent. */
  maxSize: number | null;
  /** `MaxConcurrent`: jobs run in parallel; null when absent. */
  maxConcurrent: number | null;
  /** `Category`, e.g. `'AIProcess'`. */
  category: string | null;
  /** `UpdateTime`, as the service wrote it. */
  updateTime: string | null;
  /** `CreateTime`, as the service wrote it. */
  createTime: string | null;
}

/** One page of DescribeAiProcessQueues. With `queueIds` the paging fields are null. */
export interface AiQueuePage {
  /** `RequestId`, or null. */
  requestId: string | null;
  /** `TotalCount`; null when absent (always with `queueIds`). */
  totalCount: number | null;
  /** `PageNumber`; null when absent. */
  pageNumber: number | null;
  /** `PageSize`; null when absent. */
  pageSize: number | null;
  /** The queues of this page. */
  queues: AiQueue[];
  /** `NonExistPIDs`: requested ids that do not exist (empty when none). */
  nonExistPids: string[];
}

/**
 * Every page of a query, in order, one request per page. Breaking out of
 * `for await` releases it at once.
 */
export declare class PageIterator<T> implements AsyncIterableIterator<T> {
  private constructor();
  [Symbol.asyncIterator](): PageIterator<T>;
  /** The next page, or `{ done: true }` after the last one. */
  next(): Promise<IteratorResult<T, undefined>>;
  /** Stops the walk and releases the native pager. */
  return(): Promise<IteratorResult<T, undefined>>;
}

/**
 * A Cloud Infinite client: thread-safe in the core, so one client serves
 * any number of concurrent calls. Close it when done; a forgotten one is
 * released when it is garbage-collected.
 *
 * @example
 * const client = new Client({ secretId: 'AKID...', secretKey: '...', region: 'ap-guangzhou' });
 * for await (const page of client.picBucketPages({ pageSize: 100 })) {
 *   for (const b of page.buckets) console.log(b.name);
 * }
 * client.close();
 */
export declare class Client {
  /**
   * Makes a client; nothing is sent. Throws a {@link CIError} when the
   * options are unusable (e.g. no credentials, an unknown option).
   */
  constructor(options?: ClientOptions);
  /** Whether {@link Client.close} was called. */
  readonly closed: boolean;
  /** DescribePicProcessBucket: one page of the account's image-processing buckets. */
  describePicBuckets(query?: PicBucketQuery): Promise<PicBucketPage>;
  /** DescribeAiProcessQueues: one page of a bucket's AI queues (`bucket` is `BucketName-APPID`). */
  describeAiQueues(bucket: string, query?: AiQueueQuery): Promise<AiQueuePage>;
  /** Every page of a DescribePicProcessBucket query. Throws at once if the query is unusable. */
  picBucketPages(query?: PicBucketQuery): PageIterator<PicBucketPage>;
  /** Every page of a bucket's AI queues. Throws at once if the query is unusable. */
  aiQueuePages(bucket: string, query?: AiQueueQuery): PageIterator<AiQueuePage>;
  /**
   * Later calls reject with kind `'invalid_argument'`; calls already
   * running finish normally. Idempotent.
   */
  close(): void;
}

/** What {@link sign} signs. */
export interface SignRequest {
  /** SecretId (`q-ak`). */
  secretId: string;
  /** SecretKey. */
  secretKey: string;
  /** HTTP method, e.g. `'GET'`. */
  method: string;
  /** Path, e.g. `'/picbucket'`, used as given. */
  path: string;
  /** Query parameters (raw, not yet encoded), all signed. */
  params?: Record<string, string | number> | Map<string, string | number> | Array<[string, string | number]>;
  /** Headers; those Tencent's SDKs sign are signed (`host`, content headers, `x-cos-*`, `x-ci-*`, ...). */
  headers?: Record<string, string | number> | Map<string, string | number> | Array<[string, string | number]>;
  /** First second of validity (Unix seconds, or a Date). */
  startTime: number | Date;
  /** Last second of validity (Unix seconds, or a Date), not before `startTime`. */
  endTime: number | Date;
}

/** A computed signature and its intermediate strings. */
export interface Signature {
  /** The `Authorization` header value. */
  authorization: string;
  /** `q-signature`: 40 lowercase hex digits. */
  signature: string;
  /** Signed header names, `;`-separated (`q-header-list`). */
  headerList: string;
  /** Signed parameter names, `;`-separated (`q-url-param-list`). */
  paramList: string;
  /** The canonical request that was hashed (`HttpString`). */
  httpString: string;
  /** `StringToSign`. */
  stringToSign: string;
}

/**
 * Signs a request with `q-sign-algorithm=sha1` exactly as Tencent's SDKs
 * do, in the core; nothing is sent. Synchronous (pure computation).
 *
 * @example
 * const now = Math.floor(Date.now() / 1000);
 * const { authorization } = sign({ secretId, secretKey, method: 'GET', path: '/picbucket',
 *   headers: { host: 'ci.ap-guangzhou.myqcloud.com' }, startTime: now, endTime: now + 600 });
 */
export declare function sign(request: SignRequest): Signature;

/** The native library's version, e.g. `'0.1.0'`. */
export declare function version(): string;

/** Objects the native library handed out and has not freed (for leak tests). */
export declare function liveObjects(): number;

/** For tests: rejects with a CIError of kind `'panic'` made by a panic inside the core. */
export declare function debugPanic(message?: string): Promise<never>;

/** The C ABI version of the loaded library (checked to be 1 at load). */
export declare const abiVersion: number;

/** The path of the native library that was loaded. */
export declare const libraryPath: string;
