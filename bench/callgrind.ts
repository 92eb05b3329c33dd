/**
 * Counting instructions with valgrind's callgrind, for request-instructions.ts (QueryApi.handle,
 * in-process) and server-instructions.ts (the whole server over HTTP): a node process started
 * under callgrind with counting off, switched on for exactly the requests measured, and read.
 *
 * One thing counts differently from a run outside valgrind: valgrind does not offer the CPU's SHA
 * extensions (sha_ni), so OpenSSL hashes with its AVX2 code there, about 1,800 instructions a
 * 64-byte block (some 23,000 of a signed read's, for its 13 blocks), where outside it the SHA
 * instructions do the same blocks in a fraction of that. SigV4's share of a count is overstated.
 */
import { execFileSync, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The options both counters take, read off `args` (what remains are the checkouts to count); a
 * counter reads options of its own with `option`, before it takes the rest as checkouts.
 */
export function countingOptions(args: string[]) {
  const option = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i < 0 ? fallback : args.splice(i, 2)[1]!;
  };
  return {
    option,
    requests: Number(option('--requests', '3000')),
    warmup: Number(option('--warmup', '30000')),
    /** --only GetUser,root: those reads and callers alone. */
    only: option('--only', ''),
    /** --by-function N: the N functions that ran the most of the counted instructions (self). */
    byFunction: Number(option('--by-function', '0')),
    /** --profile-dir DIR: callgrind's profiles (one per cell counted) and node's perf maps kept there. */
    profileDir: option('--profile-dir', ''),
  };
}

/**
 * The checkouts to count, from what is left of the arguments once the options are taken: this one
 * when none. Anything else that looks like an option (--help too) stops the tool with its usage,
 * rather than being taken for a directory and failing under valgrind with a path error.
 */
export function checkoutDirs(args: readonly string[], usage: string, checkout: string): string[] {
  const unknown = args.find((a) => a.startsWith('-'));
  if (unknown !== undefined) {
    const help = unknown === '--help' || unknown === '-h';
    process.stderr.write(`${help ? '' : `unknown option ${unknown}\n`}usage: ${usage}\n`);
    process.exit(help ? 0 : 2);
  }
  return args.length ? args.map((d) => path.resolve(d)) : [checkout];
}

/**
 * V8 without its helper threads: with concurrent compilation and marking, what runs on which
 * thread and when depends on timing, and the count of one cell moved by a factor of two between
 * runs of the same code (275k to 615k a read); single-threaded, by 0.2 %.
 */
export const NODE_FLAGS = ['--single-threaded'];

/**
 * `node nodeArgs` under callgrind, counting nothing until a Counter starts it. With `profile`,
 * callgrind writes its profile there and node names its compiled code in /tmp/perf-PID.map
 * (--perf-basic-prof) for byFunctionTable; the process runs in the profile's folder, since
 * --perf-basic-prof also has V8 write an isolate-*.log into the working directory.
 */
export function underCallgrind(nodeArgs: string[], o: { profile?: string; env?: NodeJS.ProcessEnv; stdio: StdioOptions }): ChildProcess {
  return spawn(
    'valgrind',
    ['--tool=callgrind', '--instr-atstart=no', '--cache-sim=no', '--branch-sim=no', `--callgrind-out-file=${o.profile ?? '/dev/null'}`, process.execPath, ...NODE_FLAGS, ...(o.profile ? ['--perf-basic-prof'] : []), ...nodeArgs],
    { env: o.env ?? process.env, stdio: o.stdio, cwd: o.profile ? path.dirname(o.profile) : undefined },
  );
}

/** Switches counting on and off in a process under callgrind, and reads the count. */
export class Counter {
  constructor(private readonly pid: number) {}

  private control(...args: string[]): string {
    return execFileSync('callgrind_control', [...args, String(this.pid)], { encoding: 'utf8' });
  }

  /** Counting from zero, from now. */
  start(): void {
    this.control('--instr=on');
    this.control('--zero');
  }

  /** The instructions since start(), every thread's; counting stops. `dump`: the profile of them is written out too (profile.N). */
  stop(o: { dump?: boolean } = {}): number {
    // callgrind_control -e prints one line a thread ("Th 2  131"): the main thread's and any helper's
    // (libuv's pool, for one), whose work the requests caused too.
    const out = this.control('-e', 'Ir');
    const threads = [...out.matchAll(/^\s*Th\s+\d+\s+([\d,]+)\s*$/gm)].map((t) => Number(t[1]!.replace(/,/g, '')));
    if (!threads.length) throw new Error(`callgrind_control -e printed no counts: ${out}`);
    if (o.dump) this.control('--dump');
    this.control('--instr=off');
    return threads.reduce((a, b) => a + b, 0);
  }
}

/** Keeps node's perf map of the process beside its profile (`${profile}.map`), for byFunctionTable. */
export function keepPerfMap(pid: number, profile: string): void {
  fs.renameSync(`/tmp/perf-${pid}.map`, `${profile}.map`);
}

/**
 * The functions that ran the most instructions themselves (not their callees), per request counted:
 * native ones by their symbol (V8's builtins, OpenSSL, libc), JavaScript by the name node gave its
 * compiled code in the perf map (callgrind sees only an address there). `profiles`: callgrind's
 * files, whose code the map `map` names.
 */
export function byFunctionTable(profiles: string[], map: string, requestsCounted: number, top: number): string[] {
  const code = fs
    .readFileSync(map, 'utf8')
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
  const totals = new Map<string, number>();
  for (const profile of profiles) {
    const annotated = execFileSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', profile], { encoding: 'utf8', maxBuffer: 64 << 20 });
    for (const line of annotated.split('\n')) {
      const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.+)$/.exec(line);
      if (!m || m[2]!.includes('PROGRAM TOTALS')) continue;
      const jit = /^\?\?\?:0x([0-9a-f]+) \[\?\?\?\]/.exec(m[2]!);
      // "file:function [object]", the file ??? when unknown.
      const name = jit ? nameAt(parseInt(jit[1]!, 16)) : m[2]!.replace(/^(\?\?\?|[^\s:]*\/[^\s:]*):/, '').replace(/ \[[^\]]*\]$/, '').slice(0, 100);
      totals.set(name, (totals.get(name) ?? 0) + Number(m[1]!.replace(/,/g, '')));
    }
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ir]) => `| ${Math.round(ir / requestsCounted).toLocaleString('en-US')} | ${name.replace(/\|/g, '\\|')} |`);
}
