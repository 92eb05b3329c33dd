import {
  DeactivateMFADeviceCommand,
  EnableMFADeviceCommand,
  ListMFADevicesCommand,
  ResyncMFADeviceCommand,
  type MFADevice as MfaDeviceData,
} from '@aws-sdk/client-iam';
import { IamClientError } from './errors.js';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { User } from './user.js';

/** Two consecutive codes of the device, as `EnableMFADevice` and `ResyncMFADevice` take them. */
export interface MfaCodes {
  AuthenticationCode1: string;
  AuthenticationCode2: string;
}

/**
 * An MFA device as assigned to a user, identified by the user's name and the device's serial
 * number (a virtual device's ARN): `iam.MfaDevice('alice', serial)` or `user.MfaDevice(serial)`.
 * IAM has no call that reads one device, so `load()` searches the user's `ListMFADevices`.
 *
 * @example
 * ```ts
 * const device = await iam.createVirtualMfaDevice({ VirtualMFADeviceName: 'alice-phone' });
 * const mfa = await iam.User('alice').enableMfa({ SerialNumber: device.serialNumber, AuthenticationCode1, AuthenticationCode2 });
 * await mfa.disassociate();
 * ```
 */
export class MfaDevice extends Resource<MfaDeviceData> {
  /** The user the device is assigned to. */
  readonly userName: string;
  /** The device's serial number (a virtual device's ARN). */
  readonly serialNumber: string;

  /** Use `iam.MfaDevice(userName, serialNumber)` or `user.MfaDevice(serialNumber)`. */
  constructor(iam: IAM, userName: string, serialNumber: string) {
    super(iam);
    this.userName = userName;
    this.serialNumber = serialNumber;
  }

  /** `MfaDevice("alice", "arn:…:mfa/alice-phone")`. */
  override toString(): string {
    return `MfaDevice(${JSON.stringify(this.userName)}, ${JSON.stringify(this.serialNumber)})`;
  }

  protected override async fetch(): Promise<MfaDeviceData> {
    let Marker: string | undefined;
    for (;;) {
      const out = await this.iam.call('ListMFADevices', (c) => c.send(new ListMFADevicesCommand({ UserName: this.userName, Marker })));
      const found = out.MFADevices?.find((d) => d.SerialNumber === this.serialNumber);
      if (found) return found;
      if (!out.IsTruncated || !out.Marker) {
        // Made by this library (IAM has no call that reads one device), in the words IAM uses for a missing device.
        throw new IamClientError('NoSuchEntity', `MFA Device with serial number ${this.serialNumber} does not exist.`, {
          status: 404,
          requestId: out.$metadata.requestId,
          operation: 'ListMFADevices',
        });
      }
      Marker = out.Marker;
    }
  }

  /** When the device was enabled for the user. */
  get enableDate(): Date {
    return this.attribute('EnableDate', 'enableDate')!;
  }

  /** The user (a reference: not loaded). */
  get user(): User {
    return this.iam.User(this.userName);
  }

  /** Assigns the device to the user (`EnableMFADevice`) with two consecutive codes. */
  async associate(codes: MfaCodes): Promise<void> {
    await this.iam.call('EnableMFADevice', (c) => c.send(new EnableMFADeviceCommand({ ...codes, UserName: this.userName, SerialNumber: this.serialNumber })));
  }

  /** Takes the device from the user (`DeactivateMFADevice`); a virtual device stays, unassigned. */
  async disassociate(): Promise<void> {
    await this.iam.call('DeactivateMFADevice', (c) => c.send(new DeactivateMFADeviceCommand({ UserName: this.userName, SerialNumber: this.serialNumber })));
  }

  /** Re-synchronizes the device with IAM (`ResyncMFADevice`) with two consecutive codes. */
  async resync(codes: MfaCodes): Promise<void> {
    await this.iam.call('ResyncMFADevice', (c) => c.send(new ResyncMFADeviceCommand({ ...codes, UserName: this.userName, SerialNumber: this.serialNumber })));
  }
}
