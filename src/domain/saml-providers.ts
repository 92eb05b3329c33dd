import { createPrivateKey } from 'node:crypto';
import type { Domain } from './context.js';
import type { SamlPrivateKey, SamlProvider, Tag } from './entities.js';
import { IamError } from './errors.js';
import { samlProviderArn } from './arn.js';
import { checkNewTags, tagResource, untagResource } from './tags.js';
import { InvalidMetadata, parseSamlMetadata } from './saml-metadata.js';

/**
 * SAML identity providers: a name, the IdP's metadata document (checked: an EntityDescriptor with
 * a signing certificate), its validity, and the newer members: the assertion encryption mode and
 * up to two private keys for encrypted assertions (sealed; only their ids and dates are returned).
 */

export const MAX_SAML_PROVIDERS = 100;
const MAX_PRIVATE_KEYS = 2;
/** A document without validUntil: iamd's default validity (guessed: AWS's default is not documented). */
const DEFAULT_VALIDITY_MS = 100 * 365 * 24 * 3600 * 1000;

// Recorded (LocalStack's AWS-validated snapshots): the not-found sentence, for Get, Update and Delete.
export const noSuchSamlProvider = (arn: string) => new IamError('NoSuchEntity', `Manifest not found for arn ${arn}`);
// Guessed wordings (no recorded AWS answer found).
const unparsableMetadata = () => new IamError('InvalidInput', 'Could not parse metadata');
const providerExists = (name: string) => new IamError('EntityAlreadyExists', `SAMLProvider ${name} already exists`);
const providerQuota = () => new IamError('LimitExceeded', `Cannot exceed quota for SAMLProvidersPerAccount: ${MAX_SAML_PROVIDERS}`);
const unparsablePrivateKey = () => new IamError('InvalidInput', 'Unable to parse private key. Please ensure the private key is in PEM format.');
const tooManyPrivateKeys = () => new IamError('LimitExceeded', `Cannot exceed quota for PrivateKeysPerSAMLProvider: ${MAX_PRIVATE_KEYS}`);
const noSuchPrivateKey = (id: string) => new IamError('InvalidInput', `Private key ${id} not found`);
const requiredWithoutKey = () => new IamError('InvalidInput', 'AssertionEncryptionMode Required needs a private key');

async function readMetadata(text: string): Promise<{ validUntil?: Date }> {
  try {
    return await parseSamlMetadata(text);
  } catch (e) {
    if (e instanceof InvalidMetadata) throw unparsableMetadata();
    throw e;
  }
}

function newPrivateKey(domain: Domain, pem: string): SamlPrivateKey {
  if (pem.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----/g)?.length !== 1 || /ENCRYPTED/.test(pem)) throw unparsablePrivateKey();
  try {
    createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw unparsablePrivateKey();
  }
  return { keyId: domain.ids.uniqueId('', 26), timestamp: domain.clock.now(), sealedKey: domain.sealer.seal(pem) };
}

export function nameOfArn(domain: Domain, arn: string): string | undefined {
  const prefix = `arn:aws:iam::${domain.accountId}:saml-provider/`;
  const name = arn.startsWith(prefix) ? arn.slice(prefix.length) : '';
  return /^[\w.-]{1,128}$/.test(name) ? name : undefined;
}

export const arnOf = (domain: Domain, p: SamlProvider) => samlProviderArn(domain.accountId, p.name);

export async function createSamlProvider(
  domain: Domain,
  input: { Name: string; SAMLMetadataDocument: string; Tags?: Tag[]; AssertionEncryptionMode?: string; AddPrivateKey?: string },
): Promise<SamlProvider> {
  const tags = checkNewTags(input.Tags, 'SAMLProvider');
  const metadata = await readMetadata(input.SAMLMetadataDocument);
  const privateKeys = input.AddPrivateKey !== undefined ? [newPrivateKey(domain, input.AddPrivateKey)] : [];
  const mode = (input.AssertionEncryptionMode ?? 'Allowed') as 'Required' | 'Allowed';
  if (mode === 'Required' && privateKeys.length === 0) throw requiredWithoutKey();
  const now = domain.clock.now();
  const provider: SamlProvider = {
    id: domain.ids.uniqueId('ASPR'),
    name: input.Name,
    createdAt: now,
    validUntil: metadata.validUntil ?? new Date(now.getTime() + DEFAULT_VALIDITY_MS),
    metadata: input.SAMLMetadataDocument,
    uuid: domain.ids.uniqueId('', 26),
    assertionEncryptionMode: mode,
    privateKeys,
    tags,
  };
  const created = await domain.store.samlProviders.create(provider, MAX_SAML_PROVIDERS);
  if (created === 'exists') throw providerExists(input.Name);
  if (created === 'quota') throw providerQuota();
  return provider;
}

export async function requireSamlProvider(domain: Domain, arn: string): Promise<SamlProvider> {
  const name = nameOfArn(domain, arn);
  const provider = name === undefined ? undefined : await domain.store.samlProviders.getByName(name);
  if (!provider) throw noSuchSamlProvider(arn);
  return provider;
}

export async function updateSamlProvider(
  domain: Domain,
  input: { SAMLProviderArn: string; SAMLMetadataDocument?: string; AssertionEncryptionMode?: string; AddPrivateKey?: string; RemovePrivateKey?: string },
): Promise<void> {
  const metadata = input.SAMLMetadataDocument !== undefined ? await readMetadata(input.SAMLMetadataDocument) : undefined;
  const added = input.AddPrivateKey !== undefined ? newPrivateKey(domain, input.AddPrivateKey) : undefined;
  const name = nameOfArn(domain, input.SAMLProviderArn);
  const now = domain.clock.now();
  const result =
    name === undefined
      ? 'missing'
      : await domain.store.samlProviders.modify(name, (p) => {
          let keys = p.privateKeys;
          if (input.RemovePrivateKey !== undefined) {
            if (!keys.some((k) => k.keyId === input.RemovePrivateKey)) throw noSuchPrivateKey(input.RemovePrivateKey);
            keys = keys.filter((k) => k.keyId !== input.RemovePrivateKey);
          }
          if (added) keys = [...keys, added];
          if (keys.length > MAX_PRIVATE_KEYS) throw tooManyPrivateKeys();
          const mode = (input.AssertionEncryptionMode as 'Required' | 'Allowed' | undefined) ?? p.assertionEncryptionMode;
          if (mode === 'Required' && keys.length === 0) throw requiredWithoutKey();
          return {
            metadata: input.SAMLMetadataDocument ?? p.metadata,
            validUntil: metadata ? (metadata.validUntil ?? new Date(now.getTime() + DEFAULT_VALIDITY_MS)) : p.validUntil,
            assertionEncryptionMode: mode,
            privateKeys: keys,
          };
        });
  if (result === 'missing') throw noSuchSamlProvider(input.SAMLProviderArn);
}

export async function deleteSamlProvider(domain: Domain, arn: string): Promise<void> {
  const name = nameOfArn(domain, arn);
  if (name === undefined || (await domain.store.samlProviders.delete(name)) === 'missing') throw noSuchSamlProvider(arn);
}

/** A SAML provider's name for the tag operations, or a name no provider has (the lookup then misses). */
const nameForTags = (domain: Domain, arn: string) => nameOfArn(domain, arn) ?? '\u0000';

export const tagSamlProvider = (domain: Domain, arn: string, tags: Tag[]) =>
  tagResource(domain.store.samlProviders, nameForTags(domain, arn), tags, 'SAMLProvider', () => noSuchSamlProvider(arn));

export const untagSamlProvider = (domain: Domain, arn: string, keys: string[]) =>
  untagResource(domain.store.samlProviders, nameForTags(domain, arn), keys, () => noSuchSamlProvider(arn));
