/**
 * Where the client stands in one topic's message stream, so that a new session can resume it:
 * the topic's epoch and the highest seq seen in it. Pure bookkeeping, no I/O.
 * @module resume
 */

/**
 * One topic's resume position. Seqs only compare within one epoch (the topic's incarnation on
 * the server); the epoch comes from `subscribed` and `gap`, never from messages.
 *
 * The baseline after each answer of the server:
 * - `subscribed` without `recovered` (a fresh subscription, or a presence update): messages up to
 *   its `seq` were published before this subscription (fresh) or have already arrived (update,
 *   same epoch), so the position becomes `seq` (at least the current one within the same epoch);
 * - `subscribed` with `recovered: n`: the position stays where the client left off; the next n
 *   topic messages are the replay and move it up to `seq`;
 * - `gap`: the missed messages are gone and the application reloads its state, which is as of
 *   `gap.seq`; the position becomes `gap.seq` (lower too: the server's word wins), so only
 *   messages after it count as new.
 *
 * Contract: one owner (the topic's subscription), on the page's thread.
 *
 * @example
 * const cursor = new TopicCursor();
 * cursor.subscribed({ epoch: 'e1', seq: 40 });   // fresh subscription: baseline 40
 * cursor.accept(41);                              // { fresh: true, recovered: null }
 * cursor.accept(41);                              // { fresh: false, ... } a duplicate
 * cursor.since;                                   // { epoch: 'e1', seq: 41 } for the next session
 */
export class TopicCursor {
  constructor() {
    /** The topic's epoch as last told by the server, or null before the first answer. @type {string | null} */
    this.epoch = null;
    /** Highest seq seen (or the baseline) within {@link TopicCursor#epoch}. */
    this.seq = 0;
    this._replayLeft = 0; // replayed messages still to come in this session
    this._replayCount = 0; // `recovered` of the resume in progress
  }

  /** `{ epoch, seq }` for a resuming `subscribe`, or null when no epoch is known. */
  get since() {
    return this.epoch === null ? null : { epoch: this.epoch, seq: this.seq };
  }

  /**
   * Takes a `subscribed` answer into account.
   * @param {{epoch?: unknown, seq?: unknown, recovered?: unknown}} msg
   * @returns {number | null} `0` when a resume succeeded with nothing missed (it is complete at
   *   once); null otherwise (a replay is now expected, or this was no resume)
   */
  subscribed(msg) {
    if (typeof msg.epoch !== 'string') return null; // a server that does not resume: no positions
    const seq = isSeq(msg.seq) ? msg.seq : 0;
    if (isSeq(msg.recovered)) {
      const n = msg.recovered;
      // Same epoch, as the server only replays then; otherwise trust the frame: it ends at seq.
      if (msg.epoch !== this.epoch) {
        this.epoch = msg.epoch;
        this.seq = Math.max(0, seq - n);
      }
      this._replayLeft = n;
      this._replayCount = n;
      return n === 0 ? 0 : null;
    }
    if (msg.epoch === this.epoch) {
      this.seq = Math.max(this.seq, seq);
    } else {
      this.epoch = msg.epoch;
      this.seq = seq;
    }
    return null;
  }

  /**
   * Takes a `gap` notice into account: the new baseline is the topic's current epoch and seq.
   * @param {{epoch?: unknown, seq?: unknown}} msg
   */
  gap(msg) {
    this._replayLeft = 0;
    if (typeof msg.epoch !== 'string') return;
    this.epoch = msg.epoch;
    this.seq = isSeq(msg.seq) ? msg.seq : 0;
  }

  /**
   * Takes a topic message's seq: whether it is new, and whether it completes a replay.
   * A message without a usable seq is always new; with no epoch known nothing is filtered.
   * @param {unknown} seq
   * @returns {{fresh: boolean, recovered: number | null}} `recovered` is the replay's count when
   *   this message was its last one
   */
  accept(seq) {
    let recovered = null;
    if (this._replayLeft > 0) {
      this._replayLeft--;
      if (this._replayLeft === 0) recovered = this._replayCount;
    }
    if (this.epoch === null || typeof seq !== 'number' || !Number.isFinite(seq)) return { fresh: true, recovered };
    if (seq <= this.seq) return { fresh: false, recovered };
    this.seq = seq;
    return { fresh: true, recovered };
  }

  /** The session ended: a replay in progress will not be finished (the position stays). */
  sessionEnded() {
    this._replayLeft = 0;
  }
}

function isSeq(v) {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
