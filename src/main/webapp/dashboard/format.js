/**
 * Numbers for people: milliseconds, durations, bytes, counts. Pure functions; "–" for unknown.
 * @module format
 */

export const UNKNOWN = '–';

/**
 * @example formatMs(0.413) // "0.41 ms"
 * @example formatMs(12.34) // "12.3 ms"
 * @param {?number} ms
 */
export function formatMs(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return UNKNOWN;
  const digits = ms < 10 ? 2 : ms < 100 ? 1 : 0;
  return `${ms.toFixed(digits)} ms`;
}

/**
 * @example formatDuration(81234) // "1 min 21 s"
 * @param {?number} ms
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return UNKNOWN;
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

/**
 * @example formatBytes(1536) // "1.5 KiB"
 * @param {?number} bytes
 */
export function formatBytes(bytes) {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return UNKNOWN;
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * @example formatCount(12345) // "12,345" (in an English locale)
 * @param {?number} n
 */
export function formatCount(n) {
  if (n === null || n === undefined || !Number.isFinite(n)) return UNKNOWN;
  return n.toLocaleString();
}

/** "heartbeat_timeout" → "heartbeat timeout". */
export function humanize(name) {
  return String(name).replaceAll('_', ' ');
}
