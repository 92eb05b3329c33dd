import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Session } from './entities.js';
import type { Domain } from './context.js';
import { assumedRoleArn, oidcProviderArn, roleArn } from './arn.js';
import { IamError } from './errors.js';
import type { RequestFacts } from './authorization.js';
import { evaluateTrustPolicy, type RequestContext } from './policy/evaluate.js';
import { parseTrustPolicy } from './policy/trust.js';
import { parsePolicyDocument } from './policy/document.js';
import { MalformedPolicyDocumentError } from './policy/malformed.js';
import { AWS_MANAGED_POLICIES } from './policy/aws-managed.js';
import { WorkBudget, WorkLimitExceeded } from './work-budget.js';
import { isArn, issue, packedPolicySize, recordRoleUse, ROLE_ARN, stsErrors } from './sts.js';
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
};

/** The provider key (the ARN's resource) an `iss` names: without https://, without a trailing slash. */
const providerKeyOfIssuer = (iss: string): string | undefined => {
  const m = /^https:\/\/([^?#\s]+?)\/*$/.exec(iss);
  return m?.[1];
};

const audiences = (payload: JWTPayload): string[] => (typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud.filter((a) => typeof a === 'string') : []);

/** The token, verified: its issuer's provider, its payload, the client id it was issued to. */
async function verifyToken(domain: Domain, token: string): Promise<{ providerKey: string; payload: JWTPayload; audience: string }> {
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

export async function assumeRoleWithWebIdentity(domain: Domain, input: WebIdentityInput, facts: RequestFacts & { region: string }): Promise<Record<string, unknown>> {
  if (!isArn(input.RoleArn)) throw stsErrors.invalidArn(input.RoleArn);
  const { providerKey, payload, audience } = await verifyToken(domain, input.WebIdentityToken);
  const providerArn = oidcProviderArn(domain.accountId, providerKey);

  const match = ROLE_ARN.exec(input.RoleArn);
  const role = match && match[1] === domain.accountId ? await domain.store.roles.getByName(match[3]!) : undefined;
  if (!role || role.path !== match![2]) throw webIdentityErrors.notAuthorized();

  const now = domain.clock.now();
  const request: RequestContext = {
    action: 'sts:AssumeRoleWithWebIdentity',
    resource: roleArn(domain.accountId, role.path, role.name),
    principal: { arn: providerArn, accountId: domain.accountId },
    context: {
      'aws:SourceIp': facts.sourceIp,
      'aws:SecureTransport': String(facts.secureTransport),
      'aws:CurrentTime': now.toISOString(),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:FederatedProvider': providerArn,
      'sts:RoleSessionName': input.RoleSessionName,
      ...Object.fromEntries(role.tags.map((t) => [`aws:ResourceTag/${t.Key}`, t.Value])),
      ...claimKeys(providerKey, payload, audience),
    },
  };
  let allowed = false;
  try {
    const trust = evaluateTrustPolicy(
      request,
      { id: 'trust', document: parseTrustPolicy(role.trustPolicy) },
      (principals) => ((principals.Federated ?? []).some((v) => v === providerArn) ? 'direct' : undefined),
      new WorkBudget(),
    );
    allowed = trust.decision === 'allowed';
  } catch (e) {
    if (!(e instanceof WorkLimitExceeded || e instanceof MalformedPolicyDocumentError)) throw e;
  }
  if (!allowed) throw webIdentityErrors.notAuthorized();

  const duration = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (duration > role.maxSessionDuration) throw stsErrors.durationOverMax();
  const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  for (const arn of policyArns) {
    if (!AWS_MANAGED_POLICIES.has(arn) && !(await domain.store.managedPolicies.get(arn))) throw stsErrors.noSuchSessionPolicy(arn);
  }
  if (input.Policy !== undefined) parsePolicyDocument(input.Policy);
  const packed = packedPolicySize(input.Policy, policyArns, []);
  if (packed > 100) throw stsErrors.packedTooLarge(packed);

  const session: Session = {
    issuedAt: now,
    expiresAt: new Date(now.getTime() + duration * 1000),
    ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
    policyArns,
    tags: [],
    transitiveTagKeys: [],
  };
  const credentials = await issue(domain, { kind: 'role', roleId: role.id, sessionName: input.RoleSessionName }, session);
  recordRoleUse(domain, role, now, facts.region);
  return {
    Credentials: credentials,
    SubjectFromWebIdentityToken: typeof payload.sub === 'string' ? payload.sub : undefined,
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${input.RoleSessionName}`, Arn: assumedRoleArn(domain.accountId, role.name, input.RoleSessionName) },
    Provider: providerArn,
    Audience: audience,
    ...(input.Policy !== undefined || policyArns.length > 0 ? { PackedPolicySize: packed } : {}),
  };
}
