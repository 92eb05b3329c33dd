/**
 * Looks for stalls: iamd as shipped (access log to a file), GetLoginProfile (an IAM user's, or
 * root's with PROBE_CALLER=root) driven flat out (closed loop), then in an open loop at a fixed
 * rate, every latency kept with its send time; prints the slowest requests and when they were sent.
 *   node --expose-gc dist-bench/bench/stall-probe.js [rate] [seconds]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { closedLoop, openLoop, SignedClient } from './load.js';
import { reader, startFloorServer } from './floor-share.js';
import { ROOT, startIamd } from './support.js';
import { apiOperations, setUp } from './workloads.js';

const rate = Number(process.argv[2] ?? 2500);
const seconds = Number(process.argv[3] ?? 10);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-stall-'));
const server = await startIamd(['--memory'], process.env.PROBE_ENV ? JSON.parse(process.env.PROBE_ENV) : {}, process.env.PROBE_QUIET ? { quiet: true } : { quiet: false, accessLog: process.env.PROBE_LOG ?? path.join(dir, 'log') });
// The server's stdout (GC traces with IAMD_BENCH_NODE_ARGS=--trace-gc) into the folder, with the time each line arrived.
const gcLog = fs.createWriteStream(path.join(dir, 'stdout'));
const probeStart = performance.now();
server.child.stdout!.on('data', (d: Buffer) => gcLog.write(`[${((performance.now() - probeStart) / 1000).toFixed(2)}] ${d.toString()}`));
console.log(`logs in ${dir}`);
const root = new SignedClient(server.url, ROOT, 64);
await setUp(root, 'probe');
// PROBE_CALLER=root: the read signed by root (no policy evaluated); an IAM user's by default.
const caller = process.env.PROBE_CALLER === 'root' ? root : new SignedClient(server.url, await reader(root, 'probe'), 64);
const iamdOp = apiOperations(caller, 'probe').find((o) => o.key === 'GetLoginProfile')!.op;
// PROBE_FLOOR=1: the same generator against the floor (a bare node:http server), to tell the server's stalls from the machine's.
const floor = process.env.PROBE_FLOOR ? await startFloorServer() : undefined;
const floorClient = floor && new SignedClient(floor.url, ROOT, 64);
const op = floorClient ? async () => void (await floorClient.ok({ Action: 'GetLoginProfile', UserName: 'floor' })) : iamdOp;
if (floor) console.log('against the floor');
const max = await closedLoop(op, 16, seconds * 1000);
console.log(`closed loop: ${max.perSecond.toFixed(0)} req/s, p99 ${max.p99.toFixed(2)} ms`);
// PROBE_IDLE_S: the server idles this long first, as the bench's servers do between their runs.
if (process.env.PROBE_IDLE_S) await new Promise((r) => setTimeout(r, Number(process.env.PROBE_IDLE_S) * 1000));
// PROBE_WARM=1: then 64 requests at once (the pool's connections opened again) and a 100 ms pause, before the open loop.
if (process.env.PROBE_WARM) {
  await Promise.all(Array.from({ length: 64 }, () => op()));
  await new Promise((r) => setTimeout(r, 100));
}
for (let run = 0; run < 2; run++) {
  const t0 = performance.now();
  console.log(`open loop ${run + 1} starts at ${((t0 - probeStart) / 1000).toFixed(2)} s`);
  const samples: [number, number][] = [];
  const stats = await openLoop(op, rate, seconds * 1000, (at, ms) => samples.push([at, ms]));
  samples.sort((a, b) => b[1] - a[1]);
  console.log(`open loop ${rate}/s: p99 ${stats.p99.toFixed(2)} ms; slowest: ${samples.slice(0, 8).map(([at, ms]) => `${ms.toFixed(0)} ms at ${(at / 1000).toFixed(2)} s`).join(', ')}`);
}
await server.stop();
await floor?.stop();
