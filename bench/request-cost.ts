/**
 * What one read costs iamd's request path in-process, without HTTP: QueryApi.handle() called in a
 * loop with one pre-signed request (a SigV4 signature stays valid for 15 minutes), for root and for
 * an IAM user whose attached policy allows the read. The HTTP edge and the access log are measured
 * by `npm run bench` (against the floor); this is the part that is iamd's own, to profile and cut.
 *
 *   npm run bench:request-cost [-- --seconds 3 | --requests N [--warmup N]] [--only GetUser,root] [--concurrency 32]; profile with node --cpu-prof dist-bench/bench/request-cost.js
 */
import v8 from 'node:v8';
import { IAMClient, CreateUserCommand, CreateLoginProfileCommand, CreateAccessKeyCommand, CreatePolicyCommand, AttachUserPolicyCommand } from '@aws-sdk/client-iam';
import { startIamd } from '../src/server/app.js';
import { resolveServeConfig } from '../src/config/config.js';
import { jsonLogger } from '../src/server/logger.js';
import { QueryApi, type QueryRequest } from '../src/protocol/query-api.js';
import { policyAuthorizer } from '../src/domain/authorization.js';
import { signRequest, type SigningCredentials } from '../src/protocol/sigv4/sign.js';
import { ROOT } from './support.js';

const secondsIndex = process.argv.indexOf('--seconds');
const seconds = secondsIndex > 0 ? Number(process.argv[secondsIndex + 1]) : 3;
/** --only GetUser,root: just those reads and callers (for a profile of one path). */
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex > 0 ? process.argv[onlyIndex + 1]!.split(',') : undefined;
/**
 * --requests N: exactly N requests a cell (after --warmup requests, default 2000) instead of
 * --seconds, for counting instructions under valgrind (bench/request-instructions.ts).
 */
const requestsIndex = process.argv.indexOf('--requests');
const fixedRequests = requestsIndex > 0 ? Number(process.argv[requestsIndex + 1]) : undefined;
const warmupIndex = process.argv.indexOf('--warmup');
const warmupRequests = warmupIndex > 0 ? Number(process.argv[warmupIndex + 1]) : 2_000;
const concurrencyIndex = process.argv.indexOf('--concurrency');
const concurrency = concurrencyIndex > 0 ? Number(process.argv[concurrencyIndex + 1]) : 1;

process.env.IAMD_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
process.env.IAMD_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
const config = resolveServeConfig({ memory: true, port: '0', host: '127.0.0.1' }, process.env);
const iamd = await startIamd(config, { logger: jsonLogger({ access: false }), print: () => {} });
const client = new IAMClient({ endpoint: iamd.url, region: 'us-east-1', credentials: ROOT });
await client.send(new CreateUserCommand({ UserName: 'alice' }));
await client.send(new CreateLoginProfileCommand({ UserName: 'alice', Password: 'Sup3r-Secret-Passw0rd!' }));
const policy = await client.send(
  new CreatePolicyCommand({
    PolicyName: 'reads',
    PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:GetLoginProfile'], Resource: '*' }] }),
  }),
);
await client.send(new AttachUserPolicyCommand({ UserName: 'alice', PolicyArn: policy.Policy!.Arn! }));
const key = (await client.send(new CreateAccessKeyCommand({ UserName: 'alice' }))).AccessKey!;
const alice = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };

const api = new QueryApi(iamd.domain, policyAuthorizer(iamd.domain.store, iamd.domain.clock));

function request(credentials: SigningCredentials, action: string): QueryRequest {
  const body = `Action=${action}&UserName=alice&Version=2010-05-08`;
  const signed = signRequest(
    { method: 'POST', headers: { host: '127.0.0.1', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
    { credentials, region: 'us-east-1', service: 'iam' },
  );
  // As the HTTP edge hands them on (query-endpoint.ts): node's req.headers, one string a name.
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = String(v);
  return { method: 'POST', rawPath: '/', rawQuery: '', headers, body: Buffer.from(body), sourceIp: '127.0.0.1', secureTransport: false };
}

/**
 * With --requests and IAMD_BENCH_MARKERS=1: a line on stdout before and after each cell's counted
 * requests, and a wait for a line on stdin, so that a wrapper can have valgrind count just those
 * (bench/request-instructions.ts switches callgrind's counting on at one and reads it at the other).
 */
const markerLines = process.env.IAMD_BENCH_MARKERS === '1' ? (await import('node:readline')).createInterface({ input: process.stdin })[Symbol.asyncIterator]() : undefined;
async function marker(what: 'start' | 'end', action: string, caller: string): Promise<void> {
  if (!markerLines) return;
  process.stdout.write(`MARKER ${what} ${action} ${caller}\n`);
  await markerLines.next();
}

const rows: string[][] = [];
const headings = ['read', 'caller', 'requests', 'µs each (wall)', 'µs each (CPU)', 'KB allocated each'];

/**
 * Bytes the heap took while `run` ran: what is in use at the end less what was at the start, plus
 * what every collection in between freed (v8.GCProfiler reports each one's before and after).
 */
async function allocated(run: () => Promise<void>): Promise<number> {
  const used = () => v8.getHeapStatistics().used_heap_size;
  const profiler = new v8.GCProfiler();
  profiler.start();
  const before = used();
  await run();
  const after = used();
  const freed = profiler.stop().statistics.reduce((sum, gc) => sum + gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize, 0);
  return after - before + freed;
}
for (const [caller, credentials] of [['root', ROOT], ['IAM user', alice]] as const) {
  if (only && !only.includes(caller === 'root' ? 'root' : 'user')) continue;
  for (const action of ['GetLoginProfile', 'GetUser']) {
    if (only && !only.includes(action)) continue;
    const req = request(credentials, action);
    const first = await api.handle(req);
    if (first.status !== 200) throw new Error(`${action} as ${caller}: ${first.status} ${first.body}`);
    if (fixedRequests !== undefined) {
      // Each cell from a collected heap (node --expose-gc), so that a full collection an earlier
      // cell made due does not fall into this cell's count; then warmed up again.
      (globalThis as { gc?: () => void }).gc?.();
      for (let i = 0; i < warmupRequests; i++) await api.handle(req);
      await marker('start', action, caller);
      const cpu = process.cpuUsage();
      for (let i = 0; i < fixedRequests; i++) await api.handle(req);
      const used = process.cpuUsage(cpu);
      await marker('end', action, caller);
      rows.push([action, caller, String(fixedRequests), '', ((used.user + used.system) / Math.max(1, fixedRequests)).toFixed(1), '']);
      continue;
    }
    const end = Date.now() + seconds * 1000;
    let n = 0;
    const cpu = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    // `concurrency` requests in flight, as an HTTP server has them from its connections.
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          for (let i = 0; i < 100; i++) await api.handle(req);
          n += 100;
        }
      }),
    );
    const wallUs = Number(process.hrtime.bigint() - t0) / 1e3;
    const used = process.cpuUsage(cpu);
    // Allocation apart from the timed loop (the profiler has a cost of its own at every collection).
    const sample = 2_000;
    const bytes = await allocated(async () => {
      for (let i = 0; i < sample; i++) await api.handle(req);
    });
    rows.push([action, caller, String(n), (wallUs / n).toFixed(1), ((used.user + used.system) / n).toFixed(1), (bytes / sample / 1024).toFixed(1)]);
  }
}
console.log(`| ${headings.join(' | ')} |\n|${headings.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
await iamd.stop();
process.exit(0);
