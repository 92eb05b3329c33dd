/**
 * The benchmark (issues 7 and 18): iamd as a user runs it, under a SigV4-signing load generator
 * and wrk, beside a bare node:http server (the floor) and another IAM endpoint.
 *
 *   npm run bench -- [--duration S] [--warmup S] [--concurrency N] [--peer URL | --start-moto]
 *                    [--repeat N] [--scale-users N] [--probe-rate R] [--wrk-connections N]
 *                    [--wrk-threads N] [--write-results [--results-dir DIR]] [--cpu-prof DIR]
 *                    [--node-versions 22,24,26 | none] [--node-rounds N] [--only node-versions]
 *
 * iamd runs as shipped (access log on, stderr appended to a file) unless a row says --quiet.
 * Prints the reads against the floor (bench/floor-share.ts: GetLoginProfile and GetUser, as
 * shipped and --quiet, root and an IAM user, in-process generator and wrk where installed, p99 at
 * half rate beside the floor's), one table of every operation (requests/s, p50/p99, iamd beside
 * the peer with ratios), the cold start, idle and loaded RSS, the argon2 hash limit,
 * GetLoginProfile latency while password updates saturate hashing, and 1k vs N users on SQLite;
 * then iamd per Node version (bench/node-versions.ts): the same build under the run's Node and
 * under each of --node-versions (default 22,24,26; `none` skips it), Node from the registry's `node`
 * package through scripts/with-node.sh: its reads against the floor (as shipped, both generators,
 * the floor under the same Node; --node-rounds rounds, default 1, of --duration), cold start, idle
 * RSS and the argon2id hash; about 2 minutes a version at the defaults. A version with-node.sh
 * cannot provide is reported NOT MEASURED (and its target missed), never left out.
 * --only node-versions runs that section alone (exit status 1 if a version was not measured);
 * with --write-results it replaces only that section of RESULTS.md.
 * Then the targets, met or missed.
 * --repeat N (default 3) runs each read measurement N times and keeps the median: on a shared
 * 2-core VM the machine's own speed drifts by a third between runs, and one stall of the host can
 * set a single run's p99. --wrk-connections (default 32) and --wrk-threads (default 1) set wrk;
 * IAMD_BENCH_WRK=<path> runs another wrk, IAMD_BENCH_WRK=none none (the wrk columns then say so).
 * A full default run (--start-moto, 1M users, Node 22, 24 and 26) takes about 35 minutes on 2 cores.
 * --write-results writes bench/RESULTS.md and bench/results.svg (--results-dir DIR: into DIR instead). --cpu-prof DIR profiles the
 * main iamd server and the scale servers (node --cpu-prof) into DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argon2Hasher } from '../src/crypto/argon2-hasher.js';
import { encodeMarker } from '../src/domain/paging.js';
import { closedLoop, openLoop, peakSampler, SignedClient, type Stats } from './load.js';
import {
  floorShareFacts,
  floorShareTable,
  type HalfRun,
  lateRun,
  markdown,
  machineLine,
  mainTable,
  nodeVersionsFactsTable,
  nodeVersionsMarkdown,
  nodeVersionsMissing,
  nodeVersionsReadsTable,
  otherFacts,
  printFacts,
  scaleFacts,
  scaleTable,
  SCALE_OPS,
  svg,
  targetsTable,
  type OpRow,
  type Results,
  type ScaleSide,
  type Target,
} from './report.js';
import { bulkLoad, scaleUserName } from './scale.js';
import { median, medianBy, ROOT, rssMB, startIamd, stopChild, type LogMode } from './support.js';
import { measureFloorShare } from './floor-share.js';
import { apiOperations, consoleSignIn, setUp, type Operation } from './workloads.js';
import { measureSts } from './sts-measure.js';
import { measureHash, measureHashThroughput } from './hash-time.js';
import { measureNodeVersions, parseNodeVersions, type NodeVersions } from './node-versions.js';

// ---------------------------------------------------------------------------------------------
// Options

function parseArgs(argv: string[]) {
  const o = {
    durationS: 10,
    warmupS: 1,
    concurrency: 16,
    repeat: 3,
    peer: undefined as string | undefined,
    startMoto: false,
    scaleUsers: 1_000_000,
    probeRate: 200,
    wrkConnections: 32,
    wrkThreads: 1,
    writeResults: false,
    resultsDir: undefined as string | undefined,
    cpuProf: undefined as string | undefined,
    nodeVersions: [22, 24, 26] as number[],
    nodeRounds: 1,
    only: undefined as 'node-versions' | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = () => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${a} needs a non-negative number`);
      return v;
    };
    switch (a) {
      case '--duration': o.durationS = num(); break;
      case '--warmup': o.warmupS = num(); break;
      case '--concurrency': o.concurrency = Math.max(1, Math.floor(num())); break;
      case '--repeat': o.repeat = Math.max(1, Math.floor(num())); break;
      case '--peer': o.peer = value(); break;
      case '--start-moto': o.startMoto = true; break;
      case '--scale-users': o.scaleUsers = Math.floor(num()); break;
      case '--probe-rate': o.probeRate = Math.max(1, num()); break;
      case '--wrk-connections': o.wrkConnections = Math.max(1, Math.floor(num())); break;
      case '--wrk-threads': o.wrkThreads = Math.max(1, Math.floor(num())); break;
      case '--write-results': o.writeResults = true; break;
      case '--results-dir': o.resultsDir = path.resolve(value()); break;
      case '--cpu-prof': o.cpuProf = path.resolve(value()); break;
      case '--node-versions': o.nodeVersions = parseNodeVersions(value()); break;
      case '--node-rounds': o.nodeRounds = Math.max(1, Math.floor(num())); break;
      case '--only': {
        const v = value();
        if (v !== 'node-versions') throw new Error(`--only knows node-versions, not ${v}`);
        o.only = v;
        break;
      }
      case '--help':
        console.log(fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0]);
        process.exit(0);
      default:
        throw new Error(`unknown option ${a} (see --help)`);
    }
  }
  if (o.peer && o.startMoto) throw new Error('--peer and --start-moto exclude each other');
  if (o.only === 'node-versions' && !o.nodeVersions.length) throw new Error('--only node-versions with --node-versions none measures nothing');
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const DURATION = opts.durationS * 1000;
const WARMUP = opts.warmupS * 1000;
const log = (line: string) => process.stderr.write(`${line}\n`);

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

// ---------------------------------------------------------------------------------------------
// moto

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function startMoto(): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  const client = new SignedClient(url, ROOT, 1);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await client.call({ Action: 'ListUsers' })).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer within 30 s: ${stderr}`);
    await sleep(200);
  }
  client.close();
  return {
    url,
    child,
    stop: () => stopChild(child),
  };
}

// ---------------------------------------------------------------------------------------------
// Measurements

/** Where iamd as shipped appends its stderr (the access log); the run truncates it now and then. */
const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bench-run-'));
process.on('exit', () => fs.rmSync(runDir, { recursive: true, force: true }));
const SHIPPED_LOG = path.join(runDir, 'iamd-stderr.log');
const SHIPPED: LogMode = { quiet: false, accessLog: SHIPPED_LOG };

/** Spawn to the first signed 200, on a fresh connection. `profile`: under --cpu-prof, profile this server. */
async function coldStart(
  args: string[],
  profile = false,
  logMode: LogMode = { quiet: true },
  env: Record<string, string> = {},
): Promise<{ ms: number; server: Awaited<ReturnType<typeof startIamd>> }> {
  if (profile && opts.cpuProf) process.env.IAMD_BENCH_CPU_PROF = opts.cpuProf;
  try {
    const server = await startIamd(args, env, logMode);
    const client = new SignedClient(server.url, ROOT, 1);
    await client.ok({ Action: 'GetUser' });
    const elapsed = Number(process.hrtime.bigint() - server.startedAt) / 1e6;
    client.close();
    return { ms: elapsed, server };
  } finally {
    if (profile && opts.cpuProf) delete process.env.IAMD_BENCH_CPU_PROF;
  }
}

/** CPU seconds (user + system) a process has used so far; undefined once it has gone. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}

/** The CPU each side used during the last measured runs, in % of one core. */
export const cpuLog: { side: string; label: string; client: number; server?: number }[] = [];

async function runOperation(name: string, operation: Operation, serverPid?: number, concurrency = opts.concurrency): Promise<Stats> {
  if (WARMUP > 0) await closedLoop(operation.op, concurrency, WARMUP);
  const c0 = process.cpuUsage();
  const s0 = cpuSeconds(serverPid);
  const stats = await closedLoop(operation.op, concurrency, DURATION);
  const c1 = process.cpuUsage(c0);
  const s1 = cpuSeconds(serverPid);
  const client = ((c1.user + c1.system) / 1e6 / stats.seconds) * 100;
  const server = s0 !== undefined && s1 !== undefined ? ((s1 - s0) / stats.seconds) * 100 : undefined;
  cpuLog.push({ side: name, label: operation.label, client, server });
  log(
    `  ${name.padEnd(6)} ${operation.label.padEnd(42)} ${stats.perSecond.toFixed(0).padStart(7)} req/s  p50 ${stats.p50.toFixed(2)} ms  p99 ${stats.p99.toFixed(2)} ms` +
      `  (CPU: client ${client.toFixed(0)} %, server ${server === undefined ? '?' : server.toFixed(0)} %)`,
  );
  return stats;
}

async function runHalf(name: string, operation: Operation, max: Stats): Promise<HalfRun> {
  const rate = Math.max(1, max.perSecond / 2);
  const stats = await openLoop(operation.op, rate, DURATION);
  log(`  ${name.padEnd(6)} ${`${operation.label} @ ${rate.toFixed(0)}/s`.padEnd(42)} ${stats.perSecond.toFixed(0).padStart(7)} req/s  p50 ${stats.p50.toFixed(2)} ms  p99 ${stats.p99.toFixed(2)} ms${stats.late ? `  (${stats.late} sent late)` : ''}`);
  return { ...stats, rate };
}

/**
 * A read: the closed-loop maximum, then the open loop at half of it, `--repeat` times. Keeps the
 * run with the median throughput and the half-rate run with the median p99; returns every
 * half-rate run too, so the report can show them all.
 */
async function runRead(name: string, operation: Operation, serverPid?: number): Promise<{ max: Stats; half: HalfRun; halves: HalfRun[] }> {
  const maxes: Stats[] = [];
  const halves: HalfRun[] = [];
  for (let i = 0; i < opts.repeat; i++) {
    const max = await runOperation(name, operation, serverPid);
    maxes.push(max);
    halves.push(await runHalf(name, operation, max));
  }
  return { max: medianBy(maxes, (s) => s.perSecond), half: medianBy(halves, (h) => h.p99), halves };
}

const SHORT: Record<string, string> = {
  GetLoginProfile: 'GetLoginProfile',
  GetUser: 'GetUser',
  ListUsers: 'ListUsers (100)',
  CreateUser: 'CreateUser',
  UpdateLoginProfilePassword: 'UpdateLP (password)',
  UpdateLoginProfileFlag: 'UpdateLP (flag)',
  ConsoleSignIn: 'Console sign-in',
};
const ORDER = ['GetLoginProfile', 'GetUser', 'ListUsers', 'CreateUser', 'UpdateLoginProfilePassword', 'UpdateLoginProfileFlag', 'ConsoleSignIn'];

// ---------------------------------------------------------------------------------------------
// The run

const loadBefore = os.loadavg();
const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
log(`iamd benchmark: ${os.cpus().length} cores, ${cpu}, Node ${process.version}; load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')}`);
log(`  ${opts.concurrency} in flight, ${opts.durationS} s per operation after ${opts.warmupS} s warm-up`);
const runId = Date.now().toString(36);
const rows = new Map<string, OpRow>();
const row = (op: Operation) => {
  let r = rows.get(op.key);
  if (!r) rows.set(op.key, (r = { key: op.key, label: op.label, short: SHORT[op.key] ?? op.key }));
  return r;
};

const cores = os.cpus().length;
/** The argon2id hash timed just before and just after the UpdateLoginProfile (new password) run. */
let hashTimes: { before: number; after: number; parallelPerSecond: number } | undefined;

/** The per-Node-version section (bench/node-versions.ts); undefined with --node-versions none. */
async function runNodeVersions(): Promise<NodeVersions | undefined> {
  if (!opts.nodeVersions.length) return undefined;
  log(`per Node version: this run's Node and ${opts.nodeVersions.filter((m) => m !== Number(process.versions.node.split('.')[0])).join(', ') || 'no other'}; reads against the floor (as shipped), cold start, RSS, argon2id hash`);
  return measureNodeVersions({
    majors: opts.nodeVersions,
    durationMs: DURATION,
    warmupMs: WARMUP,
    concurrency: opts.concurrency,
    rounds: opts.nodeRounds,
    wrk: { connections: opts.wrkConnections, threads: opts.wrkThreads },
    runId,
    accessLog: SHIPPED_LOG,
    log,
  });
}

/** Prints the per-Node-version tables; a version not measured is named, loudly. */
function printNodeVersions(nv: NodeVersions | undefined): void {
  if (!nv) {
    console.log('\nPer Node version: not run (--node-versions none)');
    return;
  }
  console.log('\nPer Node version (the same build; reads as shipped against the floor under the same Node)\n');
  for (const m of nodeVersionsMissing(nv)) console.log(`WARNING: NOT MEASURED: ${m}`);
  console.log(nodeVersionsReadsTable(nv));
  console.log('');
  console.log(nodeVersionsFactsTable(nv));
}

const resultsDir = opts.resultsDir ?? path.dirname(fileURLToPath(import.meta.url)).replace(/dist-bench[\\/]bench$/, 'bench');

/** The targets table's row for the per-Node-version section: every version asked for measured. */
function nodeVersionsTarget(nv: NodeVersions): { name: string; goal: string; value: string; met: boolean } {
  const missing = nodeVersionsMissing(nv);
  const measured = nv.versions.filter((v) => v.share).map((v) => v.version!);
  return {
    name: `iamd measured per Node version (the run's and ${opts.nodeVersions.join(', ')})`,
    goal: 'every one',
    value: missing.length ? `NOT MEASURED: ${missing.join('; ')}` : measured.join(', '),
    met: missing.length === 0,
  };
}

if (opts.only === 'node-versions') {
  const nv = (await runNodeVersions())!;
  const machine = { cores, cpu, node: process.version, date: new Date().toISOString(), os: `${os.type()} ${os.release()}`, loadBefore, loadAfter: os.loadavg() };
  console.log(`\niamd benchmark, per Node version only — ${machineLine({ machine })}`);
  printNodeVersions(nv);
  if (opts.writeResults) {
    // Only this section of RESULTS.md is replaced (or added): the rest stays from the last full run.
    const file = path.join(resultsDir, 'RESULTS.md');
    const generated = `Generated on its own by \`npm run bench -- ${process.argv.slice(2).join(' ')}\` (bench/run.ts), apart from the rest of this file: ${machineLine({ machine })}.`;
    const section = nodeVersionsMarkdown(nv, generated).trimEnd();
    fs.mkdirSync(resultsDir, { recursive: true });
    const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# iamd benchmark results\n';
    const heading = '## Per Node version';
    const start = previous.indexOf(`\n${heading}\n`);
    let next: string;
    if (start < 0) next = `${previous.trimEnd()}\n\n${section}\n`;
    else {
      const end = previous.indexOf('\n## ', start + heading.length + 1);
      next = `${previous.slice(0, start + 1)}${section}\n${end < 0 ? '' : previous.slice(end)}`;
    }
    // And its row of the targets table, which the last full run wrote.
    const target = nodeVersionsTarget(nv);
    const row = `| ${target.name} | ${target.goal} | ${target.value} (measured on its own, see "Per Node version") | ${target.met ? 'met' : 'MISSED'} |`;
    next = next.replace(/^\| iamd measured per Node version.*$/m, () => row);
    fs.writeFileSync(file, next);
    console.log(`\nwrote the "Per Node version" section of ${file} and its row of the targets`);
  }
  // A version asked for and not measured fails the run (a full run reports it as a missed target).
  process.exit(nodeVersionsMissing(nv).length ? 1 : 0);
}

log('cold start (--memory, as shipped), 5 times');
const coldSamples: number[] = [];
for (let i = 0; i < 5; i++) {
  const { ms: t, server } = await coldStart(['--memory'], false, SHIPPED);
  coldSamples.push(t);
  await server.stop();
}

// The reads against the floor, first: the done criteria of issue 18.
log(`reads against the floor: as shipped and --quiet, root and an IAM user, in-process generator and wrk, ${opts.repeat} round(s)`);
const floorShare = await measureFloorShare({
  durationMs: DURATION,
  warmupMs: WARMUP,
  concurrency: opts.concurrency,
  repeat: opts.repeat,
  wrk: { connections: opts.wrkConnections, threads: opts.wrkThreads },
  runId,
  log,
});

log('iamd (--memory, as shipped): every operation');
fs.truncateSync(SHIPPED.accessLog, 0);
// CreateUser runs flat out for --duration: thousands of users a second, past AWS's default quota of
// 5000 users per account (LimitExceeded), so this server's account has it raised, as an AWS
// account can (IAMD_QUOTAS).
const iamd = await coldStart(['--memory'], true, SHIPPED, { IAMD_QUOTAS: JSON.stringify({ UsersQuota: 100_000_000 }) });
// The access log grows by about a megabyte a second under load: keep the file small.
const trimLog = setInterval(() => fs.truncateSync(SHIPPED.accessLog, 0), 5000);
await sleep(1000);
const idleRss = rssMB(iamd.server.child.pid) ?? NaN;
const iamdRss = peakSampler(() => rssMB(iamd.server.child.pid));
const client = new SignedClient(iamd.server.url, ROOT, Math.max(64, opts.concurrency * 2));
let contention: Results['contention'] | undefined;
try {
  await setUp(client, runId);
  const ops = apiOperations(client, runId);
  // A warm-up pass over the cheap operations first, so the first one measured is not also the
  // one the JIT compiles the shared path (signature check, XML writer) for.
  for (const op of ops.filter((o) => !/Password|CreateUser/.test(o.key))) if (WARMUP > 0) await closedLoop(op.op, opts.concurrency, WARMUP);
  for (const op of ops) {
    const r = row(op);
    if (op.key === 'UpdateLoginProfilePassword') {
      // The hash limit is timed next to the run it bounds: the machine's speed drifts.
      const before = await measureHash();
      r.iamd = await runOperation('iamd', op, iamd.server.child.pid);
      hashTimes = { before, after: await measureHash(), parallelPerSecond: await measureHashThroughput(cores, DURATION / 2) };
    } else if (op.read) {
      ({ max: r.iamd, half: r.iamdHalf, halves: r.iamdHalfRuns } = await runRead('iamd', op, iamd.server.child.pid));
    } else {
      r.iamd = await runOperation('iamd', op, iamd.server.child.pid);
    }
  }
  const signIn = await consoleSignIn(client, runId);
  row(signIn).iamd = await runOperation('iamd', signIn, iamd.server.child.pid);

  // GetLoginProfile, open loop at a fixed rate, while password updates keep every hashing thread busy.
  const update = ops.find((o) => o.key === 'UpdateLoginProfilePassword')!;
  const read = ops.find((o) => o.key === 'GetLoginProfile')!;
  const saturate = closedLoop(update.op, opts.concurrency, DURATION + 1000);
  await sleep(500);
  const probe = await openLoop(read.op, opts.probeRate, DURATION);
  const updates = await saturate;
  contention = { probeRate: opts.probeRate, probe, updates };
  log(`  iamd   GetLoginProfile @ ${opts.probeRate}/s during password updates: p50 ${probe.p50.toFixed(2)} ms  p99 ${probe.p99.toFixed(2)} ms; updates ${updates.perSecond.toFixed(1)}/s`);
} finally {
  client.close();
  iamdRss.stop();
  clearInterval(trimLog);
  await iamd.server.stop();
}
const loadedRss = iamdRss.peak();

// The peer.
let peerName = 'peer';
let peerRss: Results['peerRssMB'];
if (opts.peer || opts.startMoto) {
  const moto = opts.startMoto ? await startMoto() : undefined;
  const url = opts.peer ?? moto!.url;
  peerName = opts.startMoto || /moto/i.test(url) ? 'moto' : 'peer';
  log(`${peerName} (${url})`);
  const sampler = moto && peakSampler(() => rssMB(moto.child.pid));
  const idle = moto && rssMB(moto.child.pid);
  const peerClient = new SignedClient(url, ROOT, Math.max(64, opts.concurrency * 2));
  try {
    const listed = await setUp(peerClient, runId);
    if (listed !== 100) log(`  note: ${peerName}'s ListUsers answers ${listed} users per call (it ignores MaxItems); the ListUsers rows compare unequal pages`);
    for (const op of apiOperations(peerClient, runId, { peer: true })) {
      const r = row(op);
      if (op.read) ({ max: r.peer, half: r.peerHalf, halves: r.peerHalfRuns } = await runRead(peerName, op, moto?.child.pid));
      else r.peer = await runOperation(peerName, op, moto?.child.pid);
    }
  } finally {
    peerClient.close();
    sampler?.stop();
    await moto?.stop();
  }
  if (sampler && idle !== undefined) peerRss = { idle, loaded: sampler.peak() };
}

// Scale: 1k vs N users on SQLite.
let scale: Results['scale'];
if (opts.scaleUsers > 0) {
  const small = Math.min(1000, opts.scaleUsers);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bench-scale-'));
  try {
    log(`scale: bulk loading ${small} and ${opts.scaleUsers} users (one precomputed argon2id hash)`);
    const hash = await argon2Hasher().hash('Bench-Scale-Passw0rd!');
    const smallLoad = await bulkLoad(path.join(root, 'small'), small, hash);
    const bigLoad = await bulkLoad(path.join(root, 'big'), opts.scaleUsers, hash, log);
    log(`  ${opts.scaleUsers} users in ${bigLoad.seconds.toFixed(1)} s, ${(bigLoad.bytes / 1e6).toFixed(1)} MB (${(bigLoad.bytes / opts.scaleUsers).toFixed(0)} bytes per user)`);
    // Each data dir is started once to bootstrap it (root credentials, settings), then again for
    // the measurements: the second start is the cold start reported. Both servers stay up and the
    // two sizes run alternately, twice each, the better run of each kept, so that the machine's
    // drifting load falls on both alike.
    const open = async (dir: string, users: number) => {
      await (await coldStart(['--data-dir', dir])).server.stop();
      await sleep(300);
      const { ms: cold, server } = await coldStart(['--data-dir', dir], true);
      await sleep(500);
      const idle = rssMB(server.child.pid) ?? NaN;
      const c = new SignedClient(server.url, ROOT, Math.max(64, opts.concurrency * 2));
      const pick = () => scaleUserName(Math.floor(Math.random() * users));
      const middle = encodeMarker(scaleUserName(Math.floor(users / 2)));
      const pageSize = Math.min(100, users - Math.floor(users / 2) - 1);
      const ops: Record<string, () => Promise<void>> = {
        GetUser: async () => void (await c.ok({ Action: 'GetUser', UserName: pick() })),
        GetLoginProfile: async () => void (await c.ok({ Action: 'GetLoginProfile', UserName: pick() })),
        ListUsersFirst: async () => {
          const body = await c.ok({ Action: 'ListUsers', MaxItems: '100' });
          if (users > 100 && !body.includes('<IsTruncated>true</IsTruncated>')) throw new Error('ListUsers: expected a truncated page');
        },
        ListUsersMiddle: async () => {
          const body = await c.ok({ Action: 'ListUsers', MaxItems: '100', Marker: middle });
          if ((body.match(/<member>/g)?.length ?? 0) !== pageSize) throw new Error('ListUsers (middle): wrong page size');
        },
      };
      const name = users >= 1e6 ? `${users / 1e6}M` : users >= 1000 ? `${users / 1000}k` : String(users);
      return { users, dir, cold, idle, server, c, ops, name, results: {} as Record<string, Stats> };
    };
    const sides = [await open(path.join(root, 'small'), small), await open(path.join(root, 'big'), opts.scaleUsers)];
    try {
      for (const [key, label] of SCALE_OPS) {
        for (let round = 0; round < 2; round++) {
          for (const sd of sides) {
            const st = await runOperation(sd.name, { key, label, op: sd.ops[key]! }, sd.server.child.pid);
            if (!sd.results[key] || st.perSecond > sd.results[key]!.perSecond) sd.results[key] = st;
          }
        }
      }
    } finally {
      for (const sd of sides) {
        sd.c.close();
        await sd.server.stop();
      }
    }
    const side = (sd: (typeof sides)[number], bytes: number): ScaleSide => ({ users: sd.users, bytes, coldStartMs: sd.cold, idleRssMB: sd.idle, ops: sd.results });
    const smallSide = side(sides[0]!, smallLoad.bytes);
    const bigSide = side(sides[1]!, bigLoad.bytes);
    scale = { load: { users: opts.scaleUsers, seconds: bigLoad.seconds, bytes: bigLoad.bytes }, smallLoadSeconds: smallLoad.seconds, small: smallSide, big: bigSide };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Targets and output

const R = (k: string) => rows.get(k);
const targets: Target[] = [];
const hasPeer = [...rows.values()].some((r) => r.peer);
const shipped = floorShare.cells.filter((c) => c.mode === 'as shipped');
const who = (c: (typeof shipped)[number]) => `${c.read} as shipped, ${c.caller}`;
// What a server doing only SigV4 and a read reached in the same run, beside the figures it bounds.
const referenceWrk = floorShare.reference?.wrk?.perSecond;
const floorWrk = floorShare.floor.wrk?.perSecond;
const referenceWrkShare = referenceWrk && floorWrk ? `; SigV4 + read alone: ${((referenceWrk / floorWrk) * 100).toFixed(0)} %` : '';
for (const c of shipped) {
  const x = c.wrk && floorWrk ? c.wrk.perSecond / floorWrk : undefined;
  targets.push({
    name: `${who(c)}: req/s ÷ floor's, with wrk`,
    goal: '≥ 50 %',
    value: x === undefined ? 'wrk not installed' : `${(x * 100).toFixed(0)} % (${c.wrk!.perSecond.toFixed(0)} of ${floorWrk!.toFixed(0)}/s${referenceWrkShare})`,
    met: x === undefined ? null : x >= 0.5,
  });
}
for (const c of shipped) {
  const peer = R(c.read)?.peer;
  const x = peer ? c.inproc.perSecond / peer.perSecond : undefined;
  targets.push({
    name: `${who(c)}: req/s ÷ ${peerName}'s (in-process generator)`,
    goal: '≥ 40×',
    value: x === undefined ? 'no peer' : `${x.toFixed(1)}× (${c.inproc.perSecond.toFixed(0)} vs ${peer!.perSecond.toFixed(0)}/s)`,
    met: x === undefined ? null : x >= 40,
  });
}
for (const c of shipped) {
  const h = c.half!;
  const f = c.floorHalf!;
  const x = h.p99 / f.p99;
  const ref = c.referenceHalf ? `; SigV4 + read alone: ${(c.referenceHalf.p99 / f.p99).toFixed(2)}×` : '';
  targets.push({
    name: `${who(c)}: p99 at 50% of max rate (${h.rate.toFixed(0)}/s) ÷ floor's p99 at that rate`,
    goal: '≤ 2×',
    value: `${x.toFixed(2)}× (${h.p99.toFixed(2)} vs ${f.p99.toFixed(2)} ms${ref})`,
    met: x <= 2,
  });
}
const updateRate = R('UpdateLoginProfilePassword')!.iamd!.perSecond;
const hashMs = (hashTimes!.before + hashTimes!.after) / 2;
const hashLimit = (cores * 1000) / hashMs;
log(`argon2id: ${hashTimes!.before.toFixed(1)} ms per hash before the update run, ${hashTimes!.after.toFixed(1)} ms after; limit ${hashLimit.toFixed(1)}/s on ${cores} cores`);
targets.push({
  name: 'UpdateLoginProfile (new password) ÷ hash limit',
  goal: '≥ 85 %',
  value: `${((updateRate / hashLimit) * 100).toFixed(0)} % (${updateRate.toFixed(1)} of ${hashLimit.toFixed(1)}/s; the binding alone, ${cores} at once: ${hashTimes!.parallelPerSecond.toFixed(1)}/s)`,
  met: updateRate / hashLimit >= 0.85,
});
targets.push({ name: 'GetLoginProfile p99 while updates saturate hashing', goal: '< 25 ms', value: `${contention!.probe.p99.toFixed(2)} ms`, met: contention!.probe.p99 < 25 });
if (scale) {
  for (const [k, label] of [['GetUser', 'GetUser'], ['ListUsersFirst', 'ListUsers first page'], ['ListUsersMiddle', 'ListUsers page from the middle']] as const) {
    const x = scale.small.ops[k]!.perSecond / scale.big.ops[k]!.perSecond;
    targets.push({ name: `${label}: ${scale.big.users} vs ${scale.small.users} users, mean time`, goal: '≤ 1.5×', value: `${x.toFixed(2)}×`, met: x <= 1.5 });
  }
} else {
  targets.push({ name: 'GetUser and ListUsers at 1M vs 1k users', goal: '≤ 1.5×', value: 'not run', met: null });
}
const coldMs = median(coldSamples);
targets.push({ name: 'cold start to first answer', goal: '< 500 ms', value: `${coldMs.toFixed(0)} ms`, met: coldMs < 500 });
targets.push({ name: 'idle RSS', goal: '< 120 MB', value: `${idleRss.toFixed(1)} MB`, met: idleRss < 120 });

// STS (issue 14): AssumeRole's rate (one sequential client) and what a read signed with session
// credentials costs against the same read signed with an access key (sts-measure.ts).
log('STS: AssumeRole, and GetRole signed with session credentials against an access key');
const sts = await measureSts();
targets.push({
  name: `GetRole signed with session credentials ÷ with an access key (AssumeRole: ${sts.assumeRolePerSecond.toFixed(0)} req/s, one client)`,
  goal: '≤ 1.2×',
  value: `${sts.ratio.toFixed(2)}× (${sts.sessionReadMs.toFixed(3)} vs ${sts.keyReadMs.toFixed(3)} ms)`,
  met: sts.ratio <= 1.2,
});

// iamd under each Node version (issue 18): last, so it adds to the run without moving the other sections.
const nodeVersions = await runNodeVersions();
if (nodeVersions) {
  targets.push(nodeVersionsTarget(nodeVersions));
} else {
  targets.push({ name: 'iamd measured per Node version', goal: 'every one', value: 'not run (--node-versions none)', met: null });
}

const results: Results = {
  machine: { cores, cpu, node: process.version, date: new Date().toISOString(), os: `${os.type()} ${os.release()}`, loadBefore, loadAfter: os.loadavg() },
  settings: { durationS: opts.durationS, warmupS: opts.warmupS, concurrency: opts.concurrency, repeat: opts.repeat, peer: opts.peer ?? (opts.startMoto ? 'moto_server (started by the run)' : undefined), peerName, short: opts.durationS < 10 },
  rows: ORDER.map((k) => rows.get(k)).filter((r): r is OpRow => r !== undefined),
  coldStartMs: coldMs,
  coldStartSamples: coldSamples,
  idleRssMB: idleRss,
  loadedRssMB: loadedRss,
  peerRssMB: peerRss,
  hash: { ms: hashMs, msBefore: hashTimes!.before, msAfter: hashTimes!.after, cores, limit: hashLimit, parallelPerSecond: hashTimes!.parallelPerSecond, updatePerSecond: updateRate, fraction: updateRate / hashLimit },
  contention: contention!,
  floorShare,
  scale,
  nodeVersions,
  targets,
};

console.log(`\niamd benchmark — ${machineLine(results)}`);
console.log(`${opts.concurrency} in flight, ${opts.durationS} s per operation; every request SigV4-signed; "@50%" = open-loop run at half the max rate; iamd as shipped (access log to a file) unless --quiet\n`);
console.log('Reads against the floor (bare node:http, same generators, same rounds)\n');
console.log(floorShareTable(results));
if (floorShare.cells.some((c) => lateRun(c.half) || lateRun(c.floorHalf))) console.log('† the load generator sent over 1 % of that run\'s requests more than 5 ms late (starved of CPU)');
console.log(printFacts('', floorShareFacts(results)));
console.log('\nEvery operation (in-process generator)\n');
console.log(mainTable(results));
if (results.rows.some((r) => lateRun(r.iamdHalf) || lateRun(r.peerHalf))) console.log('† the load generator sent over 1 % of that run\'s requests more than 5 ms late (starved of CPU)');
console.log('');
console.log(printFacts('', otherFacts(results)));
printNodeVersions(nodeVersions);
const st = scaleTable(results);
if (st) {
  console.log(`\nScale (SQLite data dir): ${results.scale!.small.users} vs ${results.scale!.big.users} users\n`);
  console.log(st);
  console.log(printFacts('', scaleFacts(results)));
}
console.log('\nTargets\n');
console.log(targetsTable(results));
if (!hasPeer) console.log('\n(no --peer / --start-moto: the ×moto targets were not measured)');

/** Headings of the sections of bench/RESULTS.md that other benchmarks write (see amplification.ts writeSection). */
const FOREIGN_SECTIONS = ['## Amplification: the largest body per operation'];

if (opts.writeResults) {
  const dir = resultsDir;
  fs.mkdirSync(dir, { recursive: true });
  // Sections other benchmarks write into the same file (npm run bench:amplification) are kept.
  const file = path.join(dir, 'RESULTS.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = FOREIGN_SECTIONS.flatMap((heading) => {
    const start = previous.indexOf(heading);
    if (start < 0) return [];
    const end = previous.indexOf('\n## ', start + heading.length);
    return [previous.slice(start, end < 0 ? undefined : end + 1).trimEnd()];
  });
  fs.writeFileSync(file, [markdown(results).trimEnd(), ...kept].join('\n\n') + '\n');
  fs.writeFileSync(path.join(dir, 'results.svg'), svg(results));
  console.log(`\nwrote ${path.join(dir, 'RESULTS.md')} and ${path.join(dir, 'results.svg')}`);
}
