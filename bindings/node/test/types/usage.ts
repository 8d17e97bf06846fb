// Compiled (never run) by types.test.js with `tsc --noEmit --strict`: the
// declarations must accept every documented use and reject wrong ones.
import { Client, CIError, ErrorKind, sign, version, liveObjects, debugPanic, abiVersion, libraryPath } from 'cloud-infinite';
import type { AiQueue, AiQueuePage, ClientOptions, ErrorKindName, NotifyConfig, PicBucket, PicBucketPage, Signature } from 'cloud-infinite';

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
  const p: PicBucketPage = await client.describePicBuckets({
    regions: ['ap-shanghai'], bucketNames: ['a-1'], bucketNamePrefix: 'a', pageNumber: 1, pageSize: 10, timeoutMs: 100,
  });
  const total: number | null = p.totalCount;
  const b: PicBucket | undefined = p.buckets[0];
  const q: AiQueuePage = await client.describeAiQueues('examplebucket-1250000000', {
    queueIds: ['p1'], state: 'Paused', category: 'AIProcess', pageNumber: 1, pageSize: 10, timeoutMs: 100,
  });
  const queue: AiQueue | undefined = q.queues[0];
  const n: NotifyConfig | null | undefined = queue?.notifyConfig;
  const missing: string[] = q.nonExistPids;
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

// @ts-expect-error: the state is 'Active' or 'Paused'
void new Client().describeAiQueues('b', { state: 'Running' });
// @ts-expect-error: the scheme is 'https' or 'http'
void new Client({ scheme: 'ftp' });
// @ts-expect-error: the bucket is required
void new Client().describeAiQueues();
// @ts-expect-error: unknown option
void new Client({ secretID: 'typo' });
