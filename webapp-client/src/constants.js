/**
 * Names, message types, close codes, the close-code policy and the defaults of the Pulse client,
 * in one place. Mirrors the server's `dev.pulse.Protocol` class; docs/client.md shows the tables.
 * @module constants
 */

/** Protocol version this client speaks (`welcome.protocol`). */
export const PROTOCOL_VERSION = 1;

/** Endpoint path inside the web application: `ws(s)://HOST/CONTEXT/ws`. */
export const ENDPOINT_PATH = '/ws';

/** JSON message types (`{"type": ...}`). */
export const MessageType = Object.freeze({
  WELCOME: 'welcome',
  HEARTBEAT: 'heartbeat',
  HEARTBEAT_ACK: 'heartbeat_ack',
  TIME: 'time',
  ERROR: 'error',
  SUBSCRIBE: 'subscribe',
  UNSUBSCRIBE: 'unsubscribe',
  SUBSCRIBED: 'subscribed',
  UNSUBSCRIBED: 'unsubscribed',
  MESSAGE: 'message',
  PRESENCE: 'presence',
  GAP: 'gap',
  DISCONNECT_REPORT: 'disconnect_report',
});

/** `reason` values of a `gap` notice: the topic is another incarnation, history ran out, or messages were lost between cluster nodes (or the cluster could not be read). */
export const GapReason = Object.freeze({
  EPOCH: 'epoch',
  HISTORY: 'history',
  CLUSTER: 'cluster',
});

/** `event` values of a `presence` message. */
export const PresenceEvent = Object.freeze({
  JOIN: 'join',
  LEAVE: 'leave',
});

/** Topic names: 1 to 100 characters of letters, digits and `_ - . : / @` (as `Protocol.TOPIC_NAME`). */
export const TOPIC_PATTERN = /^[A-Za-z0-9_.:/@-]{1,100}$/;

/** The rule in words, as the server words it (`Protocol.TOPIC_RULE`). */
export const TOPIC_RULE = 'topic must be 1 to 100 characters of letters, digits and _ - . : / @';

/**
 * Whether `topic` is a valid topic name.
 * @param {unknown} topic
 * @returns {boolean}
 * @example isValidTopic('room-1') // true; isValidTopic('a b') // false
 */
export function isValidTopic(topic) {
  return typeof topic === 'string' && TOPIC_PATTERN.test(topic);
}

/**
 * Error codes of `error` events: the server's `{"type":"error","code":...}` and the client's own
 * (`unsupported_protocol`, `connect_failed`).
 */
export const ErrorCode = Object.freeze({
  BAD_MESSAGE: 'bad_message',
  BAD_TOPIC: 'bad_topic',
  TOO_MANY_TOPICS: 'too_many_topics',
  NO_HANDLER: 'no_handler',
  REJECTED: 'rejected',
  SERVER_ERROR: 'server_error',
  RATE_LIMITED: 'rate_limited',
  UNSUPPORTED_PROTOCOL: 'unsupported_protocol',
  CONNECT_FAILED: 'connect_failed',
});

/** WebSocket close codes the client knows by name (RFC 6455 / IANA registry plus Pulse's 4xxx). */
export const CloseCode = Object.freeze({
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  NO_STATUS: 1005,
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  SERVER_ERROR: 1011,
  SERVICE_RESTART: 1012,
  TRY_AGAIN_LATER: 1013,
  BAD_GATEWAY: 1014,
  TLS_HANDSHAKE: 1015,
  HEARTBEAT_TIMEOUT: 4000,
  SLOW_CONSUMER: 4008,
  UNAUTHORIZED: 4401,
  PAYMENT_REQUIRED: 4402,
  FORBIDDEN: 4403,
});

/** Connection states, as seen in `client.state` and the `state` event. */
export const State = Object.freeze({
  /** First attempt(s) after `connect()`, before the first welcome. */
  CONNECTING: 'connecting',
  /** Socket open and welcome received: heartbeats run, sends go straight out. */
  OPEN: 'open',
  /** A connection was lost; waiting for or making the next attempt. */
  RECONNECTING: 'reconnecting',
  /** `navigator.onLine` is false: no attempts until the `online` event. */
  OFFLINE: 'offline',
  /** Not started, closed by `close()`, or closed by the server with 1000. */
  CLOSED: 'closed',
  /** Terminal close code or `maxRetries` used up; only `connect()` starts again. */
  FAILED: 'failed',
});

/** What the client does after a close code: the three values of {@link CLOSE_POLICY}. */
export const Policy = Object.freeze({
  /** Stay closed (state `closed`). */
  STOP: 'stop',
  /** Give up (state `failed`); retrying would get the same answer. */
  TERMINAL: 'terminal',
  /** Reconnect with backoff (state `reconnecting`). */
  RECONNECT: 'reconnect',
});

/**
 * The close-code policy table. Codes not listed follow {@link DEFAULT_POLICY}.
 * `close()` never consults it: a close the application asked for always stays closed.
 */
export const CLOSE_POLICY = Object.freeze({
  [CloseCode.NORMAL]: Policy.STOP, // the server ended the session on purpose
  [CloseCode.GOING_AWAY]: Policy.RECONNECT, // undeploy / shutdown: another node or the restarted one will answer
  [CloseCode.PROTOCOL_ERROR]: Policy.RECONNECT, // often a proxy in the middle; the bad frame is not re-sent
  [CloseCode.UNSUPPORTED_DATA]: Policy.RECONNECT, // the offending frame is gone; the next session starts clean
  [CloseCode.NO_STATUS]: Policy.RECONNECT, // closed without a code: treat like a drop
  [CloseCode.ABNORMAL]: Policy.RECONNECT, // network loss, refused connection, failed handshake
  [CloseCode.INVALID_PAYLOAD]: Policy.RECONNECT,
  [CloseCode.POLICY_VIOLATION]: Policy.TERMINAL, // the server refuses us; retrying in a loop would be abuse
  [CloseCode.MESSAGE_TOO_BIG]: Policy.RECONNECT, // the big frame is dropped; the session itself is fine
  [CloseCode.MANDATORY_EXTENSION]: Policy.TERMINAL, // client/server mismatch that a retry cannot fix
  [CloseCode.SERVER_ERROR]: Policy.RECONNECT,
  [CloseCode.SERVICE_RESTART]: Policy.RECONNECT,
  [CloseCode.TRY_AGAIN_LATER]: Policy.RECONNECT,
  [CloseCode.BAD_GATEWAY]: Policy.RECONNECT,
  [CloseCode.TLS_HANDSHAKE]: Policy.RECONNECT, // browsers rarely expose it; may be a captive portal
  [CloseCode.HEARTBEAT_TIMEOUT]: Policy.RECONNECT,
  [CloseCode.SLOW_CONSUMER]: Policy.RECONNECT,
  [CloseCode.UNAUTHORIZED]: Policy.TERMINAL, // needs new credentials: the application must act
  [CloseCode.PAYMENT_REQUIRED]: Policy.TERMINAL,
  [CloseCode.FORBIDDEN]: Policy.TERMINAL,
});

/** Policy for any code not in {@link CLOSE_POLICY}: a live-updates client should rather come back. */
export const DEFAULT_POLICY = Policy.RECONNECT;

/**
 * The policy for a close code.
 * @param {number} code
 * @returns {'stop'|'terminal'|'reconnect'}
 * @example closePolicy(4401) // 'terminal'
 */
export function closePolicy(code) {
  return Object.prototype.hasOwnProperty.call(CLOSE_POLICY, code) ? CLOSE_POLICY[code] : DEFAULT_POLICY;
}

/**
 * Why a connection ended, as in `stats.lastDisconnect.cause` and the `disconnect_report` sent
 * after a reconnect. `server_close`: a close frame arrived; `heartbeat_timeout`: the client's own
 * dead-server deadline; `network`: died without a close frame while visible and online;
 * `offline`: the browser was offline when it dropped or during the outage; `hidden`: the page was
 * hidden when it dropped; `client`: `close()`, `reconnect()` or `drop()`. `connect_timeout` only
 * describes an attempt that never opened, never a lost connection, so it is never reported.
 * When several apply, {@link disconnectCause} decides.
 */
export const Cause = Object.freeze({
  SERVER_CLOSE: 'server_close',
  HEARTBEAT_TIMEOUT: 'heartbeat_timeout',
  NETWORK: 'network',
  OFFLINE: 'offline',
  HIDDEN: 'hidden',
  CLIENT: 'client',
  CONNECT_TIMEOUT: 'connect_timeout',
});

/** The causes a `disconnect_report` may carry (as `Protocol.REPORT_CAUSES`). */
export const REPORT_CAUSES = Object.freeze([
  Cause.SERVER_CLOSE, Cause.HEARTBEAT_TIMEOUT, Cause.NETWORK, Cause.OFFLINE, Cause.HIDDEN, Cause.CLIENT,
]);

/**
 * The cause of a loss when several apply. The client's own act and a close frame from the server
 * are facts about this connection and always win; otherwise being offline explains a silent or
 * abrupt end better than a hidden page, and a hidden page better than "the network" or the
 * heartbeat deadline:
 *
 *   client > server_close > offline > hidden > heartbeat_timeout | network | connect_timeout
 *
 * @param {string} observed what the client saw: `client`, `server_close`, `heartbeat_timeout`,
 *   `network` or `connect_timeout` (an already classified cause works too)
 * @param {{offline?: boolean, hidden?: boolean}} conditions
 * @returns {string} one of {@link Cause}
 * @example disconnectCause('network', { offline: true }) // 'offline'
 */
export function disconnectCause(observed, { offline = false, hidden = false } = {}) {
  if (observed === Cause.CLIENT || observed === Cause.SERVER_CLOSE) return observed;
  if (offline) return Cause.OFFLINE;
  if (hidden && observed !== Cause.OFFLINE) return Cause.HIDDEN;
  return observed;
}

/** Default options of `new PulseClient(url, options)`; every one can be overridden. */
export const DEFAULTS = Object.freeze({
  /** ms between heartbeats until the welcome says otherwise. */
  heartbeatInterval: 25000,
  /** ms the server has to answer, until the welcome says otherwise. */
  heartbeatTimeout: 10000,
  /** Backoff: first ceiling in ms. */
  minDelay: 1000,
  /** Backoff: largest ceiling in ms. */
  maxDelay: 30000,
  /** Backoff: growth per attempt. */
  factor: 2,
  /** Messages kept while disconnected; the oldest is dropped past this. */
  queueSize: 100,
  /** Consecutive reconnect attempts before state `failed`. */
  maxRetries: Infinity,
  /** ms a connection must stay open before the attempt count resets. */
  minUptime: 5000,
  /** ms an attempt may take to reach `open` on the socket before it is abandoned. */
  connectTimeout: 10000,
  /** How many recent heartbeat samples the clock keeps; the lowest-RTT one wins. */
  clockSamples: 8,
});
