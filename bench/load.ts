/**
 * The in-process load generator: a SigV4-signing client on keep-alive connections, a closed loop
 * (fixed concurrency, fixed duration) and an open loop (fixed arrival rate: a slow answer does not
 * hold back the next request, so a stalled server is not hidden by coordinated omission).
 */
import http from 'node:http';
import { signRequest, type SigningCredentials } from '../src/protocol/sigv4/sign.js';
import { Http1Pool, type Http1Answer } from './http1.js';
import { percentile, queryBody } from './support.js';

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP exchange on `agent`; resolves with the whole body. */
export function exchange(
  agent: http.Agent,
  target: URL,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: target.hostname, port: target.port, method, path, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Signs every request afresh (new date, new signature), as any AWS SDK does, and sends it on a
 * keep-alive connection of a light HTTP/1.1 client (see http1.ts for why not node:http).
 */
export class SignedClient {
  readonly target: URL;
  private readonly pool: Http1Pool;

  constructor(
    url: string,
    private readonly credentials: SigningCredentials,
    maxConnections = 64,
  ) {
    this.target = new URL(url);
    this.pool = new Http1Pool(this.target, maxConnections);
  }

  call(params: Record<string, string>): Promise<Http1Answer> {
    const body = queryBody(params);
    const signed = signRequest(
      { method: 'POST', headers: { host: this.target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
      { credentials: this.credentials, region: 'us-east-1', service: 'iam' },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
    return this.pool.post('/', headers, body);
  }

  /** A call that must answer 200. */
  async ok(params: Record<string, string>): Promise<string> {
    const res = await this.call(params);
    if (res.status !== 200) throw new Error(`${params.Action} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return res.body;
  }

  close(): void {
    this.pool.close();
  }
}

export interface Stats {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * Latencies in a preallocated Float64Array (doubled when full): a JS array that grows by push
 * leaves a trail of copied backing stores for the generator's own garbage collector, and the
 * generator's pauses land in the latencies it measures.
 */
class LatencyLog {
  private values = new Float64Array(1 << 14);
  length = 0;

  push(ms: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = ms;
  }

  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/**
 * Collects the generator's garbage before a measured run (when node runs with --expose-gc, as
 * `npm run bench` does), so a collection of the previous run's leftovers does not pause this one.
 */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

function statsOf(log: LatencyLog, seconds: number): Stats {
  const latencies = log.sorted();
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: latencies.length ? percentile(latencies, 50) : NaN,
    p99: latencies.length ? percentile(latencies, 99) : NaN,
    max: latencies.length ? latencies[latencies.length - 1]! : NaN,
  };
}

/** Milliseconds, monotonic; performance.now() allocates nothing, unlike process.hrtime.bigint(). */
const nowMs = () => performance.now();

/** `concurrency` loops calling `op` back to back for `durationMs`; any failure aborts the run. */
export async function closedLoop(op: () => Promise<void>, concurrency: number, durationMs: number): Promise<Stats> {
  collectGarbage();
  const latencies = new LatencyLog();
  const started = nowMs();
  const until = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (nowMs() < until) {
        const t = nowMs();
        await op();
        latencies.push(nowMs() - t);
      }
    }),
  );
  return statsOf(latencies, (nowMs() - started) / 1000);
}

/**
 * Requests start at `ratePerSecond`, evenly spaced, for `durationMs`, whatever the server's pace
 * (open loop: a slow answer does not delay the next request). Latency runs from each send;
 * `late` counts requests the client itself sent more than 5 ms after they were due. `onAnswer`
 * hears each answer's send time (ms from the start) and latency (bench/stall-probe.ts: when the
 * slowest were sent).
 */
export async function openLoop(
  op: () => Promise<void>,
  ratePerSecond: number,
  durationMs: number,
  onAnswer?: (sentAtMs: number, latencyMs: number) => void,
): Promise<Stats & { late: number }> {
  collectGarbage();
  const latencies = new LatencyLog();
  const started = nowMs();
  const total = Math.max(1, Math.floor((ratePerSecond * durationMs) / 1000));
  const interval = 1000 / ratePerSecond;
  const inFlight = new Set<Promise<void>>();
  let late = 0;
  let failure: unknown;
  let i = 0;
  while (i < total && failure === undefined) {
    const now = nowMs();
    for (; i < total && started + i * interval <= now; i++) {
      if (now - (started + i * interval) > 5) late++;
      const sent = nowMs();
      const p: Promise<void> = op().then(
        () => {
          latencies.push(nowMs() - sent);
          onAnswer?.(sent - started, nowMs() - sent);
          inFlight.delete(p);
        },
        (e) => {
          failure ??= e;
          inFlight.delete(p);
        },
      );
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return { ...statsOf(latencies, (nowMs() - started) / 1000), late };
}

/** Samples `sample()` every `everyMs` until stopped; keeps the largest value. */
export function peakSampler(sample: () => number | undefined, everyMs = 200): { peak: () => number; stop: () => void } {
  let peak = 0;
  const take = () => {
    try {
      const v = sample();
      if (v !== undefined && v > peak) peak = v;
    } catch {
      // the process may have gone
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    peak: () => (take(), peak),
    stop: () => clearInterval(timer),
  };
}
