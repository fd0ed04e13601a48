#!/usr/bin/env node
'use strict';
// One command for a Pulse vs ws-reference comparison: for each of R interleaved rounds, starts
// each server in turn (Pulse = Tomcat 11 + the WAR; ref = reference-server.js), runs loadgen.js
// against it with identical parameters, samples the server's CPU (/proc/PID/stat), RSS and, for
// the JVM, heap and GC (hsperfdata), stops it, and appends one JSON line per run to
// bench/results/*.jsonl. At the end prints medians per server and the ratios Pulse/reference.
// Everything it starts it stops (normal end, error, Ctrl-C, SIGTERM).

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('./lib/args');
const { median } = require('./lib/stats');
const { Sampler } = require('./lib/procstat');
const S = require('./lib/servers');

const HELP = `usage: node compare.js [options]        (from bench/, after npm ci)
 rounds and servers
  --rounds R            interleaved rounds; the server order alternates per round (default 3)
  --servers LIST        pulse,ref (default); either one alone is allowed. A Pulse variant with
                        other settings: pulse@NAME=VALUE[;NAME=VALUE], e.g. pulse@historySize=0
                        (PULSE_HISTORY_SIZE=0 for that server only); jvm=OPTIONS adds JVM options
                        for that server only, e.g. 'pulse@jvm=-Xmn600m'; connector.NAME=VALUE sets one
                        Connector attribute for that server only, e.g. pulse@connector.useAsyncIO=false
                        (an attribute server.xml already sets, such as maxThreads or protocol, is replaced).
                        Ratios compare every server
                        with ref, or with the first one listed when ref is not
  --stuck LIST          stuck-client fractions to run, e.g. 0,0.01 (default 0)
 load (passed to loadgen.js, identical for every server)
  --n N                 sessions (default 1000)
  --hb MS               client heartbeat interval (default 5000)
  --rate R              connects/s (default 500)     --max-pending P  handshakes in flight (default 256)
  --addrs K             source addresses 127.0.0.1..K (default 4)
  --procs P             loadgen worker processes (default 1)
  --warmup S            (default 10)   --measure S  (default 30)   --grace S  (default 2)
  --stuck-hb MS         heartbeat interval of stuck clients, -1 = --hb, 0 = none (default -1)
  --stuck-drain S       (default 2)
 server settings (PULSE_* environment variables, the same for both servers)
  --time-interval MS    (default 1000)    --ping-interval MS  (default 10000)
  --pong-timeout MS     (default 10000)
  --topic-interval MS   > 0: Pulse publishes {"serverTime"} to topic "bench" every MS ms
                        (bench/topic-ticker added to the WAR) and every session subscribes to
                        it; topic fan-out is reported beside the time push's. Pulse only (default 0)
 Tomcat / JVM
  --war PATH            Pulse WAR to test (default: built from --commit in bench/.work)
  --commit REV          commit to build the WAR from (default HEAD)
  --java-opts TEXT      JVM options (default "-Xms2g -Xmx2g -XX:+UseG1GC")
  --max-connections N   Connector maxConnections (default 30000; Tomcat's default is 8192)
  --accept-count N      Connector acceptCount (default 1024)
  --max-threads N       Connector maxThreads (default 200, Tomcat's default)
  --connector-attrs L   extra Connector attributes, e.g. socket.appReadBufSize=2048,socket.appWriteBufSize=2048
  --context-params L    context parameters for every web app (conf/context.xml), e.g.
                        org.apache.tomcat.websocket.textBufferSize=2048
 run
  --port P              port for the servers under test (default 18480)
  --pause S             seconds between runs (default 3)
  --max-load L          before each run wait until the 1-min load average is below L (default 0: no wait)
  --quiet-wait S        ... but at most S seconds (default 300)
  --out FILE            results file (default results/compare-<time>-n<N>.jsonl)
  --label TEXT          stored with every line`;

const a = parseArgs(
  process.argv.slice(2),
  {
    rounds: 3,
    servers: 'pulse,ref',
    stuck: '0',
    n: 1000,
    hb: 5000,
    rate: 500,
    maxPending: 256,
    addrs: 4,
    procs: 1,
    warmup: 10,
    measure: 30,
    grace: 2,
    stuckHb: -1,
    stuckDrain: 2,
    timeInterval: 1000,
    pingInterval: 10000,
    pongTimeout: 10000,
    topicInterval: 0,
    ...S.TOMCAT_DEFAULTS,
    port: 18480,
    pause: 3,
    maxLoad: 0,
    quietWait: 300,
    out: '',
    label: '',
  },
  HELP,
);

const servers = a.servers.split(',').map((s) => s.trim()).filter(Boolean);
/**
 * 'pulse' | 'ref' of a server name, the PULSE_* settings a variant (pulse@a=1;b=2) adds, and its
 * own Connector attributes (connector.NAME=VALUE).
 */
function serverKind(name) {
  const [kind, variant] = name.split('@');
  if (!['pulse', 'ref'].includes(kind) || (variant !== undefined && kind !== 'pulse')) {
    throw new Error(`unknown server '${name}' (pulse, ref, pulse@NAME=VALUE;...)`);
  }
  const env = {};
  const connectorAttrs = {};
  for (const kv of (variant || '').split(';').filter(Boolean)) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new Error(`expected NAME=VALUE in '${name}'`);
    if (kv.startsWith('connector.')) {
      connectorAttrs[kv.slice('connector.'.length, i)] = kv.slice(i + 1);
      continue;
    }
    if (kv.slice(0, i) === 'jvm') { // extra JVM options for this server only (Tomcat's JAVA_OPTS)
      env.JAVA_OPTS = kv.slice(i + 1).split(' ').filter(Boolean).join(' ');
      continue;
    }
    env[`PULSE_${kv.slice(0, i).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`] = kv.slice(i + 1);
  }
  return { kind, env, connectorAttrs };
}
for (const s of servers) serverKind(s);
if (a.topicInterval > 0 && servers.some((s) => serverKind(s).kind === 'ref')) {
  throw new Error('--topic-interval needs Pulse servers only: the reference server has no topics');
}
const stuckValues = String(a.stuck).split(',').map(Number);
const stamp = new Date().toISOString().replace(/[:.]/g, '').slice(0, 15);
const outFile = path.resolve(S.BENCH, a.out || `results/compare-${stamp}-n${a.n}.jsonl`);
const logDir = path.join(S.WORK, 'logs', stamp);
const settingsEnv = {
  PULSE_TIME_INTERVAL: String(a.timeInterval),
  PULSE_PING_INTERVAL: String(a.pingInterval),
  PULSE_PONG_TIMEOUT: String(a.pongTimeout),
  PULSE_HEARTBEAT_INTERVAL: String(a.hb > 0 ? a.hb : 25000),
};

function log(msg) {
  process.stderr.write(`[compare ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

function machine() {
  let load = null;
  try {
    load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
  } catch {
    /* not linux */
  }
  return { cpus: require('node:os').cpus().length, loadavg: load, node: process.version };
}

/** Kernel queues of the server's established sockets: Send-Q (unsent) on the server side, Recv-Q (unread) on the client side. */
function kernelQueues(port) {
  try {
    const text = execFileSync('ss', ['-tnH', 'state', 'established', `( sport = :${port} or dport = :${port} )`], {
      maxBuffer: 64 << 20,
    }).toString();
    const q = { serverSendQ: 0, serverSendQMax: 0, serverSendQNonZero: 0, clientRecvQ: 0, clientRecvQMax: 0, clientRecvQNonZero: 0, sockets: 0 };
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 4) continue;
      const [recvQ, sendQ, local] = [Number(f[0]), Number(f[1]), f[2]];
      if (local.endsWith(`:${port}`)) {
        q.sockets++;
        q.serverSendQ += sendQ;
        q.serverSendQMax = Math.max(q.serverSendQMax, sendQ);
        if (sendQ > 0) q.serverSendQNonZero++;
      } else {
        q.clientRecvQ += recvQ;
        q.clientRecvQMax = Math.max(q.clientRecvQMax, recvQ);
        if (recvQ > 0) q.clientRecvQNonZero++;
      }
    }
    return q;
  } catch (e) {
    return { error: String(e.message).slice(0, 200) };
  }
}

/**
 * Pulse's own timer of the time push (pulse.time.push.fanout: from the push's start until its
 * frame is handed to every session's sender) from /pulse/metrics: {count, sum} in seconds, or null.
 */
async function pushTimer(url) {
  const r = await S.httpGet(url, 5000);
  const value = (name) => {
    const m = r.body.match(new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm'));
    return m ? Number(m[1]) : NaN;
  };
  const t = { count: value('pulse_time_push_fanout_seconds_count'), sum: value('pulse_time_push_fanout_seconds_sum') };
  return r.status === 200 && Number.isFinite(t.count) && Number.isFinite(t.sum) ? t : null;
}

/** Mean ms per push between two pushTimer() readings, or null. */
function meanOverWindow(start, end) {
  if (!start || !end || end.count <= start.count) return null;
  return Math.round(((end.sum - start.sum) / (end.count - start.count)) * 1e4) / 10;
}

/** With --max-load L: waits (up to --quiet-wait S) until the 1-minute load average is below L. */
async function waitQuiet() {
  if (!(a.maxLoad > 0)) return;
  const deadline = Date.now() + a.quietWait * 1000;
  let load = machine().loadavg[0];
  if (load < a.maxLoad) return;
  log(`  load average ${load} >= ${a.maxLoad}: waiting up to ${a.quietWait} s for a quieter machine`);
  while (Date.now() < deadline) {
    await S.sleep(5000);
    load = machine().loadavg[0];
    if (load < a.maxLoad) return;
  }
  log(`  still ${load}; running anyway (see machineBusyPct/otherCpuPct in the results)`);
}

async function startServer(name, war) {
  const { kind, env, connectorAttrs } = serverKind(name);
  const logFile = path.join(logDir, `${kind}-${Date.now()}.log`);
  if (kind === 'pulse') {
    const options = S.tomcatOptions(a);
    options.connectorAttrs = { ...options.connectorAttrs, ...connectorAttrs };
    if (a.topicInterval > 0) options.javaOpts += ` -Dbench.topicInterval=${a.topicInterval}`;
    const h = await S.startTomcat({
      name: 'pulse',
      war: war.path,
      context: 'pulse',
      port: a.port,
      env: { ...settingsEnv, ...env },
      ...options,
      logFile,
      readyPath: '/pulse/api/status',
    });
    return { ...h, logFile };
  }
  const h = await S.startReference({ port: a.port, env: settingsEnv, logFile });
  return { ...h, logFile };
}

function loadgenArgs(stuck, label) {
  const args = [
    path.join(S.BENCH, 'loadgen.js'),
    '--url', `ws://127.0.0.1:${a.port}/pulse/ws`,
    '--n', a.n, '--hb', a.hb, '--rate', a.rate, '--max-pending', a.maxPending,
    '--addrs', a.addrs, '--procs', a.procs, '--warmup', a.warmup, '--measure', a.measure,
    '--grace', a.grace, '--stuck', stuck, '--stuck-hb', a.stuckHb, '--stuck-drain', a.stuckDrain,
    '--label', label,
  ];
  if (a.topicInterval > 0) args.push('--topic', 'bench');
  return args.map(String);
}

async function runOne(round, kind, stuck, war) {
  const label = `${a.label ? a.label + ' ' : ''}r${round} ${kind} stuck=${stuck}`;
  log(`round ${round}: ${kind}, n=${a.n}, stuck=${stuck}`);
  await waitQuiet();
  const before = machine();
  const srv = await startServer(kind, war);
  log(`  ${kind} ready in ${srv.startMs} ms (pid ${srv.pid})`);
  await S.sleep(1000);
  const sampler = new Sampler(srv.pid, { java: srv.java });
  const statusUrl = `http://127.0.0.1:${a.port}/pulse/api/status`;
  const metricsUrl = `http://127.0.0.1:${a.port}/pulse/metrics`;
  const extra = { statusAtStart: null, statusAtEnd: null, kernelAtEnd: null, pushAtStart: null, pushAtEnd: null };
  let result = null;
  let stdout = '';
  const lg = S.spawnServer(process.execPath, loadgenArgs(stuck, label), { cwd: S.BENCH, pipe: true });
  lg.stdout.on('data', (d) => (stdout += d));
  let errBuf = '';
  const pending = [];
  lg.stderr.on('data', (d) => {
    errBuf += d;
    let i;
    while ((i = errBuf.indexOf('\n')) >= 0) {
      const line = errBuf.slice(0, i);
      errBuf = errBuf.slice(i + 1);
      let ev = null;
      try {
        ev = JSON.parse(line);
      } catch {
        process.stderr.write(`  loadgen: ${line}\n`);
        continue;
      }
      if (ev.event === 'measure_start') {
        sampler.mark('start');
        pending.push(S.getJson(statusUrl).then((s) => (extra.statusAtStart = s)));
        if (srv.java) pending.push(pushTimer(metricsUrl).then((t) => (extra.pushAtStart = t)));
      } else if (ev.event === 'measure_end') {
        sampler.mark('end');
        extra.kernelAtEnd = kernelQueues(a.port);
        pending.push(S.getJson(statusUrl).then((s) => (extra.statusAtEnd = s)));
        if (srv.java) pending.push(pushTimer(metricsUrl).then((t) => (extra.pushAtEnd = t)));
      } else if (ev.event === 'connected') {
        log(`  connected ${ev.connected}, failed ${ev.failed} in ${ev.rampMs} ms`);
      } else if (ev.event === 'error' || ev.event === 'watchdog' || ev.event === 'warning') {
        log(`  loadgen ${ev.event}: ${ev.message}`);
      }
    }
  });
  const exit = await lg.exitPromise;
  await Promise.all(pending);
  try {
    result = JSON.parse(stdout.trim().split('\n').pop());
  } catch {
    result = { error: `no JSON from loadgen (exit ${exit.code}): ${stdout.slice(0, 300)}` };
  }
  const serverWindow = sampler.window();
  if (result && result.client && serverWindow.machineBusyPct != null) {
    // CPU used in the window by neither the server nor the load generator: other work on the machine
    serverWindow.otherCpuPct = Math.round((serverWindow.machineBusyPct - serverWindow.cpuPctOfOneCore - (result.client.cpuPctOfOneCore || 0)) * 10) / 10;
  }
  sampler.stop();
  await S.stopServer(srv.child);
  const strip = (st) => (st ? { sessions: st.sessions, scheduler: st.scheduler, settings: st.settings, memory: st.memory } : null);
  const rec = {
    kind: 'run',
    at: new Date().toISOString(),
    label: a.label,
    round,
    server: kind,
    stuck,
    pulse: serverKind(kind).kind === 'pulse' ? { war: war.source, commit: war.commit } : null,
    tomcat: serverKind(kind).kind === 'pulse' ? S.tomcatInfo(srv) : null,
    settings: { ...settingsEnv, ...serverKind(kind).env },
    machineBefore: before,
    serverStartMs: srv.startMs,
    serverMetrics: {
      ...serverWindow,
      sessionsAtStart: extra.statusAtStart ? extra.statusAtStart.sessions : null,
      sessionsAtEnd: extra.statusAtEnd ? extra.statusAtEnd.sessions : null,
      statusAtEnd: strip(extra.statusAtEnd),
      kernelAtEnd: extra.kernelAtEnd,
      pushQueueMeanMs: meanOverWindow(extra.pushAtStart, extra.pushAtEnd),
    },
    loadgen: result,
    serverLog: path.relative(S.BENCH, srv.logFile),
  };
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.appendFileSync(outFile, JSON.stringify(rec) + '\n');
  const l = result || {};
  log(
    `  ${kind}: connected ${l.sessions ? l.sessions.connected : '?'}, disconnects ${l.disconnects ? l.disconnects.total : '?'}, ` +
      `missed seq ${l.time ? l.time.missedSeq : '?'}, rtt p99 ${l.rttMs ? l.rttMs.p99 : '?'} ms, fan-out p99 ${l.fanoutMs ? l.fanoutMs.p99 : '?'} ms, ` +
      (l.topic ? `topic fan-out p99 ${l.topic.fanoutMs ? l.topic.fanoutMs.p99 : '?'} ms (missed ${l.topic.missedSeq}), ` : '') +
      `server cpu ${serverWindow.cpuPctOfOneCore}% (sys ${serverWindow.sysPctOfOneCore}%)`,
  );
  if (serverWindow.threadCpuPct) {
    const top = Object.entries(serverWindow.threadCpuPct).slice(0, 6);
    log(`    threads: ${top.map(([n, g]) => `${n} ${g.pct}% (sys ${g.sysPct}, x${g.threads})`).join(', ')}`);
  }
  return rec;
}

// ---------------------------------------------------------------- summary
const METRICS = [
  ['connected', (r) => r.loadgen.sessions && r.loadgen.sessions.connected],
  ['failed', (r) => r.loadgen.sessions && r.loadgen.sessions.failed],
  ['disconnects', (r) => r.loadgen.disconnects && r.loadgen.disconnects.total],
  ['missedSeq', (r) => r.loadgen.time && r.loadgen.time.missedSeq],
  ['behindAtEnd', (r) => r.loadgen.time && r.loadgen.time.sessionsBehindAtEnd],
  ['unackedHb', (r) => r.loadgen.heartbeats && r.loadgen.heartbeats.unackedWindow],
  ['rttP50', (r) => r.loadgen.rttMs && r.loadgen.rttMs.p50],
  ['rttP99', (r) => r.loadgen.rttMs && r.loadgen.rttMs.p99],
  ['rttMax', (r) => r.loadgen.rttMs && r.loadgen.rttMs.max],
  ['fanoutP50', (r) => r.loadgen.fanoutMs && r.loadgen.fanoutMs.p50],
  ['fanoutP99', (r) => r.loadgen.fanoutMs && r.loadgen.fanoutMs.p99],
  ['fanoutMax', (r) => r.loadgen.fanoutMs && r.loadgen.fanoutMs.max],
  ['topicFanoutP50', (r) => r.loadgen.topic && r.loadgen.topic.fanoutMs && r.loadgen.topic.fanoutMs.p50],
  ['topicFanoutP99', (r) => r.loadgen.topic && r.loadgen.topic.fanoutMs && r.loadgen.topic.fanoutMs.p99],
  ['topicMissedSeq', (r) => r.loadgen.topic && r.loadgen.topic.missedSeq],
  ['serverCpuPct', (r) => r.serverMetrics.cpuPctOfOneCore],
  ['serverSysPct', (r) => r.serverMetrics.sysPctOfOneCore],
  ['pushQueueMeanMs', (r) => r.serverMetrics.pushQueueMeanMs],
  ['serverRssMbMax', (r) => r.serverMetrics.rssMbMax],
  ['serverHeapMbMax', (r) => r.serverMetrics.heapMbMax],
  ['clientCpuPct', (r) => r.loadgen.client && r.loadgen.client.cpuPctOfOneCore],
  ['otherCpuPct', (r) => r.serverMetrics.otherCpuPct],
];
// the figures compared as Pulse / reference
const RATIOS = ['rttP50', 'rttP99', 'fanoutP50', 'fanoutP99', 'fanoutMax', 'topicFanoutP50', 'topicFanoutP99', 'serverCpuPct', 'serverRssMbMax'];

function summarizeRuns(runs) {
  const groups = {};
  for (const r of runs) {
    if (!r.loadgen || r.loadgen.error) continue;
    const key = `${r.server} stuck=${r.stuck}`;
    (groups[key] = groups[key] || []).push(r);
  }
  const medians = {};
  for (const [key, rs] of Object.entries(groups)) {
    medians[key] = { runs: rs.length };
    for (const [name, fn] of METRICS) medians[key][name] = median(rs.map(fn));
  }
  const ratios = {};
  const reference = servers.includes('ref') ? 'ref' : servers[0];
  for (const stuck of stuckValues) {
    const ref = medians[`${reference} stuck=${stuck}`];
    for (const name of servers) {
      const p = medians[`${name} stuck=${stuck}`];
      if (name === reference || !p || !ref) continue;
      const r = {};
      for (const m of RATIOS) r[m] = p[m] != null && ref[m] ? Math.round((p[m] / ref[m]) * 100) / 100 : null;
      ratios[`${name}/${reference} stuck=${stuck}`] = r;
    }
  }
  // effect of stuck clients on the others, per server: fan-out p99 with stuck / without
  const stuckEffect = {};
  const base = stuckValues.find((v) => v === 0);
  if (base !== undefined) {
    for (const kind of servers) {
      for (const v of stuckValues) {
        if (v === 0) continue;
        const b = medians[`${kind} stuck=0`];
        const s = medians[`${kind} stuck=${v}`];
        if (b && s && b.fanoutP99) stuckEffect[`${kind} stuck=${v} vs 0`] = { fanoutP99Ratio: Math.round((s.fanoutP99 / b.fanoutP99) * 100) / 100, rttP99Ratio: b.rttP99 ? Math.round((s.rttP99 / b.rttP99) * 100) / 100 : null };
      }
    }
  }
  return { medians, ratios, stuckEffect };
}

function printTable(summary) {
  const keys = Object.keys(summary.medians);
  const cols = ['metric', ...keys, ...Object.keys(summary.ratios)];
  const rows = [['runs', ...keys.map((k) => summary.medians[k].runs), ...Object.keys(summary.ratios).map(() => '')]];
  for (const [name] of METRICS) {
    rows.push([name, ...keys.map((k) => fmt(summary.medians[k][name])), ...Object.values(summary.ratios).map((r) => fmt(r[name]))]);
  }
  const widths = cols.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((v, i) => String(v).padStart(widths[i])).join('  ');
  process.stdout.write(`\nmedians over rounds (latencies in ms; ratios are server / reference)\n${line(cols)}\n`);
  for (const r of rows) process.stdout.write(line(r) + '\n');
  for (const [k, v] of Object.entries(summary.stuckEffect)) process.stdout.write(`${k}: fan-out p99 x${v.fanoutP99Ratio}, rtt p99 x${v.rttP99Ratio}\n`);
}

function fmt(v) {
  if (v == null) return '-';
  return typeof v === 'number' ? String(Math.round(v * 100) / 100) : String(v);
}

async function main() {
  S.installCleanup();
  const withPulse = servers.some((s) => serverKind(s).kind === 'pulse');
  let war = withPulse ? S.pulseWar({ war: a.war, commit: a.commit }) : null;
  if (withPulse) S.ensureTomcat();
  if (withPulse && a.topicInterval > 0) war = S.tickerWar(war);
  log(`results -> ${path.relative(process.cwd(), outFile)}; server logs -> ${path.relative(process.cwd(), logDir)}`);
  const runs = [];
  for (let round = 1; round <= a.rounds; round++) {
    const order = round % 2 === 1 ? servers : [...servers].reverse();
    for (const stuck of stuckValues) {
      for (const kind of order) {
        try {
          runs.push(await runOne(round, kind, stuck, war));
        } catch (e) {
          log(`  ${kind} run failed: ${e.message}`);
          const rec = { kind: 'run', at: new Date().toISOString(), label: a.label, round, server: kind, stuck, error: String(e.message).slice(0, 2000) };
          fs.appendFileSync(outFile, JSON.stringify(rec) + '\n');
        }
        await S.sleep(a.pause * 1000);
      }
    }
  }
  const summary = summarizeRuns(runs);
  const params = { ...a, servers, stuck: stuckValues };
  fs.appendFileSync(outFile, JSON.stringify({ kind: 'summary', at: new Date().toISOString(), label: a.label, params, commit: war && war.commit, ...summary }) + '\n');
  printTable(summary);
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), outFile)}\n`);
}

main().catch((e) => {
  log(`error: ${e.stack || e}`);
  process.exit(1);
});
