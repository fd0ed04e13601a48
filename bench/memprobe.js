#!/usr/bin/env node
'use strict';
// Memory probe: heap retained per idle session after a full GC, Pulse vs a bare Tomcat endpoint
// (and optionally the ws reference server). For each server: start it, measure the live heap with
// no session (baseline), then open idle sessions (no heartbeats; they answer Pings) up to each
// count, and measure again. Live heap = `jcmd PID GC.class_histogram` (it runs a full GC first and
// counts what survives); `jcmd GC.run` + `GC.heap_info` is recorded as a cross-check. Per session =
// (live at N - baseline) / N. Appends one JSON line per server to bench/results/memprobe-*.jsonl.

const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('./lib/args');
const { SessionPool } = require('./lib/session-pool');
const { liveHistogram, heapInfoUsed, memStatus, fdCount } = require('./lib/procstat');
const S = require('./lib/servers');

const HELP = `usage: node memprobe.js [options]        (from bench/, after npm ci)
  --servers LIST      pulse,bare (default); add ref for the ws reference server (Node heap)
  --counts LIST       idle session counts, ascending (default 1000,10000)
  --rate R            connects/s (default 500)
  --addrs K           source addresses 127.0.0.1..K (default 4)
  --settle S          seconds to wait before each measurement (default 5)
  --repeat K          measurements per point, the smallest is kept (default 2)
  --pulse-env LIST    PULSE_* settings for Pulse and ref, e.g. PULSE_TIME_INTERVAL=1000
                      (default: none, i.e. Pulse's defaults)
  --war PATH          Pulse WAR (default: built from --commit)    --commit REV  (default HEAD)
  --java-opts TEXT    (default "-Xms2g -Xmx2g -XX:+UseG1GC")
  --max-connections N (default 30000)   --accept-count N (default 1024)   --max-threads N (default 200)
  --connector-attrs L extra Connector attributes, e.g. socket.appReadBufSize=2048,socket.appWriteBufSize=2048
  --context-params L  context parameters for every web app (conf/context.xml), e.g.
                      org.apache.tomcat.websocket.textBufferSize=2048
  --port P            (default 18490)
  --top K             classes with the largest growth to list (default 15)
  --app-prefix P      also list the growth of classes starting with P (default dev.pulse)
  --out FILE          (default results/memprobe-<time>.jsonl)
  --label TEXT`;

const a = parseArgs(
  process.argv.slice(2),
  {
    servers: 'pulse,bare',
    counts: '1000,10000',
    rate: 500,
    addrs: 4,
    settle: 5,
    repeat: 2,
    pulseEnv: '',
    ...S.TOMCAT_DEFAULTS,
    port: 18490,
    top: 15,
    appPrefix: 'dev.pulse',
    out: '',
    label: '',
  },
  HELP,
);

const servers = a.servers.split(',').map((s) => s.trim()).filter(Boolean);
for (const s of servers) if (!['pulse', 'bare', 'ref'].includes(s)) throw new Error(`unknown server '${s}' (pulse, bare, ref)`);
const counts = a.counts.split(',').map(Number).sort((x, y) => x - y);
const env = Object.fromEntries(a.pulseEnv.split(',').filter(Boolean).map((kv) => kv.split('=')));
const stamp = new Date().toISOString().replace(/[:.]/g, '').slice(0, 15);
const outFile = path.resolve(S.BENCH, a.out || `results/memprobe-${stamp}.jsonl`);
const logDir = path.join(S.WORK, 'logs', stamp);

function log(msg) {
  process.stderr.write(`[memprobe ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

const ENDPOINTS = {
  pulse: { ws: '/pulse/ws', status: '/pulse/api/status' },
  bare: { ws: '/bare/ws', status: null },
  ref: { ws: '/pulse/ws', status: '/pulse/api/status' },
};

async function start(kind) {
  const logFile = path.join(logDir, `${kind}.log`);
  if (kind === 'ref') {
    const h = await S.startReference({ port: a.port, env, logFile, exposeGc: true });
    return { ...h, source: 'bench/reference-server.js' };
  }
  const war = kind === 'pulse' ? S.pulseWar({ war: a.war, commit: a.commit }) : S.bareWar();
  const h = await S.startTomcat({
    name: `mem-${kind}`,
    war: war.path,
    context: kind,
    port: a.port,
    env: kind === 'pulse' ? env : {},
    ...S.tomcatOptions(a),
    logFile,
    readyPath: ENDPOINTS[kind].status,
  });
  return { ...h, source: war.source, commit: war.commit };
}

/** One measurement: the smallest of `repeat` full-GC live-heap readings. */
async function measure(kind, srv) {
  const mem = memStatus(srv.pid);
  if (kind === 'ref') {
    let best = null;
    for (let i = 0; i < a.repeat; i++) {
      const st = await S.getJson(`http://127.0.0.1:${a.port}/pulse/api/status?gc=1`);
      const bytes = st.memory.heapUsed + st.memory.external;
      if (!best || bytes < best.liveBytes) best = { liveBytes: bytes, heapUsed: st.memory.heapUsed, external: st.memory.external };
    }
    return { ...best, rssKb: mem.rssKb, fds: fdCount(srv.pid) };
  }
  let best = null;
  for (let i = 0; i < a.repeat; i++) {
    const h = liveHistogram(srv.pid);
    if (!best || h.totalBytes < best.totalBytes) best = h;
  }
  return {
    liveBytes: best.totalBytes,
    liveInstances: best.totalInstances,
    heapInfoUsed: heapInfoUsed(srv.pid),
    rssKb: mem.rssKb,
    fds: fdCount(srv.pid),
    classes: best.classes,
  };
}

async function probe(kind) {
  log(`${kind}: starting`);
  const srv = await start(kind);
  const pools = [];
  try {
    await S.sleep(a.settle * 1000);
    const base = await measure(kind, srv);
    log(`${kind}: baseline live ${(base.liveBytes / 1048576).toFixed(1)} MB`);
    const points = [];
    let open = 0;
    let last = null;
    for (const n of counts) {
      const pool = new SessionPool({
        url: `ws://127.0.0.1:${a.port}${ENDPOINTS[kind].ws}`,
        offset: open,
        count: n - open,
        addrs: a.addrs,
        rate: a.rate,
        hbMs: 0,
      });
      pools.push(pool);
      const c = await pool.connectAll(((n - open) / a.rate + 30) * 1000);
      open = n;
      const connected = pools.reduce((s, p) => s + p.openCount(), 0);
      await S.sleep(a.settle * 1000);
      const st = ENDPOINTS[kind].status ? await S.getJson(`http://127.0.0.1:${a.port}${ENDPOINTS[kind].status}`) : null;
      const m = await measure(kind, srv);
      last = m;
      const perSession = (m.liveBytes - base.liveBytes) / connected;
      const point = {
        sessions: n,
        connected,
        failed: c.failed,
        serverSessions: st ? st.sessions : null,
        liveBytes: m.liveBytes,
        perSessionBytes: Math.round(perSession),
        perSessionKB: Math.round((perSession / 1024) * 100) / 100,
        heapInfoUsed: m.heapInfoUsed ?? null,
        perSessionHeapInfoBytes: m.heapInfoUsed && base.heapInfoUsed ? Math.round((m.heapInfoUsed - base.heapInfoUsed) / connected) : null,
        rssKb: m.rssKb,
        perSessionRssBytes: Math.round(((m.rssKb - base.rssKb) * 1024) / connected),
        fds: m.fds,
      };
      points.push(point);
      log(`${kind}: ${connected}/${n} idle sessions (server says ${point.serverSessions ?? '-'}): ${point.perSessionKB} KB live heap per session`);
    }
    let topClasses = null;
    let appClasses = null;
    if (last && last.classes && base.classes) {
      const n = points[points.length - 1].connected;
      topClasses = [...last.classes.entries()]
        .map(([cls, bytes]) => ({ cls, deltaBytes: bytes - (base.classes.get(cls) || 0) }))
        .sort((x, y) => y.deltaBytes - x.deltaBytes)
        .slice(0, a.top)
        .map((c) => ({ ...c, perSessionBytes: Math.round(c.deltaBytes / n) }));
      appClasses = [...last.classes.entries()]
        .filter(([cls]) => cls.startsWith(a.appPrefix))
        .map(([cls, bytes]) => ({ cls, deltaBytes: bytes - (base.classes.get(cls) || 0) }))
        .filter((c) => c.deltaBytes > 0)
        .sort((x, y) => y.deltaBytes - x.deltaBytes)
        .map((c) => ({ ...c, perSessionBytes: Math.round(c.deltaBytes / n) }));
    }
    const rec = {
      kind: 'memprobe',
      at: new Date().toISOString(),
      label: a.label,
      server: kind,
      source: srv.source,
      commit: srv.commit || null,
      tomcat: srv.java ? S.tomcatInfo(srv) : null,
      settingsEnv: kind === 'bare' ? {} : env,
      method: srv.java ? 'jcmd GC.class_histogram (full GC, live objects) minus 0-session baseline' : 'process.memoryUsage() heapUsed+external after global.gc()',
      baseline: { liveBytes: base.liveBytes, heapInfoUsed: base.heapInfoUsed ?? null, rssKb: base.rssKb },
      points,
      topClasses,
      appClasses,
    };
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.appendFileSync(outFile, JSON.stringify(rec) + '\n');
    if (last && last.classes && base.classes) {
      // per-session growth of every class, kept in memory for the Pulse - bare comparison
      const n = points[points.length - 1].connected;
      rec.perSessionByClass = new Map([...last.classes.entries()].map(([cls, bytes]) => [cls, (bytes - (base.classes.get(cls) || 0)) / n]));
    }
    return rec;
  } finally {
    for (const p of pools) await p.closeAll(2000);
    await S.stopServer(srv.child);
  }
}

async function main() {
  S.installCleanup();
  log(`results -> ${path.relative(process.cwd(), outFile)}`);
  const recs = [];
  for (const kind of servers) {
    try {
      recs.push(await probe(kind));
    } catch (e) {
      log(`${kind} failed: ${e.message}`);
      fs.appendFileSync(outFile, JSON.stringify({ kind: 'memprobe', server: kind, error: String(e.message).slice(0, 2000) }) + '\n');
    }
  }
  process.stdout.write('\nlive heap per idle session (KB; after a full GC, minus the 0-session baseline)\n');
  process.stdout.write(['sessions', ...recs.map((r) => r.server), ...(recs.some((r) => r.server === 'pulse') && recs.some((r) => r.server === 'bare') ? ['pulse/bare'] : [])].map((s) => s.padStart(10)).join('') + '\n');
  for (const n of counts) {
    const vals = recs.map((r) => (r.points.find((p) => p.sessions === n) || {}).perSessionKB);
    const p = recs.find((r) => r.server === 'pulse');
    const b = recs.find((r) => r.server === 'bare');
    const ratio = p && b ? (p.points.find((x) => x.sessions === n) || {}).perSessionKB / (b.points.find((x) => x.sessions === n) || {}).perSessionKB : null;
    process.stdout.write([n, ...vals.map((v) => v ?? '-'), ...(ratio != null ? [Math.round(ratio * 100) / 100] : [])].map((s) => String(s).padStart(10)).join('') + '\n');
  }
  for (const r of recs) {
    if (!r.topClasses) continue;
    process.stdout.write(`\n${r.server}: largest growth at ${r.points[r.points.length - 1].connected} sessions (bytes per session)\n`);
    for (const c of r.topClasses) process.stdout.write(`  ${String(c.perSessionBytes).padStart(7)}  ${c.cls}\n`);
    if (r.appClasses && r.appClasses.length) {
      const sum = r.appClasses.reduce((t, c) => t + c.perSessionBytes, 0);
      process.stdout.write(`  of which ${a.appPrefix}.* classes: ${sum} bytes per session (${r.appClasses.slice(0, 6).map((c) => `${c.cls.replace(a.appPrefix + '.', '')} ${c.perSessionBytes}`).join(', ')})\n`);
    }
  }
  const p = recs.find((r) => r.server === 'pulse' && r.perSessionByClass);
  const b = recs.find((r) => r.server === 'bare' && r.perSessionByClass);
  if (p && b) {
    const names = new Set([...p.perSessionByClass.keys(), ...b.perSessionByClass.keys()]);
    const diff = [...names]
      .map((cls) => ({ cls, pulseMinusBareBytes: Math.round((p.perSessionByClass.get(cls) || 0) - (b.perSessionByClass.get(cls) || 0)) }))
      .filter((d) => Math.abs(d.pulseMinusBareBytes) >= 16)
      .sort((x, y) => Math.abs(y.pulseMinusBareBytes) - Math.abs(x.pulseMinusBareBytes))
      .slice(0, a.top);
    fs.appendFileSync(outFile, JSON.stringify({ kind: 'memprobe-diff', at: new Date().toISOString(), label: a.label, sessions: p.points[p.points.length - 1].connected, pulseMinusBare: diff }) + '\n');
    process.stdout.write(`\nPulse minus bare, bytes per session at ${p.points[p.points.length - 1].connected} sessions\n`);
    for (const d of diff) process.stdout.write(`  ${String(d.pulseMinusBareBytes).padStart(7)}  ${d.cls}\n`);
  }
  process.stdout.write(`\nresults: ${path.relative(process.cwd(), outFile)}\n`);
}

main().catch((e) => {
  log(`error: ${e.stack || e}`);
  process.exit(1);
});
