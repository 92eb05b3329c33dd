import {
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreatePolicyVersionCommand,
  DeletePolicyCommand,
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  ListEntitiesForPolicyCommand,
  ListPolicyVersionsCommand,
  type CreatePolicyVersionCommandInput,
  type EntityType,
  type ListEntitiesForPolicyCommandInput,
  type ListEntitiesForPolicyCommandOutput,
  type Policy as PolicyData,
  type Tag,
} from '@aws-sdk/client-iam';
import { Collection, type PageFetcher } from './collections.js';
import type { Group } from './group.js';
import type { IAM } from './iam.js';
import type { PolicyVersion } from './policy-version.js';
import { Resource, SET_DATA } from './resource.js';
import type { Role } from './role.js';
import type { User } from './user.js';
import { waitFor, type WaiterOptions } from './waiters.js';

/** The filter parameters of `ListEntitiesForPolicy` a policy's attached-entity collections take. */
export type AttachedEntitiesFilter = Pick<ListEntitiesForPolicyCommandInput, 'PathPrefix' | 'PolicyUsageFilter'>;

/**
 * A managed policy, identified by its ARN: `iam.Policy('arn:aws:iam::aws:policy/IAMUserChangePassword')`.
 *
 * @example
 * ```ts
 * const policy = await iam.createPolicy({ PolicyName: 'ReadUsers', PolicyDocument: JSON.stringify(doc) });
 * await policy.attachUser('alice');
 * JSON.parse(await policy.defaultDocument());
 * ```
 */
export class Policy extends Resource<PolicyData> {
  /** The policy's ARN (its identifier). */
  readonly arn: string;

  /** Use `iam.Policy(arn)`. */
  constructor(iam: IAM, arn: string) {
    super(iam);
    this.arn = arn;
  }

  /** `Policy("arn:…")`. */
  override toString(): string {
    return `Policy(${JSON.stringify(this.arn)})`;
  }

  protected override async fetch(): Promise<PolicyData> {
    const out = await this.iam.call('GetPolicy', (c) => c.send(new GetPolicyCommand({ PolicyArn: this.arn })));
    return out.Policy!;
  }

  /** The policy's name. */
  get policyName(): string {
    return this.attribute('PolicyName', 'policyName')!;
  }
  /** IAM's stable id for the policy (`ANPA…`). */
  get policyId(): string {
    return this.attribute('PolicyId', 'policyId')!;
  }
  /** The policy's path. */
  get path(): string {
    return this.attribute('Path', 'path')!;
  }
  /** The id of the default version (`v1`, …). */
  get defaultVersionId(): string {
    return this.attribute('DefaultVersionId', 'defaultVersionId')!;
  }
  /** How many users, groups and roles the policy is attached to. */
  get attachmentCount(): number | undefined {
    return this.attribute('AttachmentCount', 'attachmentCount');
  }
  /** How many entities use the policy as their permissions boundary. */
  get permissionsBoundaryUsageCount(): number | undefined {
    return this.attribute('PermissionsBoundaryUsageCount', 'permissionsBoundaryUsageCount');
  }
  /** Whether the policy can be attached. */
  get isAttachable(): boolean | undefined {
    return this.attribute('IsAttachable', 'isAttachable');
  }
  /** The description given at creation, if any. */
  get description(): string | undefined {
    return this.attribute('Description', 'description');
  }
  /** When the policy was created. */
  get createDate(): Date | undefined {
    return this.attribute('CreateDate', 'createDate');
  }
  /** When the default version last changed. */
  get updateDate(): Date | undefined {
    return this.attribute('UpdateDate', 'updateDate');
  }
  /** The policy's tags, if any. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }

  /**
   * The default version's document, as JSON text (IAM returns it URL-encoded; this decodes it).
   * Loads the policy first when it is not loaded.
   */
  async defaultDocument(): Promise<string> {
    if (!this.loaded) await this.load();
    const out = await this.iam.call('GetPolicyVersion', (c) => c.send(new GetPolicyVersionCommand({ PolicyArn: this.arn, VersionId: this.defaultVersionId })));
    return decodeURIComponent(out.PolicyVersion!.Document!);
  }

  /** The default version (a reference from the loaded data: needs `load()` first; not loaded itself). */
  get defaultVersion(): PolicyVersion {
    return this.iam.PolicyVersion(this.arn, this.defaultVersionId);
  }

  /** Adds a version (`CreatePolicyVersion` with `PolicyDocument`, `SetAsDefault`); returns it, loaded with IAM's answer. */
  async createVersion(params: Omit<CreatePolicyVersionCommandInput, 'PolicyArn'>): Promise<PolicyVersion> {
    const out = await this.iam.call('CreatePolicyVersion', (c) => c.send(new CreatePolicyVersionCommand({ ...params, PolicyArn: this.arn })));
    return this.iam.PolicyVersion(this.arn, out.PolicyVersion!.VersionId!)[SET_DATA](out.PolicyVersion);
  }

  /** Deletes the policy (`DeletePolicy`); IAM answers `DeleteConflict` while it is attached or has other versions. */
  async delete(): Promise<void> {
    await this.iam.call('DeletePolicy', (c) => c.send(new DeletePolicyCommand({ PolicyArn: this.arn })));
  }

  /** Attaches the policy to user `userName` (`AttachUserPolicy`). */
  async attachUser(userName: string): Promise<void> {
    await this.iam.call('AttachUserPolicy', (c) => c.send(new AttachUserPolicyCommand({ PolicyArn: this.arn, UserName: userName })));
  }

  /** Detaches the policy from user `userName` (`DetachUserPolicy`). */
  async detachUser(userName: string): Promise<void> {
    await this.iam.call('DetachUserPolicy', (c) => c.send(new DetachUserPolicyCommand({ PolicyArn: this.arn, UserName: userName })));
  }

  /** Attaches the policy to group `groupName` (`AttachGroupPolicy`). */
  async attachGroup(groupName: string): Promise<void> {
    await this.iam.call('AttachGroupPolicy', (c) => c.send(new AttachGroupPolicyCommand({ PolicyArn: this.arn, GroupName: groupName })));
  }

  /** Detaches the policy from group `groupName` (`DetachGroupPolicy`). */
  async detachGroup(groupName: string): Promise<void> {
    await this.iam.call('DetachGroupPolicy', (c) => c.send(new DetachGroupPolicyCommand({ PolicyArn: this.arn, GroupName: groupName })));
  }

  /** Attaches the policy to role `roleName` (`AttachRolePolicy`). */
  async attachRole(roleName: string): Promise<void> {
    await this.iam.call('AttachRolePolicy', (c) => c.send(new AttachRolePolicyCommand({ PolicyArn: this.arn, RoleName: roleName })));
  }

  /** Detaches the policy from role `roleName` (`DetachRolePolicy`). */
  async detachRole(roleName: string): Promise<void> {
    await this.iam.call('DetachRolePolicy', (c) => c.send(new DetachRolePolicyCommand({ PolicyArn: this.arn, RoleName: roleName })));
  }

  /** The groups the policy is attached to (`ListEntitiesForPolicy` with `EntityFilter: 'Group'`), not loaded. */
  readonly attachedGroups: Collection<Group, AttachedEntitiesFilter> = new Collection((filter) =>
    this.entities(filter, 'Group', (out) => (out.PolicyGroups ?? []).map((g) => this.iam.Group(g.GroupName!))),
  );

  /** The roles the policy is attached to (`ListEntitiesForPolicy` with `EntityFilter: 'Role'`), not loaded. */
  readonly attachedRoles: Collection<Role, AttachedEntitiesFilter> = new Collection((filter) =>
    this.entities(filter, 'Role', (out) => (out.PolicyRoles ?? []).map((r) => this.iam.Role(r.RoleName!))),
  );

  /** The users the policy is attached to (`ListEntitiesForPolicy` with `EntityFilter: 'User'`), not loaded. */
  readonly attachedUsers: Collection<User, AttachedEntitiesFilter> = new Collection((filter) =>
    this.entities(filter, 'User', (out) => (out.PolicyUsers ?? []).map((u) => this.iam.User(u.UserName!))),
  );

  /** The policy's versions (`ListPolicyVersions`), loaded with what the listing answers. */
  readonly versions: Collection<PolicyVersion> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListPolicyVersions', (c) => c.send(new ListPolicyVersionsCommand({ PolicyArn: this.arn, Marker, MaxItems })));
    return {
      items: (out.Versions ?? []).map((v) => this.iam.PolicyVersion(this.arn, v.VersionId!)[SET_DATA](v)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });

  /** Waits until the policy exists (botocore's `PolicyExists`: polls `GetPolicy` every second, 20 times). */
  waitUntilExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} to exist`, () => this.exists(), options);
  }

  /** Waits until the policy no longer exists. */
  waitUntilNotExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} not to exist`, async () => !(await this.exists()), options);
  }

  /** One page fetcher of `ListEntitiesForPolicy` for one kind of entity. */
  private entities<T>(filter: AttachedEntitiesFilter, EntityFilter: EntityType, items: (out: ListEntitiesForPolicyCommandOutput) => T[]): PageFetcher<T> {
    return async (Marker, MaxItems) => {
      const out = await this.iam.call('ListEntitiesForPolicy', (c) =>
        c.send(new ListEntitiesForPolicyCommand({ ...filter, PolicyArn: this.arn, EntityFilter, Marker, MaxItems })),
      );
      return { items: items(out), isTruncated: out.IsTruncated, marker: out.Marker };
    };
  }
}
