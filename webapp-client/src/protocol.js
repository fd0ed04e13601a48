/**
 * Frame encoding and decoding for Pulse protocol v1. Pure functions.
 * @module protocol
 */

/**
 * Turns an inbound frame into a value: a JSON object if the text looks like one and parses,
 * otherwise the text itself; binary data (ArrayBuffer, Blob, Buffer) is returned as is.
 * Only text starting with `{` is parsed, so a plain-text frame such as `"42"` stays a string.
 * @param {unknown} data `MessageEvent.data`
 * @returns {object | string | unknown}
 * @example decodeFrame('{"type":"time","seq":1}') // { type: 'time', seq: 1 }
 */
export function decodeFrame(data) {
  if (typeof data !== 'string') return data;
  if (data.charCodeAt(0) !== 123 /* { */) return data;
  try {
    const value = JSON.parse(data);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : data;
  } catch {
    return data;
  }
}

/**
 * Turns what the application passes to `send()` into a frame: strings and binary data go as they
 * are, anything else is JSON-encoded.
 * @param {unknown} data
 * @returns {string | ArrayBuffer | ArrayBufferView | Blob}
 * @example encodeFrame({ type: 'hello' }) // '{"type":"hello"}'
 */
export function encodeFrame(data) {
  if (typeof data === 'string') return data;
  if (isBinary(data)) return data;
  const text = JSON.stringify(data);
  if (text === undefined) throw new TypeError('cannot encode ' + typeof data + ' as JSON');
  return text;
}

function isBinary(data) {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return true;
  return typeof Blob !== 'undefined' && data instanceof Blob;
}

/**
 * Reads a close reason. A reason that starts with `{` may be a JSON object such as
 * `{"reason":"shutdown","retryAfterMs":5000}`; a parse failure leaves it plain text.
 * @param {string} reason `CloseEvent.reason`
 * @returns {{text: string, retryAfterMs: number | null, details: object | null}}
 *   `text`: the JSON's `reason` (or `message`) if present, else the reason as given;
 *   `retryAfterMs`: a finite number >= 0, else null
 * @example parseCloseReason('{"reason":"shutdown","retryAfterMs":5000}')
 * // { text: 'shutdown', retryAfterMs: 5000, details: { reason: 'shutdown', retryAfterMs: 5000 } }
 */
export function parseCloseReason(reason) {
  const raw = typeof reason === 'string' ? reason : '';
  const plain = { text: raw, retryAfterMs: null, details: null };
  if (!raw.startsWith('{')) return plain;
  let details;
  try {
    details = JSON.parse(raw);
  } catch {
    return plain;
  }
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return plain;
  const retry = details.retryAfterMs;
  const text = typeof details.reason === 'string' ? details.reason
    : typeof details.message === 'string' ? details.message : raw;
  return {
    text,
    retryAfterMs: typeof retry === 'number' && Number.isFinite(retry) && retry >= 0 ? retry : null,
    details,
  };
}
