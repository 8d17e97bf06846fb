'use strict';
// Measures how late a 10 ms interval timer fires while `fn` runs: the
// event loop's responsiveness. Also runnable as a script (see
// eventloop.test.js) so that a child with another UV_THREADPOOL_SIZE can
// take the same measurement.

const { performance } = require('node:perf_hooks');

/** @returns {Promise<{worstLateMs: number, ticks: number, elapsedMs: number, result: any}>} */
async function measureLateness(fn, periodMs = 10) {
  let worst = 0;
  let ticks = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - periodMs);
    last = now;
    ticks++;
  }, periodMs);
  const t0 = performance.now();
  try {
    const result = await fn();
    // One more period so a block at the very end is seen too.
    await new Promise((r) => setTimeout(r, periodMs * 2));
    return { worstLateMs: worst, ticks, elapsedMs: performance.now() - t0, result };
  } finally {
    clearInterval(timer);
  }
}

/** 50 describeAiQueues calls at once while each answer is delayed by `delayMs`. */
async function fiftyDelayedCalls(addr, delayMs = 300) {
  const ci = require('..');
  const { emulatorOptions, BUCKET } = require('./emulator');
  const res = await fetch(`http://${addr}/__emulator/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'delay', delay_ms: delayMs, times: 50, path: '/ai_queue' }),
  });
  if (!res.ok) throw new Error(`arming the fault: HTTP ${res.status}`);
  const client = new ci.Client(emulatorOptions(addr));
  try {
    return await measureLateness(async () => {
      const pages = await Promise.all(Array.from({ length: 50 }, () => client.describeAiQueues(BUCKET)));
      return pages.filter((p) => p.totalCount === 25).length;
    });
  } finally {
    client.close();
  }
}

module.exports = { measureLateness, fiftyDelayedCalls };

if (require.main === module) {
  fiftyDelayedCalls(process.argv[2]).then(
    (m) => console.log(JSON.stringify(m)),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
