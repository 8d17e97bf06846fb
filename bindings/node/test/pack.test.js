'use strict';
// `npm pack` bundles a release build of the native library, and the tarball
// installs and works in an empty folder outside the repository, with no
// CLOUD_INFINITE_LIB: from CommonJS and from ESM, against the emulator.

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
    run('npm', ['pack', '--pack-destination', tmp], PKG);
    const tgz = fs.readdirSync(tmp).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack made a tarball');
    const files = execFileSync('tar', ['tzf', path.join(tmp, tgz)], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of ['index.js', 'index.mjs', 'index.d.ts', 'lib/native.js', 'lib/abi.js', 'lib/operations.js', 'lib/types.d.ts', 'lib/operations.d.ts', 'README.md', 'package.json', `native/${process.platform}-${process.arch}/libcloud_infinite.so`]) {
      assert.ok(files.includes(`package/${f}`), `${f} is in the tarball: ${files.join(', ')}`);
    }
    assert.ok(!files.some((f) => f.startsWith('package/test/') || f.includes('node_modules')), 'no tests or dependencies inside');
    assert.ok(!fs.existsSync(path.join(PKG, 'native')), 'postpack took the bundled library out of the working tree');

    const app = path.join(tmp, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    run('npm', ['install', '--no-audit', '--no-fund', path.join(tmp, tgz)], app);

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
    assert.equal(cjs.libraryPath, path.join(app, 'node_modules', 'cloud-infinite', 'native', `${process.platform}-${process.arch}`, 'libcloud_infinite.so'));
    const esm = JSON.parse(run(process.execPath, ['list.mjs'], app).trim());
    assert.deepEqual(esm, { total: 130, code: 'NoSuchBucket' });
    console.log(`packed ${tgz} (${(fs.statSync(path.join(tmp, tgz)).size / 1024 / 1024).toFixed(1)} MiB), installed in ${app}: CJS and ESM work`);
  } finally {
    await emu.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
