/**
 * A small event emitter whose `on()` returns the unsubscribe function.
 * @module emitter
 */

/**
 * Handlers run synchronously in the order they were added. A handler that throws does not stop
 * the others nor the client's own bookkeeping: the error is rethrown in a microtask, where the
 * host reports it (window `error` event, Node's uncaughtException).
 *
 * @example
 * const off = emitter.on('state', ({ state }) => console.log(state));
 * off();
 */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._handlers = new Map();
  }

  /**
   * @param {string} event
   * @param {Function} handler
   * @returns {() => void} removes this handler; calling it twice is harmless
   */
  on(event, handler) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    // Wrap so that the same function can be added twice and removed once per on().
    const entry = (payload) => handler(payload);
    if (!this._handlers.has(event)) this._handlers.set(event, new Set());
    this._handlers.get(event).add(entry);
    return () => {
      const set = this._handlers.get(event);
      if (set) set.delete(entry);
    };
  }

  /** Calls every handler of `event` with `payload`. */
  emit(event, payload) {
    const set = this._handlers.get(event);
    if (!set) return;
    for (const entry of [...set]) callSafely(entry, payload);
  }

  /** Removes every handler. */
  clear() {
    this._handlers.clear();
  }
}

/**
 * Calls `fn(...args)`; if it throws, the error is rethrown in a microtask (where the host reports
 * it) instead of unwinding into the caller. For application callbacks run from the client's own
 * socket and timer handlers.
 * @param {Function} fn
 * @param {...unknown} args
 * @example callSafely(handler, data, message);
 */
export function callSafely(fn, ...args) {
  try {
    fn(...args);
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
