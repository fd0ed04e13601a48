// Pulse demo page: one PulseClient, its state and statistics on screen, and an event log.
// Element ids are stable for browser tests (see docs/client.md "Demo page").

import { PulseClient, CloseCode } from '../js/pulse-client.js';

const LOG_LIMIT = 200;
const CLOCK_REFRESH_MS = 100;

/** ws(s)://host/<context>/ws, from wherever this page is served (e.g. /pulse/ -> /pulse/ws). */
function endpointUrl() {
  const url = new URL('ws', document.baseURI);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.hash = '';
  url.search = '';
  return url.href;
}

const $ = (id) => document.getElementById(id);
const el = {
  state: $('state'),
  serverTime: $('server-time'),
  serverDate: $('server-date'),
  timeCount: $('time-count'),
  timeSeq: $('time-seq'),
  rtt: $('rtt'),
  offset: $('offset'),
  reconnects: $('reconnects'),
  downtime: $('downtime'),
  lastDisconnect: $('last-disconnect'),
  session: $('session'),
  log: $('log'),
  drop: $('drop'),
  reconnect: $('reconnect'),
  verbose: $('verbose'),
  endpoint: $('endpoint'),
};

const codeNames = Object.fromEntries(Object.entries(CloseCode).map(([name, code]) => [code, name]));

const pad = (n, width = 2) => String(n).padStart(width, '0');

function clockText(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${Math.floor(d.getMilliseconds() / 100)}`;
}

function stampText(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function msText(ms) {
  if (ms === null || ms === undefined) return '–';
  const abs = Math.abs(ms);
  if (abs >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  return `${ms.toFixed(abs < 10 ? 1 : 0)} ms`;
}

function disconnectText(d) {
  if (!d) return '–';
  // drop() reuses 4000 on the wire; its name (HEARTBEAT_TIMEOUT) would mislead here.
  const name = codeNames[d.code] && d.cause !== 'dropped' ? ` ${codeNames[d.code]}` : '';
  const reason = d.reason ? ` “${d.reason}”` : '';
  const retry = d.retryAfterMs !== null && d.retryAfterMs !== undefined ? `, retry after ${d.retryAfterMs} ms` : '';
  return `${d.code}${name}${reason} — ${d.cause}, ${d.wasClean ? 'clean' : 'unclean'}${retry}, at ${stampText(d.at)}`;
}

function log(event, detail = '', cssClass = `ev-${event}`) {
  const li = document.createElement('li');
  const time = document.createElement('time');
  time.textContent = stampText(Date.now());
  const ev = document.createElement('span');
  ev.className = `ev ${cssClass}`;
  ev.textContent = event;
  li.append(time, ev, document.createTextNode(detail));
  el.log.prepend(li);
  while (el.log.children.length > LOG_LIMIT) el.log.lastElementChild.remove();
}

function renderStats() {
  const s = client.stats;
  el.rtt.textContent = msText(s.rtt);
  el.offset.textContent = s.clockOffset === null ? '–' : `${s.clockOffset >= 0 ? '+' : ''}${msText(s.clockOffset)}`;
  el.reconnects.textContent = String(s.reconnects);
  el.downtime.textContent = msText(s.downtimeMs);
  el.lastDisconnect.textContent = disconnectText(s.lastDisconnect);
  el.session.textContent = client.sessionId || '–';
}

function renderState(state) {
  el.state.textContent = state;
  el.state.dataset.state = state;
}

const url = endpointUrl();
el.endpoint.textContent = url;
const client = new PulseClient(url);
window.pulse = client; // for the console and browser tests

let timeCount = 0;

client.on('state', ({ state, previous }) => {
  renderState(state);
  renderStats();
  log('state', `${previous} → ${state}`, `ev-state-${state}`);
});
client.on('open', ({ sessionId, reconnected }) => {
  renderStats();
  log('open', `session ${sessionId}${reconnected ? ' (reconnected)' : ''}, heartbeat ${client.heartbeatInterval}/${client.heartbeatTimeout} ms`);
});
client.on('close', ({ code, reason, wasClean }) => {
  renderStats();
  const dropped = client.stats.lastDisconnect?.cause === 'dropped';
  log('close', `${code}${codeNames[code] && !dropped ? ` ${codeNames[code]}` : ''}${reason ? ` “${reason}”` : ''} ${wasClean ? 'clean' : 'unclean'}`);
});
client.on('time', (msg) => {
  timeCount++;
  el.serverTime.dataset.timeCount = String(timeCount);
  el.timeCount.textContent = String(timeCount);
  el.timeSeq.textContent = String(msg.seq);
  renderStats();
  if (el.verbose.checked) log('time', `seq ${msg.seq} ${msg.iso}`);
});
client.on('rtt', ({ rtt, offset }) => {
  renderStats();
  if (el.verbose.checked) log('rtt', `${msText(rtt)}, offset ${msText(offset)}`);
});
client.on('message', (data) => {
  log('message', typeof data === 'string' ? data : JSON.stringify(data));
});
client.on('error', (err) => {
  log('error', `${err.code}: ${err.message}`);
});

el.drop.addEventListener('click', () => {
  log('action', 'drop connection (local unclean close, code 4000)');
  client.drop();
});
el.reconnect.addEventListener('click', () => {
  log('action', 'reconnect now');
  client.reconnect();
});

function tick() {
  const now = client.now();
  el.serverTime.textContent = clockText(now);
  el.serverDate.textContent = `${new Date(now).toISOString()} (UTC) · offset ${client.stats.clockOffset === null ? 'unknown' : msText(client.stats.clockOffset)}`;
}
setInterval(tick, CLOCK_REFRESH_MS);
tick();
renderState(client.state);
renderStats();
client.connect();
