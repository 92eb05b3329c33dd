import { createHmac, hash } from 'node:crypto';

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
 *
 * A key is the same for every request of one day, so derived keys are kept in a small map:
 * a verification then costs one HMAC instead of five. The map's keys hold the secret, so the map
 * stays inside this module and nothing here is ever logged.
 *
 * The one HMAC a request pays is HMAC-SHA256 as RFC 2104 defines it, two SHA-256 one-shots over
 * the key's pads (kept with the key) and the message, rather than node's createHmac. createHmac
 * sets up an HMAC context per call: on OpenSSL 3 that is three digest initialisations, each
 * looking its algorithm up again (11k instructions, and under load the costliest call a read
 * makes: about 6 % of a read's server CPU). crypto.hash() reuses a digest node has looked up
 * once. The result is createHmac's to the bit (test/sigv4.test.ts checks it against createHmac);
 * only how the two hashes are reached differs. (Before this, the cached keys were KeyObjects
 * because createHmac, on Node 24, threw and caught a TypeError for each Buffer key: gone with it.)
 */

/** SHA-256's block: an HMAC key no longer than this is used as it is, padded with zeros. */
const BLOCK = 64;
/** SHA-256's output: the inner digest that follows the outer pad. */
const DIGEST = 32;
/** Room for a string to sign after the inner pad; a longer one (a client's odd region) takes a new buffer. */
const SCRATCH = 512;

/**
 * kSigning, ready for HMAC: the inner pad (key XOR 0x36…) followed by room for the message, and
 * the outer pad (key XOR 0x5c…) followed by room for the inner digest. Both buffers are reused
 * by each signature made with this key (synchronously, so never by two at once).
 */
export interface SigningKey {
  readonly inner: Buffer;
  readonly outer: Buffer;
}

function padded(key: Buffer): SigningKey {
  // kSigning is a SHA-256 output, 32 bytes: shorter than a block, so never hashed first.
  const inner = Buffer.alloc(BLOCK + SCRATCH, 0x36);
  const outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
  for (let i = 0; i < key.length; i++) {
    inner[i] ^= key[i]!;
    outer[i] ^= key[i]!;
  }
  return { inner, outer };
}

const MAX_CACHED_KEYS = 256;
/** Scopes kept per secret: a client signs with one region and a service or two (iam, sts). */
const MAX_SCOPES_PER_SECRET = 4;
type Derived = { date: string; region: string; service: string; key: SigningKey };
/** Per secret, the keys derived for its latest scopes, newest first. */
const cache = new Map<string, Derived[]>();
let cachedKeys = 0;

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** Derives kSigning without the cache. */
export function deriveSigningKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secretAccessKey}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

/** kSigning for (secret, date, region, service), from the cache when it is there. Only signatureHex writes to it. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): SigningKey {
  let derived = cache.get(secretAccessKey);
  if (derived !== undefined) {
    for (const d of derived) if (d.date === date && d.region === region && d.service === service) return d.key;
  }
  const key = padded(deriveSigningKey(secretAccessKey, date, region, service));
  if (derived === undefined) {
    // Oldest secret first out: one still in use comes back at the cost of a derivation.
    if (cachedKeys >= MAX_CACHED_KEYS) {
      const [oldest, keys] = cache.entries().next().value!;
      cache.delete(oldest);
      cachedKeys -= keys.length;
    }
    cache.set(secretAccessKey, (derived = []));
  }
  derived.unshift({ date, region, service, key });
  cachedKeys++;
  if (derived.length > MAX_SCOPES_PER_SECRET) {
    derived.pop();
    cachedKeys--;
  }
  return key;
}

/** The final step: hex HMAC-SHA256 of the string to sign under kSigning, H(outer pad ‖ H(inner pad ‖ toSign)). */
export function signatureHex(key: SigningKey, toSign: string): string {
  const written = key.inner.write(toSign, BLOCK, 'utf8');
  // write() stops before a character that does not fit (up to 4 bytes in UTF-8): with less room
  // than that left, it may have been cut short, and the message goes in a buffer of its own.
  const message = BLOCK + written + 4 <= key.inner.length ? key.inner.subarray(0, BLOCK + written) : Buffer.concat([key.inner.subarray(0, BLOCK), Buffer.from(toSign, 'utf8')]);
  key.outer.set(hash('sha256', message, 'buffer'), BLOCK);
  return hash('sha256', key.outer, 'hex');
}

/** For tests: how many keys are cached, and a way to start empty. */
export function signingKeyCacheSize(): number {
  return cachedKeys;
}
export function clearSigningKeyCache(): void {
  cache.clear();
  cachedKeys = 0;
}
