import type { InstanceProfile, Tag } from './entities.js';
import { accountQuotas, type Domain } from './context.js';
import { accountQuotaExceeded } from './quotas.js';
import { IamError } from './errors.js';
import { listByPath } from './paging.js';
import { noSuchRole, requireRole } from './roles.js';
import { checkNewTags } from './tags.js';
import type { ListPage } from '../ports/store.js';

/** Instance profiles: the container that hands one role to EC2 instances. */

/** AWS allows one role per instance profile. */
export const MAX_ROLES_PER_INSTANCE_PROFILE = 1;

export const noSuchInstanceProfile = (name: string) => new IamError('NoSuchEntity', `Instance Profile ${name} cannot be found.`);

export async function requireInstanceProfile(domain: Domain, name: string): Promise<InstanceProfile> {
  const profile = await domain.store.instanceProfiles.getByName(name);
  if (!profile) throw noSuchInstanceProfile(name);
  return profile;
}

export async function createInstanceProfile(
  domain: Domain,
  input: { InstanceProfileName: string; Path?: string; Tags?: Tag[] },
): Promise<InstanceProfile> {
  const profile: InstanceProfile = {
    id: domain.ids.uniqueId('AIPA'),
    name: input.InstanceProfileName,
    path: input.Path ?? '/',
    createdAt: domain.clock.now(),
    tags: checkNewTags(input.Tags, 'InstanceProfile'),
    roles: [],
  };
  const quota = accountQuotas(domain).InstanceProfilesQuota;
  const created = await domain.store.instanceProfiles.create(profile, quota);
  if (created === 'quota') throw accountQuotaExceeded('InstanceProfilesQuota', quota);
  if (!created) {
    throw new IamError('EntityAlreadyExists', `Instance Profile ${input.InstanceProfileName} already exists.`);
  }
  return profile;
}

export async function deleteInstanceProfile(domain: Domain, name: string): Promise<void> {
  const result = await domain.store.instanceProfiles.delete(name);
  if (result === 'missing') throw noSuchInstanceProfile(name);
  if (result === 'has-role') throw new IamError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
}

export async function listInstanceProfiles(
  domain: Domain,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<ListPage<InstanceProfile>> {
  return listByPath(domain.store.instanceProfiles, input);
}

export async function listInstanceProfilesForRole(domain: Domain, roleName: string): Promise<InstanceProfile[]> {
  return domain.store.instanceProfiles.forRole((await requireRole(domain, roleName)).id);
}

export async function addRoleToInstanceProfile(domain: Domain, profileName: string, roleName: string): Promise<void> {
  const result = await domain.store.instanceProfiles.addRole(profileName, roleName, MAX_ROLES_PER_INSTANCE_PROFILE);
  if (result === 'no-profile') throw noSuchInstanceProfile(profileName);
  if (result === 'no-role') throw noSuchRole(roleName);
  // The same role again counts against the quota too: AWS answers both with LimitExceeded.
  if (result === 'limit' || result === 'exists') {
    throw new IamError('LimitExceeded', `Cannot exceed quota for InstanceSessionsPerInstanceProfile: ${MAX_ROLES_PER_INSTANCE_PROFILE}`);
  }
}

export async function removeRoleFromInstanceProfile(domain: Domain, profileName: string, roleName: string): Promise<void> {
  const result = await domain.store.instanceProfiles.removeRole(profileName, roleName);
  if (result === 'no-profile') throw noSuchInstanceProfile(profileName);
  if (result === 'no-role') throw noSuchRole(roleName);
  if (result === 'not-in-profile') throw new IamError('NoSuchEntity', `Role ${roleName} in Instance Profile ${profileName} cannot be found.`);
}
