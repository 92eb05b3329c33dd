import { GetRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { Role } from './role.js';

/** A role's trust policy: the role's name and the document, decoded. */
export interface AssumeRolePolicyData {
  RoleName?: string | undefined;
  PolicyDocument?: string | undefined;
}

/**
 * A role's trust policy (who may assume it), identified by the role's name:
 * `iam.AssumeRolePolicy('deployer')` or `role.assumeRolePolicy`. IAM has no call that reads it
 * alone, so `load()` reads the role (`GetRole`); boto3's resource has no load at all.
 *
 * @example
 * ```ts
 * await iam.Role('deployer').assumeRolePolicy.update({ Version: '2012-10-17', Statement: [...] });
 * ```
 */
export class AssumeRolePolicy extends Resource<AssumeRolePolicyData> {
  /** The name of the role (its identifier). */
  readonly roleName: string;

  /** Use `iam.AssumeRolePolicy(roleName)` or `role.assumeRolePolicy`. */
  constructor(iam: IAM, roleName: string) {
    super(iam);
    this.roleName = roleName;
  }

  /** `AssumeRolePolicy("deployer")`. */
  override toString(): string {
    return `AssumeRolePolicy(${JSON.stringify(this.roleName)})`;
  }

  protected override async fetch(): Promise<AssumeRolePolicyData> {
    const out = await this.iam.call('GetRole', (c) => c.send(new GetRoleCommand({ RoleName: this.roleName })));
    return { RoleName: out.Role!.RoleName, PolicyDocument: decodeURIComponent(out.Role!.AssumeRolePolicyDocument!) };
  }

  /** The trust policy, as JSON text (decoded). */
  get policyDocument(): string {
    return this.attribute('PolicyDocument', 'policyDocument')!;
  }

  /** The role (a reference: not loaded). */
  get role(): Role {
    return this.iam.Role(this.roleName);
  }

  /** Replaces the trust policy (`UpdateAssumeRolePolicy`); `document` is JSON text or an object. */
  async update(document: string | object): Promise<void> {
    const PolicyDocument = typeof document === 'string' ? document : JSON.stringify(document);
    await this.iam.call('UpdateAssumeRolePolicy', (c) => c.send(new UpdateAssumeRolePolicyCommand({ RoleName: this.roleName, PolicyDocument })));
  }
}
