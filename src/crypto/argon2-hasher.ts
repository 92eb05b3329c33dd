import { hash as argon2Hash, parseOptions, verify as argon2Verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../ports/runtime.js';
import { IamError } from '../domain/errors.js';

/**
 * argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1), computed by @node-rs/argon2
 * (the Rust argon2 crate; prebuilt binaries from the registry, no install script): about 1.5x
 * faster per hash than the `argon2` package iamd used before (bench/argon2-bindings.ts). Its
 * asynchronous calls run as N-API async work on libuv's thread pool, so a hash never blocks the
 * event loop. The encoded hash (PHC string) carries its parameters and salt: hashes written by the
 * old binding (`m=19456,p=1,t=2`, its parameter order) verify unchanged, and a hash at other
 * parameters is replaced on the next successful sign-in (needsRehash).
 */
export interface Argon2Parameters {
  memoryCostKiB: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2ID: Argon2Parameters = { memoryCostKiB: 19_456, timeCost: 2, parallelism: 1 };

export interface HashingLimits {
  /** Hashes (and verifications) computing at once; default the libuv pool size (UV_THREADPOOL_SIZE, 4). */
  maxConcurrent?: number;
  /** Waiting beyond that; one more is refused with Throttling rather than queued without bound. */
  maxQueued?: number;
}

export const DEFAULT_MAX_QUEUED_HASHES = 256;

/** @node-rs/argon2's Algorithm.Argon2id: a const enum, which verbatimModuleSyntax cannot import. */
const ARGON2ID = 2;

/**
 * A counting semaphore with a bounded queue. Each argon2 computation holds 19 MiB while it runs;
 * at most `maxConcurrent` run, at most `maxQueued` wait (first come, first served), and a flood
 * beyond that is refused at once with AWS's Throttling error, so memory stays bounded.
 */
export class HashLimiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  readonly maxConcurrent: number;
  readonly maxQueued: number;

  constructor(limits: HashingLimits = {}) {
    this.maxConcurrent = Math.max(1, limits.maxConcurrent ?? (Number(process.env.UV_THREADPOOL_SIZE) || 4));
    this.maxQueued = Math.max(0, limits.maxQueued ?? DEFAULT_MAX_QUEUED_HASHES);
  }

  /** How many are computing and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.maxConcurrent) {
      if (this.waiting.length >= this.maxQueued) throw new IamError('Throttling', 'Rate exceeded');
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

export function argon2Hasher(params: Argon2Parameters = OWASP_ARGON2ID, limits: HashingLimits = {}): PasswordHasher {
  const limiter = new HashLimiter(limits);
  return {
    hash: (password) =>
      limiter.run(() =>
        argon2Hash(password, {
          // 16 bytes drawn here cost microseconds and keep the salt's source in our hands.
          salt: randomBytes(16),
          algorithm: ARGON2ID,
          memoryCost: params.memoryCostKiB,
          timeCost: params.timeCost,
          parallelism: params.parallelism,
        }),
      ),
    verify: (hash, password) =>
      limiter.run(async () => {
        try {
          return await argon2Verify(hash, password);
        } catch {
          return false;
        }
      }),
    needsRehash: (hash) => {
      try {
        const o = parseOptions(hash);
        return o.algorithm !== ARGON2ID || o.memoryCost !== params.memoryCostKiB || o.timeCost !== params.timeCost || o.parallelism !== params.parallelism;
      } catch {
        return false; // not an argon2 hash at all: nothing a rehash could fix, and verify refuses it
      }
    },
  };
}
