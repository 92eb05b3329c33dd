import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteLoginProfileCommand,
  DeleteUserCommand,
  GetLoginProfileCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

async function userWithProfile(password = 'Initial-Passw0rd!', resetRequired?: boolean) {
  const UserName = uniqueName('lp');
  await api.iam.send(new CreateUserCommand({ UserName }));
  const created = await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: password, PasswordResetRequired: resetRequired }));
  return { UserName, created };
}

describe('CreateLoginProfile', () => {
  it('creates a profile with its own CreateDate and the reset flag', async () => {
    const before = Date.now();
    const { UserName, created } = await userWithProfile('Initial-Passw0rd!', true);
    expect(created.LoginProfile?.UserName).toBe(UserName);
    expect(created.LoginProfile?.PasswordResetRequired).toBe(true);
    expect(created.LoginProfile?.CreateDate!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    const got = await api.iam.send(new GetLoginProfileCommand({ UserName }));
    expect(got.LoginProfile).toEqual(created.LoginProfile);
  });

  it('defaults PasswordResetRequired to false', async () => {
    const { created } = await userWithProfile();
    expect(created.LoginProfile?.PasswordResetRequired).toBe(false);
  });

  it('refuses a second profile with EntityAlreadyExists (409)', async () => {
    const { UserName } = await userWithProfile();
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Another-Passw0rd!' })));
    expect(err).toEqual({ code: 'EntityAlreadyExists', message: `Login Profile for user ${UserName} already exists.`, status: 409 });
  });

  it('refuses an unknown user with NoSuchEntity (404)', async () => {
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName: 'nobody-here', Password: 'Passw0rd!x' })));
    expect(err).toEqual({ code: 'NoSuchEntity', message: 'The user with name nobody-here cannot be found.', status: 404 });
  });

  it('requires a password', async () => {
    const UserName = uniqueName('lp');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName })));
    expect(err.code).toBe('ValidationError');
    expect(err.message).toBe("1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null");
    await expect(api.iam.send(new GetLoginProfileCommand({ UserName }))).rejects.toThrow(/cannot be found/);
  });

  it('as root without UserName is a ValidationError', async () => {
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ Password: 'Passw0rd!x' })));
    expect(err).toEqual({ code: 'ValidationError', message: 'Must specify userName when calling with non-User credentials', status: 400 });
  });
});

describe('GetLoginProfile', () => {
  it('reports a user without a profile with AWS message', async () => {
    const UserName = uniqueName('lp');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const err = await awsError(api.iam.send(new GetLoginProfileCommand({ UserName })));
    expect(err).toEqual({ code: 'NoSuchEntity', message: `Login Profile for User ${UserName} cannot be found.`, status: 404 });
  });

  it('reports an unknown user as such', async () => {
    const err = await awsError(api.iam.send(new GetLoginProfileCommand({ UserName: 'ghost' })));
    expect(err).toEqual({ code: 'NoSuchEntity', message: 'The user with name ghost cannot be found.', status: 404 });
  });
});

describe('UpdateLoginProfile (the seed operation)', () => {
  it('sets PasswordResetRequired alone, leaving the password and CreateDate as they were', async () => {
    const { UserName, created } = await userWithProfile();
    const out = await api.iam.send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: true }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    const got = await api.iam.send(new GetLoginProfileCommand({ UserName }));
    expect(got.LoginProfile?.PasswordResetRequired).toBe(true);
    expect(got.LoginProfile?.CreateDate).toEqual(created.LoginProfile?.CreateDate);

    await api.iam.send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: false }));
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(false);
  });

  it('changes the password and leaves the flag alone when only Password is given', async () => {
    const { UserName } = await userWithProfile('Initial-Passw0rd!', true);
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'Changed-Passw0rd!' }));
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(true);
  });

  it('changes both members at once', async () => {
    const { UserName } = await userWithProfile();
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'Both-Changed-1!', PasswordResetRequired: true }));
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(true);
  });

  it('with no member but UserName succeeds and changes nothing', async () => {
    const { UserName, created } = await userWithProfile();
    await api.iam.send(new UpdateLoginProfileCommand({ UserName }));
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile).toEqual(created.LoginProfile);
  });

  it('reports a missing user and a missing profile with AWS messages', async () => {
    expect(await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName: 'no-such-user', Password: 'Xx-123456' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The user with name no-such-user cannot be found.',
      status: 404,
    });
    const UserName = uniqueName('lp');
    await api.iam.send(new CreateUserCommand({ UserName }));
    expect(await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: true })))).toEqual({
      code: 'NoSuchEntity',
      message: `Login Profile for User ${UserName} cannot be found.`,
      status: 404,
    });
  });

  it('finds the user whatever the case of the name, as IAM names are case-insensitive', async () => {
    const { UserName } = await userWithProfile();
    await api.iam.send(new UpdateLoginProfileCommand({ UserName: UserName.toUpperCase(), PasswordResetRequired: true }));
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(true);
  });
});

describe('DeleteLoginProfile', () => {
  it('deletes the profile and its flag; a new profile starts clean', async () => {
    const { UserName } = await userWithProfile('Initial-Passw0rd!', true);
    await api.iam.send(new DeleteLoginProfileCommand({ UserName }));
    expect((await awsError(api.iam.send(new GetLoginProfileCommand({ UserName })))).code).toBe('NoSuchEntity');
    const again = await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Second-Passw0rd!' }));
    expect(again.LoginProfile?.PasswordResetRequired).toBe(false);
  });

  it('reports a missing profile', async () => {
    const UserName = uniqueName('lp');
    await api.iam.send(new CreateUserCommand({ UserName }));
    expect(await awsError(api.iam.send(new DeleteLoginProfileCommand({ UserName })))).toEqual({
      code: 'NoSuchEntity',
      message: `Login Profile for User ${UserName} cannot be found.`,
      status: 404,
    });
  });

  it('blocks DeleteUser while it exists (DeleteConflict), then lets it go', async () => {
    const { UserName } = await userWithProfile();
    expect(await awsError(api.iam.send(new DeleteUserCommand({ UserName })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete entity, must delete login profile first.',
      status: 409,
    });
    await api.iam.send(new DeleteLoginProfileCommand({ UserName }));
    await api.iam.send(new DeleteUserCommand({ UserName }));
  });
});

describe('an IAM user acting with its own keys', () => {
  it('is denied UpdateLoginProfile until policies grant it, with AWS message', async () => {
    const { UserName } = await userWithProfile();
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const asUser = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const arn = `arn:aws:iam::123456789012:user/${UserName}`;
    expect(await awsError(asUser.send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: true })))).toEqual({
      code: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: iam:UpdateLoginProfile on resource: user ${UserName} because no identity-based policy allows the iam:UpdateLoginProfile action`,
      status: 403,
    });
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(false);
  });
});
