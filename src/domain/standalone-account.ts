import type { Domain } from './context.js';
import { IamError } from './errors.js';

/**
 * What an iamd account answers for the features of AWS that need something it is not: a member
 * of an AWS Organization (centralized root access, the Organizations access report) or an
 * onboarded partner (temporary delegation requests). Each answers as AWS answers an account
 * outside an organization, or one never sent a delegation request: an error, or an empty result,
 * never invented data. And the one account setting among them that is real for any account: the
 * version of the tokens STS's global endpoint issues.
 */

/**
 * Code from the model (each organizations operation lists it); message: the model's description of
 * the error, as no recorded AWS response was found (guessed).
 */
export const organizationNotFound = () =>
  new IamError('OrganizationNotFoundException', 'The request was rejected because no organization is associated with your account.');

/**
 * GetOrganizationsAccessReport: no report can exist in an account without an organization, so
 * every job id is unknown. Guessed text, in the form of IAM's other NoSuchEntity messages.
 */
export const noSuchOrganizationsReport = (jobId: string) => new IamError('NoSuchEntity', `The job with id ${jobId} cannot be found.`);

/**
 * CreateDelegationRequest is "not available for general use": only onboarded partners may call it
 * (AWS's API reference). iamd onboards no partner. Guessed text.
 */
export const delegationNotOnboarded = () =>
  new IamError('AccessDenied', 'Delegation requests can be created only by accounts onboarded as temporary delegation partners.');

/** No delegation request reaches an iamd account (none can be created). Guessed text. */
export const noSuchDelegationRequest = (id: string) => new IamError('NoSuchEntity', `The delegation request with id ${id} cannot be found.`);

/**
 * GetHumanReadableSummary summarizes delegation requests only (AWS's API reference: "the only
 * supported entity type is delegation-request"); there are none here. Guessed texts.
 */
export function humanReadableSummaryRefusal(entityArn: string): IamError {
  const resource = /^arn:[^:]*:iam::[^:]*:(.*)$/.exec(entityArn)?.[1];
  if (resource?.startsWith('delegation-request/')) return new IamError('NoSuchEntity', `The entity with ARN ${entityArn} cannot be found.`);
  return new IamError('InvalidInput', `The entity type of ${entityArn} is not supported. Only delegation-request is supported.`);
}

const TOKEN_VERSION_SETTING = 'sts_global_endpoint_token_version';
export type GlobalEndpointTokenVersion = 'v1Token' | 'v2Token';

/** SetSecurityTokenServicePreferences: the setting iamd keeps (what its STS will honour). */
export async function setGlobalEndpointTokenVersion(domain: Domain, version: GlobalEndpointTokenVersion): Promise<void> {
  await domain.store.settings.set(TOKEN_VERSION_SETTING, version);
}

/**
 * GetAccountSummary's GlobalEndpointTokenVersion: 1 (AWS's default, valid only in regions enabled
 * by default) or 2 (valid in every region).
 */
export async function globalEndpointTokenVersion(domain: Domain): Promise<1 | 2> {
  return (await domain.store.settings.get(TOKEN_VERSION_SETTING)) === 'v2Token' ? 2 : 1;
}

/**
 * STS AssumeRoot: only an AWS Organizations management account (or its delegated administrator for
 * centralized root access) may open a root session in a member account, and never with root user
 * credentials (AWS's API reference). An iamd account is neither and has no member accounts: every
 * call is denied, in AWS's form of a denial on the target's root ARN. Guessed texts.
 */
export function assumeRootRefusal(caller: { kind: string }, callerArn: string, targetPrincipal: string): IamError {
  if (caller.kind === 'root') return new IamError('AccessDenied', 'Root user credentials cannot be used to call AssumeRoot.');
  const target = /^\d{12}$/.test(targetPrincipal) ? `arn:aws:iam::${targetPrincipal}:root` : targetPrincipal;
  return new IamError(
    'AccessDenied',
    `User: ${callerArn} is not authorized to perform: sts:AssumeRoot on resource: ${target} because the account is not the management account or a delegated administrator for centralized root access`,
  );
}

/**
 * STS GetDelegatedAccessToken exchanges a trade-in token that a partner's accepted delegation
 * request produced; an iamd account gets no delegation request (see delegationNotOnboarded), so
 * no token given was issued for it. Answered with the one token error the model lists for the
 * operation; its text is the error's documented description (guessed).
 */
export const tradeInTokenRefusal = () =>
  new IamError('ExpiredTradeInTokenException', 'The trade-in token provided in the request has expired and can no longer be exchanged for credentials.');
