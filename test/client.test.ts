import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AccessKey,
  AccountPasswordPolicy,
  Group,
  IAM,
  IamClientError,
  LoginProfile,
  Policy,
  ResourceNotLoadedError,
  User,
  UserPolicy,
  WaiterTimeoutError,
  hasErrorCode,
  isAccessDenied,
  isDeleteConflict,
  isEntityAlreadyExists,
  isLimitExceeded,
  isMalformedPolicyDocument,
  isNoSuchEntity,
  isPasswordPolicyViolation,
  isValidationError,
} from '../src/client/index.js';
import { ACCOUNT_ID, ROOT, SELF_SERVICE_POLICY, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

/** iamd/client against the real server: every resource, action, reference, collection, waiter and error. */
const api = useServer();
let iam: IAM;

beforeAll(() => {
  iam = new IAM({ endpoint: api.url, credentials: ROOT, maxAttempts: 1 });
});

/** The IamClientError a call fails with. */
async function failure(call: Promise<unknown>): Promise<IamClientError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof IamClientError) return e;
    throw e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const REQUEST_ID = /^[0-9a-f-]{36}$/;

describe('IAM', () => {
  it('defaults the region to us-east-1 and keeps the endpoint', async () => {
    const plain = new IAM({ endpoint: api.url, credentials: ROOT });
    expect(await plain.client.config.region()).toBe('us-east-1');
    const other = new IAM({ endpoint: api.url, credentials: ROOT, region: 'eu-west-1' });
    expect(await other.client.config.region()).toBe('eu-west-1');
    expect((await other.User('nobody-here').exists())).toBe(false); // IAM is global: any region signs
  });

  it('talks to AWS when no endpoint is given (nothing is sent until a call)', async () => {
    const aws = new IAM({ credentials: ROOT });
    const endpoint = await aws.client.config.endpointProvider({ Region: 'us-east-1', UseFIPS: false, UseDualStack: false } as never, {});
    expect(endpoint.url.hostname).toBe('iam.amazonaws.com');
  });

  it('is what the package exports as iamd/client (the exports map, built)', async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('iamd/client'); console.log(JSON.stringify(Object.keys(m).sort()))"],
      { cwd: root },
    );
    const names = JSON.parse(stdout) as string[];
    expect(names).toEqual(
      expect.arrayContaining(['IAM', 'User', 'LoginProfile', 'AccessKey', 'AccountPasswordPolicy', 'Group', 'Policy', 'IamClientError', 'isNoSuchEntity', 'Role', 'InstanceProfile', 'VirtualMfaDevice', 'CurrentUser']),
    );
  });
});

describe('User', () => {
  it('creates, loads lazily, reloads, renames and deletes', async () => {
    const name = uniqueName('cu');
    const user = iam.User(name);
    expect(user).toBeInstanceOf(User);
    expect(user.name).toBe(name);
    expect(user.userName).toBe(name); // the identifier needs no load
    expect(user.loaded).toBe(false);
    expect(() => user.arn).toThrow(ResourceNotLoadedError);
    expect(() => user.arn).toThrow(`User("${name}").arn is not loaded yet: call "await resource.load()" first`);
    expect(await user.exists()).toBe(false);

    const created = await user.create({ Path: '/client/', Tags: [{ Key: 'team', Value: 'id' }] });
    expect(created).toBe(user);
    expect(user.loaded).toBe(true);
    expect(user.arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/client/${name}`);

    const fresh = await iam.User(name).load();
    expect(fresh.path).toBe('/client/');
    expect(fresh.userId).toMatch(/^AIDA/);
    expect(fresh.createDate).toBeInstanceOf(Date);
    expect(fresh.passwordLastUsed).toBeUndefined();
    expect(fresh.permissionsBoundary).toBeUndefined();
    expect(fresh.tags).toEqual([{ Key: 'team', Value: 'id' }]);
    expect(fresh.data?.UserName).toBe(name);
    expect(await fresh.exists()).toBe(true);

    const renamed = await fresh.update({ NewUserName: `${name}-new`, NewPath: '/moved/' });
    expect(renamed.name).toBe(`${name}-new`);
    await renamed.reload();
    expect(renamed.arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/moved/${name}-new`);
    expect(await iam.User(name).exists()).toBe(false);

    await renamed.delete();
    expect(await renamed.exists()).toBe(false);
  });

  it('iam.createUser returns the user loaded; currentUser is the caller', async () => {
    const user = await iam.createUser({ UserName: uniqueName('cur') });
    expect(user.loaded).toBe(true);
    expect(user.path).toBe('/');
    await user.putPolicy('Self', SELF_SERVICE_POLICY);
    const key = await user.createAccessKey();
    const asUser = new IAM({ endpoint: api.url, credentials: { accessKeyId: key.id, secretAccessKey: key.secretAccessKey! }, maxAttempts: 1 });
    const me = await asUser.currentUser();
    expect(me.name).toBe(user.name);
    expect(me.arn).toBe(user.arn);
    expect(me.isRoot).toBe(false);
    // The root user is the account's root, as GetUser answers it.
    const root = await iam.currentUser();
    expect([root.name, root.isRoot, root.arn, root.userId]).toEqual(['<root_account>', true, `arn:aws:iam::${ACCOUNT_ID}:root`, ACCOUNT_ID]);
  });
});

describe('LoginProfile', () => {
  it('is created from the user, updated the boto3 way, reloaded and deleted', async () => {
    const user = await iam.createUser({ UserName: uniqueName('lp') });
    const created = await user.createLoginProfile({ Password: 'First-Passw0rd!', PasswordResetRequired: false });
    expect(created).toBeInstanceOf(LoginProfile);
    expect(created.loaded).toBe(true);
    expect(created.userName).toBe(user.name);
    expect(created.passwordResetRequired).toBe(false);

    const lp = iam.LoginProfile(user.name);
    expect(() => lp.createDate).toThrow(ResourceNotLoadedError);
    await lp.update({ Password: 'Second-Passw0rd!', PasswordResetRequired: true });
    await lp.load();
    expect(lp.passwordResetRequired).toBe(true);
    expect(lp.createDate).toBeInstanceOf(Date);
    expect(lp.userName).toBe(user.name);

    await lp.update({ PasswordResetRequired: false });
    expect(lp.passwordResetRequired).toBe(true); // not refreshed until reload
    await lp.reload();
    expect(lp.passwordResetRequired).toBe(false);

    // References.
    expect(lp.user).toBeInstanceOf(User);
    expect(lp.user.name).toBe(user.name);
    expect(user.loginProfile).toBeInstanceOf(LoginProfile);
    expect(user.loginProfile.userName).toBe(user.name);

    await lp.delete();
    expect(await lp.exists()).toBe(false);
    const gone = await failure(lp.load());
    expect(gone.message).toBe(`Login Profile for User ${user.name} cannot be found.`);

    // create() straight on the resource.
    const again = await iam.LoginProfile(user.name).create({ Password: 'Third-Passw0rd!' });
    expect(again.passwordResetRequired).toBe(false);
  });

  it('lets the user change its own password (iam.changePassword with the user\'s keys)', async () => {
    const user = await iam.createUser({ UserName: uniqueName('chpw') });
    await user.createLoginProfile({ Password: 'Old-Passw0rd!1' });
    await user.attachPolicy('arn:aws:iam::aws:policy/IAMUserChangePassword');
    const key = await user.createAccessKey();
    const asUser = new IAM({ endpoint: api.url, credentials: { accessKeyId: key.id, secretAccessKey: key.secretAccessKey! }, maxAttempts: 1 });
    await asUser.changePassword({ OldPassword: 'Old-Passw0rd!1', NewPassword: 'New-Passw0rd!2' });
    const wrong = await failure(asUser.changePassword({ OldPassword: 'Old-Passw0rd!1', NewPassword: 'Newer-Passw0rd!3' }));
    expect([wrong.code, wrong.status, wrong.message]).toEqual(['AccessDenied', 403, 'The old password is incorrect.']);
    expect(wrong.operation).toBe('ChangePassword');
  });
});

describe('AccessKey', () => {
  it('is created with its secret, listed, deactivated, activated, used and deleted', async () => {
    const user = await iam.createUser({ UserName: uniqueName('ak') });
    await user.putPolicy('Self', SELF_SERVICE_POLICY);
    const key = await user.createAccessKey();
    expect(key).toBeInstanceOf(AccessKey);
    expect(key.id).toMatch(/^AKIA/);
    expect(key.accessKeyId).toBe(key.id);
    expect(key.secretAccessKey).toMatch(/^.{40}$/);
    expect(key.status).toBe('Active');
    expect(key.userName).toBe(user.name);
    expect(key.user.name).toBe(user.name);

    const listed = await user.accessKeys.all().toArray();
    expect(listed.map((k) => k.id)).toEqual([key.id]);
    expect(listed[0]!.loaded).toBe(true);
    expect(listed[0]!.status).toBe('Active');
    expect(listed[0]!.secretAccessKey).toBeUndefined(); // IAM shows a secret once

    const same = iam.AccessKey(user.name, key.id);
    expect(() => same.status).toThrow(ResourceNotLoadedError);
    await same.load();
    expect(same.createDate).toBeInstanceOf(Date);
    expect(user.AccessKey(key.id).id).toBe(key.id);

    expect((await key.lastUsed()).Region).toBe('N/A');
    const asUser = new IAM({ endpoint: api.url, credentials: { accessKeyId: key.id, secretAccessKey: key.secretAccessKey! }, maxAttempts: 1 });
    expect((await asUser.currentUser()).name).toBe(user.name);
    expect((await key.lastUsed()).ServiceName).toBe('iam');

    await key.deactivate();
    await same.reload();
    expect(same.status).toBe('Inactive');
    const refused = await failure(asUser.currentUser());
    expect([refused.code, refused.status]).toEqual(['InvalidClientTokenId', 403]);
    await key.activate();
    expect((await same.reload()).status).toBe('Active');

    await key.delete();
    const missing = await failure(same.load());
    expect([missing.code, missing.status, missing.message]).toEqual(['NoSuchEntity', 404, `The Access Key with id ${key.id} cannot be found.`]);
    expect(missing.requestId).toMatch(REQUEST_ID);
  });
});

describe('AccountPasswordPolicy', () => {
  it('is updated, loaded and deleted', async () => {
    const policy = iam.AccountPasswordPolicy();
    expect(policy).toBeInstanceOf(AccountPasswordPolicy);
    await policy.update({ MinimumPasswordLength: 12, RequireSymbols: true, MaxPasswordAge: 90, PasswordReusePrevention: 3, AllowUsersToChangePassword: true });
    await policy.load();
    expect({
      minimumPasswordLength: policy.minimumPasswordLength,
      requireSymbols: policy.requireSymbols,
      requireNumbers: policy.requireNumbers,
      requireUppercaseCharacters: policy.requireUppercaseCharacters,
      requireLowercaseCharacters: policy.requireLowercaseCharacters,
      allowUsersToChangePassword: policy.allowUsersToChangePassword,
      expirePasswords: policy.expirePasswords,
      maxPasswordAge: policy.maxPasswordAge,
      passwordReusePrevention: policy.passwordReusePrevention,
      hardExpiry: policy.hardExpiry,
    }).toEqual({
      minimumPasswordLength: 12,
      requireSymbols: true,
      requireNumbers: false,
      requireUppercaseCharacters: false,
      requireLowercaseCharacters: false,
      allowUsersToChangePassword: true,
      expirePasswords: true,
      maxPasswordAge: 90,
      passwordReusePrevention: 3,
      hardExpiry: undefined,
    });

    const user = await iam.createUser({ UserName: uniqueName('pp') });
    const weak = await failure(user.createLoginProfile({ Password: 'Short-1!' }));
    expect(isPasswordPolicyViolation(weak)).toBe(true);
    expect(weak.message).toBe('Password does not conform to the account password policy. Password should have a minimum length of 12');

    await policy.delete();
    expect(await policy.exists()).toBe(false);
    const none = await failure(policy.load());
    expect([none.code, none.status]).toEqual(['NoSuchEntity', 404]);
    expect(none.message).toMatch(/^The Password Policy with domain name \S+ cannot be found\.$/);
  });
});

describe('Group', () => {
  it('is created, gets members and policies, lists them, and refuses deletion while it has them', async () => {
    const group = await iam.createGroup({ GroupName: uniqueName('grp'), Path: '/teams/' });
    expect(group).toBeInstanceOf(Group);
    expect(group.arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:group/teams/${group.name}`);
    const plain = iam.Group(group.name);
    expect(() => plain.groupId).toThrow(ResourceNotLoadedError);
    await plain.load();
    expect(plain.groupId).toMatch(/^AGPA/);
    expect(plain.path).toBe('/teams/');
    expect(plain.createDate).toBeInstanceOf(Date);
    expect(plain.groupName).toBe(group.name);

    const members: User[] = [];
    for (let i = 0; i < 5; i++) members.push(await iam.createUser({ UserName: uniqueName('member') }));
    await group.addUser(members[0]!.name);
    for (const m of members.slice(1)) await m.addGroup(group.name);

    const listed = await group.users.pageSize(2).toArray();
    expect(listed.map((u) => u.name).sort()).toEqual(members.map((m) => m.name).sort());
    expect(listed[0]!.arn).toMatch(/^arn:aws:iam::/); // loaded from GetGroup
    expect((await members[0]!.groups.all().toArray()).map((g) => g.name)).toEqual([group.name]);

    await group.attachPolicy('arn:aws:iam::aws:policy/IAMUserChangePassword');
    expect((await group.attachedPolicies.all().toArray()).map((p) => p.arn)).toEqual(['arn:aws:iam::aws:policy/IAMUserChangePassword']);
    const conflict = await failure(group.delete());
    expect(isDeleteConflict(conflict)).toBe(true);
    expect(conflict.status).toBe(409);

    await group.detachPolicy('arn:aws:iam::aws:policy/IAMUserChangePassword');
    await group.removeUser(members[0]!.name);
    for (const m of members.slice(1)) await m.removeGroup(group.name);
    expect(await group.users.all().toArray()).toEqual([]);
    await group.delete();
    expect(await group.exists()).toBe(false);

    const viaCreate = await iam.Group(uniqueName('grp2')).create();
    expect(viaCreate.path).toBe('/');
    expect((await iam.groups.filter({ PathPrefix: '/teams/' }).toArray()).map((g) => g.name)).not.toContain(group.name);
    expect((await iam.groups.all().toArray()).map((g) => g.name)).toContain(viaCreate.name);
  });
});

describe('Policy and UserPolicy', () => {
  const document = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }],
  };

  it('creates a managed policy, reads its document, attaches it, lists it with Scope Local', async () => {
    const policy = await iam.createPolicy({ PolicyName: uniqueName('pol'), PolicyDocument: JSON.stringify(document), Description: 'read users' });
    expect(policy).toBeInstanceOf(Policy);
    expect(policy.arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:policy/${policy.policyName}`);
    expect(policy.defaultVersionId).toBe('v1');

    const byArn = iam.Policy(policy.arn);
    expect(() => byArn.policyName).toThrow(ResourceNotLoadedError);
    expect(JSON.parse(await byArn.defaultDocument())).toEqual(document); // loads first
    expect(byArn.policyId).toMatch(/^ANPA/);
    expect(byArn.isAttachable).toBe(true);
    expect(byArn.attachmentCount).toBe(0);
    expect(byArn.path).toBe('/');

    const user = await iam.createUser({ UserName: uniqueName('polu') });
    await policy.attachUser(user.name);
    expect((await user.attachedPolicies.all().toArray()).map((p) => p.arn)).toEqual([policy.arn]);
    expect((await byArn.reload()).attachmentCount).toBe(1);

    const local = await iam.policies.filter({ Scope: 'Local' }).toArray();
    expect(local.map((p) => p.arn)).toContain(policy.arn);
    expect(local.every((p) => !p.arn.startsWith('arn:aws:iam::aws:'))).toBe(true);
    const managed = await iam.policies.filter({ Scope: 'AWS' }).toArray();
    expect(managed.map((p) => p.policyName)).toContain('IAMUserChangePassword');

    const conflict = await failure(policy.delete());
    expect(conflict.code).toBe('DeleteConflict');
    await user.detachPolicy(policy.arn);
    const group = await iam.createGroup({ GroupName: uniqueName('polg') });
    await policy.attachGroup(group.name);
    await policy.detachGroup(group.name);
    await policy.attachUser(user.name);
    await policy.detachUser(user.name);
    await policy.delete();
    expect(await policy.exists()).toBe(false);

    const aws = await iam.Policy('arn:aws:iam::aws:policy/IAMUserChangePassword').load();
    expect(aws.policyName).toBe('IAMUserChangePassword');
  });

  it('puts, reads (decoded), lists and deletes an inline user policy', async () => {
    const user = await iam.createUser({ UserName: uniqueName('inl') });
    const put = await user.putPolicy('ReadUsers', document);
    expect(put).toBeInstanceOf(UserPolicy);
    await put.load();
    expect(JSON.parse(put.policyDocument)).toEqual(document);
    expect(put.policyName).toBe('ReadUsers');
    expect(put.user.name).toBe(user.name);
    await iam.UserPolicy(user.name, 'Second').put(JSON.stringify(document));
    expect((await user.policies.all().toArray()).map((p) => p.name)).toEqual(['ReadUsers', 'Second']);
    await user.Policy('Second').delete();
    expect((await user.policies.all().toArray()).map((p) => p.name)).toEqual(['ReadUsers']);
    const conflict = await failure(user.delete());
    expect(conflict.message).toBe('Cannot delete entity, must delete policies first.');
  });
});

describe('collections', () => {
  it('pages through more than 100 users with a small page size', async () => {
    const prefix = `/paging-${process.pid}/`;
    const names: string[] = [];
    for (let i = 0; i < 105; i++) names.push(uniqueName('page'));
    await Promise.all(names.map((UserName) => iam.createUser({ UserName, Path: prefix })));
    names.sort();

    const pageSizes: number[] = [];
    for await (const page of iam.users.filter({ PathPrefix: prefix }).pageSize(7).pages()) pageSizes.push(page.length);
    expect(pageSizes).toEqual([...Array(15).fill(7)]);

    const seen: string[] = [];
    for await (const user of iam.users.filter({ PathPrefix: prefix }).pageSize(10)) {
      expect(user.path).toBe(prefix); // loaded from ListUsers
      seen.push(user.name);
    }
    expect(seen).toEqual(names); // ListUsers orders by name, no page repeats or skips

    // Without a page size, IAM's default page (100) and then the rest.
    const all = await iam.users.filter({ PathPrefix: prefix }).toArray();
    expect(all.map((u) => u.name)).toEqual(names);
    expect(all.length).toBe(105);
    const everyone = await iam.users.all().toArray();
    expect(everyone.length).toBeGreaterThan(105);

    expect((await iam.users.filter({ PathPrefix: prefix }).limit(12).pageSize(5).toArray()).map((u) => u.name)).toEqual(names.slice(0, 12));
    expect((await iam.users.filter({ PathPrefix: prefix }).limit(0).toArray())).toEqual([]);
    expect(() => iam.users.pageSize(0)).toThrow(RangeError);
    expect(() => iam.users.limit(-1)).toThrow(RangeError);
  }, 60_000);
});

describe('waiters', () => {
  it('waits until a user and its login profile exist', async () => {
    const name = uniqueName('wait');
    const user = iam.User(name);
    const waiting = user.waitUntilExists({ delayMs: 50, maxAttempts: 40 });
    setTimeout(() => void iam.createUser({ UserName: name }), 200);
    await waiting;
    expect(user.loaded).toBe(true);
    expect(user.arn).toContain(name);

    const lp = user.loginProfile;
    const waitingProfile = lp.waitUntilExists({ delayMs: 50, maxAttempts: 40 });
    setTimeout(() => void user.createLoginProfile({ Password: 'Waited-Passw0rd!' }), 200);
    await waitingProfile;
    expect(lp.passwordResetRequired).toBe(false);

    const gone = lp.waitUntilNotExists({ delayMs: 50, maxAttempts: 40 });
    setTimeout(() => void lp.delete(), 100);
    await gone;
    await user.delete();
    await user.waitUntilNotExists({ delayMs: 50, maxAttempts: 2 });
  });

  it('gives up after its attempts, and refuses unbounded settings', async () => {
    const user = iam.User(uniqueName('never'));
    const started = Date.now();
    const err = await user.waitUntilExists({ delayMs: 20, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaiterTimeoutError);
    expect((err as WaiterTimeoutError).attempts).toBe(3);
    expect((err as Error).message).toBe(`gave up waiting for User("${user.name}") to exist after 3 attempts`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    await expect(user.waitUntilExists({ maxAttempts: 0 })).rejects.toThrow(RangeError);
    await expect(user.waitUntilExists({ delayMs: 10 * 60_000 })).rejects.toThrow(RangeError);
    await expect(user.loginProfile.waitUntilExists({ maxAttempts: 1001 })).rejects.toThrow(RangeError);

    const controller = new AbortController();
    const aborted = user.waitUntilExists({ delayMs: 1000, maxAttempts: 10, signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new Error('stop')), 50);
    expect(((await aborted) as Error).message).toBe('stop');
  });

  it('stops at once on an error other than NoSuchEntity', async () => {
    const denied = new IAM({ endpoint: api.url, credentials: { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'x'.repeat(40) }, maxAttempts: 1 });
    const err = await failure(denied.User('anyone').waitUntilExists({ delayMs: 10, maxAttempts: 5 }));
    expect(err.code).toBe('InvalidClientTokenId');
  });
});

describe('errors', () => {
  it('map every AWS error code with status, message and request id', async () => {
    const name = uniqueName('err');
    const missing = await failure(iam.User(name).load());
    expect(missing).toBeInstanceOf(Error);
    expect(missing.name).toBe('IamClientError');
    expect([missing.code, missing.status, missing.message, missing.operation]).toEqual([
      'NoSuchEntity',
      404,
      `The user with name ${name} cannot be found.`,
      'GetUser',
    ]);
    expect(missing.requestId).toMatch(REQUEST_ID);
    expect((missing.cause as Error).name).toBe('NoSuchEntityException');
    expect(isNoSuchEntity(missing)).toBe(true);
    expect(hasErrorCode(missing, 'NoSuchEntity')).toBe(true);
    expect(isNoSuchEntity(new Error('NoSuchEntity'))).toBe(false);

    const user = await iam.createUser({ UserName: name });
    const dup = await failure(iam.createUser({ UserName: name }));
    expect([dup.code, dup.status, dup.message]).toEqual(['EntityAlreadyExists', 409, `User with name ${name} already exists.`]);
    expect(isEntityAlreadyExists(dup)).toBe(true);

    const invalid = await failure(user.createLoginProfile({ Password: 'x'.repeat(129) }));
    expect([invalid.code, invalid.status]).toEqual(['ValidationError', 400]);
    expect(invalid.message).toBe("1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128");
    expect(isValidationError(invalid)).toBe(true);

    const weak = await failure(user.createLoginProfile({ Password: 'weakpassword' }));
    expect([weak.code, weak.status]).toEqual(['PasswordPolicyViolation', 400]);
    expect(isPasswordPolicyViolation(weak)).toBe(true);

    await user.createLoginProfile({ Password: 'Strong-Passw0rd!' });
    const dupProfile = await failure(user.createLoginProfile({ Password: 'Strong-Passw0rd!' }));
    expect([dupProfile.code, dupProfile.status, dupProfile.message]).toEqual(['EntityAlreadyExists', 409, `Login Profile for user ${name} already exists.`]);

    const conflict = await failure(user.delete());
    expect([conflict.code, conflict.status, conflict.message]).toEqual(['DeleteConflict', 409, 'Cannot delete entity, must delete login profile first.']);
    expect(isDeleteConflict(conflict)).toBe(true);

    const first = await user.createAccessKey();
    await user.createAccessKey();
    const limit = await failure(user.createAccessKey());
    expect([limit.code, limit.status, limit.message]).toEqual(['LimitExceeded', 409, 'Cannot exceed quota for AccessKeysPerUser: 2']);
    expect(isLimitExceeded(limit)).toBe(true);

    const asUser = new IAM({ endpoint: api.url, credentials: { accessKeyId: first.id, secretAccessKey: first.secretAccessKey! }, maxAttempts: 1 });
    const denied = await failure(asUser.users.all().toArray());
    expect([denied.code, denied.status, denied.operation]).toEqual(['AccessDenied', 403, 'ListUsers']);
    expect(denied.message).toContain(`User: arn:aws:iam::${ACCOUNT_ID}:user/${name} is not authorized to perform: iam:ListUsers`);
    expect(isAccessDenied(denied)).toBe(true);

    const malformed = await failure(user.putPolicy('Bad', 'not json'));
    expect([malformed.code, malformed.status]).toEqual(['MalformedPolicyDocument', 400]);
    expect(isMalformedPolicyDocument(malformed)).toBe(true);

    const badSecret = new IAM({ endpoint: api.url, credentials: { accessKeyId: ROOT.accessKeyId, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    const signature = await failure(badSecret.User(name).load());
    expect([signature.code, signature.status]).toEqual(['SignatureDoesNotMatch', 403]);

    const noPolicy = await failure(iam.User(name).Policy('absent').load());
    expect([noPolicy.code, noPolicy.status]).toEqual(['NoSuchEntity', 404]);
  });

  it('leaves errors that are not IAM answers (a refused connection) as they are', async () => {
    const nowhere = new IAM({ endpoint: 'http://127.0.0.1:1', credentials: ROOT, maxAttempts: 1 });
    const err = await nowhere.User('x').load().catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(IamClientError);
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});
