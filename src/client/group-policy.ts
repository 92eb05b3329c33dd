import { DeleteGroupPolicyCommand, GetGroupPolicyCommand, PutGroupPolicyCommand, type GetGroupPolicyCommandOutput } from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { Group } from './group.js';

/** The data of an inline group policy, its document already decoded. */
export type GroupPolicyData = Pick<GetGroupPolicyCommandOutput, 'GroupName' | 'PolicyName' | 'PolicyDocument'>;

/**
 * An inline policy of a group: `iam.GroupPolicy('helpdesk', 'HelpdeskRead')` or `group.Policy('HelpdeskRead')`.
 *
 * @example
 * ```ts
 * await iam.Group('helpdesk').putPolicy('HelpdeskRead', { Version: '2012-10-17', Statement: [...] });
 * const doc = JSON.parse((await iam.GroupPolicy('helpdesk', 'HelpdeskRead').load()).policyDocument);
 * ```
 */
export class GroupPolicy extends Resource<GroupPolicyData> {
  /** The group the policy is embedded in. */
  readonly groupName: string;
  /** The policy's name. */
  readonly name: string;

  /** Use `iam.GroupPolicy(groupName, policyName)` or `group.Policy(policyName)`. */
  constructor(iam: IAM, groupName: string, policyName: string) {
    super(iam);
    this.groupName = groupName;
    this.name = policyName;
  }

  /** `GroupPolicy("helpdesk", "HelpdeskRead")`. */
  override toString(): string {
    return `GroupPolicy(${JSON.stringify(this.groupName)}, ${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<GroupPolicyData> {
    const out = await this.iam.call('GetGroupPolicy', (c) => c.send(new GetGroupPolicyCommand({ GroupName: this.groupName, PolicyName: this.name })));
    // IAM returns the document URL-encoded; the SDK leaves it so (boto3 decodes it).
    return { GroupName: out.GroupName, PolicyName: out.PolicyName, PolicyDocument: decodeURIComponent(out.PolicyDocument!) };
  }

  /** The policy's name (available before load: the identifier). */
  get policyName(): string {
    return this.name;
  }
  /** The policy document, as JSON text (decoded). */
  get policyDocument(): string {
    return this.attribute('PolicyDocument', 'policyDocument')!;
  }

  /** The group the policy belongs to (a reference: not loaded). */
  get group(): Group {
    return this.iam.Group(this.groupName);
  }

  /** Creates or replaces the policy (`PutGroupPolicy`); `document` is JSON text or an object. */
  async put(document: string | object): Promise<void> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    await this.iam.call('PutGroupPolicy', (c) => c.send(new PutGroupPolicyCommand({ GroupName: this.groupName, PolicyName: this.name, PolicyDocument })));
  }

  /** Deletes the policy (`DeleteGroupPolicy`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteGroupPolicy', (c) => c.send(new DeleteGroupPolicyCommand({ GroupName: this.groupName, PolicyName: this.name })));
  }
}
