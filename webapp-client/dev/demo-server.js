// Development stand-in for the WAR: serves the demo page and the client like the WAR does
// (/pulse/ -> src/main/webapp, /pulse/js/ -> webapp-client/src) and speaks the protocol subset
// at /pulse/ws, topics and presence included, with resume (epoch, seq, the last 100 messages of
// each topic, replay or gap) and disconnect reports (logged); unlike the plain WAR it publishes a
// client's topic message to that topic (an echo application). For trying the page without a
// servlet container; not used in production.
//
//   node dev/demo-server.js [port]        (default 8090, 127.0.0.1 only)
//
// Type in the terminal to act on every connected client:
//   kill     -> terminate the TCP connections (client sees 1006)
//   silent   -> stop answering and pushing (hung server; client's heartbeat deadline fires)
//   resume   -> answer again
//   shutdown -> close with 1001 '{"reason":"shutdown","retryAfterMs":3000}'
//   deny     -> close with 4401 (terminal)
//   epoch    -> a restart: every topic starts a new epoch and every client is closed with 1012;
//               their resumes get a gap (reason epoch)

import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';

const here = fileURLToPath(new URL('.', import.meta.url));
const ROOTS = [
  ['/pulse/js/', resolve(here, '../src')],
  ['/pulse/', resolve(here, '../../src/main/webapp')],
];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};
const HEARTBEAT_INTERVAL = Number(process.env.HEARTBEAT_INTERVAL || 5000);
const HEARTBEAT_TIMEOUT = Number(process.env.HEARTBEAT_TIMEOUT || 3000);
const TIME_INTERVAL = Number(process.env.TIME_INTERVAL || 1000);
const HISTORY_SIZE = 100;

/** Starts the server; resolves to { url, port, close(), act(command) }. */
export async function startDemoServer(port = 0, log = () => {}) {
  const http = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/' || path === '/pulse') {
      res.writeHead(302, { Location: '/pulse/' });
      res.end();
      return;
    }
    for (const [prefix, root] of ROOTS) {
      if (!path.startsWith(prefix)) continue;
      let file = normalize(join(root, path.slice(prefix.length)));
      if (!file.startsWith(root)) break;
      if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!existsSync(file)) break;
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream', 'Cache-Control': 'no-store' });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('not found');
  });

  const wss = new WebSocketServer({ server: http, path: '/pulse/ws' });
  let silent = false;
  let sessions = 0;
  /**
   * topic -> { epoch, seq, history: [{ seq, frame }], members: Map<socket, { id, presence }> }.
   * Topics stay when their last member leaves, so that a reconnecting client can resume.
   */
  const topics = new Map();
  const newTopic = () => ({ epoch: randomBytes(8).toString('hex'), seq: 0, history: [], members: new Map() });
  /** The replay for `since`, or the gap reason. */
  const resume = (t, since) => {
    if (since.epoch !== t.epoch) return { gap: 'epoch' };
    if (since.seq > t.seq) return { gap: 'history' };
    const missed = t.history.filter((e) => e.seq > since.seq);
    if (missed.length !== t.seq - since.seq) return { gap: 'history' };
    return { replay: missed.map((e) => e.frame) };
  };
  const send = (socket, msg) => socket.send(JSON.stringify(msg));
  const presence = (topic, except, event) => {
    for (const [peer, m] of topics.get(topic).members) {
      if (peer !== except && m.presence) send(peer, { type: 'presence', topic, event, member: { sessionId: except.pulseId } });
    }
  };
  const leave = (socket, topic) => {
    const t = topics.get(topic);
    if (!t || !t.members.delete(socket)) return;
    presence(topic, socket, 'leave');
  };
  const TOPIC = /^[A-Za-z0-9_.:/@-]{1,100}$/;
  wss.on('connection', (socket) => {
    const id = `dev-${++sessions}`;
    socket.pulseId = id;
    let seq = 0;
    log(`${id} connected`);
    socket.send(JSON.stringify({
      type: 'welcome', sessionId: id, protocol: 1, heartbeatInterval: HEARTBEAT_INTERVAL,
      heartbeatTimeout: HEARTBEAT_TIMEOUT, timeInterval: TIME_INTERVAL, serverTime: Date.now(),
    }));
    const pusher = setInterval(() => {
      if (silent) return;
      const now = Date.now();
      socket.send(JSON.stringify({ type: 'time', serverTime: now, iso: new Date(now).toISOString(), seq: ++seq }));
    }, TIME_INTERVAL);
    socket.on('close', (code, reason) => {
      clearInterval(pusher);
      for (const topic of [...topics.keys()]) leave(socket, topic);
      log(`${id} closed ${code} ${reason}`);
    });
    socket.on('message', (data, isBinary) => {
      if (silent) return;
      let msg = null;
      try {
        msg = JSON.parse(isBinary ? '' : data.toString());
      } catch {
        // not JSON
      }
      const hasTopic = msg && typeof msg.topic === 'string';
      if (msg && msg.type === 'heartbeat') {
        socket.send(JSON.stringify({ type: 'heartbeat_ack', ts: msg.ts, serverTime: Date.now() }));
      } else if (hasTopic && !TOPIC.test(msg.topic)) {
        send(socket, { type: 'error', code: 'bad_topic', message: 'topic must be 1 to 100 characters of letters, digits and _ - . : / @' });
      } else if (hasTopic && msg.type === 'subscribe') {
        if (!topics.has(msg.topic)) topics.set(msg.topic, newTopic());
        const t = topics.get(msg.topic);
        const joined = !t.members.has(socket);
        t.members.set(socket, { id, presence: msg.presence === true });
        const answer = { type: 'subscribed', topic: msg.topic, epoch: t.epoch, seq: t.seq };
        let replay = [];
        if (msg.since && typeof msg.since === 'object') {
          const r = resume(t, msg.since);
          if (r.gap) {
            send(socket, { type: 'gap', topic: msg.topic, epoch: t.epoch, seq: t.seq, reason: r.gap });
            log(`${id} resumes ${msg.topic} from ${msg.since.seq}: gap (${r.gap})`);
          } else {
            replay = r.replay;
            answer.recovered = replay.length;
            log(`${id} resumes ${msg.topic} from ${msg.since.seq}: ${replay.length} replayed`);
          }
        }
        if (msg.presence === true) answer.members = [...t.members.values()].map((m) => ({ sessionId: m.id }));
        send(socket, answer);
        for (const frame of replay) socket.send(frame);
        if (joined) presence(msg.topic, socket, 'join');
      } else if (hasTopic && msg.type === 'unsubscribe') {
        leave(socket, msg.topic);
        send(socket, { type: 'unsubscribed', topic: msg.topic });
      } else if (hasTopic && msg.type === 'message') {
        const t = topics.get(msg.topic);
        if (t) {
          t.seq++;
          const frame = JSON.stringify({ type: 'message', topic: msg.topic, data: msg.data ?? null, seq: t.seq });
          t.history.push({ seq: t.seq, frame });
          if (t.history.length > HISTORY_SIZE) t.history.shift();
          for (const peer of t.members.keys()) peer.send(frame);
        }
      } else if (msg && msg.type === 'disconnect_report') {
        log(`${id} reports its last disconnect: ${msg.cause}, code ${msg.code}, down ${msg.downtimeMs} ms`);
      } else {
        socket.send(JSON.stringify({ type: 'error', code: 'bad_message', message: 'unknown message' }));
      }
    });
  });

  await new Promise((ok) => http.listen(port, '127.0.0.1', ok));
  const actualPort = http.address().port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}/pulse/`,
    act(command) {
      for (const s of wss.clients) {
        if (command === 'kill') s.terminate();
        if (command === 'shutdown') s.close(1001, '{"reason":"shutdown","retryAfterMs":3000}');
        if (command === 'deny') s.close(4401, 'unauthorized');
      }
      if (command === 'epoch') {
        for (const name of topics.keys()) topics.set(name, newTopic());
        for (const s of wss.clients) s.close(1012, 'restart');
      }
      if (command === 'silent') silent = true;
      if (command === 'resume') silent = false;
    },
    close: () => new Promise((ok) => {
      for (const s of wss.clients) s.terminate();
      wss.close();
      http.close(ok);
    }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startDemoServer(Number(process.argv[2] || 8090), (line) => console.log(line));
  console.log(`Pulse demo on ${server.url} (commands: kill, silent, resume, shutdown, deny, epoch)`);
  createInterface({ input: process.stdin }).on('line', (line) => server.act(line.trim()));
}
