/**
 * The rolling window of status samples the charts draw: only the fields the dashboard needs, the
 * newest `spanMs` of them, emptied when the server restarted (its counters start again at 0).
 * @module history
 */

/**
 * @typedef {object} Sample
 * @property {number} at        client time of the poll (ms since the epoch)
 * @property {number} uptimeMs
 * @property {number} sessions
 * @property {?number} p50      RTT p50 in ms, null while no session has a measured round trip
 * @property {?number} p99
 * @property {?number} fanout   last time-push fan-out in ms, null before the first push
 * @property {Object<string, number>} closed        totals.closed: sessions closed, by cause
 * @property {Object<string, number>} clientCauses  totals.clientReportedDisconnects
 */

/**
 * The fields of one `GET api/status` answer that are drawn over time.
 *
 * @example toSample({ sessions: 2, uptimeMs: 9000, rtt: { samples: 0 } }, Date.now()).p50 // null
 * @param {object} status the JSON of api/status
 * @param {number} at
 * @returns {Sample}
 */
export function toSample(status, at) {
  const rtt = status.rtt ?? {};
  const measured = rtt.samples > 0;
  const fanout = status.timePush?.lastFanoutMs;
  return {
    at,
    uptimeMs: status.uptimeMs ?? 0,
    sessions: status.sessions ?? 0,
    p50: measured && Number.isFinite(rtt.p50Ms) ? rtt.p50Ms : null,
    p99: measured && Number.isFinite(rtt.p99Ms) ? rtt.p99Ms : null,
    fanout: Number.isFinite(fanout) && fanout >= 0 ? fanout : null,
    closed: { ...(status.totals?.closed ?? {}) },
    clientCauses: { ...(status.totals?.clientReportedDisconnects ?? {}) },
  };
}

/** Samples of the last `spanMs`, oldest first. Not shared between pages; single-threaded. */
export class History {
  /** @param {number} spanMs */
  constructor(spanMs) {
    this.spanMs = spanMs;
    /** @type {Sample[]} */
    this.samples = [];
  }

  /**
   * Appends a sample and drops those older than the span. A sample whose uptime is below the
   * previous one's comes from a restarted server: the history is emptied first.
   *
   * @param {Sample} sample
   * @returns {boolean} true when the server restarted
   */
  add(sample) {
    const last = this.latest();
    const restarted = last !== undefined && sample.uptimeMs < last.uptimeMs;
    if (restarted) this.samples = [];
    this.samples.push(sample);
    const from = sample.at - this.spanMs;
    const firstKept = this.samples.findIndex((s) => s.at >= from);
    if (firstKept > 0) this.samples.splice(0, firstKept);
    return restarted;
  }

  /** @returns {Sample|undefined} */
  latest() {
    return this.samples[this.samples.length - 1];
  }

  /** @returns {Sample|undefined} */
  oldest() {
    return this.samples[0];
  }

  /**
   * How much each counter of `field` ("closed", "clientCauses") grew between the oldest and the
   * newest sample of the window: a cause missing in the oldest counts from 0.
   *
   * @param {'closed'|'clientCauses'} field
   * @returns {Object<string, number>} by cause, for every cause the newest sample has
   */
  increase(field) {
    const first = this.oldest()?.[field] ?? {};
    const last = this.latest()?.[field] ?? {};
    const out = {};
    for (const [cause, count] of Object.entries(last)) {
      out[cause] = Math.max(0, count - (first[cause] ?? 0));
    }
    return out;
  }

  /** The window actually covered, in ms (0 with fewer than two samples). */
  coveredMs() {
    return this.samples.length < 2 ? 0 : this.latest().at - this.oldest().at;
  }

  /**
   * One value over time, for a line chart.
   *
   * @param {(s: Sample) => ?number} pick
   * @returns {{at: number, value: ?number}[]}
   */
  series(pick) {
    return this.samples.map((s) => ({ at: s.at, value: pick(s) }));
  }
}
