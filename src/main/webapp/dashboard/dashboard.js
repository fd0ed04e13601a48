// Pulse dashboard: polls ./api/status, keeps a rolling window in memory and draws it. Element ids
// are stable for browser tests (docs/dashboard.md). Query parameters, all optional:
//   interval  poll interval in ms (250..60000, default 1000)
//   maxDelay  longest retry delay after failures in ms (default 15000)
//   window    seconds of history on the charts (30..3600, default 300)
// e.g. /pulse/dashboard.html?interval=2000&window=600

import { createPoller, POLL_DEFAULTS } from './poller.js';
import { History, toSample } from './history.js';
import { LineChart } from './charts.js';
import { formatBytes, formatCount, formatDuration, formatMs, humanize, UNKNOWN } from './format.js';

const DEFAULT_WINDOW_S = 300;

/** Poll options from the query string, clamped to sane bounds; anything unknown is ignored. */
function pageOptions(search) {
  const params = new URLSearchParams(search);
  const number = (name, fallback, min, max) => {
    const raw = params.get(name);
    const value = raw === null || raw.trim() === '' ? NaN : Number(raw);
    return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
  };
  const intervalMs = number('interval', POLL_DEFAULTS.intervalMs, 250, 60000);
  const maxDelayMs = number('maxDelay', Math.max(POLL_DEFAULTS.maxDelayMs, intervalMs), intervalMs, 300000);
  const windowMs = number('window', DEFAULT_WINDOW_S, 30, 3600) * 1000;
  return { intervalMs, maxDelayMs, windowMs };
}

/** Why a status request may fail, in words, by HTTP code. */
const FAILURE_HINTS = {
  401: 'sign-in required',
  403: 'not allowed for this user',
  404: 'the status API is off (statusApi=false) or Pulse is not deployed here',
  503: 'Pulse is not running',
};

const COUNTERS = [
  ['opened', 'sessions opened'],
  ['pingsSent', 'pings sent'],
  ['pongsReceived', 'pongs received'],
  ['heartbeatAcks', 'heartbeat acks'],
  ['timePushes', 'time pushes'],
  ['sendFailures', 'send failures'],
];
const COUNTER_GROUPS = [
  ['errorFrames', 'error frames'],
  ['handshakesRefused', 'handshakes refused'],
];

const $ = (id) => document.getElementById(id);

function setNumber(id, text, value) {
  const element = $(id);
  element.textContent = text;
  element.dataset.value = value === null || value === undefined ? '' : String(value);
}

/**
 * Keeps one `<li data-reason data-count data-window>` per cause in `list`, in the server's order,
 * with a bar as wide as its share of the largest count. Reuses elements between polls.
 */
function renderBars(list, totals, inWindow, emptyText) {
  const entries = Object.entries(totals);
  const max = Math.max(1, ...entries.map(([, count]) => count));
  const existing = new Map([...list.querySelectorAll('li[data-reason]')].map((li) => [li.dataset.reason, li]));
  const rows = entries.map(([reason, count]) => {
    let li = existing.get(reason);
    if (!li) {
      li = document.createElement('li');
      li.dataset.reason = reason;
      const name = document.createElement('span');
      name.className = 'bar-name';
      name.textContent = humanize(reason);
      const track = document.createElement('span');
      track.className = 'bar-track';
      track.setAttribute('aria-hidden', 'true');
      const bar = document.createElement('span');
      bar.className = 'bar';
      track.append(bar);
      const value = document.createElement('span');
      value.className = 'bar-value';
      li.append(name, track, value);
    }
    const recent = inWindow[reason] ?? 0;
    li.dataset.count = String(count);
    li.dataset.window = String(recent);
    li.classList.toggle('zero', count === 0);
    li.querySelector('.bar').style.setProperty('width', `${(count / max) * 100}%`);
    li.querySelector('.bar-value').textContent = recent > 0 ? `${formatCount(count)} (+${recent})` : formatCount(count);
    return li;
  });
  if (rows.length === 0) {
    const li = document.createElement('li');
    li.className = 'empty';
    li.textContent = emptyText;
    rows.push(li);
  }
  list.replaceChildren(...rows);
}

function tableRows(rows) {
  return rows.map(([key, label, value]) => {
    const tr = document.createElement('tr');
    tr.dataset.counter = key;
    tr.dataset.count = String(value);
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = label;
    const td = document.createElement('td');
    td.className = 'num';
    td.textContent = typeof value === 'number' ? formatCount(value) : String(value);
    tr.append(th, td);
    return tr;
  });
}

function renderCounters(totals) {
  const rows = COUNTERS.map(([key, label]) => [key, label, totals[key] ?? 0]);
  for (const [group, label] of COUNTER_GROUPS) {
    const byReason = Object.entries(totals[group] ?? {});
    if (byReason.length === 0) rows.push([group, `${label}`, 0]);
    for (const [reason, count] of byReason) rows.push([`${group}.${reason}`, `${label}: ${reason}`, count]);
  }
  $('counters').tBodies[0].replaceChildren(...tableRows(rows));
}

let shownSettings = '';
function renderSettings(settings) {
  const json = JSON.stringify(settings ?? {});
  if (json === shownSettings) return;
  shownSettings = json;
  const rows = Object.entries(settings ?? {}).map(([key, value]) => [key, key, value]);
  $('settings').tBodies[0].replaceChildren(...tableRows(rows));
}

function windowText(ms) {
  return ms >= 60000 ? `${Math.round(ms / 60000)} min` : `${Math.round(ms / 1000)} s`;
}

function start() {
  const options = pageOptions(location.search);
  const history = new History(options.windowMs);
  const gapMs = Math.max(3 * options.intervalMs, options.intervalMs + 2000);
  const charts = {
    sessions: new LineChart($('chart-sessions'), {
      name: 'Open sessions', series: [{ key: 'sessions', label: 'open sessions' }],
      format: (v) => formatCount(v), maxLabel: $('chart-sessions-max'), minYMax: 1,
    }),
    rtt: new LineChart($('chart-rtt'), {
      name: 'Round-trip time', series: [{ key: 'p50', label: 'p50' }, { key: 'p99', label: 'p99' }],
      format: formatMs, maxLabel: $('chart-rtt-max'), minYMax: 0.1,
    }),
    fanout: new LineChart($('chart-fanout'), {
      name: 'Time-push fan-out', series: [{ key: 'fanout', label: 'fan-out' }],
      format: formatMs, maxLabel: $('chart-fanout-max'), minYMax: 0.1,
    }),
  };
  let polls = 0;
  let restartedAt = null;

  $('interval').textContent = options.intervalMs >= 1000 ? `${options.intervalMs / 1000} s` : `${options.intervalMs} ms`;
  $('window').textContent = windowText(options.windowMs);
  for (const from of document.querySelectorAll('.x-from')) from.textContent = `−${windowText(options.windowMs)}`;

  function drawCharts(now) {
    const frame = { from: now - options.windowMs, to: now, gapMs };
    charts.sessions.update({ ...frame, data: { sessions: history.series((s) => s.sessions) } });
    charts.rtt.update({ ...frame, data: { p50: history.series((s) => s.p50), p99: history.series((s) => s.p99) } });
    charts.fanout.update({ ...frame, data: { fanout: history.series((s) => s.fanout) } });
  }

  function onData(status, at) {
    polls += 1;
    const sample = toSample(status, at);
    if (history.add(sample)) restartedAt = new Date(at);
    const status$ = $('status');
    status$.textContent = 'ok';
    status$.dataset.state = 'ok';
    status$.dataset.code = '200';
    $('status-detail').textContent = restartedAt
      ? `server restarted at ${restartedAt.toLocaleTimeString()}: history starts again`
      : '';
    document.body.classList.remove('stale');
    $('updated').textContent = String(polls);
    $('updated').dataset.polls = String(polls);
    $('updated-at').textContent = new Date(at).toLocaleTimeString();
    $('updated-at').dateTime = new Date(at).toISOString();

    setNumber('sessions', formatCount(sample.sessions), sample.sessions);
    setNumber('topics', formatCount(status.topics), status.topics);
    setNumber('rtt-p50', formatMs(sample.p50), sample.p50);
    setNumber('rtt-p99', formatMs(sample.p99), sample.p99);
    setNumber('fanout', formatMs(sample.fanout), sample.fanout);
    setNumber('queued', formatBytes(status.outboundQueueBytes), status.outboundQueueBytes);
    setNumber('uptime', formatDuration(status.uptimeMs), status.uptimeMs);
    setNumber('scheduler', status.scheduler?.kind ?? UNKNOWN, status.scheduler?.kind);
    $('scheduler').title = status.scheduler?.name ?? '';

    drawCharts(at);
    const closedInWindow = history.increase('closed');
    renderBars($('closed-reasons'), sample.closed, closedInWindow, 'no sessions closed yet');
    renderBars($('client-causes'), sample.clientCauses, history.increase('clientCauses'), 'none reported yet');
    const covered = history.coveredMs();
    const closedRecently = Object.values(closedInWindow).reduce((a, b) => a + b, 0);
    $('closed-rate').textContent = covered >= 10000
      ? `${(closedRecently / (covered / 60000)).toFixed(1)} per min over the last ${windowText(covered)}.`
      : '';
    renderCounters(status.totals ?? {});
    renderSettings(status.settings);
  }

  function onFailure({ code, reason, retryInMs }) {
    const status$ = $('status');
    status$.textContent = 'unavailable';
    status$.dataset.state = 'unavailable';
    status$.dataset.code = String(code);
    const hint = FAILURE_HINTS[code];
    $('status-detail').textContent =
      `status unavailable: ${reason}${hint ? ` — ${hint}` : ''}; retrying in ${Math.round(retryInMs / 100) / 10} s`;
    document.body.classList.add('stale');
    drawCharts(Date.now());
  }

  createPoller({ url: new URL('api/status', document.baseURI), ...options, onData, onFailure }).start();
}

start();
