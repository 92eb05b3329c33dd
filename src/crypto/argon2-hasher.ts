import argon2 from 'argon2';
import type { PasswordHasher } from '../ports/runtime.js';

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

export function argon2Hasher(params: Argon2Parameters = OWASP_ARGON2ID): PasswordHasher {
  return {
    hash: (password) =>
      argon2.hash(password, {
        type: argon2.argon2id,
        memoryCost: params.memoryCostKiB,
        timeCost: params.timeCost,
        parallelism: params.parallelism,
      }),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
  };
}
