import * as sshKeys from '../domain/ssh-public-keys.js';
import * as certificates from '../domain/signing-certificates.js';
import * as serviceCredentials from '../domain/service-credentials.js';
import { paginate } from '../domain/paging.js';
import { type OperationTable, onAccount, onUser } from './operation.js';
import { presentServiceCredential, presentSigningCertificate, presentSshPublicKey, presentSshPublicKeyMetadata } from './presenters.js';

/**
 * The credentials of a user besides its access keys and password: SSH public keys (CodeCommit),
 * signing certificates and service-specific credentials. Each acts on a user, whose ARN is the
 * resource authorized (the caller's own when it names none).
 */
export const USER_CREDENTIAL_OPERATIONS: OperationTable = {
  // SSH public keys
  UploadSSHPublicKey: {
    action: 'iam:UploadSSHPublicKey',
    resource: onUser,
    handler: async (domain, _caller, input) => {
      const { key, user } = await sshKeys.uploadSshPublicKey(domain, input);
      return { SSHPublicKey: presentSshPublicKey(key, user, key.body) };
    },
  },
  GetSSHPublicKey: {
    action: 'iam:GetSSHPublicKey',
    resource: onUser,
    handler: async (domain, _caller, input) => {
      const { key, user, body } = await sshKeys.getSshPublicKey(domain, input);
      return { SSHPublicKey: presentSshPublicKey(key, user, body) };
    },
  },
  UpdateSSHPublicKey: {
    action: 'iam:UpdateSSHPublicKey',
    resource: onUser,
    handler: async (domain, _caller, input) => sshKeys.updateSshPublicKey(domain, input),
  },
  DeleteSSHPublicKey: {
    action: 'iam:DeleteSSHPublicKey',
    resource: onUser,
    handler: async (domain, _caller, input) => sshKeys.deleteSshPublicKey(domain, input),
  },
  ListSSHPublicKeys: {
    action: 'iam:ListSSHPublicKeys',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { keys, user } = await sshKeys.listSshPublicKeys(domain, caller, input.UserName);
      const page = paginate(keys, input);
      return { SSHPublicKeys: page.items.map((k) => presentSshPublicKeyMetadata(k, user)), IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },

  // Signing certificates
  UploadSigningCertificate: {
    action: 'iam:UploadSigningCertificate',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { certificate, user } = await certificates.uploadSigningCertificate(domain, caller, input);
      return { Certificate: presentSigningCertificate(certificate, user) };
    },
  },
  UpdateSigningCertificate: {
    action: 'iam:UpdateSigningCertificate',
    resource: onUser,
    handler: async (domain, caller, input) => certificates.updateSigningCertificate(domain, caller, input),
  },
  DeleteSigningCertificate: {
    action: 'iam:DeleteSigningCertificate',
    resource: onUser,
    handler: async (domain, caller, input) => certificates.deleteSigningCertificate(domain, caller, input),
  },
  ListSigningCertificates: {
    action: 'iam:ListSigningCertificates',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { certificates: certs, user } = await certificates.listSigningCertificates(domain, caller, input.UserName);
      const page = paginate(certs, input);
      return { Certificates: page.items.map((c) => presentSigningCertificate(c, user)), IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },

  // Service-specific credentials
  CreateServiceSpecificCredential: {
    action: 'iam:CreateServiceSpecificCredential',
    resource: onUser,
    handler: async (domain, _caller, input) => {
      const { credential, user, secret } = await serviceCredentials.createServiceSpecificCredential(domain, input);
      return { ServiceSpecificCredential: presentServiceCredential(credential, user.name, domain.clock.now(), secret) };
    },
  },
  ResetServiceSpecificCredential: {
    action: 'iam:ResetServiceSpecificCredential',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { credential, user, secret } = await serviceCredentials.resetServiceSpecificCredential(domain, caller, input);
      return { ServiceSpecificCredential: presentServiceCredential(credential, user.name, domain.clock.now(), secret) };
    },
  },
  UpdateServiceSpecificCredential: {
    action: 'iam:UpdateServiceSpecificCredential',
    resource: onUser,
    handler: async (domain, caller, input) => serviceCredentials.updateServiceSpecificCredential(domain, caller, input),
  },
  DeleteServiceSpecificCredential: {
    action: 'iam:DeleteServiceSpecificCredential',
    resource: onUser,
    handler: async (domain, caller, input) => serviceCredentials.deleteServiceSpecificCredential(domain, caller, input),
  },
  ListServiceSpecificCredentials: {
    action: 'iam:ListServiceSpecificCredentials',
    // Every user's credentials (AllUsers) are no one user's: the account's.
    resource: async (domain, caller, input) => (input.AllUsers === true ? onAccount() : onUser(domain, caller, input)),
    handler: async (domain, caller, input) => {
      const page = await serviceCredentials.listServiceSpecificCredentials(domain, caller, input);
      const now = domain.clock.now();
      return {
        ServiceSpecificCredentials: page.items.map((i) => presentServiceCredential(i.credential, i.userName, now)),
        IsTruncated: page.isTruncated,
        Marker: page.marker,
      };
    },
  },
};
