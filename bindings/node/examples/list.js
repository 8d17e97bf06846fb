#!/usr/bin/env node
'use strict';
// Lists every image-processing bucket (all pages) and the AI queues of one
// bucket, as tables.
//
//   CI_EMULATOR_ADDR=127.0.0.1:PORT node examples/list.js   against a local ci-emulator
//   node examples/list.js [BUCKET]                          against Tencent Cloud, with
//       TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY, TENCENTCLOUD_REGION (and
//       TENCENTCLOUD_SESSION_TOKEN for temporary credentials) in the environment

const { Client, CIError } = require('cloud-infinite');

const BUCKET = process.argv[2] || 'examplebucket-1250000000';

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

async function main() {
  const client = new Client(options());
  try {
    const buckets = [];
    let total = null;
    for await (const page of client.picBucketPages({ pageSize: 100 })) {
      total = page.totalCount;
      buckets.push(...page.buckets);
    }
    console.log(`Image-processing buckets (${buckets.length} listed, TotalCount ${total ?? '-'}):\n`);
    console.log(table(['#', 'Bucket', 'Region', 'Created'], buckets.map((b, i) => [i + 1, b.name, b.region, b.createTime])));

    const queues = [];
    for await (const page of client.aiQueuePages(BUCKET, { pageSize: 100 })) queues.push(...page.queues);
    console.log(`\nAI queues of ${BUCKET} (${queues.length}):\n`);
    console.log(
      table(
        ['QueueId', 'Name', 'State', 'Category', 'MaxSize', 'MaxConcurrent', 'Notify', 'Updated'],
        queues.map((q) => {
          const n = q.notifyConfig;
          const notify = n ? [n.type, n.state, n.url || n.mqName].filter(Boolean).join(' ') : null;
          return [q.queueId, q.name, q.state, q.category, q.maxSize, q.maxConcurrent, notify, q.updateTime];
        }),
      ),
    );
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
