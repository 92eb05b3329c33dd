import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../src/protocol/sigv4/sign.js';

export const ROOT = { accessKeyId: 'AKIABENCHBENCHBENCH0', secretAccessKey: 'bench/bench/bench/bench/bench/bench/benc' };
/** The checkout this benchmark was built in (dist-bench/bench/.. /..). */
export const CHECKOUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(CHECKOUT, 'bin/iamd.js');

/**
 * Which Node runs a server, and the copy of the built checkout it runs from (bin/, dist/,
 * dist-bench/, node_modules/): this process's Node and this checkout unless a benchmark runs iamd
 * under another Node (bench/node-versions.ts: a copy whose better-sqlite3 is built for it).
 */
export interface Runtime {
  node: string;
  root: string;
}
export const THIS_RUNTIME: Runtime = { node: process.execPath, root: CHECKOUT };

export interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Node flags for the server process. IAMD_BENCH_CPU_PROF=<dir> profiles every iamd a benchmark
 * starts (`node --cpu-prof`); the profile is written when the server exits on SIGTERM.
 * IAMD_BENCH_NODE_ARGS adds any other flags (space-separated).
 */
export function serverNodeArgs(): string[] {
  const args: string[] = [];
  const profDir = process.env.IAMD_BENCH_CPU_PROF;
  if (profDir) {
    fs.mkdirSync(profDir, { recursive: true });
    args.push('--cpu-prof', `--cpu-prof-dir=${path.resolve(profDir)}`);
  }
  if (process.env.IAMD_BENCH_NODE_ARGS) args.push(...process.env.IAMD_BENCH_NODE_ARGS.split(/\s+/).filter(Boolean));
  return args;
}

/**
 * How the server runs:
 * - `--quiet`: no access log; its other lines, on stderr, passed on but for the routine info lines;
 * - as shipped, to a file: access log on, stderr (where iamd writes every log line) appended to
 *   `accessLog`, as a service manager or `2>>file` would have it;
 * - as shipped, to the bench: access log on, each access line handed to `onAccessLine` (with its
 *   `ms` and `requestId`), the other lines passed on as for `--quiet`.
 */
export type LogMode = { quiet: true } | { quiet: false; accessLog: string } | { quiet: false; onAccessLine: (line: string) => void };

/** Starts the built `iamd serve` on a free loopback port and resolves once it says where. */
export async function startIamd(
  args: string[] = ['--memory'],
  env: Record<string, string> = {},
  logMode: LogMode = { quiet: true },
  runtime: Runtime = THIS_RUNTIME,
): Promise<Server & { startedAt: bigint }> {
  const startedAt = process.hrtime.bigint();
  const accessLog = 'accessLog' in logMode ? logMode.accessLog : undefined;
  const onAccessLine = 'onAccessLine' in logMode ? logMode.onAccessLine : undefined;
  // O_APPEND: the run may truncate the file between measurements, and the server's writes land at the new end.
  const logFd = accessLog === undefined ? undefined : fs.openSync(accessLog, 'a');
  const child = spawn(runtime.node, [...serverNodeArgs(), path.join(runtime.root, 'bin/iamd.js'), 'serve', '--port', '0', ...(logMode.quiet ? ['--quiet'] : []), ...args], {
    env: { ...process.env, IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId, IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey, ...env },
    stdio: ['ignore', 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) fs.closeSync(logFd); // the child has its own copy
  // The server's own log goes to stderr: pass on all but its routine info lines (the access log's among them).
  let pending = '';
  child.stderr?.on('data', (d: Buffer) => {
    const lines = (pending + d.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (!/^\{"level":"info"/.test(line)) process.stderr.write(line + '\n');
      else onAccessLine?.(line);
    }
  });
  const url = await listeningUrl(child, (code) => `iamd exited with ${code}${accessLog === undefined ? '' : `: ${fs.readFileSync(accessLog, 'utf8').slice(-2000)}`}`);
  return {
    url,
    child,
    startedAt,
    stop: () => stopChild(child),
  };
}

/**
 * The URL in a child's "… listening on URL" line (iamd's, and the floor's, which prints the same),
 * once it is on stdout; rejects with `failure(code)` if the child exits first.
 */
export function listeningUrl(child: ChildProcess, failure: (code: number | null) => string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      const m = /listening on (\S+)/.exec((out += d.toString()));
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(failure(code))));
  });
}

/** SIGTERM to a child, resolved once it has exited (at once if it already has). */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The form body of a Query request: IAM's API version, then the parameters. */
export function queryBody(params: Record<string, string>): string {
  return new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
}

/** One signed Query call; resolves to the HTTP status and body. */
export async function call(url: string, params: Record<string, string>, credentials = ROOT): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  const body = queryBody(params);
  const signed = signRequest(
    { method: 'POST', headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
    { credentials, region: 'us-east-1', service: 'iam' },
  );
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([k]) => k !== 'host').map(([k, v]) => [k, String(v)]));
  const res = await fetch(url + '/', { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** VmRSS of a process in KiB, as /proc reports it (throws once the process has gone). */
function vmRssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** VmRSS of a process, in MB (10^6 bytes); undefined once it has gone. */
export function rssMB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    return (vmRssKiB(pid) * 1024) / 1e6;
  } catch {
    return undefined;
  }
}

export function rssMiB(pid: number): number {
  return vmRssKiB(pid) / 1024;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const median = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);

/** The element whose `key` is the median (the lower middle one for an even count). */
export const medianBy = <T>(xs: readonly T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)]!;

export function printTable(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}\n${'-'.repeat(title.length)}`);
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
}
