'use strict';
// One benchmark run in Node: our binding (bindings/node, koffi) or Tencent's
// cos-nodejs-sdk-v5 (cos.request on the same paths), against ci-emulator on
// 127.0.0.1.
//
//   node bench_node.js '{"impl": "ours"|"official", "mode": "check"|"perf"|"rss"|"ffi"|"list", ...}'
//
// Prints one JSON object on stdout. bench/bench.py drives it; see bench/README.md.
// Every loop is bounded by a call count and by a time limit.

const path = require('node:path');
const fs = require('node:fs');

const ROOT = path.resolve(__dirname, '..', '..');
const SECRET_ID = 'AKIDemulatorEXAMPLE';
const SECRET_KEY = 'emulator-secret-key';
const REGION = 'ap-guangzhou';

const CASES = {
  pic10: ['pic', 10],
  pic100: ['pic', 100],
  queue10: ['queue', 10],
  queue100: ['queue', 100],
};

const asList = (v) => (v == null ? [] : Array.isArray(v) ? v : [v]);

let oursClient = null;
let officialClient = null;

function ours() {
  return require(path.join(ROOT, 'bindings', 'node'));
}

/** A function doing one call of `caseName` with a client made once; resolves to the item count. */
function makeCall(impl, addr, bucket, caseName) {
  const [api, size] = CASES[caseName];
  if (impl === 'ours') {
    if (!oursClient) {
      const { Client } = ours();
      oursClient = new Client({
        secretId: SECRET_ID, secretKey: SECRET_KEY, region: REGION,
        scheme: 'http', connectTo: addr, proxy: 'disabled', maxRetries: 0,
      });
    }
    const c = oursClient;
    if (api === 'pic') return async () => (await c.describePicBuckets({ pageSize: size })).buckets.length;
    return async () => (await c.describeAiQueues(bucket, { pageSize: size })).queues.length;
  }
  if (impl === 'official') {
    if (!officialClient) {
      const COS = require('cos-nodejs-sdk-v5');
      // `Ip` makes the SDK dial 127.0.0.1:PORT while sending (and signing) the
      // production Host, like our connect_to; keep-alive is the SDK's default.
      officialClient = new COS({ SecretId: SECRET_ID, SecretKey: SECRET_KEY, Ip: addr, Protocol: 'http:' });
    }
    const cos = officialClient;
    const request = (params) =>
      new Promise((resolve, reject) => cos.request(params, (err, data) => (err ? reject(err) : resolve(data))));
    if (api === 'pic') {
      const url = `http://ci.${REGION}.myqcloud.com/picbucket`;
      return async () => {
        const data = await request({ Method: 'GET', Key: 'picbucket', Url: url, Query: { pageSize: String(size) } });
        if (data.statusCode !== 200) throw new Error(`status ${data.statusCode}`);
        return asList(data.Response && data.Response.PicBucketList).length;
      };
    }
    const url = `http://${bucket}.ci.${REGION}.myqcloud.com/ai_queue`;
    return async () => {
      const data = await request({ Bucket: bucket, Region: REGION, Method: 'GET', Key: 'ai_queue', Url: url, Query: { pageSize: String(size) } });
      if (data.statusCode !== 200) throw new Error(`status ${data.statusCode}`);
      return asList(data.Response && data.Response.QueueList).length;
    };
  }
  throw new Error(`unknown impl ${impl}`);
}

/** A function walking every page of pic buckets; resolves to the names in order. */
function makeLister(impl, addr, variant, size) {
  if (impl === 'ours') {
    makeCall('ours', addr, null, 'pic10'); // makes the shared client
    const c = oursClient;
    const options = variant === 'sequential' ? { concurrency: 1 } : {};
    return async () => {
      const names = [];
      for await (const page of c.picBucketPages({ pageSize: size }, options)) {
        for (const b of page.buckets) names.push(b.name);
      }
      return names;
    };
  }
  if (impl === 'official') {
    makeCall('official', addr, null, 'pic10');
    const cos = officialClient;
    const request = (params) =>
      new Promise((resolve, reject) => cos.request(params, (err, data) => (err ? reject(err) : resolve(data))));
    const url = `http://ci.${REGION}.myqcloud.com/picbucket`;
    return async () => {
      const names = [];
      for (let number = 1; ; number++) {
        const data = await request({ Method: 'GET', Key: 'picbucket', Url: url, Query: { pageNumber: String(number), pageSize: String(size) } });
        if (data.statusCode !== 200) throw new Error(`status ${data.statusCode}`);
        const items = asList(data.Response && data.Response.PicBucketList);
        for (const b of items) names.push(b.Name);
        if (!items.length || number * size >= Number(data.Response.TotalCount)) return names;
      }
    };
  }
  throw new Error(`unknown impl ${impl}`);
}

/** Times cfg.runs walks of every page after one warm-up walk. */
async function listing(cfg) {
  const walk = makeLister(cfg.impl, cfg.addr, cfg.variant, cfg.size);
  const want = Array.from({ length: cfg.total }, (_, i) => `list${String(i).padStart(4, "0")}-1250000000`);
  const walls = [];
  for (let run = 0; run <= cfg.runs; run++) {
    const t0 = nowNs();
    const names = await walk();
    const wall = Number(nowNs() - t0) / 1e9;
    if (names.length !== want.length || names.some((n, i) => n !== want[i])) {
      throw new Error(`listing: got ${names.length} names, not the ${want.length} expected in order`);
    }
    if (run) walls.push(wall);
  }
  return { walls_s: walls, runs: cfg.runs, items: want.length };
}

function expect(caseName, got) {
  const want = CASES[caseName][1];
  if (got !== want) throw new Error(`${caseName}: expected ${want} items, got ${got}`);
}

const nowNs = () => process.hrtime.bigint();

function percentile(sorted, q) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
  return Number(sorted[i]) / 1e3;
}

async function sequential(call, caseName, calls, seconds) {
  const lat = [];
  const start = nowNs();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  for (let i = 0; i < calls; i++) {
    const t0 = nowNs();
    const n = await call();
    const t1 = nowNs();
    if (n !== CASES[caseName][1]) expect(caseName, n);
    lat.push(t1 - t0);
    if (t1 > deadline) break;
  }
  const elapsed = Number(nowNs() - start) / 1e9;
  lat.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { calls: lat.length, seconds: elapsed, calls_per_s: lat.length / elapsed, p50_us: percentile(lat, 0.5), p99_us: percentile(lat, 0.99) };
}

async function concurrent(call, caseName, workers, calls, seconds) {
  let left = calls;
  let done = 0;
  const start = nowNs();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  const worker = async () => {
    while (left > 0) {
      left--;
      const n = await call();
      if (n !== CASES[caseName][1]) expect(caseName, n);
      done++;
      if (nowNs() > deadline) return;
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const elapsed = Number(nowNs() - start) / 1e9;
  return { calls: done, seconds: elapsed, calls_per_s: done / elapsed, workers };
}

function statusKiB(field) {
  const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : null;
}

async function ffi(cfg) {
  const binding = ours(); // loads the library (and sets koffi's async stack) first
  const { koffi } = require(path.join(ROOT, 'bindings', 'node', 'lib', 'native.js')); // the binding's own koffi
  const lib = koffi.load(binding.libraryPath);
  const abi = lib.func('uint32_t ci_abi_version(void)');
  const n = cfg.ffi_calls;
  for (let i = 0; i < Math.min(n, 1000); i++) abi();
  let t0 = nowNs();
  for (let i = 0; i < n; i++) abi();
  const noop = Number(nowNs() - t0) / n;

  // The same call through koffi's .async, as our calls are made (libuv thread pool and back).
  const abiAsync = () => new Promise((resolve, reject) => abi.async((err, v) => (err ? reject(err) : resolve(v))));
  const m = Math.max(1, Math.floor(n / 50));
  await abiAsync();
  t0 = nowNs();
  for (let i = 0; i < m; i++) await abiAsync();
  const asyncNs = Number(nowNs() - t0) / m;

  const args = {
    secretId: 'AKIDEXAMPLEEXAMPLEEXAMPLEEXAMPLE1234', secretKey: 'EXAMPLEsecretKEYexampleSECRETkey1',
    method: 'GET', path: '/ai_queue',
    params: { queueIds: 'pa1,pb2', state: 'Active', pageNumber: '1', pageSize: '100' },
    headers: { host: 'examplebucket-1250000000.ci.ap-guangzhou.myqcloud.com', 'x-ci-security-token': 'tmpTOKEN+abc/def==_-.~xyz' },
    startTime: 1700000000, endTime: 1700003600,
  };
  const s = Math.max(1, Math.floor(n / 20));
  binding.sign(args);
  t0 = nowNs();
  for (let i = 0; i < s; i++) binding.sign(args);
  const signNs = Number(nowNs() - t0) / s;
  const res = { noop_call_ns: noop, noop_calls: n, async_noop_call_ns: asyncNs, async_noop_calls: m, sign_call_ns: signNs, sign_calls: s };
  if (cfg.addr) res.split = await split(cfg);
  return res;
}

async function medianUs(call, caseName, calls, seconds) {
  for (let i = 0; i < 5; i++) expect(caseName, await call());
  const lat = [];
  const deadline = nowNs() + BigInt(Math.round(seconds * 1e9));
  for (let i = 0; i < calls; i++) {
    const t0 = nowNs();
    const n = await call();
    const t1 = nowNs();
    if (n !== CASES[caseName][1]) expect(caseName, n);
    lat.push(t1 - t0);
    if (t1 > deadline) break;
  }
  lat.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return percentile(lat, 0.5);
}

/** The same call through the binding and straight through koffi (.async, as
 * the binding calls it) with the C result freed unread: the difference is the
 * binding's conversion into JS objects. The C call asks for the page format
 * the binding asks for (packed JSON), so the core's work is the same on both
 * sides; `c_only_structs_us` is the C call with the item arrays instead. */
async function split(cfg) {
  const { fns, koffi, types } = require(path.join(ROOT, 'bindings', 'node', 'lib', 'native.js'));
  const { SCHEME, PROXY_MODE, OPERATION, PAGE_FORMAT } = require(path.join(ROOT, 'bindings', 'node', 'lib', 'abi.js'));
  const out = [null];
  const err = fns.ci_client_new({
    from_env: 0, secret_id: SECRET_ID, secret_key: SECRET_KEY, region: REGION, connect_to: cfg.addr,
    scheme: SCHEME.HTTP, proxy_mode: PROXY_MODE.DISABLED, has_max_retries: 1, max_retries: 0,
  }, out);
  if (err) throw new Error('ci_client_new failed');
  const client = out[0];
  const asyncCall = (fn, args) => new Promise((resolve, reject) => fn.async(...args, (e, v) => (e ? reject(e) : resolve(v))));
  const direct = (caseName, pageFormat) => {
    const [api, size] = CASES[caseName];
    let counted = false;
    return async () => {
      const page = [null];
      const query = { has_page_size: 1, page_size: size, page_format: pageFormat };
      const e = api === 'pic'
        ? await asyncCall(fns.ci_describe, [client, OPERATION.PIC_BUCKETS, null, query, page])
        : await asyncCall(fns.ci_describe, [client, OPERATION.AI_QUEUES, cfg.bucket, query, page]);
      if (e) throw new Error(`${caseName}: the C call failed`);
      let n = size; // results are freed unread; the first one is decoded once to check the count
      if (!counted) {
        const decoded = koffi.decode(page[0], types.ci_page);
        n = decoded.json !== null ? JSON.parse(decoded.json).items.length : Number(api === 'pic' ? decoded.bucketsLen : decoded.queuesLen);
        counted = true;
      }
      fns.ci_free(page[0]);
      return n;
    };
  };
  const res = {};
  for (const c of ['pic100', 'queue100']) {
    res[c] = {
      binding_us: await medianUs(makeCall('ours', cfg.addr, cfg.bucket, c), c, cfg.seq_calls, cfg.seq_seconds),
      c_only_us: await medianUs(direct(c, PAGE_FORMAT.JSON), c, cfg.seq_calls, cfg.seq_seconds),
      c_only_structs_us: await medianUs(direct(c, PAGE_FORMAT.STRUCTS), c, cfg.seq_calls, cfg.seq_seconds),
    };
  }
  fns.ci_free(client);
  return res;
}

function versions(impl) {
  if (impl === 'ours') {
    const b = ours();
    return { library: b.version(), library_path: b.libraryPath, koffi: require(path.join(ROOT, 'bindings', 'node', 'lib', 'native.js')).koffi.version };
  }
  return { 'cos-nodejs-sdk-v5': require('cos-nodejs-sdk-v5/package.json').version };
}

async function main() {
  const cfg = JSON.parse(process.argv[2]);
  const { impl, mode } = cfg;
  const out = { lang: 'node', impl, mode, node: process.version, uv_threadpool_size: process.env.UV_THREADPOOL_SIZE || '4 (default)' };
  if (mode === 'ffi') {
    Object.assign(out, await ffi(cfg));
  } else if (mode === 'list') {
    Object.assign(out, await listing(cfg));
  } else if (mode === 'check') {
    out.versions = versions(impl);
    out.items = {};
    for (const c of Object.keys(CASES)) {
      const n = await makeCall(impl, cfg.addr, cfg.bucket, c)();
      expect(c, n);
      out.items[c] = n;
    }
  } else if (mode === 'perf') {
    out.cases = {};
    for (const c of cfg.cases) {
      const call = makeCall(impl, cfg.addr, cfg.bucket, c);
      for (let i = 0; i < cfg.warmup; i++) expect(c, await call());
      // A phase with 0 calls is skipped (bench.py runs the sequential and the concurrent phase apart).
      const seq = cfg.seq_calls ? await sequential(call, c, cfg.seq_calls, cfg.seq_seconds) : null;
      const conc = cfg.conc_calls ? await concurrent(call, c, cfg.workers, cfg.conc_calls, cfg.conc_seconds) : null;
      out.cases[c] = { seq, conc };
    }
  } else if (mode === 'rss') {
    const c = cfg.rss_case;
    const call = makeCall(impl, cfg.addr, cfg.bucket, c);
    expect(c, await call());
    const before = statusKiB('VmRSS');
    const t0 = nowNs();
    for (let i = 0; i < cfg.rss_calls; i++) {
      const n = await call();
      if (n !== CASES[c][1]) expect(c, n);
    }
    Object.assign(out, {
      case: c, calls: cfg.rss_calls, seconds: Number(nowNs() - t0) / 1e9,
      rss_after_first_call_kib: before, rss_end_kib: statusKiB('VmRSS'), peak_rss_kib: statusKiB('VmHWM'),
    });
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  if (oursClient) oursClient.close();
}

main().then(
  () => process.exit(0), // the official SDK's keep-alive sockets would otherwise hold the process open
  (e) => {
    console.error(e && e.stack ? e.stack : e);
    process.exit(1);
  },
);
