/**
 * Hand-written SVG line charts: a fixed time window on x, 0 to a round maximum on y, one path per
 * series, broken where a value is missing or the polls stopped. The SVG stretches to its box
 * (preserveAspectRatio="none", strokes that do not scale); the axis labels are HTML beside it, so
 * text never stretches with the plot.
 * @module charts
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The drawing's own coordinates (viewBox); the page decides the size on screen. */
export const VIEW = Object.freeze({ width: 600, height: 160 });

/** Horizontal grid lines, as fractions of the y maximum. */
const GRID = [0, 0.25, 0.5, 0.75, 1];

/**
 * The smallest of 1, 2, 5 × 10^n that is ≥ value; `min` for values at or below 0. Pure.
 *
 * @example niceCeiling(3) // 5
 * @example niceCeiling(0.41) // 0.5
 * @param {number} value
 * @param {number} [min]
 * @returns {number}
 */
export function niceCeiling(value, min = 1) {
  if (!(value > 0) || !Number.isFinite(value)) return min;
  const power = 10 ** Math.floor(Math.log10(value));
  const mantissa = value / power;
  const step = mantissa <= 1 ? 1 : mantissa <= 2 ? 2 : mantissa <= 5 ? 5 : 10;
  return Math.max(min, step * power);
}

/**
 * The `d` of a path through the points within [from, to]: a new sub-path after a null value or a
 * gap longer than `gapMs`; a lone point becomes a dot (zero-length segment, round caps). Pure.
 *
 * @param {{at: number, value: ?number}[]} points oldest first
 * @param {{from: number, to: number, yMax: number, gapMs: number}} scale
 * @returns {{d: string, drawn: number}} drawn = points on the path
 */
export function pathData(points, { from, to, yMax, gapMs }) {
  const span = Math.max(1, to - from);
  const x = (at) => (((at - from) / span) * VIEW.width).toFixed(1);
  const y = (v) => (VIEW.height - (Math.min(v, yMax) / yMax) * VIEW.height).toFixed(1);
  const parts = [];
  let drawn = 0;
  let previous = null; // the last drawn point of the current sub-path
  let segmentLength = 0;
  for (const p of points) {
    if (p.at < from || p.at > to) continue;
    if (p.value === null || p.value === undefined || !Number.isFinite(p.value)) {
      if (segmentLength === 1) parts.push('h0');
      previous = null;
      segmentLength = 0;
      continue;
    }
    const joined = previous !== null && p.at - previous.at <= gapMs;
    if (!joined && segmentLength === 1) parts.push('h0');
    parts.push(`${joined ? 'L' : 'M'}${x(p.at)} ${y(p.value)}`);
    segmentLength = joined ? segmentLength + 1 : 1;
    previous = p;
    drawn += 1;
  }
  if (segmentLength === 1) parts.push('h0');
  return { d: parts.join(' '), drawn };
}

function svgElement(name, attributes) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

/**
 * A line chart drawn into an existing `<svg>` that has a `<title>`. Browser main thread only.
 *
 * @example
 * const chart = new LineChart(document.getElementById('chart-rtt'), {
 *   name: 'Round-trip time', series: [{ key: 'p50', label: 'p50' }], format: (v) => `${v} ms`,
 *   maxLabel: document.getElementById('chart-rtt-max') });
 * chart.update({ from, to, gapMs: 3000, data: { p50: history.series((s) => s.p50) } });
 */
export class LineChart {
  /**
   * @param {SVGSVGElement} svg
   * @param {object} options
   * @param {string} options.name            what is drawn, for the accessible title
   * @param {{key: string, label: string}[]} options.series  drawn in order; CSS styles `.series-<key>`
   * @param {(v: number) => string} options.format  a value for people, e.g. "0.41 ms"
   * @param {HTMLElement} [options.maxLabel] shows the y maximum
   * @param {number} [options.minYMax]       the smallest y maximum (1: sessions; 0.1 ms for times)
   */
  constructor(svg, { name, series, format, maxLabel, minYMax = 1 }) {
    this.svg = svg;
    this.name = name;
    this.format = format;
    this.maxLabel = maxLabel;
    this.minYMax = minYMax;
    this.title = svg.querySelector('title');
    svg.setAttribute('viewBox', `0 0 ${VIEW.width} ${VIEW.height}`);
    svg.setAttribute('preserveAspectRatio', 'none');
    const grid = svgElement('g', { class: 'grid', 'aria-hidden': 'true' });
    for (const f of GRID) {
      const y = VIEW.height - f * VIEW.height;
      grid.append(svgElement('line', { x1: 0, x2: VIEW.width, y1: y, y2: y }));
    }
    svg.append(grid);
    this.paths = series.map(({ key, label }) => {
      const path = svgElement('path', {
        class: `series series-${key}`, 'data-series': key, 'data-points': 0, 'aria-label': label, d: '',
      });
      svg.append(path);
      return { key, label, path };
    });
  }

  /**
   * Redraws every series over [from, to].
   *
   * @param {{from: number, to: number, gapMs: number, data: Object<string, {at: number, value: ?number}[]>}} frame
   */
  update({ from, to, gapMs, data }) {
    let max = 0;
    for (const { key } of this.paths) {
      for (const p of data[key] ?? []) {
        if (p.at >= from && Number.isFinite(p.value)) max = Math.max(max, p.value);
      }
    }
    const yMax = niceCeiling(max, this.minYMax);
    const summary = [];
    for (const { key, label, path } of this.paths) {
      const points = data[key] ?? [];
      const { d, drawn } = pathData(points, { from, to, yMax, gapMs });
      path.setAttribute('d', d);
      path.setAttribute('data-points', String(drawn));
      const latest = points.length ? points[points.length - 1].value : null;
      const shown = points.filter((p) => p.at >= from && Number.isFinite(p.value)).map((p) => p.value);
      summary.push(shown.length
        ? `${label} now ${latest === null ? 'unknown' : this.format(latest)}, highest ${this.format(Math.max(...shown))}`
        : `${label} no data yet`);
    }
    const minutes = Math.round((to - from) / 60000);
    const window = minutes >= 1 ? `${minutes} min` : `${Math.round((to - from) / 1000)} s`;
    if (this.title) this.title.textContent = `${this.name}, last ${window}: ${summary.join('; ')}`;
    if (this.maxLabel) this.maxLabel.textContent = this.format(yMax);
  }
}
