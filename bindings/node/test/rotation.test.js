'use strict';
// The run across many expiries: one client, credentials that last 5 s,
// eight concurrent promise chains calling for CI_ROTATION_SECS (default
// 60) seconds, no failed call, and one refresh per expiry rather than one
// per chain. Once with the CVM role (the emulator issues and counts the
// keys), once with a JS function handing out keys that expire 5 s ahead
// (through a Promise, the path that waits off the event loop). The two run
// at the same time, each on its own emulator.

const test = require('node:test');
const assert = require('node:assert/strict');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const { measureLateness } = require('./lateness');
const ci = require('..');

const SECS = Number(process.env.CI_ROTATION_SECS || 60);
const LIFETIME = 5;
const CHAINS = 8;
// One refresh per lifetime at least (a fifth of it is the refresh margin,
// so about one per 4 s), and never one per chain.
const MIN_FETCHES = Math.floor(SECS / LIFETIME);
const MAX_FETCHES = Math.floor(SECS / 4) + 2;

/** Eight chains of calls on `client` until `SECS` have passed; the calls that succeeded and failed. */
async function eightChains(client) {
  const end = Date.now() + SECS * 1000;
  const counts = { ok: 0, failed: 0, failures: [] };
  const chain = async (i) => {
    while (Date.now() < end) {
      try {
        await (i % 2 ? client.describeAiQueues(BUCKET) : client.describePicBuckets());
        counts.ok++;
      } catch (e) {
        counts.failed++;
        if (counts.failures.length < 5) counts.failures.push(`${e.kind}: ${e.message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CHAINS }, (_, i) => chain(i)));
  return counts;
}

/** Options for the emulator at `emu`, without keys. */
function sourceOptions(emu, extra) {
  const o = emulatorOptions(emu.addr, extra);
  delete o.secretId;
  delete o.secretKey;
  return o;
}

test.describe(`${SECS} s across ${LIFETIME} s credentials, ${CHAINS} concurrent chains`, { concurrency: true }, () => {
  test('the CVM role: every refresh counted by the emulator, no failed call', async () => {
    const emu = await startEmulator(['--credential-lifetime-secs', String(LIFETIME)]);
    try {
      const client = new ci.Client(sourceOptions(emu, { credentials: 'cvm', metadataEndpoint: `${emu.base}/latest/meta-data/cam/security-credentials/` }));
      const counts = await eightChains(client);
      const fetches = client.credentialFetches();
      client.close();
      const stats = await (await fetch(`${emu.base}/__emulator/credentials`)).json();
      console.log(
        `CVM role, ${SECS} s, ${LIFETIME} s keys, ${CHAINS} chains: ${counts.ok} calls, ${counts.failed} failed, ` +
          `${fetches} refreshes (credentialFetches), issued.metadata ${stats.issued.metadata}, ` +
          `accepted_requests ${stats.issued.accepted_requests}, expired_token_answers ${stats.expired_token_answers}`,
      );
      assert.deepEqual(counts.failures, []);
      assert.equal(counts.failed, 0);
      assert.ok(counts.ok > 0);
      assert.equal(fetches, stats.issued.metadata, 'each fetch is one issue');
      assert.ok(fetches >= MIN_FETCHES && fetches <= MAX_FETCHES, `${fetches} fetches, expected ${MIN_FETCHES} to ${MAX_FETCHES}`);
    } finally {
      await emu.stop();
    }
  });

  test('a JS function (a Promise) handing out keys that expire 5 s ahead: one call per expiry window, loop free', async () => {
    const emu = await startEmulator();
    try {
      let calls = 0;
      const credentials = async () => {
        calls++;
        // Off the event loop's critical path, as a vault request would be.
        await new Promise((r) => setTimeout(r, 20));
        // The ABI takes whole seconds: round up so the keys last at least 5 s.
        return { secretId: 'AKIDemulatorEXAMPLE', secretKey: 'emulator-secret-key', expiresAt: Math.ceil(Date.now() / 1000) + LIFETIME };
      };
      const client = new ci.Client(sourceOptions(emu, { credentials }));
      const m = await measureLateness(() => eightChains(client));
      const counts = m.result;
      const fetches = client.credentialFetches();
      client.close();
      console.log(
        `JS function, ${SECS} s, ${LIFETIME} s keys, ${CHAINS} chains: ${counts.ok} calls, ${counts.failed} failed, ` +
          `${calls} function calls, ${fetches} refreshes (credentialFetches); worst 10 ms timer lateness ${m.worstLateMs.toFixed(1)} ms over ${m.ticks} ticks`,
      );
      assert.deepEqual(counts.failures, []);
      assert.equal(counts.failed, 0);
      assert.ok(counts.ok > 0);
      assert.equal(calls, fetches, 'each fetch is one call of the function');
      assert.ok(calls >= MIN_FETCHES && calls <= MAX_FETCHES, `${calls} calls, expected ${MIN_FETCHES} to ${MAX_FETCHES}`);
    } finally {
      await emu.stop();
    }
  });
});
