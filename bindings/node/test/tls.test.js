'use strict';
// HTTPS from Node: certificates are verified by default, and `caFile` names
// whom else to trust. The emulator serves TLS with a certificate from the
// test CA in tests/fixtures/tls (for the production host names).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');

const { Client, CIError } = require('..');
const { startEmulator, REPO } = require('./emulator.js');

const TLS = path.join(REPO, 'tests', 'fixtures', 'tls');

function client(addr, extra = {}) {
  return new Client({
    secretId: 'AKIDemulatorEXAMPLE', secretKey: 'emulator-secret-key', region: 'ap-guangzhou',
    connectTo: addr, proxy: 'disabled', maxRetries: 0, ...extra,
  });
}

test('HTTPS: untrusted refused, trusted with caFile, unreadable caFile rejected', async () => {
  const emu = await startEmulator(['--tls-cert', path.join(TLS, 'server.pem'), '--tls-key', path.join(TLS, 'server.key')]);
  try {
    const untrusting = client(emu.addr);
    await assert.rejects(untrusting.describePicBuckets(), (e) => e instanceof CIError && e.kind === 'network' && /TLS/.test(e.message));
    untrusting.close();

    const trusting = client(emu.addr, { caFile: path.join(TLS, 'ca.pem') });
    assert.equal((await trusting.describePicBuckets()).totalCount, 130);
    trusting.close();

    assert.throws(() => client(emu.addr, { caFile: '/nonexistent/ca.pem' }), (e) => e instanceof CIError && e.kind === 'invalid_argument' && /ca_file/.test(e.message));
  } finally {
    await emu.stop();
  }
});
