// disconnect_report after every reconnect's welcome: one per reconnect, each cause, precedence,
// order against the re-subscribes and the queue, and stats.lastDisconnect.cause.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';
import { Cause, REPORT_CAUSES, disconnectCause } from '../src/pulse-client.js';

/** Advances the fake clock until the client has made its next socket; fails after 60 s. */
function untilNextSocket(t) {
  const count = t.sockets.length;
  for (let waited = 0; t.sockets.length === count; waited += 10) {
    assert.ok(waited < 60000, 'no reconnect attempt within 60 s');
    t.clock.advance(10);
  }
}

/** Connected, first welcome received. */
function open() {
  const t = setup();
  t.client.connect();
  t.welcome();
  return t;
}

/** Lets the client reconnect (backoff 500 ms with random 0.5) and returns the new socket's reports. */
function reportsAfterReconnect(t) {
  untilNextSocket(t);
  return t.welcome().reports;
}

test('the first connection sends no report; connect() after close() neither', () => {
  const t = open();
  assert.deepEqual(t.ws.reports, []);
  t.client.close();
  t.client.connect();
  t.welcome();
  assert.deepEqual(t.ws.reports, [], 'a fresh start, not a reconnect');
});

test('server_close: the server sent a close frame; code is its close code', () => {
  const t = open();
  t.ws.serverClose(1001, 'server shutdown', true);
  assert.equal(t.client.stats.lastDisconnect.cause, 'server_close');
  assert.deepEqual(reportsAfterReconnect(t), [{ type: 'disconnect_report', cause: 'server_close', code: 1001, downtimeMs: 500 }]);
});

test('server_close also when the TCP end was not clean, as long as a close frame came (code not 1006)', () => {
  const t = open();
  t.ws.serverClose(1011, '', false);
  assert.deepEqual(reportsAfterReconnect(t).map((r) => [r.cause, r.code]), [['server_close', 1011]]);
});

test('heartbeat_timeout: our own dead-server deadline, code 4000', () => {
  const t = open(); // interval 1000 + timeout 500, nothing answers
  t.clock.advance(1500);
  assert.equal(t.client.state, 'reconnecting');
  assert.equal(t.client.stats.lastDisconnect.cause, 'heartbeat_timeout');
  assert.deepEqual(reportsAfterReconnect(t), [{ type: 'disconnect_report', cause: 'heartbeat_timeout', code: 4000, downtimeMs: 500 }]);
});

test('network: 1006 without a close frame while visible and online', () => {
  const t = open();
  t.clock.advance(200);
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.stats.lastDisconnect.cause, 'network');
  assert.deepEqual(reportsAfterReconnect(t), [{ type: 'disconnect_report', cause: 'network', code: 1006, downtimeMs: 500 }]);
});

test('offline when it dropped: beats network', () => {
  const t = open();
  t.env.goOffline(); // the open socket is left to itself ...
  t.ws.serverClose(1006, '', false); // ... and dies
  assert.equal(t.client.state, 'offline');
  assert.equal(t.client.stats.lastDisconnect.cause, 'offline');
  t.clock.advance(7000);
  t.env.goOnline(); // an attempt at once
  assert.deepEqual(t.welcome().reports, [{ type: 'disconnect_report', cause: 'offline', code: 1006, downtimeMs: 7000 }]);
});

test('offline during the outage turns a network loss into offline (stats too, from the welcome on)', () => {
  const t = open();
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.stats.lastDisconnect.cause, 'network');
  t.clock.advance(100);
  t.env.goOffline();
  t.clock.advance(2000);
  t.env.goOnline();
  const reports = t.welcome().reports;
  assert.deepEqual(reports.map((r) => [r.cause, r.code, r.downtimeMs]), [['offline', 1006, 2100]]);
  assert.equal(t.client.stats.lastDisconnect.cause, 'offline');
});

test('offline during the silence: a heartbeat verdict on coming back online is offline', () => {
  const t = open();
  t.live(100);
  t.env.goOffline(); // the laptop sleeps: nothing runs, nothing comes back
  t.clock.jump(2000);
  t.env.goOnline(); // long silence: a probe goes out now ...
  assert.equal(t.client.state, 'open');
  t.clock.advance(500); // ... and is not answered in time
  assert.equal(t.client.stats.lastDisconnect.cause, 'offline');
  assert.equal(t.client.stats.lastDisconnect.code, 4000);
});

test('hidden when it dropped: a close while the page is hidden', () => {
  const t = open();
  t.env.hide();
  t.ws.serverClose(1006, '', false);
  assert.equal(t.client.stats.lastDisconnect.cause, 'hidden');
  t.env.show(); // reconnects at once
  assert.deepEqual(t.welcome().reports.map((r) => [r.cause, r.code]), [['hidden', 1006]]);
});

test('hidden: a heartbeat that went out hidden and was never answered is found dead on return', () => {
  const t = open();
  t.live(100);
  t.env.hide();
  t.clock.advance(1500); // a heartbeat goes out while hidden (t=1000); the server is gone
  assert.equal(t.client.state, 'reconnecting');
  assert.equal(t.client.stats.lastDisconnect.code, 4000);
  assert.equal(t.client.stats.lastDisconnect.cause, 'hidden');
  const sockets = t.sockets.length;
  t.env.show(); // the pending attempt is brought forward
  assert.equal(t.sockets.length, sockets + 1);
  assert.deepEqual(t.welcome().reports.map((r) => r.cause), ['hidden']);
});

test('hidden: the verdict at the visibilitychange itself (frozen tab) is hidden too', () => {
  const t = open();
  t.live(100);
  t.env.hide();
  t.clock.jump(60000); // frozen: nothing ran, no heartbeat went out
  t.env.show(); // probe goes out now
  assert.equal(t.client.state, 'open');
  t.clock.advance(500); // not answered within heartbeatTimeout
  assert.equal(t.client.state, 'reconnecting');
  assert.equal(t.client.stats.lastDisconnect.cause, 'hidden', 'the page was hidden during the silence judged');
});

test('a heartbeat timeout long after the page was hidden and shown again is heartbeat_timeout', () => {
  const t = open();
  t.env.hide();
  t.env.show();
  t.live(5000); // frames keep arriving after the hidden spell
  t.clock.advance(1500);
  assert.equal(t.client.stats.lastDisconnect.cause, 'heartbeat_timeout');
});

test('client: drop() (code 4000) and reconnect() (code 1000)', () => {
  const t = open();
  t.client.drop();
  assert.equal(t.client.stats.lastDisconnect.cause, 'client');
  assert.deepEqual(reportsAfterReconnect(t).map((r) => [r.cause, r.code]), [['client', 4000]]);
  t.clock.advance(300);
  t.client.reconnect();
  assert.deepEqual(t.welcome().reports, [{ type: 'disconnect_report', cause: 'client', code: 1000, downtimeMs: 0 }]);
});

test('client beats offline: the application chose the loss', () => {
  const t = open();
  t.env.goOffline();
  t.client.drop();
  assert.equal(t.client.state, 'offline');
  t.env.goOnline();
  assert.deepEqual(t.welcome().reports.map((r) => r.cause), ['client']);
});

test('one report per reconnect, about the loss: failed attempts in between neither add nor change one', () => {
  const t = setup({ connectTimeout: 1000 });
  t.client.connect();
  t.welcome();
  t.clock.advance(100);
  t.ws.serverClose(1012, 'restart', true); // the loss
  untilNextSocket(t);
  t.ws.serverClose(1006, '', false); // refused: never opened
  untilNextSocket(t);
  t.clock.advance(1000); // connect timeout
  assert.equal(t.client.stats.lastDisconnect.cause, 'connect_timeout', 'while reconnecting: the latest failure');
  untilNextSocket(t);
  const downtime = t.clock.t - 100;
  const ws = t.welcome();
  assert.deepEqual(ws.reports, [{ type: 'disconnect_report', cause: 'server_close', code: 1012, downtimeMs: downtime }]);
  assert.equal(t.client.stats.queued, 0, 'never queued');
  const last = t.client.stats.lastDisconnect;
  assert.deepEqual([last.cause, last.code, last.reason], ['server_close', 1012, 'restart'], 'from the welcome on: the reported loss');
  assert.equal(t.client.stats.downtimeMs, downtime);
  // the next reconnect reports its own loss only
  t.live(100);
  ws.serverClose(1006, '', false);
  untilNextSocket(t);
  assert.deepEqual(t.welcome().reports.map((r) => [r.cause, r.code]), [['network', 1006]]);
  assert.equal(t.sockets.filter((s) => s.reports.length > 0).length, 2);
});

test('a socket that opened but never got its welcome does not end the outage or send a report', () => {
  const t = open();
  t.ws.serverClose(1001, '', true);
  untilNextSocket(t);
  t.ws.serverOpen();
  t.ws.serverClose(1006, '', false); // lost before the welcome
  assert.deepEqual(t.ws.reports, []);
  untilNextSocket(t);
  assert.deepEqual(t.welcome().reports.map((r) => [r.cause, r.code]), [['server_close', 1001]]);
});

test('order after the welcome: heartbeat, report, re-subscribes (with since), queued sends, then open handlers', () => {
  const t = setup();
  t.client.subscribe('feed', () => {});
  t.client.on('open', ({ reconnected }) => {
    if (reconnected) t.client.send('from open');
  });
  t.client.connect();
  t.welcome();
  t.ws.serverSend({ type: 'subscribed', topic: 'feed', epoch: 'e1', seq: 3 });
  t.ws.serverClose(1006, '', false);
  t.client.send('queued');
  untilNextSocket(t);
  const ws = t.welcome();
  assert.deepEqual(ws.frames.map((f) => (typeof f === 'string' ? f : f.type)), [
    'heartbeat', 'disconnect_report', 'subscribe', 'queued', 'from open',
  ]);
});

test('downtimeMs is monotonic: a wall-clock jump during the outage does not change it', () => {
  const t = open();
  t.ws.serverClose(1006, '', false);
  t.clock.wallSkew = -3_600_000; // the wall clock is set back an hour meanwhile
  assert.deepEqual(reportsAfterReconnect(t).map((r) => r.downtimeMs), [500]);
});

test('disconnectCause: the precedence table', () => {
  const rows = [
    // observed, offline, hidden -> cause
    ['client', true, true, 'client'],
    ['server_close', true, true, 'server_close'],
    ['network', true, true, 'offline'],
    ['heartbeat_timeout', true, false, 'offline'],
    ['network', false, true, 'hidden'],
    ['heartbeat_timeout', false, true, 'hidden'],
    ['network', false, false, 'network'],
    ['heartbeat_timeout', false, false, 'heartbeat_timeout'],
    ['hidden', true, false, 'offline'],
    ['offline', false, true, 'offline'],
    ['connect_timeout', false, false, 'connect_timeout'],
  ];
  for (const [observed, offline, hidden, expected] of rows) {
    assert.equal(disconnectCause(observed, { offline, hidden }), expected, `${observed} offline=${offline} hidden=${hidden}`);
  }
  assert.deepEqual([...REPORT_CAUSES].sort(), ['client', 'heartbeat_timeout', 'hidden', 'network', 'offline', 'server_close']);
  assert.ok(!REPORT_CAUSES.includes(Cause.CONNECT_TIMEOUT), 'an attempt that never opened is not a lost connection');
});
