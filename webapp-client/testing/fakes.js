// Test doubles: a fake clock with fake timers, a scriptable fake WebSocket, fake window/document/
// navigator, and setup helpers. No test lives in this file.

import { PulseClient } from '../src/pulse-client.js';

export const WALL_BASE = 1_750_000_000_000;

/**
 * Monotonic time `t` (ms) plus timers that fire only when the test advances the clock.
 * `jump()` moves time without firing anything: a throttled or frozen tab.
 */
export class FakeClock {
  constructor() {
    this.t = 0;
    this.wallSkew = 0; // the local wall clock minus "true" time
    this._timers = new Map();
    this._seq = 0;
    this.now = () => this.t;
    this.dateNow = () => WALL_BASE + this.t + this.wallSkew;
    this.setTimeout = (fn, ms) => {
      const id = ++this._seq;
      this._timers.set(id, { at: this.t + Math.max(0, ms), fn, id });
      return id;
    };
    this.clearTimeout = (id) => {
      this._timers.delete(id);
    };
  }

  /** "True" server time now, for building server frames. */
  get serverTime() {
    return WALL_BASE + this.t;
  }

  /** Moves time forward by `ms`, firing due timers in order, each at its own time. */
  advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const next = this._nextDue(end);
      if (!next) break;
      this._timers.delete(next.id);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }

  /** Moves time without firing timers (throttled/frozen tab). */
  jump(ms) {
    this.t += ms;
  }

  /** Fires timers already due at the current time (a late wake-up), in order. */
  runDue() {
    this.advance(0);
  }

  _nextDue(end) {
    let next = null;
    for (const timer of this._timers.values()) {
      if (timer.at <= end && (!next || timer.at < next.at || (timer.at === next.at && timer.id < next.id))) next = timer;
    }
    return next;
  }

  get pendingCount() {
    return this._timers.size;
  }
}

/** A WebSocket class whose instances the test drives from the "server" side. */
export function fakeWebSocketClass() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url, protocols) {
      this.url = url;
      this.protocols = protocols;
      this.readyState = 0;
      this.sent = [];
      this.closedWith = null;
      this.onopen = null;
      this.onmessage = null;
      this.onclose = null;
      this.onerror = null;
      sockets.push(this);
    }

    send(data) {
      if (this.readyState !== 1) throw new Error('InvalidStateError: socket not open');
      this.sent.push(data);
    }

    close(code, reason) {
      this.closedWith = { code, reason };
      if (this.readyState < 2) this.readyState = 2;
    }

    // ---- server side
    serverOpen() {
      this.readyState = 1;
      if (this.onopen) this.onopen({ type: 'open' });
    }

    serverSend(message) {
      const data = typeof message === 'string' ? message : JSON.stringify(message);
      if (this.onmessage) this.onmessage({ type: 'message', data });
    }

    serverClose(code, reason = '', wasClean = true) {
      this.readyState = 3;
      if (this.onclose) this.onclose({ type: 'close', code, reason, wasClean });
    }

    /** The client's frames, JSON-parsed where possible. */
    get frames() {
      return this.sent.map((s) => {
        try {
          return JSON.parse(s);
        } catch {
          return s;
        }
      });
    }

    get heartbeats() {
      return this.frames.filter((f) => f && f.type === 'heartbeat');
    }

    /** The client's `disconnect_report` frames, parsed. */
    get reports() {
      return this.frames.filter((f) => f && f.type === 'disconnect_report');
    }

    /** Frames other than the client's own housekeeping (heartbeats, disconnect reports), as sent. */
    get userFrames() {
      return this.sent.filter((s) => !s.startsWith('{"type":"heartbeat"') && !s.startsWith('{"type":"disconnect_report"'));
    }
  }
  FakeWebSocket.CONNECTING = 0;
  FakeWebSocket.OPEN = 1;
  FakeWebSocket.CLOSING = 2;
  FakeWebSocket.CLOSED = 3;
  return { FakeWebSocket, sockets };
}

/** window/document/navigator stand-ins that count their listeners. */
export function fakeEnvironment() {
  const win = new EventTarget();
  const doc = new EventTarget();
  doc.visibilityState = 'visible';
  const nav = { onLine: true };
  let listeners = 0;
  for (const target of [win, doc]) {
    const add = target.addEventListener.bind(target);
    const remove = target.removeEventListener.bind(target);
    target.addEventListener = (type, fn) => {
      listeners++;
      add(type, fn);
    };
    target.removeEventListener = (type, fn) => {
      listeners--;
      remove(type, fn);
    };
  }
  return {
    window: win,
    document: doc,
    navigator: nav,
    get listenerCount() {
      return listeners;
    },
    goOffline() {
      nav.onLine = false;
      win.dispatchEvent(new Event('offline'));
    },
    goOnline() {
      nav.onLine = true;
      win.dispatchEvent(new Event('online'));
    },
    hide() {
      doc.visibilityState = 'hidden';
      doc.dispatchEvent(new Event('visibilitychange'));
    },
    show() {
      doc.visibilityState = 'visible';
      doc.dispatchEvent(new Event('visibilitychange'));
    },
  };
}

/**
 * A client wired to fakes; records every event in `events` as [name, payload].
 * `random` defaults to 0.5 so backoff delays are exact: 500, 1000, 2000, ...
 */
export function setup(options = {}) {
  const clock = new FakeClock();
  const { FakeWebSocket, sockets } = fakeWebSocketClass();
  const env = fakeEnvironment();
  const client = new PulseClient('ws://test/pulse/ws', {
    WebSocket: FakeWebSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    now: clock.now,
    dateNow: clock.dateNow,
    random: () => 0.5,
    window: env.window,
    document: env.document,
    navigator: env.navigator,
    ...options,
  });
  const events = [];
  for (const name of ['state', 'open', 'close', 'time', 'message', 'subscribed', 'unsubscribed', 'presence', 'gap', 'recovered', 'rtt', 'error']) {
    client.on(name, (payload) => events.push([name, payload]));
  }
  const ctx = {
    client,
    clock,
    sockets,
    env,
    events,
    /** The newest socket. */
    get ws() {
      return sockets[sockets.length - 1];
    },
    /** Opens the newest socket and sends a welcome (with optional overrides). */
    welcome(overrides = {}) {
      const ws = ctx.ws;
      if (ws.readyState !== 1) ws.serverOpen();
      ws.serverSend({
        type: 'welcome',
        sessionId: 's' + sockets.length,
        protocol: 1,
        heartbeatInterval: 1000,
        heartbeatTimeout: 500,
        timeInterval: 1000,
        serverTime: clock.serverTime,
        ...overrides,
      });
      return ws;
    },
    /** Answers every heartbeat the newest socket sent that was not answered yet. */
    ackAll() {
      const ws = ctx.ws;
      ws.acked = ws.acked || 0;
      const beats = ws.heartbeats;
      for (; ws.acked < beats.length; ws.acked++) {
        ws.serverSend({ type: 'heartbeat_ack', ts: beats[ws.acked].ts, serverTime: clock.serverTime });
      }
    },
    /** Advances `ms` in 10 ms steps while the server answers every heartbeat of the newest socket. */
    live(ms) {
      for (let left = ms; left > 0; left -= 10) {
        clock.advance(Math.min(10, left));
        if (ctx.ws && ctx.ws.readyState === 1 && ctx.ws.onmessage) ctx.ackAll();
      }
    },
    states() {
      return events.filter(([n]) => n === 'state').map(([, p]) => p.state);
    },
    named(name) {
      return events.filter(([n]) => n === name).map(([, p]) => p);
    },
  };
  return ctx;
}
