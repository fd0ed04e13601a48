'use strict';
// Server-side sampling without disturbing the server: CPU ticks from /proc/PID/stat, RSS from
// /proc/PID/status, and for a JVM its heap and GC counters straight from the hsperfdata file the
// JVM maps anyway (/tmp/hsperfdata_USER/PID: the counters jstat reads), so no JVM is started per
// sample. jcmd is used only where a full GC is wanted (the memory probe).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
} catch {
  /* keep 100 */
}

/** utime and stime of a process (or of one thread: /proc/PID/task/TID), in seconds. */
function cpuTimes(procDir) {
  const stat = fs.readFileSync(`${procDir}/stat`, 'utf8');
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(rest[11]) / clkTck, sys: Number(rest[12]) / clkTck }; // fields 14 and 15 of stat
}

/** user and sys CPU seconds of each thread of a process: {tid: {comm, user, sys}}. */
function threadTimes(pid) {
  const out = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const dir = `/proc/${pid}/task/${tid}`;
      out[tid] = { comm: fs.readFileSync(`${dir}/comm`, 'utf8').trim(), ...cpuTimes(dir) };
    } catch {
      /* thread gone */
    }
  }
  return out;
}

/**
 * The Java names of a JVM's threads, {tid: name}, from `jcmd PID Thread.print` (Linux truncates
 * /proc's comm to 15 characters, which merges Tomcat's poller and its executor threads).
 */
function javaThreadNames(pid) {
  const names = {};
  for (const line of jcmd(pid, 'Thread.print').split('\n')) {
    const m = /^"(.*)".* nid=(0x[0-9a-f]+|\d+)/.exec(line);
    if (m) names[String(Number(m[2]))] = m[1];
  }
  return names;
}

/**
 * CPU over a window per thread group, in % of one core, largest first: a group is the thread's
 * name with its numbers replaced by N ("http-nio-18480-exec-12" → "http-nio-N-exec-N"). Threads
 * that ended before the window's end are not counted.
 */
function threadGroupPct(before, after, names, secs) {
  const groups = {};
  for (const [tid, t] of Object.entries(after)) {
    const b = before[tid] || { user: 0, sys: 0 };
    const name = (names[tid] || t.comm).replace(/\d+/g, 'N');
    const g = groups[name] || (groups[name] = { pct: 0, sysPct: 0, threads: 0 });
    g.pct += ((t.user + t.sys - b.user - b.sys) / secs) * 100;
    g.sysPct += ((t.sys - b.sys) / secs) * 100;
    g.threads++;
  }
  return Object.fromEntries(
    Object.entries(groups)
      .map(([name, g]) => [name, { pct: round(g.pct, 1), sysPct: round(g.sysPct, 1), threads: g.threads }])
      .filter(([, g]) => g.pct >= 0.5)
      .sort((x, y) => y[1].pct - x[1].pct),
  );
}

/** Whole-machine CPU time from /proc/stat, in seconds: {busy, total}. */
function machineCpu() {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((x, y) => x + y, 0);
  const idle = v[3] + (v[4] || 0); // idle + iowait
  return { busy: (total - idle) / clkTck, total: total / clkTck };
}

/** {rssKb, hwmKb, threads} from /proc/PID/status. */
function memStatus(pid) {
  const out = {};
  for (const line of fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(VmRSS|VmHWM|Threads):\s+(\d+)/.exec(line);
    if (m) out[{ VmRSS: 'rssKb', VmHWM: 'hwmKb', Threads: 'threads' }[m[1]]] = Number(m[2]);
  }
  return out;
}

function fdCount(pid) {
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- hsperfdata (jvmstat v2 format)
function hsperfFile(pid) {
  const user = os.userInfo().username;
  const dirs = [path.join(os.tmpdir(), `hsperfdata_${user}`), `/tmp/hsperfdata_${user}`];
  for (const d of dirs) {
    const f = path.join(d, String(pid));
    if (fs.existsSync(f)) return f;
  }
  return null;
}

/** All long counters of a JVM as {name: Number}, or null when the file is not there. */
function readHsperf(pid) {
  const file = hsperfFile(pid);
  if (!file) return null;
  const b = fs.readFileSync(file);
  if (b.length < 32) return null;
  const le = b[4] === 1;
  const u32 = (o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const i64 = (o) => Number(le ? b.readBigInt64LE(o) : b.readBigInt64BE(o));
  const magic = b.readUInt32BE(0);
  if (magic !== 0xcafec0c0 && magic !== 0xc0c0feca) return null;
  let off = u32(24);
  const n = u32(28);
  const out = {};
  for (let i = 0; i < n && off + 20 <= b.length; i++) {
    const len = u32(off);
    if (len === 0) break;
    const nameOff = u32(off + 4);
    const vecLen = u32(off + 8);
    const type = String.fromCharCode(b[off + 12]);
    const dataOff = u32(off + 16);
    const nameEnd = b.indexOf(0, off + nameOff);
    const name = b.toString('latin1', off + nameOff, nameEnd);
    if (type === 'J' && vecLen === 0) out[name] = i64(off + dataOff);
    off += len;
  }
  return out;
}

/** Heap used (bytes) and GC counters from a hsperf snapshot. */
function jvmHeap(h) {
  if (!h) return null;
  const g = (k) => h[k] || 0;
  const freq = g('sun.os.hrt.frequency') || 1e9;
  return {
    heapUsed:
      g('sun.gc.generation.0.space.0.used') +
      g('sun.gc.generation.0.space.1.used') +
      g('sun.gc.generation.0.space.2.used') +
      g('sun.gc.generation.1.space.0.used'),
    heapCommitted: g('sun.gc.generation.0.capacity') + g('sun.gc.generation.1.capacity'),
    youngGcs: g('sun.gc.collector.0.invocations'),
    youngGcMs: (g('sun.gc.collector.0.time') / freq) * 1000,
    fullGcs: g('sun.gc.collector.1.invocations'),
    fullGcMs: (g('sun.gc.collector.1.time') / freq) * 1000,
    concurrentGcs: g('sun.gc.collector.2.invocations'),
    threads: g('java.threads.live'),
  };
}

/**
 * Samples one server process every intervalMs (RSS, JVM heap) and takes marks (CPU, GC) at the
 * window's start and end.
 */
class Sampler {
  constructor(pid, { java = false, intervalMs = 1000 } = {}) {
    this.pid = pid;
    this.java = java;
    this.max = { rssKb: 0, heapUsed: 0 };
    this.marks = {};
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  sample() {
    try {
      const m = memStatus(this.pid);
      this.max.rssKb = Math.max(this.max.rssKb, m.rssKb || 0);
      if (this.java) {
        const h = jvmHeap(readHsperf(this.pid));
        if (h) this.max.heapUsed = Math.max(this.max.heapUsed, h.heapUsed);
      }
    } catch {
      /* process gone */
    }
  }

  mark(name) {
    try {
      this.marks[name] = {
        t: Date.now(),
        cpuTimes: cpuTimes(`/proc/${this.pid}`),
        threads: threadTimes(this.pid),
        javaNames: this.java && name === 'end' ? javaThreadNames(this.pid) : null,
        machine: machineCpu(),
        mem: memStatus(this.pid),
        fds: fdCount(this.pid),
        jvm: this.java ? jvmHeap(readHsperf(this.pid)) : null,
      };
    } catch (e) {
      this.marks[name] = { error: String(e.message) };
    }
  }

  stop() {
    clearInterval(this.timer);
  }

  /** CPU and GC over the window between marks a and b. */
  window(a = 'start', b = 'end') {
    const s = this.marks[a];
    const e = this.marks[b];
    if (!s || !e || s.error || e.error) return { error: 'missing marks' };
    const secs = (e.t - s.t) / 1000;
    const cpu = e.cpuTimes.user + e.cpuTimes.sys - s.cpuTimes.user - s.cpuTimes.sys;
    const out = {
      seconds: secs,
      cpuSeconds: round(cpu, 2),
      cpuPctOfOneCore: round((cpu / secs) * 100, 1),
      userPctOfOneCore: round(((e.cpuTimes.user - s.cpuTimes.user) / secs) * 100, 1),
      sysPctOfOneCore: round(((e.cpuTimes.sys - s.cpuTimes.sys) / secs) * 100, 1),
      // per thread group, % of one core in the window (user + sys, and sys alone)
      threadCpuPct: threadGroupPct(s.threads, e.threads, e.javaNames || {}, secs),
      // everything that ran on the machine in the window, in % of one core (100 x cores = all busy)
      machineBusyPct: round(((e.machine.busy - s.machine.busy) / secs) * 100, 1),
      rssMbEnd: round((e.mem.rssKb || 0) / 1024, 1),
      rssMbMax: round(Math.max(this.max.rssKb, e.mem.rssKb || 0) / 1024, 1),
      threads: e.mem.threads,
      fds: e.fds,
    };
    if (s.jvm && e.jvm) {
      out.heapMbEnd = round(e.jvm.heapUsed / 1048576, 1);
      out.heapMbMax = round(Math.max(this.max.heapUsed, e.jvm.heapUsed) / 1048576, 1);
      out.heapCommittedMb = round(e.jvm.heapCommitted / 1048576, 1);
      out.youngGcs = e.jvm.youngGcs - s.jvm.youngGcs;
      out.youngGcMs = round(e.jvm.youngGcMs - s.jvm.youngGcMs, 1);
      out.fullGcs = e.jvm.fullGcs - s.jvm.fullGcs;
      out.fullGcMs = round(e.jvm.fullGcMs - s.jvm.fullGcMs, 1);
    }
    return out;
  }
}

function round(x, d) {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Runs jcmd PID ARGS... and returns stdout. */
function jcmd(pid, ...args) {
  return execFileSync('jcmd', [String(pid), ...args], { maxBuffer: 64 << 20 }).toString();
}

/**
 * Live heap after a full GC: GC.class_histogram (which collects first) → {totalBytes, classes:
 * Map(name → bytes)}.
 */
function liveHistogram(pid) {
  const text = jcmd(pid, 'GC.class_histogram');
  const classes = new Map();
  let totalBytes = null;
  let totalInstances = null;
  for (const line of text.split('\n')) {
    let m = /^\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (m) {
      classes.set(m[3], (classes.get(m[3]) || 0) + Number(m[2]));
      continue;
    }
    m = /^Total\s+(\d+)\s+(\d+)/.exec(line);
    if (m) {
      totalInstances = Number(m[1]);
      totalBytes = Number(m[2]);
    }
  }
  if (totalBytes == null) throw new Error(`no Total line in GC.class_histogram output:\n${text.slice(0, 500)}`);
  return { totalBytes, totalInstances, classes };
}

/** Used heap after `jcmd GC.run`, from GC.heap_info (G1: "garbage-first heap total X, used Y"). */
function heapInfoUsed(pid) {
  jcmd(pid, 'GC.run');
  const text = jcmd(pid, 'GC.heap_info');
  const m = /used\s+(\d+)K/.exec(text);
  return m ? Number(m[1]) * 1024 : null;
}

module.exports = { machineCpu, cpuTimes, threadTimes, memStatus, fdCount, readHsperf, jvmHeap, Sampler, jcmd, liveHistogram, heapInfoUsed };
