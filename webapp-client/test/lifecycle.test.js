import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';

const scenarios = {
  'before connect': () => {},
  connecting: (t) => t.client.connect(),
  'socket open, no welcome': (t) => {
    t.client.connect();
    t.ws.serverOpen();
  },
  open: (t) => {
    t.client.connect();
    t.welcome();
    t.live(3000);
  },
  'waiting to reconnect': (t) => {
    t.client.connect();
    t.welcome();
    t.ws.serverClose(1006, '', false);
  },
  'waiting after retryAfterMs': (t) => {
    t.client.connect();
    t.welcome();
    t.ws.serverClose(1001, '{"retryAfterMs":60000}');
  },
  offline: (t) => {
    t.env.navigator.onLine = false;
    t.client.connect();
  },
};

for (const [name, arrange] of Object.entries(scenarios)) {
  test(`close() leaves no timer and no listener behind: ${name}`, () => {
    const t = setup();
    arrange(t);
    t.client.close();
    assert.equal(t.client.state, 'closed');
    assert.equal(t.clock.pendingCount, 0, 'pending timers');
    assert.equal(t.env.listenerCount, 0, 'window/document listeners');
    const sockets = t.sockets.length;
    t.clock.advance(600000);
    t.env.goOnline();
    t.env.show();
    assert.equal(t.sockets.length, sockets, 'nothing reconnects');
    assert.equal(t.client.state, 'closed');
  });
}

test('close() emits close for an open connection; the real close event later is ignored', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  t.client.close(4100, 'bye now');
  assert.deepEqual(ws.closedWith, { code: 4100, reason: 'bye now' });
  assert.deepEqual(t.named('close'), [{ code: 4100, reason: 'bye now', wasClean: true }]);
  ws.serverClose(4100, 'bye now');
  assert.equal(t.named('close').length, 1);
});

test('close() then connect() starts over', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.client.close();
  t.client.connect();
  assert.equal(t.sockets.length, 2);
  t.welcome();
  assert.equal(t.client.state, 'open');
  assert.equal(t.env.listenerCount, 3);
});

test('a close()/connect() pause is not counted as an outage or a reconnect', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.client.close();
  t.clock.advance(5000);
  t.client.connect();
  t.welcome();
  assert.equal(t.client.stats.downtimeMs, null);
  assert.equal(t.client.stats.reconnects, 0);
  assert.equal(t.named('open')[1].reconnected, false);
});

test('connect() while active is a no-op', () => {
  const t = setup();
  t.client.connect();
  t.client.connect();
  t.welcome();
  t.client.connect();
  assert.equal(t.sockets.length, 1);
});

test('timers in use are only the named few', () => {
  const t = setup();
  t.client.connect();
  assert.deepEqual(t.client._timers.pending, ['connect']);
  t.welcome();
  assert.deepEqual(t.client._timers.pending.sort(), ['deadline', 'heartbeat', 'uptime']);
  t.ws.serverClose(1006, '', false);
  assert.deepEqual(t.client._timers.pending, ['reconnect']);
});
