/**
 * The one-time-password arithmetic against the RFCs' own test vectors: RFC 4226 appendix D (HOTP)
 * and RFC 6238 appendix B (TOTP, the SHA-1 rows and, to show the algorithm parameter works, the
 * SHA-256 and SHA-512 ones), then the search for two consecutive codes that EnableMFADevice uses.
 */
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, findCode, findConsecutive, hotp, newSeed, timeStep, totp } from '../src/domain/totp.js';

const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii');

describe('HOTP (RFC 4226, appendix D)', () => {
  const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  it.each(expected.map((code, counter) => [counter, code] as const))('counter %i gives %s', (counter, code) => {
    expect(hotp(RFC_SECRET, counter)).toBe(code);
  });
});

describe('TOTP (RFC 6238, appendix B)', () => {
  const seeds = {
    sha1: RFC_SECRET,
    sha256: Buffer.from('12345678901234567890123456789012', 'ascii'),
    sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234', 'ascii'),
  };
  const table: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  it.each(table)('at %i s: %s (SHA-1), %s (SHA-256), %s (SHA-512)', (seconds, sha1, sha256, sha512) => {
    const at = new Date(seconds * 1000);
    expect(totp(seeds.sha1, at, 8)).toBe(sha1);
    expect(totp(seeds.sha256, at, 8, 'sha256')).toBe(sha256);
    expect(totp(seeds.sha512, at, 8, 'sha512')).toBe(sha512);
  });

  it('uses 30-second steps and 6 digits by default (the last 6 of the 8-digit vector)', () => {
    expect(timeStep(new Date(59_000))).toBe(1);
    expect(timeStep(new Date(60_000))).toBe(2);
    expect(totp(RFC_SECRET, new Date(59_000))).toBe('287082');
  });
});

describe('base32 (RFC 4648)', () => {
  it.each([
    ['', ''],
    ['f', 'MY'],
    ['fo', 'MZXQ'],
    ['foo', 'MZXW6'],
    ['foob', 'MZXW6YQ'],
    ['fooba', 'MZXW6YTB'],
    ['foobar', 'MZXW6YTBOI'],
  ])('%j is %s (padding left off)', (plain, encoded) => {
    expect(base32Encode(Buffer.from(plain))).toBe(encoded);
    expect(base32Decode(encoded).toString()).toBe(plain);
    expect(base32Decode(`${encoded.toLowerCase()}======`).toString()).toBe(plain);
  });

  it('refuses characters outside the alphabet', () => {
    expect(() => base32Decode('ABC1')).toThrow();
  });

  it('makes 64-character seeds of 40 random bytes, as AWS hands them out', () => {
    const a = newSeed();
    expect(a).toMatch(/^[A-Z2-7]{64}$/);
    expect(base32Decode(a)).toHaveLength(40);
    expect(newSeed()).not.toBe(a);
  });
});

describe('finding codes near a step', () => {
  const key = base32Decode(newSeed());
  const now = 57_000_000;
  const code = (step: number) => hotp(key, step);

  it('finds two consecutive codes, and reports the step of the second', () => {
    expect(findConsecutive(key, code(now - 1), code(now), now, 10)).toBe(now);
    expect(findConsecutive(key, code(now - 8), code(now - 7), now, 10)).toBe(now - 7);
    expect(findConsecutive(key, code(now + 3), code(now + 4), now, 10)).toBe(now + 4);
  });

  it('refuses codes in the wrong order, repeated, too far away or wrong', () => {
    expect(findConsecutive(key, code(now), code(now - 1), now, 10)).toBeUndefined();
    expect(findConsecutive(key, code(now), code(now), now, 10)).toBeUndefined();
    expect(findConsecutive(key, code(now - 1), code(now + 1), now, 10)).toBeUndefined();
    expect(findConsecutive(key, code(now - 12), code(now - 11), now, 10)).toBeUndefined();
    const wrong = code(now) === '000000' ? '000001' : '000000';
    expect(findConsecutive(key, code(now - 1), wrong, now, 10)).toBeUndefined();
  });

  it('finds a single code within the window only', () => {
    expect(findCode(key, code(now + 1), now, 1)).toBe(now + 1);
    expect(findCode(key, code(now - 1), now, 1)).toBe(now - 1);
    expect(findCode(key, code(now + 2), now, 1)).toBeUndefined();
  });
});
