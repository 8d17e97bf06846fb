'use strict';
// Every query parameter and result field of both calls, the pagers, and
// close(), against a private emulator; expected answers come from its fixture.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const ci = require('..');
const expected = require('./expected');

let emu;
let client;
let fixture;
let listed; // the buckets /picbucket lists, in order, as the binding should give them
let aiQueues; // the AI queues of BUCKET, likewise

test.before(async () => {
  emu = await startEmulator();
  fixture = await emu.fixture();
  listed = expected.buckets(fixture, 'pic_buckets');
  aiQueues = expected.queues(fixture, BUCKET, 'ai_queues');
  client = new ci.Client(emulatorOptions(emu.addr));
});

test.after(async () => {
  client.close();
  await emu.stop();
});

test('the default pic-bucket page: every field, as plain objects', async () => {
  const page = await client.describePicBuckets();
  assert.equal(listed.length, 130);
  assert.equal(page.totalCount, 130);
  assert.equal(page.pageNumber, 1);
  assert.equal(page.pageSize, 10);
  assert.match(page.requestId, /^\S+$/);
  assert.deepEqual(page.buckets, listed.slice(0, 10));
  assert.deepEqual(page.buckets[0], {
    bucketId: 'examplebucket-1250000000',
    name: 'examplebucket-1250000000',
    region: 'ap-guangzhou',
    createTime: '2019-11-15T12:12:12+0800',
    aliasBucketId: null,
  });
  assert.equal(Object.getPrototypeOf(page), Object.prototype);
  assert.equal(typeof page.totalCount, 'number');
});

test('pic-bucket query: regions, bucketNames, bucketNamePrefix, pageNumber, pageSize', async () => {
  const byRegion = await client.describePicBuckets({ regions: ['ap-singapore', 'ap-chongqing'], pageSize: 100 });
  const want = listed.filter((b) => ['ap-singapore', 'ap-chongqing'].includes(b.region));
  assert.equal(byRegion.totalCount, want.length);
  assert.deepEqual(byRegion.buckets, want);

  const byName = await client.describePicBuckets({ bucketNames: ['docs-3-1250000000', BUCKET, 'nosuch-1250000000'] });
  assert.deepEqual(byName.buckets.map((b) => b.name).sort(), ['docs-3-1250000000', BUCKET].sort());

  const byPrefix = await client.describePicBuckets({ bucketNamePrefix: 'photos-1', pageSize: 100 });
  assert.equal(byPrefix.totalCount, 11);
  assert.ok(byPrefix.buckets.every((b) => b.name.startsWith('photos-1')));

  const third = await client.describePicBuckets({ pageNumber: 3, pageSize: 7 });
  assert.equal(third.pageNumber, 3);
  assert.equal(third.pageSize, 7);
  assert.deepEqual(third.buckets, listed.slice(14, 21));

  const all = await client.describePicBuckets({
    regions: ['ap-shanghai', 'ap-guangzhou'],
    bucketNames: ['photos-2-1250000000', 'nosuch-1250000000', BUCKET],
    bucketNamePrefix: 'photos',
    pageNumber: 1,
    pageSize: 100,
  });
  assert.equal(all.totalCount, 1);
  assert.deepEqual(all.buckets.map((b) => b.name), ['photos-2-1250000000']);

  const past = await client.describePicBuckets({ pageNumber: 1000 });
  assert.deepEqual(past.buckets, []);
  assert.equal(past.totalCount, 130);
});

test('the default AI-queue page: every field of every queue variant', async () => {
  const queues = aiQueues;
  assert.equal(queues.length, 25);
  const page = await client.describeAiQueues(BUCKET);
  assert.equal(page.totalCount, 25);
  assert.equal(page.pageNumber, 1);
  assert.equal(page.pageSize, 10);
  assert.match(page.requestId, /^\S+$/);
  assert.deepEqual(page.nonExistPids, []);
  assert.deepEqual(page.queues, queues.slice(0, 10));
  // Tencent's documentation example, spelled out.
  assert.deepEqual(page.queues[0], {
    queueId: 'p4a17eeea29334bf499b7e20e2fbfd99d',
    name: 'My-Queue-ai',
    state: 'Active',
    notifyConfig: {
      url: 'http://callback.demo.com',
      event: 'TaskFinish,WorkflowFinish',
      type: 'Url',
      state: 'On',
      resultFormat: 'JSON',
      mqMode: null,
      mqRegion: null,
      mqName: null,
      kafkaConfig: null,
    },
    maxSize: 10000,
    maxConcurrent: 10,
    category: 'AIProcess',
    updateTime: '2022-08-09T16:23:11+0800',
    createTime: '2022-08-09T16:23:11+0800',
    bucketId: null,
  });
  assert.equal(page.queues[1].name, `q&<tag> "double" 'single'`);
  assert.equal(page.queues[1].notifyConfig, null);
  assert.equal(page.queues[2].name, '队列-测试');
  assert.equal(page.queues[2].notifyConfig.type, 'TDMQ');
  for (const k of ['mqMode', 'mqRegion', 'mqName']) assert.equal(typeof page.queues[2].notifyConfig[k], 'string');
});

test('AI-queue query: queueIds (no paging fields, nonExistPids), state, paging; no category', async () => {
  const queues = aiQueues;
  const byId = await client.describeAiQueues(BUCKET, { queueIds: ['A', 'p4a17eeea29334bf499b7e20e2fbfd99d', 'B'] });
  assert.equal(byId.totalCount, null);
  assert.equal(byId.pageNumber, null);
  assert.equal(byId.pageSize, null);
  assert.deepEqual(byId.queues, [queues[0]]);
  assert.deepEqual(byId.nonExistPids, ['A', 'B']);

  for (const state of ['Active', 'Paused']) {
    const page = await client.describeAiQueues(BUCKET, { state, pageSize: 100 });
    const want = queues.filter((q) => q.state === state);
    assert.equal(page.totalCount, want.length);
    assert.deepEqual(page.queues, want);
  }

  // Only media queues document `category`: the core refuses it for the others, before sending.
  const sent = (await emu.stats()).requests;
  await assert.rejects(client.describeAiQueues(BUCKET, { category: 'AIProcess' }), { kind: 'invalid_argument', message: /category/ });
  assert.equal((await emu.stats()).requests, sent);

  const combined = await client.describeAiQueues(BUCKET, { state: 'Paused', pageNumber: 2, pageSize: 3 });
  const want = queues.filter((q) => q.state === 'Paused');
  assert.equal(combined.totalCount, want.length);
  assert.equal(combined.pageNumber, 2);
  assert.equal(combined.pageSize, 3);
  assert.deepEqual(combined.queues, want.slice(3, 6));

  const empty = await client.describeAiQueues('emptybucket-1250000000');
  assert.deepEqual(empty.queues, []);
  assert.equal(empty.totalCount, 0);
});

test('async iterators walk every page in order and free their pagers', async () => {
  const before = ci.liveObjects();
  const pages = [];
  for await (const page of client.picBucketPages({ pageSize: 50 })) pages.push(page);
  assert.deepEqual(pages.map((p) => p.buckets.length), [50, 50, 30]);
  assert.deepEqual(pages.flatMap((p) => p.buckets), listed);

  const fromPage2 = [];
  for await (const page of client.picBucketPages({ pageNumber: 2, pageSize: 60, regions: ['ap-guangzhou', 'ap-shanghai'] })) {
    fromPage2.push(...page.buckets);
  }
  assert.deepEqual(fromPage2, listed.filter((b) => ['ap-guangzhou', 'ap-shanghai'].includes(b.region)).slice(60));

  const queues = [];
  for await (const page of client.aiQueuePages(BUCKET, { pageSize: 7 })) queues.push(...page.queues);
  assert.deepEqual(queues, aiQueues);

  const byId = [];
  for await (const page of client.aiQueuePages(BUCKET, { queueIds: ['p4a17eeea29334bf499b7e20e2fbfd99d', 'X'] })) byId.push(page);
  assert.equal(byId.length, 1);
  assert.deepEqual(byId[0].nonExistPids, ['X']);

  // next() called again before the last settled still gives pages in order.
  const it = client.picBucketPages({ pageSize: 40 });
  const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next(), it.next()]);
  assert.deepEqual(results.map((r) => r.done), [false, false, false, false, true, true]);
  assert.deepEqual(results.slice(0, 4).map((r) => r.value.pageNumber), [1, 2, 3, 4]);

  // Breaking out releases the pager at once.
  for await (const page of client.aiQueuePages(BUCKET, { pageSize: 5 })) {
    assert.equal(page.queues.length, 5);
    break;
  }
  assert.equal(ci.liveObjects(), before);
});

test('a pager with an unusable query throws at once; one whose request fails rejects and ends', async () => {
  assert.throws(() => client.picBucketPages({ pageSize: 500 }), { name: 'CIError', kind: 'invalid_argument' });
  assert.throws(() => client.aiQueuePages('Bad Bucket'), { kind: 'invalid_argument' });
  const it = client.aiQueuePages('nosuchbucket-1250000000');
  await assert.rejects(it.next(), { kind: 'service', code: 'NoSuchBucket', httpStatus: 404 });
  assert.deepEqual(await it.next(), { value: undefined, done: true });
});

test('a call after close() rejects clearly; close() is idempotent; in-flight calls finish', async () => {
  const c = new ci.Client(emulatorOptions(emu.addr));
  await emu.fault({ kind: 'delay', delay_ms: 300, times: 6, path: '/ai_queue', bucket: 'emptybucket-1250000000' });
  const inFlight = [];
  for (let i = 0; i < 6; i++) inFlight.push(c.describeAiQueues('emptybucket-1250000000'));
  const pages = c.aiQueuePages(BUCKET, { pageSize: 10 });
  const first = await pages.next();
  assert.equal(first.done, false);
  // A page request of another walk, in flight (delayed) when the client closes.
  const other = c.picBucketPages({ pageSize: 10 });
  await emu.fault({ kind: 'delay', delay_ms: 300, times: 1, path: '/picbucket' });
  const otherFirst = other.next();
  await new Promise((r) => setTimeout(r, 50));
  c.close();
  c.close();
  assert.equal(c.closed, true);
  await assert.rejects(c.describePicBuckets(), (e) => {
    assert.ok(e instanceof ci.CIError);
    assert.equal(e.kind, 'invalid_argument');
    assert.match(e.message, /closed/);
    return true;
  });
  await assert.rejects(c.describeAiQueues(BUCKET), /closed/);
  assert.throws(() => c.picBucketPages(), /closed/);
  await assert.rejects(pages.next(), /closed/);
  assert.equal((await otherFirst).value.buckets.length, 10);
  await assert.rejects(other.next(), /closed/);
  const settled = await Promise.allSettled(inFlight);
  assert.deepEqual(settled.map((s) => s.status), Array(6).fill('fulfilled'));
  assert.ok(settled.every((s) => s.value.queues.length === 0));
  assert.equal(ci.liveObjects(), 1); // only the shared test client
});

test('forgotten clients and iterators are released by the garbage collector', async () => {
  const v8 = require('node:v8');
  const vm = require('node:vm');
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const before = ci.liveObjects();
  (() => {
    for (let i = 0; i < 20; i++) {
      const c = new ci.Client(emulatorOptions(emu.addr));
      c.picBucketPages({ pageSize: 10 });
    }
  })();
  assert.equal(ci.liveObjects(), before + 40);
  for (let i = 0; i < 50 && ci.liveObjects() > before; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(ci.liveObjects(), before);
});

test('results hold no C memory: pages stay readable after the library freed them', async () => {
  const before = ci.liveObjects();
  const page = await client.describeAiQueues(BUCKET, { pageSize: 100 });
  assert.equal(ci.liveObjects(), before);
  // Garbage-heavy work that would reuse freed native memory.
  for (let i = 0; i < 20; i++) await client.describePicBuckets({ pageSize: 100 });
  assert.deepEqual(page.queues, aiQueues);
});
