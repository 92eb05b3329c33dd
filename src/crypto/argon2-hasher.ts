import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import type { PasswordHasher } from '../ports/runtime.js';
import { IamError } from '../domain/errors.js';

/**
 * argon2id at OWASP's recommended minimum (m = 19 MiB, t = 2, p = 1). The binding computes on
 * libuv's thread pool, so a hash never blocks the event loop; the encoded hash carries its
 * parameters and salt, so parameters can be raised later without breaking stored passwords.
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
        argon2.hash(password, {
          // argon2 would draw the salt with the asynchronous randomBytes, a job on the same
          // libuv pool as the hashes, queued behind every running one; 16 bytes drawn here cost
          // microseconds.
          salt: randomBytes(16),
          type: argon2.argon2id,
          memoryCost: params.memoryCostKiB,
          timeCost: params.timeCost,
          parallelism: params.parallelism,
        }),
      ),
    verify: (hash, password) =>
      limiter.run(async () => {
        try {
          return await argon2.verify(hash, password);
        } catch {
          return false;
        }
      }),
  };
}
