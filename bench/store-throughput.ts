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
import { closedLoop, SignedClient, type Stats } from './load.js';
import { markdownTable } from './report.js';
import { ROOT, startIamd } from './support.js';

const CONCURRENCY = 16;
const DURATION_MS = 5_000;
const WARMUP_MS = 1_000;

interface Result extends Stats {
  store: string;
  operation: string;
}

async function measure(store: string, args: string[]): Promise<Result[]> {
  // PostgreSQL requires a master key; a random one serves a throwaway bench database.
  const server = await startIamd(args, args.includes('--database') ? { IAMD_MASTER_KEY: randomBytes(32).toString('base64') } : {});
  const client = new SignedClient(server.url, ROOT, CONCURRENCY);
  try {
    await client.ok({ Action: 'CreateUser', UserName: 'bench' });
    await client.ok({ Action: 'CreateLoginProfile', UserName: 'bench', Password: 'Bench-Store-Passw0rd!' });
    let flag = false;
    const operations: [string, () => Record<string, string>][] = [
      ['GetLoginProfile', () => ({ Action: 'GetLoginProfile', UserName: 'bench' })],
      ['UpdateLoginProfile (flag only)', () => ({ Action: 'UpdateLoginProfile', UserName: 'bench', PasswordResetRequired: String((flag = !flag)) })],
    ];
    const results: Result[] = [];
    for (const [operation, params] of operations) {
      const op = async () => void (await client.ok(params()));
      await closedLoop(op, CONCURRENCY, WARMUP_MS);
      results.push({ store, operation, ...(await closedLoop(op, CONCURRENCY, DURATION_MS)) });
    }
    return results;
  } finally {
    client.close();
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
console.log(
  markdownTable(
    ['store', 'operation', 'requests/s', 'p50 ms', 'p99 ms'],
    results.map((r) => [r.store, r.operation, r.perSecond.toFixed(0), r.p50.toFixed(2), r.p99.toFixed(2)]),
    2,
  ),
);
