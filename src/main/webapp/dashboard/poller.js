/**
 * Polls the status endpoint: one request at a time, the next one `intervalMs` after the previous
 * one started; after a failure the delay doubles per consecutive failure up to `maxDelayMs`, and
 * the first success brings it back to `intervalMs`. Fetch and timers are options, so a test can
 * drive it with fakes.
 * @module poller
 */

/** Defaults; every one can be overridden per poller (and from the page's query string). */
export const POLL_DEFAULTS = Object.freeze({
  intervalMs: 1000,
  maxDelayMs: 15000,
  /** A request that takes longer is aborted and counts as a failure ("no response"). */
  timeoutMs: 5000,
});

/**
 * Delay before the next request after `failures` consecutive failures (0 = healthy). Pure.
 *
 * @example nextDelay(0, { intervalMs: 1000, maxDelayMs: 15000 }) // 1000
 * @example nextDelay(3, { intervalMs: 1000, maxDelayMs: 15000 }) // 4000
 * @param {number} failures
 * @param {{intervalMs: number, maxDelayMs: number}} options
 * @returns {number} milliseconds, never more than max(intervalMs, maxDelayMs)
 */
export function nextDelay(failures, { intervalMs, maxDelayMs }) {
  if (!(failures > 0)) return intervalMs;
  const doubled = intervalMs * 2 ** Math.min(failures - 1, 30);
  return Math.max(intervalMs, Math.min(maxDelayMs, doubled));
}

/**
 * @typedef {object} Failure
 * @property {number} code     HTTP status, or 0 when no response came (network error, timeout)
 * @property {string} reason   short text for people, e.g. "HTTP 404" or "no response"
 * @property {number} failures consecutive failures so far (1 for the first)
 * @property {number} retryInMs delay before the next request
 */

/**
 * Creates a poller; nothing is sent before `start()`. Callbacks run on the caller's event loop;
 * an exception thrown by a callback is reported to the console and does not stop the polling.
 *
 * @example
 * const poller = createPoller({ url: 'api/status', onData: (json) => draw(json), onFailure: (f) => show(f) });
 * poller.start();
 * @param {object} options
 * @param {string|URL} options.url
 * @param {(json: object, at: number) => void} options.onData  a 200 with a JSON body; `at` from `now()`
 * @param {(failure: Failure) => void} options.onFailure
 * @param {number} [options.intervalMs]
 * @param {number} [options.maxDelayMs]
 * @param {number} [options.timeoutMs]
 * @param {typeof fetch} [options.fetch]
 * @param {typeof setTimeout} [options.setTimeout]
 * @param {typeof clearTimeout} [options.clearTimeout]
 * @param {() => number} [options.now]
 * @returns {{start: () => void, stop: () => void}}
 */
export function createPoller(options) {
  const o = {
    ...POLL_DEFAULTS,
    fetch: (...args) => globalThis.fetch(...args),
    setTimeout: (...args) => globalThis.setTimeout(...args),
    clearTimeout: (...args) => globalThis.clearTimeout(...args),
    now: () => Date.now(),
    ...options,
  };
  let failures = 0;
  let timer = null;
  let running = false;

  function schedule(delay) {
    if (running) timer = o.setTimeout(poll, Math.max(0, delay));
  }

  function report(callback, ...args) {
    try {
      callback(...args);
    } catch (e) {
      console.error('dashboard: a poller callback threw', e);
    }
  }

  async function poll() {
    timer = null;
    const started = o.now();
    const abort = typeof AbortController === 'function' ? new AbortController() : null;
    const deadline = o.setTimeout(() => abort?.abort(), o.timeoutMs);
    let outcome;
    try {
      const response = await o.fetch(o.url, {
        cache: 'no-store',
        credentials: 'same-origin',
        headers: { Accept: 'application/json' },
        signal: abort?.signal,
      });
      if (!response.ok) {
        outcome = { code: response.status, reason: `HTTP ${response.status}` };
      } else if (!(response.headers?.get('Content-Type') ?? '').includes('json')) {
        // e.g. a login form served instead, after a session expired
        outcome = { code: response.status, reason: `HTTP ${response.status}, not JSON (signed out?)` };
      } else {
        outcome = await response.json().then(
          (json) => ({ json }),
          () => ({ code: response.status, reason: `HTTP ${response.status}, unreadable JSON` }));
      }
    } catch (e) {
      outcome = { code: 0, reason: e?.name === 'AbortError' ? 'no response (timed out)' : 'no response' };
    } finally {
      o.clearTimeout(deadline);
    }
    if (!running) return;
    if (outcome.json !== undefined) {
      failures = 0;
      report(o.onData, outcome.json, o.now());
      schedule(o.intervalMs - (o.now() - started));
    } else {
      failures += 1;
      const retryInMs = nextDelay(failures, o);
      report(o.onFailure, { code: outcome.code, reason: outcome.reason, failures, retryInMs });
      schedule(retryInMs);
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    stop() {
      running = false;
      if (timer !== null) o.clearTimeout(timer);
      timer = null;
    },
  };
}
