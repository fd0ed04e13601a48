'use strict';
// Exact percentiles over raw samples kept in a growable Float64Array (cheap to send between
// processes with the 'advanced' IPC serialization, and exact, unlike bucketed histograms).

class Samples {
  constructor(initial = 1024) {
    this.buf = new Float64Array(initial);
    this.n = 0;
  }

  add(v) {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }

  values() {
    return this.buf.subarray(0, this.n);
  }
}

/** Merges Float64Arrays and returns {count, mean, p50, p90, p99, p999, max, min} (rounded to 0.001). */
function summarize(...arrays) {
  let total = 0;
  for (const a of arrays) total += a.length;
  if (total === 0) return { count: 0 };
  const all = new Float64Array(total);
  let off = 0;
  for (const a of arrays) {
    all.set(a, off);
    off += a.length;
  }
  all.sort();
  let sum = 0;
  for (let i = 0; i < total; i++) sum += all[i];
  const q = (p) => all[Math.min(total - 1, Math.max(0, Math.ceil(p * total) - 1))];
  return {
    count: total,
    mean: r3(sum / total),
    min: r3(all[0]),
    p50: r3(q(0.5)),
    p90: r3(q(0.9)),
    p99: r3(q(0.99)),
    p999: r3(q(0.999)),
    max: r3(all[total - 1]),
  };
}

function median(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function r3(x) {
  return Math.round(x * 1000) / 1000;
}

function addCounts(into, from) {
  for (const [k, v] of Object.entries(from || {})) into[k] = (into[k] || 0) + v;
  return into;
}

module.exports = { Samples, summarize, median, r3, addCounts };
