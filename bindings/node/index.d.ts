/**
 * cloud-infinite: Tencent Cloud Infinite's describe calls for Node.js, over
 * the cloud-infinite native core (C ABI 3): the bucket lists of media,
 * image, AI, speech, document and file processing, DescribeCIBuckets, and
 * the queue lists of the same six services.
 *
 * Every call returns a Promise and runs on libuv's thread pool; results are
 * plain objects (absent elements are `null`, never `0` or `""`). The
 * per-call methods and the query and result types are generated from the
 * C header and the core's table of operations (lib/operations.d.ts,
 * lib/types.d.ts).
 *
 * @example
 * import { Client } from 'cloud-infinite';
 * const client = new Client({ fromEnv: true });
 * const page = await client.describeMediaQueues('examplebucket-1250000000', { category: 'Transcoding' });
 * client.close();
 */

import type { ErrorKindName, OperationId, OperationInfo, Signature, BucketPage, CiBucketPage, QueuePage, BucketQuery, CiBucketQuery, QueueQuery } from './lib/types';
import type { Operations } from './lib/operations';

export * from './lib/types';
export type { Operations } from './lib/operations';

/**
 * Every failure of this package: thrown by the constructor and the signer,
 * and the rejection of every Promise.
 *
 * A call its AbortSignal ended is a CIError of kind `'cancelled'` that
 * AbortError checks also recognise: `name` `'AbortError'`, `code`
 * `'ABORT_ERR'` (as Node's own AbortError), `cause` the signal's `reason`.
 *
 * @example
 * try { await client.describeAiQueues('nosuchbucket-1250000000', undefined, { signal }); }
 * catch (e) {
 *   if (e instanceof CIError && e.name === 'AbortError') console.log('aborted', e.cause);
 *   else if (e instanceof CIError && e.code === 'NoSuchBucket') console.log(e.httpStatus);
 * }
 */
export declare class CIError extends Error {
  constructor(
    kind: ErrorKindName,
    message: string,
    details?: { code?: string | null; requestId?: string | null; httpStatus?: number | null; resource?: string | null; traceId?: string | null; cause?: unknown },
  );
  /** `'AbortError'` for kind `'cancelled'` (an AbortSignal ended the call), else `'CIError'`. */
  readonly name: 'CIError' | 'AbortError';
  /** What went wrong, e.g. `'timeout'`, `'service'` or `'cancelled'`. */
  readonly kind: ErrorKindName;
  /**
   * What exactly went wrong, for code to test: the service's error code
   * (e.g. `'SignatureDoesNotMatch'`) when it answered with one;
   * `'ABORT_ERR'` for kind `'cancelled'`, as on Node's own AbortError (the
   * call ended on this side, so no service code can collide); else null.
   */
  readonly code: string | null;
  /** The failed request's id (from the error body or `x-ci-request-id`), or null. */
  readonly requestId: string | null;
  /** The HTTP status of the service's answer, or null when there was none. */
  readonly httpStatus: number | null;
  /** The error body's `Resource`, or null. */
  readonly resource: string | null;
  /** The error body's `TraceId`, or null. */
  readonly traceId: string | null;
  /** For an abort: the signal's `reason` (an `AbortSignal.timeout()`'s is a `TimeoutError` DOMException). */
  readonly cause?: unknown;
}

/**
 * What the `signal` option takes: an AbortSignal (`new AbortController().signal`,
 * `AbortSignal.timeout(ms)`, `AbortSignal.any([...])`), written
 * structurally so that these declarations need neither the DOM library
 * nor `@types/node`.
 */
export interface AbortSignalLike {
  /** Whether the signal has fired. */
  readonly aborted: boolean;
  /** Why it fired (becomes the error's `cause`). */
  readonly reason?: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** The options every call takes (the last argument of every `describe…` method). */
export interface CallOptions {
  /**
   * Aborting it cancels the call in the core (the connection is closed, the
   * call ends within about 10 ms wherever it is) and the Promise rejects with
   * a {@link CIError} of kind `'cancelled'` and name `'AbortError'`. A signal
   * already aborted rejects at once and sends nothing. One signal may serve
   * any number of calls: each call removes its listener when it settles.
   */
  signal?: AbortSignalLike | null;
}

/** The options every page iterator takes (the last argument of every `…Pages` method). */
export interface PageOptions extends CallOptions {
  /**
   * How many pages may be fetched at once once the first page tells the
   * total, 1 to 64 (default 10; 1 walks one page at a time). Pages still
   * come in order; SlowDown and 429 answers halve it.
   */
  concurrency?: number;
}

/**
 * Credentials: what a credentials function returns (or its Promise
 * resolves to), and what {@link Client.setCredentials} takes.
 */
export interface Credentials {
  /** SecretId (or TmpSecretId). */
  secretId: string;
  /** SecretKey (or TmpSecretKey). */
  secretKey: string;
  /** Session token of temporary credentials; omitted or null for permanent keys. */
  sessionToken?: string | null;
  /**
   * When they expire: a Date or Unix seconds (not milliseconds); omitted or
   * null for keys that never do. The client asks again `refreshMarginMs`
   * before then.
   */
  expiresAt?: Date | number | null;
}

/**
 * A credentials provider of your own: called (on the JS thread) whenever
 * the client needs keys, at most once at a time per client, and again
 * before they expire. Throwing or rejecting fails the waiting calls with
 * a {@link CIError} of kind `'credentials'` carrying the message.
 */
export type CredentialsFunction = () => Credentials | PromiseLike<Credentials>;

/**
 * The library's own sources: `'chain'` is Tencent's default chain (the
 * environment, the profile file, the CVM role, TKE OIDC, in that order);
 * `'environment'` (`TENCENTCLOUD_SECRET_ID`, `_SECRET_KEY`, `_SESSION_TOKEN`),
 * `'profile'` (`$TENCENTCLOUD_CREDENTIALS_FILE`, else
 * `~/.tencentcloud/credentials`, else `/etc/tencentcloud/credentials`),
 * `'cvm'` (the CVM instance role's metadata service), `'oidc'` (STS
 * `AssumeRoleWithWebIdentity` with the `TKE_*` variables).
 */
export type CredentialsSource = 'chain' | 'environment' | 'profile' | 'cvm' | 'oidc';

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
  /** Connect timeout in milliseconds (default 5000; 0 is refused). */
  connectTimeoutMs?: number;
  /** Timeout of a whole call, retries and reading the answer included, in milliseconds (default 30000; 0 is refused). */
  timeoutMs?: number;
  /** Retries of connection failures, 5xx and throttling (default 3; 0 for none). */
  maxRetries?: number;
  /** First backoff delay in milliseconds, doubled each retry with jitter (default 100; 0 retries at once). */
  retryBaseDelayMs?: number;
  /** Largest response body accepted, in bytes (default 16 MiB; 0 is refused). */
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
  /**
   * Where the keys come from, when not `secretId`/`secretKey` (which must
   * then be left out): one of the library's sources, or your function.
   * Keys from a source that expire are renewed before they do, by one
   * fetch for all concurrent calls.
   */
  credentials?: CredentialsSource | CredentialsFunction;
  /** `credentials: 'profile'`: the profile file's section (default `default`). */
  profileName?: string;
  /** `credentials: 'cvm'`: the CAM role (default: the first the metadata service lists). */
  cvmRole?: string;
  /**
   * `credentials: 'cvm'` or `'chain'`: the metadata service's
   * `.../latest/meta-data/cam/security-credentials/` URL (default
   * `$TENCENTCLOUD_METADATA_ENDPOINT`, else Tencent's).
   */
  metadataEndpoint?: string;
  /**
   * `credentials: 'oidc'` or `'chain'`: the STS endpoint (default
   * `$TENCENTCLOUD_STS_ENDPOINT`, else `https://sts.tencentcloudapi.com/`).
   */
  stsEndpoint?: string;
  /**
   * How long before expiry a provider's keys are renewed, in milliseconds
   * (default 300000; at most a fifth of a key's lifetime is used).
   */
  refreshMarginMs?: number;
}

/**
 * Every page of a query, in order (up to `concurrency` fetched at once
 * after the first). Breaking out of `for await` releases it at once and
 * cancels the pages fetched ahead. An abort of its `signal` cancels the
 * page awaited: `next()` rejects once with the abort error, then reports
 * the end.
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
 * released when it is garbage-collected. Every describe call is a method
 * ({@link Operations}: `describeMediaBuckets(query)`, `mediaBucketPages(query)`,
 * `describeMediaQueues(bucket, query)`...).
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
  /**
   * `new Client({ ...options, fromEnv: true })`: the region (and, without
   * `credentials`, the keys) from the environment;
   * `Client.fromEnv({ credentials: 'chain' })` takes the keys from
   * Tencent's default chain.
   */
  static fromEnv(options?: Omit<ClientOptions, 'fromEnv'>): Client;
  /** Whether {@link Client.close} was called. */
  readonly closed: boolean;
  /**
   * Replaces the credentials at once (rotation by hand): calls already
   * signed keep theirs, the next attempts use these. With a provider they
   * serve until they near `expiresAt`, then the provider is asked again.
   * Throws a {@link CIError} for keys that cannot sign or on a closed client.
   */
  setCredentials(credentials: Credentials): void;
  /** How many times the credentials provider has been asked for keys (0 for fixed keys). Throws on a closed client. */
  credentialFetches(): number;
  /**
   * Any describe call by its {@link Operation} number: `bucket` is the
   * `BucketName-APPID` of a queue call and null for a bucket call. The
   * named methods are this with their operation. `options.signal` cancels
   * the call (see {@link CallOptions}).
   *
   * @example
   * const page = await client.describe(Operation.PIC_BUCKETS, null, { pageSize: 10 }, { signal: AbortSignal.timeout(2000) });
   */
  describe(operation: OperationId, bucket: string | null, query?: BucketQuery | CiBucketQuery | QueueQuery, options?: CallOptions): Promise<BucketPage | CiBucketPage | QueuePage>;
  /**
   * Every page of any describe call (see {@link Client.describe}). Throws
   * at once if the query or the options are unusable. `options.signal`
   * ends the walk, `options.concurrency` bounds the pages fetched at once
   * (see {@link PageOptions}).
   *
   * @example
   * for await (const page of client.pages(Operation.AI_QUEUES, 'examplebucket-1250000000', {}, { signal, concurrency: 16 })) {
   *   console.log(page.queues.length);
   * }
   */
  pages(operation: OperationId, bucket: string | null, query?: BucketQuery | CiBucketQuery | QueueQuery, options?: PageOptions): PageIterator<BucketPage | CiBucketPage | QueuePage>;
  /**
   * Later calls reject with kind `'invalid_argument'`; calls already
   * running finish normally. Idempotent.
   */
  close(): void;
}
/** The generated describe calls, merged into {@link Client}. */
export interface Client extends Operations {}

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

/** Every describe call the loaded library offers (`ci_operations()`), in {@link Operation} order. */
export declare function operations(): OperationInfo[];

/** Objects the native library handed out and has not freed (for leak tests). */
export declare function liveObjects(): number;

/** For tests: rejects with a CIError of kind `'panic'` made by a panic inside the core. */
export declare function debugPanic(message?: string): Promise<never>;

/** The C ABI version of the loaded library (checked at load to be this package's, 3). */
export declare const abiVersion: number;

/** The path of the native library that was loaded. */
export declare const libraryPath: string;
