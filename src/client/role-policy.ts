import { DeleteRolePolicyCommand, GetRolePolicyCommand, PutRolePolicyCommand, type GetRolePolicyCommandOutput } from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { Role } from './role.js';

/** The data of an inline role policy, its document already decoded. */
export type RolePolicyData = Pick<GetRolePolicyCommandOutput, 'RoleName' | 'PolicyName' | 'PolicyDocument'>;

/**
 * An inline policy of a role: `iam.RolePolicy('deployer', 'S3Read')` or `role.Policy('S3Read')`.
 *
 * @example
 * ```ts
 * await iam.Role('deployer').putPolicy('S3Read', { Version: '2012-10-17', Statement: [...] });
 * const doc = JSON.parse((await iam.RolePolicy('deployer', 'S3Read').load()).policyDocument);
 * ```
 */
export class RolePolicy extends Resource<RolePolicyData> {
  /** The role the policy is embedded in. */
  readonly roleName: string;
  /** The policy's name. */
  readonly name: string;

  /** Use `iam.RolePolicy(roleName, policyName)` or `role.Policy(policyName)`. */
  constructor(iam: IAM, roleName: string, policyName: string) {
    super(iam);
    this.roleName = roleName;
    this.name = policyName;
  }

  /** `RolePolicy("deployer", "S3Read")`. */
  override toString(): string {
    return `RolePolicy(${JSON.stringify(this.roleName)}, ${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<RolePolicyData> {
    const out = await this.iam.call('GetRolePolicy', (c) => c.send(new GetRolePolicyCommand({ RoleName: this.roleName, PolicyName: this.name })));
    // IAM returns the document URL-encoded; the SDK leaves it so (boto3 decodes it).
    return { RoleName: out.RoleName, PolicyName: out.PolicyName, PolicyDocument: decodeURIComponent(out.PolicyDocument!) };
  }

  /** The policy's name (available before load: the identifier). */
  get policyName(): string {
    return this.name;
  }
  /** The policy document, as JSON text (decoded). */
  get policyDocument(): string {
    return this.attribute('PolicyDocument', 'policyDocument')!;
  }

  /** The role the policy belongs to (a reference: not loaded). */
  get role(): Role {
    return this.iam.Role(this.roleName);
  }

  /** Creates or replaces the policy (`PutRolePolicy`); `document` is JSON text or an object. */
  async put(document: string | object): Promise<void> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    await this.iam.call('PutRolePolicy', (c) => c.send(new PutRolePolicyCommand({ RoleName: this.roleName, PolicyName: this.name, PolicyDocument })));
  }

  /** Deletes the policy (`DeleteRolePolicy`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteRolePolicy', (c) => c.send(new DeleteRolePolicyCommand({ RoleName: this.roleName, PolicyName: this.name })));
  }
}
