import {
  DeleteSigningCertificateCommand,
  ListSigningCertificatesCommand,
  UpdateSigningCertificateCommand,
  type SigningCertificate as SigningCertificateData,
  type StatusType,
} from '@aws-sdk/client-iam';
import { IamClientError } from './errors.js';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { User } from './user.js';

/**
 * A user's X.509 signing certificate, identified by the user's name and the certificate's id:
 * `iam.SigningCertificate('alice', id)` or `user.SigningCertificate(id)`. IAM has no call that
 * reads one certificate, so `load()` searches the user's `ListSigningCertificates`.
 *
 * @example
 * ```ts
 * const cert = await iam.createSigningCertificate({ UserName: 'alice', CertificateBody: pem });
 * await cert.deactivate();
 * ```
 */
export class SigningCertificate extends Resource<SigningCertificateData> {
  /** The user the certificate belongs to. */
  readonly userName: string;
  /** The certificate's id (its identifier). */
  readonly id: string;

  /** Use `iam.SigningCertificate(userName, id)` or `user.SigningCertificate(id)`. */
  constructor(iam: IAM, userName: string, id: string) {
    super(iam);
    this.userName = userName;
    this.id = id;
  }

  /** `SigningCertificate("alice", "…")`. */
  override toString(): string {
    return `SigningCertificate(${JSON.stringify(this.userName)}, ${JSON.stringify(this.id)})`;
  }

  protected override async fetch(): Promise<SigningCertificateData> {
    let Marker: string | undefined;
    for (;;) {
      const out = await this.iam.call('ListSigningCertificates', (c) => c.send(new ListSigningCertificatesCommand({ UserName: this.userName, Marker })));
      const found = out.Certificates?.find((k) => k.CertificateId === this.id);
      if (found) return found;
      if (!out.IsTruncated || !out.Marker) {
        // Made by this library (IAM has no call that reads one certificate), in the words IAM uses for a missing one.
        throw new IamClientError('NoSuchEntity', `The Certificate with id ${this.id} cannot be found.`, {
          status: 404,
          requestId: out.$metadata.requestId,
          operation: 'ListSigningCertificates',
        });
      }
      Marker = out.Marker;
    }
  }

  /** The certificate's id (available before load: the identifier). */
  get certificateId(): string {
    return this.id;
  }
  /** The certificate, PEM. */
  get certificateBody(): string {
    return this.attribute('CertificateBody', 'certificateBody')!;
  }
  /** `Active` or `Inactive`. */
  get status(): StatusType {
    return this.attribute('Status', 'status')!;
  }
  /** When the certificate was uploaded. */
  get uploadDate(): Date | undefined {
    return this.attribute('UploadDate', 'uploadDate');
  }

  /** The user (a reference: not loaded). */
  get user(): User {
    return this.iam.User(this.userName);
  }

  /** Makes the certificate usable (`UpdateSigningCertificate` with `Status: 'Active'`). */
  async activate(): Promise<void> {
    await this.setStatus('Active');
  }

  /** Makes the certificate unusable until activated (`UpdateSigningCertificate` with `Status: 'Inactive'`). */
  async deactivate(): Promise<void> {
    await this.setStatus('Inactive');
  }

  /** Deletes the certificate (`DeleteSigningCertificate`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteSigningCertificate', (c) => c.send(new DeleteSigningCertificateCommand({ UserName: this.userName, CertificateId: this.id })));
  }

  private async setStatus(Status: StatusType): Promise<void> {
    await this.iam.call('UpdateSigningCertificate', (c) => c.send(new UpdateSigningCertificateCommand({ UserName: this.userName, CertificateId: this.id, Status })));
  }
}
