/**
 * One code at a time (what the console's second step and GetSessionToken will ask for), on the
 * domain over a real SQLite store and the real sealer, with a clock the test moves: a code is good
 * once, near the device's clock as enable/resync measured it, and wrong ones are throttled.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { aesGcmSealer } from '../src/crypto/secret-sealer.js';
import type { Domain } from '../src/domain/context.js';
import { randomIds } from '../src/domain/ids.js';
import type { Caller, User } from '../src/domain/entities.js';
import {
  checkMfaCode,
  createVirtualMfaDevice,
  deactivateMfaDevice,
  enableMfaDevice,
  MFA_LOCK_AFTER,
  resyncMfaDevice,
} from '../src/domain/mfa.js';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { codeAt } from './support/totp.js';

/** Whether one code is accepted (checkMfaCode's 'accepted'). */
const acceptMfaCode = async (domain: Domain, user: User, serial: string, code: string) => (await checkMfaCode(domain, user, serial, code)) === 'accepted';

const store = openSqliteStore(':memory:');
afterAll(() => store.close());

let now = new Date(Date.UTC(2026, 5, 1, 12, 0, 10));
const step = () => Math.floor(now.getTime() / 30_000);
const domain: Domain = {
  accountId: '123456789012',
  store,
  clock: { now: () => now },
  ids: randomIds,
  hasher: { hash: async () => 'unused', verify: async () => false, needsRehash: () => false },
  log: { info: () => {}, error: () => {} },
  sealer: aesGcmSealer([randomBytes(32)]),
  passwordRules: { defaultMode: 'aws' },
};

async function enabledDevice(codeSteps: [number, number] = [step() - 1, step()]) {
  const user = {
    id: randomIds.userId(),
    name: `u${Math.random().toString(36).slice(2)}`,
    path: '/',
    createdAt: now,
    passwordLastUsed: null,
    tags: [],
    permissionsBoundary: null,
  };
  await store.users.create(user);
  const created = await createVirtualMfaDevice(domain, { VirtualMFADeviceName: `d-${user.name}` });
  await enableMfaDevice(domain, {
    UserName: user.name,
    SerialNumber: created.device.serialNumber,
    AuthenticationCode1: codeAt(created.seed, codeSteps[0]),
    AuthenticationCode2: codeAt(created.seed, codeSteps[1]),
  });
  return { user, serial: created.device.serialNumber, seed: created.seed };
}

beforeEach(() => {
  now = new Date(now.getTime() + 3600_000); // each test an hour on: no step shared with the last
});

describe('one code at a time', () => {
  it('accepts the current code once; the next step\'s code after it, but not an older one', async () => {
    const { user, serial, seed } = await enabledDevice();
    // The codes that enabled the device were accepted: the current one is spent already.
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(false);
    now = new Date(now.getTime() + 30_000);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(true);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(false);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step() - 1))).toBe(false);
    // The app's clock a step ahead is fine (±1 step).
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step() + 1))).toBe(true);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step() + 3))).toBe(false);
  });

  it('refuses a device of someone else, an unknown device and a wrong code', async () => {
    const a = await enabledDevice();
    const b = await enabledDevice();
    now = new Date(now.getTime() + 60_000);
    expect(await acceptMfaCode(domain, b.user, a.serial, codeAt(a.seed, step()))).toBe(false);
    expect(await acceptMfaCode(domain, a.user, 'arn:aws:iam::123456789012:mfa/none', codeAt(a.seed, step()))).toBe(false);
    expect(await acceptMfaCode(domain, a.user, a.serial, wrongCodeAt(a.seed))).toBe(false);
    expect(await acceptMfaCode(domain, a.user, a.serial, codeAt(a.seed, step()))).toBe(true);
  });

  it('follows the device\'s clock as enable measured it, until a resync measures it again', async () => {
    // Enabled with codes three minutes old: the device runs 6 steps behind.
    const { user, serial, seed } = await enabledDevice([step() - 7, step() - 6]);
    now = new Date(now.getTime() + 30_000);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(false);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step() - 6))).toBe(true);
    // Resynced with its current codes, it is in step again.
    now = new Date(now.getTime() + 30_000);
    await resyncMfaDevice(domain, { UserName: user.name, SerialNumber: serial, AuthenticationCode1: codeAt(seed, step() - 1), AuthenticationCode2: codeAt(seed, step()) });
    now = new Date(now.getTime() + 30_000);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(true);
  });

  it('after 5 wrong codes even the right one waits, until the delay has passed', async () => {
    const { user, serial, seed } = await enabledDevice();
    now = new Date(now.getTime() + 30_000);
    for (let i = 0; i < 5; i++) expect(await acceptMfaCode(domain, user, serial, wrongCodeAt(seed))).toBe(false);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(false);
    now = new Date(now.getTime() + 31_000);
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(true);
  });
});

describe('the lock-out per user', () => {
  const root: Caller = { kind: 'root', accountId: '123456789012', accessKeyId: 'AKIAROOT' };
  /** Past the device's longest delay (15 minutes), so that each code is checked. */
  const later = () => {
    now = new Date(now.getTime() + 16 * 60_000);
  };
  /** One wrong code, checked. */
  async function wrong(user: User, serial: string, seed: string) {
    later();
    expect(await checkMfaCode(domain, user, serial, wrongCodeAt(seed))).toBe('wrong');
  }
  async function secondDevice(user: User) {
    const created = await createVirtualMfaDevice(domain, { VirtualMFADeviceName: `d2-${user.name}` });
    await enableMfaDevice(domain, { UserName: user.name, SerialNumber: created.device.serialNumber, AuthenticationCode1: codeAt(created.seed, step() - 1), AuthenticationCode2: codeAt(created.seed, step()) });
    return { serial: created.device.serialNumber, seed: created.seed };
  }

  it(`locks after ${MFA_LOCK_AFTER} consecutive wrong codes: the right one is refused unchecked, until a resync; a right code before then starts the count again`, async () => {
    const { user, serial, seed } = await enabledDevice();
    for (let i = 0; i < MFA_LOCK_AFTER - 1; i++) await wrong(user, serial, seed);
    later();
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('accepted');
    for (let i = 0; i < MFA_LOCK_AFTER; i++) await wrong(user, serial, seed);
    later();
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('locked');
    expect(await acceptMfaCode(domain, user, serial, codeAt(seed, step()))).toBe(false);
    // The lock-out does not refuse a resync (two consecutive codes), which lifts it.
    now = new Date(now.getTime() + 30_000);
    await resyncMfaDevice(domain, { UserName: user.name, SerialNumber: serial, AuthenticationCode1: codeAt(seed, step() - 1), AuthenticationCode2: codeAt(seed, step()) });
    now = new Date(now.getTime() + 30_000);
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('accepted');
  });

  it("counts the user's devices together; deactivating one lifts it, and so does enabling one", async () => {
    const { user, serial, seed } = await enabledDevice();
    const other = await secondDevice(user);
    for (let i = 0; i < MFA_LOCK_AFTER; i++) await (i % 2 ? wrong(user, serial, seed) : wrong(user, other.serial, other.seed));
    later();
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('locked');
    expect(await checkMfaCode(domain, user, other.serial, codeAt(other.seed, step()))).toBe('locked');
    await deactivateMfaDevice(domain, root, { UserName: user.name, SerialNumber: other.serial });
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('accepted');

    for (let i = 0; i < MFA_LOCK_AFTER; i++) await wrong(user, serial, seed);
    later();
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('locked');
    await enableMfaDevice(domain, { UserName: user.name, SerialNumber: other.serial, AuthenticationCode1: codeAt(other.seed, step() - 1), AuthenticationCode2: codeAt(other.seed, step()) });
    expect(await checkMfaCode(domain, user, serial, codeAt(seed, step()))).toBe('accepted');
  });
});

/** A code the device shows at no step near the test's clock. */
function wrongCodeAt(seed: string): string {
  const near = new Set(Array.from({ length: 41 }, (_, i) => codeAt(seed, step() - 20 + i)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}
