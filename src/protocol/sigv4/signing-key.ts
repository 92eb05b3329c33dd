import { createHmac } from 'node:crypto';

/**
 * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request").
 *
 * A key is the same for every request of one day, so derived keys are kept in a small LRU map:
 * a verification then costs one HMAC instead of five. The map's keys hold the secret, so the map
 * stays inside this module and nothing here is ever logged.
 */

const MAX_CACHED_KEYS = 256;
const cache = new Map<string, Buffer>();

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
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  // '\n' cannot occur in a date, region or service that passed the scope checks.
  const id = `${date}\n${region}\n${service}\n${secretAccessKey}`;
  const cached = cache.get(id);
  if (cached !== undefined) {
    // Most recently used goes last.
    cache.delete(id);
    cache.set(id, cached);
    return cached;
  }
  const key = deriveSigningKey(secretAccessKey, date, region, service);
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
  cache.set(id, key);
  return key;
}

/** The final step: hex HMAC of the string to sign under kSigning. */
export function signatureHex(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** For tests: how many keys are cached, and a way to start empty. */
export function signingKeyCacheSize(): number {
  return cache.size;
}
export function clearSigningKeyCache(): void {
  cache.clear();
}
