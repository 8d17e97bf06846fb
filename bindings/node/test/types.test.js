'use strict';
// index.d.ts compiles under `tsc --strict` and types every documented use
// (test/types/usage.ts, which resolves 'cloud-infinite' by the package's own
// name), and it rejects what the API does not take (@ts-expect-error lines).

const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const path = require('node:path');

test('tsc --strict accepts index.d.ts and test/types/usage.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types', 'tsconfig.json')], {
    cwd: path.resolve(__dirname, '..'),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
