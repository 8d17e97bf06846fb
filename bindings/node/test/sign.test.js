'use strict';
// The signer against the signatures Tencent's official Python SDK made
// (tests/fixtures/sign_vectors.json): every authorization and every
// intermediate string, computed by the core through ci_sign.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { REPO } = require('./emulator');
const ci = require('..');

const { vectors } = JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'fixtures', 'sign_vectors.json'), 'utf8'));

test('there are 40 official vectors', () => {
  assert.equal(vectors.length, 40);
});

for (const v of vectors) {
  test(`official vector ${v.name}`, () => {
    const s = ci.sign({
      secretId: v.secret_id,
      secretKey: v.secret_key,
      method: v.method,
      path: v.path,
      params: v.params,
      headers: v.headers,
      startTime: v.start_time,
      endTime: v.end_time,
    });
    assert.equal(s.authorization, v.expected_authorization);
    assert.equal(s.headerList, v.signed_header_list);
    assert.equal(s.paramList, v.signed_param_list);
    assert.equal(s.httpString, v.http_string);
    assert.equal(s.stringToSign, v.string_to_sign);
    assert.match(s.signature, /^[0-9a-f]{40}$/);
    assert.ok(s.authorization.endsWith(`&q-signature=${s.signature}`));
  });
}

test('params and headers as a Map, as pairs, with numbers; times as Dates', () => {
  const v = vectors.find((x) => x.name === 'aiq_all_params');
  const asObject = ci.sign({
    secretId: v.secret_id, secretKey: v.secret_key, method: v.method, path: v.path,
    params: v.params, headers: v.headers, startTime: v.start_time, endTime: v.end_time,
  });
  const numeric = Object.fromEntries(Object.entries(v.params).map(([k, x]) => [k, /^\d+$/.test(x) ? Number(x) : x]));
  const asMap = ci.sign({
    secretId: v.secret_id, secretKey: v.secret_key, method: v.method, path: v.path,
    params: new Map(Object.entries(numeric)), headers: Object.entries(v.headers),
    startTime: new Date(v.start_time * 1000), endTime: new Date(v.end_time * 1000),
  });
  assert.equal(asObject.authorization, v.expected_authorization);
  assert.equal(asMap.authorization, v.expected_authorization);
});

test('signer errors: missing fields, a reversed window, values that cannot be converted', () => {
  const ok = { secretId: 'AKID', secretKey: 'key', method: 'GET', path: '/picbucket', startTime: 1700000000, endTime: 1700003600 };
  assert.match(ci.sign(ok).authorization, /^q-sign-algorithm=sha1&q-ak=AKID&q-sign-time=1700000000;1700003600&/);
  assert.throws(() => ci.sign({ ...ok, endTime: 1 }), { name: 'CIError', kind: 'invalid_argument' });
  assert.throws(() => ci.sign({ ...ok, method: undefined }), { kind: 'null_argument' });
  assert.throws(() => ci.sign({ ...ok, secretKey: undefined }), { kind: 'null_argument' });
  assert.throws(() => ci.sign(), { kind: 'invalid_argument' });
  assert.throws(() => ci.sign({ ...ok, startTime: -5 }), { kind: 'invalid_argument' });
  assert.throws(() => ci.sign({ ...ok, params: 'a=b' }), { kind: 'invalid_argument' });
  assert.throws(() => ci.sign({ ...ok, params: { a: {} } }), { kind: 'invalid_argument' });
  assert.throws(() => ci.sign({ ...ok, headers: [['host']] }), { kind: 'invalid_argument' });
  assert.throws(() => ci.sign({ ...ok, expires: 5 }), { kind: 'invalid_argument', message: /expires/ });
  assert.equal(ci.liveObjects(), 0);
});
