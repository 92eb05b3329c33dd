import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddRoleToInstanceProfileCommand,
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetAccountAuthorizationDetailsCommand,
  type GetAccountAuthorizationDetailsCommandOutput,
  GetContextKeysForCustomPolicyCommand,
  GetContextKeysForPrincipalPolicyCommand,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  paginateGetAccountAuthorizationDetails,
  type EntityType,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const allow = (Action: string | string[], Resource: string | string[] = '*', Condition?: object) =>
  doc({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const READ_ONLY = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';
const arn = (kind: string, name: string, path = '/') => `arn:aws:iam::${ACCOUNT_ID}:${kind}${path}${name}`;

/** Every page, by the SDK's own paginator, merged. */
async function everything(Filter?: EntityType[], MaxItems?: number) {
  const merged = { users: [], groups: [], roles: [], policies: [], pages: 0 } as {
    users: NonNullable<GetAccountAuthorizationDetailsCommandOutput['UserDetailList']>;
    groups: NonNullable<GetAccountAuthorizationDetailsCommandOutput['GroupDetailList']>;
    roles: NonNullable<GetAccountAuthorizationDetailsCommandOutput['RoleDetailList']>;
    policies: NonNullable<GetAccountAuthorizationDetailsCommandOutput['Policies']>;
    pages: number;
  };
  for await (const page of paginateGetAccountAuthorizationDetails({ client: api.iam, pageSize: MaxItems }, { Filter })) {
    merged.users.push(...page.UserDetailList!);
    merged.groups.push(...page.GroupDetailList!);
    merged.roles.push(...page.RoleDetailList!);
    merged.policies.push(...page.Policies!);
    merged.pages++;
  }
  return merged;
}

describe('GetAccountAuthorizationDetails', () => {
  const user = uniqueName('detail-user');
  const group = uniqueName('detail-group');
  const role = uniqueName('detail-role');
  const profile = uniqueName('detail-profile');
  const policy = uniqueName('DetailPolicy');
  const boundary = uniqueName('DetailBoundary');
  const userInline = allow('s3:ListBucket', 'arn:aws:s3:::bucket-${aws:username}');
  const groupInline = allow('iam:GetUser');
  const roleInline = allow('s3:GetObject', 'arn:aws:s3:::bucket/*');
  let policyArn: string;
  let boundaryArn: string;

  beforeAll(async () => {
    policyArn = (await api.iam.send(new CreatePolicyCommand({ PolicyName: policy, Path: '/team/', PolicyDocument: allow('iam:ListUsers'), Description: 'lists' })))
      .Policy!.Arn!;
    await api.iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: allow(['iam:ListUsers', 'iam:ListGroups']), SetAsDefault: true }));
    boundaryArn = (await api.iam.send(new CreatePolicyCommand({ PolicyName: boundary, PolicyDocument: allow('iam:*') }))).Policy!.Arn!;

    await api.iam.send(new CreateUserCommand({ UserName: user, Path: '/eng/', Tags: [{ Key: 'team', Value: 'identity' }] }));
    await api.iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'own', PolicyDocument: userInline }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: user, PolicyArn: policyArn }));
    await api.iam.send(new PutUserPermissionsBoundaryCommand({ UserName: user, PermissionsBoundary: boundaryArn }));

    await api.iam.send(new CreateGroupCommand({ GroupName: group }));
    await api.iam.send(new PutGroupPolicyCommand({ GroupName: group, PolicyName: 'shared', PolicyDocument: groupInline }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: READ_ONLY }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: policyArn }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));

    await api.iam.send(
      new CreateRoleCommand({ RoleName: role, Path: '/my-path/', AssumeRolePolicyDocument: TRUST, Description: 'testing role', Tags: [{ Key: 'somekey', Value: 'v' }] }),
    );
    await api.iam.send(new PutRolePolicyCommand({ RoleName: role, PolicyName: 'role-inline', PolicyDocument: roleInline }));
    await api.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: READ_ONLY }));
    await api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: role, PermissionsBoundary: boundaryArn }));
    await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile }));
    await api.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: role }));
  });

  it('describes users, groups, roles and policies with everything that hangs off them, documents URL-encoded as AWS sends them', async () => {
    const all = await everything();
    const u = all.users.find((d) => d.UserName === user)!;
    expect(u).toEqual({
      Path: '/eng/',
      UserName: user,
      UserId: expect.stringMatching(/^AIDA/),
      Arn: arn('user', user, '/eng/'),
      CreateDate: expect.any(Date),
      // The JS SDK leaves IAM's URL-encoding in place (botocore decodes it).
      UserPolicyList: [{ PolicyName: 'own', PolicyDocument: encodeURIComponent(userInline) }],
      GroupList: [group],
      AttachedManagedPolicies: [{ PolicyName: policy, PolicyArn: policyArn }],
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundaryArn },
      Tags: [{ Key: 'team', Value: 'identity' }],
    });

    expect(all.groups.find((d) => d.GroupName === group)).toEqual({
      Path: '/',
      GroupName: group,
      GroupId: expect.stringMatching(/^AGPA/),
      Arn: arn('group', group),
      CreateDate: expect.any(Date),
      GroupPolicyList: [{ PolicyName: 'shared', PolicyDocument: encodeURIComponent(groupInline) }],
      AttachedManagedPolicies: [
        { PolicyName: 'IAMReadOnlyAccess', PolicyArn: READ_ONLY },
        { PolicyName: policy, PolicyArn: policyArn },
      ],
    });

    const r = all.roles.find((d) => d.RoleName === role)!;
    const embeddedRole = {
      Path: '/my-path/',
      RoleName: role,
      RoleId: r.RoleId,
      Arn: arn('role', role, '/my-path/'),
      CreateDate: r.CreateDate,
      AssumeRolePolicyDocument: encodeURIComponent(TRUST),
    };
    expect(r).toEqual({
      ...embeddedRole,
      RoleId: expect.stringMatching(/^AROA/),
      CreateDate: expect.any(Date),
      // Instance profiles without tags, their role as in ListInstanceProfiles (no description).
      InstanceProfileList: [
        {
          Path: '/',
          InstanceProfileName: profile,
          InstanceProfileId: expect.stringMatching(/^AIPA/),
          Arn: arn('instance-profile', profile),
          CreateDate: expect.any(Date),
          Roles: [embeddedRole],
        },
      ],
      RolePolicyList: [{ PolicyName: 'role-inline', PolicyDocument: encodeURIComponent(roleInline) }],
      AttachedManagedPolicies: [{ PolicyName: 'IAMReadOnlyAccess', PolicyArn: READ_ONLY }],
      PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: boundaryArn },
      Tags: [{ Key: 'somekey', Value: 'v' }],
      RoleLastUsed: {},
    });

    const p = all.policies.find((d) => d.Arn === policyArn)!;
    expect(p).toEqual({
      PolicyName: policy,
      PolicyId: expect.stringMatching(/^ANPA/),
      Arn: policyArn,
      Path: '/team/',
      DefaultVersionId: 'v2',
      AttachmentCount: 2,
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      Description: 'lists',
      CreateDate: expect.any(Date),
      UpdateDate: expect.any(Date),
      // Every version, newest first, with its document.
      PolicyVersionList: [
        { Document: encodeURIComponent(allow(['iam:ListUsers', 'iam:ListGroups'])), VersionId: 'v2', IsDefaultVersion: true, CreateDate: expect.any(Date) },
        { Document: encodeURIComponent(allow('iam:ListUsers')), VersionId: 'v1', IsDefaultVersion: false, CreateDate: expect.any(Date) },
      ],
    });
    expect(all.policies.find((d) => d.Arn === boundaryArn)).toMatchObject({ AttachmentCount: 0, PermissionsBoundaryUsageCount: 2 });

    // AWS managed policies appear when something in the account has them attached, with their document.
    const readOnly = all.policies.find((d) => d.Arn === READ_ONLY)!;
    expect(readOnly).toMatchObject({ PolicyName: 'IAMReadOnlyAccess', Path: '/', AttachmentCount: 2, IsAttachable: true });
    expect(readOnly.PolicyVersionList).toEqual([
      { Document: expect.stringContaining('iam%3AGet*'), VersionId: readOnly.DefaultVersionId, IsDefaultVersion: true, CreateDate: expect.any(Date) },
    ]);
    expect(all.policies.some((d) => d.Arn === 'arn:aws:iam::aws:policy/AdministratorAccess')).toBe(false);
    // Customer managed policies come before AWS managed ones.
    expect(all.policies.findIndex((d) => d.Arn === READ_ONLY)).toBeGreaterThan(all.policies.findIndex((d) => d.Arn === policyArn));
  });

  it("leaves out a user's UserPolicyList when it has none, and sends every other list, empty", async () => {
    const bare = uniqueName('bare');
    await api.iam.send(new CreateUserCommand({ UserName: bare }));
    await api.iam.send(new CreateGroupCommand({ GroupName: bare }));
    await api.iam.send(new CreateRoleCommand({ RoleName: bare, AssumeRolePolicyDocument: TRUST }));
    const all = await everything();
    const u = all.users.find((d) => d.UserName === bare)!;
    expect(u).toEqual({
      Path: '/',
      UserName: bare,
      UserId: u.UserId,
      Arn: arn('user', bare),
      CreateDate: u.CreateDate,
      GroupList: [],
      AttachedManagedPolicies: [],
      Tags: [],
    });
    expect('UserPolicyList' in u).toBe(false);
    expect(all.groups.find((d) => d.GroupName === bare)).toMatchObject({ GroupPolicyList: [], AttachedManagedPolicies: [] });
    const r = all.roles.find((d) => d.RoleName === bare)!;
    expect(r).toMatchObject({ InstanceProfileList: [], RolePolicyList: [], AttachedManagedPolicies: [], Tags: [], RoleLastUsed: {} });
    expect(r.PermissionsBoundary).toBeUndefined();
  });

  it('Filter keeps the kinds asked for and sends the other lists empty', async () => {
    const only = async (Filter: EntityType[]) => api.iam.send(new GetAccountAuthorizationDetailsCommand({ Filter, MaxItems: 1000 }));
    const roles = await only(['Role']);
    expect(roles.RoleDetailList!.some((r) => r.RoleName === role)).toBe(true);
    expect([roles.UserDetailList, roles.GroupDetailList, roles.Policies]).toEqual([[], [], []]);

    const local = await only(['LocalManagedPolicy']);
    expect(local.Policies!.map((p) => p.Arn)).toContain(policyArn);
    expect(local.Policies!.every((p) => !p.Arn!.startsWith('arn:aws:iam::aws:'))).toBe(true);
    expect([local.UserDetailList, local.GroupDetailList, local.RoleDetailList]).toEqual([[], [], []]);

    const aws = await only(['AWSManagedPolicy']);
    expect(aws.Policies!.map((p) => p.Arn)).toEqual([READ_ONLY]);

    const usersAndGroups = await only(['User', 'Group']);
    expect(usersAndGroups.UserDetailList!.some((u) => u.UserName === user)).toBe(true);
    expect(usersAndGroups.GroupDetailList!.some((g) => g.GroupName === group)).toBe(true);
    expect([usersAndGroups.RoleDetailList, usersAndGroups.Policies]).toEqual([[], []]);
  });

  it('pages with MaxItems and an opaque Marker across the lists, each entity once, no empty last page', async () => {
    const whole = await api.iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1000 }));
    expect(whole.IsTruncated).toBe(false);
    expect(whole.Marker).toBeUndefined();
    const total = whole.UserDetailList!.length + whole.GroupDetailList!.length + whole.RoleDetailList!.length + whole.Policies!.length;

    for (const size of [1, 2, 3]) {
      const paged = await everything(undefined, size);
      expect(paged.pages).toBe(Math.ceil(total / size));
      expect(paged.users).toEqual(whole.UserDetailList);
      expect(paged.groups).toEqual(whole.GroupDetailList);
      expect(paged.roles).toEqual(whole.RoleDetailList);
      expect(paged.policies).toEqual(whole.Policies);
    }

    const first = await api.iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 1 }));
    expect(first.IsTruncated).toBe(true);
    expect(first.Marker).toMatch(/^[A-Za-z0-9_-]+$/);

    // With a filter, the marker goes on within the kinds asked for.
    const roles = await everything(['Role'], 1);
    expect(roles.roles.map((r) => r.RoleName)).toEqual(whole.RoleDetailList!.map((r) => r.RoleName));
    expect(roles.pages).toBe(whole.RoleDetailList!.length);
  });

  it('refuses a marker it did not give, an unknown Filter value and a MaxItems out of range', async () => {
    expect(await awsError(api.iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: 'not a marker' })))).toEqual({
      code: 'ValidationError',
      message: 'Invalid Marker.',
      status: 400,
    });
    expect(await awsError(api.iam.send(new GetAccountAuthorizationDetailsCommand({ Marker: Buffer.from('9:x').toString('base64url') })))).toEqual({
      code: 'ValidationError',
      message: 'Invalid Marker.',
      status: 400,
    });
    expect(await awsError(api.iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Users' as EntityType] })))).toEqual({
      code: 'ValidationError',
      message:
        "1 validation error detected: Value at 'filter.1.member' failed to satisfy constraint: Member must satisfy enum value set",
      status: 400,
    });
    expect(await awsError(api.iam.send(new GetAccountAuthorizationDetailsCommand({ MaxItems: 0 })))).toEqual({
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1",
      status: 400,
    });
  });
});

describe('GetContextKeysForCustomPolicy', () => {
  const keys = async (...PolicyInputList: string[]) => (await api.iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList }))).ContextKeyNames;

  it("lists condition keys and the policy variables of resources, as AWS's own example does", async () => {
    // The example of the AWS CLI reference for get-context-keys-for-custom-policy.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: {
        Effect: 'Allow',
        Action: 'dynamodb:*',
        Resource: 'arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}',
        Condition: { DateGreaterThan: { 'aws:CurrentTime': '2015-08-16T12:00:00Z' } },
      },
    });
    expect(await keys(policy)).toEqual(['aws:username', 'aws:CurrentTime']);
  });

  it('lists each key once whatever its case, spelt as first written, across statements and policies', async () => {
    const first = doc(
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      {
        Effect: 'Deny',
        Action: 's3:*',
        NotResource: 'arn:aws:s3:::${aws:PrincipalTag/team, \'none\'}/*',
        Condition: { StringEquals: { 'AWS:SOURCEIP': '1.2.3.4', 's3:prefix': '${aws:userid}/${*}' }, Bool: { 'aws:SecureTransport': 'false' } },
      },
    );
    const second = doc({ Effect: 'Allow', Action: 'iam:TagUser', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['a'] } } });
    expect(await keys(first, second)).toEqual(['aws:SourceIp', 'aws:PrincipalTag/team', 's3:prefix', 'aws:userid', 'aws:SecureTransport', 'aws:TagKeys']);
  });

  it('reads no variables in a 2008-10-17 document, and answers an empty list for a policy without keys', async () => {
    const old = JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::${aws:username}' }] });
    expect(await keys(old)).toEqual([]);
    expect(await keys(allow('iam:GetUser'))).toEqual([]);
  });

  it('refuses a malformed document with InvalidInput, the one error of its model', async () => {
    expect(await awsError(keys('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Actoin": "s3:*", "Resource": "*"}]}'))).toEqual({
      code: 'InvalidInput',
      message: 'Syntax errors in policy.',
      status: 400,
    });
    expect(await awsError(api.iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: arn('user', 'nobody'), PolicyInputList: ['not json'] })))).toEqual({
      code: 'InvalidInput',
      message: 'Syntax errors in policy.',
      status: 400,
    });
  });
});

describe('GetContextKeysForPrincipalPolicy and SimulatePrincipalPolicy: users, groups and roles', () => {
  const user = uniqueName('keys-user');
  const group = uniqueName('keys-group');
  const role = uniqueName('keys-role');
  const ipPolicy = uniqueName('IpPolicy');

  beforeAll(async () => {
    await api.iam.send(new CreateUserCommand({ UserName: user }));
    await api.iam.send(new PutUserPolicyCommand({ UserName: user, PolicyName: 'home', PolicyDocument: allow('s3:GetObject', 'arn:aws:s3:::home/${aws:username}/*') }));
    await api.iam.send(new CreateGroupCommand({ GroupName: group }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName: group, UserName: user }));
    await api.iam.send(
      new PutGroupPolicyCommand({ GroupName: group, PolicyName: 'mfa', PolicyDocument: allow('iam:ListUsers', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } }) }),
    );
    const ip = (await api.iam.send(new CreatePolicyCommand({ PolicyName: ipPolicy, PolicyDocument: allow('iam:GetRole', '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }) })))
      .Policy!.Arn!;
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName: group, PolicyArn: ip }));
    await api.iam.send(new CreateRoleCommand({ RoleName: role, Path: '/app/', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'team', Value: 'blue' }] }));
    await api.iam.send(
      new PutRolePolicyCommand({
        RoleName: role,
        PolicyName: 'tagged',
        PolicyDocument: allow('s3:PutObject', 'arn:aws:s3:::data/${aws:PrincipalTag/team}/*'),
      }),
    );
    await api.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: ip }));
  });

  const keysOf = async (PolicySourceArn: string, PolicyInputList?: string[]) =>
    (await api.iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn, PolicyInputList }))).ContextKeyNames;

  it("a user's keys include its groups'; a group's and a role's are their own; PolicyInputList adds to them", async () => {
    expect(await keysOf(arn('user', user))).toEqual(['aws:username', 'aws:MultiFactorAuthPresent', 'aws:SourceIp']);
    expect(await keysOf(arn('group', group))).toEqual(['aws:MultiFactorAuthPresent', 'aws:SourceIp']);
    expect(await keysOf(arn('role', role, '/app/'))).toEqual(['aws:PrincipalTag/team', 'aws:SourceIp']);
    expect(await keysOf(arn('group', group), [allow('s3:*', '*', { StringLike: { 's3:prefix': 'x/*', 'aws:sourceip': '1.1.1.1' } })])).toEqual([
      'aws:MultiFactorAuthPresent',
      'aws:SourceIp',
      's3:prefix',
    ]);
  });

  it('refuses an ARN that is not a user, group or role of this account, and one that names nobody', async () => {
    for (const bad of [`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${role}/session`, `arn:aws:iam::999999999999:user/${user}`, `arn:aws:iam::${ACCOUNT_ID}:policy/x`]) {
      expect(await awsError(keysOf(bad))).toEqual({ code: 'InvalidInput', message: `Invalid Entity Arn: ${bad}`, status: 400 });
      expect(await awsError(api.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: bad, ActionNames: ['iam:GetUser'] })))).toEqual({
        code: 'InvalidInput',
        message: `Invalid Entity Arn: ${bad}`,
        status: 400,
      });
    }
    expect(await awsError(keysOf(arn('role', 'no-such-role')))).toEqual({ code: 'NoSuchEntity', message: 'The role with name no-such-role cannot be found.', status: 404 });
    expect(await awsError(keysOf(arn('group', 'no-such-group')))).toEqual({
      code: 'NoSuchEntity',
      message: 'The group with name no-such-group cannot be found.',
      status: 404,
    });
    expect(await awsError(api.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn('user', 'nobody'), ActionNames: ['iam:GetUser'] })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The user with name nobody cannot be found.',
      status: 404,
    });
  });

  it("SimulatePrincipalPolicy of a role: its inline and attached policies, its tags as aws:PrincipalTag, bounded by its boundary", async () => {
    const simulate = async (ActionNames: string[], ResourceArns?: string[]) =>
      (await api.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn('role', role, '/app/'), ActionNames, ResourceArns, ContextEntries: [{ ContextKeyName: 'aws:SourceIp', ContextKeyValues: ['10.1.2.3'], ContextKeyType: 'ip' }] })))
        .EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision, r.MatchedStatements!.map((m) => m.SourcePolicyType)]);
    expect(await simulate(['s3:PutObject'], ['arn:aws:s3:::data/blue/file', 'arn:aws:s3:::data/red/file'])).toEqual([
      ['s3:PutObject', 'arn:aws:s3:::data/blue/file', 'allowed', ['role']],
      ['s3:PutObject', 'arn:aws:s3:::data/red/file', 'implicitDeny', []],
    ]);
    expect(await simulate(['iam:GetRole', 'iam:DeleteRole'])).toEqual([
      ['iam:GetRole', '*', 'allowed', ['user-managed']],
      ['iam:DeleteRole', '*', 'implicitDeny', []],
    ]);

    const fence = (await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('Fence'), PolicyDocument: allow('iam:Get*') }))).Policy!.Arn!;
    await api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: role, PermissionsBoundary: fence }));
    expect(await simulate(['iam:GetRole', 's3:PutObject'], ['arn:aws:s3:::data/blue/file'])).toEqual([
      ['iam:GetRole', 'arn:aws:s3:::data/blue/file', 'allowed', ['user-managed', 'user-managed']],
      ['s3:PutObject', 'arn:aws:s3:::data/blue/file', 'implicitDeny', []],
    ]);
  });

  it('SimulatePrincipalPolicy of a group: its own policies only', async () => {
    const out = await api.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: arn('group', group),
        ActionNames: ['iam:ListUsers', 's3:GetObject'],
        ResourceArns: [`arn:aws:s3:::home/${user}/notes`],
        ContextEntries: [{ ContextKeyName: 'aws:MultiFactorAuthPresent', ContextKeyValues: ['true'], ContextKeyType: 'boolean' }],
      }),
    );
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision, r.MatchedStatements!.map((m) => m.SourcePolicyType)])).toEqual([
      ['iam:ListUsers', 'allowed', ['group']],
      ['s3:GetObject', 'implicitDeny', []],
    ]);
  });
});

describe('the simulator and the request time', () => {
  it('SimulateCustomPolicy: aws:CurrentTime and aws:EpochTime come from the clock, or from ContextEntries when given', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iam:GetUser', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
        { Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { NumericLessThan: { 'aws:EpochTime': '1577836800' } } },
      ],
    });
    const decisions = async (ContextEntries?: { ContextKeyName: string; ContextKeyValues: string[]; ContextKeyType: 'date' | 'numeric' }[]) =>
      (await api.iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ['iam:GetUser', 'iam:ListUsers'], ContextEntries }))).EvaluationResults!.map(
        (r) => r.EvalDecision,
      );
    expect(await decisions()).toEqual(['implicitDeny', 'implicitDeny']); // it is later than 2020 now
    expect(
      await decisions([
        { ContextKeyName: 'aws:CurrentTime', ContextKeyValues: ['2019-06-01T00:00:00Z'], ContextKeyType: 'date' },
        { ContextKeyName: 'aws:EpochTime', ContextKeyValues: ['1559347200'], ContextKeyType: 'numeric' },
      ]),
    ).toEqual(['allowed', 'allowed']);
  });
});

describe('authorization of these operations', () => {
  it('GetAccountAuthorizationDetails acts on *, GetContextKeysForPrincipalPolicy and SimulatePrincipalPolicy on the entity named', async () => {
    const name = uniqueName('auditor');
    await api.iam.send(new CreateUserCommand({ UserName: name }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    const auditor = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const me = arn('user', name);
    const denied = (action: string, resource: string) => ({
      code: 'AccessDenied',
      message: `User: ${me} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`,
      status: 403,
    });
    const appRole = uniqueName('app-role');
    const otherRole = uniqueName('other-role');
    await api.iam.send(new CreateRoleCommand({ RoleName: appRole, AssumeRolePolicyDocument: TRUST }));
    await api.iam.send(new CreateRoleCommand({ RoleName: otherRole, Path: '/other/', AssumeRolePolicyDocument: TRUST }));

    expect(await awsError(auditor.send(new GetAccountAuthorizationDetailsCommand({})))).toEqual(denied('iam:GetAccountAuthorizationDetails', '*'));
    expect(await awsError(auditor.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [allow('iam:GetUser')] })))).toEqual(
      denied('iam:GetContextKeysForCustomPolicy', '*'),
    );
    expect(await awsError(auditor.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: arn('role', otherRole, '/other/') })))).toEqual(
      denied('iam:GetContextKeysForPrincipalPolicy', `role ${otherRole}`),
    );

    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: name,
        PolicyName: 'audit',
        PolicyDocument: doc(
          { Effect: 'Allow', Action: ['iam:GetAccountAuthorizationDetails', 'iam:GetContextKeysForCustomPolicy'], Resource: '*' },
          { Effect: 'Allow', Action: ['iam:GetContextKeysForPrincipalPolicy', 'iam:SimulatePrincipalPolicy'], Resource: arn('role', appRole) },
        ),
      }),
    );
    expect((await auditor.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }))).RoleDetailList!.some((r) => r.RoleName === appRole)).toBe(true);
    expect((await auditor.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [allow('iam:GetUser')] }))).ContextKeyNames).toEqual([]);
    expect((await auditor.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: arn('role', appRole) }))).ContextKeyNames).toEqual([]);
    await auditor.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn('role', appRole), ActionNames: ['iam:GetRole'] }));
    // The resource is the role's ARN with its real path, whatever path the caller wrote.
    expect(await awsError(auditor.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: arn('role', otherRole), ActionNames: ['iam:GetRole'] })))).toEqual(
      denied('iam:SimulatePrincipalPolicy', `role ${otherRole}`),
    );
  });
});
