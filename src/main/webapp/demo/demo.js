// Pulse demo page: one PulseClient, its state and statistics on screen, topics with presence,
// and an event log. Element ids are stable for browser tests (see docs/client.md "Demo page").
// Query parameters override client options and subscribe topics at load, e.g.
// /pulse/?minDelay=200&maxDelay=2000&topic=room-1

import { PulseClient, CloseCode, DEFAULTS, isValidTopic } from '../js/pulse-client.js';

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
  options: $('options'),
  topicForm: $('topic-form'),
  topic: $('topic'),
  presence: $('presence'),
  sendForm: $('send-form'),
  message: $('message'),
  topicList: $('topic-list'),
};

/**
 * Client options and topics from the query string: any numeric option of DEFAULTS
 * (`?minDelay=200&maxDelay=2000`, `maxRetries=Infinity`), and `topic` (repeatable) to subscribe
 * with presence before connecting. Anything else is reported and ignored.
 */
function pageSettings(search) {
  const params = new URLSearchParams(search);
  const options = {};
  const ignored = [];
  for (const [name, value] of params) {
    if (name === 'topic') continue;
    const number = value.trim() === '' ? NaN : Number(value);
    if (!Object.hasOwn(DEFAULTS, name) || Number.isNaN(number)) ignored.push(`${name}=${value}`);
    else options[name] = number;
  }
  return { options, topics: params.getAll('topic'), ignored };
}

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

/** drop() reuses 4000 on the wire; its name (HEARTBEAT_TIMEOUT) would mislead. */
function isDrop(d) {
  return Boolean(d) && d.cause === 'client' && d.code === CloseCode.HEARTBEAT_TIMEOUT;
}

function disconnectText(d) {
  if (!d) return '–';
  const name = codeNames[d.code] && !isDrop(d) ? ` ${codeNames[d.code]}` : '';
  const reason = d.reason ? ` “${d.reason}”` : '';
  const retry = d.retryAfterMs !== null && d.retryAfterMs !== undefined ? `, retry after ${d.retryAfterMs} ms` : '';
  return `${d.code}${name}${reason} — ${d.cause}, ${d.wasClean ? 'clean' : 'unclean'}${retry}, at ${stampText(d.at)}`;
}

function log(event, detail = '', cssClass = `ev-${event}`) {
  const li = document.createElement('li');
  li.dataset.event = event;
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
const settings = pageSettings(location.search);
for (const item of settings.ignored) log('error', `query parameter ignored: ${item}`);
let client;
try {
  client = new PulseClient(url, settings.options);
  el.options.textContent = Object.keys(settings.options).length > 0 ? JSON.stringify(settings.options) : 'defaults';
} catch (err) {
  log('error', `query options ignored: ${err.message}`);
  client = new PulseClient(url);
}
window.pulse = client; // for the console and browser tests

// ---------------------------------------------------------------- topics

/**
 * topic -> { off, presence, members: Map | null (unknown while disconnected), messages, subscribed,
 * recovered (messages replayed after reconnects), gaps, last }
 */
const topics = new Map();

function renderTopics() {
  const items = [];
  for (const [topic, t] of topics) {
    const li = document.createElement('li');
    li.dataset.topic = topic;
    li.dataset.messages = String(t.messages);
    li.dataset.subscribed = String(t.subscribed);
    li.dataset.recovered = String(t.recovered);
    li.dataset.gaps = String(t.gaps);
    li.dataset.members = t.presence && t.members ? String(t.members.size) : '';
    const name = document.createElement('span');
    name.className = 'topic-name';
    name.textContent = topic;
    const info = document.createElement('span');
    info.className = 'topic-info';
    const members = !t.presence ? 'no presence'
      : !t.members ? 'members –'
        : `${t.members.size} member${t.members.size === 1 ? '' : 's'}: ${[...t.members.values()]
          .map((m) => `${m.user || m.sessionId}${m.sessionId === client.sessionId ? ' (you)' : ''}`).join(', ')}`;
    const last = t.messages > 0 ? ` · last ${JSON.stringify(t.last)}` : '';
    const resumed = t.recovered > 0 || t.gaps > 0 ? ` · ${t.recovered} recovered, ${t.gaps} gap${t.gaps === 1 ? '' : 's'}` : '';
    info.textContent = `${members} · ${t.messages} message${t.messages === 1 ? '' : 's'}${last}${resumed}`;
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Unsubscribe';
    button.dataset.unsubscribe = topic;
    li.append(name, info, button);
    items.push(li);
  }
  el.topicList.replaceChildren(...items);
}

function subscribeTopic(topic, presence) {
  if (topics.has(topic)) {
    log('error', `already subscribed to ${topic}`);
    return;
  }
  let off;
  try {
    off = client.subscribe(topic, (data, message) => {
      const t = topics.get(topic);
      t.messages++;
      t.last = data;
      renderTopics();
      log('message', `${topic} #${message.seq}: ${JSON.stringify(data)}`);
    }, {
      presence,
      // The messages missed while away are gone: a real application reloads the topic's state here
      // (messages after gap.seq are new); the demo has nothing to reload and just counts.
      onGap: () => {
        topics.get(topic).gaps++;
        renderTopics();
      },
    });
  } catch (err) {
    log('error', err.message); // TypeError: not a valid topic name
    return;
  }
  topics.set(topic, { off, presence, members: null, messages: 0, subscribed: 0, recovered: 0, gaps: 0, last: undefined });
  log('action', `subscribe ${topic}${presence ? ' with presence' : ''}`);
  renderTopics();
}

for (const topic of settings.topics) subscribeTopic(topic, true);

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
  for (const t of topics.values()) t.members = null; // the next 'subscribed' brings the list afresh
  renderTopics();
  renderStats();
  const dropped = isDrop(client.stats.lastDisconnect);
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
client.on('subscribed', ({ topic, members }) => {
  const t = topics.get(topic);
  if (t) {
    t.subscribed++;
    if (members) t.members = new Map(members.map((m) => [m.sessionId, m]));
    renderTopics();
  }
  log('subscribed', `${topic}${members ? `, ${members.length} member${members.length === 1 ? '' : 's'}` : ''}`);
});
client.on('unsubscribed', ({ topic }) => log('unsubscribed', topic));
client.on('recovered', ({ topic, count }) => {
  const t = topics.get(topic);
  if (t) {
    t.recovered += count;
    renderTopics();
  }
  log('recovered', `${topic}: ${count} missed message${count === 1 ? '' : 's'} delivered`);
});
client.on('gap', ({ topic, reason, seq }) => {
  log('gap', `${topic}: ${reason === 'epoch' ? 'the topic started afresh' : 'the missed messages are no longer kept'}, now at #${seq}; an application reloads its state`);
});
client.on('presence', ({ topic, event, member }) => {
  const t = topics.get(topic);
  if (t && t.members) {
    if (event === 'join') t.members.set(member.sessionId, member);
    else t.members.delete(member.sessionId);
    renderTopics();
  }
  log('presence', `${topic}: ${member.user || member.sessionId} ${event === 'join' ? 'joined' : 'left'}`);
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
el.topicForm.addEventListener('submit', (event) => {
  event.preventDefault();
  subscribeTopic(el.topic.value.trim(), el.presence.checked);
});
el.sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const topic = el.topic.value.trim();
  if (!isValidTopic(topic)) {
    log('error', `not a valid topic name: ${JSON.stringify(topic)}`);
    return;
  }
  const text = el.message.value;
  const sent = client.send({ type: 'message', topic, data: text });
  log('action', `send to ${topic}: ${JSON.stringify(text)}${sent ? '' : ' (queued)'}`);
  el.message.value = '';
});
el.topicList.addEventListener('click', (event) => {
  const topic = event.target.dataset && event.target.dataset.unsubscribe;
  if (!topic || !topics.has(topic)) return;
  topics.get(topic).off();
  topics.delete(topic);
  log('action', `unsubscribe ${topic}`);
  renderTopics();
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
