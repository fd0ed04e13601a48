import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay } from '../src/backoff.js';
import { DEFAULTS } from '../src/constants.js';

const opts = { minDelay: DEFAULTS.minDelay, maxDelay: DEFAULTS.maxDelay, factor: DEFAULTS.factor };

test('backoff: full jitter over min(maxDelay, minDelay * factor^attempt)', () => {
  // [attempt, random(), expected delay]
  const table = [
    [0, 0, 0],
    [0, 0.5, 500],
    [0, 0.999, 999],
    [1, 0.5, 1000],
    [2, 0.5, 2000],
    [3, 0.5, 4000],
    [4, 0.5, 8000],
    [4, 0.25, 4000],
    [5, 0.5, 15000], // ceiling 30000 (32000 capped)
    [5, 0.999, 29970],
    [10, 0.5, 15000],
    [2000, 0.5, 15000], // 2^2000 is Infinity: still capped, never NaN
  ];
  for (const [attempt, r, expected] of table) {
    assert.equal(backoffDelay(attempt, opts, () => r), expected, `attempt ${attempt}, random ${r}`);
  }
});

test('backoff: other settings', () => {
  const table = [
    // [attempt, options, random, expected]
    [0, { minDelay: 200, maxDelay: 5000, factor: 3 }, 1, 200],
    [2, { minDelay: 200, maxDelay: 5000, factor: 3 }, 1, 1800],
    [3, { minDelay: 200, maxDelay: 5000, factor: 3 }, 1, 5000],
    [7, { minDelay: 1000, maxDelay: 30000, factor: 1 }, 0.5, 500], // factor 1: constant window
    [3, { minDelay: 0, maxDelay: 30000, factor: 2 }, 0.5, 0],
    [-1, { minDelay: 1000, maxDelay: 30000, factor: 2 }, 1, 1000], // nonsense attempt counts as 0
  ];
  for (const [attempt, o, r, expected] of table) {
    assert.equal(backoffDelay(attempt, o, () => r), expected, JSON.stringify({ attempt, o, r }));
  }
});

test('backoff: pure (same inputs, same output) and ceiling never exceeds maxDelay', () => {
  for (let a = 0; a < 64; a++) {
    assert.equal(backoffDelay(a, opts, () => 0.3), backoffDelay(a, opts, () => 0.3));
    assert.ok(backoffCeiling(a, opts) <= opts.maxDelay);
    assert.ok(backoffCeiling(a, opts) >= Math.min(opts.minDelay, opts.maxDelay));
  }
});
