'use strict';
// Issue 15 ("fail closed") as Node sees it: bad proxy URLs are
// invalid_argument without their password; a refused proxy (HTTP or SOCKS)
// is a named network error; a hostile error body is a service error whose
// message, code and request id are bounded and printable. Also: what
// happens when the host application loaded koffi before this package, and
// whether the async path's RSS creep is bounded.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { startEmulator, emulatorOptions } = require('./emulator');
const ci = require('..');

const MAX_MESSAGE_BYTES = 2048;
const MAX_FIELD_BYTES = 256;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const base = (extra) => ({ secretId: 'AKIDnodeEXAMPLE', secretKey: 'node-secret-key', region: 'ap-guangzhou', scheme: 'http', maxRetries: 0, timeoutMs: 5000, ...extra });

function closedPort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

test('a bad proxy URL is invalid_argument, without its password', () => {
  for (const url of ['http://127.0.0.1:notaport', 'http://127.0.0.1:99999', 'http://127.0.0.1:0', 'http://u:Pa55w0rdX@127.0.0.1:3128 ']) {
    assert.throws(() => new ci.Client(base({ proxy: { url } })), (e) => {
      assert.equal(e.kind, 'invalid_argument', url);
      assert.ok(e.message.includes('proxy') && !String(e).includes('Pa55w0rdX'), e.message);
      return true;
    });
  }
});

test('a refused HTTP or SOCKS proxy is a named network error', async () => {
  const port = await closedPort();
  for (const scheme of ['http', 'socks5h']) {
    const client = new ci.Client(base({ proxy: { url: `${scheme}://user:Pa55w0rdX@127.0.0.1:${port}` } }));
    try {
      await assert.rejects(client.describePicBuckets(), (e) => {
        assert.equal(e.kind, 'network');
        assert.ok(e.message.includes(`proxy 127.0.0.1:${port} refused the connection`), e.message);
        assert.ok(!String(e).includes('Pa55w0rdX'));
        return true;
      });
    } finally {
      client.close();
    }
  }
});

test('a hostile error body gives a bounded, printable service error', async () => {
  const message = '\u001b[2J\u001b]0;pwned\u0007\r\nINFO forged\u009b' + 'A'.repeat(30000);
  const body = Buffer.from(`<Response><Code>AccessDenied\r\nX: 1</Code><Message>${message}</Message><RequestId>${'r\u001b'.repeat(5000)}</RequestId></Response>`);
  const server = net.createServer((sock) => {
    let head = '';
    sock.on('data', (d) => {
      head += d.toString('latin1');
      if (head.includes('\r\n\r\n')) {
        sock.end(Buffer.concat([Buffer.from(`HTTP/1.1 403 Forbidden\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`), body]));
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const client = new ci.Client(base({ connectTo: `127.0.0.1:${server.address().port}`, proxy: 'disabled' }));
  try {
    await assert.rejects(client.describePicBuckets(), (e) => {
      assert.equal(e.kind, 'service');
      assert.equal(e.httpStatus, 403);
      assert.ok(Buffer.byteLength(e.message) <= MAX_MESSAGE_BYTES && !CONTROL.test(e.message), e.message.slice(0, 200));
      assert.ok(e.message.includes('\\u{1b}[2J'));
      assert.ok(e.code.startsWith('AccessDenied\\u{d}\\u{a}X') && Buffer.byteLength(e.code) <= MAX_FIELD_BYTES, e.code);
      assert.ok(Buffer.byteLength(e.requestId) <= MAX_FIELD_BYTES && !CONTROL.test(e.requestId));
      return true;
    });
  } finally {
    client.close();
    server.close();
  }
});

/** Runs `script` in a fresh node process from this package's folder. */
function node(script) {
  try {
    return { ok: true, out: execFileSync(process.execPath, ['-e', script], { cwd: path.join(__dirname, '..'), encoding: 'utf8', stdio: 'pipe' }) };
  } catch (e) {
    return { ok: false, out: `${e.stdout}${e.stderr}` };
  }
}

test('koffi loaded by the host first, with its default stack: a clear error at require, not a crash later', () => {
  const r = node("const k = require('koffi'); k.load('libc.so.6'); require('.');");
  assert.equal(r.ok, false);
  assert.match(r.out, /koffi's async stack is 131072 bytes and can no longer be changed/);
  assert.match(r.out, /Load cloud-infinite before any other koffi library/);
});

test('koffi configured by the host first with a large enough stack: the package loads and calls', async () => {
  const emu = await startEmulator();
  try {
    const opts = JSON.stringify(emulatorOptions(emu.addr));
    const r = node(
      "const k = require('koffi'); k.config({ ...k.config(), async_stack_size: 4 << 20 }); k.load('libc.so.6');" +
        `const ci = require('.'); const c = new ci.Client(${opts});` +
        "c.describePicBuckets().then((p) => { console.log('buckets', p.buckets.length, k.config().async_stack_size); c.close(); });",
    );
    assert.ok(r.ok, r.out);
    assert.match(r.out, /buckets 10 4194304/);
  } finally {
    await emu.stop();
  }
});
