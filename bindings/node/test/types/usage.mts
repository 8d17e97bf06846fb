// The same declarations seen from an ES module (`import` of the package by
// name resolves through the "exports" map's "types" condition): compiled,
// never run, by types.test.js.
import ci, { Client, CIError, Operation, operations } from 'cloud-infinite';
import type { BucketPage, MediaQueueQuery, QueuePage } from 'cloud-infinite';

export async function useFromEsm(): Promise<number> {
  const client = new Client({ fromEnv: true });
  const media: BucketPage = await client.describeMediaBuckets({ pageSize: 10 });
  const query: MediaQueueQuery = { category: 'CateAll', state: 'Active' };
  const queues: QueuePage = await client.describeMediaQueues('examplebucket-1250000000', query);
  for await (const page of client.asrQueuePages('examplebucket-1250000000')) void page.nonExistPids;
  const viaDefault: boolean = ci.Client === Client && ci.CIError === CIError;
  client.close();
  // @ts-expect-error: queue calls need the bucket
  void client.describeDocQueues({ pageSize: 1 });
  return media.buckets.length + queues.queues.length + operations().length + Operation.CI_BUCKETS + Number(viaDefault);
}
