import { beforeEach, describe, expect, it } from 'vitest';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  DeleteAccountPasswordPolicyCommand,
  GetAccountPasswordPolicyCommand,
  GetLoginProfileCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
  type UpdateAccountPasswordPolicyCommandInput,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { startInProcess, useServer } from './support/use-server.js';

const api = useServer();
beforeEach(() => api.reset());

const setPolicy = (p: UpdateAccountPasswordPolicyCommandInput) => api.iam.send(new UpdateAccountPasswordPolicyCommand(p));
const CUSTOM = 'Password does not conform to the account password policy.';

/** A user with a login profile and its own access keys, to call ChangePassword as itself. */
async function userWithProfile(password = 'Start-Passw0rd!') {
  const UserName = uniqueName('pp');
  await api.iam.send(new CreateUserCommand({ UserName }));
  await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: password }));
  const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
  const self = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
  return { UserName, self, change: (OldPassword: string, NewPassword: string) => self.send(new ChangePasswordCommand({ OldPassword, NewPassword })) };
}

describe('UpdateAccountPasswordPolicy / GetAccountPasswordPolicy / DeleteAccountPasswordPolicy', () => {
  it('answers NoSuchEntity with AWS messages while there is no policy', async () => {
    expect(await awsError(api.iam.send(new GetAccountPasswordPolicyCommand({})))).toEqual({
      code: 'NoSuchEntity',
      message: 'The Password Policy with domain name 123456789012 cannot be found.',
      status: 404,
    });
    expect(await awsError(api.iam.send(new DeleteAccountPasswordPolicyCommand({})))).toEqual({
      code: 'NoSuchEntity',
      message: 'The account policy with name PasswordPolicy cannot be found.',
      status: 404,
    });
  });

  it('stores a policy; members never set are absent; ExpirePasswords is derived', async () => {
    await setPolicy({ MinimumPasswordLength: 12, RequireSymbols: true });
    expect((await api.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 12,
      RequireSymbols: true,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: false,
    });
    await setPolicy({ MaxPasswordAge: 90, PasswordReusePrevention: 5, HardExpiry: true });
    expect((await api.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toEqual({
      MinimumPasswordLength: 6, // an update replaces the whole policy: left out = default
      RequireSymbols: false,
      RequireNumbers: false,
      RequireUppercaseCharacters: false,
      RequireLowercaseCharacters: false,
      AllowUsersToChangePassword: false,
      ExpirePasswords: true,
      MaxPasswordAge: 90,
      PasswordReusePrevention: 5,
      HardExpiry: true,
    });
  });

  it('deletes the policy', async () => {
    await setPolicy({});
    await api.iam.send(new DeleteAccountPasswordPolicyCommand({}));
    expect((await awsError(api.iam.send(new GetAccountPasswordPolicyCommand({})))).code).toBe('NoSuchEntity');
  });

  it('lists every out-of-range member in one ValidationError, in the order AWS lists them, and changes nothing', async () => {
    await setPolicy({ MinimumPasswordLength: 10 });
    // The members sent in yet another order; AWS's recorded answer (LocalStack's AWS-validated
    // snapshot) lists minimumPasswordLength, passwordReusePrevention, maxPasswordAge.
    const err = await awsError(setPolicy({ MaxPasswordAge: 1096, MinimumPasswordLength: 129, PasswordReusePrevention: 25 }));
    expect(err).toEqual({
      code: 'ValidationError',
      message:
        '3 validation errors detected: ' +
        "Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128; " +
        "Value at 'passwordReusePrevention' failed to satisfy constraint: Member must have value less than or equal to 24; " +
        "Value at 'maxPasswordAge' failed to satisfy constraint: Member must have value less than or equal to 1095",
      status: 400,
    });
    expect((await api.iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.MinimumPasswordLength).toBe(10);
    expect((await awsError(setPolicy({ MinimumPasswordLength: 129 }))).message).toBe(
      "1 validation error detected: Value at 'minimumPasswordLength' failed to satisfy constraint: Member must have value less than or equal to 128",
    );
    expect((await awsError(setPolicy({ MaxPasswordAge: 0, PasswordReusePrevention: 0 }))).message).toMatch(/^2 validation errors detected/);
  });

  it('accepts the bounds', async () => {
    await setPolicy({ MinimumPasswordLength: 128, MaxPasswordAge: 1095, PasswordReusePrevention: 24 });
    await setPolicy({ MinimumPasswordLength: 6, MaxPasswordAge: 1, PasswordReusePrevention: 1 });
  });
});

describe('enforcement wherever a password is set', () => {
  const rules: [string, UpdateAccountPasswordPolicyCommandInput, string, string][] = [
    ['minimum length', { MinimumPasswordLength: 12 }, 'short-Pw1!', 'Password should have a minimum length of 12'],
    ['a lowercase letter', { RequireLowercaseCharacters: true }, 'UPPER-ONLY-1', 'Password should have at least one lowercase letter'],
    ['an uppercase letter', { RequireUppercaseCharacters: true }, 'lower-only-1', 'Password should have at least one uppercase letter'],
    ['a number', { RequireNumbers: true }, 'No-Numbers-Here', 'Password should have at least one number'],
    ['a symbol', { RequireSymbols: true }, 'NoSymbols123', 'Password should have at least one symbol'],
  ];
  for (const [rule, policy, bad, sentence] of rules) {
    it(`requires ${rule} on CreateLoginProfile, UpdateLoginProfile and ChangePassword`, async () => {
      const { UserName, change } = await userWithProfile();
      await setPolicy({ ...policy, AllowUsersToChangePassword: true });
      const expected = { code: 'PasswordPolicyViolation', message: `${CUSTOM} ${sentence}`, status: 400 };
      expect(await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: bad })))).toEqual(expected);
      expect(await awsError(change('Start-Passw0rd!', bad))).toEqual(expected);
      const other = uniqueName('pp');
      await api.iam.send(new CreateUserCommand({ UserName: other }));
      expect(await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName: other, Password: bad })))).toEqual(expected);
      expect((await awsError(api.iam.send(new GetLoginProfileCommand({ UserName: other })))).code).toBe('NoSuchEntity');
    });
  }

  it('names every rule not met, in one message', async () => {
    const { UserName } = await userWithProfile();
    await setPolicy({ MinimumPasswordLength: 20, RequireSymbols: true, RequireNumbers: true, RequireUppercaseCharacters: true, RequireLowercaseCharacters: true });
    expect((await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'abcdef' })))).message).toBe(
      `${CUSTOM} Password should have a minimum length of 20, Password should have at least one uppercase letter, ` +
        'Password should have at least one number, Password should have at least one symbol',
    );
  });

  it("uses exactly AWS's symbol set", async () => {
    await setPolicy({ RequireSymbols: true });
    const { UserName } = await userWithProfile();
    for (const symbol of "!@#$%^&*()_+-=[]{}|'") await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: `abcdef${symbol}` }));
    for (const notSymbol of ['~', '`', '"', ',', '.', '/', ':', ';', '<', '>', '?', '\\', ' ', 'é']) {
      const err = await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: `abcdef${notSymbol}` })));
      expect(err.message, `"${notSymbol}" is not one of AWS's symbols`).toBe(`${CUSTOM} Password should have at least one symbol`);
    }
  });

  it('a flag-only UpdateLoginProfile checks no password', async () => {
    const { UserName } = await userWithProfile('Start-Passw0rd!');
    await setPolicy({ MinimumPasswordLength: 40 });
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: true }));
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(true);
  });

  it('a rejected password leaves the stored one working', async () => {
    await setPolicy({ MinimumPasswordLength: 8, AllowUsersToChangePassword: true });
    const { UserName, change } = await userWithProfile('Start-Passw0rd!');
    expect((await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'short', PasswordResetRequired: true })))).code).toBe(
      'PasswordPolicyViolation',
    );
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(false);
    expect((await awsError(change('Start-Passw0rd!', 'tiny'))).code).toBe('PasswordPolicyViolation');
    // The old password is still the one that works.
    await change('Start-Passw0rd!', 'Next-Passw0rd!');
    expect((await awsError(change('Start-Passw0rd!', 'Other-Passw0rd!'))).code).toBe('AccessDenied');
  });
});

describe('the built-in default policy (no account policy set)', () => {
  it("applies AWS's documented default: 8 characters, three of four classes", async () => {
    const UserName = uniqueName('dflt');
    await api.iam.send(new CreateUserCommand({ UserName }));
    expect(await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Ab1!' })))).toEqual({
      code: 'PasswordPolicyViolation',
      message: 'Password should have a minimum length of 8',
      status: 400,
    });
    expect((await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'alllowercase' })))).message).toBe(
      'Password should meet 2 more of the following requirements: Password should have at least one uppercase letter, ' +
        'Password should have at least one number, Password should have at least one symbol',
    );
    expect((await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'lowerUPPER' })))).message).toBe(
      'Password should meet 1 more of the following requirements: Password should have at least one number, Password should have at least one symbol',
    );
    await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'lowerUPPER1' })); // three classes suffice
  });

  it('refuses the user name and the account id as password', async () => {
    const UserName = `Name-Is-Pw1-${process.pid}`;
    await api.iam.send(new CreateUserCommand({ UserName }));
    expect((await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: UserName })))).message).toBe(
      'Password should not be the same as your user name',
    );
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: ACCOUNT_ID })));
    expect(err.message).toContain('Password should not be the same as your account id');
  });

  it('does not apply once a custom policy exists', async () => {
    await setPolicy({});
    const UserName = uniqueName('dflt');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'sixsix' }));
  });

  it('is off with IAMD_DEFAULT_PASSWORD_POLICY=none', async () => {
    const permissive = await startInProcess({ env: { IAMD_DEFAULT_PASSWORD_POLICY: 'none' } });
    try {
      const client = permissive.iam;
      await client.send(new CreateUserCommand({ UserName: 'lax' }));
      await client.send(new CreateLoginProfileCommand({ UserName: 'lax', Password: 'x' }));
      // An account policy still applies.
      await client.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10 }));
      expect((await awsError(client.send(new UpdateLoginProfileCommand({ UserName: 'lax', Password: 'y' })))).code).toBe('PasswordPolicyViolation');
    } finally {
      await permissive.stop();
    }
  });
});

describe('PasswordReusePrevention', () => {
  it('with N=1 refuses the current password and accepts the one before', async () => {
    await setPolicy({ PasswordReusePrevention: 1, AllowUsersToChangePassword: true });
    const { UserName, change } = await userWithProfile('First-Passw0rd!');
    const reuse = { code: 'PasswordPolicyViolation', message: `${CUSTOM} Password should not be one of your 1 previous passwords`, status: 400 };
    expect(await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'First-Passw0rd!' })))).toEqual(reuse);
    expect(await awsError(change('First-Passw0rd!', 'First-Passw0rd!'))).toEqual(reuse);
    await change('First-Passw0rd!', 'Second-Passw0rd!');
    await change('Second-Passw0rd!', 'First-Passw0rd!');
  });

  it('with N=24 refuses each of the last 24 and accepts the 25th back', async () => {
    await setPolicy({ PasswordReusePrevention: 24 });
    const { UserName } = await userWithProfile('Pw-0-Passw0rd!');
    for (let i = 1; i < 25; i++) await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: `Pw-${i}-Passw0rd!` }));
    // Remembered: Pw-1 … Pw-24 (24 passwords, the current one included); Pw-0 has dropped out.
    for (const i of [1, 12, 24]) {
      expect((await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: `Pw-${i}-Passw0rd!` })))).message).toBe(
        `${CUSTOM} Password should not be one of your 24 previous passwords`,
      );
    }
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'Pw-0-Passw0rd!' }));
  }, 120_000); // about 300 argon2 verifications in all

  it('reports reuse together with the other rules', async () => {
    const { UserName } = await userWithProfile('Start-Passw0rd!');
    await setPolicy({ PasswordReusePrevention: 3, RequireNumbers: true });
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'NoSymbol1' }));
    await setPolicy({ PasswordReusePrevention: 3, RequireSymbols: true });
    expect((await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'NoSymbol1' })))).message).toBe(
      `${CUSTOM} Password should have at least one symbol, Password should not be one of your 3 previous passwords`,
    );
  });
});

describe('ChangePassword', () => {
  it('is InvalidUserType for the root user', async () => {
    const err = await awsError(api.iam.send(new ChangePasswordCommand({ OldPassword: 'a-Passw0rd!', NewPassword: 'b-Passw0rd!' })));
    expect(err.code).toBe('InvalidUserType');
    expect(err.status).toBe(400);
  });

  it('is AccessDenied unless AllowUsersToChangePassword grants it', async () => {
    const { UserName, change, self } = await userWithProfile();
    const arn = `arn:aws:iam::${ACCOUNT_ID}:user/${UserName}`;
    expect(await awsError(change('Start-Passw0rd!', 'New-Passw0rd!'))).toEqual({
      code: 'AccessDenied',
      message: `User: ${arn} is not authorized to perform: iam:ChangePassword on resource: user ${UserName} because no identity-based policy allows the iam:ChangePassword action`,
      status: 403,
    });
    expect((await awsError(self.send(new GetAccountPasswordPolicyCommand({})))).code).toBe('AccessDenied');
    await setPolicy({ AllowUsersToChangePassword: true });
    await change('Start-Passw0rd!', 'New-Passw0rd!');
    expect((await self.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy?.AllowUsersToChangePassword).toBe(true);
  });

  it('without a login profile is NoSuchEntity', async () => {
    await setPolicy({ AllowUsersToChangePassword: true });
    const UserName = uniqueName('nolp');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const self = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    expect(await awsError(self.send(new ChangePasswordCommand({ OldPassword: 'a-Passw0rd!', NewPassword: 'b-Passw0rd!' })))).toEqual({
      code: 'NoSuchEntity',
      message: `Login Profile for User ${UserName} cannot be found.`,
      status: 404,
    });
  });

  it('succeeds with the right old password, clears PasswordResetRequired and restarts the expiry clock', async () => {
    await setPolicy({ AllowUsersToChangePassword: true, MaxPasswordAge: 30 });
    const { UserName, change } = await userWithProfile();
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, PasswordResetRequired: true }));
    await api.setClock(31 * 86_400); // expired, not hard: the user may still change it
    await change('Start-Passw0rd!', 'Fresh-Passw0rd!');
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(false);
    // The new password dates from the moved "now", so a further 29 days leave it valid for HardExpiry.
    await setPolicy({ AllowUsersToChangePassword: true, MaxPasswordAge: 30, HardExpiry: true });
    await api.setClock(60 * 86_400);
    await change('Fresh-Passw0rd!', 'Fresher-Passw0rd!');
  });

  it('a wrong old password is AccessDenied and changes nothing', async () => {
    await setPolicy({ AllowUsersToChangePassword: true });
    const { change } = await userWithProfile();
    expect(await awsError(change('Wrong-Passw0rd!', 'New-Passw0rd!'))).toEqual({
      code: 'AccessDenied',
      message: 'The old password is incorrect.',
      status: 403,
    });
    await change('Start-Passw0rd!', 'New-Passw0rd!');
  });

  it('after 5 wrong old passwords answers LimitExceeded, before checking, until the window passes', async () => {
    await setPolicy({ AllowUsersToChangePassword: true });
    const { UserName, change } = await userWithProfile();
    for (let i = 0; i < 5; i++) expect((await awsError(change(`Guess-${i}-Passw0rd!`, 'New-Passw0rd!'))).code).toBe('AccessDenied');
    const limited = { code: 'LimitExceeded', message: `Too many failed attempts to change the password of user ${UserName}. Try again later.`, status: 409 };
    expect(await awsError(change('Start-Passw0rd!', 'New-Passw0rd!'))).toEqual(limited); // even the right one
    await api.setClock(16 * 60);
    await change('Start-Passw0rd!', 'New-Passw0rd!');
  });

  it('parallel guesses cannot race past the limit', async () => {
    await setPolicy({ AllowUsersToChangePassword: true });
    const { change } = await userWithProfile();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => awsError(change(`Guess-${i}-Passw0rd!`, 'New-Passw0rd!'))));
    expect(results.filter((r) => r.code === 'AccessDenied')).toHaveLength(5);
    expect(results.filter((r) => r.code === 'LimitExceeded')).toHaveLength(15);
  });

  it('with HardExpiry and an expired password is refused; an administrator can still reset it', async () => {
    await setPolicy({ AllowUsersToChangePassword: true, MaxPasswordAge: 10, HardExpiry: true });
    const { UserName, change } = await userWithProfile();
    await api.setClock(11 * 86_400);
    expect(await awsError(change('Start-Passw0rd!', 'New-Passw0rd!'))).toEqual({
      code: 'EntityTemporarilyUnmodifiable',
      message: 'The password has expired and the account password policy requires an administrator to reset it.',
      status: 409,
    });
    await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: 'Admin-Reset-1!' }));
    await change('Admin-Reset-1!', 'Mine-Again-1!');
  });
});

describe('expiry', () => {
  it('applies at once to existing passwords when MaxPasswordAge is set later', async () => {
    const { UserName, change } = await userWithProfile();
    await api.setClock(11 * 86_400);
    // Set after the password: it is already 11 days old, past a 10-day limit.
    await setPolicy({ AllowUsersToChangePassword: true, MaxPasswordAge: 10, HardExpiry: true });
    expect((await awsError(change('Start-Passw0rd!', 'New-Passw0rd!'))).code).toBe('EntityTemporarilyUnmodifiable');
    // Raising the limit makes the same password current again.
    await setPolicy({ AllowUsersToChangePassword: true, MaxPasswordAge: 12, HardExpiry: true });
    await change('Start-Passw0rd!', 'New-Passw0rd!');
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.UserName).toBe(UserName);
  });
});

describe('beyond AWS: banned passwords (opt-in)', () => {
  it('IAMD_BLOCK_COMMON_PASSWORDS refuses common passwords, case-insensitively', async () => {
    const strict = await startInProcess({ env: { IAMD_BLOCK_COMMON_PASSWORDS: 'true' } });
    try {
      const client = strict.iam;
      await client.send(new CreateUserCommand({ UserName: 'common' }));
      expect(await awsError(client.send(new CreateLoginProfileCommand({ UserName: 'common', Password: 'P@SSW0RD!' })))).toEqual({
        code: 'PasswordPolicyViolation',
        message: 'Password should not be a commonly used or compromised password',
        status: 400,
      });
      await client.send(new CreateLoginProfileCommand({ UserName: 'common', Password: 'Uncommon-Horse-9!' }));
    } finally {
      await strict.stop();
    }
  });

  it('IAMD_PASSWORD_BLOCKLIST reads banned passwords from a file', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bl-')), 'banned.txt');
    fs.writeFileSync(file, 'Company-Name-2026!\nAnother-Banned-1!\n');
    const strict = await startInProcess({ env: { IAMD_PASSWORD_BLOCKLIST: file } });
    try {
      const client = strict.iam;
      await client.send(new CreateUserCommand({ UserName: 'banned' }));
      expect((await awsError(client.send(new CreateLoginProfileCommand({ UserName: 'banned', Password: 'company-name-2026!' })))).message).toBe(
        'Password should not be a commonly used or compromised password',
      );
      // Off by default: the main server accepts it.
      await api.iam.send(new CreateUserCommand({ UserName: 'notbanned' }));
      await api.iam.send(new CreateLoginProfileCommand({ UserName: 'notbanned', Password: 'Company-Name-2026!' }));
    } finally {
      await strict.stop();
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });
});
