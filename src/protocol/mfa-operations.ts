import type { Caller } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { mfaArn } from '../domain/arn.js';
import * as mfa from '../domain/mfa.js';
import * as alias from '../domain/account-alias.js';
import { paginate } from '../domain/paging.js';
import { tagPage, tagResource, untagResource } from '../domain/tags.js';
import { type OperationTable, onAccount, onUser, type Resource } from './operation.js';
import { presentMfaDevice, presentVirtualMfaDevice } from './presenters.js';

/**
 * Virtual MFA devices and the account alias. Authorization as AWS's Service Authorization
 * Reference declares it: the device (arn:aws:iam::ACCOUNT:mfa/PATH+NAME) for creating, deleting
 * and tagging one; the user for enabling, resyncing, deactivating, reading and listing a user's
 * devices; `*` for ListVirtualMFADevices and the alias.
 */

/** The device named by SerialNumber: its ARN (= its serial number) and tags; an unknown one as given. */
const onMfaDevice = async (domain: Domain, _caller: Caller, input: { SerialNumber: string }): Promise<Resource> => {
  const device = await domain.store.mfaDevices.get(input.SerialNumber);
  return device ? { arn: device.serialNumber, tags: device.tags } : { arn: input.SerialNumber };
};

export const MFA_OPERATIONS: OperationTable = {
  CreateVirtualMFADevice: {
    action: 'iam:CreateVirtualMFADevice',
    resource: async (domain, _caller, input) => ({ arn: mfaArn(domain.accountId, input.Path ?? '/', input.VirtualMFADeviceName) }),
    patternMessages: { Path: mfa.mfaErrors.invalidPath },
    handler: async (domain, _caller, input) => {
      const created = await mfa.createVirtualMfaDevice(domain, input);
      // The only answer that ever carries the seed, base64 of its base32 text as AWS returns it
      // (the audit trail hides both blobs).
      return {
        VirtualMFADevice: {
          SerialNumber: created.device.serialNumber,
          Base32StringSeed: Buffer.from(created.seed, 'ascii'),
          QRCodePNG: created.qrCodePng,
          Tags: created.device.tags.length > 0 ? created.device.tags : undefined,
        },
      };
    },
  },
  EnableMFADevice: {
    action: 'iam:EnableMFADevice',
    resource: onUser,
    handler: async (domain, _caller, input) => mfa.enableMfaDevice(domain, input),
  },
  ResyncMFADevice: {
    action: 'iam:ResyncMFADevice',
    resource: onUser,
    handler: async (domain, _caller, input) => mfa.resyncMfaDevice(domain, input),
  },
  DeactivateMFADevice: {
    action: 'iam:DeactivateMFADevice',
    resource: onUser,
    handler: async (domain, caller, input) => mfa.deactivateMfaDevice(domain, caller, input),
  },
  DeleteVirtualMFADevice: {
    action: 'iam:DeleteVirtualMFADevice',
    resource: onMfaDevice,
    handler: async (domain, _caller, input) => mfa.deleteVirtualMfaDevice(domain, input.SerialNumber),
  },
  ListVirtualMFADevices: {
    action: 'iam:ListVirtualMFADevices',
    resource: onAccount,
    handler: async (domain, _caller, input) => {
      const page = await mfa.listVirtualMfaDevices(domain, input);
      return {
        VirtualMFADevices: page.items.map(({ device, user }) => presentVirtualMfaDevice(domain.accountId, device, user)),
        IsTruncated: page.nextMarker !== undefined,
        Marker: page.nextMarker,
      };
    },
  },
  ListMFADevices: {
    action: 'iam:ListMFADevices',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { user, devices } = await mfa.listMfaDevices(domain, caller, input.UserName);
      const page = paginate(user ? devices.map((d) => presentMfaDevice(d, user)) : [], input);
      return { MFADevices: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
  GetMFADevice: {
    action: 'iam:GetMFADevice',
    resource: onUser,
    handler: async (domain, caller, input) => {
      const { user, device } = await mfa.getMfaDevice(domain, caller, input);
      return presentMfaDevice(device, user);
    },
  },
  TagMFADevice: {
    action: 'iam:TagMFADevice',
    resource: onMfaDevice,
    handler: async (domain, _caller, input) =>
      tagResource(domain.store.mfaDevices, input.SerialNumber, input.Tags, 'MFADevice', () => mfa.mfaErrors.noSuchDevice(input.SerialNumber)),
  },
  UntagMFADevice: {
    action: 'iam:UntagMFADevice',
    resource: onMfaDevice,
    handler: async (domain, _caller, input) =>
      untagResource(domain.store.mfaDevices, input.SerialNumber, input.TagKeys, () => mfa.mfaErrors.noSuchDevice(input.SerialNumber)),
  },
  ListMFADeviceTags: {
    action: 'iam:ListMFADeviceTags',
    resource: onMfaDevice,
    handler: async (domain, _caller, input) => tagPage((await mfa.requireDevice(domain, input.SerialNumber)).tags, input),
  },
};

export const ACCOUNT_ALIAS_OPERATIONS: OperationTable = {
  CreateAccountAlias: {
    action: 'iam:CreateAccountAlias',
    resource: onAccount,
    patternMessages: { AccountAlias: alias.invalidAlias },
    handler: async (domain, _caller, input) => alias.createAccountAlias(domain, input.AccountAlias),
  },
  DeleteAccountAlias: {
    action: 'iam:DeleteAccountAlias',
    resource: onAccount,
    patternMessages: { AccountAlias: alias.invalidAlias },
    handler: async (domain, _caller, input) => alias.deleteAccountAlias(domain, input.AccountAlias),
  },
  ListAccountAliases: {
    action: 'iam:ListAccountAliases',
    resource: onAccount,
    handler: async (domain, _caller, input) => {
      const page = paginate(await alias.listAccountAliases(domain), input);
      return { AccountAliases: page.items, IsTruncated: page.isTruncated, Marker: page.marker };
    },
  },
};
