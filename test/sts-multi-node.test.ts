/**
 * Session tokens are self-contained and sealed under the master key: a token issued by one node
 * works on another node of the same PostgreSQL database and master key, with no shared table;
 * an altered one is refused there too. Two processes, as in production (see multi-node.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { newTestDatabase } from './support/postgres-tests.js';
import { ACCOUNT_ID, awsError, iamClient, startServer, uniqueName, type TestServer } from './support/server.js';

let nodes: TestServer[] = [];

beforeAll(async () => {
  const url = await newTestDatabase('stsnodes');
  nodes = [await startServer({ args: ['--database', url] })];
  nodes.push(await startServer({ args: ['--database', url] }));
});
afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
});

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const sts = (url: string, credentials: Keys) => new STSClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials });

describe('two nodes, one database, one master key', () => {
  it('credentials from AssumeRole on node A sign requests on node B; a tampered token is refused on B', async () => {
    const [a, b] = nodes as [TestServer, TestServer];
    const admin = iamClient(a.url);
    const name = uniqueName('node-user');
    const { User } = await admin.send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await admin.send(new CreateAccessKeyCommand({ UserName: name }));
    const roleName = uniqueName('node-role');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: User!.Arn }, Action: 'sts:AssumeRole' }] };
    await admin.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await admin.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' }] }),
      }),
    );
    const out = await sts(a.url, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }).send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`, RoleSessionName: 'across' }),
    );
    const keys = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
    expect((await sts(b.url, keys).send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/across`);
    await new IAMClient({ endpoint: b.url, region: 'us-east-1', maxAttempts: 1, credentials: keys }).send(new ListUsersCommand({}));

    const token = keys.sessionToken;
    const tampered = token.slice(0, 60) + (token[60] === 'A' ? 'B' : 'A') + token.slice(61);
    expect(await awsError(sts(b.url, { ...keys, sessionToken: tampered }).send(new GetCallerIdentityCommand({})))).toEqual({
      code: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid',
    });
  });
});
