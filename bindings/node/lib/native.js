'use strict';
/**
 * Finds and loads libcloud_infinite, checks that it is the C ABI this
 * package was generated for (lib/abi.js: version and every struct size),
 * and declares its functions. Nothing here knows about the public JS API.
 * @module cloud-infinite/lib/native
 * @private
 */

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

// The core runs Rust code (TLS handshakes above all) that needs far more
// stack than koffi's default 128 KiB for async calls: with it, an HTTPS
// call overflows and the process dies with SIGSEGV. Give async calls what a
// Rust thread gets by default. koffi only takes settings before its first
// library is loaded, so when another package loaded one first, check instead.
const ASYNC_STACK_BYTES = 2 * 1024 * 1024;
if (koffi.config().async_stack_size < ASYNC_STACK_BYTES) {
  try {
    koffi.config({ ...koffi.config(), async_stack_size: ASYNC_STACK_BYTES });
  } catch (e) {
    throw new Error(
      `cloud-infinite: koffi's async stack is ${koffi.config().async_stack_size} bytes and can no longer be changed ` +
        `(${e.message}); the native core needs ${ASYNC_STACK_BYTES}. Load cloud-infinite before any other koffi library, ` +
        `or call koffi.config({ async_stack_size: ${ASYNC_STACK_BYTES} }) first.`,
    );
  }
}

const abi = require('./abi');

const LIB_NAMES = {
  linux: 'libcloud_infinite.so',
  darwin: 'libcloud_infinite.dylib',
  win32: 'cloud_infinite.dll',
};

/**
 * The platform package that carries the library for this machine, as
 * scripts/dist/node.js names them: `@cloud-infinite/<platform>-<arch>`, plus
 * `-gnu` or `-musl` on Linux (the C library it was linked against).
 * @returns {string}
 */
function platformPackage() {
  let suffix = '';
  if (process.platform === 'linux') {
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : {};
    suffix = report.header?.glibcVersionRuntime ? '-gnu' : '-musl';
  }
  return `@cloud-infinite/${process.platform}-${process.arch}${suffix}`;
}

/**
 * Where the library is loaded from, first match wins, and nowhere else:
 * 1. `CLOUD_INFINITE_LIB`, a path to the shared library (an explicit choice,
 *    final: this repository's tests point it at target/debug);
 * 2. the platform package (an optionalDependency npm installs with this one).
 * A build tree is never probed: a stray target/ above an installed package
 * must not be loaded by surprise.
 * @returns {{ candidates: string[], chosen: string | undefined, platform: string }}
 */
function locateLibrary() {
  const name = LIB_NAMES[process.platform] || LIB_NAMES.linux;
  const platform = platformPackage();
  const explicit = process.env.CLOUD_INFINITE_LIB;
  if (explicit) return { candidates: [explicit], chosen: explicit, platform };
  let candidate = `${platform}/${name}`;
  try {
    candidate = path.join(path.dirname(require.resolve(`${platform}/package.json`)), name);
  } catch {
    // Not installed: reported below with the fix.
  }
  return { candidates: [candidate], chosen: fs.existsSync(candidate) ? candidate : undefined, platform };
}

const { candidates, chosen: libraryPath, platform } = locateLibrary();
if (!libraryPath) {
  throw new Error(
    `cloud-infinite: the native library was not found; looked at ${candidates.join(', ')}. ` +
      `Install the platform package ${platform} (npm installs it with cloud-infinite unless optional dependencies are ` +
          'omitted, e.g. by --omit=optional), or set CLOUD_INFINITE_LIB to the library\'s path ' +
          '(in the repository: target/debug/libcloud_infinite.so after `make build`).',
  );
}

let lib;
try {
  lib = koffi.load(libraryPath);
} catch (e) {
  throw new Error(`cloud-infinite: cannot load the native library ${libraryPath}: ${e.message}`);
}

// Only these two are declared before the checks: a library of another ABI
// may lack the other symbols, and the checks must be what reports it.
const ciAbiVersion = lib.func(abi.PROTOTYPES.ci_abi_version);
const ciStructSize = lib.func(abi.PROTOTYPES.ci_struct_size);

const abiVersion = ciAbiVersion();
if (abiVersion !== abi.ABI_VERSION) {
  throw new Error(
    `cloud-infinite: ${libraryPath} implements C ABI version ${abiVersion}, but this package was written for version ${abi.ABI_VERSION}; ` +
      'install the cloud-infinite package that matches the library (or the library that matches the package).',
  );
}

const mismatches = abi.MIRRORS.filter(([id, , type]) => Number(ciStructSize(id)) !== koffi.sizeof(type)).map(
  ([id, name, type]) => `${name}: ${koffi.sizeof(type)} bytes here, ${ciStructSize(id)} in the library`,
);
if (mismatches.length) {
  throw new Error(
    `cloud-infinite: the struct layouts of ${libraryPath} differ from this package's mirrors (${mismatches.join('; ')}), ` +
      `although both say C ABI version ${abi.ABI_VERSION}: the library and the package come from different builds; reinstall them together.`,
  );
}

/** Every function of the header, declared from its generated prototype. */
const fns = Object.fromEntries(Object.entries(abi.PROTOTYPES).map(([name, proto]) => [name, lib.func(proto)]));

module.exports = { koffi, libraryPath, ABI_VERSION: abi.ABI_VERSION, abiVersion, fns, types: abi.types };
