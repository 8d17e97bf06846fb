'use strict';
// The event loop is never blocked: 50 calls in flight (each answer delayed
// 300 ms by the emulator) while a 10 ms interval timer keeps firing.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const { measureLateness, fiftyDelayedCalls } = require('./lateness');
const native = require('../lib/native');
const ci = require('..');

let emu;
test.before(async () => {
  emu = await startEmulator();
});
test.after(() => emu.stop());

// A blocked loop is late by a whole call (300 ms, see the control below);
// 150 ms leaves room for a CPU shared with builds.
const LIMIT_MS = 150;

test('the measurement sees a blocked loop: one synchronous 300 ms native call', async () => {
  // The same native function called synchronously (as a binding without
  // koffi's .async would): the timer must come out at least ~300 ms late.
  await emu.fault({ kind: 'delay', delay_ms: 300, times: 1, path: '/ai_queue' });
  const clientPtr = (() => {
    const out = [null];
    const err = native.fns.ci_client_new(
      { secret_id: 'AKIDemulatorEXAMPLE', secret_key: 'emulator-secret-key', region: 'ap-guangzhou', connect_to: emu.addr, scheme: 2, proxy_mode: 1 },
      out,
    );
    assert.equal(err, null);
    return out[0];
  })();
  const m = await measureLateness(async () => {
    await new Promise((r) => setTimeout(r, 30));
    const out = [null];
    assert.equal(native.fns.ci_describe_ai_queues(clientPtr, BUCKET, null, out), null);
    native.fns.ci_free(out[0]);
  });
  native.fns.ci_free(clientPtr);
  console.log(`blocking control: worst timer lateness ${m.worstLateMs.toFixed(1)} ms`);
  assert.ok(m.worstLateMs >= 250, `a blocking call went unnoticed (${m.worstLateMs} ms)`);
});

test('50 calls in flight: the 10 ms timer stays on schedule (default libuv pool of 4)', async () => {
  const before = (await emu.stats()).requests;
  const m = await fiftyDelayedCalls(emu.addr, 300);
  console.log(
    `50 calls x 300 ms delay, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE || 'default (4)'}: ` +
      `worst timer lateness ${m.worstLateMs.toFixed(1)} ms over ${m.ticks} ticks, all done in ${m.elapsedMs.toFixed(0)} ms`,
  );
  assert.equal(m.result, 50);
  assert.equal((await emu.stats()).requests - before, 50);
  assert.ok(m.elapsedMs >= 300, 'the delay fault was in force');
  assert.ok(m.ticks >= m.elapsedMs / 10 / 2, `only ${m.ticks} ticks in ${m.elapsedMs} ms`);
  assert.ok(m.worstLateMs < LIMIT_MS, `the event loop was blocked for ${m.worstLateMs} ms`);
});

test('with UV_THREADPOOL_SIZE=64 the 50 calls really run at once, loop still free', () => {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'lateness.js'), emu.addr], {
    env: { ...process.env, UV_THREADPOOL_SIZE: '64' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout.trim().split('\n').pop());
  console.log(
    `50 calls x 300 ms delay, UV_THREADPOOL_SIZE=64: worst timer lateness ${m.worstLateMs.toFixed(1)} ms over ${m.ticks} ticks, ` +
      `all done in ${m.elapsedMs.toFixed(0)} ms`,
  );
  assert.equal(m.result, 50);
  assert.ok(m.elapsedMs < 50 * 300 / 4, `the calls did not overlap (${m.elapsedMs} ms)`);
  assert.ok(m.worstLateMs < LIMIT_MS, `the event loop was blocked for ${m.worstLateMs} ms`);
});

test('8 calls waiting on a slow async credentials function (1 s): the loop runs on, one fetch', async () => {
  // The library calls the credentials callback on the calls' worker
  // threads; koffi relays it to the JS thread, where it only starts the
  // Promise and answers "pending"; the workers wait inside the library
  // and the timer below must keep firing meanwhile.
  let calls = 0;
  const { secretId, secretKey, ...rest } = emulatorOptions(emu.addr);
  const client = new ci.Client({
    ...rest,
    credentials: async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 1000));
      return { secretId, secretKey, expiresAt: new Date(Date.now() + 3600_000) };
    },
  });
  try {
    const m = await measureLateness(() => Promise.all(Array.from({ length: 8 }, () => client.describeAiQueues(BUCKET))));
    console.log(
      `8 calls waiting on a 1 s async credentials function: worst timer lateness ${m.worstLateMs.toFixed(1)} ms over ${m.ticks} ticks, ` +
        `all done in ${m.elapsedMs.toFixed(0)} ms, ${calls} fetch`,
    );
    assert.equal(m.result.length, 8);
    assert.equal(calls, 1);
    assert.equal(client.credentialFetches(), 1);
    assert.ok(m.elapsedMs >= 1000, 'the calls waited for the credentials');
    assert.ok(m.ticks >= m.elapsedMs / 10 / 2, `only ${m.ticks} ticks in ${m.elapsedMs} ms`);
    assert.ok(m.worstLateMs < LIMIT_MS, `the event loop was blocked for ${m.worstLateMs} ms`);
  } finally {
    client.close();
  }
});
