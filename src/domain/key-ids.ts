/**
 * Access key ids as AWS makes them, so that GetAccessKeyInfo (and the tools that decode key ids
 * offline) find the account in them. AWS does not document the format; it was worked out publicly:
 * Aidan Steele, "AWS Access Key ID formats" (2020), Tal Be'ery, "A short note on AWS KEY ID"
 * (2023), and WithSecure Labs' "A bitwise analysis of AWS access key identifiers" (2023):
 *
 *   AKIA|ASIA + 16 base32 characters (80 bits). Of the first 48 bits, bit 0 marks the "new
 *   generation" format (1), bits 1-40 are the account id, the remaining 7 bits and the last
 *   32 bits carry no known meaning (iamd fills them at random).
 *
 * Decoding: base32 of the 16 characters, the first 6 bytes as a big-endian integer z, account =
 * (z & 0x7fffffffff80) >> 7. Key ids iamd made before this format decode to no account of ours
 * and keep working (the store finds keys by id, never by decoding).
 */
import { base32Encode } from './totp.js';

/** RFC 4648's alphabet, as key ids use it (decoding below reads it). */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A key id: the prefix, then the account and 39 random bits, as above. `random` gives 5 bytes. */
export function encodeKeyId(prefix: string, accountId: string, random: Uint8Array): string {
  const account = BigInt(accountId);
  const low7 = BigInt(random[0]! & 0x7f);
  const head = (1n << 47n) | (account << 7n) | low7;
  const bytes = new Uint8Array(10);
  for (let i = 0; i < 6; i++) bytes[i] = Number((head >> BigInt(8 * (5 - i))) & 0xffn);
  bytes.set(random.subarray(1, 5), 6);
  return prefix + base32Encode(bytes);
}

/** The account a key id encodes (12 digits), or undefined when it is not of this form. */
export function accountOfKeyId(keyId: string): string | undefined {
  const body = keyId.slice(4, 14); // 10 characters = 50 bits, enough for the first 48
  if (body.length < 10 || !/^[A-Z2-7]+$/.test(body)) return undefined;
  let z = 0n;
  for (const c of body) z = (z << 5n) | BigInt(BASE32.indexOf(c));
  z >>= 2n; // 50 bits → the first 48
  return String((z & 0x7fffffffff80n) >> 7n).padStart(12, '0');
}
