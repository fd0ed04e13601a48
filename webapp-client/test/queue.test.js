import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';

test('send while open goes out at once; objects JSON-encoded, strings as is', () => {
  const t = setup();
  t.client.connect();
  const ws = t.welcome();
  assert.equal(t.client.send({ type: 'hello', n: 1 }), true);
  assert.equal(t.client.send('raw text'), true);
  assert.deepEqual(ws.userFrames, ['{"type":"hello","n":1}', 'raw text']);
});

test('sends before the welcome are queued and flushed in order after it', () => {
  const t = setup();
  assert.equal(t.client.send('a'), false); // before connect()
  t.client.connect();
  t.client.send('b');
  t.ws.serverOpen();
  assert.equal(t.client.send('c'), false, 'socket open but no welcome yet');
  assert.deepEqual(t.ws.userFrames, []);
  assert.equal(t.client.stats.queued, 3);
  t.welcome();
  assert.deepEqual(t.ws.userFrames, ['a', 'b', 'c']);
  assert.equal(t.client.stats.queued, 0);
});

test('queue is bounded: oldest dropped and counted, the rest flushed in order on reconnect', () => {
  const t = setup({ queueSize: 3 });
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  for (const m of ['1', '2', '3', '4', '5']) assert.equal(t.client.send(m), false);
  assert.equal(t.client.stats.dropped, 2);
  assert.equal(t.client.stats.queued, 3);
  t.clock.advance(500);
  t.ws.serverOpen();
  assert.deepEqual(t.ws.userFrames, [], 'not flushed before the welcome');
  t.welcome();
  assert.deepEqual(t.ws.userFrames, ['3', '4', '5']);
  assert.equal(t.client.send('6'), true);
  assert.deepEqual(t.ws.userFrames, ['3', '4', '5', '6']);
});

test('queued messages go out before anything sent from state/open handlers', () => {
  const t = setup();
  t.client.on('open', () => t.client.send('from open handler'));
  t.client.send('queued');
  t.client.connect();
  t.welcome();
  assert.deepEqual(t.ws.userFrames, ['queued', 'from open handler']);
});

test('queueSize 0: nothing is kept, every offline send is counted as dropped', () => {
  const t = setup({ queueSize: 0 });
  t.client.send('x');
  t.client.send('y');
  assert.equal(t.client.stats.dropped, 2);
  assert.equal(t.client.stats.queued, 0);
});

test('close() keeps the queue for a later connect()', () => {
  const t = setup();
  t.client.connect();
  t.client.send('kept');
  t.client.close();
  t.client.connect();
  t.welcome();
  assert.deepEqual(t.ws.userFrames, ['kept']);
});

test('send() from a close handler is queued (state still reads open there) and flushed later', () => {
  const t = setup();
  const results = [];
  t.client.on('close', () => results.push(t.client.state, t.client.send('from close handler')));
  t.client.connect();
  t.welcome();
  t.ws.serverClose(1006, '', false);
  assert.deepEqual(results, ['open', false]);
  t.clock.advance(500);
  t.welcome();
  assert.deepEqual(t.ws.userFrames, ['from close handler']);
});
