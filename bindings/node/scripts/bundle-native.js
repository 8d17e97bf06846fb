#!/usr/bin/env node
'use strict';
// npm's prepack and postpack: put a release build of the native library in
// native/<platform>-<arch>/ so the tarball carries it, then take it out
// again so the working tree keeps loading the build in target/.
//   node scripts/bundle-native.js          build (cargo build --release --lib) and copy
//   node scripts/bundle-native.js --clean  remove native/
// CLOUD_INFINITE_LIB, when set, is bundled instead of building.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PKG = path.resolve(__dirname, '..');
const REPO = path.resolve(PKG, '..', '..');
const NATIVE = path.join(PKG, 'native');
const NAMES = { linux: 'libcloud_infinite.so', darwin: 'libcloud_infinite.dylib', win32: 'cloud_infinite.dll' };

if (process.argv.includes('--clean')) {
  fs.rmSync(NATIVE, { recursive: true, force: true });
  process.exit(0);
}

const name = NAMES[process.platform];
if (!name) throw new Error(`bundle-native: no native library name known for ${process.platform}`);

let source = process.env.CLOUD_INFINITE_LIB;
if (!source) {
  if (!fs.existsSync(path.join(REPO, 'Cargo.toml'))) {
    throw new Error(`bundle-native: ${REPO} is not the cloud-infinite repository; set CLOUD_INFINITE_LIB to the library to bundle`);
  }
  // stdout is npm's (`npm pack` prints the tarball name there): cargo talks on stderr.
  execFileSync('cargo', ['build', '--release', '--lib'], { cwd: REPO, stdio: ['ignore', process.stderr, process.stderr] });
  source = path.join(REPO, 'target', 'release', name);
}

const dest = path.join(NATIVE, `${process.platform}-${process.arch}`);
fs.rmSync(NATIVE, { recursive: true, force: true });
fs.mkdirSync(dest, { recursive: true });
fs.copyFileSync(source, path.join(dest, name));
fs.chmodSync(path.join(dest, name), 0o755);
process.stderr.write(`bundle-native: bundled ${source} as native/${process.platform}-${process.arch}/${name}\n`);
