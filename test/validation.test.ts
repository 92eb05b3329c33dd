import { describe, expect, it } from 'vitest';
import {
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  ListUsersCommand,
  UpdateAccessKeyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

// The model's own constraints, without the account password policy on top.
const api = useServer({ env: { IAMD_DEFAULT_PASSWORD_POLICY: 'none' } });

const PASSWORD_PATTERN = String.raw`[\u0009\u000A\u000D\u0020-\u00FF]+`;
const one = (body: string) => `1 validation error detected: ${body}`;

async function newUser(): Promise<string> {
  const UserName = uniqueName('val');
  await api.iam.send(new CreateUserCommand({ UserName }));
  return UserName;
}

describe('password characters and lengths (the model: tab, LF, CR, U+0020-U+00FF; 1-128)', () => {
  const rejected: [string, string, string][] = [
    ['U+0100', 'Passw0rd\u0100', `Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PASSWORD_PATTERN}`],
    ['NUL', 'Passw0rd\u0000x', `Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PASSWORD_PATTERN}`],
    ['an emoji', 'Passw0rd\u{1F600}', `Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PASSWORD_PATTERN}`],
    ['129 characters', 'a'.repeat(129), "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128"],
  ];
  for (const [what, password, message] of rejected) {
    it(`rejects ${what} on CreateLoginProfile and creates nothing`, async () => {
      const UserName = await newUser();
      const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: password })));
      expect(err).toEqual({ code: 'ValidationError', message: one(message), status: 400 });
      expect((await awsError(api.iam.send(new GetLoginProfileCommand({ UserName })))).code).toBe('NoSuchEntity');
    });
    it(`rejects ${what} on UpdateLoginProfile and changes nothing`, async () => {
      const UserName = await newUser();
      await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Valid-Passw0rd!' }));
      const err = await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: password, PasswordResetRequired: true })));
      expect(err).toEqual({ code: 'ValidationError', message: one(message), status: 400 });
      expect((await api.iam.send(new GetLoginProfileCommand({ UserName }))).LoginProfile?.PasswordResetRequired).toBe(false);
    });
  }

  it('rejects an empty password (length 1 at least)', async () => {
    const UserName = await newUser();
    const err = await awsError(api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: '' })));
    expect(err.message).toContain("Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  it('reports both violations of a 129-character password with a forbidden character', async () => {
    const UserName = await newUser();
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: '\u0100'.repeat(129) })));
    expect(err.message).toBe(
      '2 validation errors detected: ' +
        "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 128; " +
        `Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ${PASSWORD_PATTERN}`,
    );
  });

  const accepted: [string, string][] = [
    ['tab, LF and CR', 'Pass\tw0rd\nwith\rcontrols'],
    ['Latin-1 letters', 'Pässwörd-Ñ-ÿ-1'],
    ['exactly 128 characters', 'Aa1!'.repeat(32)],
    ['a single character', 'x'],
    ['spaces and every printable ASCII symbol', ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'],
  ];
  for (const [what, password] of accepted) {
    it(`accepts ${what}`, async () => {
      const UserName = await newUser();
      await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: password }));
      await api.iam.send(new UpdateLoginProfileCommand({ UserName, Password: password }));
    });
  }

  it('never echoes a rejected password in the error', async () => {
    const UserName = await newUser();
    const secret = 'Very-Secret-\u0100-Passw0rd';
    const err = await awsError(api.iam.send(new CreateLoginProfileCommand({ UserName, Password: secret })));
    expect(err.message).not.toContain('Very-Secret');
  });
});

describe('user names and other members', () => {
  it('rejects a 65-character user name', async () => {
    const err = await awsError(api.iam.send(new CreateUserCommand({ UserName: 'u'.repeat(65) })));
    expect(err).toEqual({
      code: 'ValidationError',
      message: one("Value at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"),
      status: 400,
    });
  });

  it('accepts a 64-character user name', async () => {
    await api.iam.send(new CreateUserCommand({ UserName: 'v'.repeat(64) }));
  });

  it('rejects characters outside [\\w+=,.@-]', async () => {
    const err = await awsError(api.iam.send(new CreateUserCommand({ UserName: 'bad name' })));
    expect(err.message).toBe(one(String.raw`Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`));
  });

  it('accepts every character of the user-name pattern', async () => {
    await api.iam.send(new CreateUserCommand({ UserName: 'a_b+c=d,e.f@g-h9' }));
  });

  it('rejects a missing required member', async () => {
    const err = await awsError(api.iam.send(new CreateUserCommand({} as never)));
    expect(err.message).toBe(one("Value null at 'userName' failed to satisfy constraint: Member must not be null"));
  });

  // AWS's own sentence for a Path, not the model's form (recorded from AWS, CreateVirtualMFADevice
  // with "invalid-path/" and "/invalid-path"; the same for a role's Path through CloudFormation).
  const INVALID_PATH =
    'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.';

  it('rejects a path that does not start and end with a slash, in IAM’s words, and creates nothing', async () => {
    for (const Path of ['/no-trailing', 'no-leading/', 'my-path']) {
      const UserName = uniqueName();
      expect(await awsError(api.iam.send(new CreateUserCommand({ UserName, Path })))).toEqual({ code: 'ValidationError', message: INVALID_PATH, status: 400 });
      expect((await awsError(api.iam.send(new GetUserCommand({ UserName })))).code).toBe('NoSuchEntity');
    }
  });

  it('words a bad path the same way for roles, groups, instance profiles and policies', async () => {
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: '*' }] });
    const answers = await Promise.all([
      awsError(api.iam.send(new CreateRoleCommand({ RoleName: uniqueName(), AssumeRolePolicyDocument: trust, Path: 'my-path' }))),
      awsError(api.iam.send(new CreateGroupCommand({ GroupName: uniqueName(), Path: '/path' }))),
      awsError(api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: uniqueName(), Path: 'my-path' }))),
      awsError(api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName(), PolicyDocument: policy, Path: 'policies/' }))),
    ]);
    for (const answer of answers) expect(answer).toEqual({ code: 'ValidationError', message: INVALID_PATH, status: 400 });
  });

  it('reports a path over 512 characters in the model’s form, as AWS does', async () => {
    const err = await awsError(api.iam.send(new CreateUserCommand({ UserName: uniqueName(), Path: `/${'a'.repeat(512)}/` })));
    expect(err).toEqual({ code: 'ValidationError', message: one("Value at 'path' failed to satisfy constraint: Member must have length less than or equal to 512"), status: 400 });
  });

  it('accepts a path of printable ASCII between slashes', async () => {
    await api.iam.send(new CreateUserCommand({ UserName: uniqueName(), Path: '/a/b.c-d_e@f!~/' }));
    await api.iam.send(new CreateUserCommand({ UserName: uniqueName(), Path: '/' }));
  });

  it('rejects MaxItems out of range with each bound', async () => {
    expect((await awsError(api.iam.send(new ListUsersCommand({ MaxItems: 0 })))).message).toBe(
      one("Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"),
    );
    expect((await awsError(api.iam.send(new ListUsersCommand({ MaxItems: 1001 })))).message).toBe(
      one("Value at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"),
    );
  });

  it('rejects an enum value outside the set', async () => {
    const err = await awsError(
      api.iam.send(new UpdateAccessKeyCommand({ UserName: 'x', AccessKeyId: 'AKIAAAAAAAAAAAAAAAAA', Status: 'Paused' as never })),
    );
    expect(err.message).toBe(one("Value at 'status' failed to satisfy constraint: Member must satisfy enum value set"));
  });

  it('lists every violation of one request', async () => {
    const err = await awsError(api.iam.send(new CreateUserCommand({ UserName: 'x y'.repeat(30), Path: `/${'p'.repeat(512)}/`, Tags: [{ Key: '', Value: 'v' }] })));
    const [head, ...rest] = err.message.split('; ');
    expect(head).toMatch(/^5 validation errors detected: Value at 'path' failed/);
    expect(rest.map((m) => /^Value at '([^']+)'/.exec(m)?.[1])).toEqual(['userName', 'userName', 'tags.1.member.key', 'tags.1.member.key']);
    expect(rest[2]).toBe("Value at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  it('reports the model’s violations before looking at the path’s form', async () => {
    const err = await awsError(api.iam.send(new CreateUserCommand({ UserName: 'x y', Path: 'relative' })));
    expect(err.message).toBe(one(String.raw`Value at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`));
  });
});

describe("the order of several members' violations", () => {
  it('is the bucket order of a Java HashMap of the printed member names, as every recorded AWS answer shows', async () => {
    const { javaHashBucket } = await import('../src/protocol/query/read-input.js');
    // IAM UpdateAccountPasswordPolicy and CreateOpenIDConnectProvider, recorded against AWS.
    expect(['minimumPasswordLength', 'passwordReusePrevention', 'maxPasswordAge'].map(javaHashBucket)).toEqual([2, 6, 14]);
    expect(['clientIDList', 'thumbprintList', 'url'].map(javaHashBucket)).toEqual([1, 13, 14]);
  });
});
