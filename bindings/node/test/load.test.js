'use strict';
// Loading: the library is found, its ABI version and every struct size are
// checked against this package's mirrors (a mismatch refuses to load with a
// clear message), and the package works from CommonJS and from ESM.

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator, emulatorOptions } = require('./emulator');

const PKG = path.resolve(__dirname, '..');

/** Runs `code` in a fresh node with `env` added; returns its status and output. */
function runNode(args, env = {}) {
  const r = spawnSync(process.execPath, args, { cwd: PKG, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: r.stdout + r.stderr };
}

let tmp;
test.before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-node-load-'));
});
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const { ABI_VERSION, MIRRORS, STRUCT_ID } = require('../lib/abi.js');
const LAST_ID = Math.max(...Object.values(STRUCT_ID));

/** The real library's struct sizes, ids 0..LAST_ID. */
function realSizes() {
  const koffi = require('koffi');
  const size = koffi.load(require('..').libraryPath).func('size_t ci_struct_size(uint32_t)');
  return Array.from({ length: LAST_ID + 1 }, (_, id) => Number(size(id)));
}

/**
 * A stand-in library that answers the two load-time checks like the real
 * one, but for the ABI version and at most one struct size.
 */
function stubLibrary(name, abi, sizeOverride) {
  const src = path.join(tmp, `${name}.c`);
  const lib = path.join(tmp, `lib${name}.so`);
  fs.writeFileSync(
    src,
    `#include <stddef.h>
#include <stdint.h>
static const size_t sizes[] = {${realSizes().join(', ')}};
uint32_t ci_abi_version(void) { return ${abi}; }
size_t ci_struct_size(uint32_t which) {
  if (which == 0 || which > ${LAST_ID}) return 0;
  ${sizeOverride ? `if (which == ${sizeOverride[0]}) return ${sizeOverride[1]};` : ''}
  return sizes[which];
}
`,
  );
  execFileSync(process.env.CC || 'cc', ['-shared', '-fPIC', '-o', lib, src]);
  return lib;
}

test('the real library: our ABI version, a version string, the path it came from', () => {
  const ci = require('..');
  assert.equal(ci.abiVersion, ABI_VERSION);
  assert.match(ci.version(), /^\d+\.\d+\.\d+/);
  assert.ok(fs.existsSync(ci.libraryPath), ci.libraryPath);
});

test('a stub with the real sizes and version loads past the checks (so the stubs below differ in one thing only)', () => {
  const r = runNode(['-e', `require(${JSON.stringify(PKG)})`], { CLOUD_INFINITE_LIB: stubLibrary('same', ABI_VERSION) });
  assert.notEqual(r.status, 0);
  // It gets past both checks and fails only at the first symbol a stub lacks.
  assert.doesNotMatch(r.out, /ABI version|struct layouts/);
  assert.match(r.out, /ci_version|symbol/i);
});

test('a library of another ABI version refuses to load, saying why', () => {
  const other = ABI_VERSION + 1;
  const r = runNode(['-e', `require(${JSON.stringify(PKG)})`], { CLOUD_INFINITE_LIB: stubLibrary('other', other) });
  assert.notEqual(r.status, 0);
  assert.match(r.out, new RegExp(`implements C ABI version ${other}, but this package was written for version ${ABI_VERSION}`));
});

test('every mirror is checked: a struct layout that differs refuses to load, naming the struct', () => {
  assert.equal(MIRRORS.length, LAST_ID, 'one mirror per ci_struct_id');
  for (const [id, name] of [[STRUCT_ID.PAGE, 'ci_page'], [STRUCT_ID.QUEUE, 'ci_queue'], [STRUCT_ID.OPERATION_INFO, 'ci_operation_info']]) {
    const r = runNode(['-e', `require(${JSON.stringify(PKG)})`], { CLOUD_INFINITE_LIB: stubLibrary(`size${id}`, ABI_VERSION, [id, 4]) });
    assert.notEqual(r.status, 0);
    assert.match(r.out, new RegExp(`${name}: ${realSizes()[id]} bytes here, 4 in the library`));
  }
});

test('a missing library is reported with the path that was tried', () => {
  const r = runNode(['-e', `require(${JSON.stringify(PKG)})`], { CLOUD_INFINITE_LIB: path.join(tmp, 'nope.so') });
  assert.notEqual(r.status, 0);
  assert.match(r.out, /cannot load the native library .*nope\.so/);
});

test('a koffi that already loaded a library with the small default stack is refused, with the fix', () => {
  const r = runNode(['-e', `require('koffi').load('libc.so.6'); require(${JSON.stringify(PKG)})`]);
  assert.notEqual(r.status, 0);
  assert.match(r.out, /async stack is 131072 bytes and can no longer be changed.*Load cloud-infinite before any other koffi library/);
  const ok = runNode(['-e', `const k = require('koffi'); k.config({ ...k.config(), async_stack_size: 2097152 }); k.load('libc.so.6'); require(${JSON.stringify(PKG)}); console.log('loaded')`]);
  assert.equal(ok.status, 0, ok.out);
  assert.match(ok.out, /loaded/);
});

test('CommonJS and ESM get the same module and both work', async () => {
  const emu = await startEmulator();
  try {
    // By the package's own name (self-reference), so the "exports" map is what resolves it.
    const script = `
      const cjs = require('cloud-infinite');
      import('cloud-infinite').then(async (esm) => {
        if (esm.Client !== cjs.Client || esm.default.CIError !== cjs.CIError) throw new Error('two module instances');
        const c = new esm.Client(${JSON.stringify(emulatorOptions(emu.addr))});
        const page = await c.describePicBuckets();
        c.close();
        console.log('total', page.totalCount);
      });`;
    const r = runNode(['-e', script]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /total 130/);
    const mjs = path.join(tmp, 'use.mjs');
    fs.writeFileSync(
      mjs,
      `import { Client, CIError } from ${JSON.stringify(path.join(PKG, 'index.mjs'))};
       const c = new Client(${JSON.stringify(emulatorOptions(emu.addr))});
       try { await c.describeAiQueues('nosuchbucket-1250000000'); } catch (e) { console.log(e instanceof CIError, e.code); }
       c.close();`,
    );
    const m = runNode([mjs]);
    assert.equal(m.status, 0, m.out);
    assert.match(m.out, /true NoSuchBucket/);
  } finally {
    await emu.stop();
  }
});
