'use strict';
// Every error kind as a user sees it: a CIError with kind, an actionable
// message, and the service's code, request id and HTTP status when it answered.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const ci = require('..');

let emu;
let client;

test.before(async () => {
  emu = await startEmulator();
  client = new ci.Client(emulatorOptions(emu.addr, { maxRetries: 0 }));
});

test.after(async () => {
  client.close();
  await emu.stop();
  assert.equal(ci.liveObjects(), 0);
});

/** Checks the common shape of every CIError, then the given fields. */
function isCIError(expected) {
  return (e) => {
    assert.ok(e instanceof ci.CIError, `expected a CIError, got ${e}`);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'CIError');
    assert.equal(typeof e.message, 'string');
    assert.ok(e.message.length > 10, `message too short to act on: ${e.message}`);
    assert.ok(Object.values(ci.ErrorKind).includes(e.kind));
    for (const [k, v] of Object.entries(expected)) {
      if (v instanceof RegExp) assert.match(String(e[k]), v, k);
      else assert.equal(e[k], v, k);
    }
    return true;
  };
}

test('invalid_argument: found by the core before anything is sent', async () => {
  const sent = (await emu.stats()).requests;
  await assert.rejects(client.describePicBuckets({ pageSize: 101 }), isCIError({ kind: 'invalid_argument', code: null, httpStatus: null, requestId: null }));
  await assert.rejects(client.describePicBuckets({ regions: ['ap-shanghai,ap-beijing'] }), isCIError({ kind: 'invalid_argument' }));
  await assert.rejects(client.describeAiQueues('a.evil.com/x'), isCIError({ kind: 'invalid_argument', message: /bucket/i }));
  assert.throws(() => new ci.Client({ secretId: 'a', secretKey: 'k', region: 'ap-guangzhou.evil.com' }), isCIError({ kind: 'invalid_argument' }));
  assert.throws(() => new ci.Client({}), isCIError({ kind: 'invalid_argument', message: /secret_id|TENCENTCLOUD_SECRET_ID/ }));
  assert.equal((await emu.stats()).requests, sent, 'nothing reached the emulator');
});

test('invalid_argument: values the binding cannot convert', async () => {
  const cases = [
    () => new ci.Client({ ...emulatorOptions(emu.addr), secretID: 'typo' }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), scheme: 'ftp' }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), proxy: 'sometimes' }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), timeoutMs: -1 }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), timeoutMs: 0 }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), maxRetries: 1.5 }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), region: 42 }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), secretKey: 'a\0b' }),
    () => new ci.Client({ ...emulatorOptions(emu.addr), fromEnv: 'yes' }),
  ];
  for (const make of cases) assert.throws(make, isCIError({ kind: 'invalid_argument' }));
  // Page size 0 is sent as set (has_page_size = 1), so the core refuses it as out of range.
  await assert.rejects(client.describePicBuckets({ pageSize: 0 }), isCIError({ kind: 'invalid_argument', message: /page_size must be between 1 and 100, got 0/ }));
  await assert.rejects(client.describePicBuckets({ pageSize: -1 }), isCIError({ kind: 'invalid_argument', message: /pageSize/ }));
  await assert.rejects(client.describePicBuckets({ regions: 'ap-shanghai' }), isCIError({ kind: 'invalid_argument', message: /regions/ }));
  await assert.rejects(client.describePicBuckets({ page_size: 5 }), isCIError({ kind: 'invalid_argument', message: /page_size/ }));
  await assert.rejects(client.describeAiQueues(BUCKET, { state: 'Running' }), isCIError({ kind: 'invalid_argument', message: /Active/ }));
  await assert.rejects(client.describeAiQueues(BUCKET, { queueIds: [1] }), isCIError({ kind: 'invalid_argument' }));
  await assert.rejects(client.describeAiQueues(42), isCIError({ kind: 'invalid_argument' }));
});

test('null_argument: a missing bucket reaches the core as NULL', async () => {
  await assert.rejects(client.describeAiQueues(undefined), isCIError({ kind: 'null_argument', message: /bucket/ }));
  await assert.rejects(client.describeAiQueues(null), isCIError({ kind: 'null_argument' }));
  assert.throws(() => client.aiQueuePages(null), isCIError({ kind: 'null_argument' }));
  assert.throws(() => new ci.Client({ secretId: 'a', secretKey: 'k', region: 'ap-guangzhou', proxy: { url: undefined } }), isCIError({ kind: 'null_argument' }));
});

test('service: unknown bucket, wrong key, 5xx after retries, throttling', async () => {
  await assert.rejects(
    client.describeAiQueues('nosuchbucket-1250000000'),
    isCIError({ kind: 'service', code: 'NoSuchBucket', httpStatus: 404, requestId: /^\S+$/ }),
  );
  const wrong = new ci.Client(emulatorOptions(emu.addr, { secretKey: 'wrong-key' }));
  await assert.rejects(
    wrong.describePicBuckets(),
    isCIError({ kind: 'service', code: 'SignatureDoesNotMatch', httpStatus: 403, requestId: /^\S+$/, message: /SignatureDoesNotMatch/ }),
  );
  await assert.rejects(wrong.describeAiQueues(BUCKET), isCIError({ code: 'SignatureDoesNotMatch' }));
  wrong.close();

  const retrying = new ci.Client(emulatorOptions(emu.addr, { maxRetries: 2 }));
  await assert.rejects(retrying.describeAiQueues('broken-1250000000'), isCIError({ kind: 'service', code: 'InternalError', httpStatus: 500 }));
  await assert.rejects(retrying.describeAiQueues('throttled-1250000000'), isCIError({ kind: 'service', code: 'SlowDown', httpStatus: 503 }));
  const flaky = await retrying.describeAiQueues('flaky-1250000000');
  assert.equal(flaky.queues.length, 1);
  retrying.close();
});

test('network: a reset connection and a truncated answer', async () => {
  await assert.rejects(client.describeAiQueues('reset-1250000000'), isCIError({ kind: 'network', httpStatus: null, code: null }));
  await assert.rejects(client.describeAiQueues('truncated-1250000000'), isCIError({ kind: 'network' }));
});

test('timeout: the per-call timeoutMs and the client timeoutMs', async () => {
  let t0 = Date.now();
  await assert.rejects(client.describeAiQueues('slow-1250000000', { timeoutMs: 300 }), isCIError({ kind: 'timeout' }));
  assert.ok(Date.now() - t0 < 1500, `gave up after ${Date.now() - t0} ms`);
  const quick = new ci.Client(emulatorOptions(emu.addr, { timeoutMs: 250, maxRetries: 0 }));
  t0 = Date.now();
  await assert.rejects(quick.describeAiQueues('slow-1250000000'), isCIError({ kind: 'timeout' }));
  assert.ok(Date.now() - t0 < 1500);
  // The per-call value wins over the client's.
  await emu.fault({ kind: 'delay', delay_ms: 400, times: 1, path: '/picbucket' });
  const page = await quick.describePicBuckets({ timeoutMs: 3000 });
  assert.equal(page.totalCount, 130);
  quick.close();
});

test('parse: a 2xx answer that is not the expected XML', async () => {
  await assert.rejects(client.describeAiQueues('malformed-1250000000'), isCIError({ kind: 'parse', httpStatus: 200 }));
});

test('response_too_large: maxResponseBytes caps the answer', async () => {
  const capped = new ci.Client(emulatorOptions(emu.addr, { maxResponseBytes: 65536 }));
  await assert.rejects(capped.describeAiQueues('huge-1250000000'), isCIError({ kind: 'response_too_large' }));
  // The default cap (16 MiB) also refuses the 64 MiB body.
  await assert.rejects(client.describeAiQueues('huge-1250000000'), isCIError({ kind: 'response_too_large' }));
  capped.close();
});

test('panic: a panic inside the core arrives as a CIError, not a crash', async () => {
  await assert.rejects(ci.debugPanic('boom from the test'), isCIError({ kind: 'panic', message: /boom from the test/ }));
  await assert.rejects(ci.debugPanic(), isCIError({ kind: 'panic' }));
  // The process and the client carry on.
  assert.equal((await client.describePicBuckets()).totalCount, 130);
});

test('errors free their native objects before the Promise settles', async () => {
  const before = ci.liveObjects();
  const failures = await Promise.allSettled([
    client.describeAiQueues('nosuchbucket-1250000000'),
    client.describeAiQueues('malformed-1250000000'),
    client.describePicBuckets({ pageSize: 101 }),
    ci.debugPanic('x'),
  ]);
  assert.ok(failures.every((f) => f.status === 'rejected'));
  assert.equal(ci.liveObjects(), before);
});
