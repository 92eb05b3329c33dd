/**
 * Instructions per read in iamd's request path, counted by valgrind (callgrind), not timed: about
 * the same count for the same code whatever else the machine is doing, so a change worth a few
 * per cent shows on a machine whose speed drifts by a third from one minute to the next. It runs
 * bench/request-cost.ts (QueryApi.handle in a loop, in-process, no HTTP) under callgrind with
 * instrumentation off, and counts only each cell's --requests after its --warmup
 * (callgrind_control switches counting on and reads the counter at the markers request-cost
 * prints); --by-function N adds the N functions that ran the most of them. Instructions are
 * not time (a cache miss costs one); the timed benchmarks stay the judge, this tells a change's
 * effect on the work done.
 *
 * How steady: one cell run alone, 0.2 % between runs; the four in one process, 1-2 %. V8 is
 * still optimizing functions tens of thousands of requests in (some run once a request and take
 * that long to get hot; a deoptimization now and then starts one again), and the compiler's
 * instructions on the main thread (V8 single-threaded, see NODE_FLAGS) fall into the count: with
 * 5,000 requests of warm-up they were 15 % of it, hence the long default warm-up.
 *
 *   npm run build && tsc -p bench/tsconfig.json && node scripts/copy-assets.mjs dist-bench/src
 *   node dist-bench/bench/request-instructions.js [--requests N] [--warmup N] [--only GetUser,root] [--by-function N] [--profile-dir DIR] [DIR ...]
 *
 * DIR: built checkouts to compare (dist-bench built in each), this one by default. Needs valgrind
 * (apt-get install valgrind). About a minute per cell at the defaults.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { byFunctionTable, checkoutDirs, countingOptions, Counter, keepPerfMap, underCallgrind } from './callgrind.js';
import { CHECKOUT } from './support.js';

const args = process.argv.slice(2);
// --profile-dir: callgrind.N.C, one per cell C, and callgrind.N.map, N the checkout's place.
const { requests, warmup, only, byFunction, profileDir } = countingOptions(args);
const dirs = checkoutDirs(args, 'node dist-bench/bench/request-instructions.js [--requests N] [--warmup N] [--only GetUser,root] [--by-function N] [--profile-dir DIR] [DIR ...] (see the header of the file)', CHECKOUT);

interface Row {
  dir: string;
  cell: string;
  perRequest: number;
}

async function count(dir: string, profile?: string): Promise<Row[]> {
  const script = path.join(dir, 'dist-bench/bench/request-cost.js');
  // --expose-gc: each cell starts from a collected heap (request-cost.ts).
  const child = underCallgrind(['--expose-gc', script, '--requests', String(requests), '--warmup', String(warmup), ...(only ? ['--only', only] : [])], {
    profile,
    env: { ...process.env, IAMD_BENCH_MARKERS: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const counter = new Counter(child.pid!);
  const rows: Row[] = [];
  for await (const line of readline.createInterface({ input: child.stdout! })) {
    const m = /^MARKER (start|end) (.+)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'start') counter.start();
    // With a profile, each cell's is dumped apart (profile.1, .2, ...): counting starts from zero at each.
    else rows.push({ dir, cell: m[2]!, perRequest: counter.stop({ dump: profile !== undefined }) / requests });
    child.stdin!.write('\n');
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0) throw new Error(`request-cost under valgrind exited with ${code}: ${stderr.slice(-2000)}`);
  if (profile) keepPerfMap(child.pid!, profile);
  return rows;
}

const all: Row[] = [];
const profiles = new Map<string, string>();
const tmp = profileDir ? (fs.mkdirSync(profileDir, { recursive: true }), path.resolve(profileDir)) : byFunction > 0 ? fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-instructions-')) : undefined;
for (const [i, dir] of dirs.entries()) {
  const profile = tmp && path.join(tmp, `callgrind.${i}`);
  if (profile) profiles.set(dir, profile);
  all.push(...(await count(dir, profile)));
}
const cells = [...new Set(all.map((r) => r.cell))];
console.log(`instructions per request (callgrind, ${requests} requests a cell after ${warmup} warm-up)\n`);
console.log(`| read, caller | ${dirs.map((d) => path.relative(path.dirname(CHECKOUT), d) || d).join(' | ')} |`);
console.log(`|---|${dirs.map(() => '---:').join('|')}|`);
for (const cell of cells) {
  const values = dirs.map((d) => all.find((r) => r.dir === d && r.cell === cell)?.perRequest);
  console.log(`| ${cell} | ${values.map((v) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'))).join(' | ')} |`);
}
for (const [dir, profile] of byFunction > 0 ? profiles : []) {
  const cellsCounted = all.filter((r) => r.dir === dir).length;
  const counted = requests * cellsCounted;
  console.log(`\n${path.relative(path.dirname(CHECKOUT), dir) || dir}: instructions per request by function (self), over every cell counted\n`);
  console.log('| instructions | function |\n|---:|---|');
  const dumps = Array.from({ length: cellsCounted }, (_, c) => `${profile}.${c + 1}`);
  for (const row of byFunctionTable(dumps, `${profile}.map`, counted, byFunction)) console.log(row);
}
if (tmp && !profileDir) fs.rmSync(tmp, { recursive: true, force: true });
