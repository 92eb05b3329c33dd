import { randomBytes } from 'node:crypto';
import type { Domain } from './context.js';
import type { Session, Tag } from './entities.js';
import { isSealed, type SecretSealer } from '../ports/secret-sealer.js';
import { aesGcmSealer } from '../crypto/secret-sealer.js';
import { BoundedMap } from './bounded-map.js';

/**
 * Session tokens are self-contained: everything the credentials stand for (whose they are, the
 * role, session name, times, session policies and tags, source identity, MFA) and the secret key
 * of the ASIA key id, as JSON sealed with AES-256-GCM under the master key (the same sealer as
 * access-key secrets at rest). So:
 * - any node with the same master key verifies a token without a table or a round trip
 *   (PostgreSQL multi-node), and issuing one writes nothing;
 * - the token reveals nothing when read (encrypted), and cannot be altered or forged (GCM's tag):
 *   a changed byte makes it unreadable, which is answered as an invalid token;
 * - what it names is checked again at request time (the role must still exist with the same id,
 *   its policies are read then).
 * The price: a token cannot be revoked one by one (AWS's cannot either: the documented way is a
 * Deny on aws:TokenIssueTime, which works here), and a master key rotated out of the key ring
 * invalidates every token sealed under it.
 *
 * Without a master key (PostgreSQL with IAMD_ALLOW_UNSEALED_SECRETS) secrets are stored unsealed,
 * but a token must still be sealed: a random key is made once and kept in the store's settings,
 * so every node sharing the database shares it. Whoever can read the database can then read and
 * forge tokens, as they can read the unsealed secrets already.
 */

export interface TokenClaims {
  /** The ASIA key id the token goes with, and its secret. */
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  /** Whose session: a role's (AssumeRole), or the root user's or an IAM user's (GetSessionToken). */
  subject:
    | { kind: 'role'; roleId: string; sessionName: string }
    | { kind: 'root' }
    | { kind: 'user'; userId: string }
    | { kind: 'federated'; issuerId: string | null; name: string };
  session: Session;
}

const TOKEN_KEY_SETTING = 'sts_token_key';
/**
 * The token sealer of each installation, keyed by its (unsealed) master sealer: one object per
 * server for its life. Not by domain.store, which is a new view for every request
 * (request-cache.ts): keyed by that, every request read the key from the store again and opened its
 * token afresh, the opened-token cache keyed by the sealer never hitting.
 */
const tokenSealers = new WeakMap<SecretSealer, Promise<SecretSealer>>();

/** The sealer of tokens: the master key's, else one kept in the store (see above). */
function tokenSealer(domain: Domain): Promise<SecretSealer> {
  if (domain.sealer.keyId !== null) return Promise.resolve(domain.sealer);
  const installation = domain.sealer;
  let sealer = tokenSealers.get(installation);
  if (!sealer) {
    sealer = (async () => {
      let key = await domain.store.settings.get(TOKEN_KEY_SETTING);
      if (key === undefined) {
        await domain.store.settings.set(TOKEN_KEY_SETTING, randomBytes(32).toString('base64'));
        // Read back: of two nodes starting at once, the last write wins for both.
        key = (await domain.store.settings.get(TOKEN_KEY_SETTING))!;
      }
      return aesGcmSealer([Buffer.from(key, 'base64')]);
    })();
    sealer.catch(() => tokenSealers.delete(installation));
    tokenSealers.set(installation, sealer);
  }
  return sealer;
}

interface Wire {
  k: string;
  s: string;
  a: string;
  sub: TokenClaims['subject'];
  iat: number;
  exp: number;
  p?: string;
  pa?: string[];
  t?: Tag[];
  tt?: string[];
  si?: string;
  mfa?: number;
}

export async function issueToken(domain: Domain, claims: TokenClaims): Promise<string> {
  const { session } = claims;
  const wire: Wire = {
    k: claims.accessKeyId,
    s: claims.secretAccessKey,
    a: claims.accountId,
    sub: claims.subject,
    iat: session.issuedAt.getTime(),
    exp: session.expiresAt.getTime(),
    ...(session.policy !== undefined ? { p: session.policy } : {}),
    ...(session.policyArns.length ? { pa: session.policyArns } : {}),
    ...(session.tags.length ? { t: session.tags } : {}),
    ...(session.transitiveTagKeys.length ? { tt: session.transitiveTagKeys } : {}),
    ...(session.sourceIdentity !== undefined ? { si: session.sourceIdentity } : {}),
    ...(session.mfaAuthenticatedAt ? { mfa: session.mfaAuthenticatedAt.getTime() } : {}),
  };
  const sealed = (await tokenSealer(domain)).seal(JSON.stringify(wire));
  return Buffer.from(sealed, 'utf8').toString('base64');
}

// A client signs many requests with one token: opened tokens are kept (by their text, per sealer,
// bounded), so a session-signed request costs about what a key-signed one does.
const openedTokens = new WeakMap<SecretSealer, BoundedMap<string, TokenClaims>>();

/** The claims of a token this installation issued, or undefined for anything else (altered, foreign, garbage). */
export async function openToken(domain: Domain, token: string): Promise<TokenClaims | undefined> {
  if (token.length > 16_384 || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) return undefined;
  const sealer = await tokenSealer(domain);
  let cache = openedTokens.get(sealer);
  if (!cache) openedTokens.set(sealer, (cache = new BoundedMap(1000)));
  const known = cache.get(token);
  if (known) return known;
  const sealed = Buffer.from(token, 'base64').toString('utf8');
  if (!isSealed(sealed)) return undefined;
  let wire: Wire;
  try {
    wire = JSON.parse(sealer.unseal(sealed)) as Wire;
  } catch {
    return undefined; // tampered with, or sealed under a key no longer in the ring
  }
  const claims = claimsOf(wire);
  cache.set(token, claims);
  return claims;
}

function claimsOf(wire: Wire): TokenClaims {
  return {
    accessKeyId: wire.k,
    secretAccessKey: wire.s,
    accountId: wire.a,
    subject: wire.sub,
    session: {
      issuedAt: new Date(wire.iat),
      expiresAt: new Date(wire.exp),
      ...(wire.p !== undefined ? { policy: wire.p } : {}),
      policyArns: wire.pa ?? [],
      tags: wire.t ?? [],
      transitiveTagKeys: wire.tt ?? [],
      ...(wire.si !== undefined ? { sourceIdentity: wire.si } : {}),
      ...(wire.mfa !== undefined ? { mfaAuthenticatedAt: new Date(wire.mfa) } : {}),
    },
  };
}
