import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClockSync } from '../src/clock.js';

test('ClockSync: offset of the lowest-RTT sample among the last N', () => {
  const clock = new ClockSync(3);
  assert.equal(clock.offset, null);
  clock.setCoarse(100);
  assert.equal(clock.offset, 100, 'coarse offset until the first sample');
  clock.addSample({ rtt: 50, offset: 10 });
  assert.equal(clock.offset, 10);
  clock.addSample({ rtt: 20, offset: 20 });
  clock.addSample({ rtt: 80, offset: 30 });
  assert.equal(clock.offset, 20);
  clock.addSample({ rtt: 90, offset: 40 }); // evicts rtt 50
  assert.equal(clock.offset, 20);
  clock.addSample({ rtt: 90, offset: 50 }); // evicts rtt 20: best is now rtt 80
  assert.equal(clock.offset, 30);
  clock.setCoarse(999);
  assert.equal(clock.offset, 30, 'coarse is ignored once samples exist');
});

test('ClockSync.measure: offset = serverTime - (send wall time + rtt/2)', () => {
  const clock = new ClockSync(8);
  const s = clock.measure(1000, 40, 6020);
  assert.deepEqual(s, { rtt: 40, offset: 5000 });
});
