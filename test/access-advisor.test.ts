/**
 * Access advisor through @aws-sdk/client-iam (and client-sts for STS use): reports of when a
 * user, group, role or managed policy last used the services its policies allow, from what iamd
 * records of signed requests. iamd reports on the services it serves (IAM, STS).
 */
import { describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand,
  GetUserCommand,
  ListPoliciesGrantingServiceAccessCommand,
  PutGroupPolicyCommand,
  PutUserPolicyCommand,
  type ServiceLastAccessed,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

const allow = (Action: string | string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action, Resource: '*' }] });
const IAM = 'AWS Identity and Access Management';
const STS = 'AWS Security Token Service';

async function userWithKey(policy: string): Promise<{ name: string; arn: string; credentials: { accessKeyId: string; secretAccessKey: string } }> {
  const name = uniqueName('advised');
  const { User } = await api.iam.send(new CreateUserCommand({ UserName: name }));
  await api.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { name, arn: User!.Arn!, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } };
}

async function report(Arn: string): Promise<{ JobId: string; services: ServiceLastAccessed[]; type?: string; status?: string }> {
  const { JobId } = await api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn }));
  const out = await api.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId }));
  return { JobId: JobId!, services: out.ServicesLastAccessed!, type: out.JobType, status: out.JobStatus };
}

/** Use is written after the request is answered (never on its path): wait for it to land. */
async function reportOnceUsed(Arn: string, service: string): Promise<ServiceLastAccessed[]> {
  for (let i = 0; i < 50; i++) {
    const { services } = await report(Arn);
    if (services.find((s) => s.ServiceNamespace === service)?.LastAuthenticated) return services;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no recorded use of ${service} for ${Arn}`);
}

describe('GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails', () => {
  it('a user: the services its policies allow, when it last used each, from where; none used yet: no date', async () => {
    const u = await userWithKey(allow(['iam:GetUser', 'sts:GetCallerIdentity']));
    const before = await report(u.arn);
    expect(before.JobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(before.status).toBe('COMPLETED');
    expect(before.type).toBe('SERVICE_LEVEL');
    expect(before.services).toEqual([
      { ServiceName: IAM, ServiceNamespace: 'iam', TotalAuthenticatedEntities: 0 },
      { ServiceName: STS, ServiceNamespace: 'sts', TotalAuthenticatedEntities: 0 },
    ]);

    const start = Date.now();
    await api.client(u.credentials).send(new GetUserCommand({}));
    const services = await reportOnceUsed(u.arn, 'iam');
    const iam = services.find((s) => s.ServiceNamespace === 'iam')!;
    expect(iam).toMatchObject({ ServiceName: IAM, LastAuthenticatedEntity: u.arn, LastAuthenticatedRegion: 'us-east-1', TotalAuthenticatedEntities: 1 });
    expect(iam.LastAuthenticated!.getTime()).toBeGreaterThanOrEqual(Math.floor(start / 1000) * 1000);
    expect(services.find((s) => s.ServiceNamespace === 'sts')).toEqual({ ServiceName: STS, ServiceNamespace: 'sts', TotalAuthenticatedEntities: 0 });

    const sts = new STSClient({ endpoint: api.url, region: 'eu-west-1', credentials: u.credentials, maxAttempts: 1 });
    try {
      await sts.send(new GetCallerIdentityCommand({}));
    } finally {
      sts.destroy();
    }
    const after = await reportOnceUsed(u.arn, 'sts');
    expect(after.find((s) => s.ServiceNamespace === 'sts')).toMatchObject({ LastAuthenticatedEntity: u.arn, LastAuthenticatedRegion: 'eu-west-1', TotalAuthenticatedEntities: 1 });
  });

  it('lists only the services the policies allow (wildcards, NotAction); others than IAM and STS are not reported', async () => {
    const only = await userWithKey(allow('s3:*'));
    expect((await report(only.arn)).services).toEqual([]);
    const wild = await userWithKey(allow('*'));
    expect((await report(wild.arn)).services.map((s) => s.ServiceNamespace)).toEqual(['iam', 'sts']);
    const not = await userWithKey(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] }));
    expect((await report(not.arn)).services.map((s) => s.ServiceNamespace)).toEqual(['sts']);
  });

  it('a group and a managed policy: the members and holders who used the service, the latest named', async () => {
    const u = await userWithKey(allow('s3:GetObject'));
    const group = uniqueName('advised-group');
    await api.iam.send(new CreateGroupCommand({ GroupName: group }));
    await api.iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: 'g', PolicyDocument: allow('iam:Get*') }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: u.name }));
    const idle = uniqueName('idle');
    await api.iam.send(new CreateUserCommand({ UserName: idle }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: idle }));
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('advised-policy'), PolicyDocument: allow('iam:GetUser') }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: Policy!.Arn! }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: idle, PolicyArn: Policy!.Arn! }));

    await api.client(u.credentials).send(new GetUserCommand({}));
    const groupArn = `arn:aws:iam::${ACCOUNT_ID}:group/${group}`;
    for (const arn of [groupArn, Policy!.Arn!]) {
      const [iam] = await reportOnceUsed(arn, 'iam');
      expect(iam).toMatchObject({ ServiceNamespace: 'iam', LastAuthenticatedEntity: u.arn, TotalAuthenticatedEntities: 1 });
    }
    // The entities behind the group's IAM line: the member who used it, not the idle one.
    const { JobId } = await api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: groupArn }));
    const withEntities = await api.iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 'iam' }));
    expect(withEntities.JobStatus).toBe('COMPLETED');
    expect(withEntities.EntityDetailsList).toHaveLength(1);
    expect(withEntities.EntityDetailsList![0]!.EntityInfo).toMatchObject({ Arn: u.arn, Name: u.name, Type: 'USER', Path: '/' });
    expect(withEntities.EntityDetailsList![0]!.EntityInfo!.Id).toMatch(/^AIDA/);
    expect(withEntities.EntityDetailsList![0]!.LastAuthenticated).toBeInstanceOf(Date);
    expect((await api.iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 'sts' }))).EntityDetailsList).toEqual([]);

    // An AWS managed policy attached to no one: its services, never used.
    expect((await report('arn:aws:iam::aws:policy/IAMReadOnlyAccess')).services).toEqual([{ ServiceName: IAM, ServiceNamespace: 'iam', TotalAuthenticatedEntities: 0 }]);
  });

  it('a role: its policies; no use recorded while no session of it signs a request', async () => {
    const RoleName = uniqueName('advised-role');
    const { Role } = await api.iam.send(
      new CreateRoleCommand({
        RoleName,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    expect((await report(Role!.Arn!)).services).toEqual([]);
  });

  it('a user’s report names the user behind each service, used or not', async () => {
    const u = await userWithKey(allow('iam:GetUser'));
    const { JobId } = await api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: u.arn }));
    const out = await api.iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId, ServiceNamespace: 'iam' }));
    expect(out.EntityDetailsList).toEqual([{ EntityInfo: expect.objectContaining({ Arn: u.arn, Name: u.name, Type: 'USER' }) }]);
  });

  it('keeps ACTION_LEVEL as the job type; pages the services', async () => {
    const u = await userWithKey(allow('*'));
    const { JobId } = await api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: u.arn, Granularity: 'ACTION_LEVEL' }));
    const first = await api.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: 1 }));
    expect(first.JobType).toBe('ACTION_LEVEL');
    expect(first.ServicesLastAccessed!.map((s) => s.ServiceNamespace)).toEqual(['iam']);
    expect(first.IsTruncated).toBe(true);
    const rest = await api.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId, MaxItems: 1, Marker: first.Marker }));
    expect(rest.ServicesLastAccessed!.map((s) => s.ServiceNamespace)).toEqual(['sts']);
    expect(rest.IsTruncated).toBe(false);
  });

  it('refuses an unknown entity, an ARN of another kind, and an unknown job', async () => {
    const missing = `arn:aws:iam::${ACCOUNT_ID}:user/nobody-${process.pid}`;
    expect(await awsError(api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: missing })))).toEqual({
      code: 'NoSuchEntity',
      message: `The user with name nobody-${process.pid} cannot be found.`,
      status: 404,
    });
    const policy = `arn:aws:iam::${ACCOUNT_ID}:policy/none-${process.pid}`;
    expect(await awsError(api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: policy })))).toEqual({
      code: 'NoSuchEntity',
      message: `Policy ${policy} was not found.`,
      status: 404,
    });
    const bucket = 'arn:aws:s3:::some-bucket-name';
    expect(await awsError(api.iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: bucket })))).toEqual({
      code: 'InvalidInput',
      message: `Invalid Entity Arn: ${bucket}`,
      status: 400,
    });
    const JobId = '11111111-2222-4333-8444-555555555555';
    expect(await awsError(api.iam.send(new GetServiceLastAccessedDetailsCommand({ JobId })))).toEqual({
      code: 'NoSuchEntity',
      message: `The job with id ${JobId} cannot be found.`,
      status: 404,
    });
  });
});

describe('ListPoliciesGrantingServiceAccess', () => {
  it('names, per service, the inline (with their owner) and managed policies of a user and its groups that allow it', async () => {
    const u = await userWithKey(allow(['iam:GetUser', 's3:GetObject']));
    const group = uniqueName('granting-group');
    await api.iam.send(new CreateGroupCommand({ GroupName: group }));
    await api.iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: 'g-sts', PolicyDocument: allow('sts:*') }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: u.name }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const out = await api.iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: u.arn, ServiceNamespaces: ['iam', 'sts', 's3', 'ec2'] }));
    expect(out.IsTruncated).toBe(false);
    const byService = Object.fromEntries(out.PoliciesGrantingServiceAccess!.map((e) => [e.ServiceNamespace, e.Policies]));
    expect(byService.iam).toEqual([
      { PolicyName: 'p', PolicyType: 'INLINE', EntityType: 'USER', EntityName: u.name },
      { PolicyName: 'IAMReadOnlyAccess', PolicyType: 'MANAGED', PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' },
    ]);
    expect(byService.sts).toEqual([{ PolicyName: 'g-sts', PolicyType: 'INLINE', EntityType: 'GROUP', EntityName: group }]);
    expect(byService.s3).toEqual([{ PolicyName: 'p', PolicyType: 'INLINE', EntityType: 'USER', EntityName: u.name }]);
    expect(byService.ec2 ?? []).toEqual([]);
    expect((await awsError(api.iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: 'arn:aws:s3:::bucket-name', ServiceNamespaces: ['iam'] })))).code).toBe('InvalidInput');
  });
});
