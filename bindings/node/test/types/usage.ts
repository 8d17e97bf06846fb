// Compiled (never run) by types.test.js with `tsc --noEmit --strict`: the
// declarations must accept every documented use and reject wrong ones.
import { Client, CIError, ErrorKind, Operation, sign, version, operations, liveObjects, debugPanic, abiVersion, libraryPath } from 'cloud-infinite';
import type {
  AbortSignalLike, Bucket, BucketPage, CallOptions, CiBucket, CiBucketPage, ClientOptions, Credentials, CredentialsFunction, CredentialsSource, ErrorKindName, KafkaConfig, NotifyConfig, OperationInfo, PageOptions, Queue, QueuePage, QueueState, Signature,
} from 'cloud-infinite';

const options: ClientOptions = {
  fromEnv: true,
  secretId: 'AKID',
  secretKey: 'key',
  sessionToken: 'token',
  region: 'ap-guangzhou',
  endpoint: 'ci.example.com',
  connectTo: '127.0.0.1:8080',
  scheme: 'http',
  connectTimeoutMs: 1000,
  timeoutMs: 5000,
  maxRetries: 0,
  retryBaseDelayMs: 5,
  maxResponseBytes: 1 << 20,
  userAgentSuffix: 'types/1',
  proxy: { url: 'http://127.0.0.1:3128' },
};

async function use(): Promise<number> {
  const client = new Client(options);
  const p: BucketPage = await client.describePicBuckets({
    regions: ['ap-shanghai'], bucketNames: ['a-1'], bucketNamePrefix: 'a', pageNumber: 1, pageSize: 10, timeoutMs: 100,
  });
  const total: number | null = p.totalCount;
  const b: Bucket | undefined = p.buckets[0];
  const alias: string | null | undefined = b?.aliasBucketId;
  const docs: BucketPage = await client.describeDocBuckets({ pageSize: 5 });
  const ci: CiBucketPage = await client.describeCiBuckets({ bucketName: 'a', tagKey: 'k', region: 'ap-guangzhou', pageNumber: 1, pageSize: 10 });
  const cb: CiBucket | undefined = ci.buckets[0];
  const status: string | null | undefined = cb?.status;
  const state: QueueState = 'Paused';
  const q: QueuePage = await client.describeAiQueues('examplebucket-1250000000', {
    queueIds: ['p1'], state, pageNumber: 1, pageSize: 10, timeoutMs: 100,
  });
  const media: QueuePage = await client.describeMediaQueues('examplebucket-1250000000', { category: 'SpeedTranscoding', state: 'Active' });
  const other: QueuePage = await client.describeMediaQueues('examplebucket-1250000000', { category: 'SomethingNew' });
  const queue: Queue | undefined = q.queues[0];
  const n: NotifyConfig | null | undefined = queue?.notifyConfig;
  const kafka: KafkaConfig | null | undefined = n?.kafkaConfig;
  const bucketId: string | null | undefined = queue?.bucketId;
  const missing: string[] = q.nonExistPids;
  const generic = await client.describe(Operation.FILE_QUEUES, 'examplebucket-1250000000', { state: 'Active' });
  for await (const page of client.pages(Operation.CI_BUCKETS, null)) void page;
  for await (const page of client.fileQueuePages('examplebucket-1250000000', { pageSize: 100 })) void page.queues;
  const ops: OperationInfo[] = operations();
  const snake: string | undefined = ops[0]?.snakeName;
  void [alias, docs, status, media, other, kafka, bucketId, generic, snake];
  for await (const page of client.picBucketPages({ pageSize: 100 })) {
    const names: (string | null)[] = page.buckets.map((x) => x.name);
    void names;
  }
  for await (const page of client.aiQueuePages('examplebucket-1250000000')) {
    const max: number | null = page.queues[0].maxSize;
    void max;
  }
  try {
    await debugPanic('x');
  } catch (e) {
    if (e instanceof CIError) {
      const kind: ErrorKindName = e.kind;
      const status: number | null = e.httpStatus;
      const code: string | null = e.code;
      const id: string | null = e.requestId;
      void [kind, status, code, id, e.message, ErrorKind.PANIC === kind];
    }
  }
  const s: Signature = sign({
    secretId: 'a', secretKey: 'b', method: 'GET', path: '/picbucket',
    params: { pageSize: 10 }, headers: [['host', 'ci.ap-guangzhou.myqcloud.com']],
    startTime: 1700000000, endTime: new Date(),
  });
  client.close();
  const closed: boolean = client.closed;
  void [total, b, n, missing, s.authorization, version(), liveObjects(), abiVersion, libraryPath, closed];
  return 0;
}
void use;

// Every credentials source and its companions.
function credentialClients(): number {
  const source: CredentialsSource = 'cvm';
  const cvm = new Client({ region: 'ap-guangzhou', credentials: source, cvmRole: 'role', metadataEndpoint: 'http://127.0.0.1:1/', refreshMarginMs: 60000 });
  const chain = Client.fromEnv({ credentials: 'chain', metadataEndpoint: 'http://127.0.0.1:1/', stsEndpoint: 'http://127.0.0.1:1/' });
  const profile = new Client({ fromEnv: true, credentials: 'profile', profileName: 'dev' });
  const oidc = new Client({ region: 'ap-guangzhou', credentials: 'oidc', stsEndpoint: 'http://127.0.0.1:1/' });
  const env = new Client({ region: 'ap-guangzhou', credentials: 'environment' });
  const plain: CredentialsFunction = () => ({ secretId: 'AKID', secretKey: 'k' });
  const later: CredentialsFunction = async () => ({ secretId: 'AKID', secretKey: 'k', sessionToken: 'tok', expiresAt: new Date() });
  const fromFn = new Client({ region: 'ap-guangzhou', credentials: later });
  const handed: Credentials = { secretId: 'AKID', secretKey: 'k', sessionToken: null, expiresAt: 1700000000 };
  fromFn.setCredentials(handed);
  const fetches: number = fromFn.credentialFetches();
  void [cvm, chain, profile, oidc, env, plain];
  return fetches;
}
void credentialClients;

// @ts-expect-error: not a source
void new Client({ credentials: 'vault' });
// @ts-expect-error: a function must return credentials
void new Client({ credentials: () => 42 });
// @ts-expect-error: expiresAt is a Date or Unix seconds
void new Client().setCredentials({ secretId: 'a', secretKey: 'b', expiresAt: '2030-01-01' });
// @ts-expect-error: fromEnv is what Client.fromEnv sets
void Client.fromEnv({ fromEnv: false });

// Every call and every page iterator takes { signal } (and iterators { concurrency }).
// (usage-dom.ts checks that a real AbortSignal is one.)
declare const signal: AbortSignalLike;
async function aborting(): Promise<void> {
  const client = new Client();
  const call: CallOptions = { signal };
  const walk: PageOptions = { signal, concurrency: 16 };
  const p: BucketPage = await client.describeMediaBuckets({ pageSize: 10 }, call);
  const q: QueuePage = await client.describeAiQueues('examplebucket-1250000000', undefined, { signal });
  const g = await client.describe(Operation.PIC_BUCKETS, null, undefined, { signal: null });
  for await (const page of client.mediaBucketPages({ pageSize: 100 }, walk)) void page.buckets;
  for await (const page of client.fileQueuePages('examplebucket-1250000000', {}, { concurrency: 1 })) void page.queues;
  for await (const page of client.pages(Operation.CI_BUCKETS, null, undefined, { signal, concurrency: 4 })) void page;
  try {
    await client.describePicBuckets(undefined, { signal });
  } catch (e) {
    if (e instanceof CIError && e.name === 'AbortError') {
      const code: string | null = e.code;
      const kind: ErrorKindName = e.kind;
      const cause: unknown = e.cause;
      void [code, kind === ErrorKind.CANCELLED, cause];
    }
  }
  void [p, q, g];
}
void aborting;
// @ts-expect-error: a single call takes no concurrency
void new Client().describeMediaBuckets({}, { concurrency: 2 });
// @ts-expect-error: the signal is an AbortSignal
void new Client().describeMediaBuckets({}, { signal: 'stop' });
// @ts-expect-error: concurrency is a number
void new Client().picBucketPages({}, { concurrency: '4' });
// @ts-expect-error: options come after the query (queue calls: after the bucket and the query)
void new Client().describeAiQueues('b', { signal });

// @ts-expect-error: the state is 'Active' or 'Paused'
void new Client().describeAiQueues('b', { state: 'Running' });
// @ts-expect-error: only media queues take a category
void new Client().describeAiQueues('b', { category: 'AIProcess' });
// @ts-expect-error: bucket lists take no bucket
void new Client().describeMediaBuckets('b');
// @ts-expect-error: DescribeCIBuckets has no regions list
void new Client().describeCiBuckets({ regions: ['ap-guangzhou'] });
// @ts-expect-error: not a generated method
void new Client().describeNothing();
// @ts-expect-error: the scheme is 'https' or 'http'
void new Client({ scheme: 'ftp' });
// @ts-expect-error: the bucket is required
void new Client().describeAiQueues();
// @ts-expect-error: unknown option
void new Client({ secretID: 'typo' });
