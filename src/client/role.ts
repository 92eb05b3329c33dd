import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  type AttachedPermissionsBoundary,
  type CreateRoleCommandInput,
  type Role as RoleData,
  type RoleLastUsed,
  type Tag,
} from '@aws-sdk/client-iam';
import type { AssumeRolePolicy } from './assume-role-policy.js';
import { Collection } from './collections.js';
import type { IAM } from './iam.js';
import type { InstanceProfile } from './instance-profile.js';
import type { Policy } from './policy.js';
import { Resource, SET_DATA } from './resource.js';
import type { RolePolicy } from './role-policy.js';
import { waitFor, type WaiterOptions } from './waiters.js';

/**
 * An IAM role, identified by its name: `iam.Role('deployer')`.
 *
 * @example
 * ```ts
 * const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
 * const role = await iam.createRole({ RoleName: 'deployer', AssumeRolePolicyDocument: JSON.stringify(trust) });
 * await role.attachPolicy('arn:aws:iam::aws:policy/ReadOnlyAccess');
 * JSON.parse(role.assumeRolePolicyDocument);
 * ```
 */
export class Role extends Resource<RoleData> {
  /** The role's name (its identifier). */
  readonly name: string;

  /** Use `iam.Role(name)`. */
  constructor(iam: IAM, name: string) {
    super(iam);
    this.name = name;
  }

  /** `Role("deployer")`. */
  override toString(): string {
    return `Role(${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<RoleData> {
    const out = await this.iam.call('GetRole', (c) => c.send(new GetRoleCommand({ RoleName: this.name })));
    return out.Role!;
  }

  /** The role's name as IAM spells it (available before load: the identifier). */
  get roleName(): string {
    return this.data?.RoleName ?? this.name;
  }
  /** The role's path. */
  get path(): string {
    return this.attribute('Path', 'path')!;
  }
  /** IAM's stable id for the role (`AROA…`). */
  get roleId(): string {
    return this.attribute('RoleId', 'roleId')!;
  }
  /** The role's ARN, path included. */
  get arn(): string {
    return this.attribute('Arn', 'arn')!;
  }
  /** When the role was created. */
  get createDate(): Date {
    return this.attribute('CreateDate', 'createDate')!;
  }
  /** The trust policy, as JSON text (IAM returns it URL-encoded; this decodes it, as boto3 does). */
  get assumeRolePolicyDocument(): string | undefined {
    const document = this.attribute('AssumeRolePolicyDocument', 'assumeRolePolicyDocument');
    return document === undefined ? undefined : decodeURIComponent(document);
  }
  /** The role's description, if any. */
  get description(): string | undefined {
    return this.attribute('Description', 'description');
  }
  /** The longest session `AssumeRole` grants, in seconds (3600-43200). */
  get maxSessionDuration(): number | undefined {
    return this.attribute('MaxSessionDuration', 'maxSessionDuration');
  }
  /** The role's permissions boundary, if set. */
  get permissionsBoundary(): AttachedPermissionsBoundary | undefined {
    return this.attribute('PermissionsBoundary', 'permissionsBoundary');
  }
  /** The role's tags as `GetRole` returns them. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }
  /** When and where the role was last assumed (`GetRole` only). */
  get roleLastUsed(): RoleLastUsed | undefined {
    return this.attribute('RoleLastUsed', 'roleLastUsed');
  }

  /**
   * Creates this role (`CreateRole`); `AssumeRolePolicyDocument` is required. Loads it with what
   * `CreateRole` answers, which (as AWS answers) has no description or session duration: `reload()` for those.
   */
  async create(params: Omit<CreateRoleCommandInput, 'RoleName'>): Promise<this> {
    const out = await this.iam.call('CreateRole', (c) => c.send(new CreateRoleCommand({ ...params, RoleName: this.name })));
    return this[SET_DATA](out.Role);
  }

  /** Deletes the role (`DeleteRole`); `DeleteConflict` while it has policies or instance profiles. */
  async delete(): Promise<void> {
    await this.iam.call('DeleteRole', (c) => c.send(new DeleteRoleCommand({ RoleName: this.name })));
  }

  /** Attaches the managed policy `policyArn` (`AttachRolePolicy`). */
  async attachPolicy(policyArn: string): Promise<void> {
    await this.iam.call('AttachRolePolicy', (c) => c.send(new AttachRolePolicyCommand({ RoleName: this.name, PolicyArn: policyArn })));
  }

  /** Detaches the managed policy `policyArn` (`DetachRolePolicy`). */
  async detachPolicy(policyArn: string): Promise<void> {
    await this.iam.call('DetachRolePolicy', (c) => c.send(new DetachRolePolicyCommand({ RoleName: this.name, PolicyArn: policyArn })));
  }

  /** The role's trust policy (a reference: not loaded). */
  get assumeRolePolicy(): AssumeRolePolicy {
    return this.iam.AssumeRolePolicy(this.name);
  }

  /** The inline policy `policyName` of this role (a reference: not loaded). */
  Policy(policyName: string): RolePolicy {
    return this.iam.RolePolicy(this.name, policyName);
  }

  /** Puts (creates or replaces) the inline policy `policyName` (`PutRolePolicy`); `document` is JSON text or an object. */
  async putPolicy(policyName: string, document: string | object): Promise<RolePolicy> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    await this.iam.call('PutRolePolicy', (c) => c.send(new PutRolePolicyCommand({ RoleName: this.name, PolicyName: policyName, PolicyDocument })));
    return this.Policy(policyName);
  }

  /** The managed policies attached to the role (`ListAttachedRolePolicies`), not loaded; filter with `{ PathPrefix }`. */
  readonly attachedPolicies: Collection<Policy, { PathPrefix?: string }> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListAttachedRolePolicies', (c) =>
      c.send(new ListAttachedRolePoliciesCommand({ ...filter, RoleName: this.name, Marker, MaxItems })),
    );
    return { items: (out.AttachedPolicies ?? []).map((p) => this.iam.Policy(p.PolicyArn!)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The instance profiles the role is in (`ListInstanceProfilesForRole`), loaded. */
  readonly instanceProfiles: Collection<InstanceProfile> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListInstanceProfilesForRole', (c) => c.send(new ListInstanceProfilesForRoleCommand({ RoleName: this.name, Marker, MaxItems })));
    return {
      items: (out.InstanceProfiles ?? []).map((p) => this.iam.InstanceProfile(p.InstanceProfileName!)[SET_DATA](p)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });

  /** The role's inline policies (`ListRolePolicies`), not loaded. */
  readonly policies: Collection<RolePolicy> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListRolePolicies', (c) => c.send(new ListRolePoliciesCommand({ RoleName: this.name, Marker, MaxItems })));
    return { items: (out.PolicyNames ?? []).map((n) => this.Policy(n)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** Waits until the role exists (botocore's `RoleExists`: polls `GetRole` every second, 20 times). */
  waitUntilExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} to exist`, () => this.exists(), options);
  }

  /** Waits until the role no longer exists. */
  waitUntilNotExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} not to exist`, async () => !(await this.exists()), options);
  }
}
