import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';

test('server close 1000: state closed, no reconnect, nothing pending', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1000, 'bye');
  assert.equal(t.client.state, 'closed');
  assert.equal(t.clock.pendingCount, 0);
  assert.equal(t.env.listenerCount, 0);
  t.clock.advance(600000);
  assert.equal(t.sockets.length, 1);
  assert.deepEqual(t.named('close'), [{ code: 1000, reason: 'bye', wasClean: true }]);
});

test('own close(): 1000 on the wire, state closed, no reconnect', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  t.client.close();
  assert.deepEqual(ws.closedWith, { code: 1000, reason: '' });
  assert.equal(t.client.state, 'closed');
  ws.serverClose(1000, '', true); // the real close event, after handlers were detached
  t.clock.advance(600000);
  assert.equal(t.sockets.length, 1);
  assert.equal(t.client.stats.lastDisconnect.cause, 'client');
});

for (const code of [1008, 4401, 4402, 4403]) {
  test(`terminal close ${code}: state failed, no reconnect loop`, () => {
    const t = setup();
    t.client.connect();
    t.welcome();
    t.ws.serverClose(code, 'go away');
    assert.equal(t.client.state, 'failed');
    assert.equal(t.clock.pendingCount, 0);
    t.clock.advance(600000);
    t.env.goOnline();
    t.env.show();
    assert.equal(t.sockets.length, 1);
    assert.equal(t.client.stats.lastDisconnect.code, code);
  });
}

for (const [code, wasClean] of [[1001, true], [1002, true], [1003, true], [1005, true], [1006, false],
  [1009, true], [1011, true], [1012, true], [1013, true], [4000, true], [4008, true], [4999, true]]) {
  test(`close ${code}: reconnect with backoff`, () => {
    const t = setup();
    t.client.connect();
    t.welcome();
    t.ws.serverClose(code, '', wasClean);
    assert.equal(t.client.state, 'reconnecting');
    assert.equal(t.client.stats.lastDisconnect.cause, wasClean ? 'server_close' : 'network');
    t.clock.advance(500);
    assert.equal(t.sockets.length, 2);
  });
}

test('retryAfterMs in a JSON close reason is a floor, with jitter on top', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1001, '{"reason":"shutdown","retryAfterMs":5000}');
  assert.equal(t.client.state, 'reconnecting');
  assert.equal(t.client.stats.lastDisconnect.retryAfterMs, 5000);
  t.clock.advance(1000);
  t.env.hide();
  t.env.show(); // would retry at once, but not before the server's floor
  t.env.goOnline();
  assert.equal(t.sockets.length, 1);
  t.clock.advance(4499);
  assert.equal(t.sockets.length, 1);
  t.clock.advance(1); // 5000 + 0.5 * 1000
  assert.equal(t.sockets.length, 2);
});

test('after retryAfterMs has passed, visibility may bring the attempt forward', () => {
  const t = setup({ random: () => 0.99 });
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1013, '{"retryAfterMs":2000}');
  t.clock.advance(2000);
  assert.equal(t.sockets.length, 1);
  t.env.show();
  assert.equal(t.sockets.length, 2);
});

test('failed attempts back off exponentially with full jitter', () => {
  const t = setup();
  t.client.connect();
  const created = [];
  for (let i = 0; i < 7; i++) {
    const n = t.sockets.length;
    t.ws.serverClose(1006, '', false); // refused before opening
    const start = t.clock.t;
    while (t.sockets.length === n) t.clock.advance(1);
    created.push(t.clock.t - start);
  }
  assert.deepEqual(created, [500, 1000, 2000, 4000, 8000, 15000, 15000]);
  assert.equal(t.client.state, 'connecting', 'never opened yet: still connecting');
  assert.equal(t.named('close').length, 0, 'no close event for attempts that never opened');
});

test('attempt count resets only after the connection stayed up minUptime', () => {
  const t = setup();
  t.client.connect();
  const delays = [];
  const dropAndMeasure = () => {
    const n = t.sockets.length;
    t.ws.serverClose(1006, '', false);
    const start = t.clock.t;
    while (t.sockets.length === n) t.clock.advance(1);
    delays.push(t.clock.t - start);
  };
  t.welcome();
  t.live(1000);
  dropAndMeasure(); // attempt 0 -> 500
  t.welcome();
  t.live(1000); // < minUptime
  dropAndMeasure(); // attempt 1 -> 1000
  t.welcome();
  t.live(4999);
  dropAndMeasure(); // still < minUptime -> 2000
  t.welcome();
  t.live(5000); // stayed up minUptime
  dropAndMeasure(); // reset -> 500
  assert.deepEqual(delays, [500, 1000, 2000, 500]);
});

test('maxRetries used up: state failed, nothing pending', () => {
  const t = setup({ maxRetries: 2 });
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  t.clock.advance(500);
  t.ws.serverClose(1006, '', false); // retry 1 failed
  t.clock.advance(1000);
  t.ws.serverClose(1006, '', false); // retry 2 failed
  assert.equal(t.client.state, 'failed');
  assert.equal(t.sockets.length, 3);
  assert.equal(t.clock.pendingCount, 0);
  assert.equal(t.env.listenerCount, 0);
  t.client.connect(); // connect() starts afresh from failed
  assert.equal(t.client.state, 'connecting');
  assert.equal(t.sockets.length, 4);
});

test('maxRetries 0: the first loss fails at once', () => {
  const t = setup({ maxRetries: 0 });
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.state, 'failed');
});

test('events of an old socket are ignored after a reconnect', () => {
  const t = setup();
  t.client.connect();
  const old = t.welcome();
  const stale = { onmessage: old.onmessage, onclose: old.onclose, onopen: old.onopen };
  t.client.drop();
  assert.equal(old.onmessage, null);
  assert.equal(old.onclose, null);
  t.clock.advance(500);
  const current = t.welcome();
  const before = t.events.length;
  // Events the browser had already queued for the old socket:
  stale.onmessage({ data: JSON.stringify({ type: 'time', serverTime: 1, iso: 'x', seq: 99 }) });
  stale.onmessage({ data: JSON.stringify({ type: 'welcome', sessionId: 'old', heartbeatInterval: 99999 }) });
  stale.onmessage({ data: 'hello from the past' });
  stale.onopen({});
  stale.onclose({ code: 4403, reason: 'old', wasClean: true });
  assert.equal(t.events.length, before);
  assert.equal(t.client.state, 'open');
  assert.equal(t.client.sessionId, 's2');
  assert.equal(t.client.heartbeatInterval, 1000);
  assert.equal(t.ws, current);
});

test('offline at connect(): state offline, no attempt; online: attempt at once', () => {
  const t = setup();
  t.env.navigator.onLine = false;
  t.client.connect();
  assert.equal(t.client.state, 'offline');
  assert.equal(t.sockets.length, 0);
  t.clock.advance(60000);
  assert.equal(t.sockets.length, 0);
  t.env.goOnline();
  assert.equal(t.sockets.length, 1);
  assert.equal(t.client.state, 'connecting');
  assert.equal(t.client.stats.attempt, 0, 'the first attempt is not a retry');
});

test('offline while waiting to reconnect: wait cancelled; online: attempt at once', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.state, 'reconnecting');
  t.env.goOffline();
  assert.equal(t.client.state, 'offline');
  assert.equal(t.clock.pendingCount, 0);
  t.clock.advance(60000);
  assert.equal(t.sockets.length, 1);
  t.env.goOnline();
  assert.equal(t.sockets.length, 2);
  assert.equal(t.client.state, 'reconnecting');
});

test('connection lost while offline: state offline, no attempts until online', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.env.goOffline();
  assert.equal(t.client.state, 'open', 'an open socket is left to the liveness check');
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.state, 'offline');
  t.clock.advance(60000);
  assert.equal(t.sockets.length, 1);
  t.env.show(); // visibility does not override offline
  assert.equal(t.sockets.length, 1);
  t.env.goOnline();
  assert.equal(t.sockets.length, 2);
});

test('becoming visible after an unclean close retries at once', () => {
  const t = setup({ random: () => 0.99 });
  t.client.connect();
  t.welcome();
  t.env.hide();
  t.ws.serverClose(1006, '', false);
  t.clock.advance(100);
  assert.equal(t.sockets.length, 1);
  t.env.show();
  assert.equal(t.sockets.length, 2);
  assert.equal(t.clock.pendingCount, 1, 'only the connect timeout of the new attempt');
});

test('online after an unclean close retries at once', () => {
  const t = setup({ random: () => 0.99 });
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  t.env.goOnline();
  assert.equal(t.sockets.length, 2);
});

test('stats: reconnects counted, downtime of the last outage measured, open says reconnected', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  assert.equal(t.named('open')[0].reconnected, false);
  t.live(2000);
  t.ws.serverClose(1012, 'restart');
  t.clock.advance(500); // backoff
  t.clock.advance(100); // handshake
  t.welcome();
  const s = t.client.stats;
  assert.equal(s.reconnects, 1);
  assert.equal(s.downtimeMs, 600);
  assert.equal(s.lastDisconnect.code, 1012);
  assert.equal(s.lastDisconnect.reason, 'restart');
  assert.equal(s.lastDisconnect.wasClean, true);
  assert.equal(typeof s.lastDisconnect.at, 'number');
  assert.equal(t.named('open')[1].reconnected, true);
  assert.deepEqual(t.states(), ['connecting', 'open', 'reconnecting', 'open']);
});

test('connect timeout: an attempt that never opens is abandoned and retried', () => {
  const t = setup({ connectTimeout: 3000 });
  t.client.connect();
  const stuck = t.ws;
  t.clock.advance(3000);
  assert.ok(stuck.closedWith, 'the hanging socket is closed');
  assert.equal(stuck.onclose, null);
  assert.equal(t.client.stats.lastDisconnect.cause, 'connect_timeout');
  t.clock.advance(500);
  assert.equal(t.sockets.length, 2);
});

test('drop(): unclean loss simulated locally, backoff reconnect follows', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  t.client.drop();
  assert.deepEqual(ws.closedWith, { code: 4000, reason: 'dropped by client' });
  assert.equal(t.client.state, 'reconnecting');
  assert.equal(t.client.stats.lastDisconnect.cause, 'client');
  assert.equal(t.client.stats.lastDisconnect.wasClean, false);
  t.clock.advance(500);
  assert.equal(t.sockets.length, 2);
});

test('reconnect(): new socket at once, attempt count reset; from failed it connects', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  t.client.reconnect();
  assert.deepEqual(ws.closedWith, { code: 1000, reason: 'reconnect' });
  assert.equal(t.sockets.length, 2);
  assert.equal(t.client.state, 'reconnecting');
  t.welcome();
  t.ws.serverClose(4401, 'who are you');
  assert.equal(t.client.state, 'failed');
  t.client.reconnect();
  assert.equal(t.sockets.length, 3);
  assert.equal(t.client.state, 'connecting');
});

test('a WebSocket constructor that throws (bad URL) fails with an error event', () => {
  const t = setup({
    WebSocket: class {
      constructor() {
        throw new SyntaxError('bad url');
      }
    },
  });
  t.client.connect();
  assert.equal(t.client.state, 'failed');
  assert.equal(t.named('error')[0].code, 'connect_failed');
  assert.equal(t.clock.pendingCount, 0);
});

test('a close handler may call close() without a reconnect sneaking in', () => {
  const t = setup();
  t.client.on('close', () => t.client.close());
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.state, 'closed');
  assert.equal(t.clock.pendingCount, 0);
  t.clock.advance(60000);
  assert.equal(t.sockets.length, 1);
});
