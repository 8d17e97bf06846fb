'use strict';
// Soak of the Node package (issue 8): LANES concurrent lanes (the default 4
// is libuv's thread pool size, so 4 native calls run at once on 4 threads)
// share one Client and make CALLS calls each (both APIs, alternating)
// against ci-emulator.
//
// It must end with zero errors, every call seen by the emulator, every
// native object freed, as many open file descriptors as before the client
// existed, and RSS flat (growth from after the warm-up to the end under a
// bound far below what leaking one page per call would cost; V8 may grow its
// heap reservation, so the used JS heap and external memory are checked
// too, with tighter bounds). Prints the
// figures as one "soak node: key=value ..." line; exits 1 on failure.
//
//   node soak/soak.js [--threads N] [--calls-per-thread N]     (default 4 x 10000)
// Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh); CLOUD_INFINITE_LIB picks the library.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const ci = require(path.join(__dirname, '..', 'bindings', 'node'));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const BUCKET = 'examplebucket-1250000000';

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number.parseInt(process.argv[i + 1], 10) : fallback;
}

const kib = (bytes) => Math.round(bytes / 1024);
const rssKib = () => Number.parseInt(/VmRSS:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1], 10);
const fdCount = () => fs.readdirSync('/proc/self/fd').length - 1; // the listing's own descriptor

async function settledRss() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  return rssKib();
}

// Control requests on a connection of their own that closes at once
// (no keep-alive pool), so they leave no descriptor behind.
function control(addr, p, body) {
  const [host, port] = addr.split(':');
  const data = body ? JSON.stringify(body) : null;
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host, port, path: `/__emulator/${p}`, method: data ? 'POST' : 'GET', agent: false, timeout: 10_000,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {} },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => { text += c; });
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`emulator ${p}: HTTP ${res.statusCode}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`emulator ${p}: timed out`)));
    req.on('error', reject);
    req.end(data || undefined);
  });
}

async function main() {
  const lanes = arg('--threads', 4);
  const perLane = arg('--calls-per-thread', 10_000);
  const addr = process.env.CI_EMULATOR_ADDR;
  if (!addr) throw new Error('CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh');
  const maxGrowth = Number.parseInt(process.env.CI_SOAK_MAX_RSS_GROWTH_KIB || '16384', 10);

  const options = {
    secretId: 'AKIDemulatorEXAMPLE', secretKey: 'emulator-secret-key', region: 'ap-guangzhou',
    connectTo: addr, scheme: 'http', proxy: 'disabled',
  };
  // Node opens a few descriptors of its own the first time it runs work on
  // its thread pool and speaks HTTP (e.g. a /dev/null): one throwaway client
  // and a control request first, so the baseline is Node's steady state.
  const first = new ci.Client(options);
  await first.describePicBuckets();
  first.close();
  await control(addr, 'stats');
  await new Promise((r) => setTimeout(r, 50));
  const liveStart = ci.liveObjects();
  const fdsStart = fdCount();
  const client = new ci.Client(options);
  const firstErrors = [];
  let done = 0;

  async function lane(calls, tally) {
    for (let i = 0; i < calls; i++) {
      let ok;
      try {
        ok = i % 2
          ? (await client.describePicBuckets()).buckets.length === 10
          : (await client.describeAiQueues(BUCKET)).queues.length === 10;
      } catch (e) {
        ok = false;
        if (firstErrors.length < 5) firstErrors.push(String(e));
      }
      if (!ok) tally.errors++;
      done++;
    }
  }

  async function round(calls) {
    const tally = { errors: 0 };
    done = 0;
    const total = calls * lanes;
    const samples = [];
    const all = Promise.all(Array.from({ length: lanes }, () => lane(calls, tally)));
    // RSS at each quarter, to show it stays flat (not only equal at both ends).
    const sampler = setInterval(() => {
      if (samples.length < 3 && done >= (total * (samples.length + 1)) / 4) samples.push(rssKib());
    }, 20);
    await all;
    clearInterval(sampler);
    return { errors: tally.errors, samples };
  }

  const warm = await round(500);
  await control(addr, 'reset', {});
  const rssBefore = await settledRss();
  const heapBefore = process.memoryUsage();
  const fdsWarm = fdCount();
  const t0 = process.hrtime.bigint();
  const soak = await round(perLane);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const calls = done;
  const rssAfter = await settledRss();
  const heapAfter = process.memoryUsage();
  const fdsAfterCalls = fdCount();
  const seen = (await control(addr, 'stats')).requests;
  client.close();
  // close() frees the native client once no call is running; give it a tick.
  await new Promise((r) => setTimeout(r, 50));
  const fdsEnd = fdCount();
  const live = ci.liveObjects() - liveStart;
  const total = lanes * perLane;
  const quarters = [...soak.samples, rssAfter, rssAfter, rssAfter].slice(0, 3).concat([rssAfter]);
  console.log(
    `soak node: threads=${lanes} calls=${calls} errors=${soak.errors} warmup_errors=${warm.errors} ` +
      `secs=${secs.toFixed(1)} calls_per_s=${(calls / secs).toFixed(0)} rss_before_kib=${rssBefore} ` +
      `rss_quarters_kib=${quarters.join(',')} rss_after_kib=${rssAfter} growth_kib=${rssAfter - rssBefore} ` +
      `(bound ${maxGrowth}) fds_before=${fdsStart} fds_after=${fdsEnd} fds_with_client_before=${fdsWarm} ` +
      `fds_with_client_after=${fdsAfterCalls} emulator_requests=${seen} live_objects=${live} ` +
      `js_heap_used_kib=${kib(heapBefore.heapUsed)}->${kib(heapAfter.heapUsed)} ` +
      `js_heap_total_kib=${kib(heapBefore.heapTotal)}->${kib(heapAfter.heapTotal)} ` +
      `external_kib=${kib(heapBefore.external)}->${kib(heapAfter.external)}`,
  );
  for (const e of firstErrors) console.error('error:', e);
  const ok = calls === total && soak.errors === 0 && warm.errors === 0 && seen === total && live === 0 &&
    fdsEnd === fdsStart && fdsAfterCalls <= fdsWarm && rssAfter - rssBefore < maxGrowth &&
    heapAfter.heapUsed - heapBefore.heapUsed < 4 * 1024 * 1024 && heapAfter.external - heapBefore.external < 1024 * 1024;
  console.log(`soak node: ${ok ? 'PASS' : 'FAIL'}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(e); process.exitCode = 1; },
);
