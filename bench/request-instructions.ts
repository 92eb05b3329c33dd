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
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { CHECKOUT } from './support.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args.splice(i, 2)[1]!;
};
const requests = Number(option('--requests', '3000'));
const warmup = Number(option('--warmup', '30000'));
const only = option('--only', '');
/** --by-function N: the N functions that ran the most of the counted instructions (self), a table per checkout. */
const byFunction = Number(option('--by-function', '0'));
/** --profile-dir DIR: keep callgrind's profiles and node's perf maps there (callgrind.N, callgrind.N.map; N the checkout's place). */
const profileDir = option('--profile-dir', '');
const dirs = args.length ? args.map((d) => path.resolve(d)) : [CHECKOUT];

/**
 * V8 without its helper threads: with concurrent compilation and marking, what runs on which
 * thread and when depends on timing, and the count of one cell moved by a factor of two between
 * runs of the same code (275k to 615k a read); single-threaded, by 0.2 %. --expose-gc: each cell
 * starts from a collected heap (request-cost.ts).
 */
const NODE_FLAGS = ['--single-threaded', '--expose-gc'];

interface Row {
  dir: string;
  cell: string;
  perRequest: number;
}

async function count(dir: string, profile?: string): Promise<Row[]> {
  const script = path.join(dir, 'dist-bench/bench/request-cost.js');
  // With a profile: node names its compiled code in /tmp/perf-PID.map (--perf-basic-prof), for byFunctionTable.
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--cache-sim=no', '--branch-sim=no', `--callgrind-out-file=${profile ?? '/dev/null'}`, process.execPath, ...NODE_FLAGS, ...(profile ? ['--perf-basic-prof'] : []), script, '--requests', String(requests), '--warmup', String(warmup), ...(only ? ['--only', only] : [])],
    // In the profile's folder: --perf-basic-prof also has V8 write an isolate-*.log into the working directory.
    { env: { ...process.env, IAMD_BENCH_MARKERS: '1' }, stdio: ['pipe', 'pipe', 'pipe'], cwd: profile ? path.dirname(profile) : undefined },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const control = (...a: string[]) => execFileSync('callgrind_control', [...a, String(child.pid)], { encoding: 'utf8' });
  const rows: Row[] = [];
  for await (const line of readline.createInterface({ input: child.stdout })) {
    const m = /^MARKER (start|end) (.+)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'start') {
      control('--instr=on');
      control('--zero');
    } else {
      // callgrind_control -e prints one line a thread ("Th 2  131"): the main thread's and V8's
      // helpers' (compilers, GC), whose work the requests caused too.
      const out = control('-e', 'Ir');
      const threads = [...out.matchAll(/^\s*Th\s+\d+\s+([\d,]+)\s*$/gm)].map((t) => Number(t[1]!.replace(/,/g, '')));
      if (!threads.length) throw new Error(`callgrind_control -e printed no counts: ${out}`);
      const ir = threads.reduce((a, b) => a + b, 0);
      control('--instr=off');
      rows.push({ dir, cell: m[2]!, perRequest: ir / requests });
    }
    child.stdin.write('\n');
  }
  const code = await new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', resolve)));
  if (code !== 0) throw new Error(`request-cost under valgrind exited with ${code}: ${stderr.slice(-2000)}`);
  if (profile) fs.renameSync(`/tmp/perf-${child.pid}.map`, `${profile}.map`);
  return rows;
}

/**
 * The functions that ran the most instructions themselves (not their callees), per request counted:
 * native ones by their symbol (V8's builtins, OpenSSL, libc), JavaScript by the name node gave its
 * compiled code in the perf map (callgrind sees only an address there).
 */
function byFunctionTable(profile: string, requestsCounted: number, top: number): string[] {
  const code = fs
    .readFileSync(`${profile}.map`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [start, size, ...name] = line.split(' ');
      return { start: parseInt(start!, 16), end: parseInt(start!, 16) + parseInt(size!, 16), name: name.join(' ') };
    })
    .sort((a, b) => a.start - b.start);
  const nameAt = (address: number) => {
    let lo = 0;
    let hi = code.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (code[mid]!.end <= address) lo = mid + 1;
      else if (code[mid]!.start > address) hi = mid - 1;
      else return code[mid]!.name.replace(/^(JS|LazyCompile):[*~^]?/, '').replace(/file:\/\/\S*?\/(dist-bench|dist)\//, '');
    }
    return 'JIT code, unnamed';
  };
  const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', profile], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const totals = new Map<string, number>();
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.+)$/.exec(line);
    if (!m || m[2]!.includes('PROGRAM TOTALS')) continue;
    const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]/.exec(m[2]!);
    // "file:function [object]", the file ??? when unknown.
    const name = jit ? nameAt(parseInt(jit[1]!, 16)) : m[2]!.replace(/^(\?\?\?|[^\s:]*\/[^\s:]*):/, '').replace(/ \[[^\]]*\]$/, '').slice(0, 100);
    totals.set(name, (totals.get(name) ?? 0) + Number(m[1]!.replace(/,/g, '')));
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ir]) => `| ${Math.round(ir / requestsCounted).toLocaleString('en-US')} | ${name.replace(/\|/g, '\\|')} |`);
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
  const counted = requests * all.filter((r) => r.dir === dir).length;
  console.log(`\n${path.relative(path.dirname(CHECKOUT), dir) || dir}: instructions per request by function (self), over every cell counted\n`);
  console.log('| instructions | function |\n|---:|---|');
  for (const row of byFunctionTable(profile, counted, byFunction)) console.log(row);
}
if (tmp && !profileDir) fs.rmSync(tmp, { recursive: true, force: true });
