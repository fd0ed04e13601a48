import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup } from '../testing/fakes.js';

test('server error frame: error event, connection stays open', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.ws.serverSend({ type: 'error', code: 'bad_message', message: 'unknown type' });
  assert.deepEqual(t.named('error'), [{ type: 'error', code: 'bad_message', message: 'unknown type' }]);
  assert.equal(t.client.state, 'open');
});

test('other typed JSON -> message with the object; non-JSON -> message with the string', () => {
  const t = setup();
  t.client.connect();
  t.welcome();
  t.ws.serverSend({ type: 'news', id: 7 });
  t.ws.serverSend('just text');
  t.ws.serverSend('{broken json');
  assert.deepEqual(t.named('message'), [{ type: 'news', id: 7 }, 'just text', '{broken json']);
});

test('open event carries the session id; sessionId kept on the client', () => {
  const t = setup();
  t.client.connect();
  t.welcome({ sessionId: 'abc' });
  assert.equal(t.named('open')[0].sessionId, 'abc');
  assert.equal(t.client.sessionId, 'abc');
});

test('welcome with another protocol version: error event, client carries on', () => {
  const t = setup();
  t.client.connect();
  t.welcome({ protocol: 2 });
  assert.equal(t.named('error')[0].code, 'unsupported_protocol');
  assert.equal(t.client.state, 'open');
});

test('state events carry previous state; on() returns an unsubscribe', () => {
  const t = setup();
  const seen = [];
  const off = t.client.on('state', (e) => seen.push(`${e.previous}->${e.state}`));
  t.client.connect();
  t.welcome();
  off();
  off(); // harmless twice
  t.client.close();
  assert.deepEqual(seen, ['closed->connecting', 'connecting->open']);
});

test('constructor validates options and needs a WebSocket', () => {
  assert.throws(() => setup({ minDelay: -1 }), RangeError);
  assert.throws(() => setup({ heartbeatInterval: 0 }), RangeError);
  assert.throws(() => setup({ factor: 0.5 }), RangeError);
  assert.throws(() => setup({ WebSocket: null }), TypeError);
});
