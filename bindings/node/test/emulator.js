'use strict';
// Starts a private ci-emulator on 127.0.0.1 for one test file, so that its
// fault counters and stats start fresh, and stops it afterwards.

const { spawn } = require('node:child_process');
const path = require('node:path');
const readline = require('node:readline');

const REPO = path.resolve(__dirname, '..', '..', '..');
const EMULATOR_BIN = process.env.CI_EMULATOR_BIN
  ? path.resolve(REPO, process.env.CI_EMULATOR_BIN)
  : path.join(REPO, 'target', 'debug', 'ci-emulator');

const BUCKET = 'examplebucket-1250000000';

/**
 * @returns {Promise<{addr: string, base: string, stop(): Promise<void>, fault(spec: object): Promise<any>,
 *   stats(): Promise<any>, fixture(): Promise<any>, reset(): Promise<any>}>}
 */
async function startEmulator(extraArgs = []) {
  const child = spawn(EMULATOR_BIN, ['--listen', '127.0.0.1:0', '--exit-on-stdin-eof', ...extraArgs], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const addr = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${EMULATOR_BIN} did not say where it listens within 10 s`));
    }, 10_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${EMULATOR_BIN} (build it with make build): ${e.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${EMULATOR_BIN} exited with ${code} before listening`));
    });
    const lines = readline.createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      const m = /listening on https?:\/\/(\S+)/.exec(line);
      if (m) resolve(m[1]);
      else reject(new Error(`unexpected first line from the emulator: ${line}`));
    });
  });
  const base = `http://${addr}`;
  const control = async (method, p, body) => {
    const res = await fetch(`${base}/__emulator/${p}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`emulator ${method} ${p}: HTTP ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    addr,
    base,
    fault: (spec) => control('POST', 'faults', spec),
    stats: () => control('GET', 'stats'),
    fixture: () => control('GET', 'fixture'),
    reset: () => control('POST', 'reset', {}),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin.end();
        child.kill('SIGTERM');
      }),
  };
}

/** Client options that reach the emulator at `addr` the way production is reached. */
function emulatorOptions(addr, extra = {}) {
  return {
    secretId: 'AKIDemulatorEXAMPLE',
    secretKey: 'emulator-secret-key',
    region: 'ap-guangzhou',
    connectTo: addr,
    scheme: 'http',
    proxy: 'disabled',
    retryBaseDelayMs: 5,
    ...extra,
  };
}

module.exports = { startEmulator, emulatorOptions, BUCKET, REPO, EMULATOR_BIN };
