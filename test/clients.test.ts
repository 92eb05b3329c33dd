import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteAccountPasswordPolicyCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListUserPoliciesCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';

/**
 * The core scenario through the two other real clients, boto3 and the AWS CLI, both installed on
 * the project's machines. A missing tool fails these tests; they are never skipped.
 */
const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

const api = useServer();
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  env = {
    ...process.env,
    AWS_ENDPOINT_URL: api.url,
    AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
    AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
  };
});

describe('boto3', () => {
  it('runs the login-profile scenario, including LoginProfile(name).update()', async () => {
    const user = uniqueName('boto3');
    const { stdout } = await run('python3', [path.join(here, 'clients/boto3_scenario.py')], { env: { ...env, IAMD_TEST_USER: user } });
    const seen = JSON.parse(stdout);
    expect(seen).toEqual({
      arn: `arn:aws:iam::123456789012:user/boto3/${user}`,
      user_id_prefix: 'AIDA',
      created_reset_required: false,
      update_status: 200,
      reset_required_after_update: true,
      profile_create_date_is_datetime: true,
      reset_required_after_clear: false,
      missing_user_error: { code: 'NoSuchEntity', message: `The user with name ${user}-missing cannot be found.`, status: 404 },
      validation_error: {
        code: 'ValidationError',
        message: "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128",
        status: 400,
      },
      duplicate_profile_error: { code: 'EntityAlreadyExists', message: `Login Profile for user ${user} already exists.`, status: 409 },
      key_listed: true,
      self_user_name: user,
      delete_conflict_error: { code: 'DeleteConflict', message: 'Cannot delete entity, must delete login profile first.', status: 409 },
      profile_gone_error: { code: 'NoSuchEntity', message: `Login Profile for User ${user} cannot be found.`, status: 404 },
      user_gone: 'NoSuchEntity',
    });
  });
});

describe('boto3 and the password policy', () => {
  it('enforces the account policy, reuse prevention and ChangePassword through boto3', async () => {
    const user = uniqueName('boto3pp');
    const { stdout } = await run('python3', [path.join(here, 'clients/boto3_password_policy.py')], { env: { ...env, IAMD_TEST_USER: user } });
    const custom = 'Password does not conform to the account password policy.';
    expect(JSON.parse(stdout)).toEqual({
      policy: {
        AllowUsersToChangePassword: true,
        ExpirePasswords: false,
        MinimumPasswordLength: 10,
        PasswordReusePrevention: 2,
        RequireLowercaseCharacters: false,
        RequireNumbers: true,
        RequireSymbols: true,
        RequireUppercaseCharacters: false,
      },
      resource_minimum_length: 10,
      weak_create: {
        code: 'PasswordPolicyViolation',
        message: `${custom} Password should have a minimum length of 10, Password should have at least one number, Password should have at least one symbol`,
        status: 400,
      },
      reuse: { code: 'PasswordPolicyViolation', message: `${custom} Password should not be one of your 2 previous passwords`, status: 400 },
      wrong_old: { code: 'AccessDenied', message: 'The old password is incorrect.', status: 403 },
      changed: true,
      user_reads_policy: 10,
      root_change: {
        code: 'InvalidUserType',
        message: 'Only IAM users can change their own password; the root user changes it in the root sign-in settings.',
        status: 400,
      },
      policy_gone: { code: 'NoSuchEntity', message: 'The Password Policy with domain name 123456789012 cannot be found.', status: 404 },
    });
  });
});

describe('AWS CLI', () => {
  const aws = async (...args: string[]) => {
    const { stdout } = await run('aws', ['--endpoint-url', api.url, '--output', 'json', 'iam', ...args], { env });
    return stdout.trim() === '' ? {} : JSON.parse(stdout);
  };
  const awsFails = async (...args: string[]) => {
    try {
      await run('aws', ['--endpoint-url', api.url, 'iam', ...args], { env });
    } catch (e) {
      return (e as { stderr: string }).stderr;
    }
    throw new Error('expected the aws command to fail');
  };

  it('runs the login-profile scenario with update-login-profile', async () => {
    const user = uniqueName('cli');
    expect((await aws('create-user', '--user-name', user)).User.Arn).toBe(`arn:aws:iam::123456789012:user/${user}`);
    const created = await aws('create-login-profile', '--user-name', user, '--password', 'Cli-Initial-1!', '--no-password-reset-required');
    expect(created.LoginProfile).toMatchObject({ UserName: user, PasswordResetRequired: false });

    await aws('update-login-profile', '--user-name', user, '--password', 'Cli-Changed-2!', '--password-reset-required');
    expect((await aws('get-login-profile', '--user-name', user)).LoginProfile.PasswordResetRequired).toBe(true);
    await aws('update-login-profile', '--user-name', user, '--no-password-reset-required');
    expect((await aws('get-login-profile', '--user-name', user)).LoginProfile.PasswordResetRequired).toBe(false);

    expect(await awsFails('update-login-profile', '--user-name', `${user}-missing`, '--password', 'Xx-1234567')).toContain(
      `An error occurred (NoSuchEntity) when calling the UpdateLoginProfile operation: The user with name ${user}-missing cannot be found.`,
    );
    expect(await awsFails('update-login-profile', '--user-name', user, '--password', 'Ā-not-latin-1')).toContain(
      'An error occurred (ValidationError) when calling the UpdateLoginProfile operation: 1 validation error detected: ' +
        "Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern",
    );

    const listed = await aws('list-users');
    expect(listed.Users.map((u: { UserName: string }) => u.UserName)).toContain(user);
    await aws('delete-login-profile', '--user-name', user);
    await aws('delete-user', '--user-name', user);
    expect(await awsFails('get-user', '--user-name', user)).toContain('(NoSuchEntity)');
  }, 180_000); // the CLI starts a Python interpreter per command: about a second each
});

describe('AWS CLI: users change only their own password, helpdesk resets anyone but the admins', () => {
  it('is set up with AWS managed policies and CLI commands alone, and enforced', async () => {
    const aws = async (args: string[], credentials?: { id: string; secret: string }) => {
      const e = credentials ? { ...env, AWS_ACCESS_KEY_ID: credentials.id, AWS_SECRET_ACCESS_KEY: credentials.secret } : env;
      try {
        const { stdout } = await run('aws', ['--endpoint-url', api.url, '--output', 'json', 'iam', ...args], { env: e });
        return { ok: true as const, out: stdout.trim() === '' ? {} : JSON.parse(stdout) };
      } catch (err) {
        return { ok: false as const, err: (err as { stderr: string }).stderr };
      }
    };
    const s = process.pid;
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:UpdateLoginProfile', Resource: 'arn:aws:iam::123456789012:user/*' },
        { Effect: 'Deny', Action: 'iam:UpdateLoginProfile', Resource: 'arn:aws:iam::123456789012:user/admins/*' },
      ],
    });
    const setup = [
      ['create-group', '--group-name', `everyone-${s}`],
      ['attach-group-policy', '--group-name', `everyone-${s}`, '--policy-arn', 'arn:aws:iam::aws:policy/IAMUserChangePassword'],
      ['create-group', '--group-name', `helpdesk-${s}`],
      ['put-group-policy', '--group-name', `helpdesk-${s}`, '--policy-name', 'ResetPasswords', '--policy-document', policy],
      ['create-user', '--user-name', `staff-${s}`, '--path', '/staff/'],
      ['create-user', '--user-name', `root-admin-${s}`, '--path', '/admins/'],
      ['create-user', '--user-name', `desk-${s}`, '--path', '/staff/'],
      ['create-login-profile', '--user-name', `staff-${s}`, '--password', 'Staff-Passw0rd!'],
      ['create-login-profile', '--user-name', `root-admin-${s}`, '--password', 'Admin-Passw0rd!'],
      ['add-user-to-group', '--group-name', `everyone-${s}`, '--user-name', `staff-${s}`],
      ['add-user-to-group', '--group-name', `helpdesk-${s}`, '--user-name', `desk-${s}`],
    ];
    for (const args of setup) expect((await aws(args)).ok, args.join(' ')).toBe(true);
    const keyOf = async (user: string) => {
      const r = await aws(['create-access-key', '--user-name', user]);
      return { id: r.ok ? r.out.AccessKey.AccessKeyId : '', secret: r.ok ? r.out.AccessKey.SecretAccessKey : '' };
    };
    const staff = await keyOf(`staff-${s}`);
    const desk = await keyOf(`desk-${s}`);

    expect((await aws(['change-password', '--old-password', 'Staff-Passw0rd!', '--new-password', 'Staff-Own-1!'], staff)).ok).toBe(true);
    const hijack = await aws(['update-login-profile', '--user-name', `root-admin-${s}`, '--password', 'Hijack-1!'], staff);
    expect(hijack.ok ? '' : hijack.err).toContain('because no identity-based policy allows the iam:UpdateLoginProfile action');
    expect((await aws(['update-login-profile', '--user-name', `staff-${s}`, '--password-reset-required'], desk)).ok).toBe(true);
    const blocked = await aws(['update-login-profile', '--user-name', `root-admin-${s}`, '--password', 'Hijack-1!'], desk);
    expect(blocked.ok ? '' : blocked.err).toContain(
      `(AccessDenied) when calling the UpdateLoginProfile operation: User: arn:aws:iam::123456789012:user/staff/desk-${s} is not authorized to perform: ` +
        `iam:UpdateLoginProfile on resource: user root-admin-${s} with an explicit deny in an identity-based policy`,
    );
  }, 180_000);
});

/*
 * The compatibility scenario: the very same steps through the AWS CLI v1, boto3 and the AWS SDK
 * for JavaScript v3, each reporting what it saw in one shape, checked against one expectation.
 * A user, the account password policy, a login profile, an access key, an inline policy,
 * ChangePassword by the user itself, and errors. The CLI prints no HTTP status, so its errors are
 * compared on code and message only.
 */
interface SeenError {
  code: string;
  message: string;
  status?: number;
}

const SELF_READ = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: 'arn:aws:iam::*:user/compat/${aws:username}' }],
};

function compatExpected(user: string, withStatus: boolean): Record<string, unknown> {
  const err = (code: string, message: string, status: number): SeenError => (withStatus ? { code, message, status } : { code, message });
  return {
    arn: `arn:aws:iam::123456789012:user/compat/${user}`,
    policy: { MinimumPasswordLength: 10, RequireNumbers: true, RequireSymbols: true, AllowUsersToChangePassword: true, ExpirePasswords: false },
    weak_password_error: err(
      'PasswordPolicyViolation',
      'Password does not conform to the account password policy. Password should have a minimum length of 10, ' +
        'Password should have at least one number, Password should have at least one symbol',
      400,
    ),
    created_reset_required: true,
    key_id_prefix: 'AKIA',
    keys_listed: [[true, 'Active']],
    inline_policies: ['SelfRead'],
    inline_document: SELF_READ,
    self_user_name: user,
    reset_required_after_change: false,
    wrong_old_password_error: err('AccessDenied', 'The old password is incorrect.', 403),
    reset_required_after_admin_update: true,
    missing_user_error: err('NoSuchEntity', `The user with name ${user}-missing cannot be found.`, 404),
    delete_conflict_error: err('DeleteConflict', 'Cannot delete entity, must delete login profile first.', 409),
    user_gone: 'NoSuchEntity',
    policy_gone: 'NoSuchEntity',
  };
}

describe('compatibility scenario: AWS CLI v1', () => {
  it('runs users, password policy, login profile, ChangePassword, access keys, inline policy and errors', async () => {
    const user = uniqueName('compatcli');
    const cli = async (args: string[], keys?: { id: string; secret: string }) => {
      const e = keys ? { ...env, AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret } : env;
      const { stdout } = await run('aws', ['--endpoint-url', api.url, '--output', 'json', 'iam', ...args], { env: e });
      return stdout.trim() === '' ? {} : JSON.parse(stdout);
    };
    const cliError = async (args: string[], keys?: { id: string; secret: string }): Promise<SeenError> => {
      try {
        await cli(args, keys);
      } catch (e) {
        const stderr = (e as { stderr: string }).stderr;
        const m = /An error occurred \((\w+)\) when calling the \w+ operation: (.*)/.exec(stderr);
        if (!m) throw new Error(`unexpected aws output: ${stderr}`);
        return { code: m[1]!, message: m[2]!.trim() };
      }
      throw new Error(`expected aws iam ${args.join(' ')} to fail`);
    };
    const seen: Record<string, unknown> = {};
    seen.arn = (await cli(['create-user', '--user-name', user, '--path', '/compat/'])).User.Arn;
    await cli(['update-account-password-policy', '--minimum-password-length', '10', '--require-numbers', '--require-symbols', '--allow-users-to-change-password']);
    const policy = (await cli(['get-account-password-policy'])).PasswordPolicy;
    seen.policy = Object.fromEntries(
      ['MinimumPasswordLength', 'RequireNumbers', 'RequireSymbols', 'AllowUsersToChangePassword', 'ExpirePasswords'].map((k) => [k, policy[k]]),
    );
    seen.weak_password_error = await cliError(['create-login-profile', '--user-name', user, '--password', 'shortpass']);
    const profile = await cli(['create-login-profile', '--user-name', user, '--password', 'Compat-Init-1!', '--password-reset-required']);
    seen.created_reset_required = profile.LoginProfile.PasswordResetRequired;

    const key = (await cli(['create-access-key', '--user-name', user])).AccessKey;
    const keys = { id: key.AccessKeyId as string, secret: key.SecretAccessKey as string };
    seen.key_id_prefix = keys.id.slice(0, 4);
    seen.keys_listed = (await cli(['list-access-keys', '--user-name', user])).AccessKeyMetadata.map((k: { AccessKeyId: string; Status: string }) => [
      k.AccessKeyId === keys.id,
      k.Status,
    ]);

    await cli(['put-user-policy', '--user-name', user, '--policy-name', 'SelfRead', '--policy-document', JSON.stringify(SELF_READ)]);
    seen.inline_policies = (await cli(['list-user-policies', '--user-name', user])).PolicyNames;
    seen.inline_document = (await cli(['get-user-policy', '--user-name', user, '--policy-name', 'SelfRead'])).PolicyDocument;

    seen.self_user_name = (await cli(['get-user'], keys)).User.UserName;
    await cli(['change-password', '--old-password', 'Compat-Init-1!', '--new-password', 'Compat-Own-2!'], keys);
    seen.reset_required_after_change = (await cli(['get-login-profile', '--user-name', user])).LoginProfile.PasswordResetRequired;
    seen.wrong_old_password_error = await cliError(['change-password', '--old-password', 'Compat-Init-1!', '--new-password', 'Compat-Own-3!'], keys);

    await cli(['update-login-profile', '--user-name', user, '--password-reset-required']);
    seen.reset_required_after_admin_update = (await cli(['get-login-profile', '--user-name', user])).LoginProfile.PasswordResetRequired;

    seen.missing_user_error = await cliError(['get-user', '--user-name', `${user}-missing`]);
    seen.delete_conflict_error = await cliError(['delete-user', '--user-name', user]);

    await cli(['delete-access-key', '--user-name', user, '--access-key-id', keys.id]);
    await cli(['delete-user-policy', '--user-name', user, '--policy-name', 'SelfRead']);
    await cli(['delete-login-profile', '--user-name', user]);
    await cli(['delete-user', '--user-name', user]);
    await cli(['delete-account-password-policy']);
    seen.user_gone = (await cliError(['get-user', '--user-name', user])).code;
    seen.policy_gone = (await cliError(['get-account-password-policy'])).code;

    expect(seen).toEqual(compatExpected(user, false));
  }, 300_000); // one to three seconds per CLI command
});

describe('compatibility scenario: boto3', () => {
  it('runs users, password policy, login profile, ChangePassword, access keys, inline policy and errors', async () => {
    const user = uniqueName('compatboto');
    const { stdout } = await run('python3', [path.join(here, 'clients/boto3_compat_scenario.py')], { env: { ...env, IAMD_TEST_USER: user } });
    expect(JSON.parse(stdout)).toEqual(compatExpected(user, true));
  }, 60_000);
});

describe('compatibility scenario: AWS SDK for JavaScript v3', () => {
  it('runs users, password policy, login profile, ChangePassword, access keys, inline policy and errors', async () => {
    const user = uniqueName('compatjs');
    const client = (credentials = ROOT) => new IAMClient({ endpoint: api.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const iam = client();
    const errorOf = async (call: Promise<unknown>): Promise<SeenError> => {
      try {
        await call;
      } catch (e) {
        const err = e as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
        return { code: err.Code ?? err.name, message: err.message, status: err.$metadata!.httpStatusCode! };
      }
      throw new Error('expected the call to fail');
    };
    const seen: Record<string, unknown> = {};
    seen.arn = (await iam.send(new CreateUserCommand({ UserName: user, Path: '/compat/' }))).User!.Arn;
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10, RequireNumbers: true, RequireSymbols: true, AllowUsersToChangePassword: true }));
    const policy = (await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy!;
    seen.policy = {
      MinimumPasswordLength: policy.MinimumPasswordLength,
      RequireNumbers: policy.RequireNumbers,
      RequireSymbols: policy.RequireSymbols,
      AllowUsersToChangePassword: policy.AllowUsersToChangePassword,
      ExpirePasswords: policy.ExpirePasswords,
    };
    seen.weak_password_error = await errorOf(iam.send(new CreateLoginProfileCommand({ UserName: user, Password: 'shortpass' })));
    const profile = await iam.send(new CreateLoginProfileCommand({ UserName: user, Password: 'Compat-Init-1!', PasswordResetRequired: true }));
    seen.created_reset_required = profile.LoginProfile!.PasswordResetRequired;

    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: user }))).AccessKey!;
    seen.key_id_prefix = key.AccessKeyId!.slice(0, 4);
    seen.keys_listed = (await iam.send(new ListAccessKeysCommand({ UserName: user }))).AccessKeyMetadata!.map((k) => [k.AccessKeyId === key.AccessKeyId, k.Status]);

    await iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'SelfRead', PolicyDocument: JSON.stringify(SELF_READ) }));
    seen.inline_policies = (await iam.send(new ListUserPoliciesCommand({ UserName: user }))).PolicyNames;
    // IAM returns the document URL-encoded; boto3 and the CLI decode it, the JS SDK does not.
    const document = (await iam.send(new GetUserPolicyCommand({ UserName: user, PolicyName: 'SelfRead' }))).PolicyDocument!;
    seen.inline_document = JSON.parse(decodeURIComponent(document));

    const asUser = client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    seen.self_user_name = (await asUser.send(new GetUserCommand({}))).User!.UserName;
    await asUser.send(new ChangePasswordCommand({ OldPassword: 'Compat-Init-1!', NewPassword: 'Compat-Own-2!' }));
    seen.reset_required_after_change = (await iam.send(new GetLoginProfileCommand({ UserName: user }))).LoginProfile!.PasswordResetRequired;
    seen.wrong_old_password_error = await errorOf(asUser.send(new ChangePasswordCommand({ OldPassword: 'Compat-Init-1!', NewPassword: 'Compat-Own-3!' })));

    await iam.send(new UpdateLoginProfileCommand({ UserName: user, PasswordResetRequired: true }));
    seen.reset_required_after_admin_update = (await iam.send(new GetLoginProfileCommand({ UserName: user }))).LoginProfile!.PasswordResetRequired;

    seen.missing_user_error = await errorOf(iam.send(new GetUserCommand({ UserName: `${user}-missing` })));
    seen.delete_conflict_error = await errorOf(iam.send(new DeleteUserCommand({ UserName: user })));

    await iam.send(new DeleteAccessKeyCommand({ UserName: user, AccessKeyId: key.AccessKeyId! }));
    await iam.send(new DeleteUserPolicyCommand({ UserName: user, PolicyName: 'SelfRead' }));
    await iam.send(new DeleteLoginProfileCommand({ UserName: user }));
    await iam.send(new DeleteUserCommand({ UserName: user }));
    await iam.send(new DeleteAccountPasswordPolicyCommand({}));
    seen.user_gone = (await errorOf(iam.send(new GetUserCommand({ UserName: user })))).code;
    seen.policy_gone = (await errorOf(iam.send(new GetAccountPasswordPolicyCommand({})))).code;

    expect(seen).toEqual(compatExpected(user, true));
  });
});
