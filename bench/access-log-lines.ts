/**
 * What one access-log line costs the request that writes it, in CPU time on the main thread: the
 * logger iamd had first (JSON.stringify and a synchronous process.stderr.write per line), the line
 * through pino's generic path (its object walk and redaction; how access lines were written until
 * the logger got its own serialiser), and the access line as src/server/logger.ts writes it now
 * (serialised by accessLine(), into the same buffered asynchronous writer).
 * CPU time, not wall time, so that a busy shared machine moves the figures less; rounds alternate.
 * Send stderr to a file or a pipe, as a server's would be. The two differ: a regular file is
 * written synchronously (the access lines of a turn in one write, every pino line in its own), a
 * pipe asynchronously on libuv's thread pool:
 *
 *   npm run build && tsc -p bench/tsconfig.json && node dist-bench/bench/access-log-lines.js 2>lines.log
 *   ... 2> >(cat >/dev/null)
 */
import { type AccessLine, jsonLogger } from '../src/server/logger.js';

const LINES = Number(process.argv[2] ?? 50_000);
const ROUNDS = 3;

const fields = (i: number): AccessLine => ({
  method: 'POST',
  path: '/',
  status: 200,
  ms: 1.234567,
  requestId: `6b1f0a2e-1c2d-4e5f-8a9b-${String(i).padStart(12, '0')}`,
  action: 'GetLoginProfile',
  principal: 'arn:aws:iam::123456789012:user/alice',
});

/** The logger as it was (src/server/logger.ts before pino), for its access lines. */
const before = {
  access: (f: AccessLine) => process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', message: 'request', ...f }) + '\n'),
  close: async () => {},
};
const after = jsonLogger({ access: true });

async function measure(logger: { access(f: AccessLine): void; close(): Promise<void> | void }, drain: boolean): Promise<{ cpuUs: number; wallUs: number }> {
  const cpu = process.cpuUsage();
  const t = process.hrtime.bigint();
  for (let i = 0; i < LINES; i++) {
    logger.access(fields(i));
    // A turn of the event loop every 32 lines, as a server answering 32 connections has, so the
    // lines of a turn are written together and asynchronous writes can proceed.
    if (i % 32 === 31) await new Promise((r) => setImmediate(r));
  }
  if (drain) await logger.close();
  const used = process.cpuUsage(cpu);
  return { cpuUs: (used.user + used.system) / LINES, wallUs: Number(process.hrtime.bigint() - t) / 1e3 / LINES };
}

const results: Record<string, { cpuUs: number; wallUs: number }[]> = { before: [], pino: [], 'access line': [] };
for (let r = 0; r < ROUNDS; r++) {
  results.before!.push(await measure(before, false));
  results.pino!.push(await measure({ access: (f) => after.info('request', { ...f }), close: () => {} }, false));
  // Closed (drained) only after its last round: its figure includes writing everything out.
  results['access line']!.push(await measure({ access: after.access, close: after.close }, r === ROUNDS - 1));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const out = [
  `access-log lines: ${LINES} a round, ${ROUNDS} rounds, node ${process.version}`,
  '| logger | CPU µs/line (median) | wall µs/line (median) |',
  '| --- | ---: | ---: |',
  ...Object.entries(results).map(([name, xs]) => `| ${name} | ${median(xs.map((x) => x.cpuUs)).toFixed(2)} | ${median(xs.map((x) => x.wallUs)).toFixed(2)} |`),
];
console.log(out.join('\n'));
