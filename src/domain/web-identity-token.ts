import type { Caller, Tag } from './entities.js';
import { callerArn, type Domain } from './context.js';
import { roleArn } from './arn.js';
import { IamError, errors } from './errors.js';
import { evaluateIdentity, type RequestFacts } from './authorization.js';
import { stsErrors } from './sts.js';
import { enabledIssuer, outboundErrors, signToken, SIGNING_ALGORITHMS, tokenId, type SigningAlgorithm } from './outbound-federation.js';

/**
 * STS GetWebIdentityToken: a JWT for the calling principal, signed with the account's key for the
 * asked algorithm, with the claims AWS documents ("Understanding token claims", IAM User Guide):
 * iss (the issuer URL), sub (the principal's ARN: for a role session, the role's), aud, iat, exp,
 * jti, and under "https://sts.amazonaws.com/": aws_account, source_region, principal_id (the
 * principal's ARN), principal_tags (the principal's tags, a role session's session tags over its
 * role's) and request_tags (the Tags of the request). No organization claims: the account is in
 * none.
 */

export interface WebIdentityTokenInput {
  Audience: string[];
  SigningAlgorithm: string;
  DurationSeconds?: number;
  Tags?: Tag[];
}

const DEFAULT_DURATION_SECONDS = 300;
/** The namespace of AWS's own claims in the token. */
export const STS_CLAIMS_NAMESPACE = 'https://sts.amazonaws.com/';

// Guessed wordings: AWS's are not recorded. The enum check is worded as AWS's other enum
// ValidationErrors; the escalation sentence is the exception's documented description.
const tokenErrors = {
  badAlgorithm: (value: string) =>
    new IamError(
      'ValidationError',
      `1 validation error detected: Value '${value}' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [${SIGNING_ALGORITHMS.join(', ')}]`,
    ),
  escalation: () =>
    new IamError(
      'SessionDurationEscalationException',
      'The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created.',
    ),
};

export async function getWebIdentityToken(
  domain: Domain,
  caller: Caller,
  input: WebIdentityTokenInput,
  facts: RequestFacts & { region: string },
): Promise<{ WebIdentityToken: string; Expiration: Date }> {
  const alg = input.SigningAlgorithm;
  if (!(SIGNING_ALGORITHMS as readonly string[]).includes(alg)) throw tokenErrors.badAlgorithm(alg);
  const tags = input.Tags ?? [];
  const keys = tags.map((t) => t.Key.toLowerCase());
  if (new Set(keys).size !== keys.length) throw stsErrors.duplicateTagKeys();
  const duration = input.DurationSeconds ?? DEFAULT_DURATION_SECONDS;

  // The caller's own policies decide (root: always), with AWS's condition keys for this action.
  if (caller.kind !== 'root') {
    const request = { action: 'sts:GetWebIdentityToken', resourceArn: '*' };
    const verdict = await evaluateIdentity(
      domain.store,
      caller,
      request,
      {
        ...facts,
        requestTags: tags.length ? tags : undefined,
        extra: { 'sts:IdentityTokenAudience': input.Audience, 'sts:DurationSeconds': String(duration), 'sts:SigningAlgorithm': alg },
      },
      domain.clock.now(),
    );
    if (verdict.decision !== 'allowed') throw errors.accessDenied(callerArn(caller), request.action, request.resourceArn, verdict.reason);
  }

  const issuer = await enabledIssuer(domain);
  if (issuer === undefined) throw outboundErrors.disabledForSts();

  const now = domain.clock.now();
  const expiration = new Date(now.getTime() + duration * 1000);
  const session = caller.kind === 'root' ? undefined : caller.session;
  if (session && expiration > session.expiresAt) throw tokenErrors.escalation();

  const principal = caller.kind === 'assumed-role' ? roleArn(caller.accountId, caller.role.path, caller.role.name) : callerArn(caller);
  const principalTags = new Map<string, string>();
  const own = caller.kind === 'user' ? caller.user.tags : caller.kind === 'assumed-role' ? caller.role.tags : [];
  for (const t of own) principalTags.set(t.Key, t.Value);
  for (const t of session?.tags ?? []) principalTags.set(t.Key, t.Value);

  const stsClaims: Record<string, unknown> = { aws_account: domain.accountId, source_region: facts.region, principal_id: principal };
  if (principalTags.size) stsClaims.principal_tags = Object.fromEntries(principalTags);
  if (tags.length) stsClaims.request_tags = Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
  const iat = Math.floor(now.getTime() / 1000);
  const token = await signToken(domain, alg as SigningAlgorithm, {
    iss: issuer,
    sub: principal,
    // One audience as a string, several as an array (RFC 7519), as AWS's sample token shows one.
    aud: input.Audience.length === 1 ? input.Audience[0] : input.Audience,
    iat,
    exp: iat + duration,
    jti: tokenId(),
    [STS_CLAIMS_NAMESPACE]: stsClaims,
  });
  return { WebIdentityToken: token, Expiration: new Date((iat + duration) * 1000) };
}
