'use strict';
// Starting and stopping the servers under test: Tomcat 11 (with the Pulse WAR or the bare
// endpoint WAR, each in a fresh CATALINA_BASE) and the ws reference server. Every process is
// started in its own process group and registered, so that whatever happens to the bench
// (normal end, error, Ctrl-C, SIGTERM) they are all stopped.

const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const net = require('node:net');
const { spawn, execFileSync } = require('node:child_process');

const BENCH = path.resolve(__dirname, '..');
const REPO = path.resolve(BENCH, '..');
const WORK = path.join(BENCH, '.work');
const TOMCAT_VERSION = '11.0.24';
const CATALINA_HOME = path.join(WORK, `apache-tomcat-${TOMCAT_VERSION}`);

// ---------------------------------------------------------------- cleanup of everything started
const started = new Set();
let cleanupInstalled = false;

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const killAll = () => {
    for (const p of started) killGroup(p.pid, 'SIGKILL');
    started.clear();
  };
  process.on('exit', killAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\n${sig}: stopping everything the bench started\n`);
      killAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`${e && e.stack}\n`);
    killAll();
    process.exit(1);
  });
}

/**
 * Spawns `cmd args` through bash with the soft open-file limit raised to the hard limit, in its
 * own process group, output appended to logFile. Returns the ChildProcess (pid = the final exec'd
 * program, since bash and catalina.sh both exec).
 */
function spawnServer(cmd, args, { env, logFile, cwd, pipe = false }) {
  installCleanup();
  let log = null;
  if (!pipe) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true });
    log = fs.openSync(logFile, 'a');
  }
  const child = spawn('bash', ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', 'bench', cmd, ...args], {
    env: env || process.env,
    cwd,
    detached: true,
    stdio: pipe ? ['ignore', 'pipe', 'pipe'] : ['ignore', log, log],
  });
  if (log !== null) fs.closeSync(log);
  started.add(child);
  child.exitPromise = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
  child.exitPromise.then(() => started.delete(child));
  return child;
}

async function stopServer(child, timeoutMs = 30000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  killGroup(child.pid, 'SIGTERM');
  const t = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
  await child.exitPromise;
  clearTimeout(t);
  killGroup(child.pid, 'SIGKILL'); // anything left in the group
}

// ---------------------------------------------------------------- helpers
function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function httpGet(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ status: 0, body: '' }));
  });
}

async function getJson(url) {
  const r = await httpGet(url);
  if (r.status !== 200) return null;
  try {
    return JSON.parse(r.body);
  } catch {
    return null;
  }
}

function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitFor(what, child, logFile, fn, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${what} exited during start-up; log ${logFile}:\n${tail(logFile)}`);
    }
    if (await fn()) return;
    await sleep(250);
  }
  throw new Error(`${what} not ready after ${timeoutMs} ms; log ${logFile}:\n${tail(logFile)}`);
}

function tail(file, lines = 30) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
}

// ---------------------------------------------------------------- artifacts
/** Tomcat from Maven Central (org.apache.tomcat:tomcat:VERSION:zip), unpacked under bench/.work. */
function ensureTomcat() {
  if (!fs.existsSync(path.join(CATALINA_HOME, 'bin', 'catalina.sh'))) {
    fs.mkdirSync(WORK, { recursive: true });
    const zip = path.join(WORK, `tomcat-${TOMCAT_VERSION}.zip`);
    if (!fs.existsSync(zip)) {
      process.stderr.write(`fetching Tomcat ${TOMCAT_VERSION} zip with Maven\n`);
      run('mvn', ['-q', '-B', 'dependency:copy', `-Dartifact=org.apache.tomcat:tomcat:${TOMCAT_VERSION}:zip`, `-DoutputDirectory=${WORK}`]);
    }
    run('unzip', ['-q', '-o', zip, '-d', WORK]);
  }
  for (const f of fs.readdirSync(path.join(CATALINA_HOME, 'bin'))) {
    if (f.endsWith('.sh')) fs.chmodSync(path.join(CATALINA_HOME, 'bin', f), 0o755);
  }
  return CATALINA_HOME;
}

/**
 * The Pulse WAR: an explicit path, or built from a commit of this repository (default HEAD) in
 * an isolated copy under bench/.work/pulse-build/<sha> (cached), so the bench measures committed
 * code and never touches the shared target/. <sha> is the last commit that changed pom.xml,
 * src/main or webapp-client/src.
 */
function pulseWar({ war, commit = 'HEAD' } = {}) {
  if (war) {
    const p = path.resolve(war);
    if (!fs.existsSync(p)) throw new Error(`no WAR at ${p}`);
    return { path: p, commit: null, source: p };
  }
  // the newest commit (at or before REV) that changed what goes into the WAR: bench-only commits
  // then reuse the same build
  const sha = execFileSync('git', ['log', '-1', '--format=%H', commit, '--', 'pom.xml', 'src/main', 'webapp-client/src'], { cwd: REPO })
    .toString()
    .trim() || execFileSync('git', ['rev-parse', commit], { cwd: REPO }).toString().trim();
  const dir = path.join(WORK, 'pulse-build', sha.slice(0, 12));
  const out = path.join(dir, 'target', 'pulse.war');
  if (!fs.existsSync(out)) {
    process.stderr.write(`building Pulse WAR from ${sha.slice(0, 12)} in ${dir}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execFileSync('bash', ['-c', `git archive ${sha} | tar -x -C "${dir}"`], { cwd: REPO, stdio: 'inherit' });
    run('mvn', ['-q', '-B', '-DskipTests', '-Dmaven.test.skip=true', 'package'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return { path: out, commit: sha, source: `git ${sha.slice(0, 12)}` };
}

/** The bare endpoint WAR (bench/bare-endpoint), built when missing or older than its sources. */
function bareWar() {
  const dir = path.join(BENCH, 'bare-endpoint');
  const out = path.join(dir, 'target', 'bare.war');
  const src = [path.join(dir, 'pom.xml'), path.join(dir, 'src/main/java/bench/bare/BareEndpoint.java')];
  const stale = !fs.existsSync(out) || src.some((f) => fs.statSync(f).mtimeMs > fs.statSync(out).mtimeMs);
  if (stale) {
    process.stderr.write('building bench/bare-endpoint\n');
    run('mvn', ['-q', '-B', 'package'], { cwd: dir });
  }
  return { path: out, commit: null, source: 'bench/bare-endpoint' };
}

/**
 * A copy of the Pulse WAR with bench/topic-ticker added (a listener that publishes
 * {"serverTime"} to topic "bench" every -Dbench.topicInterval ms), for topic fan-out runs.
 * Cached next to the WAR; rebuilt when the WAR or the ticker's source is newer.
 */
function tickerWar(war) {
  const src = path.join(BENCH, 'topic-ticker', 'bench', 'TopicTicker.java');
  const out = war.path.replace(/\.war$/, '-ticker.war');
  const stale = !fs.existsSync(out) || [war.path, src].some((f) => fs.statSync(f).mtimeMs > fs.statSync(out).mtimeMs);
  if (stale) {
    process.stderr.write(`adding the topic ticker to ${war.path}\n`);
    const tmp = fs.mkdtempSync(path.join(WORK, 'ticker-'));
    try {
      run('unzip', ['-q', war.path, 'WEB-INF/classes/*', 'WEB-INF/lib/*', '-d', tmp]);
      const lib = path.join(tmp, 'WEB-INF', 'lib');
      const cp = [path.join(tmp, 'WEB-INF', 'classes'), path.join(lib, '*'), path.join(ensureTomcat(), 'lib', '*')].join(':');
      const classes = path.join(tmp, 'out', 'WEB-INF', 'classes');
      run('javac', ['--release', '17', '-cp', cp, '-d', classes, src]);
      fs.copyFileSync(war.path, out);
      run('jar', ['uf', out, '-C', path.join(tmp, 'out'), 'WEB-INF/classes/bench/TopicTicker.class']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { ...war, path: out, source: `${war.source} + bench/topic-ticker` };
}

/** Option defaults for a Tomcat run, shared by compare.js and memprobe.js. */
const TOMCAT_DEFAULTS = {
  war: '',
  commit: 'HEAD',
  javaOpts: '-Xms2g -Xmx2g -XX:+UseG1GC',
  maxConnections: 30000,
  acceptCount: 1024,
  maxThreads: 200,
  connectorAttrs: '',
  contextParams: '',
};

/** The startTomcat() options that come from the parsed command line. */
function tomcatOptions(a) {
  return {
    javaOpts: a.javaOpts,
    maxConnections: a.maxConnections,
    acceptCount: a.acceptCount,
    maxThreads: a.maxThreads,
    connectorAttrs: kvList(a.connectorAttrs),
    contextParams: kvList(a.contextParams),
  };
}

/** What a result line records about the Tomcat a server ran in. */
function tomcatInfo(srv) {
  return { version: TOMCAT_VERSION, catalinaOpts: srv.catalinaOpts, connectorAttrs: srv.connectorAttrs, contextParams: srv.contextParams };
}

function xmlEscape(v) {
  return String(v).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** "a=1,b=2" → {a: '1', b: '2'} */
function kvList(text) {
  return Object.fromEntries(
    String(text || '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean)
      .map((kv) => {
        const i = kv.indexOf('=');
        if (i <= 0) throw new Error(`expected name=value, got '${kv}'`);
        return [kv.slice(0, i), kv.slice(i + 1)];
      }),
  );
}

// ---------------------------------------------------------------- servers
/**
 * Starts Tomcat with one WAR in a fresh CATALINA_BASE (bench/.work/base-NAME).
 * opts: name, war, context ('pulse' | 'bare'), port, env (extra), javaOpts, maxConnections,
 * acceptCount, maxThreads, logFile, readyPath (GET that must answer 200, or null for "any answer").
 */
async function startTomcat(opts) {
  const home = ensureTomcat();
  const base = path.join(WORK, `base-${opts.name}`);
  fs.rmSync(base, { recursive: true, force: true });
  for (const d of ['conf', 'webapps', 'logs', 'temp', 'work']) fs.mkdirSync(path.join(base, d), { recursive: true });
  for (const f of fs.readdirSync(path.join(home, 'conf'))) {
    const src = path.join(home, 'conf', f);
    if (fs.statSync(src).isFile()) fs.copyFileSync(src, path.join(base, 'conf', f));
  }
  // extra Connector attributes and context parameters (e.g. a leaner buffer profile)
  // An attribute the Connector already has (protocol, maxThreads, ...) gets the new value; others are added.
  let serverXml = fs.readFileSync(path.join(BENCH, 'tomcat', 'server.xml'), 'utf8');
  const added = [];
  for (const [k, v] of Object.entries(opts.connectorAttrs || {})) {
    const existing = new RegExp(`(<Connector\\b[^>]*\\s${k}=")[^"]*(")`);
    if (existing.test(serverXml)) serverXml = serverXml.replace(existing, (_, pre, post) => `${pre}${xmlEscape(v)}${post}`);
    else added.push(`${k}="${xmlEscape(v)}"`);
  }
  if (added.length) serverXml = serverXml.replace('connectionTimeout="20000"', `connectionTimeout="20000"\n               ${added.join('\n               ')}`);
  fs.writeFileSync(path.join(base, 'conf', 'server.xml'), serverXml);
  const params = Object.entries(opts.contextParams || {})
    .map(([k, v]) => `  <Parameter name="${xmlEscape(k)}" value="${xmlEscape(v)}" />`)
    .join('\n');
  if (params) {
    const ctxFile = path.join(base, 'conf', 'context.xml');
    fs.writeFileSync(ctxFile, fs.readFileSync(ctxFile, 'utf8').replace('</Context>', `${params}\n</Context>`));
  }
  fs.copyFileSync(opts.war, path.join(base, 'webapps', `${opts.context}.war`));
  const catalinaOpts = [
    opts.javaOpts || '',
    `-Dbench.port=${opts.port}`,
    `-Dbench.maxConnections=${opts.maxConnections}`,
    `-Dbench.acceptCount=${opts.acceptCount}`,
    `-Dbench.maxThreads=${opts.maxThreads}`,
  ].join(' ');
  const env = {
    ...process.env,
    ...opts.env,
    CATALINA_HOME: home,
    CATALINA_BASE: base,
    CATALINA_OPTS: catalinaOpts,
    CATALINA_PID: '',
  };
  if (await portInUse(opts.port)) throw new Error(`port ${opts.port} is already in use (use --port)`);
  const t0 = Date.now();
  const child = spawnServer(path.join(home, 'bin', 'catalina.sh'), ['run'], { env, logFile: opts.logFile, cwd: base });
  const url = `http://127.0.0.1:${opts.port}${opts.readyPath || '/'}`;
  await waitFor('Tomcat', child, opts.logFile, async () => {
    const r = await httpGet(url);
    return opts.readyPath ? r.status === 200 : r.status > 0;
  }, 180000);
  return {
    kind: 'tomcat',
    child,
    pid: child.pid,
    java: true,
    startMs: Date.now() - t0,
    base,
    catalinaOpts,
    connectorAttrs: opts.connectorAttrs || {},
    contextParams: opts.contextParams || {},
  };
}

/** Starts the ws reference server (node reference-server.js) with the given env settings. */
async function startReference({ port, env, logFile, exposeGc = false, nodeOpts = [] }) {
  if (await portInUse(port)) throw new Error(`port ${port} is already in use (use --port)`);
  const t0 = Date.now();
  const args = [...nodeOpts, ...(exposeGc ? ['--expose-gc'] : []), path.join(BENCH, 'reference-server.js'), '--port', String(port)];
  const child = spawnServer(process.execPath, args, { env: { ...process.env, ...env }, logFile, cwd: BENCH });
  await waitFor('reference server', child, logFile, async () => (await httpGet(`http://127.0.0.1:${port}/pulse/api/status`)).status === 200, 30000);
  return { kind: 'node', child, pid: child.pid, java: false, startMs: Date.now() - t0 };
}

module.exports = {
  TOMCAT_DEFAULTS,
  tomcatOptions,
  tomcatInfo,
  BENCH,
  REPO,
  WORK,
  TOMCAT_VERSION,
  ensureTomcat,
  pulseWar,
  bareWar,
  tickerWar,
  startTomcat,
  startReference,
  stopServer,
  spawnServer,
  installCleanup,
  killGroup,
  getJson,
  httpGet,
  kvList,
  portInUse,
  sleep,
  tail,
};
