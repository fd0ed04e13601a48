'use strict';
// A pool of WebSocket client sessions (the `ws` package) that speak the Pulse protocol and record
// what the bench measures. Used in-process by loadgen.js (one pool per worker process) and by
// memprobe.js (idle sessions, no heartbeats).

const { performance, monitorEventLoopDelay } = require('node:perf_hooks');
const WebSocket = require('ws');
const { Samples, addCounts } = require('./stats');

const wallNow = () => performance.timeOrigin + performance.now(); // epoch ms, sub-ms resolution
const monoUs = () => Math.round(performance.now() * 1000); // integer microseconds, monotonic

/**
 * Options:
 *   url, offset (global index of the first session), count, addrs (number of loopback source
 *   addresses 127.0.0.1..127.0.0.K), rate (connects/s for this pool), maxPending (handshakes in
 *   flight), hbMs (heartbeat interval, 0 = none), stuck (fraction 0..1 of sessions that stop
 *   reading), stuckHbMs (heartbeat interval of stuck sessions, 0 = they stop writing too),
 *   handshakeTimeoutMs, deflate (offer permessage-deflate; off by default).
 */
class SessionPool {
  constructor(opts) {
    this.o = {
      offset: 0,
      addrs: 1,
      rate: 500,
      maxPending: 256,
      hbMs: 5000,
      stuck: 0,
      stuckHbMs: null,
      handshakeTimeoutMs: 10000,
      deflate: false,
      topic: '', // subscribe every session to this topic and measure its fan-out ('' = none)
      ...opts,
    };
    if (this.o.stuckHbMs == null) this.o.stuckHbMs = this.o.hbMs;
    this.sessions = [];
    this.measuring = false;
    this.finished = false;
    // the window is defined on send times: heartbeats sent (monotonic us) and pushes stamped
    // (serverTime, wall ms) inside it are the samples; late answers arrive during the grace
    this.winStartUs = Infinity;
    this.winEndUs = Infinity;
    this.winStartWall = Infinity;
    this.winEndWall = Infinity;
    this.stuckPaused = false;
    this.c = {
      attempted: 0,
      connected: 0,
      failed: 0,
      failReasons: {},
      welcomes: 0,
      // counted for normal (non-stuck) sessions; stuck ones below
      hbSent: 0,
      hbSentWindow: 0,
      acks: 0,
      acksWindow: 0,
      acksUnmatched: 0,
      timeMsgs: 0,
      timeMsgsWindow: 0,
      missedSeq: 0,
      missedSeqWindow: 0,
      outOfOrder: 0,
      sessionsWithGaps: 0,
      pings: 0,
      errorsFromServer: {},
      disconnects: 0,
      disconnectsWindow: 0,
      disconnectCodes: {},
      socketErrors: {},
      stuck: {
        sessions: 0,
        connected: 0,
        hbSent: 0,
        acks: 0,
        timeMsgs: 0,
        missedSeq: 0,
        disconnects: 0,
        disconnectCodes: {},
        drainedMsgs: 0,
      },
    };
    this.rtt = new Samples();
    this.fanout = new Samples();
    this.topicFanout = new Samples();
    this.t = { subscribed: 0, received: 0, receivedWindow: 0, missedSeq: 0, gaps: 0 };
    this.connectMs = new Samples();
    this.stuckRtt = new Samples();
    this.stuckFanout = new Samples();
    this.loopDelay = null;
    this.cpuAtStart = null;
    this.cpuWindow = null;
  }

  isStuckIndex(i) {
    const f = this.o.stuck;
    if (!(f > 0)) return false;
    // spreads exactly round(N*f) stuck sessions evenly over the global index range
    return Math.floor((i + 1) * f) > Math.floor(i * f);
  }

  /** Opens all sessions at the configured rate; resolves when every one is open or has failed. */
  connectAll(deadlineMs) {
    const { count, rate, maxPending } = this.o;
    const started = performance.now();
    let launched = 0;
    let pending = 0;
    let settled = 0;
    return new Promise((resolve) => {
      const done = () => {
        clearInterval(tick);
        clearTimeout(deadline);
        resolve(this.connectSummary(performance.now() - started));
      };
      const onSettled = () => {
        pending--;
        settled++;
        if (settled === count) done();
      };
      const tick = setInterval(() => {
        const allowed = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate) + 1);
        while (launched < allowed && pending < maxPending) {
          pending++;
          this.open(this.o.offset + launched++, onSettled);
        }
      }, 5);
      const deadline = setTimeout(() => {
        // give up on whatever has not settled: count it failed and stop launching
        for (const s of this.sessions) {
          if (!s.settled) {
            this.fail(s, 'connect_deadline');
            s.ws.terminate();
          }
        }
        this.c.failed += count - launched;
        if (count > launched) this.c.failReasons.not_launched = count - launched;
        done();
      }, deadlineMs);
      if (count === 0) done();
    });
  }

  connectSummary(ms) {
    return { attempted: this.c.attempted, connected: this.c.connected, failed: this.c.failed, rampMs: Math.round(ms) };
  }

  open(index, onSettled) {
    const stuck = this.isStuckIndex(index);
    const localAddress = `127.0.0.${1 + (index % this.o.addrs)}`;
    const t0 = performance.now();
    this.c.attempted++;
    if (stuck) this.c.stuck.sessions++;
    const ws = new WebSocket(this.o.url, {
      localAddress,
      perMessageDeflate: this.o.deflate,
      handshakeTimeout: this.o.handshakeTimeoutMs,
    });
    const s = { index, ws, stuck, open: false, settled: false, lastSeq: -1, topicSeq: -1, gaps: 0, closedByUs: false, timers: [] };
    this.sessions.push(s);
    const settle = () => {
      if (!s.settled) {
        s.settled = true;
        onSettled();
      }
    };
    ws.on('open', () => {
      s.open = true;
      this.c.connected++;
      if (stuck) this.c.stuck.connected++;
      this.connectMs.add(performance.now() - t0);
      settle();
      const hb = stuck ? this.o.stuckHbMs : this.o.hbMs;
      if (hb > 0) {
        // random phase, then a steady interval
        const first = setTimeout(() => {
          this.heartbeat(s);
          s.timers.push(setInterval(() => this.heartbeat(s), hb));
        }, Math.random() * hb);
        s.timers.push(first);
      }
      if (stuck && this.stuckPaused) ws.pause();
    });
    ws.on('message', (data, isBinary) => this.onMessage(s, data, isBinary));
    ws.on('ping', () => {
      if (!stuck) this.c.pings++;
    });
    ws.on('unexpected-response', (req, res) => {
      this.fail(s, `http_${res.statusCode}`);
      res.resume();
      ws.terminate();
    });
    ws.on('error', (err) => {
      const key = err.code || String(err.message).slice(0, 60);
      if (!s.open) this.fail(s, key);
      else this.c.socketErrors[key] = (this.c.socketErrors[key] || 0) + 1;
    });
    ws.on('close', (code) => {
      for (const t of s.timers) clearTimeout(t);
      s.timers.length = 0;
      if (!s.open) {
        this.fail(s, 'closed_before_open');
        settle();
        return;
      }
      s.open = false;
      if (s.closedByUs) return;
      const bucket = stuck ? this.c.stuck : this.c;
      bucket.disconnects++;
      bucket.disconnectCodes[code] = (bucket.disconnectCodes[code] || 0) + 1;
      if (!stuck && this.measuring) this.c.disconnectsWindow++;
      if (!stuck && !this.finished) this.c.disconnectsBeforeEnd = (this.c.disconnectsBeforeEnd || 0) + 1;
    });
    s.settle = settle;
  }

  fail(s, reason) {
    if (s.failed) return;
    s.failed = true;
    this.c.failed++;
    this.c.failReasons[reason] = (this.c.failReasons[reason] || 0) + 1;
    s.settle && s.settle();
  }

  heartbeat(s) {
    if (s.ws.readyState !== WebSocket.OPEN) return;
    s.ws.send(`{"type":"heartbeat","ts":${monoUs()}}`);
    if (s.stuck) {
      this.c.stuck.hbSent++;
    } else {
      this.c.hbSent++;
      if (this.measuring) this.c.hbSentWindow++;
    }
  }

  onMessage(s, data, isBinary) {
    if (this.finished && !s.stuck) return;
    if (isBinary) return;
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch {
      return;
    }
    const stuck = s.stuck;
    switch (msg.type) {
      case 'time': {
        const lat = wallNow() - msg.serverTime;
        const inWindow = msg.serverTime >= this.winStartWall && msg.serverTime < this.winEndWall;
        if (stuck) {
          this.c.stuck.timeMsgs++;
          if (this.finished) this.c.stuck.drainedMsgs++;
          if (inWindow) this.stuckFanout.add(lat);
        } else {
          this.c.timeMsgs++;
          if (inWindow) {
            this.c.timeMsgsWindow++;
            this.fanout.add(lat);
          }
        }
        const seq = msg.seq;
        if (s.lastSeq >= 0) {
          if (seq > s.lastSeq + 1) {
            const missed = seq - s.lastSeq - 1;
            if (stuck) this.c.stuck.missedSeq += missed;
            else {
              this.c.missedSeq += missed;
              if (inWindow) this.c.missedSeqWindow += missed;
              if (s.gaps === 0) this.c.sessionsWithGaps++;
            }
            s.gaps += missed;
          } else if (seq <= s.lastSeq && !stuck) {
            this.c.outOfOrder++;
          }
        }
        if (seq > s.lastSeq) s.lastSeq = seq;
        break;
      }
      case 'heartbeat_ack': {
        if (typeof msg.ts !== 'number') {
          this.c.acksUnmatched++;
          break;
        }
        const rttMs = (monoUs() - msg.ts) / 1000;
        const inWindow = msg.ts >= this.winStartUs && msg.ts < this.winEndUs;
        if (stuck) {
          this.c.stuck.acks++;
          if (inWindow) this.stuckRtt.add(rttMs);
        } else {
          this.c.acks++;
          if (inWindow) {
            this.c.acksWindow++;
            this.rtt.add(rttMs);
          }
        }
        break;
      }
      case 'subscribed':
        if (msg.topic === this.o.topic) {
          this.t.subscribed++;
          s.topicSeq = msg.seq;
        }
        break;
      case 'gap':
        if (msg.topic === this.o.topic) {
          this.t.gaps++;
          s.topicSeq = msg.seq;
        }
        break;
      case 'message': {
        if (stuck || msg.topic !== this.o.topic || !msg.data || typeof msg.data.serverTime !== 'number') break;
        this.t.received++;
        if (msg.data.serverTime >= this.winStartWall && msg.data.serverTime < this.winEndWall) {
          this.t.receivedWindow++;
          this.topicFanout.add(wallNow() - msg.data.serverTime);
        }
        if (s.topicSeq >= 0 && msg.seq > s.topicSeq + 1) this.t.missedSeq += msg.seq - s.topicSeq - 1;
        if (msg.seq > s.topicSeq) s.topicSeq = msg.seq;
        break;
      }
      case 'welcome':
        this.c.welcomes++;
        if (this.o.topic) s.ws.send(`{"type":"subscribe","topic":${JSON.stringify(this.o.topic)}}`);
        if (!this.welcome) {
          const { heartbeatInterval, heartbeatTimeout, timeInterval, protocol } = msg;
          this.welcome = { protocol, heartbeatInterval, heartbeatTimeout, timeInterval };
        }
        break;
      case 'error':
        this.c.errorsFromServer[msg.code] = (this.c.errorsFromServer[msg.code] || 0) + 1;
        break;
      default:
        break;
    }
  }

  /** Stuck sessions stop reading from now on (their socket is paused: the kernel buffers fill). */
  pauseStuck() {
    this.stuckPaused = true;
    for (const s of this.sessions) if (s.stuck && s.open) s.ws.pause();
  }

  beginWindow() {
    this.loopDelay = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
    this.loopDelay.enable();
    this.cpuAtStart = process.cpuUsage();
    this.windowStarted = performance.now();
    this.winStartUs = monoUs();
    this.winStartWall = Date.now();
    this.measuring = true;
  }

  /** Ends the window; normal sessions send no more heartbeats (stuck ones go on). */
  endWindow() {
    this.measuring = false;
    this.winEndUs = monoUs();
    this.winEndWall = Date.now();
    this.loopDelay.disable();
    const cpu = process.cpuUsage(this.cpuAtStart);
    this.cpuWindow = { userMs: cpu.user / 1000, systemMs: cpu.system / 1000, windowMs: performance.now() - this.windowStarted };
    for (const s of this.sessions) {
      if (s.stuck) continue;
      for (const t of s.timers) clearTimeout(t);
      s.timers.length = 0;
    }
  }

  /**
   * After the window: graceMs for answers still in flight, then normal sessions are no longer
   * watched and stuck sessions read again for drainMs, to see what the server kept for them.
   */
  async finish(graceMs, drainMs) {
    await sleep(graceMs);
    this.finished = true;
    if (!(this.o.stuck > 0) || drainMs <= 0) return;
    for (const s of this.sessions) if (s.stuck && s.open) s.ws.resume();
    await sleep(drainMs);
  }

  /** Per-session last seq seen (normal sessions still open; NaN otherwise), for the tail check. */
  lastSeqs() {
    const out = new Float64Array(this.sessions.length);
    this.sessions.forEach((s, i) => {
      out[i] = !s.stuck && s.open && s.lastSeq >= 0 ? s.lastSeq : NaN;
    });
    return out;
  }

  openCount() {
    let n = 0;
    for (const s of this.sessions) if (s.open) n++;
    return n;
  }

  result() {
    const ld = this.loopDelay;
    return {
      counters: this.c,
      welcome: this.welcome || null,
      openAtEnd: this.openCount(),
      rtt: this.rtt.values(),
      fanout: this.fanout.values(),
      topicFanout: this.topicFanout.values(),
      topic: this.t,
      connectMs: this.connectMs.values(),
      stuckRtt: this.stuckRtt.values(),
      stuckFanout: this.stuckFanout.values(),
      lastSeqs: this.lastSeqs(),
      // excess over the sampling timer's own period
      loopDelayMs: ld
        ? {
            p50: excess(ld.percentile(50)),
            p99: excess(ld.percentile(99)),
            max: excess(ld.max),
          }
        : null,
      cpu: this.cpuWindow,
    };
  }

  /** Closes every session (1000), then terminates what has not closed within graceMs. */
  async closeAll(graceMs = 3000) {
    this.finished = true;
    const open = [];
    for (const s of this.sessions) {
      for (const t of s.timers) clearTimeout(t);
      s.closedByUs = true;
      const ws = s.ws;
      if (ws.readyState === WebSocket.OPEN && !s.stuck) {
        open.push(new Promise((r) => ws.once('close', r)));
        ws.close(1000, 'bench done');
      } else if (ws.readyState !== WebSocket.CLOSED) {
        ws.terminate();
      }
    }
    await Promise.race([Promise.all(open), sleep(graceMs)]);
    for (const s of this.sessions) if (s.ws.readyState !== WebSocket.CLOSED) s.ws.terminate();
  }
}

const LOOP_RESOLUTION_MS = 5;

function excess(ns) {
  return Math.max(0, Math.round((ns / 1e6 - LOOP_RESOLUTION_MS) * 1000) / 1000);
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

module.exports = { SessionPool, sleep, addCounts };
