/**
 * The argon2id hash at iamd's parameters, timed: the median of 20 after one warm-up hash.
 * Imported by bench/run.ts (the hash limit), and run on its own under another Node by the
 * per-Node-version section (bench/node-versions.ts):
 *
 *   node dist-bench/bench/hash-time.js   → {"ms": 41.2, "node": "v22.23.3"}
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { argon2Hasher } from '../src/crypto/argon2-hasher.js';
import { median } from './support.js';

export async function measureHash(): Promise<number> {
  const hasher = argon2Hasher();
  await hasher.hash('Bench-Warmup-Passw0rd!');
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = process.hrtime.bigint();
    await hasher.hash(`Bench-Hash-${i}-Passw0rd!`);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return median(times);
}

/**
 * What the machine's cores hash together: the binding alone (no server, no requests), `concurrency`
 * hashes in flight for `ms`, in hashes per second. The hash limit assumes cores scale linearly;
 * this is what they do (two vCPUs that share a physical core, or argon2's memory traffic, can
 * make two hashes at once hardly faster than one).
 */
export async function measureHashThroughput(concurrency: number, ms: number): Promise<number> {
  const hasher = argon2Hasher(undefined, { maxConcurrent: concurrency });
  await hasher.hash('Bench-Warmup-Passw0rd!');
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - started < ms) {
        await hasher.hash(`Bench-Throughput-${done}-Passw0rd!`);
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

// Run when executed, not when imported.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify({ ms: await measureHash(), node: process.version }));
}
