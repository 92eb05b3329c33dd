/**
 * Two iamd processes on one PostgreSQL database: whatever a client does on either node, the
 * outcome is what one node would give. Races end in AWS's errors, never in a 500, a lost update or
 * a history that disagrees with the profile; the ChangePassword throttle counts across nodes.
 */
import {
  AttachUserPolicyCommand,
  ChangePasswordCommand,
  CreatePolicyCommand,
  DeletePolicyCommand,
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  DeleteUserPermissionsBoundaryCommand,
  DetachUserPolicyCommand,
  ListAttachedUserPoliciesCommand,
  PutUserPermissionsBoundaryCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  type IAMClient,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
  type User,
} from '@aws-sdk/client-iam';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTestDatabase } from './support/postgres-tests.js';
import { awsError, iamClient, startServer, uniqueName, type TestServer } from './support/server.js';

let nodes: TestServer[] = [];
let admins: IAMClient[] = [];
let db: pg.Client;

beforeAll(async () => {
  const url = await newTestDatabase('multinode');
  // Both start at once on an empty database: the migrations must run exactly once.
  nodes = await Promise.all([startServer({ args: ['--database', url] }), startServer({ args: ['--database', url] })]);
  admins = nodes.map((n) => iamClient(n.url));
  db = new pg.Client({ connectionString: url });
  await db.connect();
  await admins[0]!.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true, PasswordReusePrevention: 24 }));
});
afterAll(async () => {
  await db?.end();
  await Promise.all(nodes.map((n) => n.stop()));
});

/** The user GetUser returns, or undefined when it answers NoSuchEntity. */
async function outcomeOf(call: Promise<{ User?: User }>): Promise<User | undefined> {
  try {
    return (await call).User;
  } catch (e) {
    if ((e as { name: string }).name === 'NoSuchEntityException') return undefined;
    throw e;
  }
}

/** 'ok', or the AWS error code; a 5xx fails the test at once. */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'ok';
  } catch (e) {
    const err = e as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    const status = err.$metadata?.httpStatusCode;
    if (status === undefined || status >= 500) throw new Error(`a ${status ?? 'transport'} error: ${err.name}: ${err.message}`);
    return err.Code ?? err.name;
  }
}

const count = (xs: string[], x: string) => xs.filter((y) => y === x).length;
const node = (i: number) => admins[i % 2]!;

/** A user with a login profile and its own access key, and a ChangePassword client per node. */
async function userWithProfile(password: string) {
  const UserName = uniqueName('mn');
  await node(0).send(new CreateUserCommand({ UserName }));
  await node(1).send(new CreateLoginProfileCommand({ UserName, Password: password }));
  const key = (await node(0).send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
  const credentials = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  const selves = nodes.map((n) => iamClient(n.url, credentials));
  const userId = (await node(1).send(new GetUserCommand({ UserName }))).User!.UserId!;
  return {
    UserName,
    userId,
    change: (i: number, OldPassword: string, NewPassword: string) => selves[i % 2]!.send(new ChangePasswordCommand({ OldPassword, NewPassword })),
  };
}

/** The reuse history straight from the database, newest first, and the profile's current hash. */
async function historyOf(userId: string): Promise<{ history: string[]; current: string | undefined }> {
  const history = (await db.query<{ password_hash: string }>('SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY seq DESC', [userId]))
    .rows.map((r) => r.password_hash);
  const current = (await db.query<{ password_hash: string }>('SELECT password_hash FROM login_profiles WHERE user_id = $1', [userId])).rows[0]
    ?.password_hash;
  return { history, current };
}

describe('two iamd nodes on one PostgreSQL database', () => {
  it('migrated once although both nodes started together', async () => {
    const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    expect(rows.map((r) => r.version)).toEqual(rows.map((_, i) => i + 1));
  });

  it('concurrent UpdateLoginProfile (passwords and flags) on both nodes: no update lost, the history holds every password', async () => {
    const { UserName, userId } = await userWithProfile('Start-0-Passw0rd!');
    const passwords = Array.from({ length: 10 }, (_, i) => `Node-${i % 2}-Update-${i}-Passw0rd!`);
    const results = await Promise.all([
      ...passwords.map((Password, i) => outcome(node(i).send(new UpdateLoginProfileCommand({ UserName, Password })))),
      ...Array.from({ length: 10 }, (_, i) => outcome(node(i + 1).send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: i % 2 === 0 })))),
    ]);
    expect(results).toEqual(results.map(() => 'ok'));

    const { history, current } = await historyOf(userId);
    expect(history).toHaveLength(11); // the first password and all ten updates
    expect(new Set(history).size).toBe(11);
    expect(history[0]).toBe(current); // a flag-only update never wrote back an older hash
    // Every one of them is remembered: each is refused as a reuse, on either node.
    for (const [i, Password] of [passwords[0]!, passwords[7]!, 'Start-0-Passw0rd!'].entries()) {
      expect((await awsError(node(i).send(new UpdateLoginProfileCommand({ UserName, Password })))).code).toBe('PasswordPolicyViolation');
    }
  });

  it('concurrent ChangePassword from one old password on both nodes: exactly one wins', async () => {
    const { userId, change } = await userWithProfile('Start-1-Passw0rd!');
    const before = await historyOf(userId);
    const attempts = Array.from({ length: 4 }, (_, i) => `Changed-${i}-Passw0rd!`);
    const results = await Promise.all(attempts.map((next, i) => outcome(change(i, 'Start-1-Passw0rd!', next))));
    expect(count(results, 'ok')).toBe(1);
    for (const r of results) expect(['ok', 'EntityTemporarilyUnmodifiable', 'AccessDenied']).toContain(r);

    const after = await historyOf(userId);
    expect(after.history).toHaveLength(before.history.length + 1);
    expect(after.history[0]).toBe(after.current);
    // The winner's password is the one in force, on both nodes.
    const winner = attempts[results.indexOf('ok')]!;
    expect(await outcome(change(1, winner, 'Final-1-Passw0rd!'))).toBe('ok');
  });

  it('DeleteLoginProfile racing UpdateLoginProfile and ChangePassword: AWS errors only, one delete wins, the history stays exact', async () => {
    for (let round = 0; round < 3; round++) {
      const { UserName, userId, change } = await userWithProfile('Start-2-Passw0rd!');
      const before = await historyOf(userId);
      const calls: Promise<string>[] = [];
      const kinds: string[] = [];
      const push = (kind: string, p: Promise<unknown>) => {
        kinds.push(kind);
        calls.push(outcome(p));
      };
      for (let i = 0; i < 4; i++) push('update', node(i).send(new UpdateLoginProfileCommand({ UserName, Password: `Racing-${round}-${i}-Passw0rd!` })));
      for (let i = 0; i < 2; i++) push('change', change(i, 'Start-2-Passw0rd!', `Changed-${round}-${i}-Passw0rd!`));
      for (let i = 0; i < 2; i++) {
        push('delete', new Promise((r) => setTimeout(r, 20 * round)).then(() => node(i).send(new DeleteLoginProfileCommand({ UserName }))));
      }
      const results = await Promise.all(calls);
      const of = (kind: string) => results.filter((_, i) => kinds[i] === kind);

      expect(of('delete').sort()).toEqual(['NoSuchEntity', 'ok']);
      for (const r of of('update')) expect(['ok', 'NoSuchEntity']).toContain(r);
      for (const r of of('change')) expect(['ok', 'NoSuchEntity', 'EntityTemporarilyUnmodifiable', 'AccessDenied']).toContain(r);
      expect((await awsError(node(round).send(new GetLoginProfileCommand({ UserName })))).code).toBe('NoSuchEntity');
      // Each password that was set (and only those) is in the history.
      const after = await historyOf(userId);
      expect(after.current).toBeUndefined();
      expect(after.history).toHaveLength(before.history.length + count(of('update'), 'ok') + count(of('change'), 'ok'));
    }
  });

  it('CreateLoginProfile racing DeleteUser: EntityAlreadyExists / NoSuchEntity / DeleteConflict, never a 500, never both', async () => {
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const UserName = uniqueName('mn-race');
      await node(round).send(new CreateUserCommand({ UserName }));
      const delay = (round % 4) * 15; // let the delete land before, during and after the hashing
      const [createA, createB, del] = await Promise.all([
        outcome(node(0).send(new CreateLoginProfileCommand({ UserName, Password: `Race-A-${round}-Passw0rd!` }))),
        outcome(node(1).send(new CreateLoginProfileCommand({ UserName, Password: `Race-B-${round}-Passw0rd!` }))),
        new Promise((r) => setTimeout(r, delay)).then(() => outcome(node(round + 1).send(new DeleteUserCommand({ UserName })))),
      ]);
      for (const r of [createA, createB]) expect(['ok', 'EntityAlreadyExists', 'NoSuchEntity']).toContain(r);
      expect(['ok', 'DeleteConflict']).toContain(del);
      const creates = [createA, createB];
      if (del === 'ok') {
        expect(count(creates, 'ok')).toBe(0);
        expect((await awsError(node(0).send(new GetUserCommand({ UserName })))).code).toBe('NoSuchEntity');
      } else {
        expect(count(creates, 'ok')).toBe(1);
        expect((await node(1).send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.UserName).toBe(UserName);
      }
      [createA, createB, del].forEach((r) => seen.add(r));
    }
    // Both orders happened at least once across the rounds.
    expect(seen.has('DeleteConflict') || seen.has('NoSuchEntity')).toBe(true);
  });

  it('AttachUserPolicy, PutUserPermissionsBoundary and CreateUser with a boundary racing DeletePolicy: one side wins, never a link to a deleted policy', async () => {
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] });
    const UserName = uniqueName('race-attach');
    await admins[0]!.send(new CreateUserCommand({ UserName }));
    const tally: Record<string, number> = {};
    for (let round = 0; round < 12; round++) {
      const PolicyName = uniqueName(`fleeting-${round}`);
      const { Policy } = await admins[0]!.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: document }));
      const PolicyArn = Policy!.Arn!;
      const boundary = round % 2 === 1;
      // Every third round the boundary comes with a new user (CreateUser), otherwise it is put on one.
      const newUser = boundary && round % 3 === 0 ? uniqueName('race-bounded') : undefined;
      const [link, del] = await Promise.all([
        outcome(
          newUser
            ? node(round).send(new CreateUserCommand({ UserName: newUser, PermissionsBoundary: PolicyArn }))
            : boundary
              ? node(round).send(new PutUserPermissionsBoundaryCommand({ UserName, PermissionsBoundary: PolicyArn }))
              : node(round).send(new AttachUserPolicyCommand({ UserName, PolicyArn })),
        ),
        outcome(node(round + 1).send(new DeletePolicyCommand({ PolicyArn }))),
      ]);
      const key = `${newUser ? 'create with boundary' : boundary ? 'boundary' : 'attach'} ${link} / delete ${del}`;
      tally[key] = (tally[key] ?? 0) + 1;
      // Exactly one side wins, with AWS's error for the other.
      expect([
        ['ok', 'DeleteConflict'],
        ['NoSuchEntity', 'ok'],
      ]).toContainEqual([link, del]);
      const attached = (await admins[0]!.send(new ListAttachedUserPoliciesCommand({ UserName }))).AttachedPolicies!.map((a) => a.PolicyArn);
      const { rows } = await db.query('SELECT 1 FROM managed_policies WHERE arn = $1', [PolicyArn]);
      const policyExists = rows.length === 1;
      const subject = newUser ? await outcomeOf(admins[0]!.send(new GetUserCommand({ UserName: newUser }))) : (await admins[0]!.send(new GetUserCommand({ UserName }))).User;
      const linked = boundary ? subject?.PermissionsBoundary?.PermissionsBoundaryArn === PolicyArn : attached.includes(PolicyArn);
      if (newUser) expect(subject !== undefined).toBe(link === 'ok'); // no user is created without its boundary
      expect({ linked, policyExists }).toEqual(link === 'ok' ? { linked: true, policyExists: true } : { linked: false, policyExists: false });
      // Clean up for the next round.
      if (link === 'ok') {
        if (newUser) await admins[0]!.send(new DeleteUserCommand({ UserName: newUser }));
        else if (boundary) await admins[0]!.send(new DeleteUserPermissionsBoundaryCommand({ UserName }));
        else await admins[0]!.send(new DetachUserPolicyCommand({ UserName, PolicyArn }));
        await admins[0]!.send(new DeletePolicyCommand({ PolicyArn }));
      }
    }
    // Both outcomes are legitimate; the tally is printed to show the race was real.
    console.log('attach/boundary vs DeletePolicy outcomes:', tally);
  });

  it('DeleteRole racing AttachRolePolicy, PutRolePolicy and AddRoleToInstanceProfile: one side wins, never a link to a deleted role', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const document = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
    const InstanceProfileName = uniqueName('race-profile');
    await admins[0]!.send(new CreateInstanceProfileCommand({ InstanceProfileName }));
    const tally: Record<string, number> = {};
    for (let round = 0; round < 12; round++) {
      const RoleName = uniqueName(`fleeting-role-${round}`);
      await admins[0]!.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }));
      const link =
        round % 3 === 0
          ? node(round).send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }))
          : round % 3 === 1
            ? node(round).send(new PutRolePolicyCommand({ RoleName, PolicyName: 'p', PolicyDocument: document }))
            : node(round).send(new AddRoleToInstanceProfileCommand({ InstanceProfileName, RoleName }));
      const [linked, deleted] = await Promise.all([outcome(link), outcome(node(round + 1).send(new DeleteRoleCommand({ RoleName })))]);
      tally[`${linked}/${deleted}`] = (tally[`${linked}/${deleted}`] ?? 0) + 1;
      // Exactly one side wins: the link (and the delete meets it) or the delete (and the link finds no role).
      expect([
        ['ok', 'DeleteConflict'],
        ['NoSuchEntity', 'ok'],
      ]).toContainEqual([linked, deleted]);
      // Nothing refers to a role that is gone, whatever the order.
      const { rows } = await db.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM policy_attachments a WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = a.owner_id)
                   AND NOT EXISTS (SELECT 1 FROM groups WHERE id = a.owner_id) AND NOT EXISTS (SELECT 1 FROM roles WHERE id = a.owner_id))
              + (SELECT count(*) FROM inline_policies i WHERE NOT EXISTS (SELECT 1 FROM users WHERE id = i.owner_id)
                   AND NOT EXISTS (SELECT 1 FROM groups WHERE id = i.owner_id) AND NOT EXISTS (SELECT 1 FROM roles WHERE id = i.owner_id)) AS n`,
      );
      expect(Number(rows[0]!.n)).toBe(0);
      if (linked === 'ok' && round % 3 === 2) await admins[0]!.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName, RoleName }));
    }
    console.log(`races: DeleteRole vs links x12 -> ${JSON.stringify(tally)}`);
  });

  it('ChangePassword throttling holds across nodes: 5 failures per user, then LimitExceeded', async () => {
    const { change } = await userWithProfile('Start-3-Passw0rd!');
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => outcome(change(i, `Wrong-${i}-Passw0rd!`, 'Never-Set-Passw0rd!'))));
    expect(count(results, 'AccessDenied')).toBe(5);
    expect(count(results, 'LimitExceeded')).toBe(11);
    // Even the right password waits for the window now, on either node.
    expect(await outcome(change(0, 'Start-3-Passw0rd!', 'New-3-Passw0rd!'))).toBe('LimitExceeded');
    expect(await outcome(change(1, 'Start-3-Passw0rd!', 'New-3-Passw0rd!'))).toBe('LimitExceeded');
  });
});
