// Type declarations for the Pulse browser client (pulse-client.js). Hand-written; keep in step
// with the JSDoc in src/*.js and with docs/client.md.

export declare const PROTOCOL_VERSION: 1;

export declare const MessageType: Readonly<{
  WELCOME: 'welcome';
  HEARTBEAT: 'heartbeat';
  HEARTBEAT_ACK: 'heartbeat_ack';
  TIME: 'time';
  ERROR: 'error';
  SUBSCRIBE: 'subscribe';
  UNSUBSCRIBE: 'unsubscribe';
  SUBSCRIBED: 'subscribed';
  UNSUBSCRIBED: 'unsubscribed';
  MESSAGE: 'message';
  PRESENCE: 'presence';
  GAP: 'gap';
  DISCONNECT_REPORT: 'disconnect_report';
}>;

export type GapReasonValue = 'epoch' | 'history' | 'cluster';
/** `gap.reason`: the topic is another incarnation (`epoch`), or the history ran out (`history`). */
export declare const GapReason: Readonly<{ EPOCH: 'epoch'; HISTORY: 'history'; CLUSTER: 'cluster' }>;

export declare const PresenceEvent: Readonly<{ JOIN: 'join'; LEAVE: 'leave' }>;

/** `/^[A-Za-z0-9_.:/@-]{1,100}$/` */
export declare const TOPIC_PATTERN: RegExp;
/** The topic rule in words, as the server words it. */
export declare const TOPIC_RULE: string;
/** Whether `topic` is a string of 1 to 100 letters, digits and `_ - . : / @`. */
export declare function isValidTopic(topic: unknown): topic is string;

export declare const ErrorCode: Readonly<{
  BAD_MESSAGE: 'bad_message';
  BAD_TOPIC: 'bad_topic';
  TOO_MANY_TOPICS: 'too_many_topics';
  NO_HANDLER: 'no_handler';
  REJECTED: 'rejected';
  SERVER_ERROR: 'server_error';
  RATE_LIMITED: 'rate_limited';
  UNSUPPORTED_PROTOCOL: 'unsupported_protocol';
  CONNECT_FAILED: 'connect_failed';
}>;

export declare const CloseCode: Readonly<{
  NORMAL: 1000;
  GOING_AWAY: 1001;
  PROTOCOL_ERROR: 1002;
  UNSUPPORTED_DATA: 1003;
  NO_STATUS: 1005;
  ABNORMAL: 1006;
  INVALID_PAYLOAD: 1007;
  POLICY_VIOLATION: 1008;
  MESSAGE_TOO_BIG: 1009;
  MANDATORY_EXTENSION: 1010;
  SERVER_ERROR: 1011;
  SERVICE_RESTART: 1012;
  TRY_AGAIN_LATER: 1013;
  BAD_GATEWAY: 1014;
  TLS_HANDSHAKE: 1015;
  HEARTBEAT_TIMEOUT: 4000;
  SLOW_CONSUMER: 4008;
  UNAUTHORIZED: 4401;
  PAYMENT_REQUIRED: 4402;
  FORBIDDEN: 4403;
}>;

export type PulseState = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed' | 'failed';

export declare const State: Readonly<{
  CONNECTING: 'connecting';
  OPEN: 'open';
  RECONNECTING: 'reconnecting';
  OFFLINE: 'offline';
  CLOSED: 'closed';
  FAILED: 'failed';
}>;

export type ClosePolicy = 'stop' | 'terminal' | 'reconnect';

export declare const Policy: Readonly<{ STOP: 'stop'; TERMINAL: 'terminal'; RECONNECT: 'reconnect' }>;

/** Close code -> policy; codes not listed use DEFAULT_POLICY. */
export declare const CLOSE_POLICY: Readonly<Record<number, ClosePolicy>>;
export declare const DEFAULT_POLICY: 'reconnect';
export declare function closePolicy(code: number): ClosePolicy;

/** The causes a `disconnect_report` carries (as the server's `Protocol.REPORT_CAUSES`). */
export type ReportCause = 'server_close' | 'heartbeat_timeout' | 'network' | 'offline' | 'hidden' | 'client';
/** `stats.lastDisconnect.cause`: a report cause, or `connect_timeout` for an attempt that never opened. */
export type DisconnectCause = ReportCause | 'connect_timeout';

export declare const Cause: Readonly<{
  SERVER_CLOSE: 'server_close';
  HEARTBEAT_TIMEOUT: 'heartbeat_timeout';
  NETWORK: 'network';
  OFFLINE: 'offline';
  HIDDEN: 'hidden';
  CLIENT: 'client';
  CONNECT_TIMEOUT: 'connect_timeout';
}>;

export declare const REPORT_CAUSES: readonly ReportCause[];

/**
 * The cause when several apply: client > server_close > offline > hidden > what was observed
 * (heartbeat_timeout, network, connect_timeout).
 * @example disconnectCause('network', { offline: true }) // 'offline'
 */
export declare function disconnectCause(
  observed: DisconnectCause,
  conditions?: { offline?: boolean; hidden?: boolean },
): DisconnectCause;

/** Sent by the client right after a reconnect's welcome (never queued); no answer. */
export interface DisconnectReport {
  type: 'disconnect_report';
  cause: ReportCause;
  /** The close code of the lost connection (1006 without a close frame, 4000 for heartbeat_timeout/drop()). */
  code: number;
  /** Whole ms from losing the connection to this welcome (monotonic clock). */
  downtimeMs: number;
}

export interface BackoffOptions {
  minDelay: number;
  maxDelay: number;
  factor: number;
}

/** `random() * min(maxDelay, minDelay * factor ** attempt)` */
export declare function backoffDelay(attempt: number, options: BackoffOptions, random: () => number): number;
/** `min(maxDelay, minDelay * factor ** attempt)` */
export declare function backoffCeiling(attempt: number, options: BackoffOptions): number;

export interface PulseDefaults extends BackoffOptions {
  heartbeatInterval: number;
  heartbeatTimeout: number;
  queueSize: number;
  maxRetries: number;
  minUptime: number;
  connectTimeout: number;
  clockSamples: number;
}

export declare const DEFAULTS: Readonly<PulseDefaults>;

/** What the client needs from a WebSocket instance. */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: { data: any }) => void) | null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: any): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => WebSocketLike;

export interface EventTargetLike {
  addEventListener(type: string, listener: (event: any) => void): void;
  removeEventListener(type: string, listener: (event: any) => void): void;
}

export interface PulseClientOptions extends Partial<PulseDefaults> {
  /** WebSocket constructor; default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** Sub-protocols passed to the WebSocket constructor. */
  protocols?: string | string[];
  /** Called without `this`; default the global one. */
  setTimeout?: (fn: () => void, ms: number) => any;
  /** Called without `this`; default the global one. */
  clearTimeout?: (handle: any) => void;
  /** Monotonic ms, e.g. `() => performance.now()` (the default). Called without `this`. */
  now?: () => number;
  /** Wall-clock epoch ms; default `() => Date.now()`. */
  dateNow?: () => number;
  /** A number in [0, 1); default `Math.random`. */
  random?: () => number;
  /** Target of `online`/`offline` events; default `window`; `null` to ignore them. */
  window?: EventTargetLike | null;
  /** Target of `visibilitychange`, with `visibilityState`; default `document`; `null` to ignore. */
  document?: (EventTargetLike & { visibilityState: string }) | null;
  /** Source of `onLine`; default `navigator`; `null` to assume always online. */
  navigator?: { onLine?: boolean } | null;
}

export interface LastDisconnect {
  code: number;
  reason: string;
  wasClean: boolean;
  /**
   * Why: while reconnecting, the latest socket end (a failed attempt too); from a reconnect's
   * welcome on, the loss it recovered from, with the cause that was reported.
   */
  cause: DisconnectCause;
  /** Wall-clock epoch ms. */
  at: number;
  /** From a JSON close reason, else null. */
  retryAfterMs: number | null;
}

export interface PulseStats {
  /** Last heartbeat round-trip time in ms (monotonic), or null. */
  rtt: number | null;
  /** ms added to Date.now() by now(), or null before anything arrived. */
  clockOffset: number | null;
  /** Successful reconnections since the client was created. */
  reconnects: number;
  /** Messages dropped from the full send queue. */
  dropped: number;
  /** Topic messages dropped because their seq was already seen in the topic's epoch. */
  duplicates: number;
  /** Messages waiting in the send queue. */
  queued: number;
  /** Reconnect attempts since the last stable connection (the backoff exponent). */
  attempt: number;
  lastDisconnect: LastDisconnect | null;
  /** Length in ms of the last outage (from losing an open connection to the next welcome). */
  downtimeMs: number | null;
}

export interface WelcomeMessage {
  type: 'welcome';
  sessionId: string;
  protocol: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  timeInterval: number;
  serverTime: number;
}

export interface TimeMessage {
  type: 'time';
  serverTime: number;
  iso: string;
  seq: number;
}

export interface ErrorMessage {
  type: 'error';
  code: string;
  message: string;
  [key: string]: unknown;
}

/** A member of a topic, in `subscribed.members` and `presence` events. */
export interface PresenceMember {
  sessionId: string;
  /** Present when the member's handshake was authenticated. */
  user?: string;
}

/** A message published to a topic; `seq` counts per topic from 1. */
export interface TopicMessage<T = any> {
  type: 'message';
  topic: string;
  data: T;
  seq?: number;
}

export interface SubscribedMessage {
  type: 'subscribed';
  topic: string;
  /** The topic's incarnation; seqs compare only within one epoch. */
  epoch?: string;
  /** The topic's latest seq when subscribing (0 before any message). */
  seq?: number;
  /** Only on a successful resume: how many missed messages follow, in order, before live ones. */
  recovered?: number;
  /** Only when the subscription asked for presence; this session included. */
  members?: PresenceMember[];
}

/** A resume the server could not serve: reload the topic's state; messages after `seq` are new. */
export interface GapMessage {
  type: 'gap';
  topic: string;
  /** The topic's current epoch. */
  epoch: string;
  /** The topic's current seq: the reloaded state is as of this one. */
  seq: number;
  reason: GapReasonValue;
}

export interface UnsubscribedMessage {
  type: 'unsubscribed';
  topic: string;
}

export interface PresenceMessage {
  type: 'presence';
  topic: string;
  event: 'join' | 'leave';
  member: PresenceMember;
}

export interface SubscribeOptions {
  /** Ask for the member list in `subscribed` and for `presence` events; default false. */
  presence?: boolean;
  /** Called with the topic's `gap` notices (before the `gap` event): reload the topic's state. */
  onGap?: (gap: GapMessage) => void;
}

export interface PulseEvents {
  state: { state: PulseState; previous: PulseState };
  open: { sessionId: string | null; reconnected: boolean; welcome: WelcomeMessage };
  close: { code: number; reason: string; wasClean: boolean };
  time: TimeMessage;
  /**
   * A parsed JSON object (broadcasts, messages to this session, topic messages of topics not
   * subscribed with subscribe(), unknown types), the text of a non-JSON frame, or binary data.
   */
  message: any;
  subscribed: SubscribedMessage;
  unsubscribed: UnsubscribedMessage;
  presence: PresenceMessage;
  /** A resume could not be served (just before that topic's `subscribed`). */
  gap: GapMessage;
  /** A resume succeeded: the `count` missed messages have reached the handlers (right after `subscribed` when 0). */
  recovered: { topic: string; count: number };
  rtt: { rtt: number; offset: number | null };
  error: ErrorMessage;
}

/**
 * A WebSocket connection to a Pulse endpoint that keeps itself alive.
 * @example
 * const client = new PulseClient('wss://example.com/pulse/ws');
 * client.on('time', (m) => console.log(m.iso));
 * client.connect();
 */
export declare class PulseClient {
  constructor(url: string | URL, options?: PulseClientOptions);
  readonly url: string;
  readonly sessionId: string | null;
  readonly state: PulseState;
  readonly stats: PulseStats;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  /** Topics subscribed with subscribe(), oldest first. */
  readonly topics: string[];
  /** Server-synchronised epoch ms. */
  now(): number;
  on<E extends keyof PulseEvents>(event: E, handler: (payload: PulseEvents[E]) => void): () => void;
  connect(): this;
  close(code?: number, reason?: string): void;
  /** true if written now, false if queued (or dropped when queueSize is 0). */
  send(data: object | string | ArrayBuffer | ArrayBufferView | Blob): boolean;
  /**
   * Subscribes to a topic (remembered; re-sent after every reconnect, resuming from the last seq
   * seen). Returns a function that removes this handler; the topic is unsubscribed with its last
   * handler.
   * @throws TypeError for a bad topic name, handler, presence flag or onGap
   * @example
   * client.subscribe('orders', (order) => table.upsert(order), { onGap: () => table.reload() });
   */
  subscribe<T = any>(topic: string, handler: (data: T, message: TopicMessage<T>) => void, options?: SubscribeOptions): () => void;
  /** Removes every handler of the topic and unsubscribes; false if it was not subscribed. */
  unsubscribe(topic: string): boolean;
  /** Simulates an unclean loss (demo/testing): closes locally with 4000, then reconnects with backoff. */
  drop(): void;
  /** Reconnects now with a fresh attempt count; from closed/failed it is connect(). */
  reconnect(): this;
}

export default PulseClient;
