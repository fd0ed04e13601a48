/**
 * Reconnect delay: exponential backoff with full jitter.
 * @module backoff
 */

/**
 * The delay before reconnect attempt number `attempt` (0 for the first after a loss):
 * `random() * min(maxDelay, minDelay * factor ** attempt)`. Pure: same inputs, same answer.
 *
 * Full jitter (rather than "delay ± some jitter") spreads a crowd of clients that lost the same
 * server at the same moment over the whole window, so they do not come back in one wave.
 *
 * @param {number} attempt how many attempts were made since the last stable connection (>= 0)
 * @param {{minDelay: number, maxDelay: number, factor: number}} options
 * @param {() => number} random a number in [0, 1)
 * @returns {number} milliseconds, in [0, min(maxDelay, minDelay * factor ** attempt))
 * @example
 * backoffDelay(3, { minDelay: 1000, maxDelay: 30000, factor: 2 }, () => 0.5) // 4000
 */
export function backoffDelay(attempt, { minDelay, maxDelay, factor }, random) {
  return random() * backoffCeiling(attempt, { minDelay, maxDelay, factor });
}

/**
 * The ceiling of the jitter window for `attempt`: `min(maxDelay, minDelay * factor ** attempt)`.
 * Safe for any attempt count (no overflow to Infinity or NaN).
 * @param {number} attempt
 * @param {{minDelay: number, maxDelay: number, factor: number}} options
 * @returns {number}
 */
export function backoffCeiling(attempt, { minDelay, maxDelay, factor }) {
  const n = Math.max(0, Math.floor(attempt) || 0);
  const grown = minDelay * Math.pow(factor, n);
  return Number.isFinite(grown) ? Math.min(maxDelay, grown) : maxDelay;
}
