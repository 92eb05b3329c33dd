import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  DetachGroupPolicyCommand,
  GetGroupCommand,
  ListAttachedGroupPoliciesCommand,
  ListGroupPoliciesCommand,
  PutGroupPolicyCommand,
  RemoveUserFromGroupCommand,
  UpdateGroupCommand,
  type CreateGroupCommandInput,
  type PutGroupPolicyCommandInput,
  type UpdateGroupCommandInput,
  type Group as GroupData,
} from '@aws-sdk/client-iam';
import { Collection } from './collections.js';
import type { GroupPolicy } from './group-policy.js';
import type { IAM } from './iam.js';
import type { Policy } from './policy.js';
import { Resource, SET_DATA } from './resource.js';
import type { User } from './user.js';

/**
 * An IAM group, identified by its name: `iam.Group('helpdesk')`.
 *
 * @example
 * ```ts
 * const helpdesk = await iam.createGroup({ GroupName: 'helpdesk' });
 * await helpdesk.addUser('alice');
 * for await (const member of helpdesk.users.all()) console.log(member.name);
 * ```
 */
export class Group extends Resource<GroupData> {
  /** The group's name (its identifier). */
  readonly name: string;

  /** Use `iam.Group(name)`. */
  constructor(iam: IAM, name: string) {
    super(iam);
    this.name = name;
  }

  /** `Group("helpdesk")`. */
  override toString(): string {
    return `Group(${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<GroupData> {
    const out = await this.iam.call('GetGroup', (c) => c.send(new GetGroupCommand({ GroupName: this.name, MaxItems: 1 })));
    return out.Group!;
  }

  /** The group's name as IAM spells it (available before load: the identifier). */
  get groupName(): string {
    return this.data?.GroupName ?? this.name;
  }
  /** The group's path. */
  get path(): string {
    return this.attribute('Path', 'path')!;
  }
  /** IAM's stable id for the group (`AGPA…`). */
  get groupId(): string {
    return this.attribute('GroupId', 'groupId')!;
  }
  /** The group's ARN. */
  get arn(): string {
    return this.attribute('Arn', 'arn')!;
  }
  /** When the group was created. */
  get createDate(): Date {
    return this.attribute('CreateDate', 'createDate')!;
  }

  /** Creates this group (`CreateGroup`, optional `Path`) and loads it. */
  async create(params: Omit<CreateGroupCommandInput, 'GroupName'> = {}): Promise<this> {
    const out = await this.iam.call('CreateGroup', (c) => c.send(new CreateGroupCommand({ ...params, GroupName: this.name })));
    return this[SET_DATA](out.Group);
  }

  /**
   * Renames or moves the group (`UpdateGroup` with `NewGroupName`, `NewPath`). Returns the group
   * under its new name (not loaded); this object keeps the old name, as in boto3.
   */
  async update(params: Omit<UpdateGroupCommandInput, 'GroupName'>): Promise<Group> {
    await this.iam.call('UpdateGroup', (c) => c.send(new UpdateGroupCommand({ ...params, GroupName: this.name })));
    return this.iam.Group(params.NewGroupName ?? this.name);
  }

  /** The inline policy `policyName` of this group (a reference: not loaded). */
  Policy(policyName: string): GroupPolicy {
    return this.iam.GroupPolicy(this.name, policyName);
  }

  /** Creates or replaces an inline policy (`PutGroupPolicy` with `PolicyName`, `PolicyDocument`), as boto3's `create_policy`. */
  async createPolicy(params: Omit<PutGroupPolicyCommandInput, 'GroupName'>): Promise<GroupPolicy> {
    await this.iam.call('PutGroupPolicy', (c) => c.send(new PutGroupPolicyCommand({ ...params, GroupName: this.name })));
    return this.Policy(params.PolicyName!);
  }

  /** Puts (creates or replaces) the inline policy `policyName` (`PutGroupPolicy`); `document` is JSON text or an object. */
  async putPolicy(policyName: string, document: string | object): Promise<GroupPolicy> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    return this.createPolicy({ PolicyName: policyName, PolicyDocument });
  }

  /** Deletes the group (`DeleteGroup`); `DeleteConflict` while it has members or policies. */
  async delete(): Promise<void> {
    await this.iam.call('DeleteGroup', (c) => c.send(new DeleteGroupCommand({ GroupName: this.name })));
  }

  /** Adds user `userName` to the group (`AddUserToGroup`). */
  async addUser(userName: string): Promise<void> {
    await this.iam.call('AddUserToGroup', (c) => c.send(new AddUserToGroupCommand({ GroupName: this.name, UserName: userName })));
  }

  /** Removes user `userName` from the group (`RemoveUserFromGroup`). */
  async removeUser(userName: string): Promise<void> {
    await this.iam.call('RemoveUserFromGroup', (c) => c.send(new RemoveUserFromGroupCommand({ GroupName: this.name, UserName: userName })));
  }

  /** Attaches the managed policy `policyArn` (`AttachGroupPolicy`). */
  async attachPolicy(policyArn: string): Promise<void> {
    await this.iam.call('AttachGroupPolicy', (c) => c.send(new AttachGroupPolicyCommand({ GroupName: this.name, PolicyArn: policyArn })));
  }

  /** Detaches the managed policy `policyArn` (`DetachGroupPolicy`). */
  async detachPolicy(policyArn: string): Promise<void> {
    await this.iam.call('DetachGroupPolicy', (c) => c.send(new DetachGroupPolicyCommand({ GroupName: this.name, PolicyArn: policyArn })));
  }

  /** The group's members (`GetGroup`, paged), loaded. Each page also refreshes the group's own attributes. */
  readonly users: Collection<User> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('GetGroup', (c) => c.send(new GetGroupCommand({ GroupName: this.name, Marker, MaxItems })));
    this[SET_DATA](out.Group);
    return { items: (out.Users ?? []).map((u) => this.iam.User(u.UserName!)[SET_DATA](u)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The managed policies attached to the group (`ListAttachedGroupPolicies`), not loaded; filter with `{ PathPrefix }`. */
  readonly attachedPolicies: Collection<Policy, { PathPrefix?: string }> = new Collection((filter) => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListAttachedGroupPolicies', (c) =>
      c.send(new ListAttachedGroupPoliciesCommand({ ...filter, GroupName: this.name, Marker, MaxItems })),
    );
    return { items: (out.AttachedPolicies ?? []).map((p) => this.iam.Policy(p.PolicyArn!)), isTruncated: out.IsTruncated, marker: out.Marker };
  });

  /** The group's inline policies (`ListGroupPolicies`), not loaded. */
  readonly policies: Collection<GroupPolicy> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListGroupPolicies', (c) => c.send(new ListGroupPoliciesCommand({ GroupName: this.name, Marker, MaxItems })));
    return { items: (out.PolicyNames ?? []).map((n) => this.Policy(n)), isTruncated: out.IsTruncated, marker: out.Marker };
  });
}
