import { DeleteVirtualMFADeviceCommand, ListVirtualMFADevicesCommand, type Tag, type VirtualMFADevice as VirtualMfaDeviceData } from '@aws-sdk/client-iam';
import { IamClientError } from './errors.js';
import type { IAM } from './iam.js';
import { Resource } from './resource.js';
import type { User } from './user.js';

/**
 * A virtual MFA device, identified by its serial number (its ARN): `iam.VirtualMfaDevice(serial)`.
 * IAM has no call that reads one device, so `load()` searches `ListVirtualMFADevices`. The seed
 * and QR code are on the device `iam.createVirtualMfaDevice()` returns, and nowhere after.
 *
 * @example
 * ```ts
 * const device = await iam.createVirtualMfaDevice({ VirtualMFADeviceName: 'alice-phone' });
 * const seed = Buffer.from(device.base32StringSeed!).toString(); // for the authenticator app, once
 * ```
 */
export class VirtualMfaDevice extends Resource<VirtualMfaDeviceData> {
  /** The device's serial number, `arn:aws:iam::ACCOUNT:mfa/NAME` (its identifier). */
  readonly serialNumber: string;

  /** Use `iam.VirtualMfaDevice(serialNumber)`. */
  constructor(iam: IAM, serialNumber: string) {
    super(iam);
    this.serialNumber = serialNumber;
  }

  /** `VirtualMfaDevice("arn:…:mfa/alice-phone")`. */
  override toString(): string {
    return `VirtualMfaDevice(${JSON.stringify(this.serialNumber)})`;
  }

  protected override async fetch(): Promise<VirtualMfaDeviceData> {
    let Marker: string | undefined;
    for (;;) {
      const out = await this.iam.call('ListVirtualMFADevices', (c) => c.send(new ListVirtualMFADevicesCommand({ Marker })));
      const found = out.VirtualMFADevices?.find((d) => d.SerialNumber === this.serialNumber);
      if (found) return found;
      if (!out.IsTruncated || !out.Marker) {
        // Made by this library (IAM has no call that reads one device), in the words IAM uses for a missing device.
        throw new IamClientError('NoSuchEntity', `MFA Device with serial number ${this.serialNumber} does not exist.`, {
          status: 404,
          requestId: out.$metadata.requestId,
          operation: 'ListVirtualMFADevices',
        });
      }
      Marker = out.Marker;
    }
  }

  /** The seed, base32 text as bytes: only on the device `createVirtualMfaDevice()` returned. */
  get base32StringSeed(): Uint8Array | undefined {
    return this.data?.Base32StringSeed;
  }
  /** The seed as a QR code (PNG bytes): only on the device `createVirtualMfaDevice()` returned. */
  get qrCodePNG(): Uint8Array | undefined {
    return this.data?.QRCodePNG;
  }
  /** When the device was assigned to its user, if it is. */
  get enableDate(): Date | undefined {
    return this.attribute('EnableDate', 'enableDate');
  }
  /** The device's tags, if any. */
  get tags(): Tag[] | undefined {
    return this.attribute('Tags', 'tags');
  }
  /** The user the device is assigned to (a reference from the loaded data), or `undefined` when unassigned. */
  get user(): User | undefined {
    const user = this.attribute('User', 'user');
    return user?.UserName === undefined ? undefined : this.iam.User(user.UserName);
  }

  /** Deletes the device (`DeleteVirtualMFADevice`); `DeleteConflict` while it is assigned. */
  async delete(): Promise<void> {
    await this.iam.call('DeleteVirtualMFADevice', (c) => c.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: this.serialNumber })));
  }
}
