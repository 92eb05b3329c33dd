/**
 * The AWS managed policy catalogue (src/domain/policy/aws-managed-policies.bin) through the API:
 * real ARNs, paths, ids, dates and documents, attachments, the engine and session policies.
 */
import { describe, expect, it } from 'vitest';
import {
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  IAMClient,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUsersCommand,
  SimulatePrincipalPolicyCommand,
  type Policy,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AWS_MANAGED_POLICIES } from '../src/domain/policy/aws-managed.js';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();
const arnOf = (name: string) => `arn:aws:iam::aws:policy/${name}`;

/** Facts about a few policies that do not change as AWS revises them (ids, paths, creation dates). */
const KNOWN = [
  { name: 'ReadOnlyAccess', path: '/', id: 'ANPAILL3HVNFSB6DCOWYQ', created: '2015-02-06T18:39:48Z' },
  { name: 'SecurityAudit', path: '/', id: 'ANPAIX2T3QCXHR2OGGCTO', created: '2015-02-06T18:41:01Z' },
  { name: 'AWSLambdaBasicExecutionRole', path: '/service-role/', id: 'ANPAJNCQGXC42545SKXIK', created: '2015-04-09T15:03:43Z' },
  { name: 'ViewOnlyAccess', path: '/job-function/', id: 'ANPAID22R6XPJATWOFDK6', created: '2016-11-10T17:20:15Z' },
];

describe('AWS managed policies from the catalogue', () => {
  it('GetPolicy, GetPolicyVersion and ListPolicyVersions answer with their real ARNs, paths, ids, versions and documents', async () => {
    for (const known of KNOWN) {
      const arn = `arn:aws:iam::aws:policy${known.path}${known.name}`;
      const { Policy } = await api.iam.send(new GetPolicyCommand({ PolicyArn: arn }));
      expect(Policy).toMatchObject({ PolicyName: known.name, PolicyId: known.id, Arn: arn, Path: known.path, IsAttachable: true, CreateDate: new Date(known.created) });
      expect(Policy!.DefaultVersionId).toMatch(/^v\d+$/);
      expect(Policy!.UpdateDate!.getTime()).toBeGreaterThanOrEqual(Policy!.CreateDate!.getTime());
      const { PolicyVersion } = await api.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: Policy!.DefaultVersionId! }));
      expect(PolicyVersion).toMatchObject({ VersionId: Policy!.DefaultVersionId, IsDefaultVersion: true, CreateDate: Policy!.UpdateDate });
      const document = JSON.parse(decodeURIComponent(PolicyVersion!.Document!));
      expect(document.Version).toBe('2012-10-17');
      expect(document).toEqual(JSON.parse(AWS_MANAGED_POLICIES.get(arn)!.documentText));
      const versions = (await api.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }))).Versions!;
      expect(versions.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([[Policy!.DefaultVersionId, true]]);
    }
    const lambda = JSON.parse(
      decodeURIComponent(
        (await api.iam.send(new GetPolicyVersionCommand({ PolicyArn: arnOf('service-role/AWSLambdaBasicExecutionRole'), VersionId: 'v1' }))).PolicyVersion!.Document!,
      ),
    );
    expect(lambda.Statement).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }]);
    // The policy exists, so an unknown version says so about the version (AWS's message).
    expect(await awsError(api.iam.send(new GetPolicyVersionCommand({ PolicyArn: arnOf('ReadOnlyAccess'), VersionId: 'v1' })))).toEqual({
      code: 'NoSuchEntity',
      message: `Policy ${arnOf('ReadOnlyAccess')} version v1 does not exist or is not attachable.`,
      status: 404,
    });
    // A path is part of the ARN: the service-role policy is not at the root.
    expect(await awsError(api.iam.send(new GetPolicyCommand({ PolicyArn: arnOf('AWSLambdaBasicExecutionRole') })))).toMatchObject({ code: 'NoSuchEntity' });
  });

  it('ListPolicies Scope=AWS pages through the whole catalogue once, in name order; PathPrefix narrows it', async () => {
    const all: Policy[] = [];
    let Marker: string | undefined;
    do {
      const page = await api.iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 500, Marker }));
      all.push(...page.Policies!);
      Marker = page.Marker;
    } while (Marker !== undefined);
    expect(all.length).toBe(AWS_MANAGED_POLICIES.size);
    expect(all.map((p) => p.Arn)).toEqual([...AWS_MANAGED_POLICIES.keys()]);
    expect(new Set(all.map((p) => p.Arn)).size).toBe(all.length);
    expect(all.every((p) => p.Arn!.startsWith('arn:aws:iam::aws:policy/'))).toBe(true);
    const jobFunctions = (await api.iam.send(new ListPoliciesCommand({ Scope: 'AWS', PathPrefix: '/job-function/', MaxItems: 1000 }))).Policies!;
    expect(jobFunctions.map((p) => p.PolicyName)).toContain('ViewOnlyAccess');
    expect(jobFunctions.every((p) => p.Path === '/job-function/')).toBe(true);
    expect(jobFunctions.length).toBe(all.filter((p) => p.Path === '/job-function/').length);
  });

  it('attached to a user, SecurityAudit lets it read the account (GetAccountAuthorizationDetails) and nothing more; the simulator agrees', async () => {
    const UserName = uniqueName('auditor');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn: arnOf('SecurityAudit') }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const auditor = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const details = await auditor.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['User', 'AWSManagedPolicy'] }));
    const mine = details.UserDetailList!.find((u) => u.UserName === UserName)!;
    expect(mine.AttachedManagedPolicies).toEqual([{ PolicyName: 'SecurityAudit', PolicyArn: arnOf('SecurityAudit') }]);
    // AWS lists the AWS managed policies the account uses, with their attachment counts.
    const audit = details.Policies!.find((p) => p.Arn === arnOf('SecurityAudit'))!;
    expect(audit.AttachmentCount).toBeGreaterThanOrEqual(1);
    expect(audit.PolicyVersionList!.map((v) => v.VersionId)).toEqual([audit.DefaultVersionId]);
    expect(details.Policies!.every((p) => p.AttachmentCount! > 0)).toBe(true);
    await auditor.send(new ListUsersCommand({}));
    const other = uniqueName('nope');
    expect(await awsError(auditor.send(new CreateUserCommand({ UserName: other })))).toEqual({
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT_ID}:user/${UserName} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::${ACCOUNT_ID}:user/${other} because no identity-based policy allows the iam:CreateUser action`,
      status: 403,
    });
    const simulated = await api.iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT_ID}:user/${UserName}`, ActionNames: ['iam:GetAccountAuthorizationDetails', 's3:PutObject'] }),
    );
    expect(simulated.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['iam:GetAccountAuthorizationDetails', 'allowed'],
      ['s3:PutObject', 'implicitDeny'],
    ]);
    const got = (await api.iam.send(new GetPolicyCommand({ PolicyArn: arnOf('SecurityAudit') }))).Policy!;
    expect(got.AttachmentCount).toBeGreaterThanOrEqual(1);
  });

  it('a role takes a service-role policy, and AssumeRole accepts an AWS managed policy as a session policy', async () => {
    const RoleName = uniqueName('lambda');
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' }] });
    const role = (await api.iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }))).Role!;
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: arnOf('service-role/AWSLambdaBasicExecutionRole') }));
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: arnOf('IAMFullAccess') }));
    const details = await api.iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'AWSManagedPolicy'] }));
    expect(details.RoleDetailList!.find((r) => r.RoleName === RoleName)!.AttachedManagedPolicies).toEqual([
      { PolicyName: 'AWSLambdaBasicExecutionRole', PolicyArn: arnOf('service-role/AWSLambdaBasicExecutionRole') },
      { PolicyName: 'IAMFullAccess', PolicyArn: arnOf('IAMFullAccess') },
    ]);
    expect(details.Policies!.find((p) => p.PolicyName === 'AWSLambdaBasicExecutionRole')).toMatchObject({ Path: '/service-role/', DefaultVersionId: 'v1' });

    // Root may not assume roles: an administrator (AdministratorAccess, from the catalogue too) does.
    const admin = uniqueName('admin');
    await api.iam.send(new CreateUserCommand({ UserName: admin }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: admin, PolicyArn: arnOf('AdministratorAccess') }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName: admin }))).AccessKey!;
    const sts = new STSClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }, maxAttempts: 1 });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: role.Arn!, RoleSessionName: 'audit', PolicyArns: [{ arn: arnOf('job-function/ViewOnlyAccess') }] }),
    );
    const session = new IAMClient({
      endpoint: api.url,
      region: 'us-east-1',
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
      maxAttempts: 1,
    });
    // IAMFullAccess and ViewOnlyAccess both allow listing users; only the role's policy would allow creating one.
    await session.send(new ListUsersCommand({}));
    expect((await awsError(session.send(new CreateUserCommand({ UserName: uniqueName('nope') })))).code).toBe('AccessDenied');
    sts.destroy();
    session.destroy();
  });
});
