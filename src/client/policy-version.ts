import { DeletePolicyVersionCommand, GetPolicyVersionCommand, SetDefaultPolicyVersionCommand, type PolicyVersion as PolicyVersionData } from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import type { Policy } from './policy.js';
import { Resource } from './resource.js';

/**
 * A version of a managed policy, identified by the policy's ARN and the version's id:
 * `iam.PolicyVersion(arn, 'v2')`, `policy.defaultVersion`, or an item of `policy.versions`.
 *
 * @example
 * ```ts
 * const v2 = await policy.createVersion({ PolicyDocument: JSON.stringify(doc), SetAsDefault: false });
 * await v2.setAsDefault();
 * JSON.parse((await v2.load()).document!);
 * ```
 */
export class PolicyVersion extends Resource<PolicyVersionData> {
  /** The policy's ARN. */
  readonly arn: string;
  /** The version's id (`v1`, `v2`, …). */
  readonly versionId: string;

  /** Use `iam.PolicyVersion(arn, versionId)`. */
  constructor(iam: IAM, arn: string, versionId: string) {
    super(iam);
    this.arn = arn;
    this.versionId = versionId;
  }

  /** `PolicyVersion("arn:…", "v2")`. */
  override toString(): string {
    return `PolicyVersion(${JSON.stringify(this.arn)}, ${JSON.stringify(this.versionId)})`;
  }

  protected override async fetch(): Promise<PolicyVersionData> {
    const out = await this.iam.call('GetPolicyVersion', (c) => c.send(new GetPolicyVersionCommand({ PolicyArn: this.arn, VersionId: this.versionId })));
    return out.PolicyVersion!;
  }

  /**
   * The version's document, as JSON text (IAM returns it URL-encoded; this decodes it). `load()`
   * has it; a version from `policy.versions` or `createVersion()` may not (`ListPolicyVersions`
   * answers it, `CreatePolicyVersion` does not).
   */
  get document(): string | undefined {
    const document = this.attribute('Document', 'document');
    return document === undefined ? undefined : decodeURIComponent(document);
  }
  /** Whether this is the policy's default version. */
  get isDefaultVersion(): boolean {
    return this.attribute('IsDefaultVersion', 'isDefaultVersion') ?? false;
  }
  /** When the version was created. */
  get createDate(): Date | undefined {
    return this.attribute('CreateDate', 'createDate');
  }

  /** The policy (a reference: not loaded). */
  get policy(): Policy {
    return this.iam.Policy(this.arn);
  }

  /** Makes this the policy's default version (`SetDefaultPolicyVersion`). */
  async setAsDefault(): Promise<void> {
    await this.iam.call('SetDefaultPolicyVersion', (c) => c.send(new SetDefaultPolicyVersionCommand({ PolicyArn: this.arn, VersionId: this.versionId })));
  }

  /** Deletes the version (`DeletePolicyVersion`); IAM refuses the default version (`DeleteConflict`). */
  async delete(): Promise<void> {
    await this.iam.call('DeletePolicyVersion', (c) => c.send(new DeletePolicyVersionCommand({ PolicyArn: this.arn, VersionId: this.versionId })));
  }
}
