'use strict';
// Run by credentials.test.js in a child process whose environment the test
// chose (TENCENTCLOUD_*, TKE_*, HOME): the sources that read the
// environment do so when the client is made, and a test must not change
// its own process's environment under other tests. Argument: JSON
// `{ options, calls }`; prints JSON `{ ok, fetches, error }`.

const ci = require('..');

async function main() {
  const { options, calls = 2 } = JSON.parse(process.argv[2]);
  let client;
  const out = { ok: 0, fetches: null, error: null };
  try {
    client = ci.Client.fromEnv(options);
    for (let i = 0; i < calls; i++) {
      await client.describePicBuckets();
      out.ok++;
    }
  } catch (e) {
    out.error = { kind: e.kind ?? null, message: e.message };
  }
  if (client) {
    out.fetches = client.credentialFetches();
    client.close();
  }
  console.log(JSON.stringify(out));
}

main();
