/**
 * Roles, instance profiles and service-linked roles through the AWS SDK, against a real server.
 * Messages and members are AWS's, as LocalStack's AWS-validated snapshots record them.
 */
import { describe, expect, it } from 'vitest';
import {
  GetAccountSummaryCommand,
  AttachUserPolicyCommand,
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteInstanceProfileCommand,
  DeletePolicyCommand,
  DeleteRoleCommand,
  DeleteRolePermissionsBoundaryCommand,
  DeleteRolePolicyCommand,
  DeleteServiceLinkedRoleCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetServiceLinkedRoleDeletionStatusCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesCommand,
  ListInstanceProfilesForRoleCommand,
  ListInstanceProfileTagsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagInstanceProfileCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
  UpdateRoleDescriptionCommand,
  CreateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const PERMISSIONS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
const decoded = (document: string | undefined) => JSON.parse(decodeURIComponent(document!));

async function role(extra: Partial<{ Path: string; Description: string; MaxSessionDuration: number }> = {}) {
  const RoleName = uniqueName('role');
  await api.iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST, ...extra }));
  return RoleName;
}

describe('roles', () => {
  it("CreateRole answers AWS's members: AROA id, ARN with path, the trust policy URL-encoded, no description or duration echoed", async () => {
    const RoleName = uniqueName('web');
    const { Role } = await api.iam.send(
      new CreateRoleCommand({
        RoleName,
        Path: '/app/',
        AssumeRolePolicyDocument: TRUST,
        Description: 'serves the web',
        MaxSessionDuration: 7200,
        Tags: [{ Key: 'team', Value: 'web' }],
      }),
    );
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:role/app/${RoleName}`);
    expect(decoded(Role?.AssumeRolePolicyDocument)).toEqual(JSON.parse(TRUST));
    expect(Role?.Tags).toEqual([{ Key: 'team', Value: 'web' }]);
    expect(Role?.Description).toBeUndefined();
    expect(Role?.MaxSessionDuration).toBeUndefined();
    expect(Role?.RoleLastUsed).toBeUndefined();

    const got = (await api.iam.send(new GetRoleCommand({ RoleName: RoleName.toUpperCase() }))).Role!;
    expect(got).toMatchObject({ RoleName, Path: '/app/', Description: 'serves the web', MaxSessionDuration: 7200, RoleLastUsed: {} });
    expect(got.Tags).toEqual([{ Key: 'team', Value: 'web' }]);

    const listed = (await api.iam.send(new ListRolesCommand({ PathPrefix: '/app/' }))).Roles!;
    expect(listed.map((r) => r.RoleName)).toEqual([RoleName]);
    expect(listed[0]).toMatchObject({ Description: 'serves the web', MaxSessionDuration: 7200 });
    expect(listed[0]!.Tags).toBeUndefined();
    expect(listed[0]!.RoleLastUsed).toBeUndefined();
  });

  it('defaults: path /, MaxSessionDuration 3600, no Tags member when there are none', async () => {
    const RoleName = await role();
    const got = (await api.iam.send(new GetRoleCommand({ RoleName }))).Role!;
    expect(got.Path).toBe('/');
    expect(got.MaxSessionDuration).toBe(3600);
    expect(got.Tags).toBeUndefined();
  });

  it('names are unique regardless of case; unknown roles are NoSuchEntity with AWS text', async () => {
    const RoleName = await role();
    expect(await awsError(api.iam.send(new CreateRoleCommand({ RoleName: RoleName.toUpperCase(), AssumeRolePolicyDocument: TRUST })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `Role with name ${RoleName.toUpperCase()} already exists.`,
      status: 409,
    });
    for (const call of [
      () => api.iam.send(new GetRoleCommand({ RoleName: 'test-nonexistent-role' })),
      () => api.iam.send(new DeleteRoleCommand({ RoleName: 'test-nonexistent-role' })),
      () => api.iam.send(new TagRoleCommand({ RoleName: 'test-nonexistent-role', Tags: [{ Key: 'a', Value: 'b' }] })),
      () => api.iam.send(new PutRolePolicyCommand({ RoleName: 'test-nonexistent-role', PolicyName: 'p', PolicyDocument: PERMISSIONS })),
      () => api.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'test-nonexistent-role' })),
    ]) {
      // One call at a time: a request sent before its turn would reject with nobody awaiting it.
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: 'The role with name test-nonexistent-role cannot be found.', status: 404 });
    }
  });

  it('MaxSessionDuration outside 3600-43200 is a ValidationError that changes nothing', async () => {
    const RoleName = uniqueName('long');
    expect(await awsError(api.iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 43201 })))).toEqual({
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200",
      status: 400,
    });
    expect((await awsError(api.iam.send(new GetRoleCommand({ RoleName })))).code).toBe('NoSuchEntity');
  });

  it('trust policies are validated as AWS validates them', async () => {
    const create = (doc: unknown) =>
      awsError(api.iam.send(new CreateRoleCommand({ RoleName: uniqueName('bad'), AssumeRolePolicyDocument: typeof doc === 'string' ? doc : JSON.stringify(doc) })));
    const statement = (s: object) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', ...s }] });
    expect(await create('not valid json')).toMatchObject({ code: 'MalformedPolicyDocument', message: 'This policy contains invalid Json', status: 400 });
    expect((await create(statement({}))).message).toMatch(
      /^Invalid principal in policy: com\.amazon\.balsa\.error\.InvalidPolicyException: The passed in policy has a statement with no principals!/,
    );
    expect((await create(statement({ Principal: { Service: 'ec2.amazonaws.com' }, Resource: '*' }))).message).toMatch(/^Has prohibited field Resource/);
    expect(
      (await create({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:InvalidAction' }] }))
        .message,
    ).toMatch(/^AssumeRole policy may only specify STS AssumeRole actions\./);
    expect((await create(statement({ Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:user/nobody-here` } }))).message).toBe(
      `Invalid principal in policy: "AWS":"arn:aws:iam::${ACCOUNT_ID}:user/nobody-here"`,
    );
    // An existing user, another account's root, a wildcard and the session actions are fine.
    const UserName = uniqueName('truster');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const ok = statement({ Principal: { AWS: [`arn:aws:iam::${ACCOUNT_ID}:user/${UserName}`, 'arn:aws:iam::210987654321:root', '*'] } });
    (ok.Statement[0] as { Action: unknown }).Action = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];
    await api.iam.send(new CreateRoleCommand({ RoleName: uniqueName('good'), AssumeRolePolicyDocument: JSON.stringify(ok) }));
  });

  it('UpdateRole changes only what is given; UpdateRoleDescription answers the role; UpdateAssumeRolePolicy replaces the trust', async () => {
    const RoleName = await role({ Description: 'first', MaxSessionDuration: 7200 });
    await api.iam.send(new UpdateRoleCommand({ RoleName }));
    expect((await api.iam.send(new GetRoleCommand({ RoleName }))).Role).toMatchObject({ Description: 'first', MaxSessionDuration: 7200 });
    await api.iam.send(new UpdateRoleCommand({ RoleName, MaxSessionDuration: 43200 }));
    const { Role } = await api.iam.send(new UpdateRoleDescriptionCommand({ RoleName, Description: 'second' }));
    expect(Role).toMatchObject({ RoleName, Description: 'second' });
    expect(Role?.MaxSessionDuration).toBeUndefined();
    expect((await api.iam.send(new GetRoleCommand({ RoleName }))).Role).toMatchObject({ Description: 'second', MaxSessionDuration: 43200 });
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] }],
    });
    await api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: trust }));
    expect(decodeURIComponent((await api.iam.send(new GetRoleCommand({ RoleName }))).Role!.AssumeRolePolicyDocument!)).toBe(trust);
    expect((await awsError(api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: '{}' })))).code).toBe('MalformedPolicyDocument');
  });

  it('tags: case-insensitive keys (the new spelling wins), AWS duplicate message, untag, list', async () => {
    const RoleName = await role();
    await api.iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: 'somekey', Value: 'somevalue' }, { Key: 'other', Value: '' }] }));
    await api.iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: 'Somekey', Value: 'updated' }] }));
    expect((await api.iam.send(new ListRoleTagsCommand({ RoleName }))).Tags).toEqual([
      { Key: 'Somekey', Value: 'updated' },
      { Key: 'other', Value: '' },
    ]);
    expect(await awsError(api.iam.send(new TagRoleCommand({ RoleName, Tags: [{ Key: 'mykey', Value: '1' }, { Key: 'MyKey', Value: '2' }] })))).toEqual({
      code: 'InvalidInput',
      message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      status: 400,
    });
    await api.iam.send(new UntagRoleCommand({ RoleName, TagKeys: ['SOMEKEY'] }));
    expect((await api.iam.send(new ListRoleTagsCommand({ RoleName }))).Tags).toEqual([{ Key: 'other', Value: '' }]);
    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await awsError(api.iam.send(new TagRoleCommand({ RoleName, Tags: many })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for TagsPerRole: 50',
      status: 409,
    });
    expect((await api.iam.send(new ListRoleTagsCommand({ RoleName }))).Tags).toHaveLength(1);
  });

  it('inline and attached policies; DeleteRole refuses in AWS order and messages, then deletes', async () => {
    const RoleName = await role();
    await api.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'Read', PolicyDocument: PERMISSIONS }));
    const got = await api.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: 'read' }));
    expect(got).toMatchObject({ RoleName, PolicyName: 'Read' });
    expect(decoded(got.PolicyDocument)).toEqual(JSON.parse(PERMISSIONS));
    expect((await api.iam.send(new ListRolePoliciesCommand({ RoleName }))).PolicyNames).toEqual(['Read']);
    expect(await awsError(api.iam.send(new GetRolePolicyCommand({ RoleName, PolicyName: 'non-existent-policy' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The role policy with name non-existent-policy cannot be found.',
      status: 404,
    });
    const managed = 'arn:aws:iam::aws:policy/IAMReadOnlyAccess';
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: managed }));
    expect((await api.iam.send(new ListAttachedRolePoliciesCommand({ RoleName }))).AttachedPolicies).toEqual([
      { PolicyName: 'IAMReadOnlyAccess', PolicyArn: managed },
    ]);
    expect(await awsError(api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'longpolicynamebutnoarn' })))).toEqual({
      code: 'ValidationError',
      message: 'ARN longpolicynamebutnoarn is not valid.',
      status: 400,
    });

    const Profile = uniqueName('profile');
    await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: Profile }));
    await api.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: Profile, RoleName }));
    const conflict = (message: string) => ({ code: 'DeleteConflict', message, status: 409 });
    expect(await awsError(api.iam.send(new DeleteRoleCommand({ RoleName })))).toEqual(
      conflict('Cannot delete entity, must remove roles from instance profile first.'),
    );
    await api.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: Profile, RoleName }));
    expect(await awsError(api.iam.send(new DeleteRoleCommand({ RoleName })))).toEqual(conflict('Cannot delete entity, must delete policies first.'));
    await api.iam.send(new DeleteRolePolicyCommand({ RoleName, PolicyName: 'Read' }));
    expect(await awsError(api.iam.send(new DeleteRoleCommand({ RoleName })))).toEqual(conflict('Cannot delete entity, must detach all policies first.'));
    await api.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: managed }));
    expect(await awsError(api.iam.send(new DetachRolePolicyCommand({ RoleName, PolicyArn: managed })))).toEqual({
      code: 'NoSuchEntity',
      message: `Policy ${managed} was not found.`,
      status: 404,
    });
    await api.iam.send(new DeleteRoleCommand({ RoleName }));
    expect((await awsError(api.iam.send(new GetRoleCommand({ RoleName })))).code).toBe('NoSuchEntity');
  });

  it('attached policies are limited to 10 per role', async () => {
    const RoleName = await role();
    for (let i = 0; i < 10; i++) {
      const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName(`p${i}`), PolicyDocument: PERMISSIONS }));
      await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: Policy!.Arn! }));
    }
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('eleventh'), PolicyDocument: PERMISSIONS }));
    expect(await awsError(api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: Policy!.Arn! })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for PoliciesPerRole: 10',
      status: 409,
    });
  });

  it("permissions boundary: AWS's messages for a bad or missing policy; set, shown, removed; DeletePolicy refused while it bounds a role", async () => {
    const RoleName = await role();
    const bad = `arn:aws:iam::${ACCOUNT_ID}:not_a_policy/invalid`;
    expect(await awsError(api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: bad })))).toEqual({
      code: 'InvalidInput',
      message: `ARN ${bad} is not valid.`,
      status: 400,
    });
    const missing = `arn:aws:iam::${ACCOUNT_ID}:policy/nonexistent-policy`;
    expect(await awsError(api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: missing })))).toEqual({
      code: 'NoSuchEntity',
      message: `Scope ARN: ${missing} does not exist or is not attachable.`,
      status: 404,
    });
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('cap'), PolicyDocument: PERMISSIONS }));
    await api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: Policy!.Arn! }));
    expect((await api.iam.send(new GetRoleCommand({ RoleName }))).Role?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: Policy!.Arn,
    });
    expect((await awsError(api.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn! })))).code).toBe('DeleteConflict');
    await api.iam.send(new DeleteRolePermissionsBoundaryCommand({ RoleName }));
    expect((await api.iam.send(new GetRoleCommand({ RoleName }))).Role?.PermissionsBoundary).toBeUndefined();
    await api.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn! }));
  });

  it('ListRoles pages by name with opaque markers and filters by a plain path prefix', async () => {
    const prefix = `/${uniqueName('paging')}/`;
    const names = ['c', 'A', 'b'].map((n) => `${n}-${uniqueName('r')}`);
    for (const RoleName of names) await api.iam.send(new CreateRoleCommand({ RoleName, Path: prefix, AssumeRolePolicyDocument: TRUST }));
    const first = await api.iam.send(new ListRolesCommand({ PathPrefix: prefix, MaxItems: 2 }));
    expect(first.IsTruncated).toBe(true);
    const second = await api.iam.send(new ListRolesCommand({ PathPrefix: prefix, MaxItems: 2, Marker: first.Marker }));
    expect(second.IsTruncated).toBe(false);
    expect([...first.Roles!, ...second.Roles!].map((r) => r.RoleName)).toEqual([...names].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase())));
  });

  it('authorization covers roles: an IAM user needs a policy naming the role ARN (with its path)', async () => {
    const RoleName = await role({ Path: '/ops/' });
    const UserName = uniqueName('operator');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName }));
    const user = api.client({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/ops/${RoleName}`;
    expect(await awsError(user.send(new GetRoleCommand({ RoleName })))).toEqual({
      code: 'AccessDenied',
      message: `User: arn:aws:iam::${ACCOUNT_ID}:user/${UserName} is not authorized to perform: iam:GetRole on resource: role ${RoleName} because no identity-based policy allows the iam:GetRole action`,
      status: 403,
    });
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName,
        PolicyName: 'ops-roles',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::*:role/ops/*' }] }),
      }),
    );
    expect((await user.send(new GetRoleCommand({ RoleName }))).Role?.Arn).toBe(roleArn);
    const other = await role();
    expect((await awsError(user.send(new GetRoleCommand({ RoleName: other })))).code).toBe('AccessDenied');
  });
});

describe('instance profiles', () => {
  it('create, get (Tags always present), add one role (embedded as AWS embeds it), list, remove, delete', async () => {
    const InstanceProfileName = uniqueName('ip');
    const RoleName = await role({ Description: 'not embedded' });
    const created = (await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName, Path: '/web/' }))).InstanceProfile!;
    expect(created.InstanceProfileId).toMatch(/^AIPA[A-Z2-7]{17}$/);
    expect(created.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:instance-profile/web/${InstanceProfileName}`);
    expect(created.Roles).toEqual([]);
    expect(created.Tags).toBeUndefined();
    expect((await api.iam.send(new GetInstanceProfileCommand({ InstanceProfileName }))).InstanceProfile?.Tags).toEqual([]);

    await api.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName, RoleName }));
    const got = (await api.iam.send(new GetInstanceProfileCommand({ InstanceProfileName }))).InstanceProfile!;
    expect(got.Roles).toHaveLength(1);
    expect(Object.keys(got.Roles![0]!).sort()).toEqual(['Arn', 'AssumeRolePolicyDocument', 'CreateDate', 'Path', 'RoleId', 'RoleName']);
    expect((await api.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName }))).InstanceProfiles!.map((p) => p.InstanceProfileName)).toEqual([
      InstanceProfileName,
    ]);
    const listed = (await api.iam.send(new ListInstanceProfilesCommand({ PathPrefix: '/web/' }))).InstanceProfiles!;
    expect(listed.map((p) => p.InstanceProfileName)).toContain(InstanceProfileName);
    expect(listed.every((p) => p.Tags === undefined)).toBe(true);

    const second = await role();
    expect(await awsError(api.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName, RoleName: second })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1',
      status: 409,
    });
    expect(await awsError(api.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName, RoleName: second })))).toEqual({
      code: 'NoSuchEntity',
      message: `Role ${second} in Instance Profile ${InstanceProfileName} cannot be found.`,
      status: 404,
    });
    expect(await awsError(api.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete entity, must remove roles from instance profile first.',
      status: 409,
    });
    await api.iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName, RoleName }));
    await api.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName }));
    expect(await awsError(api.iam.send(new GetInstanceProfileCommand({ InstanceProfileName })))).toEqual({
      code: 'NoSuchEntity',
      message: `Instance Profile ${InstanceProfileName} cannot be found.`,
      status: 404,
    });
  });

  it('names unique regardless of case; tags', async () => {
    const InstanceProfileName = uniqueName('ip');
    await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName, Tags: [{ Key: 'MyKey', Value: '1' }] }));
    expect(await awsError(api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: InstanceProfileName.toUpperCase() })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `Instance Profile ${InstanceProfileName.toUpperCase()} already exists.`,
      status: 409,
    });
    await api.iam.send(new TagInstanceProfileCommand({ InstanceProfileName, Tags: [{ Key: 'MyKey2', Value: '2' }] }));
    expect((await api.iam.send(new ListInstanceProfileTagsCommand({ InstanceProfileName }))).Tags).toEqual([
      { Key: 'MyKey', Value: '1' },
      { Key: 'MyKey2', Value: '2' },
    ]);
  });
});

describe('service-linked roles', () => {
  it("AWS's name and path, trust in the service only, protected from plain changes, deleted through a task", async () => {
    const { Role } = await api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: uniqueName('s') }));
    expect(Role?.RoleName).toMatch(/^AWSServiceRoleForAutoScaling_s-/);
    expect(Role?.Path).toBe('/aws-service-role/autoscaling.amazonaws.com/');
    expect(Role?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/autoscaling.amazonaws.com/${Role!.RoleName}`);
    expect(decoded(Role?.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'autoscaling.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    const RoleName = Role!.RoleName!;
    const protectedRole = {
      code: 'UnmodifiableEntity',
      message: `Cannot perform the operation on the protected role '${RoleName}' - this role is only modifiable by AWS`,
      status: 400,
    };
    expect(await awsError(api.iam.send(new DeleteRoleCommand({ RoleName })))).toEqual(protectedRole);
    expect(await awsError(api.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'p', PolicyDocument: PERMISSIONS })))).toEqual(protectedRole);
    expect(await awsError(api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName, PolicyDocument: TRUST })))).toEqual(protectedRole);

    const { DeletionTaskId } = await api.iam.send(new DeleteServiceLinkedRoleCommand({ RoleName }));
    expect(DeletionTaskId).toMatch(new RegExp(`^task/aws-service-role/autoscaling\\.amazonaws\\.com/${RoleName}/[0-9a-f-]{36}$`));
    expect(await api.iam.send(new GetServiceLinkedRoleDeletionStatusCommand({ DeletionTaskId }))).toMatchObject({ Status: 'SUCCEEDED' });
    expect((await awsError(api.iam.send(new GetRoleCommand({ RoleName })))).code).toBe('NoSuchEntity');
  });

  it("AWS's errors: a taken name, a suffix the service refuses, the reserved path for plain roles", async () => {
    await api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' }));
    expect(await awsError(api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'ecs.amazonaws.com' })))).toEqual({
      code: 'InvalidInput',
      message: 'Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.',
      status: 400,
    });
    expect(await awsError(api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'eks.amazonaws.com', CustomSuffix: 'x' })))).toEqual({
      code: 'InvalidInput',
      message: 'Custom suffix is not allowed for eks.amazonaws.com',
      status: 400,
    });
    expect(
      await awsError(
        api.iam.send(new CreateRoleCommand({ RoleName: uniqueName('sneaky'), Path: '/aws-service-role/ecs.amazonaws.com/', AssumeRolePolicyDocument: TRUST })),
      ),
    ).toEqual({
      code: 'InvalidInput',
      message: "Path prefix '/aws-service-role/' can only be used for AWS Service linked Roles",
      status: 400,
    });
    expect((await awsError(api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'nothing.example.com' })))).code).toBe('InvalidInput');
  });
  it("Application Auto Scaling's custom resources: the name and path AWS documents", async () => {
    const AWSServiceName = 'custom-resource.application-autoscaling.amazonaws.com';
    const { Role } = await api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName }));
    expect(Role).toMatchObject({
      RoleName: 'AWSServiceRoleForApplicationAutoScaling_CustomResource',
      Path: `/aws-service-role/${AWSServiceName}/`,
      Arn: `arn:aws:iam::${ACCOUNT_ID}:role/aws-service-role/${AWSServiceName}/AWSServiceRoleForApplicationAutoScaling_CustomResource`,
    });
    expect(decoded(Role?.AssumeRolePolicyDocument)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: AWSServiceName }, Action: 'sts:AssumeRole' }],
    });
    expect(await awsError(api.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName })))).toEqual({
      code: 'InvalidInput',
      message: 'Service role name AWSServiceRoleForApplicationAutoScaling_CustomResource has been taken in this account, please try a different suffix.',
      status: 400,
    });
  });
});

describe('GetAccountSummary', () => {
  it("counts roles, instance profiles and customer policy attachments, with AWS's role quotas", async () => {
    const summary = async () => (await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    const before = await summary();
    expect(before).toMatchObject({ RolesQuota: 1000, InstanceProfilesQuota: 1000, AttachedPoliciesPerRoleQuota: 10, RolePolicySizeQuota: 10240, AssumeRolePolicySizeQuota: 2048, PolicyVersionsInUseQuota: 10000 });
    const RoleName = await role();
    const InstanceProfileName = uniqueName('profile');
    await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName }));
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('summary'), PolicyDocument: PERMISSIONS }));
    const UserName = uniqueName('summary');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: Policy!.Arn }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn: Policy!.Arn }));
    // An AWS managed policy's attachment is not a customer policy version in use.
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }));
    const after = await summary();
    expect([after.Roles! - before.Roles!, after.InstanceProfiles! - before.InstanceProfiles!, after.PolicyVersionsInUse! - before.PolicyVersionsInUse!]).toEqual([1, 1, 2]);
  });
});
