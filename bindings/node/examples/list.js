#!/usr/bin/env node
'use strict';
// Lists each service's buckets and one bucket's queues of each kind, as
// compact tables: the first few rows of each list and its count.
//
//   CI_EMULATOR_ADDR=127.0.0.1:PORT node examples/list.js   against a local ci-emulator
//   node examples/list.js [BUCKET]                          against Tencent Cloud, with
//       TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION (and
//       TENCENTCLOUD_SESSION_TOKEN for temporary credentials) in the environment

const { Client, CIError } = require('cloud-infinite');

const BUCKET = process.argv[2] || 'examplebucket-1250000000';
const ROWS = 3;

function options() {
  const emulator = process.env.CI_EMULATOR_ADDR;
  if (emulator) {
    // The emulator's built-in credentials; the requests keep their
    // production shape (Host, path, signature), only the address changes.
    return {
      secretId: 'AKIDemulatorEXAMPLE',
      secretKey: 'emulator-secret-key',
      region: 'ap-guangzhou',
      connectTo: emulator,
      scheme: 'http',
      proxy: 'disabled',
    };
  }
  return { fromEnv: true };
}

/** Columns as wide as their widest cell; CJK characters take two columns. */
function table(headers, rows) {
  const width = (s) => [...s].reduce((w, ch) => w + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1), 0);
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const widths = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i]))));
  const line = (r) => r.map((c, i) => c + ' '.repeat(widths[i] - width(c))).join('  ').trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

function section(title, page, items, headers, row) {
  console.log(`\n${title}: ${page.totalCount ?? items.length}${items.length < (page.totalCount ?? 0) ? ` (first ${items.length})` : ''}`);
  if (items.length) console.log(table(headers, items.map(row)));
}

async function main() {
  const client = new Client(options());
  const first = { pageSize: ROWS };
  try {
    const bucketLists = [
      ['Media processing buckets', () => client.describeMediaBuckets(first)],
      ['Image processing buckets', () => client.describePicBuckets(first)],
      ['AI content recognition buckets', () => client.describeAiBuckets(first)],
      ['Speech recognition buckets', () => client.describeAsrBuckets(first)],
      ['Document processing buckets', () => client.describeDocBuckets(first)],
      ['File processing buckets', () => client.describeFileBuckets(first)],
    ];
    for (const [title, call] of bucketLists) {
      const page = await call();
      section(title, page, page.buckets, ['Bucket', 'Region', 'Created', 'Alias'], (b) => [b.name, b.region, b.createTime, b.aliasBucketId]);
    }
    const ci = await client.describeCiBuckets(first);
    section('Buckets bound to Cloud Infinite', ci, ci.buckets, ['BucketId', 'AppId', 'Region', 'Status', 'Created'], (b) => [b.bucketId, b.appId, b.region, b.status, b.createTime]);

    const queueLists = [
      ['Media queues', () => client.describeMediaQueues(BUCKET, { ...first, category: 'CateAll' })],
      ['Image queues', () => client.describePicQueues(BUCKET, first)],
      ['AI queues', () => client.describeAiQueues(BUCKET, first)],
      ['Speech queues', () => client.describeAsrQueues(BUCKET, first)],
      ['Document queues', () => client.describeDocQueues(BUCKET, first)],
      ['File queues', () => client.describeFileQueues(BUCKET, first)],
    ];
    for (const [title, call] of queueLists) {
      const page = await call();
      section(`${title} of ${BUCKET}`, page, page.queues, ['QueueId', 'Name', 'State', 'Category', 'MaxSize', 'MaxConcurrent', 'Notify'], (q) => {
        const n = q.notifyConfig;
        const notify = n ? [n.type, n.state, n.url || n.mqName || n.kafkaConfig?.topic].filter(Boolean).join(' ') : null;
        return [q.queueId, q.name, q.state, q.category, q.maxSize, q.maxConcurrent, notify];
      });
    }
  } finally {
    client.close();
  }
}

main().catch((e) => {
  if (e instanceof CIError) {
    console.error(`error (${e.kind}${e.code ? ` ${e.code}` : ''}${e.httpStatus ? `, HTTP ${e.httpStatus}` : ''}): ${e.message}`);
    if (e.requestId) console.error(`request id: ${e.requestId}`);
  } else {
    console.error(e);
  }
  process.exit(1);
});
