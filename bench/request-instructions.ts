/**
 * Instructions per read in iamd's request path, counted by valgrind (callgrind), not timed: about
 * the same count for the same code whatever else the machine is doing, so a change worth a few
 * per cent shows on a machine whose speed drifts by a third from one minute to the next. It runs
 * bench/request-cost.ts (QueryApi.handle in a loop, in-process, no HTTP) under callgrind with
 * instrumentation off, and counts only each cell's --requests after its --warmup
 * (callgrind_control switches counting on and reads the counter at the markers request-cost
 * prints). Instructions are not time (a cache miss costs one); the timed benchmarks stay the
 * judge, this tells a change's effect on the work done.
 *
 * How steady: one cell run alone, 0.2 % between runs; the four in one process, 1-2 %. V8 is
 * still optimizing functions tens of thousands of requests in (some run once a request and take
 * that long to get hot; a deoptimization now and then starts one again), and the compiler's
 * instructions on the main thread (V8 single-threaded, see NODE_FLAGS) fall into the count: with
 * 5,000 requests of warm-up they were 15 % of it, hence the long default warm-up. CALLGRIND_OUT=FILE
 * keeps callgrind's profile (callgrind_annotate FILE: native functions by name, JIT code as
 * addresses).
 *
 *   npm run build && tsc -p bench/tsconfig.json && node scripts/copy-assets.mjs dist-bench/src
 *   node dist-bench/bench/request-instructions.js [--requests N] [--warmup N] [--only GetUser,root] [DIR ...]
 *
 * DIR: built checkouts to compare (dist-bench built in each), this one by default. Needs valgrind
 * (apt-get install valgrind). About a minute per cell at the defaults.
 */
import { execFileSync, spawn } from 'node:child_process';
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

async function count(dir: string): Promise<Row[]> {
  const script = path.join(dir, 'dist-bench/bench/request-cost.js');
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--cache-sim=no', '--branch-sim=no', `--callgrind-out-file=${process.env.CALLGRIND_OUT ?? '/dev/null'}`, process.execPath, ...NODE_FLAGS, script, '--requests', String(requests), '--warmup', String(warmup), ...(only ? ['--only', only] : [])],
    { env: { ...process.env, IAMD_BENCH_MARKERS: '1' }, stdio: ['pipe', 'pipe', 'pipe'] },
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
  return rows;
}

const all: Row[] = [];
for (const dir of dirs) all.push(...(await count(dir)));
const cells = [...new Set(all.map((r) => r.cell))];
console.log(`instructions per request (callgrind, ${requests} requests a cell after ${warmup} warm-up)\n`);
console.log(`| read, caller | ${dirs.map((d) => path.relative(path.dirname(CHECKOUT), d) || d).join(' | ')} |`);
console.log(`|---|${dirs.map(() => '---:').join('|')}|`);
for (const cell of cells) {
  const values = dirs.map((d) => all.find((r) => r.dir === d && r.cell === cell)?.perRequest);
  console.log(`| ${cell} | ${values.map((v) => (v === undefined ? '–' : Math.round(v).toLocaleString('en-US'))).join(' | ')} |`);
}
