import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CLOSE_POLICY, CloseCode, DEFAULTS, ErrorCode, MessageType, PROTOCOL_VERSION, PresenceEvent,
  GapReason, REPORT_CAUSES,
  TOPIC_PATTERN, TOPIC_RULE, closePolicy,
} from '../src/constants.js';
import * as entry from '../src/pulse-client.js';

test('close-code policy: the table the docs promise', () => {
  const expected = {
    stop: [1000],
    terminal: [1008, 1010, 4401, 4402, 4403],
    reconnect: [1001, 1002, 1003, 1005, 1006, 1007, 1009, 1011, 1012, 1013, 1014, 1015, 4000, 4008],
  };
  for (const [policy, codes] of Object.entries(expected)) {
    for (const code of codes) assert.equal(closePolicy(code), policy, `code ${code}`);
  }
  const listed = Object.values(expected).flat().sort();
  assert.deepEqual(Object.keys(CLOSE_POLICY).map(Number).sort(), listed, 'no code outside the table above');
  assert.equal(closePolicy(4999), 'reconnect', 'unlisted codes reconnect');
  assert.equal(closePolicy(3000), 'reconnect');
});

test('defaults as specified', () => {
  assert.deepEqual(
    { ...DEFAULTS },
    {
      heartbeatInterval: 25000, heartbeatTimeout: 10000, minDelay: 1000, maxDelay: 30000, factor: 2,
      queueSize: 100, maxRetries: Infinity, minUptime: 5000, connectTimeout: 10000, clockSamples: 8,
    },
  );
  assert.ok(Object.isFrozen(DEFAULTS));
});

test('entry module: named and default export, constants re-exported', () => {
  assert.equal(entry.default, entry.PulseClient);
  assert.equal(entry.CloseCode, CloseCode);
  assert.equal(typeof entry.backoffDelay, 'function');
});

// The server's dev.pulse.Protocol is the other half of the mirror; check it when it is there.
const javaProtocol = fileURLToPath(new URL('../../src/main/java/dev/pulse/Protocol.java', import.meta.url));

test('mirrors the server\'s Protocol.java', { skip: !existsSync(javaProtocol) && 'Protocol.java not found' }, () => {
  const java = readFileSync(javaProtocol, 'utf8');
  const version = /int VERSION = (\d+);/.exec(java);
  assert.ok(version, 'VERSION in Protocol.java');
  assert.equal(Number(version[1]), PROTOCOL_VERSION);
  const types = Object.values(MessageType);
  for (const name of ['WELCOME', 'HEARTBEAT', 'HEARTBEAT_ACK', 'TIME', 'ERROR', 'SUBSCRIBE', 'UNSUBSCRIBE',
    'SUBSCRIBED', 'UNSUBSCRIBED', 'MESSAGE', 'PRESENCE', 'GAP', 'DISCONNECT_REPORT']) {
    const m = new RegExp(`String ${name} = "([^"]+)";`).exec(java);
    assert.ok(m, `${name} in Protocol.java`);
    assert.ok(types.includes(m[1]), `message type ${m[1]}`);
  }
  const errorCodes = Object.values(ErrorCode);
  const javaErrors = [...java.matchAll(/String ERROR_[A-Z_]+ = "([^"]+)";/g)].map((m) => m[1]);
  assert.ok(javaErrors.length > 0, 'ERROR_* codes in Protocol.java');
  for (const code of javaErrors) assert.ok(errorCodes.includes(code), `error code ${code}`);
  for (const [name, value] of Object.entries(PresenceEvent)) {
    assert.match(java, new RegExp(`String PRESENCE_${name} = "${value}";`), `PRESENCE_${name}`);
  }
  const javaGaps = [...java.matchAll(/String GAP_([A-Z]+) = "([^"]+)";/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(Object.fromEntries(javaGaps), { ...GapReason }, 'gap reasons');
  const causes = /REPORT_CAUSES\s*=\s*Set\.of\(([^)]*)\)/.exec(java);
  assert.ok(causes, 'REPORT_CAUSES in Protocol.java');
  assert.deepEqual([...causes[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort(), [...REPORT_CAUSES].sort(), 'report causes');
  const topicName = /Pattern TOPIC_NAME = Pattern\.compile\("((?:[^"\\]|\\.)*)"\)/.exec(java);
  assert.ok(topicName, 'TOPIC_NAME in Protocol.java');
  assert.equal(TOPIC_PATTERN.source, `^${topicName[1].replace(/\\\\/g, '\\')}$`);
  assert.ok(java.includes(`TOPIC_RULE = "${TOPIC_RULE}";`), 'TOPIC_RULE in Protocol.java');
  const codes = new Set(Object.values(CloseCode));
  const closes = [...java.matchAll(/^\s*([A-Z_]+)\((\d{4}),\s*"/gm)];
  assert.ok(closes.length > 0, 'Close enum in Protocol.java');
  for (const [, name, code] of closes) {
    assert.ok(codes.has(Number(code)), `server close ${name}(${code}) known to the client`);
  }
});
