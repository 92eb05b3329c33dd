import {
  AddRoleToInstanceProfileCommand,
  CreateInstanceProfileCommand,
  DeleteInstanceProfileCommand,
  GetInstanceProfileCommand,
  RemoveRoleFromInstanceProfileCommand,
  type CreateInstanceProfileCommandInput,
  type InstanceProfile as InstanceProfileData,
  type Tag,
} from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource, SET_DATA } from './resource.js';
import type { Role } from './role.js';
import { waitFor, type WaiterOptions } from './waiters.js';

/** botocore's `InstanceProfileExists` checks 40 times (its other IAM waiters 20). */
const INSTANCE_PROFILE_WAITER_ATTEMPTS = 40;

/**
 * An instance profile (the container an EC2 instance gets a role through), identified by its name:
 * `iam.InstanceProfile('web')`.
 *
 * @example
 * ```ts
 * const profile = await iam.createInstanceProfile({ InstanceProfileName: 'web' });
 * await profile.addRole('deployer');
 * (await profile.reload()).roles.map((r) => r.name); // ['deployer']
 * ```
 */
export class InstanceProfile extends Resource<InstanceProfileData> {
  /** The instance profile's name (its identifier). */
  readonly name: string;

  /** Use `iam.InstanceProfile(name)`. */
  constructor(iam: IAM, name: string) {
    super(iam);
    this.name = name;
  }

  /** `InstanceProfile("web")`. */
  override toString(): string {
    return `InstanceProfile(${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<InstanceProfileData> {
    const out = await this.iam.call('GetInstanceProfile', (c) => c.send(new GetInstanceProfileCommand({ InstanceProfileName: this.name })));
    return out.InstanceProfile!;
  }

  /** The instance profile's name as IAM spells it (available before load: the identifier). */
  get instanceProfileName(): string {
    return this.data?.InstanceProfileName ?? this.name;
  }
  /** The instance profile's path. */
  get path(): string {
    return this.attribute('Path', 'path')!;
  }
  /** IAM's stable id for the instance profile (`AIPA…`). */
  get instanceProfileId(): string {
    return this.attribute('InstanceProfileId', 'instanceProfileId')!;
  }
  /** The instance profile's ARN. */
  get arn(): string {
    return this.attribute('Arn', 'arn')!;
  }
  /** When the instance profile was created. */
  get createDate(): Date {
    return this.attribute('CreateDate', 'createDate')!;
  }
  /** The instance profile's tags, if any. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }
  /** The roles in the instance profile (at most one), loaded with the data the profile carried. */
  get roles(): Role[] {
    return (this.attribute('Roles', 'roles') ?? []).map((r) => this.iam.Role(r.RoleName!)[SET_DATA](r));
  }

  /** Creates this instance profile (`CreateInstanceProfile`, optional `Path`, `Tags`) and loads it. */
  async create(params: Omit<CreateInstanceProfileCommandInput, 'InstanceProfileName'> = {}): Promise<this> {
    const out = await this.iam.call('CreateInstanceProfile', (c) => c.send(new CreateInstanceProfileCommand({ ...params, InstanceProfileName: this.name })));
    return this[SET_DATA](out.InstanceProfile);
  }

  /** Puts role `roleName` in the instance profile (`AddRoleToInstanceProfile`; `LimitExceeded` when it has one). */
  async addRole(roleName: string): Promise<void> {
    await this.iam.call('AddRoleToInstanceProfile', (c) => c.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: this.name, RoleName: roleName })));
  }

  /** Takes role `roleName` out of the instance profile (`RemoveRoleFromInstanceProfile`). */
  async removeRole(roleName: string): Promise<void> {
    await this.iam.call('RemoveRoleFromInstanceProfile', (c) => c.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: this.name, RoleName: roleName })));
  }

  /** Deletes the instance profile (`DeleteInstanceProfile`); `DeleteConflict` while it holds a role. */
  async delete(): Promise<void> {
    await this.iam.call('DeleteInstanceProfile', (c) => c.send(new DeleteInstanceProfileCommand({ InstanceProfileName: this.name })));
  }

  /** Waits until the instance profile exists (botocore's `InstanceProfileExists`: every second, 40 times). */
  waitUntilExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} to exist`, () => this.exists(), { maxAttempts: INSTANCE_PROFILE_WAITER_ATTEMPTS, ...options });
  }

  /** Waits until the instance profile no longer exists. */
  waitUntilNotExists(options?: WaiterOptions): Promise<void> {
    return waitFor(`${this} not to exist`, async () => !(await this.exists()), { maxAttempts: INSTANCE_PROFILE_WAITER_ATTEMPTS, ...options });
  }
}
