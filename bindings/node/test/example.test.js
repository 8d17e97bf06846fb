'use strict';
// The example program prints each service's buckets and one bucket's queues
// of each kind (first rows and counts), and reports a failure as a CIError
// with its kind and code.

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
    for (const [title, count] of [
      ['Media processing buckets', 87], ['Image processing buckets', 130], ['AI content recognition buckets', 44],
      ['Speech recognition buckets', 26], ['Document processing buckets', 19], ['File processing buckets', 12],
      ['Buckets bound to Cloud Infinite', 139],
      ['Media queues of examplebucket-1250000000', 23], ['Image queues of examplebucket-1250000000', 12],
      ['AI queues of examplebucket-1250000000', 25], ['Speech queues of examplebucket-1250000000', 7],
      ['Document queues of examplebucket-1250000000', 11], ['File queues of examplebucket-1250000000', 4],
    ]) {
      assert.match(r.stdout, new RegExp(`^${title}: ${count} \\(first 3\\)$`, 'm'), title);
    }
    assert.match(r.stdout, /^examplebucket-1250000000 +ap-guangzhou +2019-11-15T12:12:12\+0800 +preview0-1250000000$/m);
    assert.match(r.stdout, /^examplebucket-1250000000 +1250000000 +ap-guangzhou +on/m);
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
