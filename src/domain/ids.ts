import { randomBytes } from 'node:crypto';
import type { IdGenerator } from '../ports/runtime.js';
import { encodeKeyId } from './key-ids.js';

// AWS's unique ids use upper-case letters and the digits 2-7 (base32's alphabet).
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function randomString(alphabet: string, length: number): string {
  // Both alphabets have a power-of-two size (32, 64), so masking a random byte has no bias.
  const mask = alphabet.length - 1;
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! & mask];
  return out;
}

export const randomIds: IdGenerator = {
  userId: () => 'AIDA' + randomString(BASE32, 17),
  accessKeyId: (accountId) => encodeKeyId('AKIA', accountId, randomBytes(5)),
  temporaryAccessKeyId: (accountId) => encodeKeyId('ASIA', accountId, randomBytes(5)),
  secretAccessKey: () => randomString(SECRET_ALPHABET, 40),
  groupId: () => 'AGPA' + randomString(BASE32, 17),
  policyId: () => 'ANPA' + randomString(BASE32, 17),
  uniqueId: (prefix: string, length = 17) => prefix + randomString(BASE32, length),
};
