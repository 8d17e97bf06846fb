'use strict';
// 10,000 calls with the resident set flat: nothing native or JS piles up
// per call (pages, errors, koffi argument memory, promises).

const test = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const ci = require('..');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

const MiB = 1024 * 1024;

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return process.memoryUsage().rss;
}

/** `n` calls, `width` at a time: both calls, successes and service errors. */
async function calls(client, n, width = 8) {
  let next = 0;
  let ok = 0;
  const lane = async () => {
    while (next < n) {
      const i = next++;
      if (i % 10 === 9) {
        await assert.rejects(client.describeAiQueues('nosuchbucket-1250000000'), { code: 'NoSuchBucket' });
      } else if (i % 2) {
        const page = await client.describePicBuckets({ pageSize: 10 });
        if (page.buckets.length === 10) ok++;
      } else {
        const page = await client.describeAiQueues(BUCKET, { pageSize: 10 });
        if (page.queues.length === 10) ok++;
      }
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return ok;
}

test('10k calls: RSS after warm-up and after 10k calls stays flat', { timeout: 240_000 }, async () => {
  const emu = await startEmulator();
  const client = new ci.Client(emulatorOptions(emu.addr));
  try {
    const baseObjects = ci.liveObjects();
    await calls(client, 2000);
    const warm = await settledRss();
    const t0 = Date.now();
    const ok = await calls(client, 10_000);
    const secs = (Date.now() - t0) / 1000;
    const after = await settledRss();
    const growth = after - warm;
    console.log(
      `RSS after warm-up (2000 calls): ${(warm / MiB).toFixed(1)} MiB; after 10000 more calls: ${(after / MiB).toFixed(1)} MiB; ` +
        `growth ${(growth / MiB).toFixed(2)} MiB (${(growth / 10_000).toFixed(0)} bytes/call); ${(10_000 / secs).toFixed(0)} calls/s`,
    );
    assert.equal(ok, 9000);
    assert.equal(ci.liveObjects(), baseObjects, 'every page and error was freed');
    // A leaked page of 10 items is 1.5 KiB or more (10k of them: > 14 MiB);
    // glibc's per-thread arenas alone move RSS by a few MiB now and then.
    assert.ok(growth < 10 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB over 10k calls`);
  } finally {
    client.close();
    await emu.stop();
  }
});
