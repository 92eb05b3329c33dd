import type { JWTPayload } from 'jose';
import { loadJose } from '../federation/libraries.js';
import type { Tag } from './entities.js';
import type { Domain } from './context.js';
import { assumedRoleArn, oidcProviderArn } from './arn.js';
import { IamError } from './errors.js';
import type { RequestFacts } from './authorization.js';
import { isArn, stsErrors } from './sts.js';
import { checkClaimTags, issueFederatedSession } from './federated-session.js';
import { IdpCommunicationError, keysOf } from '../federation/oidc-keys.js';

/**
 * AssumeRoleWithWebIdentity: a role session for the bearer of an OIDC ID token (a CI job's, a
 * Kubernetes service account's), unsigned as in AWS: the token is the credential. The token's
 * signature is verified against its issuer's published keys (src/federation/oidc-keys.ts), its
 * issuer must be a registered OIDC provider, its audience one of that provider's client ids, its
 * times current; then the role's trust policy decides, with Principal Federated = the provider's
 * ARN and the token's claims as condition keys (HOST/PATH:sub, :aud, :amr). See docs/federation.md.
 */

export interface WebIdentityInput {
  RoleArn: string;
  RoleSessionName: string;
  WebIdentityToken: string;
  ProviderId?: string;
  PolicyArns?: { arn?: string }[];
  Policy?: string;
  DurationSeconds?: number;
}

/** Signature algorithms accepted (RSA and ECDSA, as AWS documents); never `none`, never HMAC. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];
/** Clock skew allowed on exp, nbf and iat. Guessed: AWS does not document its tolerance. */
const SKEW_SECONDS = 300;
const DEFAULT_DURATION_SECONDS = 3600;

// AWS's sentences: "No OpenIDConnect provider found..." and "Not authorized to perform
// sts:AssumeRoleWithWebIdentity" are quoted from AWS's answers in many public issues, as are
// "Incorrect token audience" and the expiry sentence; the others are marked guessed.
const webIdentityErrors = {
  // Guessed wording for a token that is not a JWT (or names no usable algorithm).
  notJwt: () => new IamError('InvalidIdentityToken', 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)'),
  noProvider: (issuer: string) => new IamError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${issuer}`),
  audience: () => new IamError('InvalidIdentityToken', 'Incorrect token audience'),
  // Quoted from AWS answers in public issues; used for a bad signature and bad times (guess).
  notValidated: () => new IamError('InvalidIdentityToken', 'The web identity token provided could not be validated'),
  expired: (now: number, exp: number) =>
    new IamError('ExpiredTokenException', `Token expired: current date/time ${now} must be before the expiration date/time ${exp}`),
  // Guessed wording (AWS's sentence for an unreachable issuer, with the code the model lists).
  communication: () =>
    new IamError('IDPCommunicationError', "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements"),
  notAuthorized: () => new IamError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity'),
  // Guessed wording: a https://aws.amazon.com/tags claim that breaks AWS's shape or tag rules.
  tags: () => new IamError('InvalidIdentityToken', 'The https://aws.amazon.com/tags claim of the web identity token is invalid'),
};

/** The provider key (the ARN's resource) an `iss` names: without https://, without a trailing slash. */
const providerKeyOfIssuer = (iss: string): string | undefined => {
  const m = /^https:\/\/([^?#\s]+?)\/*$/.exec(iss);
  return m?.[1];
};

const audiences = (payload: JWTPayload): string[] => (typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a) => typeof a === 'string') : []);

/** The token, verified: its issuer's provider, its payload, the client id it was issued to. */
async function verifyToken(domain: Domain, token: string): Promise<{ providerKey: string; payload: JWTPayload; audience: string }> {
  const { decodeJwt, decodeProtectedHeader, errors: joseErrors, jwtVerify } = await loadJose();
  let header;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    claims = decodeJwt(token);
  } catch {
    throw webIdentityErrors.notJwt();
  }
  if (typeof header.alg !== 'string' || !ALGORITHMS.includes(header.alg)) throw webIdentityErrors.notJwt();
  const iss = typeof claims.iss === 'string' ? claims.iss : '';
  const providerKey = providerKeyOfIssuer(iss);
  const provider = providerKey === undefined ? undefined : await domain.store.oidcProviders.get(providerKey);
  if (!provider || providerKey === undefined) throw webIdentityErrors.noProvider(iss);
  // AWS takes azp as the audience when the token has one (Google's tokens); else aud.
  const candidates = typeof claims.azp === 'string' ? [claims.azp] : audiences(claims);
  const audience = candidates.find((a) => provider.clientIds.includes(a));
  if (audience === undefined) throw webIdentityErrors.audience();

  const now = domain.clock.now();
  const verify = async (refresh: boolean) => {
    let keys;
    try {
      keys = await keysOf(iss, refresh);
    } catch (e) {
      if (e instanceof IdpCommunicationError) throw webIdentityErrors.communication();
      throw e;
    }
    return jwtVerify(token, keys, { algorithms: ALGORITHMS, issuer: iss, currentDate: now, clockTolerance: SKEW_SECONDS });
  };
  try {
    let result;
    try {
      result = await verify(false);
    } catch (e) {
      // A key the cached set lacks: the issuer may have rotated its keys.
      if (!(e instanceof joseErrors.JWKSNoMatchingKey)) throw e;
      result = await verify(true);
    }
    if (result.payload.exp === undefined) throw webIdentityErrors.notValidated(); // AWS requires exp
    // jose checks exp and nbf; an iat in the future is refused too.
    if (typeof result.payload.iat === 'number' && result.payload.iat > now.getTime() / 1000 + SKEW_SECONDS) throw webIdentityErrors.notValidated();
    return { providerKey, payload: result.payload, audience };
  } catch (e) {
    if (e instanceof IamError) throw e;
    if (e instanceof joseErrors.JWTExpired) throw webIdentityErrors.expired(Math.floor(now.getTime() / 1000), Number(claims.exp));
    if (e instanceof joseErrors.JOSEError) throw webIdentityErrors.notValidated();
    throw e;
  }
}

/** The token's claims as trust-policy condition keys, AWS's set for OIDC providers. */
function claimKeys(providerKey: string, payload: JWTPayload, audience: string): Record<string, string | string[] | undefined> {
  const keys: Record<string, string | string[] | undefined> = {
    [`${providerKey}:aud`]: audience,
    [`${providerKey}:sub`]: typeof payload.sub === 'string' ? payload.sub : undefined,
  };
  const amr = payload.amr;
  if (typeof amr === 'string' || (Array.isArray(amr) && amr.every((v) => typeof v === 'string'))) keys[`${providerKey}:amr`] = amr as string | string[];
  // An azp-carrying token's aud is its oaud (accounts.google.com:oaud).
  if (typeof payload.azp === 'string') keys[`${providerKey}:oaud`] = audiences(payload);
  return keys;
}

/**
 * Session tags from the token's https://aws.amazon.com/tags claim (AWS's session tags page):
 * {"principal_tags": {"KEY": ["VALUE"]}, "transitive_tag_keys": ["KEY"]}, each tag one value.
 */
function tagsOfClaims(payload: JWTPayload): { tags: Tag[]; transitiveTagKeys: string[] } {
  const claim = payload['https://aws.amazon.com/tags'];
  if (claim === undefined) return { tags: [], transitiveTagKeys: [] };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(claim)) throw webIdentityErrors.tags();
  const principal = claim.principal_tags ?? {};
  const transitive = claim.transitive_tag_keys ?? [];
  if (!isObject(principal) || !Array.isArray(transitive) || !transitive.every((k) => typeof k === 'string')) throw webIdentityErrors.tags();
  const tags: Tag[] = Object.entries(principal).map(([Key, values]) => {
    const value = Array.isArray(values) && values.length === 1 ? values[0] : values;
    if (typeof value !== 'string') throw webIdentityErrors.tags();
    return { Key, Value: value };
  });
  checkClaimTags(tags, transitive as string[], () => webIdentityErrors.tags());
  return { tags, transitiveTagKeys: transitive as string[] };
}

export async function assumeRoleWithWebIdentity(domain: Domain, input: WebIdentityInput, facts: RequestFacts & { region: string }): Promise<Record<string, unknown>> {
  if (!isArn(input.RoleArn)) throw stsErrors.invalidArn(input.RoleArn);
  const { providerKey, payload, audience } = await verifyToken(domain, input.WebIdentityToken);
  const providerArn = oidcProviderArn(domain.accountId, providerKey);
  const { tags, transitiveTagKeys } = tagsOfClaims(payload);
  const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const { credentials, role, packedPolicySize } = await issueFederatedSession(
    domain,
    {
      roleArn: input.RoleArn,
      sessionName: input.RoleSessionName,
      providerArn,
      action: 'sts:AssumeRoleWithWebIdentity',
      claimKeys: claimKeys(providerKey, payload, audience),
      tags,
      transitiveTagKeys,
      ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
      policyArns,
      durationSeconds: input.DurationSeconds ?? DEFAULT_DURATION_SECONDS,
      durationAsked: true,
    },
    facts,
    webIdentityErrors.notAuthorized,
  );
  return {
    Credentials: credentials,
    SubjectFromWebIdentityToken: typeof payload.sub === 'string' ? payload.sub : undefined,
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${input.RoleSessionName}`, Arn: assumedRoleArn(domain.accountId, role.name, input.RoleSessionName) },
    Provider: providerArn,
    Audience: audience,
    ...(packedPolicySize !== undefined ? { PackedPolicySize: packedPolicySize } : {}),
  };
}
