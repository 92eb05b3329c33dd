import { generate } from 'lean-qr';
import { toPngBuffer } from 'lean-qr/extras/node_export';
import type { Caller, MfaDevice, Tag, User } from './entities.js';
import { type Domain, requireUser, targetUserName } from './context.js';
import { errors, IamError } from './errors.js';
import { mfaArn } from './arn.js';
import { checkNewTags } from './tags.js';
import { decodeMarker, encodeMarker } from './paging.js';
import { delaySchedule } from './console-sign-in.js';
import { accountAlias } from './account-alias.js';
import { mfaUserThrottleKey } from './throttle-keys.js';
import { base32Decode, findCode, findConsecutive, newSeed, timeStep } from './totp.js';
import type { AcceptedSteps, ListPage, MfaAssignment } from '../ports/store.js';

/**
 * Virtual MFA devices: created with a random seed (handed out once, then kept sealed), enabled
 * for a user with two consecutive codes, resynchronised, deactivated, deleted.
 *
 * Codes: RFC 6238, as authenticator apps show them (totp.ts). Enable and resync look for the two
 * codes within SYNC_WINDOW_STEPS of our clock, as AWS accepts codes generated a while before the
 * call ("the MFA device successfully associates with the user but ... becomes out of sync"), and
 * record how far the device's clock is off. A code is good once: the store keeps the last step a
 * code was accepted at and refuses codes at or before it, in the same transaction. Wrong codes are
 * throttled per device as passwords are at sign-in: booked before any checking, cleared by success.
 * Wrong single codes (the console's second step, GetSessionToken, AssumeRole) are also counted per
 * user, across devices and paths, up to a lock-out (MFA_LOCK_AFTER) that only a right code before
 * it, or an administrator's Enable, Resync or Deactivate of one of the user's devices, clears.
 */

/** AWS allows up to 8 MFA devices per user. */
export const MAX_MFA_DEVICES_PER_USER = 8;
/** Enable and resync look this many 30-second steps either side of now (±5 minutes). */
export const SYNC_WINDOW_STEPS = 10;
/** One code (a sign-in's second step) is looked for this many steps either side of the device's clock. */
export const CODE_WINDOW_STEPS = 1;
/** Wrong codes per device before delays begin (then 30 s, doubling, up to 15 minutes). */
export const FREE_CODE_ATTEMPTS = 5;
const MAX_CODE_DELAY_MS = 15 * 60_000;
/**
 * Consecutive wrong single codes per user after which every code of the user's is refused, the
 * right one too, until an administrator enables, resynchronises or deactivates one of the user's
 * devices (NIST SP 800-63B 5.2.2: at most 100 consecutive failures per account). A right password
 * does not clear this count: the user's sign-in count is a different one.
 */
export const MFA_LOCK_AFTER = 100;
const lockOnly = (failures: number): number | null => (failures >= MFA_LOCK_AFTER ? null : 0);

// AWS's messages (LocalStack's AWS-validated snapshots, unless said otherwise).
export const mfaErrors = {
  noSuchDevice: (serialNumber: string) => new IamError('NoSuchEntity', `MFA Device with serial number ${serialNumber} does not exist.`),
  deviceExists: () => new IamError('EntityAlreadyExists', 'MFA device already exists.'),
  inUse: () => new IamError('EntityAlreadyExists', 'MFA Device is already in use.'),
  /** Not recorded by a snapshot: AWS's wording as reported by users (and kept by AWS-compatible services). */
  invalidCode: () => new IamError('InvalidAuthenticationCode', 'Authentication code for device is not valid.'),
  /** A device that exists but is not this user's (wording of AWS-compatible services; not recorded from AWS). */
  notUsersDevice: () => new IamError('NoSuchEntity', 'MFA Device invalid for user.'),
  /** Not recorded from AWS; in the form of AWS's other DeleteConflict messages. */
  stillAssigned: () => new IamError('DeleteConflict', 'Cannot delete entity, must deactivate MFA device first.'),
  /** AWS's quota message form (AccessKeysPerUser's), for its documented 8 devices per user. */
  perUserQuota: () => new IamError('LimitExceeded', `Cannot exceed quota for MFADevicesPerUser: ${MAX_MFA_DEVICES_PER_USER}`),
  /** iamd's own: AWS documents no answer for repeated wrong codes. */
  tooManyCodes: (serialNumber: string, retryAfterSeconds: number) =>
    new IamError('LimitExceeded', `Too many invalid authentication codes for MFA device ${serialNumber}. Try again in ${retryAfterSeconds} seconds.`),
  /** The path rule AWS states for CreateVirtualMFADevice instead of the model's pattern (recorded). */
  invalidPath: () =>
    new IamError(
      'ValidationError',
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
    ),
};

/** What CreateVirtualMFADevice hands out, once: the device, its seed (base32) and the QR code of its otpauth:// URI. */
export interface NewMfaDevice {
  device: MfaDevice;
  seed: string;
  qrCodePng: Buffer;
}

/**
 * The otpauth:// URI the QR code holds, in the form AWS documents:
 * otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String, where AccountName is the
 * account's alias if it has one, its id otherwise.
 */
export const otpauthUri = (deviceName: string, accountName: string, seed: string): string =>
  `otpauth://totp/${encodeURIComponent(deviceName)}@${encodeURIComponent(accountName)}?secret=${seed}`;

/** The QR code as a PNG: black on white, 4 pixels a module, the standard 4-module quiet zone. */
export const qrCodePng = (text: string): Buffer =>
  Buffer.from(toPngBuffer(generate(text), { on: [0, 0, 0, 255], off: [255, 255, 255, 255], scale: 4, pad: 4 }));

const MAX_VIRTUAL_MFA_DEVICE_NAME = 226;

export async function createVirtualMfaDevice(
  domain: Domain,
  input: { VirtualMFADeviceName: string; Path?: string; Tags?: Tag[] },
): Promise<NewMfaDevice> {
  // The model sets no maximum, but AWS's API reference long gave 226: the longest name whose
  // serial number (arn:aws:iam::<account>:mfa/<name>, 30 + 226 characters) fits serialNumberType's
  // 256. Past it the otpauth URI outgrows a QR code (that was a 500). The message is in the
  // model's form; AWS's own answer is not recorded (a guess).
  if (input.VirtualMFADeviceName.length > MAX_VIRTUAL_MFA_DEVICE_NAME) {
    throw new IamError(
      'ValidationError',
      `1 validation error detected: Value at 'virtualMFADeviceName' failed to satisfy constraint: Member must have length less than or equal to ${MAX_VIRTUAL_MFA_DEVICE_NAME}`,
    );
  }
  const tags = checkNewTags(input.Tags, 'MFADevice');
  const path = input.Path ?? '/';
  const seed = newSeed();
  const device: MfaDevice = {
    id: domain.ids.uniqueId('AMFA'),
    serialNumber: mfaArn(domain.accountId, path, input.VirtualMFADeviceName),
    name: input.VirtualMFADeviceName,
    path,
    createdAt: domain.clock.now(),
    // Sealed before the store sees it; the clear seed exists only in this answer.
    sealedSeed: domain.sealer.seal(seed),
    userId: null,
    enabledAt: null,
    lastStep: null,
    drift: 0,
    tags,
  };
  if (!(await domain.store.mfaDevices.create(device))) throw mfaErrors.deviceExists();
  const accountName = (await accountAlias(domain)) ?? domain.accountId;
  return { device, seed, qrCodePng: qrCodePng(otpauthUri(device.name, accountName, seed)) };
}

export async function requireDevice(domain: Domain, serialNumber: string): Promise<MfaDevice> {
  const device = await domain.store.mfaDevices.get(serialNumber);
  if (!device) throw mfaErrors.noSuchDevice(serialNumber);
  return device;
}

const throttleKey = (device: MfaDevice) => `mfa-code:${device.id}`;

/**
 * Books the attempt against the device's throttle (before any code is checked, so parallel
 * guesses cannot race past it), then finds the two codes near our clock. Throws AWS's
 * InvalidAuthenticationCode when they are not two consecutive codes of this device.
 */
async function checkConsecutiveCodes(domain: Domain, device: MfaDevice, code1: string, code2: string): Promise<AcceptedSteps> {
  const now = domain.clock.now();
  const booking = await domain.store.signInThrottle.book(throttleKey(device), now, delaySchedule(FREE_CODE_ATTEMPTS, MAX_CODE_DELAY_MS));
  if (!booking.allowed) {
    // No lock-out schedule is used here, so retryAt is always a time.
    const retryAfter = Math.max(1, Math.ceil(((booking.retryAt?.getTime() ?? now.getTime()) - now.getTime()) / 1000));
    throw mfaErrors.tooManyCodes(device.serialNumber, retryAfter);
  }
  const key = base32Decode(domain.sealer.unseal(device.sealedSeed));
  const center = timeStep(now);
  const step = findConsecutive(key, code1, code2, center, SYNC_WINDOW_STEPS);
  if (step === undefined) throw mfaErrors.invalidCode();
  return { firstStep: step - 1, lastStep: step, drift: step - center };
}

export async function enableMfaDevice(
  domain: Domain,
  input: { UserName: string; SerialNumber: string; AuthenticationCode1: string; AuthenticationCode2: string },
): Promise<void> {
  // AWS's order (recorded): the user first, then the device.
  const user = await requireUser(domain, input.UserName);
  const device = await requireDevice(domain, input.SerialNumber);
  if (device.userId !== null) throw mfaErrors.inUse();
  const accepted = await checkConsecutiveCodes(domain, device, input.AuthenticationCode1, input.AuthenticationCode2);
  const result = await domain.store.mfaDevices.enable(device.serialNumber, user.id, accepted, domain.clock.now(), MAX_MFA_DEVICES_PER_USER);
  if (result === 'missing') throw mfaErrors.noSuchDevice(input.SerialNumber);
  if (result === 'in-use') throw mfaErrors.inUse();
  if (result === 'no-user') throw errors.noSuchUser(input.UserName);
  // Codes that were accepted before (a replay) are as good as wrong ones.
  if (result === 'replayed') throw mfaErrors.invalidCode();
  if (result === 'limit') throw mfaErrors.perUserQuota();
  await domain.store.signInThrottle.clear(throttleKey(device));
  // A device enabled for the user (an administrator's act, or the user's with two codes of it)
  // lifts an MFA lock-out, as a new password lifts the sign-in one.
  await domain.store.signInThrottle.clear(mfaUserThrottleKey(user.id));
}

export async function resyncMfaDevice(
  domain: Domain,
  input: { UserName: string; SerialNumber: string; AuthenticationCode1: string; AuthenticationCode2: string },
): Promise<void> {
  const user = await requireUser(domain, input.UserName);
  const device = await requireDevice(domain, input.SerialNumber);
  if (device.userId !== user.id) throw mfaErrors.notUsersDevice();
  const accepted = await checkConsecutiveCodes(domain, device, input.AuthenticationCode1, input.AuthenticationCode2);
  const result = await domain.store.mfaDevices.acceptCodes(device.serialNumber, user.id, accepted);
  if (result === 'missing') throw mfaErrors.noSuchDevice(input.SerialNumber);
  if (result === 'not-assigned') throw mfaErrors.notUsersDevice();
  if (result === 'replayed') throw mfaErrors.invalidCode();
  await domain.store.signInThrottle.clear(throttleKey(device));
  // Two consecutive codes prove the device is at hand: a resync lifts an MFA lock-out. It is not
  // refused by the lock-out itself (only by the device's delays), or nothing but a deactivation
  // could lift it.
  await domain.store.signInThrottle.clear(mfaUserThrottleKey(user.id));
}

/** How one code fared: accepted, wrong (or replayed, or delayed), or refused unchecked for the user's lock-out. */
export type MfaCodeCheck = 'accepted' | 'wrong' | 'locked';

/**
 * One code of a device enabled for the user, accepted once (for the console's second step,
 * GetSessionToken and AssumeRole): looked for around the device's clock as last measured,
 * throttled per device as above, and counted per user towards MFA_LOCK_AFTER. Both counts are
 * booked before the code is checked, so parallel guesses cannot race past either.
 */
export async function checkMfaCode(domain: Domain, user: User, serialNumber: string, code: string): Promise<MfaCodeCheck> {
  const device = await domain.store.mfaDevices.get(serialNumber);
  if (!device || device.userId !== user.id) return 'wrong';
  const now = domain.clock.now();
  const { signInThrottle } = domain.store;
  const userKey = mfaUserThrottleKey(user.id);
  if (!(await signInThrottle.book(userKey, now, lockOnly)).allowed) return 'locked';
  const booking = await signInThrottle.book(throttleKey(device), now, delaySchedule(FREE_CODE_ATTEMPTS, MAX_CODE_DELAY_MS));
  if (!booking.allowed) {
    // Not a guess: the code is not looked at while the device waits.
    await signInThrottle.release(userKey);
    return 'wrong';
  }
  const center = timeStep(now) + device.drift;
  const step = findCode(base32Decode(domain.sealer.unseal(device.sealedSeed)), code, center, CODE_WINDOW_STEPS);
  if (step === undefined) return 'wrong';
  const drift = step - timeStep(now);
  if ((await domain.store.mfaDevices.acceptCodes(device.serialNumber, user.id, { firstStep: step, lastStep: step, drift })) !== 'ok') return 'wrong';
  await signInThrottle.clear(throttleKey(device));
  await signInThrottle.clear(userKey);
  return 'accepted';
}

/**
 * Without UserName the root user names its own devices; the root user of iamd has none (it signs
 * in with keys only), so whatever device it names is not its own.
 */
async function refuseRootDevice(domain: Domain, serialNumber: string): Promise<never> {
  await requireDevice(domain, serialNumber);
  throw mfaErrors.notUsersDevice();
}

export async function deactivateMfaDevice(domain: Domain, caller: Caller, input: { UserName?: string; SerialNumber: string }): Promise<void> {
  if (input.UserName === undefined && caller.kind === 'root') return refuseRootDevice(domain, input.SerialNumber);
  const user = await requireUser(domain, targetUserName(caller, input.UserName));
  // The store ends every console session of the user in the same transaction: a session that
  // signed in with this device (lost or stolen, usually, when it is deactivated) must not keep
  // aws:MultiFactorAuthPresent, as a password change ends every session of the user.
  const result = await domain.store.mfaDevices.deactivate(input.SerialNumber, user.id);
  if (result === 'missing') throw mfaErrors.noSuchDevice(input.SerialNumber);
  if (result === 'not-assigned') throw mfaErrors.notUsersDevice();
  // An administrator who deactivates a device has dealt with it: an MFA lock-out of the user ends.
  await domain.store.signInThrottle.clear(mfaUserThrottleKey(user.id));
}

export async function deleteVirtualMfaDevice(domain: Domain, serialNumber: string): Promise<void> {
  const result = await domain.store.mfaDevices.delete(serialNumber);
  if (result === 'missing') throw mfaErrors.noSuchDevice(serialNumber);
  if (result === 'assigned') throw mfaErrors.stillAssigned();
}

// Markers of ListVirtualMFADevices: a position (the last serial number served) behind a tag of its
// own, so that a marker that is not one of ours is refused ("Invalid Marker.", as AWS answers)
// rather than read as a position. The model caps a marker at 320 characters, and base64 of a whole
// 256-character serial number (the longest name, 226) is 347: a page that ended on such a device
// gave a marker the next call refused with ValidationError. So the position leaves out the
// account's ARN prefix (arn:aws:iam::<account>:mfa, 29 characters) that every serial number here
// starts with: what is left starts with the path's '/', at most 227 characters, 308 in the marker.
// A position that starts with 'arn:' is a whole serial number (markers given before this).
const MARKER_TAG = 'mfa:';
const invalidMarker = () => new IamError('ValidationError', 'Invalid Marker.');

const serialPrefix = (domain: Domain) => mfaArn(domain.accountId, '', '');

function markerOf(domain: Domain, serialNumber: string): string {
  const prefix = serialPrefix(domain);
  return encodeMarker(MARKER_TAG + (serialNumber.startsWith(prefix) ? serialNumber.slice(prefix.length) : serialNumber));
}

function positionOf(domain: Domain, marker: string): string {
  const decoded = decodeMarker(marker);
  if (!decoded.startsWith(MARKER_TAG) || encodeMarker(decoded) !== marker) throw invalidMarker();
  const position = decoded.slice(MARKER_TAG.length);
  return position.startsWith('/') ? serialPrefix(domain) + position : position;
}

export async function listVirtualMfaDevices(
  domain: Domain,
  input: { AssignmentStatus?: MfaAssignment; Marker?: string; MaxItems?: number },
): Promise<ListPage<{ device: MfaDevice; user?: User }>> {
  const marker = input.Marker === undefined ? undefined : positionOf(domain, input.Marker);
  const page = await domain.store.mfaDevices.list({ assignment: input.AssignmentStatus ?? 'Any', marker, maxItems: input.MaxItems ?? 100 });
  return page.nextMarker === undefined ? page : { items: page.items, nextMarker: markerOf(domain, page.nextMarker) };
}

/** ListMFADevices: the named user's devices, or the caller's (the root user has none here). */
export async function listMfaDevices(domain: Domain, caller: Caller, userName: string | undefined): Promise<{ user?: User; devices: MfaDevice[] }> {
  if (userName === undefined && caller.kind === 'root') return { devices: [] };
  const user = await requireUser(domain, targetUserName(caller, userName));
  return { user, devices: await domain.store.mfaDevices.listForUser(user.id) };
}

/** GetMFADevice: a device enabled for the named user (or the caller). */
export async function getMfaDevice(domain: Domain, caller: Caller, input: { UserName?: string; SerialNumber: string }): Promise<{ user: User; device: MfaDevice }> {
  if (input.UserName === undefined && caller.kind === 'root') return refuseRootDevice(domain, input.SerialNumber);
  const user = await requireUser(domain, targetUserName(caller, input.UserName));
  const device = await requireDevice(domain, input.SerialNumber);
  if (device.userId !== user.id) throw mfaErrors.notUsersDevice();
  return { user, device };
}
