// Compiled (never run) by types.test.js with the DOM library (tsconfig.dom.json):
// the real AbortSignal and AbortController fit the structural `signal` type,
// which the package's declarations use so that they need neither the DOM
// library nor @types/node (tsconfig.json compiles them with neither).
import { Client, CIError } from 'cloud-infinite';
import type { AbortSignalLike, BucketPage } from 'cloud-infinite';

export async function useSignals(): Promise<number> {
  const client = new Client({ fromEnv: true });
  const ac = new AbortController();
  const asLike: AbortSignalLike = ac.signal;
  const page: BucketPage = await client.describeMediaBuckets({ pageSize: 10 }, { signal: ac.signal });
  await client.describeAiQueues('examplebucket-1250000000', undefined, { signal: AbortSignal.timeout(1000) });
  for await (const p of client.picBucketPages({ pageSize: 100 }, { signal: AbortSignal.abort(), concurrency: 8 })) void p;
  try {
    await client.describeDocBuckets(undefined, { signal: asLike });
  } catch (e) {
    if (e instanceof CIError && e.name === 'AbortError' && e.cause instanceof DOMException) return e.cause.code;
  }
  client.close();
  return page.buckets.length;
}
