/**
 * Instructions per request of the whole server process over HTTP, counted by valgrind (callgrind):
 * the floor (bench/floor-server.ts) and iamd, as shipped and with --quiet (and, with --modes …,reference,
 * what any SigV4 server must do: bench/reference-server.ts --verify --coalesce), for the reads of
 * `npm run bench`'s floor-share table, root and an IAM user. Each cell replays one signed request,
 * as wrk does, from a client outside valgrind, and counts only the server's instructions: node:http,
 * the Query endpoint, QueryApi.handle, the writes, the access log (request-instructions.ts counts
 * QueryApi.handle alone). One connection by default, so each request is a turn of the event loop
 * of its own, the same in every run (see CONNECTIONS): the same build counted the same to 0.1 %.
 * Compare like with like (the same --only and --modes): a cell in which V8 happens to optimize a
 * function again counts its compiler too (10k a request, once).
 *
 * "floor ÷ iamd" is the share of the floor a server doing iamd's work at the floor's cost per
 * instruction would reach. It is not a forecast of the wrk share in bench/RESULTS.md: it leaves
 * out the kernel (the floor's one write a request costs it more there than iamd's coalesced writes,
 * see coalesced-writes.ts), and under wrk a turn reads several requests and shares its own work
 * among them. It measures iamd's own work on a machine whose timings drift by a third.
 *
 *   npm run build && tsc -p bench/tsconfig.json && node scripts/copy-assets.mjs dist-bench/src
 *   node dist-bench/bench/server-instructions.js [--requests N] [--warmup N] [--only GetUser,root] [--modes shipped,quiet,reference]
 *       [--connections N] [--by-function N] [--profile-dir DIR] [DIR ...]
 *
 * DIR: built checkouts to compare (dist-bench built in each), this one by default. Needs valgrind.
 * About 40 s a cell at the defaults, plus each server's start under valgrind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SigningCredentials } from '../src/protocol/sigv4/sign.js';
import { byFunctionTable, checkoutDirs, countingOptions, Counter, keepPerfMap, underCallgrind } from './callgrind.js';
import { READS, CALLERS, reader, type Caller, type Read } from './floor-share.js';
import { Http1Pool } from './http1.js';
import { SignedClient } from './load.js';
import { CHECKOUT, listeningUrl, ROOT, stopChild } from './support.js';
import { userName } from './workloads.js';
import { presign } from './wrk.js';

const args = process.argv.slice(2);
// --profile-dir: callgrind.N.S.C, one per server S (the floor 0, then --modes) and cell C, and callgrind.N.S.map.
const { option, requests, warmup, only, byFunction, profileDir } = countingOptions(args);
/**
 * iamd's log modes to count, and `reference`: bench/reference-server.ts with --verify --coalesce
 * (the floor after a SigV4 check, a SQLite read of the secret and a request id, its answers written
 * at the turn's end as iamd's are), a server doing only what any SigV4 server must.
 */
const modes = option('--modes', 'shipped,quiet').split(',') as ('shipped' | 'quiet' | 'reference')[];
/**
 * Connections the client keeps busy (closed loop). One by default: a request a turn of the
 * server's event loop, every time. With several, how many requests a turn reads depends on timing,
 * and so does what each pays of the turn's own work (polling, the coalesced writes, the access
 * log's write): the same build's count moved by 7 % between runs with 8.
 */
const CONNECTIONS = Number(option('--connections', '1'));
const dirs = checkoutDirs(args, 'node dist-bench/bench/server-instructions.js [--requests N] [--warmup N] [--only GetUser,root] [--modes shipped,quiet] [--connections N] [--by-function N] [--profile-dir DIR] [DIR ...] (see the header of the file)', CHECKOUT);
const PASSWORD = 'Bench-Instructions-1!';

interface Row {
  dir: string;
  cell: string;
  perRequest: number;
}

/** Sends `n` of the same request, CONNECTIONS at a time; each must answer 200. */
async function replay(pool: Http1Pool, request: { headers: Record<string, string>; body: string }, n: number): Promise<void> {
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (sent++ < n) {
        const res = await pool.post('/', request.headers, request.body);
        if (res.status !== 200) throw new Error(`answered ${res.status}: ${res.body.slice(0, 300)}`);
      }
    }),
  );
}

/** Starts `nodeArgs` under callgrind and waits for its "listening on URL" line. */
async function startServer(nodeArgs: string[], profile: string | undefined, stderrFile: string) {
  const stderr = fs.openSync(stderrFile, 'a');
  const child = underCallgrind(nodeArgs, {
    profile,
    env: { ...process.env, IAMD_ROOT_ACCESS_KEY_ID: ROOT.accessKeyId, IAMD_ROOT_SECRET_ACCESS_KEY: ROOT.secretAccessKey },
    stdio: ['ignore', 'pipe', stderr],
  });
  fs.closeSync(stderr);
  const url = await listeningUrl(child, (code) => `${nodeArgs.join(' ')} under valgrind exited with ${code}: ${fs.readFileSync(stderrFile, 'utf8').slice(-2000)}`);
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

/** Counts each cell of one server; its profile of each cell is dumped as `${profile}.N` when profiling. */
async function countCells(
  server: { url: string; pid: number },
  cells: { name: string; credentials: SigningCredentials; params: Record<string, string> }[],
  dir: string,
  profile: string | undefined,
): Promise<Row[]> {
  const pool = new Http1Pool(new URL(server.url), CONNECTIONS);
  const counter = new Counter(server.pid);
  const rows: Row[] = [];
  try {
    for (const cell of cells) {
      // Signed just before its run, as the wrk runs are: a signature stays valid for 15 minutes.
      const request = presign(`${server.url}/`, cell.credentials, cell.params);
      await replay(pool, request, warmup);
      counter.start();
      await replay(pool, request, requests);
      rows.push({ dir, cell: cell.name, perRequest: counter.stop({ dump: profile !== undefined }) / requests });
      process.stderr.write(`  ${cell.name}: ${Math.round(rows.at(-1)!.perRequest).toLocaleString('en-US')}\n`);
    }
  } finally {
    pool.close();
  }
  return rows;
}

/** --only as request-cost reads it: GetUser, GetLoginProfile, root, user (the IAM user). */
const wanted = (read: Read, caller: Caller) => !only || only.split(',').every((w) => w === read || w === (caller === 'root' ? 'root' : 'user'));

/** A cell's profile (callgrind's dump) and the perf map of the server that ran it. */
interface Dump {
  server: string;
  profile: string;
  map: string;
}

async function countDir(dir: string, tmp: string, profileBase: string | undefined): Promise<{ rows: Row[]; dumps: Dump[] }> {
  const rows: Row[] = [];
  const dumps: Dump[] = [];
  const stderrFile = path.join(tmp, 'server-stderr.log');
  const servers: { name: string; args: string[] }[] = [
    { name: 'floor', args: [path.join(dir, 'dist-bench/bench/floor-server.js')] },
    ...modes.map((m) =>
      m === 'reference'
        ? { name: 'reference', args: [path.join(dir, 'dist-bench/bench/reference-server.js'), '--verify', '--coalesce'] }
        : { name: m === 'quiet' ? '--quiet' : 'as shipped', args: [path.join(dir, 'bin/iamd.js'), 'serve', '--memory', '--port', '0', ...(m === 'quiet' ? ['--quiet'] : [])] },
    ),
  ];
  for (const [i, s] of servers.entries()) {
    const profile = profileBase && `${profileBase}.${i}`;
    process.stderr.write(`${dir}: ${s.name}\n`);
    const server = await startServer(s.args, profile, stderrFile);
    try {
      let cells;
      if (s.name === 'floor' || s.name === 'reference') {
        cells = [{ name: s.name === 'floor' ? 'floor' : 'reference: SigV4 + SQLite read, coalesced', credentials: ROOT, params: { Action: 'GetLoginProfile', UserName: 'floor' } }];
      } else {
        // bench/floor-share.ts's set-up, reduced to the users the replayed requests name.
        const root = new SignedClient(server.url, ROOT, 4);
        for (const u of [0, 1]) await root.ok({ Action: 'CreateUser', UserName: userName('i', u) });
        await root.ok({ Action: 'CreateLoginProfile', UserName: userName('i', 0), Password: PASSWORD });
        const credentials: Record<Caller, SigningCredentials> = { root: ROOT, 'IAM user': await reader(root, 'i') };
        cells = READS.flatMap((read) =>
          CALLERS.filter((caller) => wanted(read, caller)).map((caller) => ({
            name: `${read}, ${caller}, ${s.name}`,
            credentials: credentials[caller],
            params: { Action: read, UserName: userName('i', read === 'GetUser' ? 1 : 0) },
          })),
        );
      }
      const counted = await countCells(server, cells, dir, profile);
      rows.push(...counted);
      if (profile) counted.forEach((_, c) => dumps.push({ server: s.name, profile: `${profile}.${c + 1}`, map: `${profile}.map` }));
    } finally {
      await server.stop();
    }
    if (profile) keepPerfMap(server.pid, profile);
  }
  return { rows, dumps };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-server-instructions-'));
const profileRoot = profileDir ? (fs.mkdirSync(profileDir, { recursive: true }), path.resolve(profileDir)) : byFunction > 0 ? tmp : undefined;
const all: Row[] = [];
const dumpsByDir = new Map<string, Dump[]>();
try {
  for (const [i, dir] of dirs.entries()) {
    const { rows, dumps } = await countDir(dir, tmp, profileRoot && path.join(profileRoot, `callgrind.${i}`));
    all.push(...rows);
    dumpsByDir.set(dir, dumps);
  }
  const cells = [...new Set(all.map((r) => r.cell))];
  const name = (d: string) => path.relative(path.dirname(CHECKOUT), d) || d;
  console.log(`instructions per request of the server process (callgrind, ${requests} requests a cell after ${warmup} warm-up, ${CONNECTIONS} connections)\n`);
  console.log(`| read, caller, iamd | ${dirs.map((d) => `${name(d)} | floor ÷ iamd`).join(' | ')} |`);
  console.log(`|---|${dirs.map(() => '---:|---:').join('|')}|`);
  for (const cell of cells) {
    const values = dirs.map((d) => {
      const v = all.find((r) => r.dir === d && r.cell === cell)?.perRequest;
      const floor = all.find((r) => r.dir === d && r.cell === 'floor')?.perRequest;
      return v === undefined ? '– | –' : `${Math.round(v).toLocaleString('en-US')} | ${floor === undefined ? '–' : `${Math.round((floor / v) * 100)} %`}`;
    });
    console.log(`| ${cell} | ${values.join(' | ')} |`);
  }
  for (const [dir, dumps] of byFunction > 0 ? dumpsByDir : []) {
    // Per server (its own perf map): the floor's table first, then iamd's cells together.
    for (const server of [...new Set(dumps.map((d) => d.server))]) {
      const own = dumps.filter((d) => d.server === server);
      const files = own.map((d) => d.profile);
      console.log(`\n${name(dir)}, ${server} (${files.length} cell${files.length > 1 ? 's' : ''}): instructions per request by function (self)\n`);
      console.log('| instructions | function |\n|---:|---|');
      for (const row of byFunctionTable(files, own[0]!.map, requests * files.length, byFunction)) console.log(row);
    }
  }
} finally {
  // The profiles are kept only in --profile-dir; tmp holds the servers' stderr (and the profiles of --by-function alone).
  fs.rmSync(tmp, { recursive: true, force: true });
}
