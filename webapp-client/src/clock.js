/**
 * Server clock estimate from heartbeat round trips.
 * @module clock
 */

/**
 * Keeps the last `size` heartbeat samples and answers with the offset of the one with the lowest
 * round-trip time: the shortest trip has the least room for asymmetric delay, so its midpoint is
 * the best guess of when the server stamped `serverTime` (Cristian's algorithm / NTP's filter).
 * Before any sample, a coarse offset from `welcome`/`time` (server time minus arrival time, off by
 * the one-way latency) is used.
 *
 * Pure bookkeeping: the caller measures; nothing here reads a clock.
 *
 * @example
 * const clock = new ClockSync(8);
 * clock.addSample({ rtt: 40, offset: 1200 });
 * clock.offset // 1200; server time ~ Date.now() + clock.offset
 */
export class ClockSync {
  /** @param {number} size how many recent samples to keep (>= 1) */
  constructor(size) {
    this._size = Math.max(1, Math.floor(size) || 1);
    /** @type {{rtt: number, offset: number}[]} oldest first */
    this._samples = [];
    this._coarse = null;
  }

  /**
   * Records one round trip.
   * @param {number} sendWall wall clock (ms) when the heartbeat was sent
   * @param {number} rtt monotonic round-trip time (ms)
   * @param {number} serverTime the ack's `serverTime` (epoch ms)
   * @returns {{rtt: number, offset: number}} the sample added
   */
  measure(sendWall, rtt, serverTime) {
    // Midpoint on the wall clock, but the width comes from the monotonic clock, so a wall-clock
    // step during the trip does not skew it.
    return this.addSample({ rtt, offset: serverTime - (sendWall + rtt / 2) });
  }

  /** @param {{rtt: number, offset: number}} sample */
  addSample(sample) {
    this._samples.push(sample);
    if (this._samples.length > this._size) this._samples.shift();
    return sample;
  }

  /** A coarse offset (server time − local arrival time); used only until the first sample. */
  setCoarse(offset) {
    this._coarse = offset;
  }

  /** @returns {{rtt: number, offset: number} | null} the lowest-RTT recent sample (latest wins ties) */
  get best() {
    let best = null;
    for (const s of this._samples) if (best === null || s.rtt <= best.rtt) best = s;
    return best;
  }

  /** @returns {number | null} ms to add to the local wall clock to get server time; null if unknown */
  get offset() {
    const best = this.best;
    return best !== null ? best.offset : this._coarse;
  }

  /** @returns {number} how many samples are held */
  get size() {
    return this._samples.length;
  }
}
