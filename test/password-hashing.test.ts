import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CreateLoginProfileCommand, CreateUserCommand, GetLoginProfileCommand, UpdateLoginProfileCommand } from '@aws-sdk/client-iam';
import { argon2Hasher } from '../src/crypto/argon2-hasher.js';
import { ACCOUNT_ID, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

/**
 * argon2id on @node-rs/argon2. Stored hashes were made by the `argon2` package (node-argon2) before
 * the switch: test/fixtures/argon2 holds some, made by it, with their passwords.
 */
const FIXTURES: { hashes: { password: string; hash: string }[] } = JSON.parse(
  fs.readFileSync(new URL('./fixtures/argon2/node-argon2-0.45.1.json', import.meta.url), 'utf8'),
);
const CURRENT = FIXTURES.hashes.filter((f) => f.hash.includes('m=19456,'));
const OLDER = FIXTURES.hashes.find((f) => f.hash.includes('m=4096,'))!;
const hasher = argon2Hasher();

describe('the argon2id hasher', () => {
  it("verifies every hash the previous binding made, and refuses other passwords", async () => {
    expect(CURRENT.length).toBeGreaterThanOrEqual(5);
    for (const { password, hash } of FIXTURES.hashes) {
      expect(await hasher.verify(hash, password)).toBe(true);
      expect(await hasher.verify(hash, `${password}!`)).toBe(false);
      expect(await hasher.verify(hash, password.slice(1))).toBe(false);
    }
  });

  it("writes PHC strings of argon2id at iamd's parameters, salted afresh, that the hasher verifies", async () => {
    const a = await hasher.hash('Same-Passw0rd!');
    const b = await hasher.hash('Same-Passw0rd!');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, 'Same-Passw0rd!')).toBe(true);
  });

  it('asks for a rehash only of hashes at other parameters', () => {
    for (const { hash } of CURRENT) expect(hasher.needsRehash(hash)).toBe(false);
    expect(hasher.needsRehash(OLDER.hash)).toBe(true);
    expect(argon2Hasher({ memoryCostKiB: 19_456, timeCost: 3, parallelism: 1 }).needsRehash(CURRENT[0]!.hash)).toBe(true);
  });

  it('refuses a malformed hash with false, not an exception', async () => {
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    expect(await hasher.verify('$argon2id$v=19$m=19456,t=2,p=1$AAAA$', 'x')).toBe(false);
  });
});

describe('a hash at older parameters', () => {
  const api = useServer();

  /** A console sign-in as the form posts it (CSRF cookie and token first); its HTTP status. */
  async function signIn(userName: string, password: string): Promise<number> {
    const page = await fetch(`${api.url}/console`);
    const cookie = page.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const res = await fetch(`${api.url}/console/signin`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, account: ACCOUNT_ID, username: userName, password }),
      redirect: 'manual',
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** A user whose stored hash is the previous binding's, at m=4096, t=3, as an older iamd left it. */
  async function userWithOlderHash(): Promise<{ userName: string; userId: string }> {
    const userName = uniqueName('rehash');
    await api.iam.send(new CreateUserCommand({ UserName: userName }));
    await api.iam.send(new CreateLoginProfileCommand({ UserName: userName, Password: 'Initial-Passw0rd!' }));
    const user = (await api.domain.store.users.getByName(userName))!;
    const profile = (await api.domain.store.loginProfiles.get(user.id))!;
    expect(await api.domain.store.loginProfiles.rehash(user.id, profile.passwordHash, OLDER.hash)).toBe(true);
    return { userName, userId: user.id };
  }

  it('is replaced at the next successful console sign-in; the change date, history and session stay good', async () => {
    const { userName, userId } = await userWithOlderHash();
    const before = (await api.domain.store.loginProfiles.get(userId))!;
    expect(await signIn(userName, 'wrong password')).toBe(401);
    expect((await api.domain.store.loginProfiles.get(userId))!.passwordHash).toBe(OLDER.hash); // a failure rehashes nothing

    expect(await signIn(userName, OLDER.password)).toBe(303);
    const after = (await api.domain.store.loginProfiles.get(userId))!;
    expect(after.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(after.passwordHash, OLDER.password)).toBe(true);
    expect(after.passwordChangedAt).toEqual(before.passwordChangedAt);
    expect(after.passwordResetRequired).toBe(before.passwordResetRequired);
    // The history holds the new hash in the old one's place: no old-parameter hash is left.
    const history = await api.domain.store.loginProfiles.passwordHistory(userId, 24);
    expect(history).toContain(after.passwordHash);
    expect(history).not.toContain(OLDER.hash);
    // And the password still signs in (its session is not revoked: the change date is unchanged).
    expect(await signIn(userName, OLDER.password)).toBe(303);
    expect((await api.domain.store.loginProfiles.get(userId))!.passwordHash).toBe(after.passwordHash);
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile?.UserName).toBe(userName);
  });

  it('is replaced compare-and-set: a password changed meanwhile is not overwritten', async () => {
    const { userName, userId } = await userWithOlderHash();
    await api.iam.send(new UpdateLoginProfileCommand({ UserName: userName, Password: 'Admin-Set-Passw0rd!' }));
    const changed = (await api.domain.store.loginProfiles.get(userId))!.passwordHash;
    expect(await api.domain.store.loginProfiles.rehash(userId, OLDER.hash, 'a stale rehash')).toBe(false);
    expect((await api.domain.store.loginProfiles.get(userId))!.passwordHash).toBe(changed);
  });
});

