import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, encodeFrame, parseCloseReason } from '../src/protocol.js';

test('decodeFrame: JSON objects parsed, everything else left as is', () => {
  const table = [
    ['{"type":"time","seq":1}', { type: 'time', seq: 1 }],
    ['{"no":"type"}', { no: 'type' }],
    ['hello', 'hello'],
    ['42', '42'], // only text starting with { is parsed
    ['[1,2]', '[1,2]'],
    ['{broken', '{broken'],
    ['', ''],
  ];
  for (const [input, expected] of table) assert.deepEqual(decodeFrame(input), expected, input);
  const buf = new ArrayBuffer(2);
  assert.equal(decodeFrame(buf), buf);
});

test('encodeFrame: objects JSON-encoded, strings and binary as is', () => {
  assert.equal(encodeFrame({ type: 'x', n: 1 }), '{"type":"x","n":1}');
  assert.equal(encodeFrame('plain'), 'plain');
  assert.equal(encodeFrame([1, 2]), '[1,2]');
  assert.equal(encodeFrame(7), '7');
  const bytes = new Uint8Array([1, 2]);
  assert.equal(encodeFrame(bytes), bytes);
  assert.throws(() => encodeFrame(undefined), TypeError);
});

test('parseCloseReason: JSON object reasons with retryAfterMs, else plain text', () => {
  const table = [
    ['{"reason":"shutdown","retryAfterMs":5000}', 'shutdown', 5000],
    ['{"message":"bye","retryAfterMs":0}', 'bye', 0],
    ['{"retryAfterMs":-5}', '{"retryAfterMs":-5}', null],
    ['{"retryAfterMs":"5000"}', '{"retryAfterMs":"5000"}', null],
    ['{not json', '{not json', null],
    ['server shutdown', 'server shutdown', null],
    [' {"retryAfterMs":5}', ' {"retryAfterMs":5}', null], // must start with {
    ['', '', null],
  ];
  for (const [input, text, retry] of table) {
    const r = parseCloseReason(input);
    assert.equal(r.text, text, input);
    assert.equal(r.retryAfterMs, retry, input);
  }
  assert.equal(parseCloseReason(undefined).text, '');
});
