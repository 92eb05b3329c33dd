/**
 * wrk (Debian's package: C, epoll) as a second load generator, beside the in-process one: it
 * costs the shared cores far less per request than any Node client, so its figures are closer to
 * what the server can do on its own. wrk cannot sign, so a request is signed once and replayed:
 * a SigV4 signature stays valid for 15 minutes and carries no nonce, and AWS (and iamd) accept the
 * same signed request again within that window. Each wrk run gets a freshly signed request.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signRequest, type SigningCredentials } from '../src/protocol/sigv4/sign.js';
import { Http1Pool } from './http1.js';
import type { Stats } from './load.js';
import { queryBody } from './support.js';

/** The wrk to run: IAMD_BENCH_WRK (a path; `none` to leave wrk out, as on a machine without it), else wrk on the PATH. */
const WRK = process.env.IAMD_BENCH_WRK || 'wrk';

/** wrk's version, or undefined when there is no wrk to run. */
export function wrkVersion(): string | undefined {
  if (WRK === 'none') return undefined;
  const r = spawnSync(WRK, ['--version'], { encoding: 'utf8' });
  if (r.error) return undefined;
  return /wrk\s+(\S+)/.exec(`${r.stdout}${r.stderr}`)?.[1] ?? 'unknown version';
}

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A POST of the Query parameters to `url`, signed now for IAM in us-east-1. */
export function presign(url: string, credentials: SigningCredentials, params: Record<string, string>): SignedRequest {
  const target = new URL(url);
  const body = queryBody(params);
  const signed = signRequest(
    { method: 'POST', headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
    { credentials, region: 'us-east-1', service: 'iam' },
  );
  const headers: Record<string, string> = {};
  // wrk sends Host from the URL (the same host:port signed here) and Content-Length from the body.
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host' && k !== 'content-length') headers[k] = String(v);
  return { url, headers, body };
}

/**
 * Sends the same signed request twice and checks both answers are 200 and contain `expect`: wrk
 * counts only non-2xx answers, so this is where a server that refused a replay would show.
 */
export async function checkReplay(request: SignedRequest, expect: string): Promise<void> {
  const pool = new Http1Pool(new URL(request.url), 1);
  try {
    for (let i = 0; i < 2; i++) {
      const res = await pool.post('/', request.headers, request.body);
      if (res.status !== 200 || !res.body.includes(expect)) {
        throw new Error(`the ${i ? 'replayed' : 'pre-signed'} request answered ${res.status}: ${res.body.slice(0, 300)}`);
      }
    }
  } finally {
    pool.close();
  }
}

/** The request as a wrk script (wrk adds Host from its URL). */
export function luaScript(request: SignedRequest): string {
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(request.body)}`];
  for (const [k, v] of Object.entries(request.headers)) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  return `${lines.join('\n')}\n`;
}

export interface WrkOptions {
  connections: number;
  threads: number;
  durationS: number;
}

export type WrkStats = Stats & { non2xx: number; socketErrors: number };

/** wrk's "1.23ms" / "456.00us" / "1.02s" in milliseconds. */
function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 'ms' ? v : m[2] === 's' ? v * 1000 : v * 60_000;
}

/** Parses wrk's report (run with --latency). */
export function parseWrk(out: string): WrkStats {
  const total = /(\d+) requests in ([\d.]+)(us|ms|s|m)/.exec(out);
  if (!total) throw new Error(`could not read wrk's report:\n${out}`);
  const seconds = toMs(`${total[2]}${total[3]}`) / 1000;
  const pct = (p: string) => toMs(new RegExp(`^\\s*${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const max = /Latency\s+\S+\s+\S+\s+(\S+)/.exec(out)?.[1];
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  return {
    requests: Number(total[1]),
    seconds,
    perSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    p50: pct('50'),
    p99: pct('99'),
    max: max ? toMs(max) : NaN,
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0,
  };
}

/** One wrk run replaying `request`; throws if any answer was not 2xx (a refused replay). */
export async function runWrk(request: SignedRequest, o: WrkOptions): Promise<WrkStats> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bench-wrk-'));
  try {
    const script = path.join(dir, 'request.lua');
    fs.writeFileSync(script, luaScript(request));
    const duration = `${Math.max(1, Math.round(o.durationS))}s`;
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(WRK, ['-t', String(o.threads), '-c', String(o.connections), '-d', duration, '--latency', '-s', script, `${request.url}/`], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
    });
    const stats = parseWrk(out);
    if (stats.non2xx > 0) throw new Error(`wrk: ${stats.non2xx} of ${stats.requests} answers were not 2xx (was the replayed signed request refused?)\n${out}`);
    return stats;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
