import type { Caller } from '../domain/entities.js';
import { callerArn, callerUserId, type Domain } from '../domain/context.js';
import type { RequestFacts } from '../domain/authorization.js';
import { IamError } from '../domain/errors.js';
import { assumeRootRefusal, tradeInTokenRefusal } from '../domain/standalone-account.js';
import { getWebIdentityToken, type WebIdentityTokenInput } from '../domain/web-identity-token.js';
import { assumeRole, authorizeOwn, getAccessKeyInfo, getFederationToken, getSessionToken, type AssumeRoleInput } from '../domain/sts.js';

/**
 * The STS operation table, read and written with the STS model (STS_MODEL), on the same endpoint
 * as IAM (told apart by the signature's service). Unlike IAM's operations, each STS operation has
 * its own authorization rule (none for GetCallerIdentity, the trust policy with the caller's
 * policies for AssumeRole, the caller's policies alone for GetFederationToken and
 * DecodeAuthorizationMessage), so the handler decides; see src/domain/sts.ts and docs/sts.md.
 */
export interface StsOperation {
  handler(domain: Domain, caller: Caller, input: Record<string, unknown>, facts: RequestFacts & { region: string }): Promise<Record<string, unknown>>;
}

export const STS_OPERATIONS: Readonly<Record<string, StsOperation>> = {
  GetCallerIdentity: {
    handler: async (_domain, caller) => ({ UserId: callerUserId(caller), Account: caller.accountId, Arn: callerArn(caller) }),
  },
  AssumeRole: {
    handler: async (domain, caller, input, facts) => assumeRole(domain, caller, input as unknown as AssumeRoleInput, facts),
  },
  GetSessionToken: {
    handler: async (domain, caller, input) => getSessionToken(domain, caller, input as { DurationSeconds?: number; SerialNumber?: string; TokenCode?: string }),
  },
  GetFederationToken: {
    handler: async (domain, caller, input, facts) => getFederationToken(domain, caller, input as unknown as Parameters<typeof getFederationToken>[2], facts),
  },
  GetAccessKeyInfo: {
    handler: async (domain, _caller, input) => {
      const keyId = input.AccessKeyId as string;
      // A key of this installation is this account's, whatever its id encodes (ids made before
      // they encoded the account); any other id answers what it encodes, as AWS does.
      if (!keyId.startsWith('ASIA') && (await domain.store.accessKeys.get(keyId))) return { Account: domain.accountId };
      return getAccessKeyInfo(domain, keyId);
    },
  },
  DecodeAuthorizationMessage: {
    // The caller's policies must allow it (STS API reference), before the message is looked at.
    // iamd's denials carry no encoded message, so any message given was not made here: AWS's
    // answer to a message it cannot decode (wording guessed).
    handler: async (domain, caller, _input, facts) => {
      await authorizeOwn(domain, caller, 'sts:DecodeAuthorizationMessage', undefined, facts);
      throw new IamError('InvalidAuthorizationMessageException', 'The authorization message is invalid.');
    },
  },
  GetWebIdentityToken: {
    handler: async (domain, caller, input, facts) => getWebIdentityToken(domain, caller, input as unknown as WebIdentityTokenInput, facts),
  },
  // An iamd account is in no AWS Organization (domain/standalone-account.ts).
  AssumeRoot: {
    handler: async (_domain, caller, input) => {
      throw assumeRootRefusal(caller, callerArn(caller), input.TargetPrincipal as string);
    },
  },
  // No delegation request reaches an iamd account, so no trade-in token was issued for it.
  GetDelegatedAccessToken: {
    handler: async () => {
      throw tradeInTokenRefusal();
    },
  },
};
