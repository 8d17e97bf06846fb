'use strict';
// Preloaded (node -r) before the README's Node example: the environment
// gives the emulator's keys and region, and this adds what the example
// cannot say, where the emulator is (connectTo, plain HTTP, no proxy), to
// every Client the installed package makes. ESM sees the same Client: the
// package's index.mjs re-exports this very module object.
const ci = require('cloud-infinite');

const Base = ci.Client;
ci.Client = class Client extends Base {
  constructor(options = {}) {
    super({ connectTo: process.env.CI_EMULATOR_ADDR, scheme: 'http', proxy: 'disabled', ...options });
  }
};
process.stderr.write(`library: ${ci.libraryPath}\n`);
