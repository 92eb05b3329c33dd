import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteUserCommand,
  GetUserCommand,
  ListUserTagsCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  TagUserCommand,
  UntagUserCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, SELF_SERVICE_POLICY, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

describe('CreateUser / GetUser', () => {
  it('creates a user with AWS-shaped id, ARN, path, date and tags', async () => {
    const UserName = uniqueName('alice');
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { User } = await api.iam.send(
      new CreateUserCommand({ UserName, Path: '/engineering/', Tags: [{ Key: 'team', Value: 'identity' }] }),
    );
    expect(User?.UserName).toBe(UserName);
    expect(User?.Path).toBe('/engineering/');
    expect(User?.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(User?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/engineering/${UserName}`);
    expect(User?.CreateDate!.getTime()).toBeGreaterThanOrEqual(before);
    expect(User?.Tags).toEqual([{ Key: 'team', Value: 'identity' }]);
    expect(User?.PasswordLastUsed).toBeUndefined();

    const got = await api.iam.send(new GetUserCommand({ UserName }));
    expect(got.User).toEqual(User);
  });

  it('defaults the path to /', async () => {
    const UserName = uniqueName();
    const { User } = await api.iam.send(new CreateUserCommand({ UserName }));
    expect(User?.Path).toBe('/');
    expect(User?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/${UserName}`);
  });

  it('refuses a duplicate name, whatever its case', async () => {
    const UserName = uniqueName('Dup');
    await api.iam.send(new CreateUserCommand({ UserName }));
    expect(await awsError(api.iam.send(new CreateUserCommand({ UserName: UserName.toLowerCase() })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `User with name ${UserName.toLowerCase()} already exists.`,
      status: 409,
    });
  });

  it('GetUser of an unknown user is NoSuchEntity', async () => {
    expect(await awsError(api.iam.send(new GetUserCommand({ UserName: 'nobody' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The user with name nobody cannot be found.',
      status: 404,
    });
  });

  it('GetUser without UserName describes the caller: root, or the IAM user that signed', async () => {
    const root = await api.iam.send(new GetUserCommand({}));
    expect(root.User?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:root`);
    expect(root.User?.UserId).toBe(ACCOUNT_ID);

    const UserName = uniqueName('self');
    await api.iam.send(new CreateUserCommand({ UserName, Path: '/p/' }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    await api.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'SelfService', PolicyDocument: SELF_SERVICE_POLICY }));
    const asUser = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const self = await asUser.send(new GetUserCommand({}));
    expect(self.User?.UserName).toBe(UserName);
    expect(self.User?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/p/${UserName}`);
    // And by name, on itself, which its policy allows.
    expect((await asUser.send(new GetUserCommand({ UserName }))).User?.UserName).toBe(UserName);
  });

  it('rejects more than 50 tags', async () => {
    const Tags = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const err = await awsError(api.iam.send(new CreateUserCommand({ UserName: uniqueName(), Tags })));
    expect(err.message).toBe("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50");
  });
});

describe('UpdateUser', () => {
  it('renames and moves a user, keeping its id', async () => {
    const UserName = uniqueName('old');
    const { User } = await api.iam.send(new CreateUserCommand({ UserName }));
    const NewUserName = uniqueName('new');
    await api.iam.send(new UpdateUserCommand({ UserName, NewUserName, NewPath: '/moved/' }));
    const got = await api.iam.send(new GetUserCommand({ UserName: NewUserName }));
    expect(got.User?.UserId).toBe(User?.UserId);
    expect(got.User?.Path).toBe('/moved/');
    expect((await awsError(api.iam.send(new GetUserCommand({ UserName })))).code).toBe('NoSuchEntity');
  });

  it('refuses a new name that is taken, and an unknown user', async () => {
    const a = uniqueName('a');
    const b = uniqueName('b');
    await api.iam.send(new CreateUserCommand({ UserName: a }));
    await api.iam.send(new CreateUserCommand({ UserName: b }));
    expect(await awsError(api.iam.send(new UpdateUserCommand({ UserName: a, NewUserName: b })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `User with name ${b} already exists.`,
      status: 409,
    });
    expect((await awsError(api.iam.send(new UpdateUserCommand({ UserName: 'ghost', NewPath: '/x/' })))).code).toBe('NoSuchEntity');
  });

  it('may change only the case of a name', async () => {
    const UserName = uniqueName('case');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new UpdateUserCommand({ UserName, NewUserName: UserName.toUpperCase() }));
    expect((await api.iam.send(new GetUserCommand({ UserName }))).User?.UserName).toBe(UserName.toUpperCase());
  });
});

describe('DeleteUser', () => {
  it('deletes a user', async () => {
    const UserName = uniqueName('gone');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new DeleteUserCommand({ UserName }));
    expect((await awsError(api.iam.send(new GetUserCommand({ UserName })))).code).toBe('NoSuchEntity');
    expect(await awsError(api.iam.send(new DeleteUserCommand({ UserName })))).toEqual({
      code: 'NoSuchEntity',
      message: `The user with name ${UserName} cannot be found.`,
      status: 404,
    });
  });

  it('refuses while access keys remain', async () => {
    const UserName = uniqueName('keyed');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    expect(await awsError(api.iam.send(new DeleteUserCommand({ UserName })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete entity, must delete access keys first.',
      status: 409,
    });
    await api.iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId! }));
    await api.iam.send(new DeleteUserCommand({ UserName }));
  });
});

describe('ListUsers', () => {
  it('filters by a plain path prefix and pages with Marker, MaxItems and IsTruncated', async () => {
    const prefix = `/list-${process.pid}-${Date.now()}`;
    const names = ['carol', 'alice', 'bob', 'dave', 'erin'].map((n) => `${n}-${process.pid}`);
    for (const UserName of names) await api.iam.send(new CreateUserCommand({ UserName, Path: `${prefix}-lifecycle/` }));
    await api.iam.send(new CreateUserCommand({ UserName: uniqueName('elsewhere'), Path: '/other/' }));

    const seen: string[] = [];
    let Marker: string | undefined;
    let pages = 0;
    do {
      const page = await api.iam.send(new ListUsersCommand({ PathPrefix: prefix, MaxItems: 2, Marker }));
      pages++;
      expect(page.Users!.length).toBeLessThanOrEqual(2);
      seen.push(...page.Users!.map((u) => u.UserName!));
      expect(page.IsTruncated).toBe(page.Marker !== undefined);
      Marker = page.Marker;
      // ListUsers leaves tags out, as AWS does.
      for (const u of page.Users!) expect(u.Tags).toBeUndefined();
    } while (Marker);
    expect(pages).toBe(3);
    expect(seen).toEqual([...names].sort());
  });

  it('returns an empty list for a prefix nobody has', async () => {
    const page = await api.iam.send(new ListUsersCommand({ PathPrefix: '/nobody-lives-here/' }));
    expect(page.Users).toEqual([]);
    expect(page.IsTruncated).toBe(false);
  });

  it('rejects a forged marker', async () => {
    const err = await awsError(api.iam.send(new ListUsersCommand({ Marker: 'not a marker!' })));
    expect(err.code).toBe('ValidationError');
  });
});

describe('tags', () => {
  it('TagUser upserts, UntagUser removes, ListUserTags pages', async () => {
    const UserName = uniqueName('tagged');
    await api.iam.send(new CreateUserCommand({ UserName, Tags: [{ Key: 'a', Value: '1' }] }));
    await api.iam.send(new TagUserCommand({ UserName, Tags: [{ Key: 'b', Value: '2' }, { Key: 'A', Value: 'one' }] }));
    expect((await api.iam.send(new ListUserTagsCommand({ UserName }))).Tags).toEqual([
      { Key: 'A', Value: 'one' },
      { Key: 'b', Value: '2' },
    ]);
    const first = await api.iam.send(new ListUserTagsCommand({ UserName, MaxItems: 1 }));
    expect(first.IsTruncated).toBe(true);
    const second = await api.iam.send(new ListUserTagsCommand({ UserName, MaxItems: 1, Marker: first.Marker }));
    expect(second.Tags).toEqual([{ Key: 'b', Value: '2' }]);
    expect(second.IsTruncated).toBe(false);

    await api.iam.send(new UntagUserCommand({ UserName, TagKeys: ['a'] }));
    expect((await api.iam.send(new ListUserTagsCommand({ UserName }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
  });

  it('refuses to go past 50 tags and keeps the old ones', async () => {
    const UserName = uniqueName('full');
    const Tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    await api.iam.send(new CreateUserCommand({ UserName, Tags }));
    expect(await awsError(api.iam.send(new TagUserCommand({ UserName, Tags: [{ Key: 'one-more', Value: 'v' }] })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for TagsPerUser: 50',
      status: 409,
    });
    expect((await api.iam.send(new ListUserTagsCommand({ UserName }))).Tags).toHaveLength(50);
  });

  it('refuses duplicate keys in one request', async () => {
    const UserName = uniqueName('dupkeys');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const err = await awsError(api.iam.send(new TagUserCommand({ UserName, Tags: [{ Key: 'x', Value: '1' }, { Key: 'X', Value: '2' }] })));
    expect(err.code).toBe('InvalidInput');
  });

  it('reports an unknown user', async () => {
    expect((await awsError(api.iam.send(new TagUserCommand({ UserName: 'ghost', Tags: [{ Key: 'a', Value: 'b' }] })))).code).toBe('NoSuchEntity');
    expect((await awsError(api.iam.send(new ListUserTagsCommand({ UserName: 'ghost' })))).code).toBe('NoSuchEntity');
  });
});
