'use strict';
// The example program prints every bucket and every queue, and reports a
// failure as a CIError with its kind and code.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { startEmulator } = require('./emulator');

const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'list.js');

test('examples/list.js against the emulator', async () => {
  const emu = await startEmulator();
  try {
    const run = (args) =>
      spawnSync(process.execPath, [EXAMPLE, ...args], { env: { ...process.env, CI_EMULATOR_ADDR: emu.addr }, encoding: 'utf8', timeout: 60_000 });
    const r = run([]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Image-processing buckets \(130 listed, TotalCount 130\)/);
    assert.match(r.stdout, /^1 +examplebucket-1250000000 +ap-guangzhou +2019-11-15T12:12:12\+0800$/m);
    assert.match(r.stdout, /^130 +\S+-1250000000 +ap-singapore/m);
    assert.match(r.stdout, /AI queues of examplebucket-1250000000 \(25\)/);
    assert.match(r.stdout, /^p4a17eeea29334bf499b7e20e2fbfd99d +My-Queue-ai +Active +AIProcess +10000 +10 +Url On http:\/\/callback\.demo\.com/m);
    assert.match(r.stdout, /队列-测试/);
    const bad = run(['nosuchbucket-1250000000']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /error \(service NoSuchBucket, HTTP 404\)/);
    assert.match(bad.stderr, /request id: \S+/);
  } finally {
    await emu.stop();
  }
});
