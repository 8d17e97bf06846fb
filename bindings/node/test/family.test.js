'use strict';
// All 13 describe calls through their generated methods, against a private
// emulator: every parameter and every result field of each, with expected
// values computed from the emulator's fixture JSON; and the guard: the
// Client has a method pair for exactly the operations the library lists.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const expected = require('./expected');
const ci = require('..');
const { PARAM } = require('../lib/abi');

let emu;
let client;
let fixture;

test.before(async () => {
  emu = await startEmulator();
  fixture = await emu.fixture();
  client = new ci.Client(emulatorOptions(emu.addr));
});

test.after(async () => {
  client.close();
  await emu.stop();
  assert.equal(ci.liveObjects(), 0);
});

// The test's own statement of the naming rule (README): `media_buckets`
// gives describeMediaBuckets and mediaBucketPages.
const camel = (snake) => snake.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const methodNames = (op) => ({
  describe: `describe${camel(op.snakeName).replace(/^./, (c) => c.toUpperCase())}`,
  pages: `${camel(op.snakeName.replace(/s$/, ''))}Pages`,
});
const SHAPE = { BUCKETS: 1, CI_BUCKETS: 2, QUEUES: 3 };
const ops = ci.operations();
const byShape = (shape) => ops.filter((op) => op.shape === shape);

async function all(iterator) {
  const pages = [];
  for await (const page of iterator) pages.push(page);
  return pages;
}

test('guard: a method pair for every operation the library lists, and no other', () => {
  assert.equal(ops.length, 13);
  const proto = Object.getPrototypeOf(ci.Client.prototype);
  const want = new Set();
  for (const op of ops) {
    const { describe, pages } = methodNames(op);
    assert.equal(typeof ci.Client.prototype[describe], 'function', `${op.name}: Client.${describe} is missing`);
    assert.equal(typeof ci.Client.prototype[pages], 'function', `${op.name}: Client.${pages} is missing`);
    want.add(describe).add(pages);
  }
  const have = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor');
  assert.deepEqual(have.filter((n) => !want.has(n)), [], 'methods for operations the library does not list');
  assert.deepEqual(Object.values(ci.Operation).sort((a, b) => a - b), ops.map((op) => op.operation));
  for (const name of ['describePicBuckets', 'picBucketPages', 'describeAiQueues', 'aiQueuePages']) assert.ok(want.has(name), name);
});

test('every generated method calls its own operation (path and host level)', async () => {
  for (const op of ops) {
    const { describe, pages } = methodNames(op);
    const args = op.hostLevel === 2 ? [BUCKET] : [];
    for (const [method, run] of [
      [describe, () => client[describe](...args, { pageSize: 1 })],
      [pages, async () => {
        // One page at a time: the default would fetch pages ahead in parallel.
        const it = client[pages](...args, { pageSize: 1 }, { concurrency: 1 });
        const { value } = await it.next();
        await it.return();
        return value;
      }],
    ]) {
      const before = (await emu.stats()).by_path[op.path];
      const page = await run();
      assert.equal((await emu.stats()).by_path[op.path] - before, 1, `${method} requests ${op.path}`);
      assert.ok(Array.isArray(op.shape === SHAPE.QUEUES ? page.queues : page.buckets), method);
    }
  }
});

for (const op of byShape(SHAPE.BUCKETS)) {
  const { describe, pages } = methodNames(op);
  test(`${op.name}: ${describe} and ${pages}, every parameter and field`, async () => {
    const listed = expected.buckets(fixture, op.snakeName);
    assert.ok(listed.length > 10, `${op.snakeName} has more than one page in the fixture`);
    const first = await client[describe]();
    assert.deepEqual(
      { totalCount: first.totalCount, pageNumber: first.pageNumber, pageSize: first.pageSize },
      { totalCount: listed.length, pageNumber: 1, pageSize: 10 },
    );
    assert.match(first.requestId, /^\S+$/);
    assert.deepEqual(first.buckets, listed.slice(0, 10));
    assert.deepEqual(Object.keys(first).sort(), ['buckets', 'pageNumber', 'pageSize', 'requestId', 'totalCount']);

    const regions = ['ap-shanghai', 'ap-singapore'];
    const byRegion = await client[describe]({ regions, pageSize: 100 });
    const inRegions = listed.filter((b) => regions.includes(b.region));
    assert.ok(inRegions.length > 0);
    assert.deepEqual(byRegion.buckets, inRegions);
    assert.equal(byRegion.totalCount, inRegions.length);

    const names = [listed.at(-1).name, BUCKET, 'nosuch-1250000000'];
    const byName = await client[describe]({ bucketNames: names });
    assert.deepEqual(byName.buckets, listed.filter((b) => names.includes(b.name)));

    const prefix = listed[1].name.slice(0, 6);
    const byPrefix = await client[describe]({ bucketNamePrefix: prefix, pageSize: 100 });
    assert.deepEqual(byPrefix.buckets, listed.filter((b) => b.name.startsWith(prefix)));

    const second = await client[describe]({ pageNumber: 2, pageSize: 3 });
    assert.deepEqual([second.pageNumber, second.pageSize, second.buckets], [2, 3, listed.slice(3, 6)]);

    const combined = await client[describe]({ regions: ['ap-guangzhou'], bucketNamePrefix: 'examplebucket', bucketNames: [BUCKET], pageNumber: 1, pageSize: 5, timeoutMs: 5000 });
    assert.deepEqual(combined.buckets, listed.filter((b) => b.name === BUCKET));

    const walked = await all(client[pages]({ pageSize: 40 }));
    assert.deepEqual(walked.map((p) => p.pageNumber), Array.from({ length: Math.ceil(listed.length / 40) }, (_, i) => i + 1));
    assert.deepEqual(walked.flatMap((p) => p.buckets), listed);
    const fromPage2 = await all(client[pages]({ pageNumber: 2, pageSize: 9 }));
    assert.deepEqual(fromPage2.flatMap((p) => p.buckets), listed.slice(9));

    // Parameters of the other shapes are refused by the core, before sending.
    await assert.rejects(client[describe]({ tagKey: 'env' }), { kind: 'invalid_argument', message: /tag/i });
    await assert.rejects(client[describe]({ state: 'Active' }), { kind: 'invalid_argument', message: /state/ });
  });
}

test('DescribeDocProcessBuckets answers AliasBucketId: a value, an empty element, absent', async () => {
  const page = await client.describeDocBuckets({ pageSize: 100 });
  const aliases = page.buckets.map((b) => b.aliasBucketId);
  assert.ok(aliases.some((a) => typeof a === 'string' && a.length > 0));
  assert.ok(aliases.includes(''));
  assert.ok(aliases.includes(null));
  const pic = await client.describePicBuckets({ pageSize: 100 });
  assert.ok(pic.buckets.every((b) => b.aliasBucketId === null));
});

test('DescribeCIBuckets: describeCiBuckets and ciBucketPages, every parameter and field', async () => {
  const listed = expected.ciBuckets(fixture);
  const items = listed.map((x) => x.bucket);
  const first = await client.describeCiBuckets();
  assert.deepEqual([first.totalCount, first.pageNumber, first.pageSize], [items.length, 1, 10]);
  assert.deepEqual(first.buckets, items.slice(0, 10));
  assert.ok(items.some((b) => b.status === 'off') && items.some((b) => b.status === 'on'));

  for (const name of ['examplebucket', BUCKET]) {
    const byName = await client.describeCiBuckets({ bucketName: name });
    assert.deepEqual(byName.buckets, items.filter((b) => b.bucketId === BUCKET), name);
  }
  for (const tagKey of ['env', '项目']) {
    const byTag = await client.describeCiBuckets({ tagKey, pageSize: 100 });
    const want = listed.filter((x) => x.tags.includes(tagKey)).map((x) => x.bucket);
    assert.ok(want.length > 0);
    assert.deepEqual(byTag.buckets, want.slice(0, 100));
    assert.equal(byTag.totalCount, want.length);
  }
  const byRegion = await client.describeCiBuckets({ region: 'ap-beijing', pageSize: 100 });
  assert.deepEqual(byRegion.buckets, items.filter((b) => b.region === 'ap-beijing'));
  const combined = await client.describeCiBuckets({ tagKey: 'team', region: 'ap-guangzhou', pageNumber: 2, pageSize: 4 });
  const want = listed.filter((x) => x.tags.includes('team') && x.bucket.region === 'ap-guangzhou').map((x) => x.bucket);
  assert.deepEqual([combined.totalCount, combined.pageNumber, combined.buckets], [want.length, 2, want.slice(4, 8)]);

  const walked = await all(client.ciBucketPages({ pageSize: 50 }));
  assert.deepEqual(walked.flatMap((p) => p.buckets), items);
  await assert.rejects(client.describeCiBuckets({ regions: ['ap-beijing'] }), { kind: 'invalid_argument', message: /regions/ });
});

// The media queue list's default category when none is sent (README of the emulator: the docs' default).
const DEFAULT_CATEGORY = { media_queues: 'Transcoding' };

for (const op of byShape(SHAPE.QUEUES)) {
  const { describe, pages } = methodNames(op);
  const takesCategory = (op.params & PARAM.CATEGORY) !== 0;
  test(`${op.name}: ${describe} and ${pages}, every parameter and field`, async () => {
    const queues = expected.queues(fixture, BUCKET, op.snakeName);
    const dflt = DEFAULT_CATEGORY[op.snakeName];
    const listed = dflt ? queues.filter((q) => q.category === dflt) : queues;
    assert.ok(listed.length >= 4, `${op.snakeName}: enough queues in the fixture`);

    const first = await client[describe](BUCKET);
    assert.deepEqual([first.totalCount, first.pageNumber, first.pageSize], [listed.length, 1, 10]);
    assert.match(first.requestId, /^\S+$/);
    assert.deepEqual(first.queues, listed.slice(0, 10));
    assert.deepEqual(first.nonExistPids, []);
    assert.deepEqual(Object.keys(first).sort(), ['nonExistPids', 'pageNumber', 'pageSize', 'queues', 'requestId', 'totalCount']);

    const ids = [queues.at(-1).queueId, 'pnosuch1', queues[0].queueId, 'pnosuch2'];
    const byId = await client[describe](BUCKET, { queueIds: ids });
    assert.deepEqual([byId.totalCount, byId.pageNumber, byId.pageSize], [null, null, null]);
    assert.deepEqual(byId.queues, [queues.at(-1), queues[0]]);
    assert.deepEqual(byId.nonExistPids, ['pnosuch1', 'pnosuch2']);

    for (const state of ['Active', 'Paused']) {
      const page = await client[describe](BUCKET, { state, pageSize: 100 });
      assert.deepEqual(page.queues, listed.filter((q) => q.state === state), state);
    }
    const second = await client[describe](BUCKET, { state: 'Active', pageNumber: 2, pageSize: 3 });
    assert.deepEqual([second.pageNumber, second.pageSize, second.queues], [2, 3, listed.filter((q) => q.state === 'Active').slice(3, 6)]);

    if (takesCategory) {
      for (const category of ['Transcoding', 'SpeedTranscoding']) {
        const page = await client[describe](BUCKET, { category, pageSize: 100 });
        assert.deepEqual(page.queues, queues.filter((q) => q.category === category), category);
      }
      const every = await client[describe](BUCKET, { category: 'CateAll', state: 'Paused', pageSize: 100, timeoutMs: 5000 });
      assert.deepEqual(every.queues, queues.filter((q) => q.state === 'Paused'));
      await assert.rejects(client[describe](BUCKET, { category: 'NoSuchCategory' }), { kind: 'service', httpStatus: 400 });
    } else {
      await assert.rejects(client[describe](BUCKET, { category: 'Transcoding' }), { kind: 'invalid_argument', message: /category/ });
    }

    const walked = await all(client[pages](BUCKET, { pageSize: 3 }));
    assert.deepEqual(walked.flatMap((p) => p.queues), listed);
    const one = await all(client[pages](BUCKET, { queueIds: [queues[1].queueId, 'pnosuch'] }));
    assert.deepEqual(one.map((p) => [p.queues, p.nonExistPids]), [[[queues[1]], ['pnosuch']]]);

    await assert.rejects(client[describe](BUCKET, { regions: ['ap-guangzhou'] }), { kind: 'invalid_argument', message: /regions/ });
    await assert.rejects(client[describe]('nosuchbucket-1250000000'), { kind: 'service', code: 'NoSuchBucket', httpStatus: 404 });
    await assert.rejects(client[describe](), { kind: 'null_argument', message: /bucket/ });
  });
}

test('every queue field is exercised: Kafka, TDMQ and Url callbacks, BucketId, absent NotifyConfig', async () => {
  const seen = { kafka: 0, tdmq: 0, url: 0, bucketId: 0, noNotify: 0 };
  for (const op of byShape(SHAPE.QUEUES)) {
    const query = op.snakeName === 'media_queues' ? { category: 'CateAll', pageSize: 100 } : { pageSize: 100 };
    const page = await client[methodNames(op).describe](BUCKET, query);
    assert.deepEqual(page.queues, expected.queues(fixture, BUCKET, op.snakeName));
    for (const q of page.queues) {
      if (q.notifyConfig?.kafkaConfig) {
        seen.kafka++;
        assert.ok(q.notifyConfig.kafkaConfig.region && q.notifyConfig.kafkaConfig.instanceId && q.notifyConfig.kafkaConfig.topic);
      }
      if (q.notifyConfig?.type === 'TDMQ') seen.tdmq++;
      if (q.notifyConfig?.type === 'Url') seen.url++;
      if (q.bucketId !== null) seen.bucketId++;
      if (q.notifyConfig === null) seen.noNotify++;
    }
  }
  for (const [what, n] of Object.entries(seen)) assert.ok(n > 0, `no queue with ${what}`);
});

test('the generic describe and pages take any operation by number', async () => {
  const { requestId, ...media } = await client.describe(ci.Operation.MEDIA_BUCKETS, null, { pageSize: 2 });
  const { requestId: other, ...named } = await client.describeMediaBuckets({ pageSize: 2 });
  assert.deepEqual(media, named);
  assert.notEqual(requestId, other);
  const walked = await all(client.pages(ci.Operation.FILE_QUEUES, BUCKET, { pageSize: 2 }));
  assert.deepEqual(walked.flatMap((p) => p.queues), expected.queues(fixture, BUCKET, 'file_queues'));
  await assert.rejects(client.describe(99, null), { kind: 'invalid_argument' });
  await assert.rejects(client.describe('MEDIA_BUCKETS', null), { kind: 'invalid_argument', message: /operation/ });
  await assert.rejects(client.describe(ci.Operation.MEDIA_BUCKETS, BUCKET), { kind: 'invalid_argument' });
});
