import type { Tag } from './entities.js';
import { IamError } from './errors.js';
import type { TagRepository } from '../ports/store.js';
import { paginate } from './paging.js';

/**
 * One rule set for the tags of every taggable IAM resource (users, roles, managed policies,
 * instance profiles, ...): at most 50 per resource, keys unique regardless of case (a later
 * spelling replaces the earlier one), AWS's messages.
 */
export const MAX_TAGS = 50;

/** How AWS names a kind of resource in its tag quota message: "TagsPerUser", "TagsPerRole", ... */
export type TagQuotaName = 'User' | 'Role' | 'Policy' | 'InstanceProfile' | 'MFADevice' | 'ServerCertificate' | 'OpenIDConnectProvider' | 'SAMLProvider';

/** Managed policies' tag keys are case-sensitive (recorded from AWS); every other kind's are not. */
const caseSensitive = (kind: TagQuotaName) => kind === 'Policy';

export function rejectDuplicateTagKeys(tags: readonly Tag[], kind: TagQuotaName): void {
  const exact = caseSensitive(kind);
  const seen = new Set<string>();
  for (const t of tags) {
    const key = exact ? t.Key : t.Key.toLowerCase();
    if (seen.has(key)) {
      throw new IamError(
        'InvalidInput',
        exact ? 'Duplicate tag keys found.' : 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      );
    }
    seen.add(key);
  }
}

/** Tags given at creation: no duplicates, within the quota. */
export function checkNewTags(tags: Tag[] | undefined, quota: TagQuotaName): Tag[] {
  const list = tags ?? [];
  rejectDuplicateTagKeys(list, quota);
  if (list.length > MAX_TAGS) throw tagQuota(quota);
  return list;
}

export const tagQuota = (quota: TagQuotaName) => new IamError('LimitExceeded', `Cannot exceed quota for TagsPer${quota}: ${MAX_TAGS}`);

/** Tag<Resource>: upserts, or changes nothing when the quota would be exceeded. */
export async function tagResource(
  repo: TagRepository,
  key: string,
  tags: Tag[],
  quota: TagQuotaName,
  missing: () => IamError,
): Promise<void> {
  rejectDuplicateTagKeys(tags, quota);
  const result = await repo.tag(key, tags, MAX_TAGS);
  if (result === 'missing') throw missing();
  if (result === 'too-many') throw tagQuota(quota);
}

export async function untagResource(repo: TagRepository, key: string, keys: string[], missing: () => IamError): Promise<void> {
  if ((await repo.untag(key, keys)) === 'missing') throw missing();
}

/**
 * ListPolicyTags' order, as recorded from AWS: shorter keys first, then by code point (tags set as
 * abc, b, z, a are listed a, b, z, abc).
 */
export const byPolicyTagOrder = (tags: readonly Tag[]): Tag[] =>
  [...tags].sort((x, y) => x.Key.length - y.Key.length || (x.Key < y.Key ? -1 : x.Key > y.Key ? 1 : 0));

/** List<Resource>Tags: a page of the resource's tags. */
export const tagPage = (tags: readonly Tag[], input: { Marker?: string; MaxItems?: number }) => {
  const page = paginate(tags, input);
  return { Tags: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
};
