/**
 * STS against a real server through the AWS SDK (client-sts, client-iam): temporary credentials
 * from AssumeRole and GetSessionToken, requests signed with them, trust policy decisions, expiry by
 * the test clock. Messages are AWS's (docs/sts.md says where each comes from).
 */
import { describe, expect, it } from 'vitest';
import {
  AssumeRoleCommand,
  DecodeAuthorizationMessageCommand,
  GetAccessKeyInfoCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
  type Credentials,
} from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListUsersCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { useServer } from './support/use-server.js';
import { ACCOUNT_ID, awsError, testStore, uniqueName } from './support/server.js';
import { awayFromStepEdge, codeAt, stepNow, twoCodes, wrongCode } from './support/totp.js';
import { signer } from './support/signed-http.js';
import { accountOfKeyId, encodeKeyId } from '../src/domain/key-ids.js';
import { readInput } from '../src/protocol/query/read-input.js';
import { STS_MODEL } from '../src/protocol/query/model.js';

const api = useServer();

// PostgreSQL without a master key (IAMD_ALLOW_UNSEALED_SECRETS): tokens are still sealed, under a
// key kept in the database's settings. Only PostgreSQL runs may go without a master key.
describe.runIf(testStore === 'postgres')('without a master key', () => {
  const unsealed = useServer({ env: { IAMD_MASTER_KEY: undefined, IAMD_ALLOW_UNSEALED_SECRETS: 'true' } });
  it('session tokens are sealed all the same: they reveal no secret and work', async () => {
    const admin = unsealed.iam;
    const name = uniqueName('nokey');
    const { User } = await admin.send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: name }));
    const roleName = uniqueName('nokey-role');
    const { Role } = await admin.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: trust({ AWS: User!.Arn }) }));
    const client = new STSClient({
      endpoint: unsealed.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! },
    });
    const out = await client.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'nokey' }));
    const token = out.Credentials!.SessionToken!;
    expect(Buffer.from(token, 'base64').toString('utf8')).not.toContain(out.Credentials!.SecretAccessKey!);
    expect(Buffer.from(token, 'base64').toString('utf8')).not.toContain(roleName);
    const session = new STSClient({ endpoint: unsealed.url, region: 'us-east-1', maxAttempts: 1, credentials: keysOf(out.Credentials) });
    expect((await session.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/nokey`);
  });
});

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const sts = (credentials?: Keys) => new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, ...(credentials ? { credentials } : {}) });
const iam = (credentials: Keys) => new IAMClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials });
const rootSts = () => sts({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
const keysOf = (c: Credentials | undefined): Keys => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });

const trust = (principal: unknown, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...extra }] });
const allow = (action: string | string[], resource = '*', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...extra }] });

/** A user with a key, allowed `policy` (if any). */
async function newUser(policy?: string): Promise<{ name: string; arn: string; keys: Keys }> {
  const name = uniqueName('sts-user');
  const { User } = await api.iam.send(new CreateUserCommand({ UserName: name }));
  if (policy) await api.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { name, arn: User!.Arn!, keys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

async function newRole(trustPolicy: string, options: { policy?: string; maxSessionDuration?: number } = {}): Promise<{ name: string; arn: string; id: string }> {
  const name = uniqueName('sts-role');
  const { Role } = await api.iam.send(
    new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trustPolicy, MaxSessionDuration: options.maxSessionDuration }),
  );
  if (options.policy) await api.iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'p', PolicyDocument: options.policy }));
  return { name, arn: Role!.Arn!, id: Role!.RoleId! };
}

describe('key ids', () => {
  it('encode the account as AWS key ids do (the published decoding finds it)', () => {
    // The example of the public write-ups: ASIAY34FZKBOKMUTVV7A is account 609629065308.
    expect(accountOfKeyId('ASIAY34FZKBOKMUTVV7A')).toBe('609629065308');
    const id = encodeKeyId('AKIA', '123456789012', Buffer.from([255, 1, 2, 3, 4]));
    expect(id).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(accountOfKeyId(id)).toBe('123456789012');
  });

  it('new access keys and session keys decode to the account; GetAccessKeyInfo answers it', async () => {
    const user = await newUser();
    expect(accountOfKeyId(user.keys.accessKeyId)).toBe(ACCOUNT_ID);
    expect((await rootSts().send(new GetAccessKeyInfoCommand({ AccessKeyId: user.keys.accessKeyId }))).Account).toBe(ACCOUNT_ID);
    expect((await rootSts().send(new GetAccessKeyInfoCommand({ AccessKeyId: 'ASIAY34FZKBOKMUTVV7A' }))).Account).toBe('609629065308');
  });
});

describe('AssumeRole', () => {
  it('a trust policy naming the user lets it assume the role; the session acts with the role policies', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }), { policy: allow('iam:ListUsers') });
    const session = 'alice-session';
    const out = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: session }));
    expect(out.AssumedRoleUser).toEqual({ AssumedRoleId: `${role.id}:${session}`, Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/${session}` });
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(accountOfKeyId(out.Credentials!.AccessKeyId!)).toBe(ACCOUNT_ID);
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3500_000);
    expect(out.PackedPolicySize).toBeUndefined();

    const keys = keysOf(out.Credentials);
    expect(await sts(keys).send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: ACCOUNT_ID,
      Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/${session}`,
      UserId: `${role.id}:${session}`,
    });
    await iam(keys).send(new ListUsersCommand({}));
    expect(await awsError(iam(keys).send(new GetUserCommand({ UserName: user.name })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/${session} is not authorized to perform: iam:GetUser on resource: user ${user.name} because no identity-based policy allows the iam:GetUser action`,
    });
    // The role's policies are read at request time.
    await api.iam.send(new DeleteRolePolicyCommand({ RoleName: role.name, PolicyName: 'p' }));
    expect((await awsError(iam(keys).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    // RoleLastUsed is recorded.
    const { Role } = await api.iam.send(new GetRoleCommand({ RoleName: role.name }));
    expect(Role!.RoleLastUsed?.Region).toBe('us-east-1');
  });

  it('the root user may not assume roles', async () => {
    const role = await newRole(trust({ AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }));
    expect(await awsError(rootSts().send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess' })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: 'Roles may not be assumed by root accounts.',
    });
  });

  it('a role that does not exist, or a trust policy that does not name the caller: AccessDenied naming the caller and the role', async () => {
    const user = await newUser(allow('sts:AssumeRole'));
    const missing = `arn:aws:iam::${ACCOUNT_ID}:role/no-such-role`;
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: 'sess' })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${user.arn} is not authorized to perform: sts:AssumeRole on resource: ${missing}`,
    });
    const role = await newRole(trust({ Service: 'ec2.amazonaws.com' }));
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess' })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${user.arn} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`,
    });
  });

  it('a trust policy naming the account delegates to the identity policies; an explicit Deny wins', async () => {
    const role = await newRole(trust({ AWS: ACCOUNT_ID }));
    const without = await newUser();
    expect((await awsError(sts(without.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess' })))).code).toBe('AccessDenied');
    const withPolicy = await newUser(allow('sts:AssumeRole', role.arn));
    await sts(withPolicy.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess' }));

    const denied = await newUser(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'sts:AssumeRole', Resource: '*' }] }),
    );
    const direct = await newRole(trust({ AWS: denied.arn }));
    expect((await awsError(sts(denied.keys).send(new AssumeRoleCommand({ RoleArn: direct.arn, RoleSessionName: 'sess' })))).code).toBe('AccessDenied');
    const trustDeny = await newRole(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: withPolicy.arn }, Action: 'sts:AssumeRole' },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
        ],
      }),
    );
    expect((await awsError(sts(withPolicy.keys).send(new AssumeRoleCommand({ RoleArn: trustDeny.arn, RoleSessionName: 'sess' })))).code).toBe('AccessDenied');
  });

  it('conditions: sts:ExternalId, sts:RoleSessionName', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }, { Condition: { StringEquals: { 'sts:ExternalId': 'ext-123' }, StringLike: { 'sts:RoleSessionName': 'ci-*' } } }));
    const send = (input: { ExternalId?: string; RoleSessionName: string }) => sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, ...input }));
    expect((await awsError(send({ RoleSessionName: 'ci-1' }))).code).toBe('AccessDenied');
    expect((await awsError(send({ ExternalId: 'wrong', RoleSessionName: 'ci-1' }))).code).toBe('AccessDenied');
    expect((await awsError(send({ ExternalId: 'ext-123', RoleSessionName: 'other' }))).code).toBe('AccessDenied');
    await send({ ExternalId: 'ext-123', RoleSessionName: 'ci-1' });
  });

  it('ValidationError names the value, as STS does (IAM never does); a web identity token is never echoed', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }));
    // Both recorded from AWS (LocalStack's STS snapshots: invalid-session-name, session-name-too-long-error).
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'Session1:2' })))).toMatchObject({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    const long = 's'.repeat(65);
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: long })))).toMatchObject({
      code: 'ValidationError',
      message: `1 validation error detected: Value '${long}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    });
    // The model marks a web identity token sensitive: its violation names no value.
    const read = readInput(STS_MODEL, 'AssumeRoleWithWebIdentityRequest', new Map([['RoleArn', role.arn], ['RoleSessionName', 'ss'], ['WebIdentityToken', 'eyJ']]));
    await expect(read).rejects.toThrow(
      "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4",
    );
  });

  it('DurationSeconds: up to the role MaxSessionDuration; role chaining at most an hour', async () => {
    const user = await newUser();
    const role = await newRole(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' }],
      }),
      { maxSessionDuration: 7200, policy: allow('sts:AssumeRole') },
    );
    await api.iam.send(new PutUserPolicyCommand({ UserName: user.name, PolicyName: 'assume', PolicyDocument: allow('sts:AssumeRole') }));
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 7201 })))).toEqual({
      code: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    expect((await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 899 })))).code).toBe(
      'ValidationError',
    );
    const first = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 7200 }));
    const chained = keysOf(first.Credentials);
    expect(await awsError(sts(chained).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 's2', DurationSeconds: 3601 })))).toEqual({
      code: 'ValidationError',
      status: 400,
      message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    });
    const second = await sts(chained).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 's2' }));
    expect((await sts(keysOf(second.Credentials)).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/s2`);
  });

  it("GetSessionToken credentials are role chaining too: at most an hour, an hour by default (aws-vault's GetSessionToken then AssumeRole)", async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }), { maxSessionDuration: 43_200 });
    const session = keysOf((await sts(user.keys).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }))).Credentials);
    for (const DurationSeconds of [3601, 43_200]) {
      expect(await awsError(sts(session).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'gst', DurationSeconds })))).toEqual({
        code: 'ValidationError',
        status: 400,
        message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      });
    }
    const out = await sts(session).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'gst' }));
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    // Long-term keys are not chaining: the role's MaxSessionDuration is the limit.
    await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'keys', DurationSeconds: 43_200 }));
  });

  it('session policies narrow the role policies; PackedPolicySize answered', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }), { policy: allow(['iam:ListUsers', 'iam:GetUser']) });
    const out = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'narrow', Policy: allow('iam:GetUser') }));
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const keys = keysOf(out.Credentials);
    await iam(keys).send(new GetUserCommand({ UserName: user.name }));
    expect(await awsError(iam(keys).send(new ListUsersCommand({})))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/narrow is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT_ID}:user/ because no session policy allows the iam:ListUsers action`,
    });
    // Managed session policies must exist; a policy naming one narrows the same way.
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('sess'), PolicyDocument: allow('iam:ListUsers') }));
    const managed = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'managed', PolicyArns: [{ arn: Policy!.Arn! }] }));
    const managedKeys = keysOf(managed.Credentials);
    await iam(managedKeys).send(new ListUsersCommand({}));
    expect((await awsError(iam(managedKeys).send(new GetUserCommand({ UserName: user.name })))).code).toBe('AccessDenied');
    const missing = `arn:aws:iam::${ACCOUNT_ID}:policy/nope`;
    expect((await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'xx', PolicyArns: [{ arn: missing }] })))).code).toBe(
      'ValidationError',
    );
  });

  it('aws:TokenIssueTime: the revoke-active-sessions policy denies sessions issued before it', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }), { policy: allow('iam:ListUsers') });
    const out = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'old' }));
    const keys = keysOf(out.Credentials);
    await iam(keys).send(new ListUsersCommand({}));
    const revokeBefore = new Date(Date.now() + 60_000).toISOString();
    await api.iam.send(
      new PutRolePolicyCommand({
        RoleName: role.name,
        PolicyName: 'AWSRevokeOlderSessions',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'], Condition: { DateLessThan: { 'aws:TokenIssueTime': revokeBefore } } }],
        }),
      }),
    );
    expect((await awsError(iam(keys).send(new ListUsersCommand({})))).message).toContain('with an explicit deny in an identity-based policy');
  });

  it('session tags and source identity: trust needs sts:TagSession / sts:SetSourceIdentity; aws:PrincipalTag in the session', async () => {
    const user = await newUser();
    const plain = await newRole(trust({ AWS: user.arn }));
    const tags = [{ Key: 'team', Value: 'blue' }];
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: plain.arn, RoleSessionName: 'sess', Tags: tags })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${user.arn} is not authorized to perform: sts:TagSession on resource: ${plain.arn}`,
    });
    const role = await newRole(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }],
      }),
      { policy: allow('iam:ListUsers', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }) },
    );
    const out = await sts(user.keys).send(
      new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess', Tags: tags, TransitiveTagKeys: ['team'], SourceIdentity: 'alice' }),
    );
    expect(out.SourceIdentity).toBe('alice');
    await iam(keysOf(out.Credentials)).send(new ListUsersCommand({}));
    const red = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess', Tags: [{ Key: 'team', Value: 'red' }] }));
    expect((await awsError(iam(keysOf(red.Credentials)).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    // Chaining keeps the source identity and the transitive tag; neither can be changed.
    const again = await newRole(trust({ AWS: role.arn }), { policy: allow('iam:ListUsers', '*', { Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue', 'aws:SourceIdentity': 'alice' } } }) });
    await api.iam.send(new PutRolePolicyCommand({ RoleName: role.name, PolicyName: 'assume', PolicyDocument: allow('sts:AssumeRole') }));
    const chained = await sts(keysOf(out.Credentials)).send(new AssumeRoleCommand({ RoleArn: again.arn, RoleSessionName: 'chained' }));
    expect(chained.SourceIdentity).toBe('alice');
    await iam(keysOf(chained.Credentials)).send(new ListUsersCommand({}));
    expect((await awsError(sts(keysOf(out.Credentials)).send(new AssumeRoleCommand({ RoleArn: again.arn, RoleSessionName: 'chained', SourceIdentity: 'bob' })))).code).toBe(
      'ValidationError',
    );
    // Tag rules, as AWS answers them (recorded).
    const chainedTrust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: role.arn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }],
    });
    await api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: again.name, PolicyDocument: chainedTrust }));
    expect(
      await awsError(sts(keysOf(out.Credentials)).send(new AssumeRoleCommand({ RoleArn: again.arn, RoleSessionName: 'chained', Tags: [{ Key: 'TEAM', Value: 'red' }] }))),
    ).toEqual({
      code: 'InvalidParameterValue',
      status: 400,
      message: "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.",
    });
    const tagged = (input: { Tags: { Key: string; Value: string }[]; TransitiveTagKeys?: string[] }) =>
      awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'tags', ...input })));
    expect(await tagged({ Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] })).toEqual({
      code: 'InvalidParameterValue',
      status: 400,
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    });
    expect(await tagged({ Tags: [{ Key: 'a', Value: '1' }], TransitiveTagKeys: ['b'] })).toEqual({
      code: 'InvalidParameterValue',
      status: 400,
      message: 'The specified transitive tag key must be included in the requested tags.',
    });
    expect(await awsError(sts(user.keys).send(new AssumeRoleCommand({ RoleArn: 'nothing-valid-in-here', RoleSessionName: 'sess' })))).toEqual({
      code: 'ValidationError',
      status: 400,
      message: 'nothing-valid-in-here is invalid',
    });
  });
});

describe('session credentials at the door', () => {
  it('a tampered or missing token is InvalidClientTokenId; an expired one ExpiredToken; a deleted role ends its sessions', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }));
    const out = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'sess', DurationSeconds: 900 }));
    const keys = keysOf(out.Credentials);
    const token = keys.sessionToken!;
    const tampered = token.slice(0, 40) + (token[40] === 'A' ? 'B' : 'A') + token.slice(41);
    expect(await awsError(sts({ ...keys, sessionToken: tampered }).send(new GetCallerIdentityCommand({})))).toEqual({
      code: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid',
    });
    expect(await awsError(sts({ accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey }).send(new GetCallerIdentityCommand({})))).toEqual({
      code: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
    // A token with another session's key id.
    const other = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 's2' }));
    expect((await awsError(sts({ ...keys, sessionToken: other.Credentials!.SessionToken! }).send(new GetCallerIdentityCommand({})))).code).toBe(
      'InvalidClientTokenId',
    );

    await api.setClock(901);
    try {
      const expired = { code: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' };
      expect(await awsError(sts(keys).send(new GetCallerIdentityCommand({})))).toEqual(expired);
      expect(await awsError(iam(keys).send(new ListUsersCommand({})))).toEqual(expired);
    } finally {
      await api.setClock(0);
    }
    await sts(keys).send(new GetCallerIdentityCommand({}));
    await api.iam.send(new DeleteRoleCommand({ RoleName: role.name }));
    expect((await awsError(sts(keys).send(new GetCallerIdentityCommand({})))).code).toBe('InvalidClientTokenId');
  });
});

describe('presigned', () => {
  it('a presigned URL made with session credentials carries X-Amz-Security-Token in the query, and works', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }));
    const out = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'presigned' }));
    const keys = keysOf(out.Credentials);
    const target = new URL(api.url);
    const presign = async (credentials: Keys) => {
      const signed = await signer(credentials as never, 'sts').presign(
        {
          method: 'GET',
          protocol: target.protocol,
          hostname: target.hostname,
          port: Number(target.port),
          path: '/',
          headers: { host: target.host },
          query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        },
        { expiresIn: 300 },
      );
      return signed.query as Record<string, string>;
    };
    const query = await presign(keys);
    expect(query['X-Amz-Security-Token']).toBe(keys.sessionToken);
    const ok = await fetch(`${api.url}/?${new URLSearchParams(query).toString().replace(/\+/g, '%20')}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain(`<Arn>arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/presigned</Arn>`);
    const bad = await presign({ ...keys, sessionToken: undefined });
    expect((await fetch(`${api.url}/?${new URLSearchParams(bad).toString().replace(/\+/g, '%20')}`)).status).toBe(403);
  });
});

describe('GetSessionToken', () => {
  it('issues credentials of the user itself; not callable with session credentials', async () => {
    const user = await newUser(allow('iam:GetUser'));
    const out = await sts(user.keys).send(new GetSessionTokenCommand({ DurationSeconds: 900 }));
    const keys = keysOf(out.Credentials);
    expect(keys.accessKeyId).toMatch(/^ASIA/);
    const id = await sts(keys).send(new GetCallerIdentityCommand({}));
    expect(id.Arn).toBe(user.arn);
    expect(await awsError(sts(keys).send(new GetSessionTokenCommand({})))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: 'Cannot call GetSessionToken with session credentials',
    });
    const root = await rootSts().send(new GetSessionTokenCommand({ DurationSeconds: 7200 }));
    expect(root.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3600_000);
    // Without MFA the session calls no IAM operation.
    expect((await awsError(iam(keys).send(new GetUserCommand({ UserName: user.name })))).code).toBe('AccessDenied');
    expect((await awsError(sts(user.keys).send(new GetSessionTokenCommand({ DurationSeconds: 129_601 })))).code).toBe('ValidationError');
  });

  it("its credentials call no STS operation but AssumeRole and GetCallerIdentity, whatever the user's policies allow (AWS's GetSessionToken reference)", async () => {
    const user = await newUser(allow('sts:*'));
    const keys = keysOf((await sts(user.keys).send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).Credentials);
    const refused = (action: string) => ({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${user.arn} is not authorized to perform: sts:${action} because GetSessionToken credentials may not call it`,
    });
    expect(await awsError(sts(keys).send(new GetAccessKeyInfoCommand({ AccessKeyId: user.keys.accessKeyId })))).toEqual(refused('GetAccessKeyInfo'));
    expect(await awsError(sts(keys).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'abc' })))).toEqual(refused('DecodeAuthorizationMessage'));
    // The same user's long-term keys may.
    expect((await sts(user.keys).send(new GetAccessKeyInfoCommand({ AccessKeyId: user.keys.accessKeyId }))).Account).toBe(ACCOUNT_ID);
  });

  it('with an MFA code: aws:MultiFactorAuthPresent in the session; a wrong code refused', async () => {
    const mfaOnly = allow('iam:GetUser', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } });
    const user = await newUser(mfaOnly);
    const { VirtualMFADevice } = await api.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('dev') }));
    const seed = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('utf8');
    const serial = VirtualMFADevice!.SerialNumber!;
    await awayFromStepEdge();
    await api.iam.send(new EnableMFADeviceCommand({ UserName: user.name, SerialNumber: serial, ...twoCodes(seed) }));
    expect((await awsError(iam(user.keys).send(new GetUserCommand({ UserName: user.name })))).code).toBe('AccessDenied');
    expect(await awsError(sts(user.keys).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: wrongCode(seed) })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: 'MultiFactorAuthentication failed with invalid MFA one time pass code.',
    });
    const out = await sts(user.keys).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: codeAt(seed, stepNow() + 1) }));
    await iam(keysOf(out.Credentials)).send(new GetUserCommand({ UserName: user.name }));
  });

  it("AWS's documented self-manage-with-MFA policy: with long-term keys only the MFA set-up is allowed; an MFA session may do the rest", async () => {
    // The BlockMostAccessUnlessSignedInWithMFA statement of the IAM User Guide's "Allows
    // MFA-authenticated IAM users to manage their own credentials" policy, beside an Allow.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:GetUser', 'iam:ListUsers'], Resource: '*' },
        {
          Sid: 'BlockMostAccessUnlessSignedInWithMFA',
          Effect: 'Deny',
          NotAction: [
            'iam:CreateVirtualMFADevice',
            'iam:EnableMFADevice',
            'iam:GetUser',
            'iam:GetMFADevice',
            'iam:ListMFADevices',
            'iam:ListVirtualMFADevices',
            'iam:ResyncMFADevice',
            'sts:GetSessionToken',
          ],
          Resource: '*',
          Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
        },
      ],
    });
    const user = await newUser(policy);
    const { VirtualMFADevice } = await api.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('dev') }));
    const seed = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('utf8');
    const serial = VirtualMFADevice!.SerialNumber!;
    await awayFromStepEdge();
    await api.iam.send(new EnableMFADeviceCommand({ UserName: user.name, SerialNumber: serial, ...twoCodes(seed) }));

    // Long-term keys carry no aws:MultiFactorAuthPresent: BoolIfExists holds, the Deny applies.
    await iam(user.keys).send(new GetUserCommand({ UserName: user.name }));
    expect(await awsError(iam(user.keys).send(new ListUsersCommand({})))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${user.arn} is not authorized to perform: iam:ListUsers on resource: arn:aws:iam::${ACCOUNT_ID}:user/ with an explicit deny in an identity-based policy`,
    });
    // An MFA session: aws:MultiFactorAuthPresent is true, the Deny does not apply.
    const out = await sts(user.keys).send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: codeAt(seed, stepNow() + 1) }));
    await iam(keysOf(out.Credentials)).send(new ListUsersCommand({}));
  });
});

describe('AssumeRole with MFA', () => {
  it('a trust policy requiring MFA: refused without a code, allowed with the device code; the session has MFA', async () => {
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }, { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }), {
      policy: allow('iam:ListUsers', '*', { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }),
    });
    const { VirtualMFADevice } = await api.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: uniqueName('dev') }));
    const seed = Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('utf8');
    const serial = VirtualMFADevice!.SerialNumber!;
    await awayFromStepEdge();
    await api.iam.send(new EnableMFADeviceCommand({ UserName: user.name, SerialNumber: serial, ...twoCodes(seed) }));
    const assume = (extra: { SerialNumber?: string; TokenCode?: string } = {}) =>
      sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'mfa', ...extra }));
    expect((await awsError(assume())).code).toBe('AccessDenied');
    expect((await awsError(assume({ SerialNumber: serial, TokenCode: wrongCode(seed) }))).message).toBe('MultiFactorAuthentication failed with invalid MFA one time pass code.');
    const out = await assume({ SerialNumber: serial, TokenCode: codeAt(seed, stepNow() + 1) });
    await iam(keysOf(out.Credentials)).send(new ListUsersCommand({}));
  });
});

describe('GetFederationToken', () => {
  const federated = (name: string) => `arn:aws:sts::${ACCOUNT_ID}:federated-user/${name}`;

  it('a federated user: its ARN and id; PackedPolicySize 0 without policies; no IAM call, no STS call but GetCallerIdentity', async () => {
    const user = await newUser(allow(['iam:ListUsers', 'sts:GetFederationToken']));
    const out = await sts(user.keys).send(new GetFederationTokenCommand({ Name: 'fed-bob', DurationSeconds: 900 }));
    expect(out.FederatedUser).toEqual({ FederatedUserId: `${ACCOUNT_ID}:fed-bob`, Arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/fed-bob` });
    expect(out.PackedPolicySize).toBe(0);
    const keys = keysOf(out.Credentials);
    expect(await sts(keys).send(new GetCallerIdentityCommand({}))).toMatchObject({ UserId: `${ACCOUNT_ID}:fed-bob`, Arn: `arn:aws:sts::${ACCOUNT_ID}:federated-user/fed-bob` });
    expect((await awsError(iam(keys).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    expect((await awsError(sts(keys).send(new GetSessionTokenCommand({})))).code).toBe('AccessDenied');
    const withPolicy = await sts(user.keys).send(new GetFederationTokenCommand({ Name: 'fed-carol', Policy: allow('iam:ListUsers') }));
    expect(withPolicy.PackedPolicySize).toBeGreaterThan(0);
    expect((await awsError(sts(keysOf(out.Credentials)).send(new GetFederationTokenCommand({ Name: 'again' })))).code).toBe('AccessDenied');
  });

  it("needs sts:GetFederationToken in the caller's policies, on the federated user's ARN; an explicit Deny wins; the root user needs none", async () => {
    const none = await newUser();
    expect(await awsError(sts(none.keys).send(new GetFederationTokenCommand({ Name: 'fed-none', Policy: allow('*') })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${none.arn} is not authorized to perform: sts:GetFederationToken on resource: ${federated('fed-none')} because no identity-based policy allows the sts:GetFederationToken action`,
    });
    const denied = await newUser(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: ['sts:GetFederationToken', 'sts:DecodeAuthorizationMessage'], Resource: '*' },
        ],
      }),
    );
    expect(await awsError(sts(denied.keys).send(new GetFederationTokenCommand({ Name: 'fed-denied', Policy: allow('*') })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${denied.arn} is not authorized to perform: sts:GetFederationToken on resource: ${federated('fed-denied')} with an explicit deny in an identity-based policy`,
    });
    // The resource is the federated user: a policy may allow some names only.
    const some = await newUser(allow('sts:GetFederationToken', federated('ci-*')));
    await sts(some.keys).send(new GetFederationTokenCommand({ Name: 'ci-build' }));
    expect((await awsError(sts(some.keys).send(new GetFederationTokenCommand({ Name: 'admin' })))).message).toBe(
      `User: ${some.arn} is not authorized to perform: sts:GetFederationToken on resource: ${federated('admin')} because no identity-based policy allows the sts:GetFederationToken action`,
    );
    expect((await rootSts().send(new GetFederationTokenCommand({ Name: 'fed-root' }))).FederatedUser!.Arn).toBe(federated('fed-root'));
  });

  it('session tags need sts:TagSession too, and are aws:RequestTag/* to both checks', async () => {
    const Tags = [{ Key: 'team', Value: 'blue' }];
    const untagged = await newUser(allow('sts:GetFederationToken'));
    await sts(untagged.keys).send(new GetFederationTokenCommand({ Name: 'fed-plain' }));
    expect(await awsError(sts(untagged.keys).send(new GetFederationTokenCommand({ Name: 'fed-tagged', Tags })))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${untagged.arn} is not authorized to perform: sts:TagSession on resource: ${federated('fed-tagged')} because no identity-based policy allows the sts:TagSession action`,
    });
    const tagger = await newUser(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'sts:GetFederationToken', Resource: '*' },
          { Effect: 'Allow', Action: 'sts:TagSession', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/team': 'blue' } } },
        ],
      }),
    );
    const out = await sts(tagger.keys).send(new GetFederationTokenCommand({ Name: 'fed-blue', Tags }));
    expect(out.FederatedUser!.Arn).toBe(federated('fed-blue'));
    expect((await awsError(sts(tagger.keys).send(new GetFederationTokenCommand({ Name: 'fed-red', Tags: [{ Key: 'team', Value: 'red' }] })))).message).toBe(
      `User: ${tagger.arn} is not authorized to perform: sts:TagSession on resource: ${federated('fed-red')} because no identity-based policy allows the sts:TagSession action`,
    );
  });
});

describe('DecodeAuthorizationMessage', () => {
  it('a message iamd did not encode is invalid', async () => {
    expect((await awsError(rootSts().send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'abc' })))).code).toBe('InvalidAuthorizationMessageException');
  });

  it("needs sts:DecodeAuthorizationMessage in the caller's policies, before the message is looked at; AWS's denial names no resource", async () => {
    const decode = (keys: Keys) => sts(keys).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'abc' }));
    const none = await newUser();
    expect(await awsError(decode(none.keys))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${none.arn} is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`,
    });
    const denied = await newUser(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'sts:DecodeAuthorizationMessage', Resource: '*' },
        ],
      }),
    );
    expect(await awsError(decode(denied.keys))).toEqual({
      code: 'AccessDenied',
      status: 403,
      message: `User: ${denied.arn} is not authorized to perform: sts:DecodeAuthorizationMessage with an explicit deny in an identity-based policy`,
    });
    // A role session acts with the role's policies.
    const user = await newUser();
    const role = await newRole(trust({ AWS: user.arn }));
    const session = keysOf((await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: 'decode' }))).Credentials);
    expect((await awsError(decode(session))).message).toBe(
      `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/decode is not authorized to perform: sts:DecodeAuthorizationMessage because no identity-based policy allows the sts:DecodeAuthorizationMessage action`,
    );
    const allowed = await newUser(allow('sts:DecodeAuthorizationMessage'));
    expect(await awsError(decode(allowed.keys))).toMatchObject({ code: 'InvalidAuthorizationMessageException', status: 400 });
  });
});
