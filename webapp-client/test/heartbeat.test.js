import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';

test('welcome timing is adopted: defaults 25000/10000 before it, the server\'s after it', () => {
  const t = setup();
  t.client.connect();
  t.ws.serverOpen();
  assert.equal(t.client.heartbeatInterval, 25000);
  assert.equal(t.client.heartbeatTimeout, 10000);
  t.clock.advance(24999);
  assert.equal(t.ws.heartbeats.length, 0, 'no heartbeat before the default interval');
  t.welcome({ heartbeatInterval: 2000, heartbeatTimeout: 700 });
  assert.equal(t.client.heartbeatInterval, 2000);
  assert.equal(t.client.heartbeatTimeout, 700);
  assert.equal(t.ws.heartbeats.length, 1, 'one heartbeat at once on welcome');
  t.live(6000);
  assert.equal(t.ws.heartbeats.length, 4, 'then one every 2000 ms');
  assert.equal(t.client.state, 'open');
});

test('heartbeats carry a unique numeric ts and go out every heartbeatInterval', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(3000);
  const ts = t.ws.heartbeats.map((h) => h.ts);
  assert.equal(ts.length, 4); // t=0, 1000, 2000, 3000
  assert.ok(ts.every((x) => Number.isInteger(x)));
  assert.equal(new Set(ts).size, ts.length);
  assert.deepEqual(Object.keys(t.ws.heartbeats[0]), ['type', 'ts']);
});

test('silent server: closed with 4000 after heartbeatInterval + heartbeatTimeout, then reconnect', () => {
  const t = setup();
  t.client.connect();
  const first = t.welcome(); // interval 1000, timeout 500; heartbeat at t=0 never answered
  t.clock.advance(1499);
  assert.equal(t.client.state, 'open');
  assert.equal(first.closedWith, null);
  t.clock.advance(1);
  assert.equal(t.client.state, 'reconnecting');
  assert.deepEqual(first.closedWith, { code: 4000, reason: 'heartbeat timeout' });
  assert.equal(first.onmessage, null, 'handlers detached at once, no wait for the close handshake');
  const last = t.client.stats.lastDisconnect;
  assert.equal(last.code, 4000);
  assert.equal(last.cause, 'heartbeat_timeout');
  assert.equal(last.wasClean, false);
  assert.deepEqual(t.named('close').at(-1), { code: 4000, reason: 'heartbeat timeout', wasClean: false });
  t.clock.advance(499);
  assert.equal(t.sockets.length, 1);
  t.clock.advance(1); // backoff: 0.5 * 1000
  assert.equal(t.sockets.length, 2);
  t.welcome();
  assert.equal(t.client.state, 'open');
});

test('every inbound frame of any kind refreshes the deadline', () => {
  const t = setup();
  t.client.connect();
  t.welcome(); // nothing below answers a heartbeat
  const frames = [
    { type: 'time', serverTime: t.clock.serverTime, iso: 'x', seq: 1 },
    'plain text frame',
    { type: 'error', code: 'bad_message', message: 'nope' },
    { type: 'custom', n: 1 },
    { no: 'type' },
  ];
  for (const frame of frames) {
    t.clock.advance(1400); // just under 1500 of silence each time
    assert.equal(t.client.state, 'open');
    t.ws.serverSend(frame);
  }
  t.clock.advance(1499);
  assert.equal(t.client.state, 'open');
  assert.equal(t.sockets.length, 1);
  t.clock.advance(1);
  assert.equal(t.client.state, 'reconnecting');
  assert.equal(t.client.stats.lastDisconnect.cause, 'heartbeat_timeout');
});

test('answered heartbeats keep the connection up indefinitely', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(60000);
  assert.equal(t.client.state, 'open');
  assert.equal(t.sockets.length, 1);
  assert.equal(t.client.stats.lastDisconnect, null);
});

test('throttled tab: timers firing late do not by themselves count as server silence', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(100); // first heartbeat answered
  // Hidden tab: timers stall for a minute; the server is fine but we sent nothing to answer.
  t.env.hide();
  t.clock.jump(60000);
  t.clock.runDue(); // overdue heartbeat and deadline fire together, long past the deadline
  assert.equal(t.client.state, 'open', 'not judged dead for our own late heartbeat');
  const probes = t.ws.heartbeats.length;
  t.clock.advance(50);
  t.ackAll(); // the server answers the late heartbeat in time
  t.live(10000);
  assert.equal(t.client.state, 'open');
  assert.equal(t.sockets.length, 1);
  assert.ok(probes >= 2);
});

test('throttled tab: frames that arrived meanwhile count, even if the deadline timer fires late', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(100);
  t.clock.jump(5000);
  t.ws.serverSend({ type: 'time', serverTime: t.clock.serverTime, iso: 'x', seq: 1 }); // events still arrive
  t.clock.jump(1000);
  t.clock.runDue();
  assert.equal(t.client.state, 'open');
});

test('tab returns: a heartbeat unanswered past the deadline is caught at once', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(100);
  t.env.hide();
  t.clock.jump(900);
  t.clock.runDue(); // throttled heartbeat goes out at t=1000; the socket is dead, no answer comes
  assert.equal(t.ws.heartbeats.length, 2);
  t.clock.jump(59000); // no timer fires while hidden
  const dead = t.ws;
  t.env.show();
  assert.deepEqual(dead.closedWith, { code: 4000, reason: 'heartbeat timeout' });
  assert.equal(t.sockets.length, 2, 'and a new attempt starts at once on becoming visible');
  assert.equal(t.client.state, 'reconnecting');
});

test('tab returns after a freeze: probe at once, verdict heartbeatTimeout later', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(100);
  t.env.hide();
  t.clock.jump(120000); // frozen: nothing ran, no heartbeat went out
  const before = t.ws.heartbeats.length;
  t.env.show();
  assert.equal(t.ws.heartbeats.length, before + 1, 'probe sent on becoming visible');
  assert.equal(t.client.state, 'open');
  t.clock.advance(499);
  assert.equal(t.client.state, 'open');
  t.clock.advance(1);
  assert.equal(t.client.state, 'reconnecting', 'no answer within heartbeatTimeout: dead');
});

test('tab returns after a freeze, socket healthy: the answer to the probe keeps it', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(100);
  t.env.hide();
  t.clock.jump(120000);
  t.env.show();
  t.clock.advance(30);
  t.ackAll();
  t.live(5000);
  assert.equal(t.client.state, 'open');
  assert.equal(t.sockets.length, 1);
});

test('online event with an open socket probes it like visibility does', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.live(100);
  const before = t.ws.heartbeats.length;
  t.env.goOnline();
  assert.equal(t.ws.heartbeats.length, before + 1);
  t.clock.advance(20);
  t.ackAll();
  assert.equal(t.client.state, 'open');
});

test('the deadline is checked on every send: a dead socket is found and the message queued', () => {
  const t = setup();
  t.client.connect();
  const dead = t.welcome(); // heartbeat at t=0 never answered
  t.clock.jump(2000); // past the deadline, timers not run yet
  assert.equal(t.client.send({ type: 'x' }), false);
  assert.equal(t.client.state, 'reconnecting');
  assert.deepEqual(dead.closedWith, { code: 4000, reason: 'heartbeat timeout' });
  assert.deepEqual(dead.userFrames, []);
  assert.equal(t.client.stats.queued, 1);
});
