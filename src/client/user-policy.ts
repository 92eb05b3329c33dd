import { DeleteUserPolicyCommand, GetUserPolicyCommand, PutUserPolicyCommand, type GetUserPolicyCommandOutput } from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { User } from './user.js';

/** The data of an inline user policy, its document already decoded. */
export type UserPolicyData = Pick<GetUserPolicyCommandOutput, 'UserName' | 'PolicyName' | 'PolicyDocument'>;

/**
 * An inline policy of a user: `iam.UserPolicy('alice', 'SelfService')` or `user.Policy('SelfService')`.
 *
 * @example
 * ```ts
 * await iam.User('alice').putPolicy('SelfService', { Version: '2012-10-17', Statement: [...] });
 * const doc = JSON.parse((await iam.UserPolicy('alice', 'SelfService').load()).policyDocument);
 * ```
 */
export class UserPolicy extends Resource<UserPolicyData> {
  /** The user the policy is embedded in. */
  readonly userName: string;
  /** The policy's name. */
  readonly name: string;

  /** Use `iam.UserPolicy(userName, policyName)` or `user.Policy(policyName)`. */
  constructor(iam: IAM, userName: string, policyName: string) {
    super(iam);
    this.userName = userName;
    this.name = policyName;
  }

  /** `UserPolicy("alice", "SelfService")`. */
  override toString(): string {
    return `UserPolicy(${JSON.stringify(this.userName)}, ${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<UserPolicyData> {
    const out = await this.iam.call('GetUserPolicy', (c) => c.send(new GetUserPolicyCommand({ UserName: this.userName, PolicyName: this.name })));
    // IAM returns the document URL-encoded; the SDK leaves it so (boto3 decodes it).
    return { UserName: out.UserName, PolicyName: out.PolicyName, PolicyDocument: decodeURIComponent(out.PolicyDocument!) };
  }

  /** The policy's name (available before load: the identifier). */
  get policyName(): string {
    return this.name;
  }
  /** The policy document, as JSON text (decoded). */
  get policyDocument(): string {
    return this.attribute('PolicyDocument', 'policyDocument')!;
  }

  /** The user the policy belongs to (a reference: not loaded). */
  get user(): User {
    return this.iam.User(this.userName);
  }

  /** Creates or replaces the policy (`PutUserPolicy`); `document` is JSON text or an object. */
  async put(document: string | object): Promise<void> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    await this.iam.call('PutUserPolicy', (c) => c.send(new PutUserPolicyCommand({ UserName: this.userName, PolicyName: this.name, PolicyDocument })));
  }

  /** Deletes the policy (`DeleteUserPolicy`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteUserPolicy', (c) => c.send(new DeleteUserPolicyCommand({ UserName: this.userName, PolicyName: this.name })));
  }
}
