import type { Caller, ServerCertificate } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { serverCertificateArn } from '../domain/arn.js';
import * as certificates from '../domain/server-certificates.js';
import { tagPage, tagResource, untagResource } from '../domain/tags.js';
import { type OperationTable, onPathPrefix, type Resource } from './operation.js';

/** Server certificates: upload, read, rename or move, delete, list, tags. The private key is never returned. */

/** ServerCertificateMetadata as AWS returns it (in Upload, Get and List alike). */
const presentMetadata = (accountId: string, c: ServerCertificate) => ({
  Path: c.path,
  ServerCertificateName: c.name,
  ServerCertificateId: c.id,
  Arn: serverCertificateArn(accountId, c.path, c.name),
  UploadDate: c.uploadedAt,
  Expiration: c.expiration,
});

/** The certificate named in the input: its ARN with its path (a missing one: the root path) and its tags. */
const onServerCertificate = async (domain: Domain, _caller: Caller, input: { ServerCertificateName: string; Path?: string }): Promise<Resource> => {
  const certificate = await domain.store.serverCertificates.getByName(input.ServerCertificateName);
  return {
    arn: serverCertificateArn(domain.accountId, certificate?.path ?? input.Path ?? '/', certificate?.name ?? input.ServerCertificateName),
    tags: certificate?.tags,
  };
};

export const SERVER_CERTIFICATE_OPERATIONS: OperationTable = {
  UploadServerCertificate: {
    action: 'iam:UploadServerCertificate',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) => {
      const certificate = await certificates.uploadServerCertificate(domain, input);
      return {
        ServerCertificateMetadata: presentMetadata(domain.accountId, certificate),
        Tags: certificate.tags.length > 0 ? certificate.tags : undefined,
      };
    },
  },
  GetServerCertificate: {
    action: 'iam:GetServerCertificate',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) => {
      const c = await certificates.requireServerCertificate(domain, input.ServerCertificateName);
      // AWS answers with the tags, an empty list when there are none (recorded).
      return {
        ServerCertificate: {
          ServerCertificateMetadata: presentMetadata(domain.accountId, c),
          CertificateBody: c.body,
          CertificateChain: c.chain ?? undefined,
          Tags: c.tags,
        },
      };
    },
  },
  UpdateServerCertificate: {
    action: 'iam:UpdateServerCertificate',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) => certificates.updateServerCertificate(domain, input),
  },
  DeleteServerCertificate: {
    action: 'iam:DeleteServerCertificate',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) => certificates.deleteServerCertificate(domain, input.ServerCertificateName),
  },
  ListServerCertificates: {
    action: 'iam:ListServerCertificates',
    resource: onPathPrefix('server-certificate'),
    handler: async (domain, _caller, input) => {
      const page = await certificates.listServerCertificates(domain, input);
      return {
        ServerCertificateMetadataList: page.items.map((c) => presentMetadata(domain.accountId, c)),
        IsTruncated: page.nextMarker !== undefined,
        Marker: page.nextMarker,
      };
    },
  },
  TagServerCertificate: {
    action: 'iam:TagServerCertificate',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) =>
      tagResource(domain.store.serverCertificates, input.ServerCertificateName, input.Tags, 'ServerCertificate', () =>
        certificates.noSuchServerCertificate(input.ServerCertificateName),
      ),
  },
  UntagServerCertificate: {
    action: 'iam:UntagServerCertificate',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) =>
      untagResource(domain.store.serverCertificates, input.ServerCertificateName, input.TagKeys, () =>
        certificates.noSuchServerCertificate(input.ServerCertificateName),
      ),
  },
  ListServerCertificateTags: {
    action: 'iam:ListServerCertificateTags',
    resource: onServerCertificate,
    handler: async (domain, _caller, input) =>
      tagPage((await certificates.requireServerCertificate(domain, input.ServerCertificateName)).tags, input),
  },
};
