/**
 * Time per argon2id hash at iamd's parameters (m=19456 KiB, t=2, p=1): @node-rs/argon2, which iamd
 * uses, against the `argon2` package it used before, when that one is installed (it no longer is a
 * dependency: `npm install --no-save argon2` to compare). Sequential hashes (the latency one
 * sign-in pays), then as many at once as the libuv pool has threads (the throughput the hash limit
 * in issue 18 is measured against), alternating the bindings round by round so that both see the
 * same machine load.
 *
 *   npm run build && tsc -p bench/tsconfig.json && node dist-bench/bench/argon2-bindings.js [rounds]
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { hash as nodeRsHash, verify as nodeRsVerify } from '@node-rs/argon2';

type Hash = (password: string) => Promise<string>;
type Verify = (hash: string, password: string) => Promise<boolean>;

const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };
const ROUNDS = Number(process.argv[2] ?? 5);
const PER_ROUND = 10;
const POOL = Number(process.env.UV_THREADPOOL_SIZE) || 4;

async function bindings(): Promise<{ name: string; hash: Hash; verify: Verify }[]> {
  const list: { name: string; hash: Hash; verify: Verify }[] = [
    {
      name: '@node-rs/argon2',
      hash: (p) => nodeRsHash(p, { ...PARAMS, algorithm: 2 /* Argon2id */, salt: randomBytes(16) }),
      verify: (h, p) => nodeRsVerify(h, p),
    },
  ];
  try {
    const name = 'argon2'; // a variable: the package is optional, and absent by default
    const old = (await import(name)) as { default: { hash: (p: string, o: object) => Promise<string>; verify: Verify; argon2id: number } };
    const a = old.default;
    list.push({ name: 'argon2 (node-argon2)', hash: (p) => a.hash(p, { ...PARAMS, type: a.argon2id, salt: randomBytes(16) }), verify: (h, p) => a.verify(h, p) });
  } catch {
    console.log('argon2 (node-argon2) is not installed: `npm install --no-save argon2` to compare it\n');
  }
  return list;
}

async function timeEach(hash: Hash, n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await hash(`bench-password-${i}`);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return ms;
}

async function timeParallel(hash: Hash, n: number): Promise<number> {
  const t = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: POOL }, async () => { while (next++ < n) await hash(`bench-password-${next}`); }));
  return (Number(process.hrtime.bigint() - t) / 1e6) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p90 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.9)]!;

const list = await bindings();
const sequential = new Map<string, number[]>(list.map((b) => [b.name, []]));
const parallel = new Map<string, number[]>(list.map((b) => [b.name, []]));
for (const b of list) {
  // Cross-check and warm up: each binding verifies the other's hashes.
  for (const other of list) if (!(await other.verify(await b.hash('x'), 'x'))) throw new Error(`${other.name} does not verify ${b.name}`);
}
for (let r = 0; r < ROUNDS; r++) {
  for (const b of r % 2 === 0 ? list : [...list].reverse()) {
    sequential.get(b.name)!.push(...(await timeEach(b.hash, PER_ROUND)));
    parallel.get(b.name)!.push(await timeParallel(b.hash, PER_ROUND * 2));
  }
}

console.log(`argon2id m=${PARAMS.memoryCost} t=${PARAMS.timeCost} p=${PARAMS.parallelism}; node ${process.version}; ${os.cpus().length} cores; pool ${POOL}; ${ROUNDS} rounds\n`);
console.log('| binding | ms/hash sequential (median) | p90 | ms/hash with the pool busy (median of rounds) | hashes/s with the pool busy |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const b of list) {
  const s = sequential.get(b.name)!;
  const p = median(parallel.get(b.name)!);
  console.log(`| ${b.name} | ${median(s).toFixed(1)} | ${p90(s).toFixed(1)} | ${p.toFixed(1)} | ${(1000 / p).toFixed(0)} |`);
}
