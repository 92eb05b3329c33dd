/**
 * iamd's figures per Node version (issue 18): the same build run under this process's Node and
 * under other majors (22, 24 and 26 by default), each measured the same way, one version after the
 * other:
 *
 * - the reads against the floor (bench/floor-share.ts's measurement, as shipped only, no half-rate
 *   runs): GetLoginProfile and GetUser, root and an IAM user, in-process generator and wrk where
 *   installed, the floor run under the same Node as the iamd it is compared with;
 * - cold start to the first signed answer (--memory, as shipped, median of 5) and RSS 1 s after it;
 * - the argon2id hash (bench/hash-time.ts in a process of its own under that Node).
 *
 * Another major's Node comes from scripts/with-node.sh (the registry's `node` package, cached), in
 * its own copy of the checkout (IAMD_NODE_TREE=bench, so a test run's copy is never rewritten
 * under it): a --memory server opens SQLite in memory, so it loads better-sqlite3 (13, a Node-API
 * build for every Node, on 22 and later). The copy is refreshed from this checkout (dist/ included)
 * when the section starts: the same build. A version with-node.sh cannot provide is reported as not
 * measured, with the reason, never left out.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { measureFloorShare, type FloorShare } from './floor-share.js';
import { SignedClient } from './load.js';
import { CHECKOUT, median, ROOT, rssMB, startIamd, THIS_RUNTIME, type LogMode, type Runtime } from './support.js';

export interface NodeVersionResult {
  /** The major asked for (this process's for the current one). */
  major: number;
  /** The exact version measured, e.g. v22.23.3; undefined when it could not be run. */
  version?: string;
  /** This process's Node (the one every other section of the run uses). */
  current: boolean;
  /** Why this version was not measured (scripts/with-node.sh failed, or a measurement threw). */
  error?: string;
  share?: FloorShare;
  coldStartSamples?: number[];
  coldStartMs?: number;
  idleRssMB?: number;
  hashMs?: number;
}

export interface NodeVersions {
  /** The other majors asked for (--node-versions), beside the current Node. */
  requested: number[];
  rounds: number;
  seconds: number;
  versions: NodeVersionResult[];
}

const currentMajor = Number(process.versions.node.split('.')[0]);

/** The majors --node-versions names: a comma-separated list, or `none`. */
export function parseNodeVersions(text: string): number[] {
  if (text === 'none') return [];
  const majors = text.split(',').map((x) => x.trim()).filter(Boolean);
  if (!majors.length || majors.some((m) => !/^\d+$/.test(m))) throw new Error(`--node-versions needs majors such as 22,24 (or none), not ${JSON.stringify(text)}`);
  return [...new Set(majors.map(Number))];
}

/**
 * Node `major` through scripts/with-node.sh: installs it on first use, refreshes the bench's copy
 * of the checkout, and reports the binary, its exact version and the copy. Its own lines (install,
 * linking) go to the log.
 */
export async function prepareNode(major: number, log: (line: string) => void): Promise<Runtime & { version: string }> {
  const script = path.join(CHECKOUT, 'scripts/with-node.sh');
  const report = 'process.stdout.write(JSON.stringify({ version: process.version, node: process.execPath, root: process.cwd() }))';
  return new Promise((resolve, reject) => {
    const child = spawn(script, [String(major), 'node', '-e', report], {
      cwd: CHECKOUT,
      env: { ...process.env, IAMD_NODE_TREE: 'bench' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let logged = 0;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      // Whole lines only (a chunk may end mid-line).
      const end = err.lastIndexOf('\n') + 1;
      for (const line of err.slice(logged, end).split('\n')) if (line.trim()) log(`    ${line}`);
      logged = Math.max(logged, end);
    });
    child.once('error', (e) => reject(new Error(`scripts/with-node.sh ${major} could not start: ${e.message}`)));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`scripts/with-node.sh ${major} exited with ${code}: ${lastLine(err)}`));
      try {
        const r = JSON.parse(out) as { version: string; node: string; root: string };
        if (Number(r.version.slice(1).split('.')[0]) !== major) throw new Error(`asked for Node ${major}, got ${r.version}`);
        resolve(r);
      } catch (e) {
        reject(new Error(`scripts/with-node.sh ${major}: ${(e as Error).message} (${out.slice(0, 200)})`));
      }
    });
  });
}

const lastLine = (text: string) => text.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '(no output)';

/** The argon2id hash ms (median of 20) in a fresh process under `runtime`'s Node. */
async function hashMs(runtime: Runtime): Promise<number> {
  const script = path.join(runtime.root, 'dist-bench/bench/hash-time.js');
  return new Promise((resolve, reject) => {
    const child = spawn(runtime.node, [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`hash-time.js exited with ${code}: ${lastLine(err)}`));
      resolve((JSON.parse(out) as { ms: number }).ms);
    });
  });
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** Spawn to the first signed 200 on a fresh connection, 5 times; RSS 1 s after the last start. */
async function coldStarts(runtime: Runtime, logMode: LogMode): Promise<{ samples: number[]; idleRssMB: number }> {
  const samples: number[] = [];
  let idle = NaN;
  for (let i = 0; i < 5; i++) {
    const server = await startIamd(['--memory'], {}, logMode, runtime);
    try {
      const client = new SignedClient(server.url, ROOT, 1);
      await client.ok({ Action: 'GetUser' });
      samples.push(Number(process.hrtime.bigint() - server.startedAt) / 1e6);
      client.close();
      if (i === 4) {
        await sleep(1000);
        idle = rssMB(server.child.pid) ?? NaN;
      }
    } finally {
      await server.stop();
    }
  }
  return { samples, idleRssMB: idle };
}

export async function measureNodeVersions(o: {
  majors: number[];
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  rounds: number;
  wrk: { connections: number; threads: number };
  runId: string;
  /** Where iamd as shipped appends its stderr for the cold starts. */
  accessLog: string;
  log: (line: string) => void;
}): Promise<NodeVersions> {
  const { log } = o;
  const others = o.majors.filter((m) => m !== currentMajor);
  const versions: NodeVersionResult[] = [{ major: currentMajor, version: process.version, current: true }];
  const runtimes = new Map<NodeVersionResult, Runtime>([[versions[0]!, THIS_RUNTIME]]);
  // Every Node is installed (and the copy refreshed) before anything is measured: an install or a
  // compile does not overlap a measurement.
  for (const major of others) {
    const v: NodeVersionResult = { major, current: false };
    versions.push(v);
    log(`  Node ${major}: scripts/with-node.sh (the registry's node package; the bench's copy of this checkout)`);
    try {
      const r = await prepareNode(major, log);
      v.version = r.version;
      runtimes.set(v, r);
    } catch (e) {
      v.error = (e as Error).message;
      log(`  WARNING: Node ${major} is NOT MEASURED: ${v.error}`);
    }
  }
  for (const v of versions) {
    const runtime = runtimes.get(v);
    if (!runtime) continue;
    log(`  Node ${v.version}${v.current ? ' (this run\'s)' : ''}: cold start ×5, idle RSS, argon2id hash, reads against the floor (${o.rounds} round${o.rounds > 1 ? 's' : ''})`);
    try {
      const cold = await coldStarts(runtime, { quiet: false, accessLog: o.accessLog });
      v.coldStartSamples = cold.samples;
      v.coldStartMs = median(cold.samples);
      v.idleRssMB = cold.idleRssMB;
      v.hashMs = await hashMs(runtime);
      log(`    cold start ${v.coldStartMs.toFixed(0)} ms (${cold.samples.map((s) => s.toFixed(0)).join(', ')}), idle RSS ${v.idleRssMB.toFixed(1)} MB, argon2id ${v.hashMs.toFixed(1)} ms per hash`);
      v.share = await measureFloorShare({
        durationMs: o.durationMs,
        warmupMs: o.warmupMs,
        concurrency: o.concurrency,
        repeat: o.rounds,
        wrk: o.wrk,
        runId: `${o.runId}n${v.major}`,
        log,
        runtime,
        modes: ['as shipped'],
        halfRate: false,
        reference: false,
      });
    } catch (e) {
      v.error = `measuring failed: ${(e as Error).message.split('\n')[0]}`;
      log(`  WARNING: Node ${v.version} is NOT MEASURED: ${v.error}`);
    }
  }
  return { requested: o.majors, rounds: o.rounds, seconds: o.durationMs / 1000, versions };
}
