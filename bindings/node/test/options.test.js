'use strict';
// Every client option, proven on the wire: a recording forwarder on
// 127.0.0.1 (used as the connectTo target or as an HTTP proxy) sees each
// request before the emulator answers it.

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const ci = require('..');

let emu;
let recorder;
let recorderAddr;
const seen = [];

test.before(async () => {
  emu = await startEmulator();
  const [emuHost, emuPort] = emu.addr.split(':');
  // Forwards every request unchanged to the emulator, which understands
  // both origin-form and the absolute-form a proxy receives.
  recorder = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    const upstream = http.request({ host: emuHost, port: Number(emuPort), method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // A proxy may also be asked to tunnel (CONNECT host:port): record the
  // target and splice the two connections.
  recorder.on('connect', (req, socket, head) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    const up = net.connect(Number(emuPort), emuHost, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await new Promise((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  recorderAddr = `127.0.0.1:${recorder.address().port}`;
  for (const k of ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'NO_PROXY', 'no_proxy']) delete process.env[k];
});

test.after(async () => {
  recorder.closeAllConnections();
  await new Promise((resolve) => recorder.close(resolve));
  await emu.stop();
  assert.equal(ci.liveObjects(), 0);
});

/** Runs `fn` and returns what the recorder saw meanwhile. */
async function recording(fn) {
  seen.length = 0;
  await fn();
  return seen.slice();
}

async function withClient(options, fn) {
  const c = new ci.Client(options);
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}

test('connectTo keeps the production Host; region picks the host; userAgentSuffix is appended', async () => {
  const reqs = await recording(() =>
    withClient(emulatorOptions(recorderAddr, { userAgentSuffix: 'node-test/1.2' }), async (c) => {
      await c.describePicBuckets({ pageSize: 3 });
      await c.describeAiQueues(BUCKET, { pageSize: 3 });
    }),
  );
  assert.equal(reqs.length, 2);
  assert.equal(reqs[0].headers.host, 'ci.ap-guangzhou.myqcloud.com');
  assert.match(reqs[0].url, /^\/picbucket\?/);
  assert.equal(reqs[1].headers.host, `${BUCKET}.ci.ap-guangzhou.myqcloud.com`);
  assert.match(reqs[1].url, /^\/ai_queue\?/);
  for (const r of reqs) {
    assert.match(r.headers['user-agent'], /^cloud-infinite\/\S+.*node-test\/1\.2$/);
    assert.match(r.headers.authorization, /^q-sign-algorithm=sha1&q-ak=AKIDemulatorEXAMPLE&/);
  }

  const shanghai = await recording(() =>
    withClient(emulatorOptions(recorderAddr, { region: 'ap-shanghai' }), async (c) => {
      const page = await c.describePicBuckets();
      assert.equal(page.totalCount, 130);
      // The bucket lives in ap-guangzhou: asked in ap-shanghai, it does not exist.
      await assert.rejects(c.describeAiQueues(BUCKET), { kind: 'service', code: 'NoSuchBucket' });
    }),
  );
  assert.equal(shanghai[0].headers.host, 'ci.ap-shanghai.myqcloud.com');
  assert.equal(shanghai[1].headers.host, `${BUCKET}.ci.ap-shanghai.myqcloud.com`);
});

test('endpoint replaces the service host, and prefixes bucket hosts', async () => {
  const reqs = await recording(() =>
    withClient(emulatorOptions(recorderAddr, { endpoint: 'images.example.internal' }), async (c) => {
      assert.equal((await c.describePicBuckets()).totalCount, 130);
      assert.equal((await c.describeAiQueues(BUCKET)).totalCount, 25);
    }),
  );
  assert.deepEqual(reqs.map((r) => r.headers.host), ['images.example.internal', `${BUCKET}.images.example.internal`]);
  assert.throws(() => new ci.Client(emulatorOptions(emu.addr, { endpoint: 'bad host/x' })), { kind: 'invalid_argument' });
});

test('sessionToken: temporary credentials are sent and signed', async () => {
  const tmp = { secretId: 'AKIDemulatorTMP', secretKey: 'emulator-tmp-key' };
  const reqs = await recording(() =>
    withClient(emulatorOptions(recorderAddr, { ...tmp, sessionToken: 'emulator-session-token' }), async (c) => {
      assert.equal((await c.describeAiQueues(BUCKET)).totalCount, 25);
    }),
  );
  assert.equal(reqs[0].headers['x-ci-security-token'], 'emulator-session-token');
  assert.match(reqs[0].headers.authorization, /q-header-list=[^&]*x-ci-security-token/);
  await withClient(emulatorOptions(emu.addr, tmp), async (c) => {
    await assert.rejects(c.describePicBuckets(), { kind: 'service', httpStatus: 403 });
  });
});

test('fromEnv reads TENCENTCLOUD_* in the core; explicit options win; without it the environment is ignored', async () => {
  const base = { connectTo: emu.addr, scheme: 'http', proxy: 'disabled', retryBaseDelayMs: 5 };
  Object.assign(process.env, {
    TENCENTCLOUD_SECRET_ID: 'AKIDemulatorEXAMPLE',
    TENCENTCLOUD_SECRET_KEY: 'emulator-secret-key',
    TENCENTCLOUD_REGION: 'ap-guangzhou',
  });
  try {
    await withClient({ ...base, fromEnv: true }, async (c) => assert.equal((await c.describePicBuckets()).totalCount, 130));
    await withClient({ ...base, fromEnv: true, secretKey: 'wrong' }, async (c) => {
      await assert.rejects(c.describePicBuckets(), { code: 'SignatureDoesNotMatch' });
    });
    await withClient({ ...base, fromEnv: true, region: 'ap-beijing' }, async (c) => {
      await assert.rejects(c.describeAiQueues(BUCKET), { code: 'NoSuchBucket' });
    });
    assert.throws(() => new ci.Client(base), { kind: 'invalid_argument' });

    for (const tokenVar of ['TENCENTCLOUD_SESSION_TOKEN', 'TENCENTCLOUD_SECURITY_TOKEN']) {
      process.env.TENCENTCLOUD_SECRET_ID = 'AKIDemulatorTMP';
      process.env.TENCENTCLOUD_SECRET_KEY = 'emulator-tmp-key';
      process.env[tokenVar] = 'emulator-session-token';
      try {
        await withClient({ ...base, fromEnv: true }, async (c) => assert.equal((await c.describeAiQueues(BUCKET)).totalCount, 25));
      } finally {
        delete process.env[tokenVar];
      }
    }
  } finally {
    for (const k of ['TENCENTCLOUD_SECRET_ID', 'TENCENTCLOUD_SECRET_KEY', 'TENCENTCLOUD_REGION']) delete process.env[k];
  }
});

// Also the regression test for koffi's 128 KiB default async stack: the TLS
// handshake overflowed it and killed the process with SIGSEGV.
test('scheme: https (the default) does not speak to a plain-HTTP server', async () => {
  for (const scheme of ['https', undefined]) {
    await withClient(emulatorOptions(emu.addr, { scheme, maxRetries: 0 }), async (c) => {
      await assert.rejects(c.describePicBuckets(), { kind: 'network' });
    });
  }
});

/** The host a proxied request was for, whether the proxy saw it as a tunnel or in absolute form. */
function proxiedTarget(r) {
  return r.method === 'CONNECT' ? `tunnel ${r.url}` : new URL(r.url).host;
}

test('proxy: { url } and "environment" go through the proxy; "disabled" does not', async () => {
  const direct = { ...emulatorOptions(null), connectTo: undefined };
  const viaUrl = await recording(() =>
    withClient({ ...direct, proxy: { url: `http://${recorderAddr}` } }, async (c) => {
      assert.equal((await c.describePicBuckets()).totalCount, 130);
      assert.equal((await c.describeAiQueues(BUCKET)).totalCount, 25);
    }),
  );
  assert.deepEqual(
    viaUrl.map(proxiedTarget).map((t) => t.replace(/^tunnel /, '').replace(/:80$/, '')),
    ['ci.ap-guangzhou.myqcloud.com', `${BUCKET}.ci.ap-guangzhou.myqcloud.com`],
  );

  process.env.HTTP_PROXY = `http://${recorderAddr}`;
  try {
    const viaEnv = await recording(() =>
      withClient({ ...direct, proxy: 'environment' }, async (c) => assert.equal((await c.describePicBuckets()).totalCount, 130)),
    );
    assert.equal(viaEnv.length, 1);
    assert.match(proxiedTarget(viaEnv[0]), /ci\.ap-guangzhou\.myqcloud\.com/);
    // The emulator as the endpoint itself: "disabled" dials it directly,
    // "environment" still goes through the proxy.
    const ownEndpoint = { ...direct, endpoint: emu.addr };
    const disabled = await recording(() =>
      withClient({ ...ownEndpoint, proxy: 'disabled' }, async (c) => assert.equal((await c.describePicBuckets()).totalCount, 130)),
    );
    assert.equal(disabled.length, 0);
    const proxied = await recording(() =>
      withClient({ ...ownEndpoint, proxy: 'environment' }, async (c) => assert.equal((await c.describePicBuckets()).totalCount, 130)),
    );
    assert.equal(proxied.length, 1);
  } finally {
    delete process.env.HTTP_PROXY;
  }
});

test('maxRetries and retryBaseDelayMs shape the retries', async () => {
  const count = async () => (await emu.stats()).by_path?.['/ai_queue'] ?? 0;
  let before = await count();
  await withClient(emulatorOptions(emu.addr, { maxRetries: 0 }), async (c) => {
    await assert.rejects(c.describeAiQueues('broken-1250000000'), { httpStatus: 500 });
  });
  assert.equal((await count()) - before, 1);
  before = await count();
  await withClient(emulatorOptions(emu.addr, { maxRetries: 2 }), async (c) => {
    await assert.rejects(c.describeAiQueues('broken-1250000000'), { httpStatus: 500 });
  });
  assert.equal((await count()) - before, 3);

  // Equal jitter: the first backoff is at least half the base delay.
  await withClient(emulatorOptions(emu.addr, { maxRetries: 1, retryBaseDelayMs: 600 }), async (c) => {
    const t0 = Date.now();
    await assert.rejects(c.describeAiQueues('broken-1250000000'), { httpStatus: 500 });
    assert.ok(Date.now() - t0 >= 290, `retried after ${Date.now() - t0} ms`);
  });
});

test('connectTimeoutMs and maxResponseBytes are accepted and passed on', async () => {
  // A refused connection fails at once whatever the connect timeout; a
  // loopback connect never hangs, so only the conversion is checked here.
  await withClient(emulatorOptions(emu.addr, { connectTimeoutMs: 2000, maxResponseBytes: 1 << 20 }), async (c) => {
    assert.equal((await c.describePicBuckets()).totalCount, 130);
  });
  await withClient(emulatorOptions('127.0.0.1:1', { connectTimeoutMs: 500, maxRetries: 0 }), async (c) => {
    await assert.rejects(c.describePicBuckets(), { kind: 'network' });
  });
  await withClient(emulatorOptions(emu.addr, { maxResponseBytes: 1000 }), async (c) => {
    await assert.rejects(c.describeAiQueues(BUCKET, { pageSize: 100 }), { kind: 'response_too_large' });
  });
});
