/**
 * The audit trail and STS: AssumeRole is recorded (eventSource sts.amazonaws.com, the secret and
 * the session token hidden), and a call made with the session's credentials names the session as
 * CloudTrail does (userIdentity type AssumedRole with sessionContext.sessionIssuer).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';
import { jsonLines, tempDir } from './support/hardening.js';

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const auditFile = path.join(tempDir('sts-audit'), 'audit.log');
const trail = () => jsonLines(auditFile);
const api = useServer({ env: { IAMD_AUDIT_LOG: auditFile } });

describe('audit trail', () => {
  it('records AssumeRole without secrets, and the session as an AssumedRole identity', async () => {
    const name = uniqueName('audit-sts');
    const { User } = await api.iam.send(new CreateUserCommand({ UserName: name }));
    const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName: name }));
    const roleName = uniqueName('audit-role');
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: User!.Arn }, Action: 'sts:AssumeRole' }] };
    const { Role } = await api.iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    await api.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' }] }),
      }),
    );
    const sts = new STSClient({
      endpoint: api.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! },
    });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'audited' }));
    const c = out.Credentials!;

    const assume = trail().filter((e) => e.eventName === 'AssumeRole').at(-1)!;
    expect(assume).toMatchObject({
      eventSource: 'sts.amazonaws.com',
      userIdentity: { type: 'IAMUser', arn: User!.Arn, userName: name },
      requestParameters: { roleArn: Role!.Arn, roleSessionName: 'audited' },
      responseElements: {
        credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: HIDDEN, sessionToken: HIDDEN },
        assumedRoleUser: { assumedRoleId: `${Role!.RoleId}:audited`, arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/audited` },
      },
    });
    const raw = JSON.stringify(trail());
    expect(raw).not.toContain(c.SessionToken!);
    expect(raw).not.toContain(c.SecretAccessKey!);

    const session = new IAMClient({
      endpoint: api.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! },
    });
    const created = uniqueName('by-session');
    await session.send(new CreateUserCommand({ UserName: created }));
    const event = trail().filter((e) => e.eventName === 'CreateUser').at(-1)!;
    expect(event.userIdentity).toEqual({
      type: 'AssumedRole',
      principalId: `${Role!.RoleId}:audited`,
      arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/audited`,
      accountId: ACCOUNT_ID,
      accessKeyId: c.AccessKeyId,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: Role!.RoleId, arn: Role!.Arn, accountId: ACCOUNT_ID, userName: roleName },
        attributes: { creationDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/), mfaAuthenticated: 'false' },
      },
    });
  });
});
