import {
  AttachGroupPolicyCommand,
  AttachUserPolicyCommand,
  DeletePolicyCommand,
  DetachGroupPolicyCommand,
  DetachUserPolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  type Policy as PolicyData,
  type Tag,
} from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';

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
}
