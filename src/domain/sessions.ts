import type { Caller } from './entities.js';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import type { TokenClaims } from './session-token.js';

// AWS's sentences (the invalid one without a full stop, as AWS sends it for a session token).
export const expiredToken = () => new IamError('ExpiredToken', 'The security token included in the request is expired');
const invalidToken = () => new IamError('InvalidClientTokenId', 'The security token included in the request is invalid');

/**
 * The caller temporary credentials stand for, checked now: not expired (by the domain's clock, so
 * the test clock moves it), and whose they are still there with the same id (a role or user
 * deleted since, even if re-created under the same name, ends its sessions). The role and its
 * policies are those of now, not of when the token was issued.
 */
export async function sessionCaller(domain: Domain, claims: TokenClaims): Promise<Caller> {
  if (domain.clock.now().getTime() >= claims.session.expiresAt.getTime()) throw expiredToken();
  const { accountId, accessKeyId, session, subject } = claims;
  switch (subject.kind) {
    case 'role': {
      const role = await domain.store.roles.getById(subject.roleId);
      if (!role) throw invalidToken();
      return { kind: 'assumed-role', accountId, accessKeyId, role, sessionName: subject.sessionName, session };
    }
    case 'user': {
      const user = await domain.store.users.getById(subject.userId);
      if (!user) throw invalidToken();
      return { kind: 'user', accountId, accessKeyId, user, session };
    }
    case 'root':
      return { kind: 'root', accountId, accessKeyId, session };
    case 'federated': {
      const issuer = subject.issuerId === null ? null : await domain.store.users.getById(subject.issuerId);
      if (issuer === undefined) throw invalidToken();
      return { kind: 'federated-user', accountId, accessKeyId, issuer, federatedName: subject.name, session };
    }
  }
}
