'use strict';
// Credentials against the emulator: a JS function (plain values and a
// Promise) as the provider, one fetch for concurrent calls, a function
// that throws or rejects, rotation by hand, the CVM role, TKE OIDC, the
// profile file, the environment and the default chain (the last four in a
// child process with its own environment), what the options refuse, and
// the callback's lifetime. Nothing dials anything but 127.0.0.1: every
// metadata and STS endpoint is the emulator.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const ci = require('..');

const KEYS = { secretId: 'AKIDemulatorEXAMPLE', secretKey: 'emulator-secret-key' };
const ROLE_ARN = 'qcs::cam::uin/100000000001:roleName/emulator-oidc-role';

let emu;
let metadataEndpoint;
let tmp;
test.before(async () => {
  emu = await startEmulator();
  metadataEndpoint = `${emu.base}/latest/meta-data/cam/security-credentials/`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-node-creds-'));
});
test.after(async () => {
  await emu.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
  assert.equal(ci.liveObjects(), 0, 'every native object was freed');
});

/** The emulator's credential counters. */
async function credentialStats() {
  const res = await fetch(`${emu.base}/__emulator/credentials`, { signal: AbortSignal.timeout(10_000) });
  return res.json();
}

/** Emulator options without keys, for a client whose keys come from `credentials`. */
function sourceOptions(extra) {
  const o = emulatorOptions(emu.addr, extra);
  delete o.secretId;
  delete o.secretKey;
  return o;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const inAnHour = () => new Date(Date.now() + 3600_000);

test('a function returning plain values: called once for keys valid an hour, not before the first call', async () => {
  let calls = 0;
  let self = null;
  const credentials = function () {
    self = this;
    calls++;
    return { ...KEYS, expiresAt: inAnHour() };
  };
  const client = new ci.Client(sourceOptions({ credentials }));
  // Neither making the client nor a pager asks: the first request does.
  const pages = client.picBucketPages();
  assert.equal(calls, 0);
  for (let i = 0; i < 3; i++) assert.equal((await client.describePicBuckets()).buckets.length > 0, true);
  for await (const page of pages) assert.ok(page.buckets);
  assert.equal(calls, 1);
  assert.equal(self, undefined, 'called as a plain function, not as a method of the package\'s objects');
  assert.equal(client.credentialFetches(), 1);
  client.close();
});

test('a function returning a Promise: eight concurrent calls wait on one fetch', async () => {
  let calls = 0;
  const client = new ci.Client(
    sourceOptions({
      credentials: async () => {
        calls++;
        await sleep(200);
        return { ...KEYS, sessionToken: null, expiresAt: Math.floor(Date.now() / 1000) + 3600 };
      },
    }),
  );
  const pages = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? client.describeAiQueues(BUCKET) : client.describeMediaBuckets())));
  assert.equal(pages.length, 8);
  assert.equal(calls, 1, 'one fetch for all eight');
  assert.equal(client.credentialFetches(), 1);
  client.close();
});

test('a Promise that needs the thread pool (fs.promises) still settles with eight calls waiting on it', async () => {
  // With every pool thread waiting for the Promise, its file read could
  // never run and every call would end in its timeout; the package keeps
  // one pool thread free of such calls.
  const file = path.join(tmp, 'keys.json');
  fs.writeFileSync(file, JSON.stringify(KEYS));
  const client = new ci.Client(sourceOptions({ timeoutMs: 8000, credentials: async () => JSON.parse(await fs.promises.readFile(file, 'utf8')) }));
  const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.describePicBuckets()));
  assert.deepEqual(results.map((r) => r.status === 'fulfilled' ? 'ok' : r.reason.message), Array(8).fill('ok'));
  client.close();
});

test('a function that throws, rejects or returns no credentials: a credentials CIError with its message, no crash', async () => {
  const cases = [
    [() => { throw new Error('the vault is sealed'); }, /the credentials callback failed: .*the vault is sealed/],
    [async () => { await sleep(20); throw new TypeError('no vault here'); }, /the credentials callback failed: TypeError: no vault here/],
    [() => Promise.reject('just a string'), /the credentials callback failed: threw "just a string"/],
    [() => 42, /result must be an object \{ secretId, secretKey, sessionToken\?, expiresAt\? \}, not number/],
    [async () => ({ secretId: 'AKIDx' }), /secretKey is required/],
    [() => ({ ...KEYS, expiresAt: Date.now() }), /looks like milliseconds/],
    [async () => ({ secretId: 'AK ID', secretKey: 'k' }), /secret_id has a character that is not printable ASCII/],
    [() => ({ ...KEYS, secretID: 'typo' }), /unknown the credentials function's result field "secretID"/],
    [() => { throw new Error(`long ${'é'.repeat(2000)}`); }, /the credentials callback failed: .*long é+/],
  ];
  for (const [fn, message] of cases) {
    const client = new ci.Client(sourceOptions({ credentials: fn, maxRetries: 0 }));
    await assert.rejects(client.describePicBuckets(), (e) => {
      assert.ok(e instanceof ci.CIError);
      assert.equal(e.kind, 'credentials', e.message);
      assert.match(e.message, message);
      return true;
    });
    client.close();
  }
  // Keys that are wrong (not refused): the service's answer, as with fixed keys.
  const wrong = new ci.Client(sourceOptions({ credentials: async () => ({ ...KEYS, secretKey: 'not-the-key' }) }));
  await assert.rejects(wrong.describePicBuckets(), { kind: 'service', code: 'SignatureDoesNotMatch' });
  wrong.close();
});

test('a failed fetch is asked again on the next call; a late rejection does not fail the next wait', async () => {
  let calls = 0;
  const client = new ci.Client(
    sourceOptions({
      timeoutMs: 300,
      maxRetries: 0,
      credentials: () => {
        calls++;
        // The first Promise outlives its call's timeout (300 ms) and
        // rejects at 600 ms, while the second call waits for the second
        // (until about 800 ms): that wait must not take the old failure.
        if (calls === 1) return sleep(600).then(() => { throw new Error('too late'); });
        return sleep(500).then(() => ({ ...KEYS, expiresAt: inAnHour() }));
      },
    }),
  );
  let rejectedLate = false;
  process.once('unhandledRejection', () => (rejectedLate = true));
  await assert.rejects(client.describePicBuckets(), (e) => /timeout/.test(e.message) && /credentials callback/.test(e.message));
  const page = await client.describePicBuckets({ timeoutMs: 5000 });
  assert.ok(page.buckets.length > 0);
  assert.equal(rejectedLate, false, 'the late rejection was handled by the package');
  assert.equal(calls, 2);
  client.close();
});

test('setCredentials rotates by hand; refused keys throw; closed clients throw', async () => {
  const client = new ci.Client(emulatorOptions(emu.addr, { secretKey: 'not-the-key', maxRetries: 0 }));
  await assert.rejects(client.describePicBuckets(), { code: 'SignatureDoesNotMatch' });
  client.setCredentials({ ...KEYS, expiresAt: null });
  assert.ok((await client.describePicBuckets()).buckets.length > 0);
  assert.equal(client.credentialFetches(), 0, 'fixed keys are never fetched');
  assert.throws(() => client.setCredentials({ secretId: '', secretKey: 'k' }), { kind: 'invalid_argument' });
  assert.throws(() => client.setCredentials({ secretId: 'AKID' }), { kind: 'invalid_argument', message: /credentials.secretKey is required/ });
  assert.throws(() => client.setCredentials('AKID:key'), { kind: 'invalid_argument' });
  assert.throws(() => client.setCredentials({ ...KEYS, expiresAt: new Date(NaN) }), { kind: 'invalid_argument' });
  // The keys set above still sign.
  assert.ok((await client.describePicBuckets()).buckets.length > 0);
  client.close();
  assert.throws(() => client.setCredentials(KEYS), { kind: 'invalid_argument', message: /closed/ });
  assert.throws(() => client.credentialFetches(), { kind: 'invalid_argument', message: /closed/ });

  // With a provider: set keys serve until they near their expiry.
  let calls = 0;
  const provided = new ci.Client(sourceOptions({ credentials: () => (calls++, { ...KEYS, secretKey: 'not-the-key' }) }));
  provided.setCredentials({ ...KEYS, expiresAt: inAnHour() });
  assert.ok((await provided.describePicBuckets()).buckets.length > 0);
  assert.equal(calls, 0);
  provided.close();
});

test('the CVM role through metadataEndpoint: one fetch, counted by the emulator; a role not bound is a credentials error', async () => {
  await emu.reset();
  const client = new ci.Client(sourceOptions({ credentials: 'cvm', metadataEndpoint }));
  for (let i = 0; i < 3; i++) await client.describeMediaQueues(BUCKET);
  assert.equal(client.credentialFetches(), 1);
  assert.equal((await credentialStats()).issued.metadata, 1);
  client.close();

  const named = new ci.Client(sourceOptions({ credentials: 'cvm', cvmRole: 'emulator-role', metadataEndpoint }));
  await named.describePicBuckets();
  named.close();
  const missing = new ci.Client(sourceOptions({ credentials: 'cvm', cvmRole: 'no-such-role', metadataEndpoint, maxRetries: 0 }));
  await assert.rejects(missing.describePicBuckets(), (e) => e.kind === 'credentials' && /no-such-role/.test(e.message));
  missing.close();
});

/** Runs test/credentials_child.js with `env` (and nothing of this process's TENCENTCLOUD_/TKE_ variables). */
function inChild(options, env, calls = 2) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TENCENTCLOUD_|TKE_)/.test(k)));
  const home = fs.mkdtempSync(path.join(tmp, 'home-'));
  const r = spawnSync(process.execPath, [path.join(__dirname, 'credentials_child.js'), JSON.stringify({ options, calls })], {
    env: { ...clean, HOME: home, TENCENTCLOUD_REGION: 'ap-guangzhou', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

/** Client options of a child: the emulator, and the keys from `credentials`. */
function childOptions(extra) {
  return { connectTo: emu.addr, scheme: 'http', proxy: 'disabled', retryBaseDelayMs: 5, ...extra };
}

test('TKE OIDC through stsEndpoint with the TKE_* variables (a child process)', async () => {
  await emu.reset();
  const tokenFile = path.join(tmp, 'web-identity-token');
  fs.writeFileSync(tokenFile, 'emulator-web-identity-token');
  const tke = { TKE_REGION: 'ap-guangzhou', TKE_PROVIDER_ID: 'emulator-oidc-provider', TKE_WEB_IDENTITY_TOKEN_FILE: tokenFile, TKE_ROLE_ARN: ROLE_ARN };
  const r = inChild(childOptions({ credentials: 'oidc', stsEndpoint: `${emu.base}/` }), tke);
  assert.deepEqual(r, { ok: 2, fetches: 1, error: null });
  assert.equal((await credentialStats()).issued.sts, 1);
  // A token STS refuses: a credentials error naming what STS said.
  fs.writeFileSync(tokenFile, 'not-the-token');
  const refused = inChild(childOptions({ credentials: 'oidc', stsEndpoint: `${emu.base}/`, maxRetries: 0 }), tke);
  assert.equal(refused.error.kind, 'credentials', refused.error.message);
  assert.match(refused.error.message, /WebIdentityTokenError/);
});

test('the profile file through TENCENTCLOUD_CREDENTIALS_FILE, default and named sections (a child process)', () => {
  const file = path.join(tmp, 'credentials');
  fs.writeFileSync(file, `[default]\nsecret_id = ${KEYS.secretId}\nsecret_key = ${KEYS.secretKey}\n\n[wrong]\nsecret_id = ${KEYS.secretId}\nsecret_key = not-the-key\n`);
  const env = { TENCENTCLOUD_CREDENTIALS_FILE: file };
  assert.deepEqual(inChild(childOptions({ credentials: 'profile' }), env), { ok: 2, fetches: 1, error: null });
  const wrong = inChild(childOptions({ credentials: 'profile', profileName: 'wrong', maxRetries: 0 }), env);
  assert.match(wrong.error.message, /SignatureDoesNotMatch/);
  const none = inChild(childOptions({ credentials: 'profile', profileName: 'nope' }), env);
  assert.equal(none.error.kind, 'credentials');
  assert.match(none.error.message, /nope/);
});

test('the environment source, and fromEnv with the default chain in its order (a child process)', async () => {
  const env = { TENCENTCLOUD_SECRET_ID: KEYS.secretId, TENCENTCLOUD_SECRET_KEY: KEYS.secretKey };
  assert.deepEqual(inChild(childOptions({ credentials: 'environment' }), env), { ok: 2, fetches: 1, error: null });
  const chain = (extra) => childOptions({ credentials: 'chain', metadataEndpoint, stsEndpoint: `${emu.base}/`, maxRetries: 0, ...extra });
  const wrongProfile = path.join(tmp, 'wrong-profile');
  fs.writeFileSync(wrongProfile, `[default]\nsecret_id = ${KEYS.secretId}\nsecret_key = not-the-key\n`);
  // The environment comes before the profile file...
  await emu.reset();
  assert.deepEqual(inChild(chain(), { ...env, TENCENTCLOUD_CREDENTIALS_FILE: wrongProfile }), { ok: 2, fetches: 1, error: null });
  // ...the profile file before the CVM role (its wrong key is what signs)...
  const r = inChild(chain(), { TENCENTCLOUD_CREDENTIALS_FILE: wrongProfile });
  assert.match(r.error.message, /SignatureDoesNotMatch/);
  assert.equal((await credentialStats()).issued.metadata, 0, 'the metadata service was not asked');
  // ...and with neither, the CVM role.
  assert.deepEqual(inChild(chain(), {}), { ok: 2, fetches: 1, error: null });
  assert.equal((await credentialStats()).issued.metadata, 1);
});

test('the default chain with no source at all: a credentials error naming each source it tried', async () => {
  await fetch(`${emu.base}/__emulator/credentials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ roles: [] }) });
  try {
    const r = inChild(childOptions({ credentials: 'chain', metadataEndpoint, stsEndpoint: `${emu.base}/` }), {});
    assert.equal(r.ok, 0);
    assert.equal(r.error.kind, 'credentials');
    for (const source of ['environment', 'profile', 'CVM', 'OIDC']) assert.match(r.error.message, new RegExp(source, 'i'));
    console.log(`no source at all: ${r.error.message}`);
  } finally {
    await emu.reset();
  }
});

test('what the options refuse', () => {
  const base = sourceOptions();
  const refused = [
    [{ credentials: 'vault' }, /credentials must be "chain", "environment", "profile", "cvm", "oidc" or a function/],
    [{ credentials: 42 }, /credentials must be/],
    [{ credentials: () => KEYS, ...KEYS }, /both keys and a credentials provider/],
    [{ credentials: 'cvm', profileName: 'dev' }, /profile_name is set, but credentials is not the source that reads it/],
    [{ credentials: 'profile', metadataEndpoint }, /metadata_endpoint is set/],
    [{ credentials: 'cvm', stsEndpoint: 'http://127.0.0.1:1/' }, /sts_endpoint is set/],
    [{ credentials: 'cvm', metadataEndpoint, refreshMarginMs: -1 }, /refreshMarginMs must be an integer/],
    [{ credentials: 'cvm', cvmRole: 7 }, /cvmRole must be a string/],
  ];
  for (const [extra, message] of refused) {
    assert.throws(() => new ci.Client({ ...base, ...extra }), (e) => e instanceof ci.CIError && e.kind === 'invalid_argument' && message.test(e.message), JSON.stringify(Object.keys(extra)));
  }
  assert.throws(() => ci.Client.fromEnv(null), { kind: 'invalid_argument' });
  // Refusals after the callback was registered release it (else 8192 of them exhaust koffi's slots, below).
  for (let i = 0; i < 9000; i++) assert.throws(() => new ci.Client({ ...base, credentials: () => KEYS, secretId: 'AKIDx' }));
});

test('the callback lives as long as the native client: a call in flight at close() still gets its keys; 9000 clients do not exhaust koffi', async () => {
  let release;
  const gate = new Promise((r) => (release = r));
  const client = new ci.Client(sourceOptions({ credentials: () => gate.then(() => KEYS) }));
  const call = client.describePicBuckets();
  await sleep(100);
  client.close(); // the call waits on the Promise; the native client and callback stay until it ends
  release();
  assert.ok((await call).buckets.length > 0);
  assert.throws(() => client.credentialFetches(), /closed/);
  // koffi has 8192 slots for registered callbacks: each close must free its own.
  for (let i = 0; i < 9000; i++) new ci.Client(sourceOptions({ credentials: () => KEYS })).close();
});
