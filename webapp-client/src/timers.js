/**
 * Named one-shot timers with one cleanup.
 * @module timers
 */

/**
 * Every timer the client runs lives here under a name, so one `clearAll()` cancels all of them
 * (socket.io's "subs + cleanup()" idea): after `PulseClient.close()` nothing is left pending.
 * Setting a name that is already pending replaces it. Not re-entrant across realms; one owner.
 *
 * @example
 * const timers = new TimerSet(setTimeout, clearTimeout);
 * timers.set('heartbeat', sendHeartbeat, 25000);
 * timers.clearAll();
 */
export class TimerSet {
  /**
   * @param {(fn: () => void, ms: number) => any} setTimeoutFn called without `this`
   * @param {(handle: any) => void} clearTimeoutFn called without `this`
   */
  constructor(setTimeoutFn, clearTimeoutFn) {
    this._setTimeout = setTimeoutFn;
    this._clearTimeout = clearTimeoutFn;
    /** @type {Map<string, any>} */
    this._handles = new Map();
  }

  /** Runs `fn` once after `ms` (negative counts as 0), replacing a pending timer of that name. */
  set(name, fn, ms) {
    this.clear(name);
    const setTimeoutFn = this._setTimeout;
    const handle = setTimeoutFn(() => {
      if (this._handles.get(name) !== handle) return; // cleared or replaced meanwhile
      this._handles.delete(name);
      fn();
    }, Math.max(0, ms));
    this._handles.set(name, handle);
  }

  /** Cancels the timer of that name, if pending. */
  clear(name) {
    if (!this._handles.has(name)) return;
    const clearTimeoutFn = this._clearTimeout;
    clearTimeoutFn(this._handles.get(name));
    this._handles.delete(name);
  }

  /** @returns {boolean} whether a timer of that name is pending */
  has(name) {
    return this._handles.has(name);
  }

  /** Cancels every pending timer. */
  clearAll() {
    for (const name of [...this._handles.keys()]) this.clear(name);
  }

  /** @returns {string[]} names of the pending timers */
  get pending() {
    return [...this._handles.keys()];
  }
}
