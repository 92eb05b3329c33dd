import {
  DeleteAccessKeyCommand,
  GetAccessKeyLastUsedCommand,
  ListAccessKeysCommand,
  UpdateAccessKeyCommand,
  type AccessKeyLastUsed,
  type StatusType,
} from '@aws-sdk/client-iam';
import { IamClientError } from './errors.js';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { User } from './user.js';

/** What is known of an access key: its metadata, and its secret only right after `CreateAccessKey`. */
export interface AccessKeyData {
  UserName?: string | undefined;
  AccessKeyId?: string | undefined;
  Status?: StatusType | undefined;
  CreateDate?: Date | undefined;
  SecretAccessKey?: string | undefined;
}

/**
 * An access key of a user: `iam.AccessKey('alice', 'AKIA…')`. IAM has no call that reads one key,
 * so `load()` lists the user's keys and picks this one (`NoSuchEntity` when it is not there).
 */
export class AccessKey extends Resource<AccessKeyData> {
  /** The name of the user the key belongs to. */
  readonly userName: string;
  /** The key's id (`AKIA…`), its identifier. */
  readonly id: string;

  /** Use `iam.AccessKey(userName, accessKeyId)` or `user.AccessKey(accessKeyId)`. */
  constructor(iam: IAM, userName: string, accessKeyId: string) {
    super(iam);
    this.userName = userName;
    this.id = accessKeyId;
  }

  /** `AccessKey("alice", "AKIA…")`. */
  override toString(): string {
    return `AccessKey(${JSON.stringify(this.userName)}, ${JSON.stringify(this.id)})`;
  }

  protected override async fetch(): Promise<AccessKeyData> {
    let Marker: string | undefined;
    for (;;) {
      const out = await this.iam.call('ListAccessKeys', (c) => c.send(new ListAccessKeysCommand({ UserName: this.userName, Marker })));
      const found = out.AccessKeyMetadata?.find((k) => k.AccessKeyId === this.id);
      if (found) return found;
      if (!out.IsTruncated || !out.Marker) {
        throw new IamClientError('NoSuchEntity', `The Access Key with id ${this.id} cannot be found.`, {
          status: 404,
          requestId: out.$metadata.requestId,
          operation: 'ListAccessKeys',
        });
      }
      Marker = out.Marker;
    }
  }

  /** The key's id (available before load: the identifier). */
  get accessKeyId(): string {
    return this.id;
  }
  /** `Active` or `Inactive`. */
  get status(): StatusType | undefined {
    return this.attribute('Status', 'status');
  }
  /** When the key was created. */
  get createDate(): Date | undefined {
    return this.attribute('CreateDate', 'createDate');
  }
  /**
   * The secret: only on the key `user.createAccessKey()` returned, never after a load (IAM shows
   * a secret once). `undefined` otherwise.
   */
  get secretAccessKey(): string | undefined {
    return this.data?.SecretAccessKey;
  }

  /** The user the key belongs to (a reference: not loaded). */
  get user(): User {
    return this.iam.User(this.userName);
  }

  /** Makes the key usable again (`UpdateAccessKey` with `Status: 'Active'`). */
  async activate(): Promise<void> {
    await this.setStatus('Active');
  }

  /** Makes requests signed with the key fail until it is activated (`UpdateAccessKey` with `Status: 'Inactive'`). */
  async deactivate(): Promise<void> {
    await this.setStatus('Inactive');
  }

  /** Deletes the key (`DeleteAccessKey`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteAccessKey', (c) => c.send(new DeleteAccessKeyCommand({ UserName: this.userName, AccessKeyId: this.id })));
  }

  /** When, where and for which service the key was last used (`GetAccessKeyLastUsed`); `Region` is `N/A` before any use. */
  async lastUsed(): Promise<AccessKeyLastUsed> {
    const out = await this.iam.call('GetAccessKeyLastUsed', (c) => c.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: this.id })));
    return out.AccessKeyLastUsed!;
  }

  private async setStatus(Status: StatusType): Promise<void> {
    await this.iam.call('UpdateAccessKey', (c) => c.send(new UpdateAccessKeyCommand({ UserName: this.userName, AccessKeyId: this.id, Status })));
  }
}
