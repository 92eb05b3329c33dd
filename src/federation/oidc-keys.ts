import fs from 'node:fs';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import { loadJose } from './libraries.js';
import { BoundedMap } from '../domain/bounded-map.js';

/**
 * The signing keys of OIDC issuers, as AWS finds them: the issuer's discovery document
 * (ISSUER/.well-known/openid-configuration) names its jwks_uri; both are fetched over HTTPS only,
 * the server's certificate checked against the public CAs and, for a private issuer, the CAs in
 * IAMD_OIDC_CA_FILE (PEM). Key sets are cached per issuer; an unknown key id refetches them, at
 * most once a minute per issuer (a key rotation is seen at once, a flood of made-up kids is not
 * a flood of fetches). Only registered providers' issuers are ever fetched (the caller names the
 * issuer, the administrator decides which may be); a failed fetch is not retried for 10 s.
 */

/** How long a fetched key set is used before it is fetched again. */
const CACHE_MS = 10 * 60_000;
/** The least time between two fetches for one issuer. */
const REFETCH_MS = 60_000;
const TIMEOUT_MS = 5_000;
const MAX_BYTES = 512 * 1024;

export class IdpCommunicationError extends Error {}

let trustedCas: string[] | undefined;
/** The CAs issuers' certificates must chain to: the public roots and IAMD_OIDC_CA_FILE's (read once). */
function cas(): string[] {
  if (trustedCas) return trustedCas;
  const file = process.env.IAMD_OIDC_CA_FILE;
  trustedCas = file ? [...rootCertificates, fs.readFileSync(file, 'utf8')] : [...rootCertificates];
  return trustedCas;
}

/** Tests change IAMD_OIDC_CA_FILE between suites; the server reads it once. */
export function resetOidcKeyCache(): void {
  trustedCas = undefined;
  cache.clear();
  failedAt.clear();
}

function getJson(url: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:') {
      reject(new IdpCommunicationError(`not https: ${url}`));
      return;
    }
    const req = https.get(parsed, { ca: cas(), timeout: TIMEOUT_MS, headers: { accept: 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        reject(new IdpCommunicationError(`HTTP ${res.statusCode} from ${url}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BYTES) req.destroy(new IdpCommunicationError(`response too large from ${url}`));
        else chunks.push(c);
      });
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          reject(new IdpCommunicationError(`not JSON from ${url}`));
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new IdpCommunicationError(`timeout from ${url}`)));
    req.on('error', (e) => reject(e instanceof IdpCommunicationError ? e : new IdpCommunicationError(String(e))));
  });
}

interface Entry {
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}
const cache = new BoundedMap<string, Entry>(1000);

async function fetchKeys(issuer: string): Promise<Entry> {
  const discovery = (await getJson(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`)) as { jwks_uri?: unknown; issuer?: unknown };
  if (typeof discovery?.jwks_uri !== 'string') throw new IdpCommunicationError('discovery document without jwks_uri');
  // OpenID Connect Discovery 1.0 §4.3: the document must name the issuer it was fetched for.
  if (discovery.issuer !== issuer) throw new IdpCommunicationError('discovery document of another issuer');
  const jwks = (await getJson(discovery.jwks_uri)) as JSONWebKeySet;
  if (!jwks || !Array.isArray(jwks.keys)) throw new IdpCommunicationError('JWKS without keys');
  const { createLocalJWKSet } = await loadJose();
  const entry = { keys: createLocalJWKSet(jwks), fetchedAt: Date.now() };
  cache.set(issuer, entry);
  return entry;
}

/** Fetches under way (concurrent tokens of one issuer share one fetch). */
const inFlight = new Map<string, Promise<Entry>>();
/** When a fetch for the issuer last failed: unsigned callers must not make iamd retry at will. */
const failedAt = new BoundedMap<string, number>(1000);
const RETRY_AFTER_FAILURE_MS = 10_000;

/** The issuer's key set: cached, or fetched (`refresh`: the cached one lacked the token's key). */
export async function keysOf(issuer: string, refresh = false): Promise<JWTVerifyGetKey> {
  const cached = cache.get(issuer);
  const age = cached ? Date.now() - cached.fetchedAt : Infinity;
  if (cached && age < CACHE_MS && !(refresh && age >= REFETCH_MS)) return cached.keys;
  const failed = failedAt.get(issuer);
  if (failed !== undefined && Date.now() - failed < RETRY_AFTER_FAILURE_MS) {
    if (cached) return cached.keys;
    throw new IdpCommunicationError('the last fetch failed moments ago');
  }
  let pending = inFlight.get(issuer);
  if (!pending) {
    pending = fetchKeys(issuer).finally(() => inFlight.delete(issuer));
    inFlight.set(issuer, pending);
  }
  try {
    const entry = await pending;
    failedAt.delete(issuer);
    return entry.keys;
  } catch (e) {
    failedAt.set(issuer, Date.now());
    throw e;
  }
}
