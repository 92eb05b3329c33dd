/**
 * References between the floor and iamd: node:http servers that answer the floor's fixed body
 * (floor-server.ts) after doing one thing more each. bench/wrk-cpu-per-request.sh times them;
 * `npm run bench` (floor-share.ts) and server-instructions.ts --modes …,reference run
 * `--verify --coalesce` beside iamd as "SigV4 + read".
 *
 *   --coalesce  answers written together at the end of the event loop's turn, through iamd's own
 *               CoalescedWrites (src/server/coalesced-writes.ts), not each the moment it is ready
 *               as the floor does
 *   --verify    what any server that checks SigV4 against a stored secret does before anything of
 *               its own: the body read, iamd's own SigV4 check (verifySigV4: the canonical request,
 *               four SHA-256 one-shots), the secret read by its key id from SQLite (better-sqlite3,
 *               one prepared primary-key read), a request id. A signature that fails is answered 403.
 *
 *   node dist-bench/bench/reference-server.js [--coalesce] [--verify]   → prints "listening on URL"
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { verifySigV4 } from '../src/protocol/sigv4/verify.js';
import { CoalescedWrites } from '../src/server/coalesced-writes.js';
import { FLOOR_BODY as BODY } from './floor-body.js';
import { ROOT } from './support.js';

const coalesce = process.argv.includes('--coalesce');
const verify = process.argv.includes('--verify');

const db = new Database(':memory:');
db.exec('CREATE TABLE access_keys (id TEXT PRIMARY KEY, secret TEXT NOT NULL)');
db.prepare('INSERT INTO access_keys VALUES (?, ?)').run(ROOT.accessKeyId, ROOT.secretAccessKey);
const secretOf = db.prepare<[string], { secret: string }>('SELECT secret FROM access_keys WHERE id = ?');

const writes = new CoalescedWrites((e) => process.stderr.write(`writing an answer failed: ${String(e)}\n`));
function answer(res: http.ServerResponse, status: number, headers: Record<string, string | number>): void {
  const write = () => {
    res.writeHead(status, headers);
    res.end(BODY);
  };
  if (coalesce) writes.add(write);
  else write();
}

const server = http.createServer((req, res) => {
  if (!verify) {
    req.resume();
    req.on('end', () => answer(res, 200, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(BODY) }));
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const target = req.url ?? '/';
    const q = target.indexOf('?');
    verifySigV4(
      { method: req.method ?? 'POST', rawPath: q < 0 ? target : target.slice(0, q), rawQuery: q < 0 ? '' : target.slice(q + 1), headers: req.headers, body: Buffer.concat(chunks) },
      { now: new Date(), services: ['iam'], lookupSecret: async (id) => secretOf.get(id)?.secret },
    ).then(
      (verdict) => answer(res, verdict.ok ? 200 : 403, { 'x-amzn-RequestId': randomUUID(), 'content-type': 'text/xml', 'content-length': Buffer.byteLength(BODY) }),
      () => res.destroy(),
    );
  });
});
server.keepAliveTimeout = 5_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
