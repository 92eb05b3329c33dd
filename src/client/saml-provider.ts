import {
  DeleteSAMLProviderCommand,
  GetSAMLProviderCommand,
  UpdateSAMLProviderCommand,
  type AssertionEncryptionModeType,
  type GetSAMLProviderCommandOutput,
  type SAMLPrivateKey,
  type Tag,
  type UpdateSAMLProviderCommandInput,
} from '@aws-sdk/client-iam';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';

/** What `GetSAMLProvider` answers (the private keys' ids and timestamps only: IAM returns no key). */
export type SamlProviderData = Omit<GetSAMLProviderCommandOutput, '$metadata'>;

/**
 * A SAML 2.0 identity provider, identified by its ARN: `iam.SamlProvider(arn)`.
 *
 * @example
 * ```ts
 * const idp = await iam.createSamlProvider({ Name: 'corp-idp', SAMLMetadataDocument: metadataXml });
 * await idp.update({ SAMLMetadataDocument: newMetadataXml });
 * (await idp.load()).validUntil;
 * ```
 */
export class SamlProvider extends Resource<SamlProviderData> {
  /** The provider's ARN, `arn:aws:iam::ACCOUNT:saml-provider/NAME` (its identifier). */
  readonly arn: string;

  /** Use `iam.SamlProvider(arn)`. */
  constructor(iam: IAM, arn: string) {
    super(iam);
    this.arn = arn;
  }

  /** `SamlProvider("arn:…")`. */
  override toString(): string {
    return `SamlProvider(${JSON.stringify(this.arn)})`;
  }

  protected override async fetch(): Promise<SamlProviderData> {
    const { $metadata: _, ...data } = await this.iam.call('GetSAMLProvider', (c) => c.send(new GetSAMLProviderCommand({ SAMLProviderArn: this.arn })));
    return data;
  }

  /** The IdP's metadata document, as uploaded. */
  get samlMetadataDocument(): string {
    return this.attribute('SAMLMetadataDocument', 'samlMetadataDocument')!;
  }
  /** The provider's unique id. */
  get samlProviderUUID(): string | undefined {
    return this.attribute('SAMLProviderUUID', 'samlProviderUUID');
  }
  /** When the provider was created. */
  get createDate(): Date | undefined {
    return this.attribute('CreateDate', 'createDate');
  }
  /** When the metadata stops being valid (its `validUntil`), if it says. */
  get validUntil(): Date | undefined {
    return this.attribute('ValidUntil', 'validUntil');
  }
  /** The provider's tags, if any. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }
  /** Whether SAML assertions must be encrypted (`Required`) or may be (`Allowed`). */
  get assertionEncryptionMode(): AssertionEncryptionModeType | undefined {
    return this.attribute('AssertionEncryptionMode', 'assertionEncryptionMode');
  }
  /** The ids and timestamps of the assertion-decryption keys (never the keys). */
  get privateKeyList(): SAMLPrivateKey[] | undefined {
    return this.attribute('PrivateKeyList', 'privateKeyList');
  }

  /** Changes the metadata, encryption mode or keys (`UpdateSAMLProvider`). */
  async update(params: Omit<UpdateSAMLProviderCommandInput, 'SAMLProviderArn'>): Promise<void> {
    await this.iam.call('UpdateSAMLProvider', (c) => c.send(new UpdateSAMLProviderCommand({ ...params, SAMLProviderArn: this.arn })));
  }

  /** Deletes the provider (`DeleteSAMLProvider`). */
  async delete(): Promise<void> {
    await this.iam.call('DeleteSAMLProvider', (c) => c.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: this.arn })));
  }
}
