'use strict';
// index.d.ts and the generated lib/types.d.ts and lib/operations.d.ts
// compile under `tsc --strict` and type every documented use, from CommonJS
// (test/types/usage.ts) and from an ES module (test/types/usage.mts), both
// resolving 'cloud-infinite' by the package's own name; and they reject
// what the API does not take (@ts-expect-error lines). test/types/usage-dom.ts,
// with the DOM library, checks that real AbortSignals fit the `signal` option.

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

function tsc(config) {
  const bin = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [bin, '-p', path.join(__dirname, 'types', config)], {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
}

test('tsc --strict accepts the declarations from CJS and ESM (test/types/usage.ts, usage.mts)', () => {
  tsc('tsconfig.json');
});

test('tsc --strict with the DOM library: a real AbortSignal fits the signal option (test/types/usage-dom.ts)', () => {
  tsc('tsconfig.dom.json');
});
