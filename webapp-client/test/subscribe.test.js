import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';
import { isValidTopic } from '../src/pulse-client.js';

/** The client's frames other than heartbeats, JSON-parsed where possible. */
function userFrames(ws) {
  return ws.userFrames.map((s) => {
    try {
      return JSON.parse(s);
    } catch {
      return s;
    }
  });
}

const sub = (topic, presence = false) => ({ type: 'subscribe', topic, presence });
const unsub = (topic) => ({ type: 'unsubscribe', topic });
const topicMessage = (topic, data, seq) => ({ type: 'message', topic, data, seq });

/** Advances the fake clock until the client has made its next socket (the backoff wait is over). */
function untilNextSocket(t) {
  const count = t.sockets.length;
  for (let waited = 0; t.sockets.length === count; waited += 10) {
    assert.ok(waited < 60000, 'no reconnect attempt within 60 s');
    t.clock.advance(10);
  }
}

/** Collects what `queueMicrotask` is given while `fn` runs, instead of letting errors escape. */
function withMicrotasksCaptured(fn) {
  const original = globalThis.queueMicrotask;
  const tasks = [];
  globalThis.queueMicrotask = (task) => tasks.push(task);
  try {
    fn();
  } finally {
    globalThis.queueMicrotask = original;
  }
  return tasks;
}

test('subscribe before connect: sent after the welcome, before the queued sends', () => {
  const t = setup();
  t.client.subscribe('news', () => {});
  t.client.subscribe('room-1', () => {}, { presence: true });
  t.client.send({ type: 'message', topic: 'room-1', data: 'hi' });
  t.client.connect();
  t.ws.serverOpen();
  assert.deepEqual(userFrames(t.ws), [], 'nothing before the welcome');
  t.welcome();
  assert.deepEqual(userFrames(t.ws), [
    sub('news'), sub('room-1', true), { type: 'message', topic: 'room-1', data: 'hi' },
  ]);
  assert.deepEqual(t.client.topics, ['news', 'room-1']);
});

test('subscribe while open goes out at once; never queued (no duplicate on the next welcome)', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  t.client.subscribe('news', () => {});
  assert.deepEqual(userFrames(ws), [sub('news')]);
  assert.equal(t.client.stats.queued, 0);
  ws.serverClose(1006, '', false);
  t.client.subscribe('later', () => {}); // while reconnecting: remembered, not queued
  assert.equal(t.client.stats.queued, 0);
  t.clock.advance(500);
  const ws2 = t.welcome();
  assert.deepEqual(userFrames(ws2), [sub('news'), sub('later')]);
});

test('resubscribe after every reconnect, before queued sends and before open/state handlers', () => {
  const t = setup();
  const seen = [];
  t.client.subscribe('a', (data) => seen.push(data), { presence: true });
  t.client.subscribe('b', (data) => seen.push(data));
  t.client.on('open', ({ reconnected }) => {
    if (reconnected) t.client.send('from open handler');
  });
  t.client.connect();
  t.welcome();
  for (let i = 1; i <= 3; i++) {
    t.ws.serverClose(i === 2 ? 1001 : 1006, '', i === 2);
    t.client.send(`queued ${i}`);
    untilNextSocket(t);
    const ws = t.welcome();
    assert.deepEqual(userFrames(ws), [sub('a', true), sub('b'), `queued ${i}`, 'from open handler'], `reconnect ${i}`);
    ws.serverSend(topicMessage('a', i, 1));
  }
  assert.deepEqual(seen, [1, 2, 3], 'delivery resumes on the new session');
  assert.equal(t.client.stats.reconnects, 3);
});

test('close() and connect() again: the subscriptions come back', () => {
  const t = setup();
  t.client.subscribe('news', () => {});
  t.client.connect();
  t.welcome();
  t.client.close();
  t.client.connect();
  const ws = t.welcome();
  assert.deepEqual(userFrames(ws), [sub('news')]);
});

test('topic messages go to their handlers as (data, message), not to the message event', () => {
  const t = setup();
  const got = [];
  t.client.subscribe('orders', (data, message) => got.push([data, message]));
  t.client.connect();
  const ws = t.welcome();
  ws.serverSend(topicMessage('orders', { id: 42 }, 7));
  ws.serverSend({ type: 'message', data: 'maintenance at 18:00', seq: 3 }); // broadcast
  ws.serverSend({ type: 'message', data: { hello: 'you' } }); // to this session
  ws.serverSend(topicMessage('other', 'x', 1)); // subscribed by hand, not through subscribe()
  assert.deepEqual(got, [[{ id: 42 }, { type: 'message', topic: 'orders', data: { id: 42 }, seq: 7 }]]);
  assert.deepEqual(t.named('message'), [
    { type: 'message', data: 'maintenance at 18:00', seq: 3 },
    { type: 'message', data: { hello: 'you' } },
    { type: 'message', topic: 'other', data: 'x', seq: 1 },
  ]);
});

test('several handlers share a topic; the last one gone unsubscribes; off() twice is harmless', () => {
  const t = setup();
  const got = [];
  t.client.connect();
  const ws = t.welcome();
  const offA = t.client.subscribe('t', (d) => got.push(`a${d}`));
  const offB = t.client.subscribe('t', (d) => got.push(`b${d}`));
  assert.deepEqual(userFrames(ws), [sub('t')], 'the second handler sends nothing');
  ws.serverSend(topicMessage('t', 1, 1));
  offA();
  offA();
  assert.deepEqual(userFrames(ws), [sub('t')]);
  ws.serverSend(topicMessage('t', 2, 2));
  offB();
  assert.deepEqual(userFrames(ws), [sub('t'), unsub('t')]);
  ws.serverSend(topicMessage('t', 3, 3));
  assert.deepEqual(got, ['a1', 'b1', 'b2']);
  assert.deepEqual(t.client.topics, []);
});

test('unsubscribe stops delivery (in-flight messages dropped) and is not re-sent after a reconnect', () => {
  const t = setup();
  const got = [];
  t.client.subscribe('news', (d) => got.push(['news', d]));
  t.client.subscribe('keep', (d) => got.push(['keep', d]));
  t.client.connect();
  const ws = t.welcome();
  assert.equal(t.client.unsubscribe('news'), true);
  assert.equal(t.client.unsubscribe('news'), false, 'already gone');
  assert.deepEqual(userFrames(ws).at(-1), unsub('news'));
  ws.serverSend(topicMessage('news', 'published before the server saw the unsubscribe', 5));
  ws.serverSend({ type: 'unsubscribed', topic: 'news' });
  ws.serverSend(topicMessage('keep', 1, 1));
  assert.deepEqual(got, [['keep', 1]]);
  assert.deepEqual(t.named('message'), [], 'the dropped message is not passed on');
  assert.deepEqual(t.named('unsubscribed'), [{ type: 'unsubscribed', topic: 'news' }]);

  ws.serverClose(1006, '', false);
  t.clock.advance(500);
  const ws2 = t.welcome();
  assert.deepEqual(userFrames(ws2), [sub('keep')]);
});

test('unsubscribe while disconnected: nothing written, and the next session does not get it', () => {
  const t = setup();
  const off = t.client.subscribe('news', () => {});
  t.client.connect();
  const ws = t.welcome();
  ws.serverClose(1006, '', false);
  off();
  assert.deepEqual(userFrames(ws), [sub('news')]);
  t.clock.advance(500);
  const ws2 = t.welcome();
  assert.deepEqual(userFrames(ws2), []);
});

test('subscribe again right after unsubscribe: the new handler gets the topic', () => {
  const t = setup();
  const got = [];
  t.client.connect();
  const ws = t.welcome();
  t.client.subscribe('t', (d) => got.push(`old ${d}`));
  t.client.unsubscribe('t');
  t.client.subscribe('t', (d) => got.push(`new ${d}`));
  assert.deepEqual(userFrames(ws), [sub('t'), unsub('t'), sub('t')]);
  ws.serverSend(topicMessage('t', 1, 1));
  assert.deepEqual(got, ['new 1']);
});

test('presence: member list in subscribed, join/leave as presence events', () => {
  const t = setup();
  t.client.subscribe('room-1', () => {}, { presence: true });
  t.client.connect();
  const ws = t.welcome({ sessionId: '3' });
  assert.deepEqual(userFrames(ws), [sub('room-1', true)]);
  const subscribed = { type: 'subscribed', topic: 'room-1', members: [{ sessionId: '3' }, { sessionId: '7', user: 'ann' }] };
  ws.serverSend(subscribed);
  const join = { type: 'presence', topic: 'room-1', event: 'join', member: { sessionId: '9' } };
  const leave = { type: 'presence', topic: 'room-1', event: 'leave', member: { sessionId: '7', user: 'ann' } };
  ws.serverSend(join);
  ws.serverSend(leave);
  assert.deepEqual(t.named('subscribed'), [subscribed]);
  assert.deepEqual(t.named('presence'), [join, leave]);
  assert.deepEqual(t.named('message'), [], 'protocol answers are not application messages');
});

test('presence is on while any handler of the topic asked for it; changes re-send subscribe', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  const offPlain = t.client.subscribe('room', () => {});
  const offPresence = t.client.subscribe('room', () => {}, { presence: true });
  t.client.subscribe('room', () => {}, { presence: true }); // already on: nothing to send
  assert.deepEqual(userFrames(ws), [sub('room'), sub('room', true)]);
  offPlain();
  assert.equal(userFrames(ws).length, 2, 'presence still wanted by the others');
  offPresence();
  assert.equal(userFrames(ws).length, 2, 'one presence handler left');
  t.client.unsubscribe('room');
  t.client.subscribe('room', () => {}, { presence: true });
  const offLast = t.client.subscribe('room', () => {});
  assert.deepEqual(userFrames(ws).slice(2), [unsub('room'), sub('room', true)]);
  t.client.unsubscribe('room');
  offLast(); // removed with the topic already: harmless
  assert.deepEqual(userFrames(ws).slice(4), [unsub('room')]);
});

test('a presence handler removed while others stay: presence goes off on the server too', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  t.client.subscribe('room', () => {});
  const off = t.client.subscribe('room', () => {}, { presence: true });
  off();
  assert.deepEqual(userFrames(ws), [sub('room'), sub('room', true), sub('room', false)]);
});

test('invalid topics, handlers and options throw TypeError and send nothing', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  const bad = ['', 'a b', 'ü', 'x'.repeat(101), 'room#1', 'a\n', null, undefined, 42, {}];
  for (const topic of bad) {
    assert.throws(() => t.client.subscribe(topic, () => {}), TypeError, `subscribe(${String(topic)})`);
    assert.throws(() => t.client.unsubscribe(topic), TypeError, `unsubscribe(${String(topic)})`);
    assert.equal(isValidTopic(topic), false);
  }
  assert.throws(() => t.client.subscribe('ok', 'not a function'), TypeError);
  assert.throws(() => t.client.subscribe('ok', () => {}, { presence: 'yes' }), TypeError);
  assert.throws(() => t.client.subscribe('a b', () => {}), /topic must be 1 to 100 characters/);
  assert.deepEqual(userFrames(ws), []);
  assert.deepEqual(t.client.topics, []);
  for (const topic of ['x'.repeat(100), 'a-b_c.d:e/f@g', 'Room-9', '1']) {
    assert.equal(isValidTopic(topic), true, topic);
    t.client.subscribe(topic, () => {});
  }
  assert.equal(userFrames(ws).length, 4);
});

test('a throwing handler: the other handlers still run, the error is rethrown in a microtask, the client carries on', () => {
  const t = setup();
  const got = [];
  t.client.subscribe('t', () => {
    throw new Error('handler bug');
  });
  t.client.subscribe('t', (d) => got.push(d));
  t.client.on('presence', () => {
    throw new Error('presence handler bug');
  });
  t.client.connect();
  const ws = t.welcome();
  const tasks = withMicrotasksCaptured(() => {
    ws.serverSend(topicMessage('t', 1, 1));
    ws.serverSend({ type: 'presence', topic: 't', event: 'join', member: { sessionId: '2' } });
    ws.serverSend(topicMessage('t', 2, 2));
  });
  assert.deepEqual(got, [1, 2]);
  assert.equal(tasks.length, 3);
  assert.throws(tasks[0], /handler bug/);
  assert.throws(tasks[1], /presence handler bug/);
  assert.equal(t.client.state, 'open');
  t.live(3000); // heartbeats and acks go on
  assert.equal(t.client.state, 'open');
  assert.equal(t.sockets.length, 1);
  t.client.subscribe('u', () => {});
  assert.deepEqual(userFrames(ws).at(-1), sub('u'));
});

test('a handler may unsubscribe during delivery: handlers removed meanwhile are not called', () => {
  const t = setup();
  const got = [];
  t.client.subscribe('t', (d) => {
    got.push(`first ${d}`);
    t.client.unsubscribe('t');
  });
  t.client.subscribe('t', (d) => got.push(`second ${d}`));
  t.client.connect();
  const ws = t.welcome();
  ws.serverSend(topicMessage('t', 1, 1));
  ws.serverSend(topicMessage('t', 2, 2));
  assert.deepEqual(got, ['first 1']);
  assert.deepEqual(userFrames(ws), [sub('t'), unsub('t')]);
});

test('a subscribe that finds the socket dead is not lost: the next session gets it', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.clock.jump(5000); // nothing heard for longer than interval + timeout; a probe goes out
  t.client.subscribe('late', () => {});
  t.clock.jump(1000); // the probe got no answer either
  t.client.subscribe('later', () => {});
  assert.equal(t.client.state, 'reconnecting');
  untilNextSocket(t);
  const ws = t.welcome();
  assert.deepEqual(userFrames(ws), [sub('late'), sub('later')]);
});
