// Resume after reconnect: since on re-subscribe, replay and `recovered`, `gap`, duplicates,
// epochs. The fake socket plays the server (docs/protocol.md "subscribe", "gap").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';
import { TopicCursor } from '../src/resume.js';

const subscribeFrames = (ws) => ws.frames.filter((f) => f && f.type === 'subscribe');
const msg = (topic, seq, data = `m${seq}`) => ({ type: 'message', topic, data, seq });
const subscribed = (topic, epoch, seq, extra = {}) => ({ type: 'subscribed', topic, epoch, seq, ...extra });
const gap = (topic, epoch, seq, reason) => ({ type: 'gap', topic, epoch, seq, reason });

/** A client subscribed to `topic` (handler records data), connected, with the server's answer. */
function connected(topic = 'feed', answer = subscribed(topic, 'e1', 4), options = {}) {
  const t = setup();
  const got = [];
  const gaps = [];
  t.client.subscribe(topic, (data) => got.push(data), { onGap: (g) => gaps.push(g), ...options });
  t.client.connect();
  t.welcome();
  if (answer) t.ws.serverSend(answer);
  return { t, got, gaps };
}

/** Drops the connection without a close frame and lets the client reconnect; returns the new socket. */
function reconnect(t) {
  const count = t.sockets.length;
  t.ws.serverClose(1006, '', false);
  for (let waited = 0; t.sockets.length === count; waited += 10) {
    assert.ok(waited < 60000, 'no reconnect attempt within 60 s');
    t.clock.advance(10);
  }
  return t.welcome();
}

test('a fresh subscribe (never saw the topic) sends no since: before connect, while open, after reconnect', () => {
  const t = setup();
  t.client.subscribe('a', () => {});
  t.client.connect();
  const ws = t.welcome();
  t.client.subscribe('b', () => {});
  assert.deepEqual(subscribeFrames(ws), [
    { type: 'subscribe', topic: 'a', presence: false },
    { type: 'subscribe', topic: 'b', presence: false },
  ]);
  // no `subscribed` answer ever came: no epoch known, still nothing to resume from
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2).map((f) => f.since), [undefined, undefined]);
});

test('resume sends since with the epoch of subscribed and the highest seq seen', () => {
  const { t, got } = connected('feed', subscribed('feed', 'e1', 4));
  t.ws.serverSend(msg('feed', 5));
  t.ws.serverSend(msg('feed', 6));
  assert.deepEqual(got, ['m5', 'm6']);
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2), [{ type: 'subscribe', topic: 'feed', presence: false, since: { epoch: 'e1', seq: 6 } }]);
});

test('resume with no message seen since subscribing: since is the subscribed seq (the baseline)', () => {
  const { t } = connected('feed', subscribed('feed', 'e1', 41));
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2)[0].since, { epoch: 'e1', seq: 41 });
  ws2.serverSend(subscribed('feed', 'e1', 41, { recovered: 0 }));
  const ws3 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws3)[0].since, { epoch: 'e1', seq: 41 }, 'every reconnect resumes');
});

test('recovered: the n missed messages reach the handler in order, then the event; live ones follow', () => {
  const { t } = connected('feed', subscribed('feed', 'e1', 6));
  const order = [];
  t.client.subscribe('feed', (data) => order.push(`handler ${data}`));
  t.client.on('recovered', (e) => order.push(`recovered ${e.topic} ${e.count}`));
  t.client.on('subscribed', (e) => order.push(`subscribed ${e.recovered}`));
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2)[0].since, { epoch: 'e1', seq: 6 });
  ws2.serverSend(subscribed('feed', 'e1', 9, { recovered: 3 }));
  for (const seq of [7, 8, 9, 10]) ws2.serverSend(msg('feed', seq));
  assert.deepEqual(order, ['subscribed 3', 'handler m7', 'handler m8', 'handler m9', 'recovered feed 3', 'handler m10']);
  assert.deepEqual(t.named('recovered'), [{ topic: 'feed', count: 3 }]);
  assert.equal(t.client.stats.duplicates, 0);
});

test('recovered with nothing missed (count 0) comes right after subscribed', () => {
  const { t } = connected('feed', subscribed('feed', 'e1', 6));
  const ws2 = reconnect(t);
  ws2.serverSend(subscribed('feed', 'e1', 6, { recovered: 0 }));
  const names = t.events.map(([n]) => n).filter((n) => n === 'subscribed' || n === 'recovered');
  assert.deepEqual(names, ['subscribed', 'subscribed', 'recovered']);
  assert.deepEqual(t.named('recovered'), [{ topic: 'feed', count: 0 }]);
});

test('a replay cut short by another drop is not finished in the next session', () => {
  const { t, got } = connected('feed', subscribed('feed', 'e1', 6));
  const ws2 = reconnect(t);
  ws2.serverSend(subscribed('feed', 'e1', 9, { recovered: 3 }));
  ws2.serverSend(msg('feed', 7));
  const ws3 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws3)[0].since, { epoch: 'e1', seq: 7 }, 'resumes after the last one received');
  ws3.serverSend(subscribed('feed', 'e1', 9, { recovered: 2 }));
  ws3.serverSend(msg('feed', 8));
  assert.deepEqual(t.named('recovered'), [], 'not yet: one replayed message to go');
  ws3.serverSend(msg('feed', 9));
  assert.deepEqual(t.named('recovered'), [{ topic: 'feed', count: 2 }]);
  assert.deepEqual(got, ['m7', 'm8', 'm9']);
});

test('gap, reason history: onGap and the gap event, no replay; messages after gap.seq are new', () => {
  const { t, got, gaps } = connected('feed', subscribed('feed', 'e1', 4));
  t.ws.serverSend(msg('feed', 5));
  const order = [];
  t.client.on('gap', () => order.push('gap event'));
  t.client.subscribe('feed', () => {}, { onGap: () => order.push('onGap') });
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2)[0].since, { epoch: 'e1', seq: 5 });
  const notice = gap('feed', 'e1', 340, 'history');
  ws2.serverSend(notice);
  ws2.serverSend(subscribed('feed', 'e1', 340));
  assert.deepEqual(gaps, [notice], 'onGap gets the notice');
  assert.deepEqual(t.named('gap'), [notice]);
  assert.deepEqual(order, ['onGap', 'gap event'], 'handlers first, then the event');
  assert.deepEqual(t.named('recovered'), [], 'a gap is not a recovery');
  ws2.serverSend(msg('feed', 340)); // already in the reloaded state
  ws2.serverSend(msg('feed', 341));
  assert.deepEqual(got, ['m5', 'm341']);
  assert.equal(t.client.stats.duplicates, 1);
  const ws3 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws3)[0].since, { epoch: 'e1', seq: 341 });
});

test('gap, reason epoch (server restarted): the new epoch resets the position, low seqs are new again', () => {
  const { t, got, gaps } = connected('feed', subscribed('feed', 'e1', 100));
  t.ws.serverSend(msg('feed', 101));
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2)[0].since, { epoch: 'e1', seq: 101 });
  ws2.serverSend(gap('feed', 'e2', 0, 'epoch'));
  ws2.serverSend(subscribed('feed', 'e2', 0));
  ws2.serverSend(msg('feed', 1));
  ws2.serverSend(msg('feed', 2));
  assert.deepEqual(got, ['m101', 'm1', 'm2'], 'seq 1 and 2 of the new epoch are not duplicates');
  assert.equal(gaps.length, 1);
  assert.equal(gaps[0].reason, 'epoch');
  assert.deepEqual(t.named('gap').map((g) => [g.topic, g.reason, g.epoch, g.seq]), [['feed', 'epoch', 'e2', 0]]);
  assert.equal(t.client.stats.duplicates, 0);
  const ws3 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws3)[0].since, { epoch: 'e2', seq: 2 });
});

test('a new epoch in a plain subscribed (no gap) also resets the position to its seq', () => {
  const { t, got } = connected('feed', subscribed('feed', 'e1', 50));
  const ws2 = reconnect(t);
  ws2.serverSend(subscribed('feed', 'e9', 3)); // e.g. a server that answered without resuming
  ws2.serverSend(msg('feed', 3));
  ws2.serverSend(msg('feed', 4));
  assert.deepEqual(got, ['m4']);
  assert.equal(t.client.stats.duplicates, 1);
});

test('duplicates are dropped and counted: a repeated or older seq within the epoch', () => {
  const { t, got } = connected('feed', subscribed('feed', 'e1', 0));
  for (const seq of [1, 2, 2, 1, 3]) t.ws.serverSend(msg('feed', seq));
  assert.deepEqual(got, ['m1', 'm2', 'm3']);
  assert.equal(t.client.stats.duplicates, 2);
  assert.deepEqual(t.named('message'), [], 'a duplicate does not fall through to the message event');
  // a replay overlapping what was already delivered
  const ws2 = reconnect(t);
  ws2.serverSend(subscribed('feed', 'e1', 5, { recovered: 3 }));
  for (const seq of [3, 4, 5]) ws2.serverSend(msg('feed', seq));
  assert.deepEqual(got, ['m1', 'm2', 'm3', 'm4', 'm5']);
  assert.equal(t.client.stats.duplicates, 3);
  assert.deepEqual(t.named('recovered'), [{ topic: 'feed', count: 3 }], 'a duplicate still counts toward the replay');
});

test('messages without seq are delivered; a server without epochs turns resume off', () => {
  const { t, got } = connected('feed', { type: 'subscribed', topic: 'feed' });
  t.ws.serverSend({ type: 'message', topic: 'feed', data: 'a' });
  t.ws.serverSend(msg('feed', 1));
  t.ws.serverSend(msg('feed', 1));
  assert.deepEqual(got, ['a', 'm1', 'm1'], 'no epoch, no filtering');
  const ws2 = reconnect(t);
  assert.equal(subscribeFrames(ws2)[0].since, undefined);
});

test('a presence update while open carries no since; its subscribed does not move the position back', () => {
  const { t, got } = connected('room', subscribed('room', 'e1', 10));
  t.ws.serverSend(msg('room', 11));
  const off = t.client.subscribe('room', () => {}, { presence: true });
  assert.deepEqual(subscribeFrames(t.ws).at(-1), { type: 'subscribe', topic: 'room', presence: true });
  t.ws.serverSend(subscribed('room', 'e1', 11, { members: [] }));
  t.ws.serverSend(msg('room', 11));
  assert.deepEqual(got, ['m11']);
  off();
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2)[0], { type: 'subscribe', topic: 'room', presence: false, since: { epoch: 'e1', seq: 11 } });
});

test('unsubscribing forgets the position: subscribing again later is a fresh start', () => {
  const { t } = connected('feed', subscribed('feed', 'e1', 4));
  t.client.unsubscribe('feed');
  const ws2 = reconnect(t);
  assert.deepEqual(subscribeFrames(ws2), []);
  t.client.subscribe('feed', () => {});
  assert.deepEqual(subscribeFrames(ws2), [{ type: 'subscribe', topic: 'feed', presence: false }]);
  const ws3 = reconnect(t);
  assert.equal(subscribeFrames(ws3)[0].since, undefined, 'the old epoch is not resumed');
});

test('gap for a topic not subscribed through subscribe() is still an event; onGap must be a function', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  ws.serverSend(gap('by-hand', 'e1', 3, 'history'));
  assert.equal(t.named('gap').length, 1);
  assert.throws(() => t.client.subscribe('x', () => {}, { onGap: 'reload' }), TypeError);
  assert.deepEqual(t.client.topics, []);
});

test('a throwing onGap does not stop the other handlers or the event', () => {
  const { t } = connected('feed', subscribed('feed', 'e1', 1));
  const seen = [];
  t.client.subscribe('feed', () => {}, { onGap: () => seen.push('second') });
  const original = globalThis.queueMicrotask;
  const tasks = [];
  globalThis.queueMicrotask = (task) => tasks.push(task);
  try {
    t.client.subscribe('feed', () => {}, { onGap: () => { throw new Error('app bug'); } });
    const ws2 = reconnect(t);
    ws2.serverSend(gap('feed', 'e2', 0, 'epoch'));
  } finally {
    globalThis.queueMicrotask = original;
  }
  assert.deepEqual(seen, ['second']);
  assert.equal(t.named('gap').length, 1);
  assert.equal(tasks.length, 1, 'the error is rethrown in a microtask');
});

test('TopicCursor: the baseline rules in one table', () => {
  const c = new TopicCursor();
  assert.equal(c.since, null);
  assert.deepEqual(c.accept(7), { fresh: true, recovered: null }, 'no epoch: nothing filtered');
  c.subscribed({ epoch: 'e1', seq: 10 });
  assert.deepEqual(c.since, { epoch: 'e1', seq: 10 });
  assert.equal(c.accept(10).fresh, false);
  assert.equal(c.accept(11).fresh, true);
  c.subscribed({ epoch: 'e1', seq: 5 }); // same epoch, no recovered: never backwards
  assert.deepEqual(c.since, { epoch: 'e1', seq: 11 });
  assert.equal(c.subscribed({ epoch: 'e1', seq: 13, recovered: 2 }), null);
  assert.deepEqual(c.accept(12), { fresh: true, recovered: null });
  assert.deepEqual(c.accept(13), { fresh: true, recovered: 2 });
  c.gap({ epoch: 'e1', seq: 8 }); // the server's word wins, lower too
  assert.deepEqual(c.since, { epoch: 'e1', seq: 8 });
  c.gap({ epoch: 'e2', seq: 0 });
  assert.equal(c.accept(1).fresh, true);
  assert.equal(c.subscribed({ epoch: 'e2', seq: 1, recovered: 0 }), 0);
  assert.equal(c.subscribed({ epoch: 'e3', seq: 20, recovered: 5 }), null, 'a replay in an unknown epoch ends at its seq');
  assert.deepEqual(c.since, { epoch: 'e3', seq: 15 });
});
