/**
 * Pulse browser client: heartbeat, dead-peer detection, reconnect with backoff, send queue,
 * topic subscriptions that survive reconnects (and resume where they left off), disconnect
 * reports, and server clock sync over one WebSocket.
 * ES module, no dependencies, no build step.
 *
 * @module pulse-client
 * @example
 * import { PulseClient } from '/pulse/js/pulse-client.js';
 * const client = new PulseClient('wss://example.com/pulse/ws');
 * client.on('time', (msg) => console.log(msg.iso, new Date(client.now())));
 * client.on('state', ({ state }) => console.log('state', state));
 * client.subscribe('news', (data) => console.log('news', data));
 * client.connect();
 */

import {
  Cause,
  CloseCode,
  DEFAULTS,
  ErrorCode,
  MessageType,
  Policy,
  PROTOCOL_VERSION,
  State,
  TOPIC_RULE,
  closePolicy,
  disconnectCause,
  isValidTopic,
} from './constants.js';
import { backoffDelay } from './backoff.js';
import { ClockSync } from './clock.js';
import { Emitter } from './emitter.js';
import { Subscriptions } from './subscriptions.js';
import { TimerSet } from './timers.js';
import { decodeFrame, encodeFrame, parseCloseReason } from './protocol.js';

export {
  CLOSE_POLICY,
  Cause,
  CloseCode,
  DEFAULTS,
  DEFAULT_POLICY,
  ErrorCode,
  GapReason,
  MessageType,
  PROTOCOL_VERSION,
  Policy,
  PresenceEvent,
  REPORT_CAUSES,
  State,
  TOPIC_PATTERN,
  TOPIC_RULE,
  closePolicy,
  disconnectCause,
  isValidTopic,
} from './constants.js';
export { backoffDelay, backoffCeiling } from './backoff.js';

const WS_OPEN = 1; // WebSocket.OPEN
const MAX_PENDING_PINGS = 16;
/** Timers that belong to one socket; the rest ('reconnect') belong to the client. */
const SOCKET_TIMERS = ['connect', 'heartbeat', 'deadline', 'uptime'];

/** Options taken from the host environment unless given. Functions are called without `this`. */
function environmentDefaults() {
  const g = globalThis;
  const perf = g.performance;
  return {
    WebSocket: g.WebSocket,
    protocols: undefined,
    setTimeout: (fn, ms) => g.setTimeout(fn, ms),
    clearTimeout: (handle) => g.clearTimeout(handle),
    now: perf && typeof perf.now === 'function' ? () => perf.now() : () => Date.now(),
    dateNow: () => Date.now(),
    random: () => Math.random(),
    window: g.window && typeof g.window.addEventListener === 'function' ? g.window : null,
    document: g.document && typeof g.document.addEventListener === 'function' ? g.document : null,
    navigator: g.navigator || null,
  };
}

function checkNumber(options, name, min) {
  const v = options[name];
  if (typeof v !== 'number' || Number.isNaN(v) || v < min) {
    throw new RangeError(`options.${name} must be a number >= ${min}, got ${v}`);
  }
}

/**
 * A WebSocket connection to a Pulse endpoint that keeps itself alive.
 *
 * Contract: every method is meant for the thread that runs the page (the only one a browser
 * has); handlers run synchronously inside the client's socket and timer callbacks and may call
 * any method, including `close()`.
 *
 * @example
 * const client = new PulseClient('ws://localhost:8080/pulse/ws', { maxRetries: 10 });
 * const off = client.on('message', (data) => console.log('got', data));
 * client.connect();
 * client.send({ type: 'hello' });   // queued until the welcome, then sent
 * // later
 * off();
 * client.close();
 */
export class PulseClient {
  /**
   * @param {string | URL} url `ws:` or `wss:` URL of the endpoint, e.g. `wss://host/pulse/ws`
   * @param {object} [options] see {@link DEFAULTS} and docs/client.md; in addition:
   *   `WebSocket` (constructor), `protocols`, `setTimeout`, `clearTimeout`, `now` (monotonic ms),
   *   `dateNow` (wall-clock ms), `random` ([0,1)), `window` (online/offline events),
   *   `document` (visibilitychange + visibilityState), `navigator` (onLine); `null` disables one
   */
  constructor(url, options = {}) {
    if (typeof url !== 'string' && !(url instanceof URL)) throw new TypeError('url must be a string or URL');
    const given = {};
    for (const [k, v] of Object.entries(options || {})) if (v !== undefined) given[k] = v;
    const o = { ...DEFAULTS, ...environmentDefaults(), ...given };
    if (typeof o.WebSocket !== 'function') {
      throw new TypeError('no WebSocket constructor: pass options.WebSocket');
    }
    for (const name of ['heartbeatInterval', 'heartbeatTimeout', 'minUptime', 'connectTimeout']) checkNumber(o, name, 1);
    for (const name of ['minDelay', 'maxDelay', 'queueSize', 'maxRetries']) checkNumber(o, name, 0);
    checkNumber(o, 'factor', 1);
    checkNumber(o, 'clockSamples', 1);

    /** The endpoint URL. */
    this.url = String(url);
    /** `welcome.sessionId` of the current or last connection, or null. */
    this.sessionId = null;

    this._opts = o;
    this._now = o.now;
    this._dateNow = o.dateNow;
    this._random = o.random;
    this._timers = new TimerSet(o.setTimeout, o.clearTimeout);
    this._emitter = new Emitter();
    this._clock = new ClockSync(o.clockSamples);
    this._subscriptions = new Subscriptions();
    /** @type {Array<() => void>} removers of window/document listeners */
    this._subs = [];

    this._state = State.CLOSED;
    this._ws = null;
    this._generation = 0; // bumped whenever the current socket changes; guards against re-entrant handlers
    this._socketOpen = false;
    this._heartbeatInterval = o.heartbeatInterval;
    this._heartbeatTimeout = o.heartbeatTimeout;

    this._attempt = 0; // reconnect attempts since the last stable connection (backoff exponent)
    this._attempted = false; // a socket was created since connect()
    this._everOpened = false; // a welcome arrived since connect()
    this._notBefore = 0; // monotonic: no attempt before this (server's retryAfterMs)
    /**
     * The loss of an open connection, until the next welcome: `start` (monotonic), `record` (the
     * lastDisconnect written then) and `offline` (the browser was offline at some point since).
     * @type {{start: number, record: object, offline: boolean} | null}
     */
    this._outage = null;
    this._visibleAt = null; // monotonic: the page last became visible
    this._onlineAt = null; // monotonic: the browser last came back online

    this._queue = [];
    /** @type {Map<number, {mono: number, wall: number}>} heartbeat ts -> send times */
    this._pings = new Map();
    this._lastTs = 0;
    this._lastInbound = 0; // monotonic time of the last frame of any kind
    this._unansweredSince = null; // monotonic time of the oldest heartbeat with no frame after it

    this._stats = {
      rtt: null,
      clockOffset: null,
      reconnects: 0,
      dropped: 0,
      duplicates: 0,
      lastDisconnect: null,
      downtimeMs: null,
    };
  }

  // ---------------------------------------------------------------- public API

  /**
   * One of `connecting`, `open`, `reconnecting`, `offline`, `closed`, `failed`.
   * @type {string}
   */
  get state() {
    return this._state;
  }

  /**
   * A snapshot: `{ rtt, clockOffset, reconnects, dropped, duplicates, queued, attempt,
   * lastDisconnect, downtimeMs }`. `lastDisconnect` is `{ code, reason, wasClean, cause, at,
   * retryAfterMs }` or null; from a reconnect's welcome on, its `cause` is the one reported.
   * @example console.log(client.stats.rtt, client.stats.lastDisconnect?.code)
   */
  get stats() {
    const s = this._stats;
    return {
      ...s,
      lastDisconnect: s.lastDisconnect && { ...s.lastDisconnect },
      queued: this._queue.length,
      attempt: this._attempt,
    };
  }

  /** Heartbeat interval in use (ms): the option until a welcome says otherwise. */
  get heartbeatInterval() {
    return this._heartbeatInterval;
  }

  /** Heartbeat timeout in use (ms): the option until a welcome says otherwise. */
  get heartbeatTimeout() {
    return this._heartbeatTimeout;
  }

  /**
   * Server-synchronised wall-clock time in epoch ms: `Date.now()` plus the offset of the
   * lowest-RTT heartbeat sample among the recent ones (a coarse welcome/time estimate before
   * the first sample; plain `Date.now()` before anything arrived).
   * @returns {number}
   * @example new Date(client.now()).toISOString()
   */
  now() {
    const offset = this._clock.offset;
    return this._dateNow() + (offset === null ? 0 : offset);
  }

  /** The topics subscribed with {@link PulseClient#subscribe}, oldest first. @type {string[]} */
  get topics() {
    return this._subscriptions.topics;
  }

  /**
   * Listens to an event: `state`, `open`, `close`, `time`, `message`, `subscribed`,
   * `unsubscribed`, `presence`, `gap`, `recovered`, `rtt`, `error`.
   * @param {string} event
   * @param {(payload: any) => void} handler
   * @returns {() => void} unsubscribe
   * @example const off = client.on('rtt', ({ rtt }) => console.log(rtt)); off();
   */
  on(event, handler) {
    return this._emitter.on(event, handler);
  }

  /**
   * Starts connecting. Does nothing unless the state is `closed` or `failed`; from `failed`
   * it starts afresh (attempt count 0).
   * @returns {this}
   * @example client.connect();
   */
  connect() {
    if (this._state !== State.CLOSED && this._state !== State.FAILED) return this;
    this._attempt = 0;
    this._attempted = false;
    this._everOpened = false;
    this._notBefore = 0;
    this._listenToEnvironment();
    this._openSocket();
    return this;
  }

  /**
   * Closes the connection for good (state `closed`): no reconnect, no timer left behind.
   * Queued messages are kept and go out after a later `connect()`.
   * @param {number} [code=1000] 1000 or 3000-4999
   * @param {string} [reason='']
   * @example client.close();
   */
  close(code = CloseCode.NORMAL, reason = '') {
    const socketWasOpen = this._socketOpen;
    const ws = this._teardown();
    if (ws) closeQuietly(ws, code, reason);
    if (socketWasOpen) {
      this._recordDisconnect({ code, reason, wasClean: true, cause: Cause.CLIENT }, null, true);
    }
    this._outage = null; // a chosen pause is not an outage
    this._setState(State.CLOSED);
  }

  /**
   * Sends a message now if open, otherwise queues it (at most `queueSize`, the oldest dropped and
   * counted in `stats.dropped`) to go out in order after the next welcome. Objects are
   * JSON-encoded; strings and binary data go as they are. Delivery is at most once: a message
   * written to a socket that then turns out dead is lost.
   * @param {object | string | ArrayBuffer | ArrayBufferView | Blob} data
   * @returns {boolean} true if written to the socket now, false if queued or dropped
   * @example client.send({ type: 'subscribe', topic: 'news' });
   */
  send(data) {
    const frame = encodeFrame(data);
    // _socketOpen too: inside a 'close' handler the state still reads 'open' but the socket is gone.
    if (this._state === State.OPEN && this._socketOpen && this._checkLiveness(false)) {
      this._ws.send(frame);
      return true;
    }
    this._enqueue(frame);
    return false;
  }

  /**
   * Subscribes to a topic: `handler(data, message)` gets each of the topic's messages
   * (`message` is the whole `{type:'message', topic, data, seq}` frame). The subscription is
   * remembered: it is sent now if the connection is open, otherwise after the next welcome, and
   * again after every reconnect (before the queued sends), resuming where it left off: the
   * messages missed meanwhile arrive first (then a `recovered` event), or, when the server no
   * longer has them, `onGap` and the `gap` event tell the application to reload its state.
   * A message whose seq was already seen is dropped (`stats.duplicates`). Several handlers may
   * share a topic; the topic asks for presence while any of them did. Topic messages go to these
   * handlers and not to the `message` event.
   * @param {string} topic 1 to 100 characters of letters, digits and `_ - . : / @`
   * @param {(data: any, message: object) => void} handler
   * @param {{presence?: boolean, onGap?: (gap: object) => void}} [options] `presence: true` for
   *   the member list in `subscribed` and `presence` events for the topic; `onGap(gap)` is called
   *   with the topic's `{type:'gap', topic, epoch, seq, reason}` notices (before the `gap` event)
   * @returns {() => void} removes this handler (the topic is unsubscribed with its last handler);
   *   calling it again does nothing
   * @throws {TypeError} for a bad topic name, a handler or `onGap` that is not a function, or a
   *   non-boolean `presence`
   * @example
   * const off = client.subscribe('room-1', (data) => render(data), {
   *   presence: true,
   *   onGap: () => reloadRoom('room-1'),      // missed messages are gone: fetch the state afresh
   * });
   * client.on('presence', ({ topic, event, member }) => console.log(topic, event, member.sessionId));
   * off();
   */
  subscribe(topic, handler, { presence = false, onGap } = {}) {
    checkTopic(topic);
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    if (typeof presence !== 'boolean') throw new TypeError('options.presence must be a boolean');
    if (onGap !== undefined && typeof onGap !== 'function') throw new TypeError('options.onGap must be a function');
    const { entry, frame } = this._subscriptions.add(topic, handler, presence, onGap);
    this._writeSubscription(frame);
    return () => this._writeSubscription(this._subscriptions.removeEntry(topic, entry));
  }

  /**
   * Unsubscribes from a topic: removes all its handlers and tells the server (if connected; a
   * later connection simply does not subscribe it again). Messages of the topic still on their
   * way are dropped.
   * @param {string} topic
   * @returns {boolean} false if the topic was not subscribed
   * @throws {TypeError} for a bad topic name
   * @example client.unsubscribe('room-1');
   */
  unsubscribe(topic) {
    checkTopic(topic);
    const frame = this._subscriptions.removeTopic(topic);
    this._writeSubscription(frame);
    return frame !== null;
  }

  /**
   * Simulates an unclean connection loss (for demos and tests): the current socket is closed
   * locally with 4000 "dropped by client", recorded as `cause: 'client'`, and the usual
   * backoff reconnect follows. Does nothing without a socket.
   * @example client.drop(); // state becomes 'reconnecting'
   */
  drop() {
    if (!this._ws) return;
    this._abandon({ code: CloseCode.HEARTBEAT_TIMEOUT, reason: 'dropped by client', cause: Cause.CLIENT });
  }

  /**
   * Connects again now: closes the current socket (1000 "reconnect") if any, cancels a pending
   * backoff wait, resets the attempt count and opens a new socket; from `closed`/`failed` it
   * is `connect()`.
   * @returns {this}
   * @example reconnectButton.onclick = () => client.reconnect();
   */
  reconnect() {
    if (this._state === State.CLOSED || this._state === State.FAILED) return this.connect();
    const socketWasOpen = this._socketOpen;
    const ws = this._detachSocket();
    if (ws) {
      closeQuietly(ws, CloseCode.NORMAL, 'reconnect');
      if (socketWasOpen) {
        this._recordDisconnect({ code: CloseCode.NORMAL, reason: 'reconnect', wasClean: true, cause: Cause.CLIENT }, null, true);
      }
    }
    this._attempt = 0;
    this._notBefore = 0;
    this._openSocket();
    return this;
  }

  // ---------------------------------------------------------------- socket lifecycle

  _openSocket() {
    this._timers.clear('reconnect');
    if (this._isOffline()) {
      this._enterOffline();
      return;
    }
    this._attempted = true;
    this._generation++;
    let ws;
    try {
      const WebSocketCtor = this._opts.WebSocket;
      ws = this._opts.protocols === undefined ? new WebSocketCtor(this.url) : new WebSocketCtor(this.url, this._opts.protocols);
    } catch (err) {
      // Bad URL, bad protocols, mixed content: the same call would throw again.
      this._teardown();
      this._setState(State.FAILED);
      this._emitter.emit('error', { type: MessageType.ERROR, code: ErrorCode.CONNECT_FAILED, message: String(err && err.message || err), cause: err });
      return;
    }
    this._ws = ws;
    // Every handler checks that its socket is still the current one: a browser may already have
    // queued an event of the old socket when we detach it.
    ws.onopen = () => {
      if (this._ws === ws) this._onSocketOpen();
    };
    ws.onmessage = (event) => {
      if (this._ws === ws) this._onSocketMessage(event);
    };
    ws.onclose = (event) => {
      if (this._ws === ws) this._onSocketClose(event);
    };
    ws.onerror = null; // a close event always follows an error; it carries what we need
    this._timers.set('connect', () => {
      this._abandon({ code: CloseCode.ABNORMAL, reason: 'connect timeout', cause: Cause.CONNECT_TIMEOUT }, false);
    }, this._opts.connectTimeout);
    this._setState(this._everOpened ? State.RECONNECTING : State.CONNECTING);
  }

  _onSocketOpen() {
    this._timers.clear('connect');
    this._socketOpen = true;
    this._lastInbound = this._now();
    this._unansweredSince = null;
    this._pings.clear();
    this._timers.set('heartbeat', () => this._heartbeatTick(), this._heartbeatInterval);
    this._armDeadline();
  }

  _onSocketMessage(event) {
    this._lastInbound = this._now();
    this._unansweredSince = null;
    const data = event.data;
    const msg = decodeFrame(data);
    if (typeof data === 'string' && typeof msg === 'object' && typeof msg.type === 'string') {
      switch (msg.type) {
        case MessageType.WELCOME:
          this._onWelcome(msg);
          return;
        case MessageType.HEARTBEAT_ACK:
          this._onHeartbeatAck(msg);
          return;
        case MessageType.TIME:
          this._coarseClock(msg.serverTime);
          this._emitter.emit('time', msg);
          return;
        case MessageType.ERROR:
          this._emitter.emit('error', msg);
          return;
        case MessageType.MESSAGE:
          // A topic the client subscribed (or is leaving) keeps its messages; others fall through.
          if (typeof msg.topic === 'string' && this._routeTopicMessage(msg)) return;
          break;
        case MessageType.SUBSCRIBED:
          this._onSubscribed(msg);
          return;
        case MessageType.GAP:
          if (typeof msg.topic === 'string') this._subscriptions.gap(msg);
          this._emitter.emit('gap', msg);
          return;
        case MessageType.UNSUBSCRIBED:
          this._subscriptions.unsubscribed(msg.topic);
          this._emitter.emit('unsubscribed', msg);
          return;
        case MessageType.PRESENCE:
          this._emitter.emit('presence', msg);
          return;
        default:
          break;
      }
    }
    this._emitter.emit('message', msg);
  }

  _onWelcome(msg) {
    if (isPositive(msg.heartbeatInterval)) this._heartbeatInterval = msg.heartbeatInterval;
    if (isPositive(msg.heartbeatTimeout)) this._heartbeatTimeout = msg.heartbeatTimeout;
    if (typeof msg.sessionId === 'string') this.sessionId = msg.sessionId;
    this._coarseClock(msg.serverTime);
    if (msg.protocol !== undefined && msg.protocol !== PROTOCOL_VERSION) {
      this._emitter.emit('error', {
        type: MessageType.ERROR,
        code: ErrorCode.UNSUPPORTED_PROTOCOL,
        message: `server speaks protocol ${msg.protocol}, client ${PROTOCOL_VERSION}`,
      });
    }
    // New timing: restart the heartbeat chain and the deadline with it. The first heartbeat
    // goes out at once so RTT and clock offset are known within one round trip.
    this._timers.clear('deadline');
    this._sendHeartbeat();
    if (!this._socketOpen) return; // the liveness check cannot fail here, but stay safe
    this._timers.set('heartbeat', () => this._heartbeatTick(), this._heartbeatInterval);
    this._armDeadline();
    if (this._state === State.OPEN) return; // a repeated welcome only updates the timing

    const reconnected = this._everOpened;
    this._everOpened = true;
    if (reconnected) this._stats.reconnects++;
    const report = this._endOutage(reconnected);
    this._timers.set('uptime', () => {
      this._attempt = 0;
    }, this._opts.minUptime);
    // The disconnect report first: it is about the past, small, and so never stuck behind (or
    // lost with) a long queue flush; it is written, never queued, so each reconnect sends at most
    // one, about the loss it recovered from. Then the subscriptions (resuming with `since`): the
    // server handles a session's frames in order, so queued messages find the topics in place
    // (and replies published to them arrive). Then the queue, so that messages sent from
    // 'state'/'open' handlers come after the older ones.
    if (report) this._ws.send(JSON.stringify(report));
    for (const frame of this._subscriptions.frames()) this._ws.send(JSON.stringify(frame));
    while (this._queue.length > 0 && this._ws) this._ws.send(this._queue.shift());
    const generation = this._generation;
    this._setState(State.OPEN);
    if (generation !== this._generation) return; // a 'state' handler closed or replaced the socket
    this._emitter.emit('open', { sessionId: this.sessionId, reconnected, welcome: msg });
  }

  _onHeartbeatAck(msg) {
    const sent = this._pings.get(msg.ts);
    if (!sent) return; // not ours, or from before a reconnect
    // Acks come in order: older pings still pending will not be answered any more.
    for (const ts of this._pings.keys()) {
      this._pings.delete(ts);
      if (ts === msg.ts) break;
    }
    const rtt = Math.max(0, this._now() - sent.mono);
    this._stats.rtt = rtt;
    if (typeof msg.serverTime === 'number' && Number.isFinite(msg.serverTime)) {
      this._clock.measure(sent.wall, rtt, msg.serverTime);
      this._stats.clockOffset = this._clock.offset;
    }
    this._emitter.emit('rtt', { rtt, offset: this._clock.offset });
  }

  /**
   * `subscribed`: the topic's position first (so a handler that closes the socket cannot leave a
   * replay count behind for the next session), then the event, then `recovered` for a resume
   * that missed nothing (one that did is complete after its last replayed message).
   */
  _onSubscribed(msg) {
    const complete = typeof msg.topic === 'string' ? this._subscriptions.subscribed(msg) : null;
    const generation = this._generation;
    this._emitter.emit('subscribed', msg);
    if (complete !== null && generation === this._generation && this._subscriptions.has(msg.topic)) {
      this._emitter.emit('recovered', { topic: msg.topic, count: complete });
    }
  }

  /** @returns {boolean} false if the topic is none of the client's (the frame goes to 'message') */
  _routeTopicMessage(msg) {
    const result = this._subscriptions.route(msg);
    if (result === null) return false;
    if (result.duplicate) this._stats.duplicates++;
    if (result.recovered !== null && this._subscriptions.has(msg.topic)) {
      this._emitter.emit('recovered', { topic: msg.topic, count: result.recovered });
    }
    return true;
  }

  /**
   * Ends the outage (if any) at a welcome: its length goes to `stats.downtimeMs`, its final cause
   * (offline meanwhile may have changed it) to `stats.lastDisconnect`, which describes that loss
   * again rather than a failed attempt since.
   * @param {boolean} reconnected a report is built only for a reconnect (not after `connect()`)
   * @returns {object | null} the `disconnect_report` to send, or null
   */
  _endOutage(reconnected) {
    const outage = this._outage;
    if (outage === null) return null;
    this._outage = null;
    const downtimeMs = Math.max(0, this._now() - outage.start);
    this._stats.downtimeMs = downtimeMs;
    const cause = disconnectCause(outage.record.cause, { offline: outage.offline });
    this._stats.lastDisconnect = { ...outage.record, cause };
    if (!reconnected) return null;
    return { type: MessageType.DISCONNECT_REPORT, cause, code: outage.record.code, downtimeMs: Math.round(downtimeMs) };
  }

  _onSocketClose(event) {
    const code = typeof event.code === 'number' ? event.code : CloseCode.NO_STATUS;
    const reason = typeof event.reason === 'string' ? event.reason : '';
    const wasClean = event.wasClean === true;
    const socketWasOpen = this._socketOpen;
    this._detachSocket();
    const { retryAfterMs } = parseCloseReason(reason);
    // A close frame arrived unless the browser says 1006 (reserved: "closed without one").
    const cause = wasClean || code !== CloseCode.ABNORMAL ? Cause.SERVER_CLOSE : Cause.NETWORK;
    const generation = this._generation;
    this._recordDisconnect({ code, reason, wasClean, cause }, retryAfterMs, socketWasOpen);
    if (generation !== this._generation) return; // a 'close' handler already took over (close(), reconnect())
    const policy = closePolicy(code);
    if (policy === Policy.STOP) {
      this._teardown();
      this._setState(State.CLOSED);
    } else if (policy === Policy.TERMINAL) {
      this._teardown();
      this._setState(State.FAILED);
    } else {
      this._scheduleReconnect(retryAfterMs);
    }
  }

  /**
   * The client gives up on the current socket (dead peer, connect timeout, drop()): it stops
   * listening to it at once rather than wait for a close handshake that may take minutes on a
   * dead network, then reconnects with backoff.
   */
  _abandon(info, sendCode = true) {
    const socketWasOpen = this._socketOpen;
    const ws = this._detachSocket();
    if (ws) {
      if (sendCode) closeQuietly(ws, info.code, info.reason);
      else closeQuietly(ws);
    }
    const generation = this._generation;
    this._recordDisconnect({ ...info, wasClean: false }, null, socketWasOpen);
    if (generation !== this._generation) return; // a 'close' handler already took over
    this._scheduleReconnect(null);
  }

  /**
   * Writes `stats.lastDisconnect` with the cause classified ({@link disconnectCause}) and, when
   * an open connection was lost, starts the outage. What counts as "offline" or "hidden when it
   * dropped": at the moment a close event arrives; for the heartbeat verdict, at any moment of the
   * silence it judged (since the last frame), since a throttled or frozen page or a dead network
   * during that silence is the likelier culprit.
   */
  _recordDisconnect(info, retryAfterMs, socketWasOpen) {
    const now = this._now();
    const silence = info.cause === Cause.HEARTBEAT_TIMEOUT;
    const cause = disconnectCause(info.cause, {
      offline: this._isOffline() || (silence && this._onlineAt !== null && this._onlineAt >= this._lastInbound),
      hidden: this._isHidden() || (silence && this._visibleAt !== null && this._visibleAt >= this._lastInbound),
    });
    const record = { ...info, cause, at: this._dateNow(), retryAfterMs };
    this._stats.lastDisconnect = record;
    if (this._state === State.OPEN) this._outage = { start: now, record, offline: false };
    if (socketWasOpen) {
      this._emitter.emit('close', { code: info.code, reason: info.reason, wasClean: info.wasClean });
    }
  }

  /** Detaches the current socket's handlers and its timers; returns the socket (or null). */
  _detachSocket() {
    const ws = this._ws;
    this._generation++;
    for (const name of SOCKET_TIMERS) this._timers.clear(name);
    this._ws = null;
    this._socketOpen = false;
    this._pings.clear();
    this._unansweredSince = null;
    this._subscriptions.sessionEnded();
    if (ws) {
      ws.onopen = null;
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
    }
    return ws;
  }

  /** The one cleanup: socket handlers, every timer, every window/document listener. */
  _teardown() {
    const ws = this._detachSocket();
    this._timers.clearAll();
    for (const unsubscribe of this._subs.splice(0)) unsubscribe();
    return ws;
  }

  // ---------------------------------------------------------------- reconnect

  _scheduleReconnect(retryAfterMs) {
    if (this._attempt >= this._opts.maxRetries) {
      this._teardown();
      this._setState(State.FAILED);
      return;
    }
    if (retryAfterMs !== null) this._notBefore = this._now() + retryAfterMs;
    if (this._isOffline()) {
      this._enterOffline(); // the 'online' event resumes
      return;
    }
    let delay = backoffDelay(this._attempt, this._opts, this._random);
    // The server's wish is a floor; the jitter on top keeps a crowd from returning together.
    if (retryAfterMs !== null) delay += retryAfterMs;
    this._attempt++;
    this._timers.set('reconnect', () => this._openSocket(), delay);
    this._setState(this._everOpened ? State.RECONNECTING : State.CONNECTING);
  }

  /** Brings a pending reconnect forward (online, visible); respects the server's retryAfterMs. */
  _retryNow() {
    if (this._isOffline()) return;
    const waiting = this._timers.has('reconnect');
    if (this._ws || !(waiting || this._state === State.OFFLINE)) return;
    const wait = this._notBefore - this._now();
    if (waiting) {
      if (wait <= 0) this._openSocket(); // the same attempt, brought forward
      return;
    }
    // Offline: no attempt was scheduled, so this one counts (unless it is the very first).
    if (this._attempted) {
      if (this._attempt >= this._opts.maxRetries) {
        this._teardown();
        this._setState(State.FAILED);
        return;
      }
      this._attempt++;
    }
    if (wait > 0) {
      this._timers.set('reconnect', () => this._openSocket(), wait);
      this._setState(this._everOpened ? State.RECONNECTING : State.CONNECTING);
    } else {
      this._openSocket();
    }
  }

  // ---------------------------------------------------------------- liveness

  _heartbeatTick() {
    if (!this._socketOpen) return;
    this._sendHeartbeat();
    if (this._socketOpen) this._timers.set('heartbeat', () => this._heartbeatTick(), this._heartbeatInterval);
  }

  _sendHeartbeat() {
    const lastTs = this._lastTs;
    if (!this._checkLiveness(false)) return;
    if (this._lastTs === lastTs) this._writeHeartbeat(); // unless the check just sent a probe
  }

  _writeHeartbeat() {
    const wall = this._dateNow();
    const ts = Math.max(Math.floor(wall), this._lastTs + 1); // unique, so acks match one ping
    this._lastTs = ts;
    const mono = this._now();
    this._pings.set(ts, { mono, wall });
    if (this._pings.size > MAX_PENDING_PINGS) this._pings.delete(this._pings.keys().next().value);
    if (this._unansweredSince === null) this._unansweredSince = mono;
    this._ws.send(JSON.stringify({ type: MessageType.HEARTBEAT, ts }));
  }

  /**
   * The liveness rule (docs/client.md "Dead-peer detection"). On the monotonic clock, the
   * socket is dead when BOTH hold:
   *   1. no frame of any kind arrived for heartbeatInterval + heartbeatTimeout, and
   *   2. a heartbeat we actually wrote has had no frame after it for heartbeatTimeout.
   * (2) keeps a throttled background tab from blaming the server for our own late timers: the
   * server's time to answer starts when the heartbeat really went out. When (1) holds and no
   * heartbeat is outstanding, a probe goes out now and the verdict is due heartbeatTimeout later.
   * Runs on the deadline timer, on every send and heartbeat, on `online` and on becoming visible.
   * @param {boolean} probe also send a heartbeat now if none is outstanding (resume from background)
   * @returns {boolean} true if the socket is (still) considered alive
   */
  _checkLiveness(probe) {
    if (!this._socketOpen) return true;
    const now = this._now();
    const silentFor = now - this._lastInbound;
    if (this._unansweredSince === null && (probe || silentFor >= this._heartbeatInterval + this._heartbeatTimeout)) {
      this._writeHeartbeat();
    } else if (silentFor >= this._heartbeatInterval + this._heartbeatTimeout
      && now - this._unansweredSince >= this._heartbeatTimeout) {
      this._abandon({ code: CloseCode.HEARTBEAT_TIMEOUT, reason: 'heartbeat timeout', cause: Cause.HEARTBEAT_TIMEOUT });
      return false;
    }
    this._armDeadline();
    return true;
  }

  /**
   * Keeps one deadline timer pending for the earliest moment the rule could say "dead". Frames
   * only move that moment later, so they just update timestamps; when the timer fires early it
   * re-checks and re-arms (one timer, lazily refreshed, as Phoenix does with its heartbeat ref).
   */
  _armDeadline() {
    if (!this._socketOpen || this._timers.has('deadline')) return;
    const silentDeadline = this._lastInbound + this._heartbeatInterval + this._heartbeatTimeout;
    const at = this._unansweredSince === null
      ? silentDeadline
      : Math.max(silentDeadline, this._unansweredSince + this._heartbeatTimeout);
    this._timers.set('deadline', () => this._checkLiveness(false), at - this._now());
  }

  // ---------------------------------------------------------------- environment

  _listenToEnvironment() {
    if (this._subs.length > 0) return;
    const { window: win, document: doc } = this._opts;
    if (win && typeof win.addEventListener === 'function') {
      const online = () => this._onOnline();
      const offline = () => this._onOffline();
      win.addEventListener('online', online);
      win.addEventListener('offline', offline);
      this._subs.push(() => {
        win.removeEventListener('online', online);
        win.removeEventListener('offline', offline);
      });
    }
    if (doc && typeof doc.addEventListener === 'function') {
      const visibility = () => this._onVisibilityChange();
      doc.addEventListener('visibilitychange', visibility);
      this._subs.push(() => doc.removeEventListener('visibilitychange', visibility));
    }
  }

  _isOffline() {
    const nav = this._opts.navigator;
    return Boolean(nav) && nav.onLine === false;
  }

  _isHidden() {
    const doc = this._opts.document;
    return Boolean(doc) && doc.visibilityState === 'hidden';
  }

  /** State `offline`; an outage in progress will be reported as `offline`. */
  _enterOffline() {
    if (this._outage) this._outage.offline = true;
    this._setState(State.OFFLINE);
  }

  _onOnline() {
    this._onlineAt = this._now(); // before the check: a verdict now covers an offline spell
    if (this._socketOpen && this._checkLiveness(true)) return;
    this._retryNow();
  }

  _onOffline() {
    if (this._outage) this._outage.offline = true;
    // An open socket may survive a short network blip: liveness decides. A pending wait stops.
    if (!this._ws && this._timers.has('reconnect')) {
      this._timers.clear('reconnect');
      this._setState(State.OFFLINE);
    }
  }

  _onVisibilityChange() {
    const doc = this._opts.document;
    if (!doc || doc.visibilityState !== 'visible') return;
    this._visibleAt = this._now(); // before the check: a verdict now is about a hidden spell
    if (this._socketOpen && this._checkLiveness(true)) return;
    this._retryNow(); // also right after the check above found the socket dead
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Writes a subscribe/unsubscribe frame if the connection is open. Otherwise nothing: they are
   * never queued, because the next welcome subscribes whatever is remembered by then.
   */
  _writeSubscription(frame) {
    if (frame === null) return;
    if (this._state === State.OPEN && this._socketOpen && this._checkLiveness(false)) {
      this._ws.send(JSON.stringify(frame));
    }
  }

  _enqueue(frame) {
    const max = this._opts.queueSize;
    this._queue.push(frame);
    while (this._queue.length > max) {
      this._queue.shift();
      this._stats.dropped++;
    }
  }

  _coarseClock(serverTime) {
    if (this._clock.size > 0 || typeof serverTime !== 'number' || !Number.isFinite(serverTime)) return;
    this._clock.setCoarse(serverTime - this._dateNow());
    this._stats.clockOffset = this._clock.offset;
  }

  _setState(state) {
    const previous = this._state;
    if (state === previous) return;
    this._state = state;
    this._emitter.emit('state', { state, previous });
  }
}

function checkTopic(topic) {
  if (!isValidTopic(topic)) {
    const shown = typeof topic === 'string' ? JSON.stringify(topic.length > 40 ? `${topic.slice(0, 40)}…` : topic) : typeof topic;
    throw new TypeError(`${TOPIC_RULE}, got ${shown}`);
  }
}

function isPositive(v) {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}

/** WebSocket.close() throws for codes other than 1000/3000-4999 and odd reasons: fall back. */
function closeQuietly(ws, code, reason) {
  try {
    if (code === undefined) ws.close();
    else ws.close(code, reason);
  } catch {
    try {
      ws.close();
    } catch {
      // already closing; nothing left to do
    }
  }
}

export default PulseClient;
