/**
 * The client's topic subscriptions: which topics, which handlers, with or without presence, and
 * where each topic's stream stands (for resuming it in the next session).
 * Bookkeeping only: methods return the frame that should go to the server (or null) and the
 * client decides whether a socket is there to take it.
 * @module subscriptions
 */

import { MessageType } from './constants.js';
import { callSafely } from './emitter.js';
import { TopicCursor } from './resume.js';

/**
 * Remembers subscriptions across connections, so that every new session can be given the same
 * ones ({@link Subscriptions#frames}). A topic is subscribed while it has at least one handler;
 * it asks for presence while at least one of its handlers asked for it.
 *
 * Topics the client has left but the server may still publish to (the `unsubscribe` is on its
 * way) are "leaving" until `unsubscribed` arrives or the session ends: their messages are dropped.
 *
 * Each subscribed topic has a {@link TopicCursor}: its epoch and the highest seq seen. The
 * `subscribe` frames for a new session carry it as `since`; messages at or below it are dropped
 * as duplicates. Leaving a topic forgets it, so subscribing again later is a fresh start.
 *
 * Contract: one owner (the client), on the page's thread; handlers run synchronously inside
 * {@link Subscriptions#route} and may add or remove subscriptions.
 *
 * @example
 * const subs = new Subscriptions();
 * const { entry, frame } = subs.add('room-1', (data) => show(data), true);
 * send(frame);                              // {type:'subscribe', topic:'room-1', presence:true}
 * send(subs.removeEntry('room-1', entry));  // {type:'unsubscribe', topic:'room-1'}
 */
export class Subscriptions {
  constructor() {
    /** @type {Map<string, Set<{handler: Function, presence: boolean, onGap?: Function}>>} insertion-ordered */
    this._topics = new Map();
    /** @type {Map<string, TopicCursor>} one per subscribed topic */
    this._cursors = new Map();
    /** @type {Set<string>} */
    this._leaving = new Set();
  }

  /** @returns {string[]} the subscribed topics, in the order they were first subscribed */
  get topics() {
    return [...this._topics.keys()];
  }

  /** @returns {boolean} whether `topic` has a handler */
  has(topic) {
    return this._topics.has(topic);
  }

  /**
   * Adds a handler. The frame is a `subscribe` when the topic is new or its presence flag changed
   * (the server treats a repeated subscribe as an update), else null.
   * @param {string} topic a valid topic name (the caller checks)
   * @param {(data: unknown, message: object) => void} handler
   * @param {boolean} presence
   * @param {(gap: object) => void} [onGap] called with the topic's `gap` notices
   * @returns {{entry: object, frame: object | null}} the frame never carries `since`: a topic
   *   that is new has no position, and an update goes to a session that is already subscribed
   */
  add(topic, handler, presence, onGap) {
    const before = this._presence(topic);
    let entries = this._topics.get(topic);
    if (!entries) {
      entries = new Set();
      this._topics.set(topic, entries);
      this._cursors.set(topic, new TopicCursor());
    }
    const entry = { handler, presence, onGap };
    entries.add(entry);
    this._leaving.delete(topic);
    const after = this._presence(topic);
    return { entry, frame: before === after ? null : subscribeFrame(topic, after) };
  }

  /**
   * Removes one handler added by {@link Subscriptions#add}; harmless if it is already gone.
   * @returns {object | null} `unsubscribe` when it was the topic's last handler, `subscribe` when
   *   the topic's presence flag dropped to false, else null
   */
  removeEntry(topic, entry) {
    const entries = this._topics.get(topic);
    if (!entries || !entries.has(entry)) return null;
    const before = this._presence(topic);
    entries.delete(entry);
    if (entries.size === 0) return this._leave(topic);
    const after = this._presence(topic);
    return before === after ? null : subscribeFrame(topic, after);
  }

  /**
   * Removes every handler of `topic`.
   * @returns {object | null} the `unsubscribe` frame, or null if the topic was not subscribed
   */
  removeTopic(topic) {
    if (!this._topics.has(topic)) return null;
    return this._leave(topic);
  }

  /**
   * @returns {object[]} one `subscribe` frame per topic, for a new session, with
   *   `since: {epoch, seq}` for each topic whose epoch is known (a resume)
   */
  frames() {
    return this.topics.map((topic) => {
      const frame = subscribeFrame(topic, this._presence(topic));
      const since = this._cursors.get(topic).since;
      if (since) frame.since = since;
      return frame;
    });
  }

  /** The session ended: the next one starts with nothing on the server, so nothing is leaving. */
  sessionEnded() {
    this._leaving.clear();
    for (const cursor of this._cursors.values()) cursor.sessionEnded();
  }

  /**
   * The server's `subscribed`: updates the topic's position.
   * @param {{topic: string, epoch?: string, seq?: number, recovered?: number}} msg
   * @returns {number | null} `0` if this completes a resume with nothing missed; null otherwise
   *   (including a topic this client does not hold)
   */
  subscribed(msg) {
    const cursor = this._cursors.get(msg.topic);
    return cursor ? cursor.subscribed(msg) : null;
  }

  /**
   * The server's `gap`: moves the topic's position to the notice's epoch and seq and calls the
   * `onGap` of each handler that has one (a throwing one does not stop the others).
   * @param {{topic: string, epoch?: string, seq?: number, reason?: string}} msg
   */
  gap(msg) {
    const cursor = this._cursors.get(msg.topic);
    if (!cursor) return;
    cursor.gap(msg);
    const entries = this._topics.get(msg.topic);
    for (const entry of [...entries]) {
      if (entry.onGap && entries.has(entry)) callSafely(entry.onGap, msg);
    }
  }

  /** The server confirmed an `unsubscribe`: later messages of that topic are not expected. */
  unsubscribed(topic) {
    this._leaving.delete(topic);
  }

  /**
   * Delivers a topic `message` to the topic's handlers as `handler(data, message)`, unless its
   * seq was already seen in the topic's epoch (a duplicate: dropped). A handler that throws does
   * not keep the others from running (its error is rethrown in a microtask); one removed by an
   * earlier handler during the same delivery is not called.
   * @param {{topic: string, data?: unknown, seq?: number}} message
   * @returns {{duplicate: boolean, recovered: number | null} | null} null if the client knows
   *   nothing of the topic; otherwise whether it was dropped as a duplicate and, when it was the
   *   last message of a replay, the replay's count (a message of a leaving topic is dropped and
   *   gives `{duplicate: false, recovered: null}`)
   */
  route(message) {
    const topic = message.topic;
    const entries = this._topics.get(topic);
    if (!entries) return this._leaving.has(topic) ? { duplicate: false, recovered: null } : null;
    const { fresh, recovered } = this._cursors.get(topic).accept(message.seq);
    if (fresh) {
      for (const entry of [...entries]) {
        if (entries.has(entry)) callSafely(entry.handler, message.data, message);
      }
    }
    return { duplicate: !fresh, recovered };
  }

  _leave(topic) {
    this._topics.get(topic).clear(); // a delivery in progress stops calling them
    this._topics.delete(topic);
    this._cursors.delete(topic);
    this._leaving.add(topic);
    return { type: MessageType.UNSUBSCRIBE, topic };
  }

  /** Whether any handler of `topic` asked for presence; undefined if the topic has none. */
  _presence(topic) {
    const entries = this._topics.get(topic);
    if (!entries || entries.size === 0) return undefined;
    for (const entry of entries) if (entry.presence) return true;
    return false;
  }
}

function subscribeFrame(topic, presence) {
  return { type: MessageType.SUBSCRIBE, topic, presence };
}
