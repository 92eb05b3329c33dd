/**
 * Store throughput: GetLoginProfile and UpdateLoginProfile (the reset flag only, so no hashing)
 * through the whole server, on SQLite (a file) and on PostgreSQL (a throw-away local server, as
 * the tests start it), 16 requests in flight for 5 seconds each, after a 1-second warm-up.
 *
 *   npm run bench:store
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, startPostgres } from '../test/support/postgres.js';
import { call, percentile, startIamd } from './support.js';

const CONCURRENCY = 16;
const DURATION_MS = 5_000;
const WARMUP_MS = 1_000;

interface Result {
  store: string;
  operation: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** CONCURRENCY loops calling `params` back to back for `ms`; every answer must be 200. */
async function load(url: string, params: () => Record<string, string>, ms: number): Promise<number[]> {
  const latencies: number[] = [];
  const until = Date.now() + ms;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        const res = await call(url, params());
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (res.status !== 200) throw new Error(`${params().Action} answered ${res.status}: ${res.body}`);
      }
    }),
  );
  return latencies;
}

async function measure(store: string, args: string[]): Promise<Result[]> {
  // PostgreSQL requires a master key; a random one serves a throwaway bench database.
  const server = await startIamd(args, args.includes('--database') ? { IAMD_MASTER_KEY: randomBytes(32).toString('base64') } : {});
  try {
    const url = server.url;
    await call(url, { Action: 'CreateUser', UserName: 'bench' });
    const created = await call(url, { Action: 'CreateLoginProfile', UserName: 'bench', Password: 'Bench-Store-Passw0rd!' });
    if (created.status !== 200) throw new Error(`CreateLoginProfile: ${created.body}`);
    let flag = false;
    const operations: [string, () => Record<string, string>][] = [
      ['GetLoginProfile', () => ({ Action: 'GetLoginProfile', UserName: 'bench' })],
      ['UpdateLoginProfile (flag only)', () => ({ Action: 'UpdateLoginProfile', UserName: 'bench', PasswordResetRequired: String((flag = !flag)) })],
    ];
    const results: Result[] = [];
    for (const [operation, params] of operations) {
      await load(url, params, WARMUP_MS);
      const started = process.hrtime.bigint();
      const latencies = await load(url, params, DURATION_MS);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      latencies.sort((a, b) => a - b);
      results.push({
        store,
        operation,
        requests: latencies.length,
        perSecond: latencies.length / seconds,
        p50: percentile(latencies, 50),
        p99: percentile(latencies, 99),
      });
    }
    return results;
  } finally {
    await server.stop();
  }
}

const results: Result[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bench-store-'));
try {
  results.push(...(await measure('SQLite (file, WAL)', ['--data-dir', dir])));
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
const postgres = await startPostgres();
try {
  results.push(...(await measure('PostgreSQL (local, 1 node)', ['--database', await createDatabase(postgres, 'bench')])));
} finally {
  await postgres.stop();
}

const title = `iamd store throughput: ${CONCURRENCY} in flight, ${DURATION_MS / 1000} s each (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version})`;
console.log(`\n${title}\n${'-'.repeat(title.length)}`);
const header = ['store', 'operation', 'requests/s', 'p50 ms', 'p99 ms'];
const rows = results.map((r) => [r.store, r.operation, r.perSecond.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2)]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
console.log(line(header));
console.log(`|${widths.map((w, i) => (i >= 2 ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`);
for (const r of rows) console.log(line(r));
