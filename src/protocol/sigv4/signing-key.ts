import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
 *
 * A key is the same for every request of one day, so derived keys are kept in a small map:
 * a verification then costs one HMAC instead of five. The map's keys hold the secret, so the map
 * stays inside this module and nothing here is ever logged.
 *
 * The cached keys are KeyObjects, not Buffers: createHmac asks of its key whether it is a KeyObject
 * first, then whether it is a WebCrypto CryptoKey, and on Node 24 (not 20 or 22) each question
 * about a Buffer is answered by a native call that throws a TypeError, stack trace and all. That
 * cost 110k instructions a signed request on Node 24.21, about 40 % of the whole server's work on a
 * read (bench/server-instructions.ts); a KeyObject is recognised by the first question, without a throw.
 */

const MAX_CACHED_KEYS = 256;
/** Scopes kept per secret: a client signs with one region and a service or two (iam, sts). */
const MAX_SCOPES_PER_SECRET = 4;
type Derived = { date: string; region: string; service: string; key: KeyObject };
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

/** kSigning for (secret, date, region, service), from the cache when it is there. Do not mutate the result. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): KeyObject {
  let derived = cache.get(secretAccessKey);
  if (derived !== undefined) {
    for (const d of derived) if (d.date === date && d.region === region && d.service === service) return d.key;
  }
  const key = createSecretKey(deriveSigningKey(secretAccessKey, date, region, service));
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

/** The final step: hex HMAC of the string to sign under kSigning. */
export function signatureHex(key: KeyObject, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** For tests: how many keys are cached, and a way to start empty. */
export function signingKeyCacheSize(): number {
  return cachedKeys;
}
export function clearSigningKeyCache(): void {
  cache.clear();
  cachedKeys = 0;
}
