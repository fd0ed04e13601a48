// End to end: the real client, real timers and a real WebSocket against a tiny Pulse-protocol
// server (the `ws` package) on 127.0.0.1, port 0. Every wait is bounded; the server stops itself.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket, { WebSocketServer } from 'ws';
import { PulseClient } from '../src/pulse-client.js';

const TEST_TIMEOUT = 15000;

/** Polls `predicate` every 10 ms; fails after `ms`. */
async function waitFor(predicate, ms = 3000, what = 'condition') {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * A server speaking the protocol subset: welcome, heartbeat_ack, time pushes, topics with a
 * history for resuming (`publish(topic, data)`; `subscribe` with `since` gets the replay or a gap),
 * `disconnect_report` (kept in `reports`), error for other types. `silent` makes it stop answering
 * and pushing (a hung peer); `received` logs client frames.
 */
async function startServer() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const server = {
    url: `ws://127.0.0.1:${wss.address().port}/pulse/ws`,
    silent: false,
    sessions: 0,
    received: [],
    closes: [], // close codes the server saw from clients
    sockets: [],
    reports: [],
    /** topic -> { epoch, seq, history: frames, members: Set<socket> } */
    topics: new Map(),
    publish(topic, data) {
      const t = server.topic(topic);
      const frame = JSON.stringify({ type: 'message', topic, data, seq: ++t.seq });
      t.history.push(frame);
      for (const s of t.members) if (s.readyState === WebSocket.OPEN) s.send(frame);
    },
    topic(name) {
      if (!server.topics.has(name)) server.topics.set(name, { epoch: `ep-${name}`, seq: 0, history: [], members: new Set() });
      return server.topics.get(name);
    },
    stop: () => new Promise((resolve) => {
      for (const s of wss.clients) s.terminate();
      wss.close(resolve);
    }),
  };
  wss.on('connection', (socket) => {
    server.sockets.push(socket);
    server.sessions++;
    let seq = 0;
    socket.send(JSON.stringify({
      type: 'welcome', sessionId: `s${server.sessions}`, protocol: 1,
      heartbeatInterval: 200, heartbeatTimeout: 200, timeInterval: 100, serverTime: Date.now(),
    }));
    const pusher = setInterval(() => {
      if (server.silent || socket.readyState !== WebSocket.OPEN) return;
      const now = Date.now();
      socket.send(JSON.stringify({ type: 'time', serverTime: now, iso: new Date(now).toISOString(), seq: ++seq }));
    }, 100);
    socket.on('close', (code) => {
      clearInterval(pusher);
      server.closes.push(code);
      for (const t of server.topics.values()) t.members.delete(socket);
    });
    socket.on('message', (data, isBinary) => {
      const text = isBinary ? null : data.toString();
      server.received.push(text);
      if (server.silent) return;
      let msg = null;
      try {
        msg = JSON.parse(text);
      } catch {
        // plain text: ignored by this server
      }
      if (msg && msg.type === 'heartbeat') {
        socket.send(JSON.stringify({ type: 'heartbeat_ack', ts: msg.ts, serverTime: Date.now() }));
      } else if (msg && msg.type === 'disconnect_report') {
        server.reports.push(msg);
      } else if (msg && msg.type === 'subscribe') {
        const t = server.topic(msg.topic);
        t.members.add(socket);
        const answer = { type: 'subscribed', topic: msg.topic, epoch: t.epoch, seq: t.seq };
        let replay = [];
        if (msg.since && msg.since.epoch !== t.epoch) {
          socket.send(JSON.stringify({ type: 'gap', topic: msg.topic, epoch: t.epoch, seq: t.seq, reason: 'epoch' }));
        } else if (msg.since) {
          replay = t.history.slice(msg.since.seq); // seq n is history[n - 1]
          answer.recovered = replay.length;
        }
        socket.send(JSON.stringify(answer));
        for (const frame of replay) socket.send(frame);
      } else if (msg && msg.type !== 'heartbeat') {
        socket.send(JSON.stringify({ type: 'error', code: 'bad_message', message: `unknown type '${msg.type}'` }));
      }
    });
  });
  return server;
}

function newClient(server, options = {}) {
  // Node 22+ has a global WebSocket; Node 20 needs a flag, so fall back to the ws package's client.
  const WebSocketCtor = globalThis.WebSocket || WebSocket;
  return new PulseClient(server.url, {
    WebSocket: WebSocketCtor,
    minDelay: 50,
    maxDelay: 200,
    connectTimeout: 2000,
    window: null,
    document: null,
    navigator: null,
    ...options,
  });
}

test('e2e: welcome, time pushes, heartbeat RTT, server clock, error frames', { timeout: TEST_TIMEOUT }, async (t) => {
  const server = await startServer();
  const client = newClient(server);
  t.after(async () => {
    client.close();
    await server.stop();
  });
  const seqs = [];
  const errors = [];
  client.on('time', (m) => seqs.push(m.seq));
  client.on('error', (e) => errors.push(e));
  client.connect();
  await waitFor(() => client.state === 'open', 3000, 'open');
  assert.equal(client.heartbeatInterval, 200);
  await waitFor(() => seqs.length >= 3 && client.stats.rtt !== null, 3000, 'time pushes and an RTT sample');
  assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), 'seq strictly increasing');
  assert.ok(client.stats.rtt >= 0 && client.stats.rtt < 1000);
  assert.ok(Math.abs(client.now() - Date.now()) < 1000, 'same machine: offset near 0');
  client.send({ type: 'nonsense' });
  await waitFor(() => errors.length === 1, 3000, 'error event');
  assert.equal(errors[0].code, 'bad_message');
  assert.equal(client.state, 'open', 'error frames do not close the connection');
});

test('e2e: abrupt drop -> reconnect, queued sends flushed after the welcome', { timeout: TEST_TIMEOUT }, async (t) => {
  const server = await startServer();
  const client = newClient(server);
  t.after(async () => {
    client.close();
    await server.stop();
  });
  const states = [];
  const queuedNow = [];
  client.on('state', ({ state }) => states.push(state));
  // Sent from the close handler: certainly while not open (a poll could miss a reconnect this fast).
  client.on('close', () => queuedNow.push(client.send('queued-1'), client.send('queued-2')));
  client.connect();
  await waitFor(() => client.state === 'open', 3000, 'open');
  server.sockets[0].terminate(); // TCP reset, no close frame: 1006 on the client
  await waitFor(() => client.stats.reconnects === 1 && client.state === 'open', 3000, 'open again');
  assert.deepEqual(states, ['connecting', 'open', 'reconnecting', 'open']);
  assert.deepEqual(queuedNow, [false, false], 'queued, not written');
  assert.equal(client.stats.lastDisconnect.code, 1006);
  assert.equal(client.stats.lastDisconnect.wasClean, false);
  assert.equal(client.sessionId, 's2');
  await waitFor(() => server.received.includes('queued-2'), 3000, 'queued messages');
  assert.ok(server.received.indexOf('queued-1') < server.received.indexOf('queued-2'));
  assert.ok(client.stats.downtimeMs > 0);
});

test('e2e: after an abrupt drop the client reports it and resumes its topic without loss or duplicates', { timeout: TEST_TIMEOUT }, async (t) => {
  const server = await startServer();
  const client = newClient(server);
  t.after(async () => {
    client.close();
    await server.stop();
  });
  const got = [];
  const recovered = [];
  client.subscribe('feed', (data) => got.push(data));
  client.on('recovered', (e) => recovered.push(e));
  client.connect();
  await waitFor(() => server.topic('feed').members.size === 1, 3000, 'subscribed');
  server.publish('feed', 1);
  server.publish('feed', 2);
  await waitFor(() => got.length === 2, 3000, 'live messages');
  client.on('close', () => {
    server.publish('feed', 3); // missed while away (published before the client can be back)
    server.publish('feed', 4);
  });
  server.sockets[0].terminate();
  await waitFor(() => recovered.length === 1, 3000, 'recovered');
  server.publish('feed', 5);
  await waitFor(() => got.length === 5, 3000, 'live after the replay');
  assert.deepEqual(got, [1, 2, 3, 4, 5]);
  assert.deepEqual(recovered, [{ topic: 'feed', count: 2 }]);
  assert.equal(client.stats.duplicates, 0);
  assert.equal(server.reports.length, 1);
  assert.deepEqual([server.reports[0].cause, server.reports[0].code], ['network', 1006]);
  assert.ok(server.reports[0].downtimeMs >= 0 && Number.isInteger(server.reports[0].downtimeMs));
  const sent = server.received.filter((f) => f && !f.startsWith('{"type":"heartbeat"')).map((f) => JSON.parse(f));
  assert.deepEqual(sent.map((f) => f.type), ['subscribe', 'disconnect_report', 'subscribe']);
  assert.deepEqual(sent[2].since, { epoch: 'ep-feed', seq: 2 });
});

test('e2e: hung server is detected by the heartbeat deadline, client closes with 4000', { timeout: TEST_TIMEOUT }, async (t) => {
  const server = await startServer();
  const client = newClient(server);
  t.after(async () => {
    client.close();
    await server.stop();
  });
  client.connect();
  await waitFor(() => client.state === 'open', 3000, 'open');
  server.silent = true; // the TCP connection stays up, nothing comes back
  const started = Date.now();
  await waitFor(() => client.stats.lastDisconnect !== null, 3000, 'heartbeat timeout');
  const took = Date.now() - started;
  assert.equal(client.stats.lastDisconnect.cause, 'heartbeat_timeout');
  assert.ok(took < 2000, `detected within interval + timeout (+ slack for a busy machine), took ${took} ms`);
  await waitFor(() => server.closes.includes(4000), 3000, 'server sees 4000');
  server.silent = false;
  await waitFor(() => client.state === 'open', 3000, 'open again');
});

test('e2e: terminal close code -> failed; retryAfterMs is honoured', { timeout: TEST_TIMEOUT }, async (t) => {
  const server = await startServer();
  const client = newClient(server);
  t.after(async () => {
    client.close();
    await server.stop();
  });
  client.connect();
  await waitFor(() => client.state === 'open', 3000, 'open');
  server.sockets[0].close(1012, '{"reason":"restart","retryAfterMs":400}');
  await waitFor(() => client.state === 'reconnecting', 3000, 'reconnecting');
  const closedAt = Date.now();
  await waitFor(() => server.sessions === 2, 3000, 'second session');
  assert.ok(Date.now() - closedAt >= 380, 'not before retryAfterMs');
  await waitFor(() => client.state === 'open', 3000, 'open again');
  server.sockets[1].close(4401, 'unauthorized');
  await waitFor(() => client.state === 'failed', 3000, 'failed');
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(server.sessions, 2, 'no reconnect loop after a terminal code');
});

test('e2e: close() sends 1000 and nothing keeps running', { timeout: TEST_TIMEOUT }, async (t) => {
  const server = await startServer();
  const client = newClient(server);
  t.after(() => server.stop());
  client.connect();
  await waitFor(() => client.state === 'open', 3000, 'open');
  client.close();
  assert.equal(client.state, 'closed');
  assert.deepEqual(client._timers.pending, []);
  await waitFor(() => server.closes.length === 1, 3000, 'server sees the close');
  assert.equal(server.closes[0], 1000);
});
