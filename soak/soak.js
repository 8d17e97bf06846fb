'use strict';
// Soak of the Node package (issues 8 and 17): LANES concurrent lanes (the
// default 4 is libuv's thread pool size, so 4 native calls run at once on 4
// threads) share one Client and make CALLS calls each (both APIs,
// alternating, 10-item pages) against ci-emulator.
//
// It must end with zero errors, every call seen by the emulator, every
// native object freed (liveObjects() back to its baseline), as many open
// file descriptors as before the client existed, and RSS flat. RSS (VmRSS)
// is sampled at every 5% of the calls, each after a full GC; the first 10%
// are the warm-up, and the growth from the 10% sample to the end must stay
// under a bound (default 4096 KiB: V8 may still grow its heap reservation,
// see soak/README.md). The used JS heap and external memory are checked
// too, with their own bounds. Prints the figures as one "soak node:
// key=value ..." line and the samples as a second; exits 1 on failure.
//
//   node soak/soak.js [--threads N] [--calls-per-thread N]     (default 4 x 250000)
// Needs CI_EMULATOR_ADDR (scripts/with-emulator.sh); CLOUD_INFINITE_LIB picks
// the library; CI_SOAK_MAX_RSS_GROWTH_KIB overrides the RSS bound.

const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const ci = require(path.join(__dirname, '..', 'bindings', 'node'));

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const BUCKET = 'examplebucket-1250000000';
const SAMPLES = 20; // one at every 5% of the calls
const WARM = 2; // the 10% sample ends the warm-up

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

// Least-squares slope of RSS against the calls made, in KiB per 100,000 calls.
function slopePer100k(rss, at) {
  const n = rss.length;
  const xs = at.map((a) => a / 1e5);
  const sx = xs.reduce((s, x) => s + x, 0);
  const sy = rss.reduce((s, y) => s + y, 0);
  const sxx = xs.reduce((s, x) => s + x * x, 0);
  const sxy = xs.reduce((s, x, i) => s + x * rss[i], 0);
  const d = n * sxx - sx * sx;
  return d > 0 ? (n * sxy - sx * sy) / d : 0;
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
  const perLane = arg('--calls-per-thread', 250_000);
  const addr = process.env.CI_EMULATOR_ADDR;
  if (!addr) throw new Error('CI_EMULATOR_ADDR is not set: run through scripts/with-emulator.sh');
  const maxGrowth = Number.parseInt(process.env.CI_SOAK_MAX_RSS_GROWTH_KIB || '4096', 10);

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
  await control(addr, 'reset', {});
  await new Promise((r) => setTimeout(r, 50));
  const liveStart = ci.liveObjects();
  const fdsStart = fdCount();
  const rssStart = await settledRss();
  const client = new ci.Client(options);
  const firstErrors = [];
  const total = lanes * perLane;
  let done = 0;
  let errors = 0;

  async function lane(calls) {
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
      if (!ok) errors++;
      done++;
    }
  }

  const rss = [];
  const at = [];
  const heapTotals = []; // V8's heap reservation at each sample, in KiB
  let fdsWarm = -1;
  let heapWarm = null;
  const t0 = process.hrtime.bigint();
  const all = Promise.all(Array.from({ length: lanes }, () => lane(perLane)));
  // RSS at every 5%, each after a full GC, to show it stays flat (not only
  // equal at both ends). The timer runs between the lanes' continuations.
  const sampler = setInterval(() => {
    if (rss.length < SAMPLES - 1 && done >= (total * (rss.length + 1)) / SAMPLES) {
      gc();
      rss.push(rssKib());
      at.push(done);
      heapTotals.push(kib(process.memoryUsage().heapTotal));
      if (rss.length === WARM) {
        fdsWarm = fdCount();
        heapWarm = process.memoryUsage();
      }
    }
  }, 10);
  await all;
  clearInterval(sampler);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const calls = done;
  const rssEnd = await settledRss();
  const heapEnd = process.memoryUsage();
  while (rss.length < SAMPLES) { // the last sample, and any the timer had no turn for before the end
    rss.push(rssEnd);
    at.push(calls);
    heapTotals.push(kib(heapEnd.heapTotal));
  }
  if (heapWarm === null) heapWarm = heapEnd;
  if (fdsWarm < 0) fdsWarm = fdCount();
  const fdsAfterCalls = fdCount();
  const seen = (await control(addr, 'stats')).requests;
  client.close();
  // close() frees the native client once no call is running; give it a tick.
  await new Promise((r) => setTimeout(r, 50));
  const fdsEnd = fdCount();
  const live = ci.liveObjects() - liveStart;
  const rssWarm = rss[WARM - 1];
  const tail = rss.slice(WARM - 1);
  console.log(
    `soak node: threads=${lanes} calls=${calls} errors=${errors} secs=${secs.toFixed(1)} ` +
      `calls_per_s=${(calls / secs).toFixed(0)} rss_start_kib=${rssStart} rss_warm_kib=${rssWarm} ` +
      `rss_end_kib=${rssEnd} growth_kib=${rssEnd - rssWarm} (bound ${maxGrowth}) rss_min_kib=${Math.min(...tail)} ` +
      `rss_max_kib=${Math.max(...tail)} slope_kib_per_100k_calls=${slopePer100k(tail, at.slice(WARM - 1)).toFixed(1)} ` +
      `fds_before=${fdsStart} fds_after=${fdsEnd} fds_with_client_warm=${fdsWarm} ` +
      `fds_with_client_end=${fdsAfterCalls} emulator_requests=${seen} live_objects=${live} ` +
      `js_heap_used_kib=${kib(heapWarm.heapUsed)}->${kib(heapEnd.heapUsed)} ` +
      `js_heap_total_kib=${kib(heapWarm.heapTotal)}->${kib(heapEnd.heapTotal)} ` +
      `external_kib=${kib(heapWarm.external)}->${kib(heapEnd.external)}`,
  );
  console.log(`soak node: rss_kib_every_5pct=${rss.join(',')} js_heap_total_kib_every_5pct=${heapTotals.join(',')}`);
  for (const e of firstErrors) console.error('error:', e);
  const ok = calls === total && errors === 0 && seen === total && live === 0 &&
    // While calls run, a lane can start its next call before the last one's
    // connection is back in the pool and open another: up to one more per
    // lane than at the warm sample is the pool at work, not a leak (which
    // fdsEnd === fdsStart, after close, catches).
    fdsEnd === fdsStart && fdsAfterCalls <= fdsWarm + lanes && rssEnd - rssWarm <= maxGrowth &&
    heapEnd.heapUsed - heapWarm.heapUsed < 4 * 1024 * 1024 && heapEnd.external - heapWarm.external < 1024 * 1024;
  console.log(`soak node: ${ok ? 'PASS' : 'FAIL'}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => { process.exitCode = code; },
  (e) => { console.error(e); process.exitCode = 1; },
);
