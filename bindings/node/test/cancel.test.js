'use strict';
// Cancelling calls and page iterators through an AbortSignal (issue 16),
// against servers on 127.0.0.1 that the tests start themselves (the Rust
// tests/cancel.rs cases): a listener whose accept queue is full (the
// connect hangs), a server that never answers, one that answers 503
// SlowDown, and the emulator for aborts racing completion. In each case the
// call rejects with the abort error within 50 ms of the abort and the
// server sees the connection close within 50 ms. Also: a signal already
// aborted, AbortSignal.timeout(), no listener left on a long-lived signal,
// concurrency reaching the core, and `break` freeing the pager.
//
// koffi runs async calls on libuv's thread pool (4 threads by default): a
// call that hangs holds one, so these tests run one hanging call at a time
// and the racing test keeps 4 calls in flight.

const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const v8 = require('node:v8');
const vm = require('node:vm');
const { getEventListeners } = require('node:events');
const { performance } = require('node:perf_hooks');
const { startEmulator, emulatorOptions, BUCKET } = require('./emulator');
const expected = require('./expected');
const ci = require('..');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

/** How late an abort may take effect, at most. */
const PROMPT_MS = 50;

/** A client for a test server at `addr`: long connect timeout, 10 s retry base delay. */
function clientFor(addr) {
  return new ci.Client({
    secretId: 'AKIDEXAMPLE',
    secretKey: 'secret',
    region: 'ap-guangzhou',
    scheme: 'http',
    connectTo: addr,
    proxy: 'disabled',
    connectTimeoutMs: 20_000,
    timeoutMs: 30_000,
    retryBaseDelayMs: 10_000,
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves with what `promise` settles to (never rejects) and when, in performance.now() ms. */
function settled(promise) {
  return promise.then(
    (value) => ({ ok: true, value, at: performance.now() }),
    (error) => ({ ok: false, error, at: performance.now() }),
  );
}

/**
 * Runs `start(signal)` and aborts after `afterMs`; returns the error, how
 * long after the abort the call settled, and when the abort was made.
 */
async function abortAfter(afterMs, start) {
  const ac = new AbortController();
  const outcome = settled(start(ac.signal));
  await sleep(afterMs);
  const abortedAt = performance.now();
  ac.abort(new Error('test abort'));
  const r = await outcome;
  assert.equal(r.ok, false, 'the call resolved although it was aborted');
  return { error: r.error, late: r.at - abortedAt, abortedAt, reason: ac.signal.reason };
}

/** What every abort rejection is. */
function assertAbortError(e, reason) {
  assert.ok(e instanceof ci.CIError, `not a CIError: ${e && e.stack}`);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'AbortError', e.message);
  assert.equal(e.code, 'ABORT_ERR');
  assert.equal(e.kind, 'cancelled');
  assert.equal(e.kind, ci.ErrorKind.CANCELLED);
  assert.equal(e.httpStatus, null);
  if (reason !== undefined) assert.equal(e.cause, reason);
}

/** A server that records when each connection closed (EOF or error). */
function closeRecorder(onConnection) {
  const closes = [];
  let waiters = [];
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    conn.on('close', () => {
      closes.push(performance.now());
      for (const w of waiters) w();
      waiters = [];
    });
    onConnection(conn);
  });
  const firstClose = (timeoutMs) =>
    new Promise((resolve, reject) => {
      if (closes.length) return resolve(closes[0]);
      const t = setTimeout(() => reject(new Error(`the server saw no close within ${timeoutMs} ms`)), timeoutMs);
      waiters.push(() => {
        clearTimeout(t);
        resolve(closes[0]);
      });
    });
  return { server, closes, firstClose };
}

async function listen(server) {
  await new Promise((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  return `127.0.0.1:${server.address().port}`;
}

/** Connects to `port`; resolves with whether the connect completed within `ms` (the socket goes into `sockets`). */
function connectWithin(port, ms, sockets) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    sockets.push(s);
    const t = setTimeout(() => resolve(false), ms);
    s.on('error', () => {});
    s.once('connect', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * A listener that never accepts, with a full accept queue: a child node
 * listens (backlog 1: Node turns 0 into its default 511) and is stopped
 * with SIGSTOP, so the kernel queues connections nobody takes; this
 * process fills the queue until a connect does not complete in 100 ms.
 * A further connect then hangs in SYN_SENT (Linux drops the SYN).
 */
async function stalledListener() {
  const { spawn } = require('node:child_process');
  const child = spawn(
    process.execPath,
    ['-e', "require('net').createServer().listen({ host: '127.0.0.1', port: 0, backlog: 1 }, function () { console.log(this.address().port); })"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the listener child did not start in 10 s')), 10_000);
    child.stdout.once('data', (d) => {
      clearTimeout(t);
      resolve(Number(String(d).trim()));
    });
  });
  child.kill('SIGSTOP');
  const sockets = [];
  let full = false;
  for (let i = 0; i < 16 && !full; i++) full = !(await connectWithin(port, 100, sockets));
  const stop = () => {
    for (const s of sockets) s.destroy();
    child.kill('SIGKILL');
  };
  if (!full) {
    stop();
    throw new Error('the accept queue of the stopped listener never filled');
  }
  return { addr: `127.0.0.1:${port}`, stop };
}

test('abort during connect: a listener whose accept queue is full; the call rejects within 50 ms', { timeout: 30_000 }, async () => {
  const listener = await stalledListener();
  const client = clientFor(listener.addr);
  try {
    const { error, late, reason } = await abortAfter(100, (signal) => client.describePicBuckets(undefined, { signal }));
    assertAbortError(error, reason);
    assert.ok(late < PROMPT_MS, `the connect ended ${late.toFixed(1)} ms after the abort`);
    console.log(`abort during connect: rejected ${late.toFixed(2)} ms after the abort`);
  } finally {
    client.close();
    listener.stop();
  }
});

test('abort during a slow answer: rejects within 50 ms and the server sees EOF within 50 ms', { timeout: 30_000 }, async () => {
  const { server, firstClose } = closeRecorder((conn) => conn.on('data', () => {})); // reads, never answers
  const addr = await listen(server);
  const client = clientFor(addr);
  try {
    const { error, late, abortedAt, reason } = await abortAfter(150, (signal) => client.describePicBuckets(undefined, { signal }));
    assertAbortError(error, reason);
    assert.ok(late < PROMPT_MS, `the call ended ${late.toFixed(1)} ms after the abort`);
    const seen = (await firstClose(5000)) - abortedAt;
    assert.ok(seen < PROMPT_MS, `the server saw the close ${seen.toFixed(1)} ms after the abort`);
    console.log(`abort during a slow answer: rejected after ${late.toFixed(2)} ms, server saw EOF after ${seen.toFixed(2)} ms`);
  } finally {
    client.close();
    server.close();
  }
});

/** A server answering every request 503 SlowDown on keep-alive connections; counts the answers. */
function slowDownServer() {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><Response><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>slow-1</RequestId></Response>';
  const counter = { answered: 0 };
  const rec = closeRecorder((conn) => {
    let pending = '';
    conn.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      let end;
      while ((end = pending.indexOf('\r\n\r\n')) >= 0) {
        pending = pending.slice(end + 4);
        conn.write(
          `HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/xml\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        );
        counter.answered++;
      }
    });
  });
  return { ...rec, counter };
}

test('abort during backoff: one request answered, rejects within 50 ms, the server sees the close within 50 ms', { timeout: 30_000 }, async () => {
  const { server, firstClose, counter } = slowDownServer();
  const addr = await listen(server);
  const client = clientFor(addr);
  try {
    const { error, late, abortedAt, reason } = await abortAfter(300, (signal) => client.describePicBuckets(undefined, { signal }));
    assertAbortError(error, reason);
    assert.equal(counter.answered, 1, 'the abort came during the first backoff (of at least 5 s)');
    assert.ok(late < PROMPT_MS, `the backoff ended ${late.toFixed(1)} ms after the abort`);
    const seen = (await firstClose(5000)) - abortedAt;
    assert.ok(seen < PROMPT_MS, `the server saw the close ${seen.toFixed(1)} ms after the abort`);
    console.log(`abort during backoff: rejected after ${late.toFixed(2)} ms, server saw the close after ${seen.toFixed(2)} ms`);
  } finally {
    client.close();
    server.close();
  }
});

test('100 calls on one signal, 4 running and 96 waiting in line: one abort rejects them all within 50 ms', { timeout: 30_000 }, async () => {
  const { server, closes } = closeRecorder((conn) => conn.on('data', () => {}));
  const addr = await listen(server);
  const client = clientFor(addr);
  const base = ci.liveObjects();
  try {
    const ac = new AbortController();
    const calls = Array.from({ length: 100 }, () => settled(client.describePicBuckets(undefined, { signal: ac.signal })));
    await sleep(150);
    const abortedAt = performance.now();
    ac.abort();
    const results = await Promise.all(calls);
    for (const r of results) {
      assert.equal(r.ok, false);
      assertAbortError(r.error, ac.signal.reason);
    }
    const late = Math.max(...results.map((r) => r.at - abortedAt));
    assert.ok(late < PROMPT_MS, `the last call settled ${late.toFixed(1)} ms after the abort`);
    assert.ok(results.some((r) => /nothing was sent/.test(r.error.message)), 'some calls were still waiting in line');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    assert.equal(ci.liveObjects(), base);
    await sleep(20);
    assert.ok(closes.length >= 4, `the server saw ${closes.length} closes (4 calls were connected)`);
    console.log(`100 calls aborted at once: the last settled ${late.toFixed(2)} ms after the abort`);
  } finally {
    client.close();
    server.close();
  }
});

test('a page iterator: an abort during a slow page rejects next() within 50 ms, the server sees EOF, then the walk is over', { timeout: 30_000 }, async () => {
  const { server, firstClose } = closeRecorder((conn) => conn.on('data', () => {}));
  const addr = await listen(server);
  const client = clientFor(addr);
  const base = ci.liveObjects();
  try {
    const ac = new AbortController();
    const pages = client.picBucketPages({ pageSize: 10 }, { signal: ac.signal, concurrency: 4 });
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    const step = settled(pages.next());
    await sleep(150);
    const abortedAt = performance.now();
    ac.abort();
    const r = await step;
    assert.equal(r.ok, false);
    assertAbortError(r.error, ac.signal.reason);
    assert.ok(r.error.cause instanceof Error && r.error.cause.name === 'AbortError', 'abort() without a reason: the DOMException');
    const late = r.at - abortedAt;
    assert.ok(late < PROMPT_MS, `next() settled ${late.toFixed(1)} ms after the abort`);
    const seen = (await firstClose(5000)) - abortedAt;
    assert.ok(seen < PROMPT_MS, `the server saw the close ${seen.toFixed(1)} ms after the abort`);
    assert.deepEqual(await pages.next(), { value: undefined, done: true }, 'the abort is reported once, then the end');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'the pager removed its listener');
    assert.equal(ci.liveObjects(), base, 'the pager and its cancel handle were freed');
    console.log(`iterator abort during a slow page: next() rejected after ${late.toFixed(2)} ms, server saw EOF after ${seen.toFixed(2)} ms`);
  } finally {
    client.close();
    server.close();
  }
});

test('for await over an aborted walk throws the abort error; an abort between pages frees the pager at once', { timeout: 30_000 }, async () => {
  const emu = await startEmulator();
  const client = new ci.Client(emulatorOptions(emu.addr));
  const base = ci.liveObjects();
  try {
    const ac = new AbortController();
    const seen = [];
    await assert.rejects(
      (async () => {
        for await (const page of client.aiQueuePages(BUCKET, { pageSize: 2 }, { signal: ac.signal })) {
          seen.push(page);
          if (seen.length === 2) ac.abort('enough');
        }
      })(),
      (e) => {
        assertAbortError(e, 'enough');
        return true;
      },
    );
    assert.equal(seen.length, 2, 'no page after the abort');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    assert.equal(ci.liveObjects(), base, 'freed when the signal fired, before any next()');
  } finally {
    client.close();
    await emu.stop();
  }
});

test('a signal already aborted rejects at once, sends nothing and calls no C function', async () => {
  const emu = await startEmulator();
  const client = new ci.Client(emulatorOptions(emu.addr));
  try {
    const sent = (await emu.stats()).requests;
    const base = ci.liveObjects();
    const reason = new Error('gave up before');
    const signal = AbortSignal.abort(reason);
    const t0 = performance.now();
    await assert.rejects(client.describePicBuckets({ pageSize: 10 }, { signal }), (e) => {
      assertAbortError(e, reason);
      return true;
    });
    await assert.rejects(client.describe(ci.Operation.AI_QUEUES, BUCKET, undefined, { signal }), (e) => {
      assertAbortError(e, reason);
      return true;
    });
    const pages = client.mediaQueuePages(BUCKET, undefined, { signal, concurrency: 2 });
    assert.equal(ci.liveObjects(), base, 'no pager and no cancel handle were made');
    await assert.rejects(pages.next(), (e) => {
      assertAbortError(e, reason);
      return true;
    });
    assert.deepEqual(await pages.next(), { value: undefined, done: true });
    assert.ok(performance.now() - t0 < PROMPT_MS);
    assert.equal(getEventListeners(signal, 'abort').length, 0);
    assert.equal(ci.liveObjects(), base);
    assert.equal((await emu.stats()).requests, sent, 'nothing reached the emulator');
    // The options are still checked first.
    await assert.rejects(client.describePicBuckets({}, { signal, concurrency: 2 }), { kind: 'invalid_argument', message: /unknown call option field "concurrency"/ });
    await assert.rejects(client.describePicBuckets({}, { signal: {} }), { kind: 'invalid_argument', message: /signal must be an AbortSignal/ });
    assert.throws(() => client.picBucketPages({}, { concurrency: -1 }), { kind: 'invalid_argument', message: /concurrency must be an integer/ });
    assert.throws(() => client.picBucketPages({}, { concurrency: 0 }), { kind: 'invalid_argument' }, 'the core refuses 0');
    assert.throws(() => client.picBucketPages({}, { concurrency: 65 }), { kind: 'invalid_argument' }, 'the core refuses more than 64');
    assert.equal(ci.liveObjects(), base);
  } finally {
    client.close();
    await emu.stop();
  }
});

test('AbortSignal.timeout(): the error is the abort error with the TimeoutError as its cause', { timeout: 30_000 }, async () => {
  const { server, firstClose } = closeRecorder((conn) => conn.on('data', () => {}));
  const addr = await listen(server);
  const client = clientFor(addr);
  try {
    const signal = AbortSignal.timeout(100);
    const t0 = performance.now();
    const r = await settled(client.describeAiQueues(BUCKET, { pageSize: 10 }, { signal }));
    assert.equal(r.ok, false);
    assertAbortError(r.error, signal.reason);
    assert.equal(r.error.cause.name, 'TimeoutError');
    const took = r.at - t0;
    assert.ok(took >= 95 && took < 100 + PROMPT_MS, `rejected after ${took.toFixed(1)} ms`);
    await firstClose(5000);
  } finally {
    client.close();
    server.close();
  }
});

test('concurrency reaches the core: 10 delayed pages fetched in parallel, in order; break frees the pager', { timeout: 60_000 }, async () => {
  const emu = await startEmulator();
  const fixture = await emu.fixture();
  const client = new ci.Client(emulatorOptions(emu.addr));
  const base = ci.liveObjects();
  try {
    const want = expected.buckets(fixture, 'pic_buckets').map((b) => b.name);
    const pageSize = Math.max(1, Math.ceil(want.length / 10));
    const walk = async (concurrency) => {
      await emu.fault({ kind: 'delay', delay_ms: 100, path: '/picbucket' });
      const t0 = performance.now();
      const names = [];
      let pages = 0;
      for await (const page of client.picBucketPages({ pageSize }, { concurrency })) {
        pages++;
        for (const b of page.buckets) names.push(b.name);
      }
      const ms = performance.now() - t0;
      await emu.reset();
      return { names, pages, ms };
    };
    const one = await walk(1);
    const ten = await walk(10);
    assert.deepEqual(one.names, want);
    assert.deepEqual(ten.names, want, 'the parallel walk gives every item, in order');
    assert.ok(one.pages >= 5, `only ${one.pages} pages`);
    // One at a time: a request per page; ten at once: the first page, then the rest together.
    assert.ok(one.ms >= one.pages * 100, `sequential: ${one.ms.toFixed(0)} ms`);
    // About two round trips (200 ms); a loaded CI machine gets some slack, never the sequential walk's time.
    assert.ok(ten.ms < Math.min(600, one.ms / 2), `concurrency 10: ${ten.ms.toFixed(0)} ms for ${ten.pages} pages`);
    console.log(`${one.pages} pages of 100 ms: concurrency 1 ${one.ms.toFixed(0)} ms, concurrency 10 ${ten.ms.toFixed(0)} ms`);

    // break while pages are fetched ahead: every request waits 1 s; the
    // first page comes after 1 s, the next ones are then in flight, and
    // break frees the pager at once (cancelling them), without waiting.
    await emu.fault({ kind: 'delay', delay_ms: 1000, path: '/picbucket' });
    const ac = new AbortController();
    let first = null;
    let t0 = 0;
    for await (const page of client.picBucketPages({ pageSize }, { signal: ac.signal, concurrency: 10 })) {
      first = page;
      await sleep(100); // let the core start the pages ahead
      t0 = performance.now();
      break;
    }
    const breakMs = performance.now() - t0;
    assert.ok(first);
    assert.ok(breakMs < PROMPT_MS, `break took ${breakMs.toFixed(1)} ms`);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0, 'break removed the listener');
    assert.equal(ci.liveObjects(), base, 'break freed the pager and its cancel handle');
    await emu.reset();
  } finally {
    client.close();
    await emu.stop();
  }
});

test('one long-lived signal for many calls keeps no listener, handle or page of them', { timeout: 60_000 }, async () => {
  const emu = await startEmulator();
  const client = new ci.Client(emulatorOptions(emu.addr));
  const base = ci.liveObjects();
  try {
    const ac = new AbortController();
    const { signal } = ac;
    for (let round = 0; round < 50; round++) {
      await Promise.all([
        client.describePicBuckets({ pageSize: 10 }, { signal }),
        client.describeAiQueues(BUCKET, { pageSize: 10 }, { signal }),
        assert.rejects(client.describeAiQueues('nosuchbucket-1250000000', undefined, { signal }), { code: 'NoSuchBucket' }),
        (async () => {
          for await (const page of client.aiQueuePages(BUCKET, { pageSize: 5 }, { signal })) void page;
        })(),
        (async () => {
          for await (const page of client.picBucketPages({ pageSize: 5 }, { signal })) {
            void page;
            break;
          }
        })(),
      ]);
    }
    assert.equal(getEventListeners(signal, 'abort').length, 0, 'no listener left on the signal');
    assert.equal(ci.liveObjects(), base, 'every handle, page, pager and error was freed');
  } finally {
    client.close();
    await emu.stop();
  }
});

test('an iterator dropped mid-walk is collected although its long-lived signal still lives: pager, handle and listener go', { timeout: 30_000 }, async () => {
  const emu = await startEmulator();
  const client = new ci.Client(emulatorOptions(emu.addr));
  const base = ci.liveObjects();
  try {
    const ac = new AbortController();
    await (async () => {
      for (let i = 0; i < 10; i++) {
        const it = client.aiQueuePages(BUCKET, { pageSize: 2 }, { signal: ac.signal, concurrency: 2 });
        await it.next(); // then dropped, neither finished nor returned
      }
    })();
    assert.equal(getEventListeners(ac.signal, 'abort').length, 10);
    assert.equal(ci.liveObjects(), base + 20, 'a pager and a cancel handle each');
    for (let i = 0; i < 50 && ci.liveObjects() > base; i++) {
      gc();
      await sleep(20);
    }
    assert.equal(ci.liveObjects(), base, 'the signal kept no iterator alive');
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    ac.abort(); // nothing left to cancel
  } finally {
    client.close();
    await emu.stop();
  }
});

/** Resident set after a few GCs (test/rss.test.js does the same). */
async function settledRss() {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().rss;
}

/**
 * `calls` calls, `width` in flight (libuv's 4 pool threads by default),
 * each with its own AbortController aborted after a random 0-1.5 ms; each
 * must give the whole reference page or the abort error.
 */
async function racingAborts(client, query, reference, calls, width, random) {
  let next = 0;
  let whole = 0;
  let aborted = 0;
  const lane = async () => {
    while (next < calls) {
      const i = next++;
      const ac = new AbortController();
      const delay = random() * 1.5;
      // Under 1 ms a timer would wait 1 ms: an immediate (after this turn's
      // I/O) stands for the shortest delays.
      const abort = () => ac.abort();
      const immediate = delay < 0.5 ? setImmediate(abort) : null;
      const timer = immediate ? null : setTimeout(abort, delay);
      const p = i % 2 ? client.describePicBuckets(query, { signal: ac.signal }) : client.describe(ci.Operation.PIC_BUCKETS, null, query, { signal: ac.signal });
      try {
        const page = await p;
        assert.deepEqual(page.buckets, reference.buckets, 'a call that resolved must give the whole answer');
        assert.equal(page.totalCount, reference.totalCount);
        whole++;
      } catch (e) {
        assertAbortError(e, ac.signal.reason);
        aborted++;
      }
      if (timer) clearTimeout(timer);
      if (immediate) clearImmediate(immediate);
      assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return { whole, aborted };
}

test('10,000 aborts racing completion (random 0-1.5 ms): a whole page or the abort error, no leak, the client still works', { timeout: 120_000 }, async () => {
  const emu = await startEmulator();
  const client = new ci.Client(emulatorOptions(emu.addr));
  try {
    const query = { pageSize: 10 };
    const reference = await client.describePicBuckets(query);
    assert.equal(reference.buckets.length, 10);
    let seed = 0x9e3779b9;
    const random = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const width = 4; // libuv's 4 pool threads, all busy
    // Warm-up until the resident set settles: in this process it steps up
    // by ~15 MiB somewhere in the first 20,000 calls, with or without
    // signals (allocator and koffi pools, JIT), then stays flat. One quiet
    // round is not enough: the step can follow one (with JSON pages it came
    // after 15,000 calls, to the same plateau), so two in a row end it.
    let warm = await settledRss();
    let quiet = 0;
    for (let round = 0; round < 6 && quiet < 2; round++) {
      await racingAborts(client, query, reference, 5000, width, random);
      const now = await settledRss();
      quiet = now - warm < 2 * 2 ** 20 ? quiet + 1 : 0;
      warm = now;
    }
    const base = ci.liveObjects();
    const calls = 10_000;
    const t0 = performance.now();
    const { whole, aborted } = await racingAborts(client, query, reference, calls, width, random);
    const secs = (performance.now() - t0) / 1000;
    const after = await settledRss();
    const MiB = 2 ** 20;
    console.log(
      `10000 racing aborts: ${whole} whole pages, ${aborted} aborted, in ${secs.toFixed(1)} s; ` +
        `live objects ${ci.liveObjects()} (before: ${base}); RSS after the warm-up ${(warm / MiB).toFixed(1)} MiB, ` +
        `after 10000 more ${(after / MiB).toFixed(1)} MiB (growth ${((after - warm) / MiB).toFixed(2)} MiB)`,
    );
    assert.equal(whole + aborted, calls);
    assert.ok(whole > 0 && aborted > 0, `the random delays should both win and lose the race: ${whole} whole, ${aborted} aborted`);
    assert.equal(ci.liveObjects(), base, 'no handle, page or error leaked');
    // As in rss.test.js: a leaked page or handle per call would be > 14 MiB
    // over 10k calls; glibc's per-thread arenas alone move RSS by a few MiB.
    assert.ok(after - warm < 10 * MiB, `RSS grew by ${((after - warm) / MiB).toFixed(1)} MiB over 10k calls`);
    assert.ok(secs < 60, `took ${secs.toFixed(1)} s`);
    // The client still works after all of them.
    assert.deepEqual((await client.describePicBuckets(query)).buckets, reference.buckets);
  } finally {
    client.close();
    await emu.stop();
  }
});
