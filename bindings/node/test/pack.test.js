'use strict';
// scripts/pack.js makes the main package and the platform package (the
// library, with os/cpu/libc), and the two install and work in an empty folder
// outside the repository with no CLOUD_INFINITE_LIB: from CommonJS and from
// ESM, against the emulator. Without CLOUD_INFINITE_LIB or the platform
// package the loader refuses, naming the package, and never looks at target/.
// (make test-dist does the same from a local registry, by name, with the
// release build.)

const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startEmulator, emulatorOptions, REPO } = require('./emulator');

const PKG = path.resolve(__dirname, '..');
const env = { ...process.env };
delete env.CLOUD_INFINITE_LIB;

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 280_000 });
  assert.equal(r.status, 0, `${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('npm pack, then npm install in an empty folder, then use it', { timeout: 290_000 }, async () => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'ci-node-pack-')));
  assert.ok(!tmp.startsWith(REPO + path.sep), 'the install must happen outside the repository');
  const emu = await startEmulator();
  try {
    const lib = process.env.CLOUD_INFINITE_LIB || path.join(REPO, 'target', 'debug', 'libcloud_infinite.so');
    const [platformTgz, mainTgz] = run(process.execPath, [path.join(PKG, 'scripts', 'pack.js'), '--lib', lib, '--out', tmp, '--stage', path.join(tmp, 'stage')], PKG)
      .trim()
      .split('\n');
    const files = execFileSync('tar', ['tzf', mainTgz], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'index.d.mts', 'lib/native.js', 'lib/abi.js', 'lib/operations.js', 'lib/types.d.ts', 'lib/operations.d.ts', 'README.md', 'package.json']) {
      assert.ok(files.includes(`package/${f}`), `${f} is in the tarball: ${files.join(', ')}`);
    }
    assert.ok(!files.some((f) => f.startsWith('package/test/') || f.includes('node_modules') || f.endsWith('.so')), 'no tests, dependencies or library inside');
    const manifest = JSON.parse(execFileSync('tar', ['xzOf', mainTgz, 'package/package.json'], { encoding: 'utf8' }));
    assert.deepEqual(manifest.optionalDependencies, { '@cloud-infinite/linux-x64-gnu': manifest.version });
    const platformFiles = execFileSync('tar', ['tzf', platformTgz], { encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(platformFiles.includes('package/libcloud_infinite.so'), platformFiles.join(', '));
    const platformManifest = JSON.parse(execFileSync('tar', ['xzOf', platformTgz, 'package/package.json'], { encoding: 'utf8' }));
    assert.deepEqual([platformManifest.os, platformManifest.cpu, platformManifest.libc], [['linux'], ['x64'], ['glibc']]);

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', mainTgz, platformTgz], app);

    const opts = JSON.stringify(emulatorOptions(emu.addr));
    fs.writeFileSync(
      path.join(app, 'list.cjs'),
      `const { Client, libraryPath } = require('cloud-infinite');
       (async () => {
         const c = new Client(${opts});
         let buckets = 0;
         for await (const page of c.picBucketPages({ pageSize: 100 })) buckets += page.buckets.length;
         const q = await c.describeAiQueues('examplebucket-1250000000', { pageSize: 100 });
         c.close();
         console.log(JSON.stringify({ libraryPath, buckets, queues: q.queues.length }));
       })();`,
    );
    fs.writeFileSync(
      path.join(app, 'list.mjs'),
      `import { Client, CIError } from 'cloud-infinite';
       const c = new Client(${opts});
       const page = await c.describePicBuckets();
       let code = null;
       try { await c.describeAiQueues('nosuchbucket-1250000000'); } catch (e) { code = e instanceof CIError ? e.code : String(e); }
       c.close();
       console.log(JSON.stringify({ total: page.totalCount, code }));`,
    );
    const cjs = JSON.parse(run(process.execPath, ['list.cjs'], app).trim());
    assert.equal(cjs.buckets, 130);
    assert.equal(cjs.queues, 25);
    assert.equal(cjs.libraryPath, path.join(app, 'node_modules', '@cloud-infinite', 'linux-x64-gnu', 'libcloud_infinite.so'));
    const esm = JSON.parse(run(process.execPath, ['list.mjs'], app).trim());
    assert.deepEqual(esm, { total: 130, code: 'NoSuchBucket' });
    console.log(`packed ${path.basename(mainTgz)} and ${path.basename(platformTgz)} (${(fs.statSync(platformTgz).size / 1024 / 1024).toFixed(1)} MiB), installed in ${app}: CJS and ESM work`);
  } finally {
    await emu.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('without CLOUD_INFINITE_LIB and the platform package, loading fails naming the package, and target/ is never tried', () => {
  const r = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(PKG)})`], { cwd: PKG, env, encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /the native library was not found; looked at @cloud-infinite\/linux-x64-gnu\/libcloud_infinite\.so\. Install the platform package @cloud-infinite\/linux-x64-gnu/);
  assert.doesNotMatch(r.stderr, /looked at [^.]*target/);
});
