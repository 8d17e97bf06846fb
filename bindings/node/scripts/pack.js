#!/usr/bin/env node
'use strict';
// Packs the Node packages the way they are published (`make dist` runs it):
//   node scripts/pack.js --lib PATH/libcloud_infinite.so --out DIR [--stage DIR]
// - one platform package per directory of npm/ (npm/linux-x64-gnu: os, cpu
//   and libc fields), with the library copied in;
// - the main package, cloud-infinite, with every platform package as an
//   optionalDependency at the same version (the koffi/esbuild pattern: npm
//   installs only the one whose os/cpu/libc match the machine).
// The version of all of them is Cargo.toml's; scripts/dist/versions.py
// --check keeps the committed package.json files equal to it. Staging
// happens under --stage (default: ../../target/dist-stage/npm), never in
// the source tree. Prints the tarballs' paths, one a line, on stdout.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PKG = path.resolve(__dirname, '..');
const REPO = path.resolve(PKG, '..', '..');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i >= 0 && process.argv[i + 1]) return path.resolve(process.argv[i + 1]);
  if (fallback !== undefined) return fallback;
  throw new Error(`pack.js: ${name} is required (node scripts/pack.js --lib PATH --out DIR [--stage DIR])`);
}

const lib = arg('--lib');
const out = arg('--out');
const stage = arg('--stage', path.join(REPO, 'target', 'dist-stage', 'npm'));
if (!fs.existsSync(lib)) throw new Error(`pack.js: ${lib} does not exist`);

const cargo = fs.readFileSync(path.join(REPO, 'Cargo.toml'), 'utf8');
const version = /^version = "([^"]+)"/m.exec(cargo)[1];

function pack(dir) {
  // stdout of npm pack is the tarball's name; its notices go to stderr.
  const name = execFileSync('npm', ['pack', '--silent', '--pack-destination', out], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .pop();
  return path.join(out, name);
}

fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const tarballs = [];
const optional = {};

for (const platform of fs.readdirSync(path.join(PKG, 'npm')).sort()) {
  const template = path.join(PKG, 'npm', platform);
  const manifest = JSON.parse(fs.readFileSync(path.join(template, 'package.json'), 'utf8'));
  if (manifest.version !== version) throw new Error(`pack.js: ${template}/package.json says ${manifest.version}, Cargo.toml ${version}`);
  const dir = path.join(stage, platform);
  fs.cpSync(template, dir, { recursive: true });
  for (const file of manifest.files) {
    fs.copyFileSync(lib, path.join(dir, file));
    fs.chmodSync(path.join(dir, file), 0o755);
  }
  tarballs.push(pack(dir));
  optional[manifest.name] = version;
}

const main = JSON.parse(fs.readFileSync(path.join(PKG, 'package.json'), 'utf8'));
if (main.version !== version) throw new Error(`pack.js: package.json says ${main.version}, Cargo.toml ${version}`);
delete main.scripts;
delete main.devDependencies;
main.optionalDependencies = optional;
const dir = path.join(stage, main.name);
fs.mkdirSync(dir, { recursive: true });
for (const entry of main.files) fs.cpSync(path.join(PKG, entry), path.join(dir, entry), { recursive: true });
fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(main, null, 2) + '\n');
tarballs.push(pack(dir));

process.stdout.write(tarballs.join('\n') + '\n');
