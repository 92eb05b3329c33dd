/**
 * Reads as a share of the floor (issue 18): GetLoginProfile and GetUser against iamd as shipped
 * (access log on, stderr appended to a file) and with --quiet, signed by root and by an IAM user
 * whose attached managed policy allows the read (the path most real callers take: the policy is
 * evaluated), each driven by the in-process generator (closed loop) and by wrk (a pre-signed
 * request replayed) where wrk is installed; the floor (bench/floor-server.ts, a bare node:http
 * server answering a fixed body) driven by the same generators in the same rounds. Then, as
 * shipped, an open loop at half of the in-process maximum beside the floor at the same rate.
 *
 * Beside the floor, in the same rounds and at the same rates, "SigV4 + read" (bench/reference-server.ts
 * --verify --coalesce): the floor after what any server that checks SigV4 against a stored secret must do (the
 * body read, iamd's own SigV4 check, one SQLite read of the secret, a request id) and nothing of
 * iamd's (no authorization, no parameters, no XML written, no log). Its share of the floor and its
 * p99 ÷ the floor's show what the targets leave for the rest of a request on this machine.
 *
 * All servers stay up for the whole measurement and the rounds run every cell in turn, so the
 * machine's drifting speed falls on iamd and the floor alike; each cell shows its median round.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOOR_BODY } from './floor-body.js';
import { closedLoop, openLoop, SignedClient, type Stats } from './load.js';
import { listeningUrl, medianBy, ROOT, startIamd, stopChild, THIS_RUNTIME, type Runtime, type Server } from './support.js';
import { apiOperations, setUp, userName } from './workloads.js';
import { checkReplay, presign, runWrk, wrkVersion, type WrkOptions, type WrkStats } from './wrk.js';
import type { SigningCredentials } from '../src/protocol/sigv4/sign.js';

export const READS = ['GetLoginProfile', 'GetUser'] as const;
export const CALLERS = ['root', 'IAM user'] as const;
export const MODES = ['as shipped', '--quiet'] as const;
export type Read = (typeof READS)[number];
export type Caller = (typeof CALLERS)[number];
export type Mode = (typeof MODES)[number];

export type Half = Stats & { rate: number; late: number };

export interface ShareCell {
  read: Read;
  caller: Caller;
  mode: Mode;
  /** Closed loop, in-process generator: the median round by requests/s. */
  inproc: Stats;
  /** wrk replaying one signed request: the median round by requests/s; absent without wrk. */
  wrk?: WrkStats;
  /**
   * As shipped only: open loop at half of that round's in-process maximum, and the floor at the
   * same rate in the same round; the round whose ratio of the two p99s is the median one (the pair
   * stays together, so a round the machine slowed down weighs on both sides alike).
   */
  half?: Half;
  floorHalf?: Half;
  /** "SigV4 + read" at the same rate in the same round (the round chosen by iamd's ratio). */
  referenceHalf?: Half;
  /** Each round's figures, in the order run. */
  /** `warmP99`: iamd's p99 in the half-rate warm-up just before (the after-idle transient's share of it). */
  rounds: { inproc: number; wrk?: number; halfP99?: number; floorHalfP99?: number; referenceHalfP99?: number; rate?: number; warmP99?: number }[];
}

/** One round of a server iamd is compared with: the in-process generator's run, and wrk's. */
type BaselineRound = { inproc: Stats; wrk?: WrkStats };

/** A server iamd is compared with, driven by the same generators in the same rounds. */
export interface Baseline {
  inproc: Stats;
  wrk?: WrkStats;
  rounds: { inproc: number; wrk?: number }[];
}

export interface FloorShare {
  rounds: number;
  concurrency: number;
  durationS: number;
  /** wrk's version and settings; version undefined: wrk is not installed. */
  wrk: WrkOptions & { version?: string };
  floor: Baseline;
  /** "SigV4 + read" (bench/reference-server.ts --verify --coalesce); absent when not asked for. */
  reference?: Baseline;
  cells: ShareCell[];
  /** Access-log bytes written per request by the server run as shipped (shows the log was on). */
  accessLogBytesPerRequest: number;
}

type BenchServer = { url: string; stop: () => Promise<void> };

/** The floor, under `runtime`'s Node (the Node of the iamd it is compared with). */
export async function startFloorServer(runtime: Runtime = THIS_RUNTIME): Promise<BenchServer> {
  return startBenchServer('floor-server.js', [], runtime);
}

/**
 * "SigV4 + read", under `runtime`'s Node: bench/reference-server.ts --verify --coalesce, which
 * verifies requests signed with ROOT's key. Its answers are written at the end of the loop's turn,
 * as iamd's are: under wrk that did 20-34k req/s where answering each at once did 17-23k (three
 * rounds side by side, a scratch script), so it is the stricter reference, and the difference
 * from iamd is iamd's own work.
 */
export async function startReferenceServer(runtime: Runtime = THIS_RUNTIME): Promise<BenchServer> {
  return startBenchServer('reference-server.js', ['--verify', '--coalesce'], runtime);
}

async function startBenchServer(file: string, args: string[], runtime: Runtime): Promise<BenchServer> {
  const script = runtime === THIS_RUNTIME ? fileURLToPath(new URL(`./${file}`, import.meta.url)) : path.join(runtime.root, 'dist-bench/bench', file);
  const child = spawn(runtime.node, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await listeningUrl(child, (code) => `${file} exited with ${code}`);
  return { url, stop: () => stopChild(child) };
}

/** The floor and "SigV4 + read" answer any request with the floor's body: this one stands for a read. */
const BASELINE_READ = { Action: 'GetLoginProfile', UserName: 'floor' };

/** A server iamd is compared with, and the in-process generator's read of it (signed by ROOT); stop() closes both. */
type DrivenBaseline = BenchServer & { op: () => Promise<void> };
async function drivenBaseline(server: Promise<BenchServer>, concurrency: number): Promise<DrivenBaseline> {
  const { url, stop } = await server;
  const client = new SignedClient(url, ROOT, Math.max(64, concurrency * 2));
  return {
    url,
    op: async () => void (await client.ok(BASELINE_READ)),
    stop: async () => {
      client.close();
      await stop();
    },
  };
}

/** An IAM user whose attached customer managed policy allows the reads of bench-* users; its key. */
export async function reader(root: SignedClient, runId: string): Promise<SigningCredentials> {
  const name = `bench-reader-${runId}`;
  await root.ok({ Action: 'CreateUser', UserName: name });
  const policy = await root.ok({
    Action: 'CreatePolicy',
    PolicyName: `bench-reads-${runId}`,
    PolicyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:GetUser', 'iam:GetLoginProfile'], Resource: 'arn:aws:iam::*:user/bench-*' }],
    }),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(policy)![1]!;
  await root.ok({ Action: 'AttachUserPolicy', UserName: name, PolicyArn: arn });
  const key = await root.ok({ Action: 'CreateAccessKey', UserName: name });
  return {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(key)![1]!,
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key)![1]!,
  };
}

/** The half-rate runs' warm-up, at least: past the full GC that follows a long idle (see `open` below). */
const HALF_RATE_WARMUP_MS = 5_000;

interface Target {
  mode: Mode;
  server: Server;
  clients: SignedClient[];
  credentials: Record<Caller, SigningCredentials>;
  ops: Record<Caller, Record<Read, () => Promise<void>>>;
}

/** The request wrk replays for a read: one user's (the in-process generator cycles through the pool). */
const wrkParams = (read: Read, runId: string) => ({ Action: read, UserName: userName(runId, read === 'GetUser' ? 1 : 0) });
const EXPECT: Record<Read, string> = { GetLoginProfile: '<LoginProfile>', GetUser: '<User>' };

export async function measureFloorShare(o: {
  durationMs: number;
  warmupMs: number;
  concurrency: number;
  repeat: number;
  wrk: { connections: number; threads: number };
  runId: string;
  log: (line: string) => void;
  /** The Node (and copy of the build) iamd and the floor run under; this process's by default. */
  runtime?: Runtime;
  /** How iamd logs, one server each: both by default. */
  modes?: readonly Mode[];
  /** The open loop at half the maximum beside the floor at that rate (as shipped); on by default. */
  halfRate?: boolean;
  /** "SigV4 + read" beside the floor (startReferenceServer); on by default. */
  reference?: boolean;
}): Promise<FloorShare> {
  const runtime = o.runtime ?? THIS_RUNTIME;
  const modes = o.modes ?? MODES;
  const version = wrkVersion();
  const wrkOptions: WrkOptions = { ...o.wrk, durationS: o.durationMs / 1000 };
  const { log } = o;
  if (!version) log('  wrk is not installed: its columns stay empty (apt-get install wrk)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bench-share-'));
  const accessLog = path.join(dir, 'iamd-stderr.log');
  // Each started server is stopped in the finally, however far the start got.
  const baselines: DrivenBaseline[] = [];
  const startBaseline = async (server: Promise<BenchServer>) => {
    const baseline = await drivenBaseline(server, o.concurrency);
    baselines.push(baseline);
    return baseline;
  };
  const targets: Target[] = [];
  let logBytes = 0;
  let logRequests = 0;
  try {
    const floor = await startBaseline(startFloorServer(runtime));
    const reference = o.reference === false ? undefined : await startBaseline(startReferenceServer(runtime));
    for (const mode of modes) {
      const server = await startIamd(['--memory'], {}, mode === 'as shipped' ? { quiet: false, accessLog } : { quiet: true }, runtime);
      const root = new SignedClient(server.url, ROOT, Math.max(64, o.concurrency * 2));
      const target: Target = { mode, server, clients: [root], credentials: { root: ROOT } as Record<Caller, SigningCredentials>, ops: {} as Target['ops'] };
      targets.push(target);
      await setUp(root, o.runId);
      target.credentials['IAM user'] = await reader(root, o.runId);
      const user = new SignedClient(server.url, target.credentials['IAM user'], Math.max(64, o.concurrency * 2));
      target.clients.push(user);
      for (const [caller, client] of [['root', root], ['IAM user', user]] as const) {
        const reads = apiOperations(client, o.runId).filter((op) => op.read);
        target.ops[caller] = Object.fromEntries(reads.map((op) => [op.key, op.op])) as Record<Read, () => Promise<void>>;
      }
    }

    const floorRounds: BaselineRound[] = [];
    const referenceRounds: BaselineRound[] = [];
    const cells = new Map<string, { inproc: Stats[]; wrk: WrkStats[]; half: Half[]; floorHalf: Half[]; referenceHalf: Half[]; rounds: ShareCell['rounds'] }>();
    const key = (mode: Mode, read: Read, caller: Caller) => `${mode}|${read}|${caller}`;
    const line = (who: string, what: string, s: Stats, extra = '') =>
      log(`  ${who.padEnd(11)} ${what.padEnd(40)} ${s.perSecond.toFixed(0).padStart(7)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms${extra}`);
    const closed = async (op: () => Promise<void>) => {
      if (o.warmupMs > 0) await closedLoop(op, o.concurrency, o.warmupMs);
      return closedLoop(op, o.concurrency, o.durationMs);
    };

    for (let round = 0; round < o.repeat; round++) {
      log(`  round ${round + 1} of ${o.repeat}`);
      const baseline = async (who: string, server: DrivenBaseline): Promise<BaselineRound> => {
        const b: BaselineRound = { inproc: await closed(server.op) };
        line(who, 'in-process', b.inproc);
        if (version) {
          b.wrk = await runWrk(presign(server.url, ROOT, BASELINE_READ), wrkOptions);
          line(who, 'wrk', b.wrk);
        }
        return b;
      };
      floorRounds.push(await baseline('floor', floor));
      if (reference) {
        // As iamd's requests are: the pre-signed request checked, and its replay, before wrk replays it.
        if (round === 0) await checkReplay(presign(reference.url, ROOT, BASELINE_READ), FLOOR_BODY);
        referenceRounds.push(await baseline('SigV4+read', reference));
      }
      const rates = new Map<string, number>();
      for (const t of targets) {
        for (const read of READS) {
          for (const caller of CALLERS) {
            const k = key(t.mode, read, caller);
            let c = cells.get(k);
            if (!c) cells.set(k, (c = { inproc: [], wrk: [], half: [], floorHalf: [], referenceHalf: [], rounds: [] }));
            const what = `${read}, ${caller}`;
            if (t.mode === 'as shipped') fs.truncateSync(accessLog, 0);
            const inproc = await closed(t.ops[caller][read]);
            if (t.mode === 'as shipped') {
              // Lines still buffered in the server land a moment later: a small undercount.
              logBytes += fs.statSync(accessLog).size;
              logRequests += inproc.requests + Math.round((inproc.perSecond * o.warmupMs) / 1000);
            }
            line(t.mode, `${what}, in-process`, inproc);
            c.inproc.push(inproc);
            const r: ShareCell['rounds'][number] = { inproc: inproc.perSecond };
            rates.set(k, inproc.perSecond / 2);
            if (version) {
              // Signed afresh for each run: a signature is good for 15 minutes.
              const request = presign(t.server.url, t.credentials[caller], wrkParams(read, o.runId));
              if (round === 0) await checkReplay(request, EXPECT[read]);
              const w = await runWrk(request, wrkOptions);
              line(t.mode, `${what}, wrk`, w);
              c.wrk.push(w);
              r.wrk = w.perSecond;
            }
            c.rounds.push(r);
            if (t.mode === 'as shipped') fs.truncateSync(accessLog, 0);
          }
        }
      }
      // p99 at half of this round's in-process maximum, as shipped, beside the floor at the same rate.
      const shipped = targets.find((t) => t.mode === 'as shipped');
      if (o.halfRate === false || !shipped) continue;
      for (const read of READS) {
        for (const caller of CALLERS) {
          const k = key(shipped.mode, read, caller);
          const c = cells.get(k)!;
          const rate = Math.max(1, rates.get(k)!);
          const open = async (op: () => Promise<void>) => {
            // Warmed at the same rate: each server sat idle while the others were measured (about
            // 50 s before a round's first half-rate cell), and the first seconds after a long idle
            // are slow. Not reconnecting (a 6 s idle does that too), but V8's heap: idle, its memory
            // reducer shrinks the heap, and once the load is back a full mark-compact comes 2.6-3.2 s
            // in (--trace-gc, at 5,500/s), a 5-8 ms pause plus marking steps of up to 8 ms. A 1 s
            // warm-up put that pause in the measured window of the first cell of a round only (p99
            // 40-104 ms there, 4-7 ms in the others), so the warm-up is long enough to pass it. Its
            // own p99 is reported beside each round's (warmP99), so the transient stays in view;
            // stall-probe.ts measures it alone (PROBE_IDLE_S).
            const warm = o.warmupMs > 0 ? await openLoop(op, rate, Math.max(o.warmupMs, HALF_RATE_WARMUP_MS)) : undefined;
            return { ...(await openLoop(op, rate, o.durationMs)), rate, warmP99: warm?.p99 };
          };
          const h = await open(shipped.ops[caller][read]);
          line('as shipped', `${read}, ${caller} @ ${rate.toFixed(0)}/s`, h, `  (warm-up p99 ${h.warmP99?.toFixed(2) ?? '–'} ms)${h.late ? `  (${h.late} sent late)` : ''}`);
          const fh = await open(floor.op);
          line('floor', `same rate (${rate.toFixed(0)}/s)`, fh, fh.late ? `  (${fh.late} sent late)` : '');
          const rh = reference && (await open(reference.op));
          if (rh) line('SigV4+read', `same rate (${rate.toFixed(0)}/s)`, rh, rh.late ? `  (${rh.late} sent late)` : '');
          c.half.push(h);
          c.floorHalf.push(fh);
          if (rh) c.referenceHalf.push(rh);
          Object.assign(c.rounds[c.rounds.length - 1]!, { halfP99: h.p99, floorHalfP99: fh.p99, referenceHalfP99: rh?.p99, rate, warmP99: h.warmP99 });
          fs.truncateSync(accessLog, 0);
        }
      }
    }

    const out: ShareCell[] = [];
    for (const mode of modes) {
      for (const read of READS) {
        for (const caller of CALLERS) {
          const c = cells.get(key(mode, read, caller))!;
          // iamd's, the floor's and "SigV4 + read"'s runs of one round stay together.
          const pair = c.half.length ? medianBy(c.half.map((h, i) => [h, c.floorHalf[i]!, c.referenceHalf[i]] as const), ([h, f]) => h.p99 / f.p99) : undefined;
          out.push({
            read,
            caller,
            mode,
            inproc: medianBy(c.inproc, (s) => s.perSecond),
            wrk: c.wrk.length ? medianBy(c.wrk, (s) => s.perSecond) : undefined,
            half: pair?.[0],
            floorHalf: pair?.[1],
            referenceHalf: pair?.[2],
            rounds: c.rounds,
          });
        }
      }
    }
    const baselineOf = (rounds: BaselineRound[]): Baseline => {
      const wrks = rounds.flatMap((r) => (r.wrk ? [r.wrk] : []));
      return {
        inproc: medianBy(rounds.map((r) => r.inproc), (s) => s.perSecond),
        wrk: wrks.length ? medianBy(wrks, (s) => s.perSecond) : undefined,
        rounds: rounds.map((r) => ({ inproc: r.inproc.perSecond, wrk: r.wrk?.perSecond })),
      };
    };
    return {
      rounds: o.repeat,
      concurrency: o.concurrency,
      durationS: o.durationMs / 1000,
      wrk: { ...wrkOptions, version },
      floor: baselineOf(floorRounds),
      reference: referenceRounds.length ? baselineOf(referenceRounds) : undefined,
      cells: out,
      accessLogBytesPerRequest: logRequests ? logBytes / logRequests : NaN,
    };
  } finally {
    for (const b of baselines) await b.stop();
    for (const t of targets) {
      for (const c of t.clients) c.close();
      await t.server.stop();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
