/**
 * Races (issue 8, point 5): 200 concurrent UpdateLoginProfile / ChangePassword calls on one user
 * end in a consistent profile and history: the current hash is the newest history entry, exactly
 * one ChangePassword from a given old password wins, the others get AWS errors, never a 500.
 */
import path from 'node:path';
import * as argon2 from '@node-rs/argon2';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ROOT } from './support/server.js';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';
import { consoleSignIn, tempDir } from './support/hardening.js';

const dir = tempDir('races');
const dbFile = path.join(dir, 'iamd.sqlite');
let alice: { accessKeyId: string; secretAccessKey: string };

const CHANGE_OWN = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: '*' }] });

const api = useServer({ flags: { dataDir: dir, enableTestEndpoints: true } });
beforeAll(async () => {
  const iam = api.iam;
  await iam.send(new CreateUserCommand({ UserName: 'racer' }));
  await iam.send(new PutUserPolicyCommand({ UserName: 'racer', PolicyName: 'own', PolicyDocument: CHANGE_OWN }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'racer', Password: 'Race-Start-Passw0rd!' }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'racer' }));
  alice = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
});

/** The stored profile hash and the history, newest first, read straight from the database. */
function stored(): { current: string; history: string[] } {
  const db = new Database(dbFile, { readonly: true });
  try {
    const { id } = db.prepare("SELECT id FROM users WHERE name = 'racer'").get() as { id: string };
    const { password_hash } = db.prepare('SELECT password_hash FROM login_profiles WHERE user_id = ?').get(id) as { password_hash: string };
    const history = (db.prepare('SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY seq DESC').all(id) as { password_hash: string }[]).map(
      (r) => r.password_hash,
    );
    return { current: password_hash, history };
  } finally {
    db.close();
  }
}

const changePassword = (oldPassword: string, newPassword: string) =>
  signedQuery(api.url, { Action: 'ChangePassword', OldPassword: oldPassword, NewPassword: newPassword }, { credentials: alice }).then((r) => ({
    status: r.status,
    code: errorOf(r.body).code,
    password: newPassword,
  }));
const updateLoginProfile = (password: string) =>
  signedQuery(api.url, { Action: 'UpdateLoginProfile', UserName: 'racer', Password: password }, { credentials: ROOT }).then((r) => ({
    status: r.status,
    code: errorOf(r.body).code,
    password,
  }));

describe('concurrent password changes on one user', () => {
  let winner = '';

  it('200 ChangePassword calls from the same old password: exactly one wins, the rest get AWS errors', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => changePassword('Race-Start-Passw0rd!', `Race-Change-${i}-Passw0rd!`)));
    const wins = results.filter((r) => r.status === 200);
    expect(wins).toHaveLength(1);
    winner = wins[0]!.password;
    const codes = new Set(results.filter((r) => r.status !== 200).map((r) => r.code));
    // LimitExceeded: beyond 5 attempts in flight, the per-user attempt budget refuses before hashing.
    for (const code of codes) expect(['EntityTemporarilyUnmodifiable', 'AccessDenied', 'LimitExceeded']).toContain(code);
    expect(results.every((r) => r.status < 500)).toBe(true);
    console.log(`races: ChangePassword x200 -> ${JSON.stringify(Object.fromEntries([...codes].map((c) => [c, results.filter((r) => r.code === c).length])))}`);

    const { current, history } = stored();
    expect(history[0]).toBe(current);
    expect(history).toHaveLength(2); // the start and the one winner
    expect(await argon2.verify(current, winner)).toBe(true);
    expect((await consoleSignIn(api.url, 'racer', winner)).status).toBe(303);
  });

  it('100 UpdateLoginProfile and 100 ChangePassword at once end in a consistent profile and history', async () => {
    // Past the ChangePassword failure window left by the test above.
    await api.setClock(3600);
    const calls = Array.from({ length: 200 }, (_, i) =>
      i % 2 === 0 ? updateLoginProfile(`Race-Admin-${i}-Passw0rd!`) : changePassword(winner, `Race-Own-${i}-Passw0rd!`),
    );
    const results = await Promise.all(calls);
    expect(results.every((r) => r.status < 500)).toBe(true);
    const updates = results.filter((_, i) => i % 2 === 0);
    expect(updates.every((r) => r.status === 200)).toBe(true);
    const changes = results.filter((_, i) => i % 2 === 1);
    expect(changes.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
    for (const r of changes.filter((c) => c.status !== 200)) {
      expect(['EntityTemporarilyUnmodifiable', 'AccessDenied', 'LimitExceeded']).toContain(r.code);
    }

    const { current, history } = stored();
    expect(history[0]).toBe(current);
    expect(history).toHaveLength(24); // trimmed to the most any policy can ask for
    expect(new Set(history).size).toBe(24);
    // The current password is exactly one of those that were acknowledged.
    const acknowledged = results.filter((r) => r.status === 200).map((r) => r.password);
    const matches = await Promise.all(acknowledged.map((p) => argon2.verify(current, p)));
    expect(matches.filter(Boolean)).toHaveLength(1);
    const currentPassword = acknowledged[matches.indexOf(true)]!;
    expect((await consoleSignIn(api.url, 'racer', currentPassword)).status).toBe(303);
  }, 60_000);
});
