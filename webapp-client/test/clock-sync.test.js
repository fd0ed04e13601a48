import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, WALL_BASE } from '../testing/fakes.js';

/** Acks the newest unanswered heartbeat as a server that stamps at `stampAt` (true time). */
function ack(t, stampDelay) {
  const hb = t.ws.heartbeats.at(-1);
  t.ws.serverSend({ type: 'heartbeat_ack', ts: hb.ts, serverTime: t.clock.serverTime - stampDelay });
}

test('RTT of each ack on the monotonic clock, rtt event', () => {
  const t = setup();
  t.client.connect();
  t.welcome(); // heartbeat at once
  t.clock.advance(40);
  ack(t, 20);
  assert.equal(t.client.stats.rtt, 40);
  assert.equal(t.named('rtt')[0].rtt, 40);
});

test('offset = serverTime - wall-clock midpoint; now() corrects a skewed local clock', () => {
  const t = setup();
  t.clock.wallSkew = -3000; // local wall clock 3 s behind the server
  t.client.connect();
  t.welcome();
  t.clock.advance(40);
  ack(t, 20); // server stamped halfway
  assert.equal(t.client.stats.clockOffset, 3000);
  assert.equal(t.client.now(), WALL_BASE + t.clock.t);
  t.clock.advance(1234);
  assert.equal(t.client.now(), WALL_BASE + t.clock.t);
});

test('now() uses the lowest-RTT sample among the recent 8', () => {
  const t = setup({ clockSamples: 8 });
  t.clock.wallSkew = -5000;
  t.client.connect();
  t.welcome({ heartbeatInterval: 1000, heartbeatTimeout: 900 });
  // [rtt, how long after sending the server stamped] — asymmetric trips skew the estimate
  const trips = [[300, 280], [40, 20], [200, 10], [500, 450], [120, 100], [90, 60], [400, 390], [250, 240]];
  for (const [rtt, stampAfter] of trips) {
    t.clock.advance(rtt);
    ack(t, rtt - stampAfter);
    t.clock.advance(1000 - rtt); // next heartbeat
  }
  // The 40 ms trip (stamped exactly mid-way) wins: offset 5000 exactly.
  assert.equal(t.client.stats.clockOffset, 5000);
  assert.equal(t.client.now(), WALL_BASE + t.clock.t);
  // Push it out of the window with 8 slower, skewed samples; the best of those wins.
  for (let i = 0; i < 8; i++) {
    const rtt = 100 + i * 10;
    t.clock.advance(rtt);
    ack(t, 0); // server stamped on arrival: offset too high by rtt/2
    t.clock.advance(1000 - rtt);
  }
  assert.equal(t.client.stats.clockOffset, 5000 + 50); // rtt 100 sample: 100/2 too high
});

test('before any ack: coarse offset from welcome, then from time pushes', () => {
  const t = setup();
  t.clock.wallSkew = 7000; // local clock ahead
  assert.equal(t.client.stats.clockOffset, null);
  t.client.connect();
  t.welcome();
  assert.equal(t.client.stats.clockOffset, -7000);
  assert.equal(t.client.now(), WALL_BASE + t.clock.t);
  t.clock.advance(10);
  t.ws.serverSend({ type: 'time', serverTime: t.clock.serverTime - 5, iso: 'x', seq: 1 });
  assert.equal(t.client.stats.clockOffset, -7005);
  const time = t.named('time')[0];
  assert.deepEqual(time, { type: 'time', serverTime: t.clock.serverTime - 5, iso: 'x', seq: 1 });
});

test('acks that do not match a pending heartbeat are ignored', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.ws.serverSend({ type: 'heartbeat_ack', ts: 12345, serverTime: 1 });
  assert.equal(t.client.stats.rtt, null);
  assert.equal(t.named('rtt').length, 0);
});
