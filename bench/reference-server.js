#!/usr/bin/env node
'use strict';
// A plain reference implementation of the Pulse protocol subset on the `ws` npm package, to
// compare Pulse against: welcome, heartbeat_ack, time push every timeInterval with seq (encoded
// once per push), Pings every pingInterval, sweep of silent peers (4000), GET /pulse/api/status.
// Settings: the same environment variables as Pulse (PULSE_TIME_INTERVAL, ...) or options.
// Run with --expose-gc to let GET /pulse/api/status?gc=1 collect garbage before answering.

const http = require('node:http');
const { WebSocketServer, WebSocket } = require('ws');
const { parseArgs } = require('./lib/args');

const HELP = `usage: node [--expose-gc] reference-server.js [options]
  --port P                 (default 8080)
  --host H                 (default 127.0.0.1)
  --context PATH           (default /pulse: endpoint PATH/ws, status PATH/api/status)
  --time-interval MS       (env PULSE_TIME_INTERVAL, default 10000)
  --ping-interval MS       (env PULSE_PING_INTERVAL, default 25000)
  --pong-timeout MS        (env PULSE_PONG_TIMEOUT, default 10000)
  --heartbeat-interval MS  (env PULSE_HEARTBEAT_INTERVAL, default 25000)
  --heartbeat-timeout MS   (env PULSE_HEARTBEAT_TIMEOUT, default 10000)`;

const a = parseArgs(
  process.argv.slice(2),
  {
    port: 8080,
    host: '127.0.0.1',
    context: '/pulse',
    timeInterval: 0,
    pingInterval: 0,
    pongTimeout: 0,
    heartbeatInterval: 0,
    heartbeatTimeout: 0,
  },
  HELP,
);

function setting(key, env, def) {
  if (process.env[env] != null && process.env[env] !== '') return Number(process.env[env]);
  return a[key] > 0 ? a[key] : def;
}
const settings = {
  pingInterval: setting('pingInterval', 'PULSE_PING_INTERVAL', 25000),
  pongTimeout: setting('pongTimeout', 'PULSE_PONG_TIMEOUT', 10000),
  timeInterval: setting('timeInterval', 'PULSE_TIME_INTERVAL', 10000),
  heartbeatInterval: setting('heartbeatInterval', 'PULSE_HEARTBEAT_INTERVAL', 25000),
  heartbeatTimeout: setting('heartbeatTimeout', 'PULSE_HEARTBEAT_TIMEOUT', 10000),
};
for (const [k, v] of Object.entries(settings)) {
  if (!Number.isInteger(v) || v < 10 || v > 86400000) throw new Error(`invalid setting ${k}: ${v}`);
}

const startedAt = Date.now();
const sessions = new Set(); // open and not dropped
let nextId = 0;
let seq = 0;

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'GET' && url.pathname === `${a.context}/api/status`) {
    if (url.searchParams.get('gc') === '1' && typeof global.gc === 'function') global.gc();
    const body = JSON.stringify({
      running: true,
      protocol: 1,
      sessions: sessions.size,
      uptimeMs: Date.now() - startedAt,
      scheduler: { kind: 'node-timers', name: 'setInterval' },
      settings,
      memory: process.memoryUsage(),
    });
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
});

const wss = new WebSocketServer({ server, path: `${a.context}/ws`, clientTracking: false });

wss.on('connection', (ws) => {
  const id = String(nextId++);
  ws.lastSeen = Date.now();
  sessions.add(ws);
  ws.send(
    JSON.stringify({
      type: 'welcome',
      sessionId: id,
      protocol: 1,
      heartbeatInterval: settings.heartbeatInterval,
      heartbeatTimeout: settings.heartbeatTimeout,
      timeInterval: settings.timeInterval,
      serverTime: Date.now(),
    }),
  );
  ws.on('message', (data, isBinary) => {
    ws.lastSeen = Date.now();
    if (isBinary) {
      ws.close(1003, 'binary messages are not supported');
      return;
    }
    const text = data.toString();
    if (text === 'heartbeat') return ws.send('heartbeat_ack');
    if (text === 'ping') return ws.send('pong');
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return sendError(ws, 'malformed JSON');
    }
    if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return sendError(ws, 'message must be a JSON object');
    if (typeof msg.type !== 'string') return sendError(ws, "field 'type' must be a string");
    if (msg.type !== 'heartbeat') return sendError(ws, `unknown type '${msg.type.slice(0, 40)}'`);
    const ts = msg.ts;
    if (ts != null && typeof ts !== 'number') return sendError(ws, "field 'ts' must be a number");
    const ack = ts == null
      ? `{"type":"heartbeat_ack","serverTime":${Date.now()}}`
      : `{"type":"heartbeat_ack","ts":${JSON.stringify(ts)},"serverTime":${Date.now()}}`;
    ws.send(ack);
  });
  ws.on('pong', () => {
    ws.lastSeen = Date.now();
  });
  ws.on('close', () => sessions.delete(ws));
  ws.on('error', () => {}); // the close follows
});

function sendError(ws, message) {
  ws.send(JSON.stringify({ type: 'error', code: 'bad_message', message }));
}

// time push: one encoding per push, the same bytes to every session
setInterval(() => {
  const now = Date.now();
  const frame = Buffer.from(
    JSON.stringify({ type: 'time', serverTime: now, iso: new Date(now).toISOString(), seq: ++seq }),
  );
  for (const ws of sessions) {
    if (ws.readyState === WebSocket.OPEN) ws.send(frame, { binary: false });
  }
}, settings.timeInterval);

// pings: 8-byte payload, the send time
setInterval(() => {
  const payload = Buffer.alloc(8);
  payload.writeBigInt64BE(process.hrtime.bigint());
  for (const ws of sessions) {
    if (ws.readyState === WebSocket.OPEN) ws.ping(payload);
  }
}, settings.pingInterval);

// sweep: drop sessions silent for pingInterval + pongTimeout
setInterval(
  () => {
    const deadline = Date.now() - (settings.pingInterval + settings.pongTimeout);
    for (const ws of sessions) {
      if (ws.lastSeen < deadline) {
        sessions.delete(ws);
        ws.close(4000, 'heartbeat timeout');
        setTimeout(() => ws.terminate(), 1000).unref(); // a half-open peer never answers the close
      }
    }
  },
  Math.min(1000, Math.max(50, Math.floor(settings.pongTimeout / 4))),
);

server.listen(a.port, a.host, () => {
  process.stdout.write(JSON.stringify({ event: 'listening', port: a.port, pid: process.pid, settings }) + '\n');
});

function shutdown() {
  for (const ws of sessions) ws.close(1001, 'server shutdown');
  server.close();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
