import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetAccessKeyLastUsedCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, ROOT, SELF_SERVICE_POLICY, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

async function userWithKey() {
  const UserName = uniqueName('keys');
  await api.iam.send(new CreateUserCommand({ UserName }));
  const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
  await api.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'SelfService', PolicyDocument: SELF_SERVICE_POLICY }));
  return { UserName, key, client: api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }) };
}

describe('access keys', () => {
  it('CreateAccessKey returns an AKIA id, a 40-character secret, Active', async () => {
    const { UserName, key } = await userWithKey();
    expect(key.UserName).toBe(UserName);
    expect(key.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.SecretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(key.Status).toBe('Active');
    expect(key.CreateDate).toBeInstanceOf(Date);
  });

  it('allows two keys per user, then LimitExceeded', async () => {
    const { UserName } = await userWithKey();
    await api.iam.send(new CreateAccessKeyCommand({ UserName }));
    expect(await awsError(api.iam.send(new CreateAccessKeyCommand({ UserName })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      status: 409,
    });
    expect((await api.iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata).toHaveLength(2);
  });

  it('ListAccessKeys shows metadata without secrets', async () => {
    const { UserName, key } = await userWithKey();
    const listed = await api.iam.send(new ListAccessKeysCommand({ UserName }));
    expect(listed.AccessKeyMetadata).toEqual([{ UserName, AccessKeyId: key.AccessKeyId, Status: 'Active', CreateDate: key.CreateDate }]);
    expect(JSON.stringify(listed)).not.toContain(key.SecretAccessKey);
    expect(listed.IsTruncated).toBe(false);
  });

  it('an IAM user without policies may not even read itself, as in AWS', async () => {
    const UserName = uniqueName('bare');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const bare = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const me = `arn:aws:iam::${ACCOUNT_ID}:user/${UserName}`;
    expect((await awsError(bare.send(new GetUserCommand({})))).message).toBe(
      `User: ${me} is not authorized to perform: iam:GetUser on resource: user ${UserName} because no identity-based policy allows the iam:GetUser action`,
    );
  });

  it('a request signed with a user key acts as that user', async () => {
    const { UserName, client } = await userWithKey();
    expect((await client.send(new GetUserCommand({}))).User?.UserName).toBe(UserName);
    expect((await client.send(new ListAccessKeysCommand({}))).AccessKeyMetadata?.[0]?.UserName).toBe(UserName);
  });

  it('an IAM user may not act on others, or beyond what its policies allow', async () => {
    const { UserName, client } = await userWithKey();
    const other = uniqueName('other');
    await api.iam.send(new CreateUserCommand({ UserName: other }));
    const me = `arn:aws:iam::${ACCOUNT_ID}:user/${UserName}`;
    expect(await awsError(client.send(new GetUserCommand({ UserName: other })))).toEqual({
      code: 'AccessDenied',
      message: `User: ${me} is not authorized to perform: iam:GetUser on resource: user ${other} because no identity-based policy allows the iam:GetUser action`,
      status: 403,
    });
    expect((await awsError(client.send(new ListUsersCommand({})))).message).toBe(
      `User: ${me} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT_ID}:user/ because no identity-based policy allows the iam:ListUsers action`,
    );
    // Without UserName AWS names the caller "user null<name>" (operation.ts, onOwnAccessKeys).
    expect(await awsError(client.send(new CreateAccessKeyCommand({})))).toEqual({
      code: 'AccessDenied',
      message: `User: ${me} is not authorized to perform: iam:CreateAccessKey on resource: user null${UserName} because no identity-based policy allows the iam:CreateAccessKey action`,
      status: 403,
    });
  });

  it('an Inactive key is refused at SigV4, and works again once reactivated', async () => {
    const { UserName, key, client } = await userWithKey();
    await api.iam.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId!, Status: 'Inactive' }));
    expect((await api.iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata?.[0]?.Status).toBe('Inactive');
    expect(await awsError(client.send(new GetUserCommand({})))).toEqual({
      code: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
      status: 403,
    });
    await api.iam.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId!, Status: 'Active' }));
    expect((await client.send(new GetUserCommand({}))).User?.UserName).toBe(UserName);
  });

  it('UpdateAccessKey and DeleteAccessKey on an unknown key are NoSuchEntity with AWS message', async () => {
    const { UserName } = await userWithKey();
    const AccessKeyId = 'AKIAZZZZZZZZZZZZZZZZ';
    const expected = { code: 'NoSuchEntity', message: `The Access Key with id ${AccessKeyId} cannot be found.`, status: 404 };
    expect(await awsError(api.iam.send(new UpdateAccessKeyCommand({ UserName, AccessKeyId, Status: 'Inactive' })))).toEqual(expected);
    expect(await awsError(api.iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId })))).toEqual(expected);
  });

  it("a key cannot be reached through another user's name", async () => {
    const a = await userWithKey();
    const b = await userWithKey();
    expect((await awsError(api.iam.send(new DeleteAccessKeyCommand({ UserName: b.UserName, AccessKeyId: a.key.AccessKeyId! })))).code).toBe(
      'NoSuchEntity',
    );
    expect((await a.client.send(new GetUserCommand({}))).User?.UserName).toBe(a.UserName);
  });

  it('DeleteAccessKey revokes the key at once', async () => {
    const { UserName, key, client } = await userWithKey();
    await api.iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId! }));
    expect((await awsError(client.send(new GetUserCommand({})))).code).toBe('InvalidClientTokenId');
  });

  it("root without UserName acts on the root user's own keys, as AWS's API reference says: never a user's", async () => {
    const { UserName, key } = await userWithKey();
    // A user's key is not the root user's: not found among root's keys, and left alone.
    expect(await awsError(api.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key.AccessKeyId! })))).toEqual({
      code: 'NoSuchEntity',
      message: `The Access Key with id ${key.AccessKeyId} cannot be found.`,
      status: 404,
    });
    expect((await api.iam.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata).toHaveLength(1);
    // Root's own: the configured key is listed; a second one is created, listed, deactivated and deleted.
    const own = await api.iam.send(new ListAccessKeysCommand({}));
    expect(own.AccessKeyMetadata!.map((k) => k.AccessKeyId)).toEqual([ROOT.accessKeyId]);
    expect(own.AccessKeyMetadata![0]!.UserName).toBeUndefined();
    const created = await api.iam.send(new CreateAccessKeyCommand({}));
    expect(created.AccessKey?.AccessKeyId).toMatch(/^AKIA/);
    expect((await api.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata).toHaveLength(2);
    expect((await awsError(api.iam.send(new CreateAccessKeyCommand({}))))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for AccessKeysPerUser: 2',
      status: 409,
    });
    await api.iam.send(new UpdateAccessKeyCommand({ AccessKeyId: created.AccessKey!.AccessKeyId!, Status: 'Inactive' }));
    await api.iam.send(new DeleteAccessKeyCommand({ AccessKeyId: created.AccessKey!.AccessKeyId! }));
    expect((await api.iam.send(new ListAccessKeysCommand({}))).AccessKeyMetadata!.map((k) => k.AccessKeyId)).toEqual([ROOT.accessKeyId]);
  });

  it('GetAccessKeyLastUsed: N/A before use, then date, us-east-1 and iam', async () => {
    const { UserName, key, client } = await userWithKey();
    const before = await api.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId! }));
    expect(before.UserName).toBe(UserName);
    expect(before.AccessKeyLastUsed).toEqual({ Region: 'N/A', ServiceName: 'N/A' });

    const start = Math.floor(Date.now() / 1000) * 1000;
    await client.send(new GetUserCommand({}));
    const after = await api.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId! }));
    expect(after.AccessKeyLastUsed?.Region).toBe('us-east-1');
    expect(after.AccessKeyLastUsed?.ServiceName).toBe('iam');
    expect(after.AccessKeyLastUsed?.LastUsedDate!.getTime()).toBeGreaterThanOrEqual(start);
  });

  it('GetAccessKeyLastUsed of an unknown key is the denial AWS answers (recorded), naming the caller', async () => {
    expect(await awsError(api.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: 'AKIAQQQQQQQQQQQQQQQQ' })))).toEqual({
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAQQQQQQQQQQQQQQQQ`,
      status: 403,
    });
  });

  it('CreateAccessKey racing DeleteUser ends in AWS errors, never a 500', async () => {
    const outcomes = new Set<string>();
    for (let round = 0; round < 15; round++) {
      const UserName = uniqueName('race');
      await api.iam.send(new CreateUserCommand({ UserName }));
      const results = await Promise.allSettled([
        api.iam.send(new CreateAccessKeyCommand({ UserName })),
        api.iam.send(new DeleteUserCommand({ UserName })),
      ]);
      for (const r of results) outcomes.add(r.status === 'fulfilled' ? 'ok' : ((r.reason as { Code?: string }).Code ?? 'unknown'));
    }
    for (const o of outcomes) expect(['ok', 'NoSuchEntity', 'DeleteConflict']).toContain(o);
  });
});
