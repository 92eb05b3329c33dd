import { createPrivateKey, createPublicKey, generateKeyPair, randomUUID, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { JWK } from 'jose';
import { loadJose } from '../federation/libraries.js';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { BoundedMap } from './bounded-map.js';
import type { Store } from '../ports/store.js';

/**
 * Outbound web identity federation: iamd as an OpenID Connect issuer for its own principals.
 * EnableOutboundWebIdentityFederation turns it on and fixes the issuer URL; STS
 * GetWebIdentityToken then signs JWTs for the caller (sts-web-identity-token.ts); the issuer URL
 * serves the discovery document and the key set (JWKS) over iamd's own HTTP server, so any
 * relying party can verify the tokens.
 *
 * State, in the store's settings (so every node sharing a database agrees):
 * - ENABLED_SETTING: present while the feature is on (set and removed compare-and-set, so of two
 *   concurrent Enables one gets FeatureEnabled, as of two Disables one gets FeatureDisabled);
 * - ISSUER_SETTING: the issuer URL, kept after Disable so that tokens issued before still verify
 *   until they expire (AWS: disabling "does not affect tokens that were issued before");
 * - one signing key per algorithm (RS256: RSA 2048, ES384: P-384), made once, its private key
 *   (PKCS#8 PEM) sealed under the master key like every secret at rest, re-sealed by
 *   `iamd rotate-master-key` (secrets.ts). The private key is never answered or logged.
 */

const ENABLED_SETTING = 'outbound_federation_enabled';
const ISSUER_SETTING = 'outbound_federation_issuer';
export const SIGNING_ALGORITHMS = ['RS256', 'ES384'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
const keySetting = (alg: SigningAlgorithm) => `outbound_signing_key_${alg}`;
/** The settings holding sealed private keys (for the start-up check and the master-key rotation). */
export const SIGNING_KEY_SETTINGS: readonly string[] = SIGNING_ALGORITHMS.map(keySetting);

/** Where iamd serves an issuer's documents: the path of its issuer URL under iamd's base URL. */
export const ISSUER_PATH_PREFIX = '/outbound-federation/';
export const issuerPath = (accountId: string) => `${ISSUER_PATH_PREFIX}${accountId}`;

// AWS's codes (the model's errors per operation) with the API reference's descriptions as the
// messages: AWS's exact wording is not recorded (guessed).
export const outboundErrors = {
  alreadyEnabled: () =>
    new IamError('FeatureEnabled', 'Outbound identity federation is already enabled for your AWS account. Use GetOutboundWebIdentityFederationInfo to fetch the current configuration.'),
  alreadyDisabled: () => new IamError('FeatureDisabled', 'Outbound identity federation is already disabled for your AWS account.'),
  notEnabled: () => new IamError('FeatureDisabled', 'Outbound identity federation is not enabled for your AWS account.'),
  /** STS GetWebIdentityToken's refusal: the exception's documented description (guessed as the message). */
  disabledForSts: () =>
    new IamError(
      'OutboundWebIdentityFederationDisabledException',
      'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.',
    ),
};

/**
 * The base URL an issuer URL starts with: IAMD_PUBLIC_URL when set (behind a proxy or a load
 * balancer: the URL clients reach iamd at), else the origin the enabling request reached this
 * server at (its Host header, which SigV4 signs, and the connection's scheme).
 */
export function issuerBase(domain: Domain, request: { host?: string; secureTransport: boolean }): string {
  if (domain.publicUrl !== undefined) return domain.publicUrl.replace(/\/+$/, '');
  const host = request.host;
  // A host[:port] or [v6]:port only: the issuer URL is handed to relying parties verbatim.
  if (host === undefined || !/^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/.test(host)) {
    throw new IamError('ServiceFailure', 'The issuer URL cannot be derived from this request: set IAMD_PUBLIC_URL.');
  }
  return `${request.secureTransport ? 'https' : 'http'}://${host}`;
}

/**
 * EnableOutboundWebIdentityFederation: on, with the issuer URL (fixed now). The signing keys are
 * made in the background from here (an RSA key takes 100-200 ms of a pool thread to find: the
 * answer does not wait for it); the JWKS and the first token wait for them if they are not ready.
 */
export async function enableOutboundFederation(domain: Domain, base: string): Promise<{ IssuerIdentifier: string }> {
  const { settings } = domain.store;
  if ((await settings.get(ENABLED_SETTING)) !== undefined) throw outboundErrors.alreadyEnabled();
  const issuer = `${base}${issuerPath(domain.accountId)}`;
  await settings.set(ISSUER_SETTING, issuer);
  if (!(await settings.replace(ENABLED_SETTING, undefined, 'true'))) throw outboundErrors.alreadyEnabled();
  // A failure here (the store closing at shutdown) costs nothing: the key is made when first needed.
  for (const alg of SIGNING_ALGORITHMS) signingKey(domain, alg).catch(() => {});
  return { IssuerIdentifier: issuer };
}

export async function disableOutboundFederation(domain: Domain): Promise<void> {
  if (!(await domain.store.settings.delete(ENABLED_SETTING))) throw outboundErrors.alreadyDisabled();
}

/** GetOutboundWebIdentityFederationInfo. */
export async function outboundFederationInfo(domain: Domain): Promise<{ IssuerIdentifier: string; JwtVendingEnabled: boolean }> {
  const issuer = await enabledIssuer(domain);
  if (issuer === undefined) throw outboundErrors.notEnabled();
  return { IssuerIdentifier: issuer, JwtVendingEnabled: true };
}

/** The issuer URL while the feature is on; undefined while it is off. */
export async function enabledIssuer(domain: Domain): Promise<string | undefined> {
  if ((await domain.store.settings.get(ENABLED_SETTING)) === undefined) return undefined;
  return domain.store.settings.get(ISSUER_SETTING);
}

interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: JWK;
}

const generateKeyPairAsync = promisify(generateKeyPair);

// Opening and parsing a key costs a little; keys are kept by their sealed text (unique per sealing).
const opened = new BoundedMap<string, Promise<SigningKey>>(64);

/** Keys being made, per installation (its sealer: one object per server) and algorithm: one at a time. */
const making = new WeakMap<Domain['sealer'], Map<SigningAlgorithm, Promise<string>>>();

/** The account's signing key for `alg`, made (and sealed) the first time it is needed. */
async function signingKey(domain: Domain, alg: SigningAlgorithm): Promise<SigningKey> {
  const sealed = (await domain.store.settings.get(keySetting(alg))) ?? (await makeKey(domain, alg));
  return openKey(domain, alg, sealed);
}

function makeKey(domain: Domain, alg: SigningAlgorithm): Promise<string> {
  let pending = making.get(domain.sealer);
  if (!pending) making.set(domain.sealer, (pending = new Map()));
  let made = pending.get(alg);
  if (!made) {
    made = (async () => {
      // Off the event loop (libuv's pool): made synchronously, an RSA key held every other request
      // for as long as it took to find (bench:amplification: 190 ms of stall).
      const { privateKey } = alg === 'RS256' ? await generateKeyPairAsync('rsa', { modulusLength: 2048 }) : await generateKeyPairAsync('ec', { namedCurve: 'P-384' });
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      // Of two nodes making one at once, the first stored wins for both.
      const setting = keySetting(alg);
      await domain.store.settings.replace(setting, undefined, domain.sealer.seal(pem));
      return (await domain.store.settings.get(setting))!;
    })().finally(() => pending.delete(alg));
    pending.set(alg, made);
  }
  return made;
}

function openKey(domain: Domain, alg: SigningAlgorithm, sealed: string): Promise<SigningKey> {
  let key = opened.get(sealed);
  if (!key) {
    key = (async () => {
      const privateKey = createPrivateKey(domain.sealer.unseal(sealed));
      const { calculateJwkThumbprint, exportJWK } = await loadJose();
      const jwk = await exportJWK(createPublicKey(privateKey));
      const kid = await calculateJwkThumbprint(jwk);
      return { kid, privateKey, publicJwk: { ...jwk, kid, alg, use: 'sig' } };
    })();
    key.catch(() => opened.delete(sealed));
    opened.set(sealed, key);
  }
  return key;
}

/** The sealed private keys in the store (for secrets.ts: the start-up check and the rotation). */
export async function sealedSigningKeys(store: Store): Promise<{ setting: string; sealed: string }[]> {
  const found: { setting: string; sealed: string }[] = [];
  for (const setting of SIGNING_KEY_SETTINGS) {
    const sealed = await store.settings.get(setting);
    if (sealed !== undefined) found.push({ setting, sealed });
  }
  return found;
}

/** Signs `claims` with the account's key for `alg`; the header names the key (kid) as the JWKS does. */
export async function signToken(domain: Domain, alg: SigningAlgorithm, claims: Record<string, unknown>): Promise<string> {
  const key = await signingKey(domain, alg);
  const { SignJWT } = await loadJose();
  return new SignJWT(claims).setProtectedHeader({ alg, kid: key.kid, typ: 'JWT' }).sign(key.privateKey);
}

/** A new token id (the jti claim). */
export const tokenId = (): string => randomUUID();

/**
 * The documents served at ISSUER/.well-known/openid-configuration and ISSUER/.well-known/jwks.json,
 * for the issuer stored at Enable (so they name the URL the tokens carry, whatever Host this
 * request came with). Undefined when the feature was never enabled. Served after Disable too:
 * tokens issued before must still verify.
 */
export async function issuerDocument(domain: Domain, document: 'openid-configuration' | 'jwks.json'): Promise<Record<string, unknown> | undefined> {
  const issuer = await domain.store.settings.get(ISSUER_SETTING);
  if (issuer === undefined) return undefined;
  if (document === 'jwks.json') {
    // Every key, made now if Enable's background work has not finished (or failed).
    const keys = await Promise.all(SIGNING_ALGORITHMS.map((alg) => signingKey(domain, alg)));
    return { keys: keys.map((k) => k.publicJwk) };
  }
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'https://sts.amazonaws.com/'],
  };
}
