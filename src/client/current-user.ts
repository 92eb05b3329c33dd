import {
  GetUserCommand,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListSigningCertificatesCommand,
  type AttachedPermissionsBoundary,
  type Tag,
  type User as UserData,
} from '@aws-sdk/client-iam';
import type { AccessKey } from './access-key.js';
import { Collection } from './collections.js';
import type { IAM } from './iam.js';
import type { MfaDevice } from './mfa-device.js';
import { Resource, SET_DATA } from './resource.js';
import type { SigningCertificate } from './signing-certificate.js';
import type { User } from './user.js';

/** How the credential report and `iam.currentUser()` name the account's root, which has no user name. */
const ROOT_NAME = '<root_account>';

/**
 * The caller, whoever it is: `iam.CurrentUser()`. Its requests leave out `UserName`, so IAM
 * answers for the user whose credentials sign them (boto3's `CurrentUser`).
 *
 * @example
 * ```ts
 * const me = await asAlice.CurrentUser().load();
 * me.arn;
 * for await (const key of me.accessKeys.all()) console.log(key.id, key.status);
 * ```
 */
export class CurrentUser extends Resource<UserData> {
  /** Use `iam.CurrentUser()`. */
  constructor(iam: IAM) {
    super(iam);
  }

  /** `CurrentUser()`. */
  override toString(): string {
    return 'CurrentUser()';
  }

  protected override async fetch(): Promise<UserData> {
    const out = await this.iam.call('GetUser', (c) => c.send(new GetUserCommand({})));
    return out.User!;
  }

  /** The caller's user name (`<root_account>` for the root, which has none). */
  get userName(): string {
    return this.attribute('UserName', 'userName') ?? ROOT_NAME;
  }
  /** The caller's path. */
  get path(): string | undefined {
    return this.attribute('Path', 'path');
  }
  /** IAM's stable id for the caller. */
  get userId(): string {
    return this.attribute('UserId', 'userId')!;
  }
  /** The caller's ARN (`arn:aws:iam::ACCOUNT:root` for the root). */
  get arn(): string {
    return this.attribute('Arn', 'arn')!;
  }
  /** When the caller was created. */
  get createDate(): Date {
    return this.attribute('CreateDate', 'createDate')!;
  }
  /** When the caller's password was last used to sign in, if ever. */
  get passwordLastUsed(): Date | undefined {
    return this.attribute('PasswordLastUsed', 'passwordLastUsed');
  }
  /** The caller's permissions boundary, if set. */
  get permissionsBoundary(): AttachedPermissionsBoundary | undefined {
    return this.attribute('PermissionsBoundary', 'permissionsBoundary');
  }
  /** The caller's tags. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }

  /** The caller as a `User` (a reference from the loaded data: needs `load()` first), loaded with the same data. */
  get user(): User {
    return this.iam.User(this.userName)[SET_DATA](this.data);
  }

  /** The caller's access keys (`ListAccessKeys` without `UserName`), loaded. */
  readonly accessKeys: Collection<AccessKey> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListAccessKeys', (c) => c.send(new ListAccessKeysCommand({ Marker, MaxItems })));
    return {
      items: (out.AccessKeyMetadata ?? []).map((k) => this.iam.AccessKey(k.UserName ?? ROOT_NAME, k.AccessKeyId!)[SET_DATA](k)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });

  /** The caller's MFA devices (`ListMFADevices` without `UserName`), loaded. */
  readonly mfaDevices: Collection<MfaDevice> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListMFADevices', (c) => c.send(new ListMFADevicesCommand({ Marker, MaxItems })));
    return {
      items: (out.MFADevices ?? []).map((d) => this.iam.MfaDevice(d.UserName ?? ROOT_NAME, d.SerialNumber!)[SET_DATA](d)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });

  /** The caller's signing certificates (`ListSigningCertificates` without `UserName`), loaded. */
  readonly signingCertificates: Collection<SigningCertificate> = new Collection(() => async (Marker, MaxItems) => {
    const out = await this.iam.call('ListSigningCertificates', (c) => c.send(new ListSigningCertificatesCommand({ Marker, MaxItems })));
    return {
      items: (out.Certificates ?? []).map((s) => this.iam.SigningCertificate(s.UserName ?? ROOT_NAME, s.CertificateId!)[SET_DATA](s)),
      isTruncated: out.IsTruncated,
      marker: out.Marker,
    };
  });
}
