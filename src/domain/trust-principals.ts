import { checkTrustPolicySize } from './quotas.js';
import type { InstanceProfile, Role, TrustPrincipalIds } from './entities.js';
import type { Domain } from './context.js';
import { roleArn, userArn } from './arn.js';
import type { PolicyDocument } from './policy/document.js';
import { malformed, MalformedPolicyDocumentError, MESSAGES } from './policy/malformed.js';
import { namedPrincipalArns, parseTrustPolicy } from './policy/trust.js';

/**
 * A trust policy names IAM users and roles of the account by ARN, but AWS trusts the principal,
 * not the name. AWS's IAM User Guide (role trust policy examples; Principal element): "When you
 * save the policy, AWS transforms the ARN to a unique principal ID", with "a reverse transformation
 * back to the ARN when the trust policy is displayed"; once the user or role is deleted "the policy
 * no longer applies, even if you recreate the user or role", and the principal ID is shown instead.
 * So iamd records, when a trust policy is written, the unique id each named ARN resolved to;
 * AssumeRole trusts a named principal only if the caller has that id (principalMatcher, sts.ts);
 * GetRole, the lists and GetAccountAuthorizationDetails show the principal's current ARN while it
 * exists, its id once it is gone.
 */

/** Where an ARN as written names a user or role by its current ARN (path and name exactly), its id. */
async function resolve(domain: Domain, document: PolicyDocument, refuseUnknown: boolean): Promise<Record<string, string>> {
  const ids: Record<string, string> = {};
  for (const principal of namedPrincipalArns(document, domain.accountId)) {
    const found = principal.kind === 'user' ? await domain.store.users.getByName(principal.name) : await domain.store.roles.getByName(principal.name);
    if (!found) {
      if (refuseUnknown) throw malformed(MESSAGES.invalidPrincipal('AWS', principal.arn));
      continue;
    }
    const arn = (principal.kind === 'user' ? userArn : roleArn)(domain.accountId, found.path, found.name);
    // An ARN found by name whose path or letter case differs names nobody exactly: as before ids
    // were recorded (ARNs matched exactly), it trusts no one, and is shown as written.
    if (arn === principal.arn) ids[principal.arn] = found.id;
  }
  return ids;
}

/**
 * A trust policy as CreateRole and UpdateAssumeRolePolicy validate it: the document's rules
 * (trust.ts), then every IAM user and role of the account it names must exist (AWS refuses one it
 * cannot resolve, with its sentence alone, as for other documents). Returns the ids they resolved to.
 */
export async function resolveTrustPolicy(domain: Domain, text: string): Promise<TrustPrincipalIds> {
  const document = parseTrustPolicy(text);
  checkTrustPolicySize(text); // after the syntax, before the principals (quotas.ts)
  return resolve(domain, document, true);
}

/**
 * The ids a role's trust policy names its principals by. A role stored before iamd recorded them
 * (schema version 12) has its ARNs resolved now, at its first use, and recorded: a principal
 * deleted and re-created before then is the one trusted (the old id is not known any more).
 */
export async function trustPrincipalIdsOf(domain: Domain, role: Role): Promise<TrustPrincipalIds> {
  if (role.trustPrincipalIds !== null) return role.trustPrincipalIds;
  let document: PolicyDocument;
  try {
    document = parseTrustPolicy(role.trustPolicy);
  } catch (e) {
    if (e instanceof MalformedPolicyDocumentError) return {}; // trusts nobody (sts.ts refuses it anyway)
    throw e;
  }
  const ids = await resolve(domain, document, false);
  await domain.store.roles.recordTrustPrincipalIds(role.id, role.trustPolicy, ids);
  return ids;
}

/**
 * The trust policy as GetRole shows it: each recorded ARN as the principal's current ARN (the ARN
 * as written, unless the user was renamed or moved since), or its unique id once it is deleted
 * (a principal re-created under the name is another one: the old id stays). Unchanged text when
 * nothing is to be replaced; otherwise the document re-serialized.
 */
export function shownTrustPolicy(text: string, ids: TrustPrincipalIds, currentArn: (id: string) => string | undefined): string {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return text;
  }
  let changed = false;
  const shown = (value: unknown): unknown => {
    if (typeof value !== 'string' || !Object.hasOwn(ids, value)) return value;
    const id = ids[value]!;
    const now = currentArn(id) ?? id;
    if (now !== value) changed = true;
    return now;
  };
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  for (const s of Array.isArray(statement) ? statement : [statement]) {
    for (const element of ['Principal', 'NotPrincipal']) {
      const principals = (s as Record<string, unknown> | null)?.[element];
      if (typeof principals !== 'object' || principals === null || !Object.hasOwn(principals, 'AWS')) continue;
      const aws = (principals as { AWS: unknown }).AWS;
      (principals as { AWS: unknown }).AWS = Array.isArray(aws) ? aws.map(shown) : shown(aws);
    }
  }
  return changed ? JSON.stringify(document) : text;
}

/** Roles with their trust policies as shown (shownTrustPolicy): one read for the principals of them all. */
export async function withShownTrustPolicies(domain: Domain, roles: readonly Role[]): Promise<Role[]> {
  const idsOf: TrustPrincipalIds[] = [];
  for (const role of roles) idsOf.push(await trustPrincipalIdsOf(domain, role)); // one at a time: a page of old roles resolves once
  const named = [...new Set(idsOf.flatMap((ids) => Object.values(ids)))];
  if (named.length === 0) return [...roles];
  const found = await domain.store.roles.principalsById(named);
  const currentArn = (id: string) => {
    const p = found.get(id);
    return p && (p.kind === 'user' ? userArn : roleArn)(domain.accountId, p.path, p.name);
  };
  return roles.map((role, i) => ({ ...role, trustPolicy: shownTrustPolicy(role.trustPolicy, idsOf[i]!, currentArn) }));
}

export async function withShownTrustPolicy(domain: Domain, role: Role): Promise<Role> {
  return (await withShownTrustPolicies(domain, [role]))[0]!;
}

/** Instance profiles with their roles' trust policies as shown. */
export async function profilesWithShownTrustPolicies(domain: Domain, profiles: readonly InstanceProfile[]): Promise<InstanceProfile[]> {
  const roles = await withShownTrustPolicies(domain, profiles.flatMap((p) => p.roles));
  let next = 0;
  return profiles.map((p) => ({ ...p, roles: p.roles.map(() => roles[next++]!) }));
}
