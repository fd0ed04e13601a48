#!/usr/bin/env node
'use strict';
// Pulse load generator: N WebSocket sessions from several loopback source addresses, heartbeats
// with random phase, heartbeat RTT and time-push fan-out latency over a measurement window after
// a warm-up, optional "stuck" sessions that stop reading. Prints ONE JSON line on stdout; progress
// events go to stderr as JSON lines ({"event":...}). Always stops by itself.

const { fork } = require('node:child_process');
const fs = require('node:fs');
const { parseArgs } = require('./lib/args');
const { SessionPool, sleep } = require('./lib/session-pool');
const { summarize, addCounts } = require('./lib/stats');

const HELP = `usage: node loadgen.js [options]
  --url URL              ws endpoint (default ws://127.0.0.1:8080/pulse/ws)
  --n N                  sessions (default 1000)
  --hb MS                heartbeat interval per session, random phase; 0 = none (default 5000)
  --rate R               connects per second, all processes together (default 500)
  --max-pending P        handshakes in flight, all processes together (default 256)
  --addrs K              source addresses 127.0.0.1..127.0.0.K, round robin (default 4)
  --procs P              worker processes sharing the sessions (default 1)
  --warmup S             seconds between "all connected" and the window (default 10)
  --measure S            measurement window, seconds (default 30)
  --stuck F              fraction of sessions that stop reading at warm-up start (default 0)
  --stuck-hb MS          heartbeat interval of stuck sessions; 0 = they stop writing too;
                         -1 = same as --hb (default -1)
  --grace S              after the window, S seconds for answers still in flight (default 2)
  --stuck-drain S        then stuck sessions read again for S seconds (default 2)
  --handshake-timeout MS (default 10000)
  --connect-timeout S    give up connecting after S seconds; 0 = n/rate + 30 (default 0)
  --topic NAME           every session subscribes to NAME; messages on it whose data has a
                         serverTime give the topic's fan-out latency (default: none)
  --deflate              offer permessage-deflate (off by default: both servers then send plain frames)
  --label TEXT           copied into the output`;

const DEFAULTS = {
  url: 'ws://127.0.0.1:8080/pulse/ws',
  n: 1000,
  hb: 5000,
  rate: 500,
  maxPending: 256,
  addrs: 4,
  procs: 1,
  warmup: 10,
  measure: 30,
  stuck: 0,
  stuckHb: -1,
  stuckDrain: 2,
  grace: 2,
  handshakeTimeout: 10000,
  connectTimeout: 0,
  deflate: false,
  topic: '',
  label: '',
};

class LocalWorker {
  constructor(cfg) {
    this.pool = new SessionPool(cfg);
  }
  connect(deadlineMs) {
    return this.pool.connectAll(deadlineMs);
  }
  pauseStuck() {
    this.pool.pauseStuck();
  }
  beginWindow() {
    this.pool.beginWindow();
  }
  endWindow() {
    this.pool.endWindow();
  }
  async finish({ graceMs, drainMs }) {
    await this.pool.finish(graceMs, drainMs);
    const r = this.pool.result();
    await this.pool.closeAll();
    return r;
  }
}

class RemoteWorker {
  constructor() {
    this.child = fork(__filename, [], {
      serialization: 'advanced',
      env: { ...process.env, PULSE_LOADGEN_WORKER: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.next = 0;
    this.waiting = new Map();
    this.child.on('message', ({ id, result, error }) => {
      const w = this.waiting.get(id);
      this.waiting.delete(id);
      if (w) error ? w.reject(new Error(error)) : w.resolve(result);
    });
    this.child.on('exit', (code) => {
      for (const w of this.waiting.values()) w.reject(new Error(`worker exited ${code}`));
      this.waiting.clear();
    });
  }
  call(cmd, arg) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, cmd, arg });
    });
  }
}

function remote(cfg) {
  const w = new RemoteWorker();
  const init = w.call('init', cfg);
  const proxy = {};
  for (const m of ['connect', 'pauseStuck', 'beginWindow', 'endWindow', 'finish']) {
    proxy[m] = async (arg) => {
      await init;
      return w.call(m, arg);
    };
  }
  proxy.kill = () => w.child.kill('SIGKILL');
  return proxy;
}

// ---------------------------------------------------------------- controller
function event(name, extra = {}) {
  process.stderr.write(JSON.stringify({ event: name, t: Date.now(), ...extra }) + '\n');
}

function fdLimit() {
  try {
    const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return Number(line.split(/\s+/)[3]);
  } catch {
    return Infinity;
  }
}

async function main() {
  const a = parseArgs(process.argv.slice(2), DEFAULTS, HELP);
  const procs = Math.max(1, Math.floor(a.procs));
  const perProc = Math.ceil(a.n / procs);
  const limit = fdLimit();
  if (perProc + 64 > limit) {
    throw new Error(`${perProc} sessions per process need more than the open-file limit ${limit}: raise 'ulimit -n' or use --procs`);
  }
  if (a.addrs < 1 || a.addrs > 254) throw new Error('--addrs must be 1..254');
  if (a.n / a.addrs > 28000) event('warning', { message: `${Math.round(a.n / a.addrs)} sessions per source address is close to the ephemeral port range: raise --addrs` });

  const connectDeadlineMs = (a.connectTimeout > 0 ? a.connectTimeout : a.n / a.rate + 30) * 1000;
  const hardStopMs = connectDeadlineMs + (a.warmup + a.measure + a.grace + a.stuckDrain + 30) * 1000;
  const watchdog = setTimeout(() => {
    event('watchdog', { message: 'run exceeded its time budget; exiting' });
    process.stdout.write(JSON.stringify({ tool: 'loadgen', error: 'watchdog', params: a }) + '\n');
    for (const w of workers) if (w.kill) w.kill();
    process.exit(3);
  }, hardStopMs);
  watchdog.unref();

  const workers = [];
  for (let p = 0; p < procs; p++) {
    const offset = p * perProc;
    const count = Math.max(0, Math.min(perProc, a.n - offset));
    const cfg = {
      url: a.url,
      offset,
      count,
      addrs: a.addrs,
      rate: a.rate / procs,
      maxPending: Math.max(1, Math.floor(a.maxPending / procs)),
      hbMs: a.hb,
      stuck: a.stuck,
      stuckHbMs: a.stuckHb < 0 ? a.hb : a.stuckHb,
      handshakeTimeoutMs: a.handshakeTimeout,
      deflate: a.deflate,
      topic: a.topic,
    };
    workers.push(procs === 1 ? new LocalWorker(cfg) : remote(cfg));
  }

  const startedAt = new Date().toISOString();
  event('connecting', { n: a.n, procs, addrs: a.addrs, rate: a.rate });
  const connects = await Promise.all(workers.map((w) => w.connect(connectDeadlineMs)));
  const connected = connects.reduce((s, c) => s + c.connected, 0);
  const rampMs = Math.max(...connects.map((c) => c.rampMs));
  event('connected', { connected, failed: connects.reduce((s, c) => s + c.failed, 0), rampMs });

  await Promise.all(workers.map((w) => w.pauseStuck()));
  await sleep(a.warmup * 1000);
  await Promise.all(workers.map((w) => w.beginWindow()));
  const windowStart = Date.now();
  event('measure_start');
  await sleep(a.measure * 1000);
  await Promise.all(workers.map((w) => w.endWindow()));
  const windowEnd = Date.now();
  event('measure_end');
  const results = await Promise.all(
    workers.map((w) => w.finish({ graceMs: a.grace * 1000, drainMs: a.stuckDrain * 1000 })),
  );
  event('done');

  const out = merge(a, results, { startedAt, rampMs, windowStart, windowEnd });
  process.stdout.write(JSON.stringify(out) + '\n');
  clearTimeout(watchdog);
  setTimeout(() => process.exit(0), 200).unref();
  for (const w of workers) if (w.kill) setTimeout(w.kill, 100).unref();
}

function merge(a, results, t) {
  const c = { stuck: {} };
  for (const r of results) {
    const { stuck, failReasons, errorsFromServer, disconnectCodes, socketErrors, ...flat } = r.counters;
    for (const [k, v] of Object.entries(flat)) c[k] = (c[k] || 0) + v;
    for (const [name, obj] of Object.entries({ failReasons, errorsFromServer, disconnectCodes, socketErrors })) {
      c[name] = addCounts(c[name] || {}, obj);
    }
    const { disconnectCodes: sdc, ...sflat } = stuck;
    for (const [k, v] of Object.entries(sflat)) c.stuck[k] = (c.stuck[k] || 0) + v;
    c.stuck.disconnectCodes = addCounts(c.stuck.disconnectCodes || {}, sdc);
  }
  // every open normal session should have the newest seq by the end of the window
  let maxSeq = -1;
  for (const r of results) for (const v of r.lastSeqs) if (v > maxSeq) maxSeq = v;
  let behind = 0;
  let checked = 0;
  for (const r of results) {
    for (const v of r.lastSeqs) {
      if (Number.isNaN(v)) continue;
      checked++;
      if (v < maxSeq - 1) behind++; // one push may be in flight at the cut
    }
  }
  const windowS = (t.windowEnd - t.windowStart) / 1000;
  const cpuMs = results.reduce((s, r) => s + (r.cpu ? r.cpu.userMs + r.cpu.systemMs : 0), 0);
  const welcome = results.map((r) => r.welcome).find(Boolean) || null;
  const normalOpen = checked;
  return {
    tool: 'loadgen',
    label: a.label,
    url: a.url,
    startedAt: t.startedAt,
    params: {
      n: a.n,
      hbMs: a.hb,
      rate: a.rate,
      addrs: a.addrs,
      procs: a.procs,
      warmupS: a.warmup,
      measureS: a.measure,
      stuck: a.stuck,
      stuckHbMs: a.stuckHb < 0 ? a.hb : a.stuckHb,
      deflate: a.deflate,
    },
    welcome,
    window: { start: t.windowStart, end: t.windowEnd, seconds: windowS },
    sessions: {
      attempted: c.attempted,
      connected: c.connected,
      failed: c.failed,
      failReasons: c.failReasons,
      rampMs: t.rampMs,
      connectMs: summarize(...results.map((r) => r.connectMs)),
      openAtEnd: results.reduce((s, r) => s + r.openAtEnd, 0),
    },
    disconnects: { total: c.disconnects, inWindow: c.disconnectsWindow, codes: c.disconnectCodes, socketErrors: c.socketErrors },
    rttMs: summarize(...results.map((r) => r.rtt)),
    fanoutMs: summarize(...results.map((r) => r.fanout)),
    topic: a.topic
      ? {
          name: a.topic,
          fanoutMs: summarize(...results.map((r) => r.topicFanout)),
          ...Object.fromEntries(['subscribed', 'received', 'receivedWindow', 'missedSeq', 'gaps'].map((k) => [k, results.reduce((sum, r) => sum + r.topic[k], 0)])),
        }
      : null,
    heartbeats: {
      sent: c.hbSent,
      sentWindow: c.hbSentWindow,
      acks: c.acks,
      acksWindow: c.acksWindow,
      unackedWindow: c.hbSentWindow - c.acksWindow,
      unmatchedAcks: c.acksUnmatched,
    },
    time: {
      received: c.timeMsgs,
      receivedWindow: c.timeMsgsWindow,
      expectedWindow: welcome && welcome.timeInterval ? Math.round((normalOpen * windowS * 1000) / welcome.timeInterval) : null,
      missedSeq: c.missedSeq,
      missedSeqWindow: c.missedSeqWindow,
      sessionsWithGaps: c.sessionsWithGaps,
      outOfOrder: c.outOfOrder,
      maxSeq,
      sessionsBehindAtEnd: behind,
    },
    pingsReceived: c.pings,
    serverErrors: c.errorsFromServer,
    stuck: a.stuck > 0
      ? {
          ...c.stuck,
          rttMs: summarize(...results.map((r) => r.stuckRtt)),
          fanoutMs: summarize(...results.map((r) => r.stuckFanout)),
        }
      : null,
    client: {
      cpuPctOfOneCore: windowS > 0 ? Math.round((cpuMs / (windowS * 1000)) * 1000) / 10 : null,
      loopDelayMs: results.map((r) => r.loopDelayMs),
    },
  };
}

// ---------------------------------------------------------------- worker process side
function runWorker() {
  let local = null;
  process.on('disconnect', () => process.exit(0)); // parent gone: stop by ourselves
  process.on('message', async ({ id, cmd, arg }) => {
    try {
      if (cmd === 'init') local = new LocalWorker(arg);
      const result = cmd === 'init' ? null : await local[cmd](arg);
      process.send({ id, result });
    } catch (e) {
      process.send({ id, error: String(e && e.stack ? e.stack : e) });
    }
  });
}


if (process.env.PULSE_LOADGEN_WORKER === '1') runWorker();
else main().catch((e) => {
  event('error', { message: String(e && e.message) });
  process.stdout.write(JSON.stringify({ tool: 'loadgen', error: String(e && e.message) }) + '\n');
  process.exit(2);
});
