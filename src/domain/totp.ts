import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Time-based one-time passwords as virtual MFA devices compute them: RFC 6238 over RFC 4226's
 * HOTP, HMAC-SHA1, 30-second steps, 6 digits (what AWS's virtual devices and every authenticator
 * app use). Node's HMAC is all it takes; no library.
 */

export const STEP_SECONDS = 30;
export const DIGITS = 6;
/** AWS's seeds are 64 base32 characters: 40 random bytes. */
export const SEED_BYTES = 40;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, without padding (a 40-byte seed needs none). */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The key bytes of a base32 seed (case and padding ignored). Throws on a character outside the alphabet. */
export function base32Decode(text: string): Buffer {
  const clean = text.toUpperCase().replace(/=+$/, '');
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of clean) {
    const v = ALPHABET.indexOf(c);
    if (v < 0) throw new Error('not base32');
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
    buffer &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** A new random seed, base32, as CreateVirtualMFADevice hands it out. */
export const newSeed = (): string => base32Encode(randomBytes(SEED_BYTES));

/** RFC 4226 HOTP: the code for one counter value, zero-padded to `digits`. */
export function hotp(key: Uint8Array, counter: number, digits = DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, key).update(message).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The RFC 6238 time step a moment falls in. */
export const timeStep = (at: Date): number => Math.floor(at.getTime() / 1000 / STEP_SECONDS);

/** RFC 6238 TOTP: the code shown at a moment. */
export const totp = (key: Uint8Array, at: Date, digits = DIGITS, algorithm: 'sha1' | 'sha256' | 'sha512' = 'sha1'): string =>
  hotp(key, timeStep(at), digits, algorithm);

/** Compares two codes without leaking, by timing, how much of a guess was right. */
function sameCode(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The step of the second of two consecutive codes (code1 at step s, code2 at s + 1), with s + 1
 * within `window` steps of `center`; the step nearest to center wins. Undefined when no pair
 * matches. Every candidate is computed, so the time taken does not depend on where a match is.
 */
export function findConsecutive(key: Uint8Array, code1: string, code2: string, center: number, window: number): number | undefined {
  let found: number | undefined;
  for (let d = 0; d <= window; d++) {
    for (const step of d === 0 ? [center] : [center - d, center + d]) {
      const hit = sameCode(hotp(key, step - 1), code1) && sameCode(hotp(key, step), code2);
      if (hit && found === undefined) found = step;
    }
  }
  return found;
}

/** The step at which `code` is shown, within `window` steps of `center` (nearest first), or undefined. */
export function findCode(key: Uint8Array, code: string, center: number, window: number): number | undefined {
  let found: number | undefined;
  for (let d = 0; d <= window; d++) {
    for (const step of d === 0 ? [center] : [center - d, center + d]) {
      if (sameCode(hotp(key, step), code) && found === undefined) found = step;
    }
  }
  return found;
}
