import type { Caller, Tag } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import * as oidc from '../domain/oidc-providers.js';
import * as saml from '../domain/saml-providers.js';
import { tagPage } from '../domain/tags.js';
import { type Operation, type OperationTable, onAccount, type Resource } from './operation.js';

/** OIDC providers: create, read, list, change client ids and thumbprints, delete, tags. */

/** The provider the input's ARN names, with its tags (for aws:ResourceTag). */
const onOidcProvider = async (domain: Domain, _caller: Caller, input: { OpenIDConnectProviderArn: string }): Promise<Resource> => {
  const key = oidc.providerKeyOfArn(domain, input.OpenIDConnectProviderArn);
  const provider = key === undefined ? undefined : await domain.store.oidcProviders.get(key);
  return { arn: input.OpenIDConnectProviderArn, tags: provider?.tags };
};

/**
 * The three tag operations of an identity provider kind (Tag*, Untag*, List*Tags), built once for
 * both kinds: the kind says how its ARN is named in the input, how a provider is found, tagged and
 * untagged (each kind keeps AWS's own errors), and its resource for the authorizer.
 */
interface ProviderKind<ArnMember extends string> {
  arnMember: ArnMember;
  resource: (domain: Domain, caller: Caller, input: Record<ArnMember, string>) => Promise<Resource>;
  tags: (domain: Domain, arn: string) => Promise<Tag[]>;
  tag: (domain: Domain, arn: string, tags: Tag[]) => Promise<void>;
  untag: (domain: Domain, arn: string, keys: string[]) => Promise<void>;
}

type TagInput<ArnMember extends string> = Record<ArnMember, string> & { Tags: Tag[]; TagKeys: string[]; Marker?: string; MaxItems?: number };
type TagOperations<Name extends string, ArnMember extends string> = {
  [K in `Tag${Name}` | `Untag${Name}` | `List${Name}Tags`]: Operation<TagInput<ArnMember>>;
};

function providerTagOperations<Name extends 'OpenIDConnectProvider' | 'SAMLProvider', ArnMember extends string>(
  kind: ProviderKind<ArnMember> & { name: Name },
): TagOperations<Name, ArnMember> {
  const operation = (action: string, handler: (domain: Domain, input: TagInput<ArnMember>) => Promise<Record<string, unknown> | void>): Operation<TagInput<ArnMember>> => ({
    action: `iam:${action}`,
    resource: kind.resource,
    handler: (domain, _caller, input) => handler(domain, input),
  });
  const operations = {
    [`Tag${kind.name}`]: operation(`Tag${kind.name}`, (domain, input) => kind.tag(domain, input[kind.arnMember], input.Tags)),
    [`Untag${kind.name}`]: operation(`Untag${kind.name}`, (domain, input) => kind.untag(domain, input[kind.arnMember], input.TagKeys)),
    [`List${kind.name}Tags`]: operation(`List${kind.name}Tags`, async (domain, input) => tagPage(await kind.tags(domain, input[kind.arnMember]), input)),
  };
  return operations as TagOperations<Name, ArnMember>;
}

const OIDC_KIND = {
  name: 'OpenIDConnectProvider' as const,
  arnMember: 'OpenIDConnectProviderArn' as const,
  resource: onOidcProvider,
  tags: async (domain: Domain, arn: string) => (await oidc.requireOidcProvider(domain, arn)).tags,
  tag: oidc.tagOidcProvider,
  untag: oidc.untagOidcProvider,
};

export const OIDC_PROVIDER_OPERATIONS: OperationTable = {
  CreateOpenIDConnectProvider: {
    action: 'iam:CreateOpenIDConnectProvider',
    resource: async (domain, _caller, input) => {
      let arn = '*';
      try {
        arn = `arn:aws:iam::${domain.accountId}:oidc-provider/${oidc.providerKeyOfUrl(input.Url)}`;
      } catch {
        // An invalid URL is refused by the handler, once the caller may create providers at all.
      }
      return { arn };
    },
    handler: async (domain, _caller, input) => {
      const provider = await oidc.createOidcProvider(domain, input);
      return { OpenIDConnectProviderArn: oidc.arnOf(domain, provider), Tags: provider.tags.length > 0 ? provider.tags : undefined };
    },
  },
  GetOpenIDConnectProvider: {
    action: 'iam:GetOpenIDConnectProvider',
    resource: onOidcProvider,
    handler: async (domain, _caller, input) => {
      const p = await oidc.requireOidcProvider(domain, input.OpenIDConnectProviderArn);
      // AWS answers the URL without its scheme, and empty lists and tags as empty (recorded).
      return { Url: p.url, ClientIDList: p.clientIds, ThumbprintList: p.thumbprints, CreateDate: p.createdAt, Tags: p.tags };
    },
  },
  ListOpenIDConnectProviders: {
    action: 'iam:ListOpenIDConnectProviders',
    resource: onAccount,
    handler: async (domain) => ({
      OpenIDConnectProviderList: (await domain.store.oidcProviders.list()).map((p) => ({ Arn: oidc.arnOf(domain, p) })),
    }),
  },
  AddClientIDToOpenIDConnectProvider: {
    action: 'iam:AddClientIDToOpenIDConnectProvider',
    resource: onOidcProvider,
    handler: async (domain, _caller, input) => oidc.addClientId(domain, input.OpenIDConnectProviderArn, input.ClientID),
  },
  RemoveClientIDFromOpenIDConnectProvider: {
    action: 'iam:RemoveClientIDFromOpenIDConnectProvider',
    resource: onOidcProvider,
    handler: async (domain, _caller, input) => oidc.removeClientId(domain, input.OpenIDConnectProviderArn, input.ClientID),
  },
  UpdateOpenIDConnectProviderThumbprint: {
    action: 'iam:UpdateOpenIDConnectProviderThumbprint',
    resource: onOidcProvider,
    handler: async (domain, _caller, input) => oidc.updateThumbprints(domain, input.OpenIDConnectProviderArn, input.ThumbprintList),
  },
  DeleteOpenIDConnectProvider: {
    action: 'iam:DeleteOpenIDConnectProvider',
    resource: onOidcProvider,
    handler: async (domain, _caller, input) => oidc.deleteOidcProvider(domain, input.OpenIDConnectProviderArn),
  },
  ...providerTagOperations(OIDC_KIND),
};

/** The SAML provider the input's ARN names, with its tags. */
const onSamlProvider = async (domain: Domain, _caller: Caller, input: { SAMLProviderArn: string }): Promise<Resource> => {
  const name = saml.nameOfArn(domain, input.SAMLProviderArn);
  const provider = name === undefined ? undefined : await domain.store.samlProviders.getByName(name);
  return { arn: input.SAMLProviderArn, tags: provider?.tags };
};


const SAML_KIND = {
  name: 'SAMLProvider' as const,
  arnMember: 'SAMLProviderArn' as const,
  resource: onSamlProvider,
  tags: async (domain: Domain, arn: string) => (await saml.requireSamlProvider(domain, arn)).tags,
  tag: saml.tagSamlProvider,
  untag: saml.untagSamlProvider,
};

/** SAML providers: the 8 operations. The private keys' texts are never returned. */
export const SAML_PROVIDER_OPERATIONS: OperationTable = {
  CreateSAMLProvider: {
    action: 'iam:CreateSAMLProvider',
    resource: async (domain, _caller, input) => ({ arn: `arn:aws:iam::${domain.accountId}:saml-provider/${input.Name}` }),
    handler: async (domain, _caller, input) => {
      const p = await saml.createSamlProvider(domain, input);
      return { SAMLProviderArn: saml.arnOf(domain, p), Tags: p.tags.length > 0 ? p.tags : undefined };
    },
  },
  GetSAMLProvider: {
    action: 'iam:GetSAMLProvider',
    resource: onSamlProvider,
    handler: async (domain, _caller, input) => {
      const p = await saml.requireSamlProvider(domain, input.SAMLProviderArn);
      // Recorded: empty tags and key lists are answered, the mode always.
      return {
        SAMLProviderUUID: p.uuid,
        SAMLMetadataDocument: p.metadata,
        CreateDate: p.createdAt,
        ValidUntil: p.validUntil,
        Tags: p.tags,
        AssertionEncryptionMode: p.assertionEncryptionMode ?? 'Allowed',
        PrivateKeyList: p.privateKeys.map((k) => ({ KeyId: k.keyId, Timestamp: k.timestamp })),
      };
    },
  },
  ListSAMLProviders: {
    action: 'iam:ListSAMLProviders',
    resource: onAccount,
    handler: async (domain) => ({
      SAMLProviderList: (await domain.store.samlProviders.listAll()).map((p) => ({ Arn: saml.arnOf(domain, p), ValidUntil: p.validUntil, CreateDate: p.createdAt })),
    }),
  },
  UpdateSAMLProvider: {
    action: 'iam:UpdateSAMLProvider',
    resource: onSamlProvider,
    handler: async (domain, _caller, input) => {
      await saml.updateSamlProvider(domain, input);
      return { SAMLProviderArn: input.SAMLProviderArn };
    },
  },
  DeleteSAMLProvider: {
    action: 'iam:DeleteSAMLProvider',
    resource: onSamlProvider,
    handler: async (domain, _caller, input) => saml.deleteSamlProvider(domain, input.SAMLProviderArn),
  },
  ...providerTagOperations(SAML_KIND),
};
