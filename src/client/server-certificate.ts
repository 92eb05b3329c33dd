import {
  DeleteServerCertificateCommand,
  GetServerCertificateCommand,
  UpdateServerCertificateCommand,
  type ServerCertificate as ServerCertificateData,
  type ServerCertificateMetadata,
  type Tag,
  type UpdateServerCertificateCommandInput,
} from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';

/**
 * A server certificate (for a load balancer or CloudFront), identified by its name:
 * `iam.ServerCertificate('www')`. IAM never returns the private key.
 *
 * @example
 * ```ts
 * const cert = await iam.createServerCertificate({ ServerCertificateName: 'www', CertificateBody, PrivateKey });
 * (await cert.load()).serverCertificateMetadata.Expiration;
 * const renamed = await cert.update({ NewServerCertificateName: 'www-2026' });
 * ```
 */
export class ServerCertificate extends Resource<ServerCertificateData> {
  /** The certificate's name (its identifier). */
  readonly name: string;

  /** Use `iam.ServerCertificate(name)`. */
  constructor(iam: IAM, name: string) {
    super(iam);
    this.name = name;
  }

  /** `ServerCertificate("www")`. */
  override toString(): string {
    return `ServerCertificate(${JSON.stringify(this.name)})`;
  }

  protected override async fetch(): Promise<ServerCertificateData> {
    const out = await this.iam.call('GetServerCertificate', (c) => c.send(new GetServerCertificateCommand({ ServerCertificateName: this.name })));
    return out.ServerCertificate!;
  }

  /** Name, id (`ASCA…`), ARN, path, upload date and expiration. */
  get serverCertificateMetadata(): ServerCertificateMetadata {
    return this.attribute('ServerCertificateMetadata', 'serverCertificateMetadata')!;
  }
  /** The certificate, PEM. */
  get certificateBody(): string {
    return this.attribute('CertificateBody', 'certificateBody')!;
  }
  /** The chain, PEM, when one was uploaded. */
  get certificateChain(): string | undefined {
    return this.attribute('CertificateChain', 'certificateChain');
  }
  /** The certificate's tags, if any. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }

  /**
   * Renames or moves the certificate (`UpdateServerCertificate` with `NewServerCertificateName`,
   * `NewPath`). Returns it under its new name (not loaded); this object keeps the old name, as in boto3.
   */
  async update(params: Omit<UpdateServerCertificateCommandInput, 'ServerCertificateName'>): Promise<ServerCertificate> {
    await this.iam.call('UpdateServerCertificate', (c) => c.send(new UpdateServerCertificateCommand({ ...params, ServerCertificateName: this.name })));
    return this.iam.ServerCertificate(params.NewServerCertificateName ?? this.name);
  }

  /** Deletes the certificate (`DeleteServerCertificate`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteServerCertificate', (c) => c.send(new DeleteServerCertificateCommand({ ServerCertificateName: this.name })));
  }
}
