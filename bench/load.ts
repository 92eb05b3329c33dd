/**
 * The in-process load generator: a SigV4-signing client on a keep-alive http.Agent, a closed loop
 * (fixed concurrency, fixed duration) and an open loop (fixed arrival rate, latency counted from
 * each request's scheduled time, so a stalled server is not hidden by coordinated omission).
 */
import http from 'node:http';
import { signRequest, type SigningCredentials } from '../src/protocol/sigv4/sign.js';
import { percentile } from './support.js';

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

/** Signs every request afresh (new date, new signature), as any AWS SDK does. */
export class SignedClient {
  readonly target: URL;
  readonly agent: http.Agent;

  constructor(
    url: string,
    private readonly credentials: SigningCredentials,
    maxSockets = 64,
  ) {
    this.target = new URL(url);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  call(params: Record<string, string>): Promise<Answer> {
    const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
    const signed = signRequest(
      { method: 'POST', headers: { host: this.target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
      { credentials: this.credentials, region: 'us-east-1', service: 'iam' },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
    return exchange(this.agent, this.target, 'POST', '/', headers, body);
  }

  /** A call that must answer 200. */
  async ok(params: Record<string, string>): Promise<string> {
    const res = await this.call(params);
    if (res.status !== 200) throw new Error(`${params.Action} answered ${res.status}: ${res.body.slice(0, 300)}`);
    return res.body;
  }

  close(): void {
    this.agent.destroy();
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

function statsOf(latencies: number[], seconds: number): Stats {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    perSecond: latencies.length / seconds,
    p50: latencies.length ? percentile(latencies, 50) : NaN,
    p99: latencies.length ? percentile(latencies, 99) : NaN,
    max: latencies.length ? latencies[latencies.length - 1]! : NaN,
  };
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

/** `concurrency` loops calling `op` back to back for `durationMs`; any failure aborts the run. */
export async function closedLoop(op: () => Promise<void>, concurrency: number, durationMs: number): Promise<Stats> {
  const latencies: number[] = [];
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
 * `late` counts requests the client itself sent more than 5 ms after they were due.
 */
export async function openLoop(op: () => Promise<void>, ratePerSecond: number, durationMs: number): Promise<Stats & { late: number }> {
  const latencies: number[] = [];
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
