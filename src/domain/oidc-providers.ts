import type { Domain } from './context.js';
import type { OidcProvider, Tag } from './entities.js';
import { IamError } from './errors.js';
import { oidcProviderArn } from './arn.js';
import { checkNewTags, MAX_TAGS, rejectDuplicateTagKeys } from './tags.js';

/**
 * OpenID Connect identity providers: the issuers whose tokens AssumeRoleWithWebIdentity accepts.
 * A provider is known by its URL (https only); its ARN is oidc-provider/ followed by the URL
 * without its scheme, which is also what its tokens' `iss` names.
 */

/** AWS's quotas (recorded: Terraform error logs, LocalStack's AWS-validated snapshots). */
export const MAX_OIDC_PROVIDERS = 100;
export const MAX_CLIENT_IDS = 100;
export const MAX_THUMBPRINTS = 5;

// Recorded AWS texts (LocalStack's AWS-validated snapshots, tests/aws/services/iam/test_iam_oidc).
const invalidUrl = () => new IamError('ValidationError', 'Invalid Open ID Connect Provider URL');
const providerExists = (url: string) => new IamError('EntityAlreadyExists', `Provider with url ${url} already exists.`);
const tooManyThumbprints = () => new IamError('InvalidInput', `Thumbprint list must contain fewer than ${MAX_THUMBPRINTS} entries.`);
const clientIdQuota = () => new IamError('LimitExceeded', `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${MAX_CLIENT_IDS}`);
const providerQuota = () => new IamError('LimitExceeded', `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${MAX_OIDC_PROVIDERS}`);
const tagLimit = () => new IamError('LimitExceeded', 'The number of tags has reached the maximum limit.');
export const noSuchOidcProvider = (arn: string) => new IamError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
// DeleteOpenIDConnectProvider's own sentence (recorded).
const noSuchOidcProviderToDelete = (arn: string) => new IamError('NoSuchEntity', `OpenId connect Provider ${arn} cannot be found.`);

/**
 * The provider's key from its URL: the URL without https://, without a trailing slash. Only https
 * URLs with a host and no query, fragment or credentials are accepted. A port is kept (iamd's
 * decision: a private issuer may listen on one; its tokens' iss then names it too).
 */
export function providerKeyOfUrl(url: string): string {
  const match = /^https:\/\/([^?#]+)$/i.exec(url.trim() === url ? url : '');
  if (!match) throw invalidUrl();
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidUrl();
  }
  if (parsed.hostname === '' || parsed.username !== '' || parsed.password !== '' || /\s/.test(url)) throw invalidUrl();
  return match[1]!.replace(/\/+$/, '');
}

/** The key an ARN of this account names; undefined when it is not an OIDC provider ARN of this account. */
export function providerKeyOfArn(domain: Domain, arn: string): string | undefined {
  const prefix = `arn:aws:iam::${domain.accountId}:oidc-provider/`;
  return arn.startsWith(prefix) && arn.length > prefix.length ? arn.slice(prefix.length) : undefined;
}

const unique = (list: readonly string[]): string[] => [...new Set(list)];

function checkThumbprints(list: readonly string[] | undefined): string[] {
  const thumbprints = unique(list ?? []);
  if (thumbprints.length > MAX_THUMBPRINTS) throw tooManyThumbprints();
  return thumbprints;
}

function checkClientIds(list: readonly string[] | undefined): string[] {
  const ids = unique(list ?? []);
  if (ids.length > MAX_CLIENT_IDS) throw clientIdQuota();
  return ids;
}

export async function createOidcProvider(
  domain: Domain,
  input: { Url: string; ClientIDList?: string[]; ThumbprintList?: string[]; Tags?: Tag[] },
): Promise<OidcProvider> {
  const url = providerKeyOfUrl(input.Url);
  const clientIds = checkClientIds(input.ClientIDList);
  // Optional since 2024: AWS then trusts the issuer's certificate through public CAs (iamd: its
  // trust store, or IAMD_OIDC_CA_FILE).
  const thumbprints = checkThumbprints(input.ThumbprintList);
  if ((input.Tags ?? []).length > MAX_TAGS) throw tagLimit();
  const tags = checkNewTags(input.Tags, 'OpenIDConnectProvider');
  const provider: OidcProvider = { id: domain.ids.uniqueId('AOIP'), url, clientIds, thumbprints, createdAt: domain.clock.now(), tags };
  const created = await domain.store.oidcProviders.create(provider, MAX_OIDC_PROVIDERS);
  if (created === 'exists') throw providerExists(input.Url);
  if (created === 'quota') throw providerQuota();
  return provider;
}

export async function requireOidcProvider(domain: Domain, arn: string): Promise<OidcProvider> {
  const key = providerKeyOfArn(domain, arn);
  const provider = key === undefined ? undefined : await domain.store.oidcProviders.get(key);
  if (!provider) throw noSuchOidcProvider(arn);
  return provider;
}

async function change(domain: Domain, arn: string, next: (p: OidcProvider) => { clientIds: string[]; thumbprints: string[] }): Promise<void> {
  const key = providerKeyOfArn(domain, arn);
  if (key === undefined || (await domain.store.oidcProviders.update(key, next)) === 'missing') throw noSuchOidcProvider(arn);
}

/** Adding a client id the provider has already changes nothing (as AWS). */
export const addClientId = (domain: Domain, arn: string, clientId: string) =>
  change(domain, arn, (p) => ({ clientIds: checkClientIds([...p.clientIds, clientId]), thumbprints: p.thumbprints }));

/** Removing a client id the provider does not have changes nothing (as AWS). */
export const removeClientId = (domain: Domain, arn: string, clientId: string) =>
  change(domain, arn, (p) => ({ clientIds: p.clientIds.filter((c) => c !== clientId), thumbprints: p.thumbprints }));

export function updateThumbprints(domain: Domain, arn: string, list: string[]): Promise<void> {
  const thumbprints = checkThumbprints(list);
  return change(domain, arn, (p) => ({ clientIds: p.clientIds, thumbprints }));
}

export async function deleteOidcProvider(domain: Domain, arn: string): Promise<void> {
  const key = providerKeyOfArn(domain, arn);
  if (key === undefined || !(await domain.store.oidcProviders.delete(key))) throw noSuchOidcProviderToDelete(arn);
}

export async function tagOidcProvider(domain: Domain, arn: string, tags: Tag[]): Promise<void> {
  rejectDuplicateTagKeys(tags, 'OpenIDConnectProvider');
  const key = providerKeyOfArn(domain, arn);
  const result = key === undefined ? 'missing' : await domain.store.oidcProviders.tag(key, tags, MAX_TAGS);
  if (result === 'missing') throw noSuchOidcProvider(arn);
  if (result === 'too-many') throw tagLimit();
}

export async function untagOidcProvider(domain: Domain, arn: string, keys: string[]): Promise<void> {
  const key = providerKeyOfArn(domain, arn);
  if (key === undefined || (await domain.store.oidcProviders.untag(key, keys)) === 'missing') throw noSuchOidcProvider(arn);
}

export const arnOf = (domain: Domain, p: OidcProvider) => oidcProviderArn(domain.accountId, p.url);
