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
export type TagQuotaName = 'User' | 'Role' | 'Policy' | 'InstanceProfile';

export function rejectDuplicateTagKeys(tags: readonly Tag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    const key = t.Key.toLowerCase();
    if (seen.has(key)) throw new IamError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(key);
  }
}

/** Tags given at creation: no duplicates, within the quota. */
export function checkNewTags(tags: Tag[] | undefined, quota: TagQuotaName): Tag[] {
  const list = tags ?? [];
  rejectDuplicateTagKeys(list);
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
  rejectDuplicateTagKeys(tags);
  const result = await repo.tag(key, tags, MAX_TAGS);
  if (result === 'missing') throw missing();
  if (result === 'too-many') throw tagQuota(quota);
}

export async function untagResource(repo: TagRepository, key: string, keys: string[], missing: () => IamError): Promise<void> {
  if ((await repo.untag(key, keys)) === 'missing') throw missing();
}

/** List<Resource>Tags: a page of the resource's tags. */
export const tagPage = (tags: readonly Tag[], input: { Marker?: string; MaxItems?: number }) => {
  const page = paginate(tags, input);
  return { Tags: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
};
