/**
 * Virtual MFA devices and the account alias through the AWS SDK, against a real server: every
 * operation and error, with codes the test computes from the seed the server returned, as an
 * authenticator app would. Members and messages are AWS's as LocalStack's AWS-validated snapshots
 * record them, where they do (README: Error codes, and the design notes, say which are not).
 */
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  DeleteAccountAliasCommand,
  DeleteUserCommand,
  DeleteVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetMFADeviceCommand,
  IAMClient,
  ListAccountAliasesCommand,
  ListMFADevicesCommand,
  ListMFADeviceTagsCommand,
  ListVirtualMFADevicesCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
  TagMFADeviceCommand,
  UntagMFADeviceCommand,
  type VirtualMFADevice,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, iamClient, ROOT, startServer, uniqueName, type TestServer } from './support/server.js';
import { signedQuery } from './support/signed-http.js';
import { jsonLines, tempDir } from './support/hardening.js';
import { awayFromStepEdge, codeAt, readQrPng, stepNow, twoCodes, wrongCode } from './support/totp.js';

let server: TestServer;
let iam: IAMClient;
let auditFile: string;

beforeAll(async () => {
  auditFile = path.join(tempDir('mfa-audit'), 'audit.log');
  server = await startServer({ env: { IAMD_AUDIT_LOG: auditFile } });
  iam = iamClient(server.url);
});
afterAll(async () => {
  await server?.stop();
});

const serialOf = (name: string, p = '/') => `arn:aws:iam::${ACCOUNT_ID}:mfa${p}${name}`;
const seedOf = (d: VirtualMFADevice) => new TextDecoder().decode(d.Base32StringSeed);

async function newDevice(name = uniqueName('mfa'), extra: { Path?: string; Tags?: { Key: string; Value: string }[] } = {}) {
  const { VirtualMFADevice: d } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, ...extra }));
  return { name, serial: d!.SerialNumber!, seed: seedOf(d!), device: d! };
}

async function newUser(name = uniqueName('mfa-user'), p = '/') {
  const { User } = await iam.send(new CreateUserCommand({ UserName: name, Path: p }));
  return User!;
}

const enable = (UserName: string, SerialNumber: string, codes: { AuthenticationCode1: string; AuthenticationCode2: string }) =>
  iam.send(new EnableMFADeviceCommand({ UserName, SerialNumber, ...codes }));

describe('CreateVirtualMFADevice', () => {
  it('takes a name of 226 characters (a serial number of 256) and refuses a longer one with ValidationError, not a failed QR code', async () => {
    const longest = 'n'.repeat(226);
    const { VirtualMFADevice: d } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: longest }));
    expect(d!.SerialNumber).toHaveLength(256);
    expect(await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'n'.repeat(100_000) })))).toEqual({
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'virtualMFADeviceName' failed to satisfy constraint: Member must have length less than or equal to 226",
      status: 400,
    });
  });

  it('returns the serial number (the ARN with the path), a 64-character base32 seed and a QR code of its otpauth:// URI', async () => {
    const name = uniqueName('phone');
    const { VirtualMFADevice: d, $metadata } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name, Path: '/team/' }));
    expect($metadata.httpStatusCode).toBe(200);
    expect(Object.keys(d!).sort()).toEqual(['Base32StringSeed', 'QRCodePNG', 'SerialNumber']);
    expect(d!.SerialNumber).toBe(`arn:aws:iam::${ACCOUNT_ID}:mfa/team/${name}`);
    const seed = seedOf(d!);
    expect(seed).toMatch(/^[A-Z2-7]{64}$/);
    expect(readQrPng(d!.QRCodePNG!)).toBe(`otpauth://totp/${name}@${ACCOUNT_ID}?secret=${seed}`);
    // Each device has its own seed.
    expect((await newDevice()).seed).not.toBe(seed);
  });

  it('takes AWS\'s recorded paths: none, /, /a/, even //', async () => {
    for (const [p, expected] of [
      [undefined, '/'],
      ['/', '/'],
      ['/test-path/', '/test-path/'],
      ['/test//double/', '/test//double/'],
    ] as const) {
      const name = uniqueName('path');
      const { serial } = await newDevice(name, p === undefined ? {} : { Path: p });
      expect(serial).toBe(serialOf(name, expected));
    }
  });

  it('refuses a serial number taken in any case, and paths or names AWS refuses, with AWS\'s messages', async () => {
    const name = uniqueName('dup');
    await newDevice(name);
    for (const again of [name, name.toUpperCase()]) {
      expect(await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: again })))).toEqual({
        code: 'EntityAlreadyExists',
        message: 'MFA device already exists.',
        status: 409,
      });
    }
    const pathRule =
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';
    for (const Path of ['invalid-path/', '/invalid-path']) {
      expect(await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('p'), Path })))).toEqual({
        code: 'ValidationError',
        message: pathRule,
        status: 400,
      });
    }
    expect(await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('p'), Path: `/${'a'.repeat(512)}/` })))).toEqual({
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512",
      status: 400,
    });
    expect(await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'has space' })))).toEqual({
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'virtualMFADeviceName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
      status: 400,
    });
  });

  it('keeps tags given at creation (echoed), refuses duplicate keys, and tags, untags and lists them after', async () => {
    const { serial, device } = await newDevice(uniqueName('tagged'), { Tags: [{ Key: 'owner', Value: 'alice' }] });
    expect(device.Tags).toEqual([{ Key: 'owner', Value: 'alice' }]);
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial }))).Tags).toEqual([{ Key: 'owner', Value: 'alice' }]);
    await iam.send(new TagMFADeviceCommand({ SerialNumber: serial, Tags: [{ Key: 'Owner', Value: 'bob' }, { Key: 'team', Value: 'x' }] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial.toUpperCase() }))).Tags).toEqual([
      { Key: 'Owner', Value: 'bob' },
      { Key: 'team', Value: 'x' },
    ]);
    const page = await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial, MaxItems: 1 }));
    expect(page).toMatchObject({ Tags: [{ Key: 'Owner', Value: 'bob' }], IsTruncated: true });
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial, Marker: page.Marker }))).Tags).toEqual([{ Key: 'team', Value: 'x' }]);
    await iam.send(new UntagMFADeviceCommand({ SerialNumber: serial, TagKeys: ['OWNER'] }));
    expect((await iam.send(new ListMFADeviceTagsCommand({ SerialNumber: serial }))).Tags).toEqual([{ Key: 'team', Value: 'x' }]);

    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await awsError(iam.send(new TagMFADeviceCommand({ SerialNumber: serial, Tags: many })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for TagsPerMFADevice: 50',
      status: 409,
    });
    expect(await awsError(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('t'), Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })))).toEqual({
      code: 'InvalidInput',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      status: 400,
    });
    const missing = serialOf('no-such-device');
    // One call at a time: sent all at once, a refusal that arrived while an earlier one was still
    // awaited had no handler yet, and vitest failed the run on that unhandled rejection.
    for (const call of [
      () => iam.send(new TagMFADeviceCommand({ SerialNumber: missing, Tags: [{ Key: 'a', Value: 'b' }] })),
      () => iam.send(new UntagMFADeviceCommand({ SerialNumber: missing, TagKeys: ['a'] })),
      () => iam.send(new ListMFADeviceTagsCommand({ SerialNumber: missing })),
    ]) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: `MFA Device with serial number ${missing} does not exist.`, status: 404 });
    }
  });
});

describe('enabling, resyncing, deactivating and deleting', () => {
  it('goes through the whole life of a device with codes computed from its seed', async () => {
    const user = await newUser();
    const { serial, seed } = await newDevice();
    expect((await iam.send(new ListMFADevicesCommand({ UserName: user.UserName }))).MFADevices).toEqual([]);

    const before = new Date(Math.floor(Date.now() / 1000) * 1000);
    const enabled = await enable(user.UserName!, serial, twoCodes(seed));
    expect(enabled.$metadata.httpStatusCode).toBe(200);

    const listed = await iam.send(new ListMFADevicesCommand({ UserName: user.UserName }));
    expect(listed).toMatchObject({ IsTruncated: false, MFADevices: [{ UserName: user.UserName, SerialNumber: serial }] });
    const enableDate = listed.MFADevices![0]!.EnableDate!;
    expect(enableDate.getTime()).toBeGreaterThanOrEqual(before.getTime());
    const got = await iam.send(new GetMFADeviceCommand({ UserName: user.UserName, SerialNumber: serial }));
    expect({ UserName: got.UserName, SerialNumber: got.SerialNumber, EnableDate: got.EnableDate }).toEqual({
      UserName: user.UserName,
      SerialNumber: serial,
      EnableDate: enableDate,
    });

    // Resync: two newer codes (the next two the app will show) are accepted; the same again is not.
    const next = twoCodes(seed, 2);
    await iam.send(new ResyncMFADeviceCommand({ UserName: user.UserName, SerialNumber: serial, ...next }));
    expect(await awsError(iam.send(new ResyncMFADeviceCommand({ UserName: user.UserName, SerialNumber: serial, ...next })))).toEqual({
      code: 'InvalidAuthenticationCode',
      message: 'Authentication code for device is not valid.',
      status: 403,
    });

    // Assigned, it cannot be deleted, nor its user.
    expect(await awsError(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete entity, must deactivate MFA device first.',
      status: 409,
    });
    expect(await awsError(iam.send(new DeleteUserCommand({ UserName: user.UserName })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete entity, must delete MFA device first.',
      status: 409,
    });

    await iam.send(new DeactivateMFADeviceCommand({ UserName: user.UserName, SerialNumber: serial }));
    expect((await iam.send(new ListMFADevicesCommand({ UserName: user.UserName }))).MFADevices).toEqual([]);
    await iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial }));
    await iam.send(new DeleteUserCommand({ UserName: user.UserName }));
    expect(await awsError(iam.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: serial })))).toEqual({
      code: 'NoSuchEntity',
      message: `MFA Device with serial number ${serial} does not exist.`,
      status: 404,
    });
  });

  it('accepts a code once: codes used to enable cannot enable again after a deactivation; newer ones can', async () => {
    // The pair used to enable and the step read below must be of one 30-second step (a CI run on
    // PostgreSQL crossed a step edge between them and was retried).
    await awayFromStepEdge();
    const user = await newUser();
    const { serial, seed } = await newDevice();
    const codes = twoCodes(seed);
    await enable(user.UserName!, serial, codes);
    await iam.send(new DeactivateMFADeviceCommand({ UserName: user.UserName, SerialNumber: serial }));
    expect(await awsError(enable(user.UserName!, serial, codes))).toEqual({
      code: 'InvalidAuthenticationCode',
      message: 'Authentication code for device is not valid.',
      status: 403,
    });
    // The second code of the pair is not good as the first of a new pair either.
    const step = stepNow();
    expect(await awsError(enable(user.UserName!, serial, { AuthenticationCode1: codeAt(seed, step), AuthenticationCode2: codeAt(seed, step + 1) }))).toMatchObject({
      code: 'InvalidAuthenticationCode',
    });
    await enable(user.UserName!, serial, twoCodes(seed, 3));
  });

  it('refuses wrong codes, codes in the wrong order, the same code twice, and codes far from now', async () => {
    const user = await newUser();
    const { serial, seed } = await newDevice();
    const step = stepNow();
    const invalid = { code: 'InvalidAuthenticationCode', message: 'Authentication code for device is not valid.', status: 403 };
    expect(await awsError(enable(user.UserName!, serial, { AuthenticationCode1: codeAt(seed, step - 1), AuthenticationCode2: wrongCode(seed) }))).toEqual(invalid);
    expect(await awsError(enable(user.UserName!, serial, { AuthenticationCode1: codeAt(seed, step), AuthenticationCode2: codeAt(seed, step - 1) }))).toEqual(invalid);
    expect(await awsError(enable(user.UserName!, serial, { AuthenticationCode1: codeAt(seed, step), AuthenticationCode2: codeAt(seed, step) }))).toEqual(invalid);
    expect(await awsError(enable(user.UserName!, serial, { AuthenticationCode1: codeAt(seed, step - 40), AuthenticationCode2: codeAt(seed, step - 39) }))).toEqual(invalid);
    // Another device's codes are wrong for this one.
    const other = await newDevice();
    expect(await awsError(enable(user.UserName!, serial, twoCodes(other.seed)))).toEqual(invalid);
    expect((await iam.send(new ListMFADevicesCommand({ UserName: user.UserName }))).MFADevices).toEqual([]);
    expect(await awsError(enable(user.UserName!, serial, { AuthenticationCode1: '12345', AuthenticationCode2: 'abcdef' }))).toEqual({
      code: 'ValidationError',
      // Listed in AWS's order of members (read-input.ts, javaHashBucket): authenticationCode2 first.
      message:
        "2 validation errors detected: Value at 'authenticationCode2' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]+; " +
        "Value at 'authenticationCode1' failed to satisfy constraint: Member must have length greater than or equal to 6",
      status: 400,
    });
    // Five wrong tries: this device now waits (see the throttle below). On a fresh one, codes from
    // a few minutes ago are still taken (AWS: the device is then out of sync, until resynced).
    const fresh = await newDevice();
    await enable(user.UserName!, fresh.serial, { AuthenticationCode1: codeAt(fresh.seed, step - 7), AuthenticationCode2: codeAt(fresh.seed, step - 6) });
  });

  it('answers AWS\'s errors for unknown users and devices, devices in use and devices of someone else', async () => {
    const [alice, bob] = [await newUser(), await newUser()];
    const { serial, seed } = await newDevice();
    const missingSerial = serialOf('nonexistent-mfa');
    const noUser = { code: 'NoSuchEntity', message: 'The user with name nonexistent-user cannot be found.', status: 404 };
    // The user is checked first (recorded), then the device.
    expect(await awsError(enable('nonexistent-user', serial, { AuthenticationCode1: '123456', AuthenticationCode2: '654321' }))).toEqual(noUser);
    expect(await awsError(iam.send(new DeactivateMFADeviceCommand({ UserName: 'nonexistent-user', SerialNumber: serial })))).toEqual(noUser);
    expect(await awsError(iam.send(new DeactivateMFADeviceCommand({ UserName: alice.UserName, SerialNumber: missingSerial })))).toEqual({
      code: 'NoSuchEntity',
      message: `MFA Device with serial number ${missingSerial} does not exist.`,
      status: 404,
    });
    expect(await awsError(enable(alice.UserName!, missingSerial, { AuthenticationCode1: '123456', AuthenticationCode2: '654321' }))).toEqual({
      code: 'NoSuchEntity',
      message: `MFA Device with serial number ${missingSerial} does not exist.`,
      status: 404,
    });

    await enable(alice.UserName!, serial, twoCodes(seed));
    expect(await awsError(enable(bob.UserName!, serial, twoCodes(seed, 2)))).toEqual({
      code: 'EntityAlreadyExists',
      message: 'MFA Device is already in use.',
      status: 409,
    });
    expect(await awsError(enable(alice.UserName!, serial, twoCodes(seed, 2)))).toMatchObject({ code: 'EntityAlreadyExists' });
    const notBobs = { code: 'NoSuchEntity', message: 'MFA Device invalid for user.', status: 404 };
    expect(await awsError(iam.send(new DeactivateMFADeviceCommand({ UserName: bob.UserName, SerialNumber: serial })))).toEqual(notBobs);
    expect(await awsError(iam.send(new ResyncMFADeviceCommand({ UserName: bob.UserName, SerialNumber: serial, ...twoCodes(seed, 2) })))).toEqual(notBobs);
    expect(await awsError(iam.send(new GetMFADeviceCommand({ UserName: bob.UserName, SerialNumber: serial })))).toEqual(notBobs);
    expect(await awsError(iam.send(new ResyncMFADeviceCommand({ UserName: alice.UserName, SerialNumber: serial, AuthenticationCode1: wrongCode(seed), AuthenticationCode2: wrongCode(seed) })))).toMatchObject({
      code: 'InvalidAuthenticationCode',
    });
    expect(await awsError(iam.send(new GetMFADeviceCommand({ UserName: alice.UserName, SerialNumber: missingSerial })))).toMatchObject({
      code: 'NoSuchEntity',
      message: `MFA Device with serial number ${missingSerial} does not exist.`,
    });
    expect(await awsError(iam.send(new ListMFADevicesCommand({ UserName: 'nonexistent-user' })))).toEqual(noUser);
    // Without UserName the root user names its own devices, and the root user of iamd has none
    // (it signs in with keys only).
    expect((await iam.send(new ListMFADevicesCommand({}))).MFADevices).toEqual([]);
    for (const call of [
      () => iam.send(new DeactivateMFADeviceCommand({ SerialNumber: serial })),
      () => iam.send(new GetMFADeviceCommand({ SerialNumber: serial })),
    ]) {
      expect(await awsError(call())).toEqual(notBobs);
    }
    expect(await awsError(iam.send(new GetMFADeviceCommand({ SerialNumber: missingSerial })))).toMatchObject({
      message: `MFA Device with serial number ${missingSerial} does not exist.`,
    });
  });

  it('allows up to 8 devices per user', async () => {
    const user = await newUser();
    for (let i = 0; i < 8; i++) {
      const d = await newDevice();
      await enable(user.UserName!, d.serial, twoCodes(d.seed));
    }
    const ninth = await newDevice();
    expect(await awsError(enable(user.UserName!, ninth.serial, twoCodes(ninth.seed)))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for MFADevicesPerUser: 8',
      status: 409,
    });
    const listed = await iam.send(new ListMFADevicesCommand({ UserName: user.UserName, MaxItems: 5 }));
    expect(listed.MFADevices).toHaveLength(5);
    expect(listed.IsTruncated).toBe(true);
    expect((await iam.send(new ListMFADevicesCommand({ UserName: user.UserName, Marker: listed.Marker }))).MFADevices).toHaveLength(3);
  });

  it('throttles wrong codes per device like passwords: after 5, even the right ones wait; a success clears the count', async () => {
    const user = await newUser();
    const { serial, seed } = await newDevice();
    const wrong = { AuthenticationCode1: wrongCode(seed), AuthenticationCode2: wrongCode(seed) };
    for (let i = 0; i < 5; i++) expect(await awsError(enable(user.UserName!, serial, wrong))).toMatchObject({ code: 'InvalidAuthenticationCode' });
    const throttled = await awsError(enable(user.UserName!, serial, twoCodes(seed)));
    expect(throttled.code).toBe('LimitExceeded');
    expect(throttled.status).toBe(409);
    expect(throttled.message).toMatch(new RegExp(`^Too many invalid authentication codes for MFA device ${serial}\\. Try again in (30|29|28) seconds\\.$`));
    // Another device is not held up.
    const other = await newDevice();
    await enable(user.UserName!, other.serial, twoCodes(other.seed));
    try {
      const moved = await fetch(`${server.url}/iamd-test/clock?offsetSeconds=31`, { method: 'POST' });
      expect(moved.status).toBe(200);
      await enable(user.UserName!, serial, twoCodes(seed));
      // Cleared: five wrong codes again before any wait.
      await iam.send(new DeactivateMFADeviceCommand({ UserName: user.UserName, SerialNumber: serial }));
      for (let i = 0; i < 5; i++) expect(await awsError(enable(user.UserName!, serial, wrong))).toMatchObject({ code: 'InvalidAuthenticationCode' });
    } finally {
      await fetch(`${server.url}/iamd-test/clock?offsetSeconds=0`, { method: 'POST' });
    }
  });
});

describe('ListVirtualMFADevices', () => {
  it('lists by assignment status (any by default), with the user and enable date of assigned devices, as AWS shows them', async () => {
    const user = await newUser(uniqueName('lister'), '/list/');
    const devices = [await newDevice(), await newDevice(), await newDevice()];
    await enable(user.UserName!, devices[1]!.serial, twoCodes(devices[1]!.seed));
    const ours = (list: VirtualMFADevice[] | undefined) => (list ?? []).filter((d) => devices.some((x) => x.serial === d.SerialNumber));

    const any = await iam.send(new ListVirtualMFADevicesCommand({}));
    expect(any.IsTruncated).toBe(false);
    expect(ours(any.VirtualMFADevices).map((d) => d.SerialNumber)).toEqual(devices.map((d) => d.serial).sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    expect(ours((await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Any' }))).VirtualMFADevices)).toHaveLength(3);

    const unassigned = ours((await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Unassigned' }))).VirtualMFADevices);
    expect(unassigned).toEqual(
      [devices[0]!, devices[2]!].map((d) => ({ SerialNumber: d.serial })).sort((a, b) => (a.SerialNumber.toLowerCase() < b.SerialNumber.toLowerCase() ? -1 : 1)),
    );
    const assigned = ours((await iam.send(new ListVirtualMFADevicesCommand({ AssignmentStatus: 'Assigned' }))).VirtualMFADevices);
    expect(assigned).toEqual([
      {
        SerialNumber: devices[1]!.serial,
        EnableDate: expect.any(Date),
        User: { Path: '/list/', UserName: user.UserName, UserId: user.UserId, Arn: user.Arn, CreateDate: user.CreateDate },
      },
    ]);
  });

  it('pages with MaxItems and Marker, and refuses a marker it did not give', async () => {
    for (let i = 0; i < 3; i++) await newDevice();
    // A page that ends on a serial number of the longest name (256 characters) once gave a marker
    // of 347 characters, which the next call refused (the model's limit is 320). With MaxItems 1
    // every device ends a page, whatever other tests created before (a CI retry of an earlier test
    // moved this device to a page end with MaxItems 2 and failed this test).
    const longest = await newDevice(uniqueName('longest').padEnd(226, 'x'));
    expect(longest.serial).toHaveLength(256);
    const all = (await iam.send(new ListVirtualMFADevicesCommand({ MaxItems: 1000 }))).VirtualMFADevices!.map((d) => d.SerialNumber);
    expect(all).toContain(longest.serial);
    for (const MaxItems of [1, 2]) {
      const seen: string[] = [];
      let marker: string | undefined;
      do {
        const page = await iam.send(new ListVirtualMFADevicesCommand({ MaxItems, Marker: marker }));
        expect(page.VirtualMFADevices!.length).toBeLessThanOrEqual(MaxItems);
        expect(page.IsTruncated).toBe(page.Marker !== undefined);
        if (page.Marker !== undefined) expect(page.Marker.length).toBeLessThanOrEqual(320);
        seen.push(...page.VirtualMFADevices!.map((d) => d.SerialNumber!));
        marker = page.Marker;
      } while (marker !== undefined);
      expect(seen).toEqual(all);
    }
    // A marker of the earlier form (the whole serial number) is still taken.
    const earlierForm = Buffer.from(`mfa:${all[0]}`).toString('base64url');
    expect((await iam.send(new ListVirtualMFADevicesCommand({ Marker: earlierForm, MaxItems: 1000 }))).VirtualMFADevices!.map((d) => d.SerialNumber)).toEqual(all.slice(1));
    expect(await awsError(iam.send(new ListVirtualMFADevicesCommand({ Marker: 'invalid-marker-value' })))).toEqual({
      code: 'ValidationError',
      message: 'Invalid Marker.',
      status: 400,
    });
  });
});

describe('reports', () => {
  it('GetAccountSummary counts devices and devices in use; the credential report shows mfa_active', async () => {
    const summary = async () => (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    const before = await summary();
    const user = await newUser();
    const plain = await newUser();
    const { serial, seed } = await newDevice();
    await newDevice();
    await enable(user.UserName!, serial, twoCodes(seed));
    const after = await summary();
    expect({ devices: after.MFADevices! - before.MFADevices!, inUse: after.MFADevicesInUse! - before.MFADevicesInUse! }).toEqual({ devices: 2, inUse: 1 });
    expect(after.AccountMFAEnabled).toBe(0);

    await iam.send(new GenerateCredentialReportCommand({}));
    const csv = new TextDecoder().decode((await iam.send(new GetCredentialReportCommand({}))).Content).split('\n');
    const columns = csv[0]!.split(',');
    const mfaActive = (name: string) => csv.find((l) => l.startsWith(`${name},`))!.split(',')[columns.indexOf('mfa_active')];
    expect(mfaActive(user.UserName!)).toBe('true');
    expect(mfaActive(plain.UserName!)).toBe('false');
    expect(mfaActive('<root_account>')).toBe('false');
  });
});

describe('authorization', () => {
  it('checks the device ARN for creating and deleting a device, the user ARN for enabling, as AWS\'s self-manage policy expects', async () => {
    const name = uniqueName('self');
    const user = await newUser(name);
    // The MFA part of AWS's documented "manage your own MFA" policy.
    await iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'self-manage-mfa',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*' },
            { Effect: 'Allow', Action: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'], Resource: 'arn:aws:iam::*:mfa/${aws:username}' },
            {
              Effect: 'Allow',
              Action: ['iam:EnableMFADevice', 'iam:GetMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
              Resource: 'arn:aws:iam::*:user/${aws:username}',
            },
            {
              Effect: 'Allow',
              Action: 'iam:DeactivateMFADevice',
              Resource: 'arn:aws:iam::*:user/${aws:username}',
              Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
            },
          ],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const me = iamClient(server.url, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    const denied = (action: string, resource: string) => ({
      code: 'AccessDenied',
      message: `User: ${user.Arn} is not authorized to perform: iam:${action} on resource: ${resource} because no identity-based policy allows the iam:${action} action`,
      status: 403,
    });

    expect(await awsError(me.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: `${name}-other` })))).toEqual(
      denied('CreateVirtualMFADevice', serialOf(`${name}-other`)),
    );
    const { VirtualMFADevice } = await me.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
    const seed = seedOf(VirtualMFADevice!);
    const other = await newUser();
    expect(await awsError(me.send(new EnableMFADeviceCommand({ UserName: other.UserName, SerialNumber: VirtualMFADevice!.SerialNumber, ...twoCodes(seed) })))).toEqual(
      denied('EnableMFADevice', `user ${other.UserName}`),
    );
    await me.send(new EnableMFADeviceCommand({ UserName: name, SerialNumber: VirtualMFADevice!.SerialNumber, ...twoCodes(seed) }));
    // ListMFADevices and GetMFADevice default to the caller.
    expect((await me.send(new ListMFADevicesCommand({}))).MFADevices!.map((d) => d.SerialNumber)).toEqual([VirtualMFADevice!.SerialNumber]);
    expect((await me.send(new GetMFADeviceCommand({ SerialNumber: VirtualMFADevice!.SerialNumber }))).UserName).toBe(name);
    // Deactivating needs an MFA session (the policy's condition), which a plain key is not.
    expect(await awsError(me.send(new DeactivateMFADeviceCommand({ SerialNumber: VirtualMFADevice!.SerialNumber })))).toEqual(
      denied('DeactivateMFADevice', `user ${name}`),
    );
    expect(await awsError(me.send(new TagMFADeviceCommand({ SerialNumber: VirtualMFADevice!.SerialNumber, Tags: [{ Key: 'a', Value: 'b' }] })))).toEqual(
      denied('TagMFADevice', VirtualMFADevice!.SerialNumber!),
    );
    expect(await awsError(me.send(new CreateAccountAliasCommand({ AccountAlias: 'not-allowed' })))).toEqual(denied('CreateAccountAlias', '*'));
  });

  it('conditions on the device\'s tags (aws:ResourceTag) and the tags asked for (aws:RequestTag)', async () => {
    const name = uniqueName('tagcond');
    await newUser(name);
    await iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'tags',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'iam:CreateVirtualMFADevice', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
            { Effect: 'Allow', Action: 'iam:DeleteVirtualMFADevice', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'blue' } } },
          ],
        }),
      }),
    );
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const me = iamClient(server.url, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    expect(await awsError(me.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('red'), Tags: [{ Key: 'team', Value: 'red' }] })))).toMatchObject({
      code: 'AccessDenied',
    });
    const blue = await me.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('blue'), Tags: [{ Key: 'team', Value: 'blue' }] }));
    const untagged = await newDevice();
    expect(await awsError(me.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: untagged.serial })))).toMatchObject({ code: 'AccessDenied' });
    await me.send(new DeleteVirtualMFADeviceCommand({ SerialNumber: blue.VirtualMFADevice!.SerialNumber }));
    // IAMReadOnlyAccess reads MFA devices too.
    expect((await me.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices!.some((d) => d.SerialNumber === untagged.serial)).toBe(true);
  });
});

describe('account alias', () => {
  it('creates, lists, replaces, refuses its own name again, deletes only by name; the QR code then names the alias', async () => {
    const alias = `alias-${process.pid}`;
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: alias }));
    expect(await iam.send(new ListAccountAliasesCommand({}))).toMatchObject({ AccountAliases: [alias], IsTruncated: false });
    expect(await awsError(iam.send(new CreateAccountAliasCommand({ AccountAlias: alias })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `The account alias ${alias} already exists.`,
      status: 409,
    });
    const name = uniqueName('qr');
    const { VirtualMFADevice } = await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }));
    expect(readQrPng(VirtualMFADevice!.QRCodePNG!)).toBe(`otpauth://totp/${name}@${alias}?secret=${seedOf(VirtualMFADevice!)}`);

    // One alias per account: a new one replaces the old.
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: `${alias}-2` }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([`${alias}-2`]);
    expect(await awsError(iam.send(new DeleteAccountAliasCommand({ AccountAlias: alias })))).toEqual({
      code: 'NoSuchEntity',
      message: `The account alias ${alias} cannot be found.`,
      status: 404,
    });
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: `${alias}-2` }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
    expect(await awsError(iam.send(new DeleteAccountAliasCommand({ AccountAlias: `${alias}-2` })))).toMatchObject({ code: 'NoSuchEntity' });
  });

  it('refuses aliases AWS refuses, with AWS\'s sentence for the pattern and the model\'s for lengths', async () => {
    const rule =
      'The specified value for accountAlias is invalid. It must be a minimum length of 3 characters and maximum length of 63 characters, ' +
      'contain only digits, lowercase letters, and hyphens (-), but cannot begin or end with a hyphen.';
    for (const AccountAlias of ['Upper-Case', '-leading', 'trailing-', 'double--hyphen', 'under_score']) {
      expect(await awsError(iam.send(new CreateAccountAliasCommand({ AccountAlias })))).toEqual({ code: 'ValidationError', message: rule, status: 400 });
      expect(await awsError(iam.send(new DeleteAccountAliasCommand({ AccountAlias })))).toEqual({ code: 'ValidationError', message: rule, status: 400 });
    }
    expect(await awsError(iam.send(new CreateAccountAliasCommand({ AccountAlias: 'ab' })))).toEqual({
      code: 'ValidationError',
      message:
        "2 validation errors detected: Value at 'accountAlias' failed to satisfy constraint: Member must have length greater than or equal to 3; " +
        "Value at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
      status: 400,
    });
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
  });
});

describe('the seed is never seen again', () => {
  it('appears in no later response, and neither seed, QR code nor codes reach the audit trail', async () => {
    const user = await newUser();
    const raw = await signedQuery(server.url, { Action: 'CreateVirtualMFADevice', VirtualMFADeviceName: uniqueName('secret') });
    expect(raw.status).toBe(200);
    const seedB64 = /<Base32StringSeed>([^<]+)<\/Base32StringSeed>/.exec(raw.body)![1]!;
    const qrB64 = /<QRCodePNG>([^<]+)<\/QRCodePNG>/.exec(raw.body)![1]!;
    const serial = /<SerialNumber>([^<]+)<\/SerialNumber>/.exec(raw.body)![1]!;
    const seed = Buffer.from(seedB64, 'base64').toString('ascii');
    expect(seed).toMatch(/^[A-Z2-7]{64}$/);
    const codes = twoCodes(seed);
    const later = [
      await signedQuery(server.url, { Action: 'EnableMFADevice', UserName: user.UserName!, SerialNumber: serial, ...codes }),
      await signedQuery(server.url, { Action: 'ResyncMFADevice', UserName: user.UserName!, SerialNumber: serial, ...twoCodes(seed, 2) }),
      await signedQuery(server.url, { Action: 'ListVirtualMFADevices' }),
      await signedQuery(server.url, { Action: 'ListVirtualMFADevices', AssignmentStatus: 'Assigned' }),
      await signedQuery(server.url, { Action: 'ListMFADevices', UserName: user.UserName! }),
      await signedQuery(server.url, { Action: 'GetMFADevice', UserName: user.UserName!, SerialNumber: serial }),
      await signedQuery(server.url, { Action: 'ListMFADeviceTags', SerialNumber: serial }),
      await signedQuery(server.url, { Action: 'EnableMFADevice', UserName: user.UserName!, SerialNumber: serial, ...codes }),
    ];
    expect(later.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 409]);
    for (const r of later) {
      for (const needle of [seed, seedB64, qrB64.slice(0, 40)]) expect(r.body).not.toContain(needle);
    }

    const trail = jsonLines(auditFile);
    const text = JSON.stringify(trail);
    for (const needle of [seed, seedB64, qrB64.slice(0, 40), codes.AuthenticationCode1, codes.AuthenticationCode2]) expect(text).not.toContain(needle);
    const created = trail.filter((e) => e.eventName === 'CreateVirtualMFADevice').at(-1)!;
    expect(created.responseElements).toEqual({
      virtualMFADevice: { serialNumber: serial, base32StringSeed: 'HIDDEN_DUE_TO_SECURITY_REASONS', qRCodePNG: 'HIDDEN_DUE_TO_SECURITY_REASONS' },
    });
    const enabled = trail.filter((e) => e.eventName === 'EnableMFADevice').at(-2)!;
    expect(enabled.requestParameters).toEqual({
      userName: user.UserName,
      serialNumber: serial,
      authenticationCode1: 'HIDDEN_DUE_TO_SECURITY_REASONS',
      authenticationCode2: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    // Read-only calls are not audited; the log (stderr) never has a seed either.
    expect(server.output()).not.toContain(seed);
  });
});


describe('the seed at rest', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const seedsIn = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT serial, seed FROM mfa_devices ORDER BY serial').all() as { serial: string; seed: string }[];
    } finally {
      db.close();
    }
  };

  it('is sealed in the database, re-sealed by rotate-master-key, and still yields the codes the app shows', async () => {
    const dir = tempDir('mfa-rest');
    const file = path.join(dir, 'iamd.sqlite');
    let s = await startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: undefined } });
    let seed: string;
    let serial: string;
    try {
      const client = iamClient(s.url);
      const { VirtualMFADevice } = await client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'at-rest' }));
      seed = seedOf(VirtualMFADevice!);
      serial = VirtualMFADevice!.SerialNumber!;
      await client.send(new CreateUserCommand({ UserName: 'rest-user' }));
    } finally {
      await s.stop();
    }
    const [before] = seedsIn(file);
    expect(before!.serial).toBe(serial);
    expect(before!.seed).toMatch(/^v1:[^:]+:/);
    expect(before!.seed).not.toContain(seed);

    const rotated = spawnSync(process.execPath, [path.resolve(here, '../bin/iamd.js'), 'rotate-master-key', '--data-dir', dir], {
      env: { ...process.env, IAMD_MASTER_KEY: undefined, IAMD_NEW_MASTER_KEY: undefined, IAMD_DATABASE_URL: undefined },
      encoding: 'utf8',
    });
    expect(rotated.status).toBe(0);
    expect(rotated.stdout + rotated.stderr).not.toContain(seed);
    const [after] = seedsIn(file);
    expect(after!.seed.split(':')[1]).not.toBe(before!.seed.split(':')[1]);

    s = await startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: undefined } });
    try {
      await iamClient(s.url).send(new EnableMFADeviceCommand({ UserName: 'rest-user', SerialNumber: serial, ...twoCodes(seed) }));
      expect(s.output()).not.toContain(seed);
    } finally {
      await s.stop();
    }
  });
});

describe('boto3', () => {
  it('creates, enables with codes it computes, lists, tags, resyncs, deactivates and deletes; errors as botocore reads them', async () => {
    const user = uniqueName('boto3mfa');
    const { stdout } = await promisify(execFile)('python3', [path.join(path.dirname(fileURLToPath(import.meta.url)), 'clients/boto3_mfa.py')], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_MAX_ATTEMPTS: '1',
        IAMD_TEST_USER: user,
      },
    });
    const seen = JSON.parse(stdout);
    const serial = serialOf(`${user}-phone`, '/boto3/');
    expect(seen).toEqual({
      serial,
      seed_length: 64,
      qr_is_png: true,
      listed: [{ UserName: user, SerialNumber: serial }],
      assigned_user: user,
      mfa_device: { UserName: user, SerialNumber: serial },
      tags: [{ Key: 'team', Value: 'blue' }],
      wrong_codes: { code: 'InvalidAuthenticationCode', message: 'Authentication code for device is not valid.', status: 403 },
      replayed: { code: 'InvalidAuthenticationCode', message: 'Authentication code for device is not valid.', status: 403 },
      delete_assigned: { code: 'DeleteConflict', message: 'Cannot delete entity, must deactivate MFA device first.', status: 409 },
      delete_user: { code: 'DeleteConflict', message: 'Cannot delete entity, must delete MFA device first.', status: 409 },
      resource_api_serials: [serial],
      after_delete: { code: 'NoSuchEntity', message: `MFA Device with serial number ${serial} does not exist.`, status: 404 },
      tag_deleted: { code: 'NoSuchEntity', message: `MFA Device with serial number ${serial} does not exist.`, status: 404 },
      aliases: ['boto3-alias'],
    });
  });
});
