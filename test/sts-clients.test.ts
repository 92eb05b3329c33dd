/**
 * Temporary credentials through the other real clients: boto3 (assume_role, then a client from
 * the credentials), the AWS CLI with a role_arn + source_profile profile (its own AssumeRole
 * credential provider), and the JS SDK's fromTemporaryCredentials provider (which calls
 * AssumeRole itself and refreshes). The tools are installed on the project's machines; never skipped.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const run = promisify(execFile);
const api = useServer();
let env: NodeJS.ProcessEnv;
let user: { name: string; arn: string; accessKeyId: string; secretAccessKey: string };
let role: { name: string; arn: string; id: string };

beforeAll(async () => {
  env = {
    ...process.env,
    AWS_ENDPOINT_URL: api.url,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_MAX_ATTEMPTS: '1',
  };
  const name = uniqueName('sts-cli');
  const { User } = await api.iam.send(new CreateUserCommand({ UserName: name }));
  const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  user = { name, arn: User!.Arn!, accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const roleName = uniqueName('sts-cli-role');
  const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'sts:AssumeRole' }] };
  const { Role } = await api.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
  await api.iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: 'read-users',
      PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] }),
    }),
  );
  role = { name: roleName, arn: Role!.Arn!, id: Role!.RoleId! };
});

const BOTO3 = `
import boto3, json, os
sts = boto3.client('sts', aws_access_key_id=os.environ['KEY'], aws_secret_access_key=os.environ['SECRET'])
out = sts.assume_role(RoleArn=os.environ['ROLE'], RoleSessionName='boto3-session', DurationSeconds=900)
c = out['Credentials']
kw = dict(aws_access_key_id=c['AccessKeyId'], aws_secret_access_key=c['SecretAccessKey'], aws_session_token=c['SessionToken'])
me = boto3.client('sts', **kw).get_caller_identity()
users = boto3.client('iam', **kw).list_users()['Users']
try:
    boto3.client('iam', **kw).create_user(UserName='not-allowed')
    denied = None
except Exception as e:
    denied = e.response['Error']['Code']
print(json.dumps({'arn': me['Arn'], 'userId': me['UserId'], 'keyPrefix': c['AccessKeyId'][:4], 'listed': len(users) > 0, 'denied': denied}))
`;

describe('boto3', () => {
  it('assume_role, then clients from the credentials act as the session', async () => {
    const { stdout } = await run('python3', ['-c', BOTO3], {
      env: { ...env, KEY: user.accessKeyId, SECRET: user.secretAccessKey, ROLE: role.arn },
    });
    expect(JSON.parse(stdout)).toEqual({
      arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/boto3-session`,
      userId: `${role.id}:boto3-session`,
      keyPrefix: 'ASIA',
      listed: true,
      denied: 'AccessDenied',
    });
  });
});

describe('AWS CLI', () => {
  it('a role_arn + source_profile profile assumes the role by itself', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-sts-cli-'));
    const config = path.join(dir, 'config');
    fs.writeFileSync(
      config,
      [
        '[profile base]',
        `aws_access_key_id = ${user.accessKeyId}`,
        `aws_secret_access_key = ${user.secretAccessKey}`,
        '[profile deploy]',
        `role_arn = ${role.arn}`,
        'source_profile = base',
        'role_session_name = cli-session',
        '',
      ].join('\n'),
    );
    try {
      const e = { ...env, AWS_CONFIG_FILE: config, AWS_PROFILE: 'deploy' };
      const { stdout } = await run('aws', ['--output', 'json', 'sts', 'get-caller-identity'], { env: e });
      expect(JSON.parse(stdout)).toEqual({ UserId: `${role.id}:cli-session`, Account: ACCOUNT_ID, Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/cli-session` });
      const users = JSON.parse((await run('aws', ['--output', 'json', 'iam', 'list-users'], { env: e })).stdout);
      expect(users.Users.length).toBeGreaterThan(0);
      const denied = await run('aws', ['iam', 'create-user', '--user-name', 'nope'], { env: e }).then(
        () => '',
        (err: { stderr: string }) => err.stderr,
      );
      expect(denied).toContain(
        `An error occurred (AccessDenied) when calling the CreateUser operation: User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/cli-session is not authorized to perform: iam:CreateUser`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe('AWS SDK for JavaScript v3', () => {
  it('fromTemporaryCredentials assumes the role through iamd, and clients built on it act as the session', async () => {
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: role.arn, RoleSessionName: 'js-session', DurationSeconds: 900 },
      masterCredentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
      clientConfig: { endpoint: api.url, region: 'us-east-1', maxAttempts: 1 },
    });
    const sts = new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials });
    expect(await sts.send(new GetCallerIdentityCommand({}))).toMatchObject({
      Arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role.name}/js-session`,
      UserId: `${role.id}:js-session`,
      Account: ACCOUNT_ID,
    });
    const resolved = await credentials();
    expect(resolved.accessKeyId).toMatch(/^ASIA/);
    expect(resolved.sessionToken).toBeTruthy();
    const iam = new IAMClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials });
    expect((await iam.send(new ListUsersCommand({}))).Users!.length).toBeGreaterThan(0);
    expect((await awsError(iam.send(new CreateUserCommand({ UserName: uniqueName('nope') })))).code).toBe('AccessDenied');
  });
});
