import type { Group, InstanceProfile, PolicyVersion, Role, User } from './entities.js';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { decodeMarker, encodeMarker } from './paging.js';
import type { AnyManagedPolicy } from './policies.js';
import { AWS_MANAGED_POLICIES, type AwsManagedPolicy } from './policy/aws-managed.js';
import type { ListPage } from '../ports/store.js';

/**
 * GetAccountAuthorizationDetails: every user, group, role and managed policy of the account with
 * what hangs off it, a page at a time.
 *
 * The account is read section by section (users, groups, roles, customer managed policies, the AWS
 * managed policies in use), each through its store listing and its marker, and a page costs reads
 * in proportion to its size: a page's entities, then the details of all of them in one read per
 * kind of detail. The marker says which section a page stopped in and where.
 */

export type EntityType = 'User' | 'Group' | 'Role' | 'LocalManagedPolicy' | 'AWSManagedPolicy';

export interface InlinePolicy {
  name: string;
  document: string;
}

export interface UserDetail {
  user: User;
  inline: InlinePolicy[];
  groups: Group[];
  /** ARNs of the attached managed policies, in attachment order. */
  attached: string[];
}

export interface GroupDetail {
  group: Group;
  inline: InlinePolicy[];
  attached: string[];
}

export interface RoleDetail {
  role: Role;
  inline: InlinePolicy[];
  attached: string[];
  profiles: InstanceProfile[];
}

export interface PolicyDetail {
  found: AnyManagedPolicy;
  attachmentCount: number;
  /** Newest first, each with whether it is the default. */
  versions: { version: PolicyVersion; isDefault: boolean }[];
}

export interface AuthorizationDetails {
  users: UserDetail[];
  groups: GroupDetail[];
  roles: RoleDetail[];
  policies: PolicyDetail[];
  /** Where the next page starts, when there is one. */
  marker?: string;
}

/** One section of the account: its listing by name with a marker, and the details of a page of it. */
interface SectionParts<T> {
  list(domain: Domain, marker: string | undefined, maxItems: number): Promise<ListPage<T>>;
  addDetails(domain: Domain, items: T[], into: AuthorizationDetails): Promise<void>;
}

interface Section {
  /** Up to maxItems entities after `marker`, added with their details to `into` (when given: a look ahead needs none). */
  read(domain: Domain, marker: string | undefined, maxItems: number, into?: AuthorizationDetails): Promise<{ count: number; nextMarker?: string }>;
}

function sectionOf<T>(parts: SectionParts<T>): Section {
  return {
    async read(domain, marker, maxItems, into) {
      const page = await parts.list(domain, marker, maxItems);
      if (into) await parts.addDetails(domain, page.items, into);
      return { count: page.items.length, nextMarker: page.nextMarker };
    },
  };
}

const everything = { pathPrefix: '/' };

const users = sectionOf<User>({
  list: (domain, marker, maxItems) => domain.store.users.list({ ...everything, marker, maxItems }),
  async addDetails(domain, items, into) {
    const ids = items.map((u) => u.id);
    const [inline, groups, attached] = await Promise.all([
      domain.store.inlinePolicies.listForOwners(ids),
      domain.store.groups.groupsOfMany(ids),
      domain.store.attachments.listForOwners(ids),
    ]);
    for (const user of items) {
      into.users.push({ user, inline: inline.get(user.id) ?? [], groups: groups.get(user.id) ?? [], attached: attached.get(user.id) ?? [] });
    }
  },
});

const groups = sectionOf<Group>({
  list: (domain, marker, maxItems) => domain.store.groups.list({ ...everything, marker, maxItems }),
  async addDetails(domain, items, into) {
    const ids = items.map((g) => g.id);
    const [inline, attached] = await Promise.all([domain.store.inlinePolicies.listForOwners(ids), domain.store.attachments.listForOwners(ids)]);
    for (const group of items) into.groups.push({ group, inline: inline.get(group.id) ?? [], attached: attached.get(group.id) ?? [] });
  },
});

const roles = sectionOf<Role>({
  list: (domain, marker, maxItems) => domain.store.roles.list({ ...everything, marker, maxItems }),
  async addDetails(domain, items, into) {
    const ids = items.map((r) => r.id);
    const [inline, attached, profiles] = await Promise.all([
      domain.store.inlinePolicies.listForOwners(ids),
      domain.store.attachments.listForOwners(ids),
      domain.store.instanceProfiles.forRoles(ids),
    ]);
    for (const role of items) {
      into.roles.push({ role, inline: inline.get(role.id) ?? [], attached: attached.get(role.id) ?? [], profiles: profiles.get(role.id) ?? [] });
    }
  },
});

const customerPolicies = sectionOf<AnyManagedPolicy & { kind: 'customer' }>({
  async list(domain, marker, maxItems) {
    const page = await domain.store.managedPolicies.listPage({ ...everything, marker, maxItems });
    return { items: page.items.map((policy) => ({ kind: 'customer' as const, policy })), nextMarker: page.nextMarker };
  },
  async addDetails(domain, items, into) {
    const versions = await domain.store.managedPolicies.versionsOf(items.map((f) => f.policy.arn));
    for (const found of items) {
      into.policies.push({
        found,
        attachmentCount: found.policy.attachmentCount,
        versions: (versions.get(found.policy.arn) ?? []).map((version) => ({ version, isDefault: version.version === found.policy.defaultVersion })),
      });
    }
  },
});

/**
 * The AWS managed policies attached to something in the account (AWS lists only those, not its
 * whole catalogue). Which of the catalogue's are attached, with their counts, is one read whatever
 * the page; they are paged by name like the rest, and only their documents are inflated.
 */
const awsPolicies = sectionOf<{ policy: AwsManagedPolicy; count: number }>({
  async list(domain, marker, maxItems) {
    const all = [...AWS_MANAGED_POLICIES.values()];
    const counts = await domain.store.attachments.countsFor(all.map((p) => p.arn));
    const key = (p: AwsManagedPolicy) => p.name.toLowerCase();
    const used = all
      .filter((policy) => counts.has(policy.arn) && (marker === undefined || key(policy) > marker.toLowerCase()))
      .sort((a, b) => (key(a) < key(b) ? -1 : 1))
      .map((policy) => ({ policy, count: counts.get(policy.arn)! }));
    const items = used.slice(0, maxItems);
    return used.length > maxItems ? { items, nextMarker: items[items.length - 1]!.policy.name } : { items };
  },
  async addDetails(_domain, items, into) {
    for (const { policy, count } of items) {
      // iamd keeps the default version of an AWS managed policy only.
      const version: PolicyVersion = { version: Number(policy.versionId.slice(1)), document: policy.documentText, createdAt: policy.updateDate };
      into.policies.push({ found: { kind: 'aws', policy }, attachmentCount: count, versions: [{ version, isDefault: true }] });
    }
  },
});

/** The sections in AWS's order: users, groups, roles, then the policies, customer managed first. */
const SECTIONS: readonly (readonly [EntityType, Section])[] = [
  ['User', users],
  ['Group', groups],
  ['Role', roles],
  ['LocalManagedPolicy', customerPolicies],
  ['AWSManagedPolicy', awsPolicies],
];

const invalidMarker = () => new IamError('ValidationError', 'Invalid Marker.');

/** A marker: the section's index and the last name served in it ('' when the section is still to start). */
const encodePosition = (index: number, name: string) => encodeMarker(`${index}:${name}`);

function decodePosition(marker: string): { section: number; name: string | undefined } {
  const match = /^(\d):(.*)$/s.exec(decodeMarker(marker));
  if (!match || Number(match[1]) >= SECTIONS.length) throw invalidMarker();
  return { section: Number(match[1]), name: match[2] === '' ? undefined : match[2] };
}

export async function getAccountAuthorizationDetails(
  domain: Domain,
  input: { Filter?: EntityType[]; MaxItems?: number; Marker?: string },
): Promise<AuthorizationDetails> {
  // No filter, or an empty one, means every kind of entity.
  const wanted = new Set<EntityType>(input.Filter?.length ? input.Filter : SECTIONS.map(([type]) => type));
  const start = input.Marker === undefined ? { section: 0, name: undefined } : decodePosition(input.Marker);
  const details: AuthorizationDetails = { users: [], groups: [], roles: [], policies: [] };
  let room = input.MaxItems ?? 100;
  for (let index = start.section; index < SECTIONS.length; index++) {
    const [type, section] = SECTIONS[index]!;
    if (!wanted.has(type)) continue;
    const after = index === start.section ? start.name : undefined;
    if (room === 0) {
      // The page is full: it is truncated only if something is left (a look at one entity, without details).
      if ((await section.read(domain, after, 1)).count === 0) continue;
      details.marker = encodePosition(index, after ?? '');
      break;
    }
    const page = await section.read(domain, after, room, details);
    room -= page.count;
    if (page.nextMarker !== undefined) {
      details.marker = encodePosition(index, page.nextMarker);
      break;
    }
  }
  return details;
}
