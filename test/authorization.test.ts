import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteGroupCommand,
  DeleteGroupPolicyCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteUserCommand,
  DeleteUserPermissionsBoundaryCommand,
  DeleteUserPolicyCommand,
  DetachGroupPolicyCommand,
  DetachUserPolicyCommand,
  GetAccountSummaryCommand,
  GetGroupCommand,
  GetInstanceProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsForUserCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  RemoveUserFromGroupCommand,
  SimulateCustomPolicyCommand,
  SimulatePrincipalPolicyCommand,
  TagUserCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, ROOT, awsError, iamClient, startServer, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

const arnOf = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT_ID}:user${path}${name}`;
const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const denied = (who: string, action: string, resource: string, explicit = false) => ({
  code: 'AccessDenied',
  message: `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${
    explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`
  }`,
  status: 403,
});
/** A denial with another closing clause (a permissions boundary's, a session policy's). */
const deniedWith = (who: string, action: string, resource: string, clause: string) => ({
  code: 'AccessDenied',
  message: `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${clause}`,
  status: 403,
});
const noBoundary = (action: string) => `because no permissions boundary allows the ${action} action`;
const boundaryDeny = 'with an explicit deny in a permissions boundary';

/** A user with a password and its own client. */
async function person(name: string, path = '/', password = 'Start-Passw0rd!') {
  await api.iam.send(new CreateUserCommand({ UserName: name, Path: path }));
  await api.iam.send(new CreateLoginProfileCommand({ UserName: name, Password: password }));
  const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const keys = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  return { name, arn: arnOf(name, path), keys, client: api.client(keys) };
}

describe('users change only their own password, helpdesk resets anyone but the admins', () => {
  const suffix = process.pid;
  let alice: Awaited<ReturnType<typeof person>>;
  let bob: Awaited<ReturnType<typeof person>>;
  let admin: Awaited<ReturnType<typeof person>>;
  let helper: Awaited<ReturnType<typeof person>>;

  beforeAll(async () => {
    alice = await person(`alice-${suffix}`, '/staff/');
    bob = await person(`bob-${suffix}`, '/staff/');
    admin = await person(`admin-${suffix}`, '/admins/');
    helper = await person(`helper-${suffix}`, '/staff/');

    // Everyone may change their own password: AWS's managed policy, attached to a group.
    await api.iam.send(new CreateGroupCommand({ GroupName: `everyone-${suffix}` }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName: `everyone-${suffix}`, PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' }));
    for (const p of [alice, bob, admin, helper]) await api.iam.send(new AddUserToGroupCommand({ GroupName: `everyone-${suffix}`, UserName: p.name }));

    // The helpdesk resets passwords, except the admins'.
    await api.iam.send(new CreateGroupCommand({ GroupName: `helpdesk-${suffix}` }));
    await api.iam.send(
      new PutGroupPolicyCommand({
        GroupName: `helpdesk-${suffix}`,
        PolicyName: 'ResetPasswords',
        PolicyDocument: doc(
          { Sid: 'Reset', Effect: 'Allow', Action: ['iam:UpdateLoginProfile', 'iam:GetLoginProfile'], Resource: `arn:aws:iam::${ACCOUNT_ID}:user/*` },
          { Sid: 'NotAdmins', Effect: 'Deny', Action: 'iam:UpdateLoginProfile', Resource: `arn:aws:iam::${ACCOUNT_ID}:user/admins/*` },
        ),
      }),
    );
    await api.iam.send(new AddUserToGroupCommand({ GroupName: `helpdesk-${suffix}`, UserName: helper.name }));
  });

  it('a user changes its own password through IAMUserChangePassword (${aws:username})', async () => {
    await alice.client.send(new ChangePasswordCommand({ OldPassword: 'Start-Passw0rd!', NewPassword: 'Alice-Own-1!' }));
  });

  it("a user may not reset another user's password", async () => {
    expect(await awsError(alice.client.send(new UpdateLoginProfileCommand({ UserName: bob.name, Password: 'Hijack-Passw0rd!' })))).toEqual(
      denied(alice.arn, 'iam:UpdateLoginProfile', `user ${bob.name}`),
    );
  });

  it("the helpdesk resets a staff member's password", async () => {
    await helper.client.send(new UpdateLoginProfileCommand({ UserName: bob.name, Password: 'Reset-By-Help-1!', PasswordResetRequired: true }));
  });

  it("the helpdesk is stopped by the explicit Deny on the admins' path", async () => {
    expect(await awsError(helper.client.send(new UpdateLoginProfileCommand({ UserName: admin.name, Password: 'Hijack-Passw0rd!' })))).toEqual(
      denied(helper.arn, 'iam:UpdateLoginProfile', `user ${admin.name}`, true),
    );
  });

  it('leaving the group takes the right away', async () => {
    const carol = await person(`carol-${suffix}`, '/staff/');
    await api.iam.send(new AddUserToGroupCommand({ GroupName: `helpdesk-${suffix}`, UserName: carol.name }));
    await carol.client.send(new UpdateLoginProfileCommand({ UserName: bob.name, PasswordResetRequired: false }));
    expect((await api.iam.send(new ListGroupsForUserCommand({ UserName: carol.name }))).Groups?.map((g) => g.GroupName)).toEqual([`helpdesk-${suffix}`]);
    await api.iam.send(new RemoveUserFromGroupCommand({ GroupName: `helpdesk-${suffix}`, UserName: carol.name }));
    expect((await awsError(carol.client.send(new UpdateLoginProfileCommand({ UserName: bob.name, PasswordResetRequired: true })))).code).toBe(
      'AccessDenied',
    );
  });

  it('GetGroup lists the members with their user fields', async () => {
    const got = await api.iam.send(new GetGroupCommand({ GroupName: `helpdesk-${suffix}` }));
    expect(got.Group?.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:group/helpdesk-${suffix}`);
    expect(got.Users?.map((u) => u.UserName)).toEqual([helper.name]);
    expect(got.Users?.[0]?.Arn).toBe(helper.arn);
  });

  it('SimulatePrincipalPolicy explains the decisions', async () => {
    const out = await api.iam.send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: helper.arn, ActionNames: ['iam:UpdateLoginProfile'], ResourceArns: [bob.arn, admin.arn] }),
    );
    expect(out.EvaluationResults?.map((r) => [r.EvalResourceName, r.EvalDecision])).toEqual([
      [bob.arn, 'allowed'],
      [admin.arn, 'explicitDeny'],
    ]);
    expect(out.EvaluationResults?.[1]?.MatchedStatements?.length).toBeGreaterThan(0);
    const alices = await api.iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: alice.arn, ActionNames: ['iam:CreateUser'] }));
    expect(alices.EvaluationResults?.[0]?.EvalDecision).toBe('implicitDeny');
  });
});

describe('inline and managed policies', () => {
  it('PutUserPolicy grants, DeleteUserPolicy revokes; documents come back URL-encoded as from AWS', async () => {
    const u = await person(uniqueName('inline'));
    expect((await awsError(u.client.send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    const PolicyDocument = doc({ Effect: 'Allow', Action: 'iam:List*', Resource: '*' });
    await api.iam.send(new PutUserPolicyCommand({ UserName: u.name, PolicyName: 'Lister', PolicyDocument }));
    await u.client.send(new ListUsersCommand({}));
    const got = await api.iam.send(new GetUserPolicyCommand({ UserName: u.name, PolicyName: 'Lister' }));
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(PolicyDocument);
    expect((await api.iam.send(new ListUserPoliciesCommand({ UserName: u.name }))).PolicyNames).toEqual(['Lister']);
    expect(await awsError(api.iam.send(new DeleteUserCommand({ UserName: u.name })))).toMatchObject({ code: 'DeleteConflict' });
    await api.iam.send(new DeleteUserPolicyCommand({ UserName: u.name, PolicyName: 'Lister' }));
    expect((await awsError(u.client.send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    expect(await awsError(api.iam.send(new GetUserPolicyCommand({ UserName: u.name, PolicyName: 'Lister' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The user policy with name Lister cannot be found.',
      status: 404,
    });
  });

  it('refuses malformed documents with MalformedPolicyDocument', async () => {
    const UserName = uniqueName('malformed');
    await api.iam.send(new CreateUserCommand({ UserName }));
    expect(await awsError(api.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'Bad', PolicyDocument: 'not json' })))).toEqual({
      code: 'MalformedPolicyDocument',
      message: 'Syntax errors in policy.',
      status: 400,
    });
    const noEffect = await awsError(
      api.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'Bad', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Action: '*', Resource: '*' }] }) })),
    );
    expect(noEffect.code).toBe('MalformedPolicyDocument');
    expect(noEffect.message).toBe('Syntax errors in policy.'); // AWS's sentence alone; the detail goes to the access log
    const principal = await awsError(
      api.iam.send(
        new PutUserPolicyCommand({
          UserName,
          PolicyName: 'Bad',
          PolicyDocument: doc({ Effect: 'Allow', Principal: '*', Action: 'iam:GetUser', Resource: '*' }),
        }),
      ),
    );
    expect(principal.message).toBe('Policy document should not specify a principal.');
    const old = await awsError(
      api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('old'), PolicyDocument: JSON.stringify({ Version: '2008-10-17', Statement: [] }) })),
    );
    expect(old.code).toBe('MalformedPolicyDocument');
    expect((await api.iam.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames).toEqual([]);
  });

  it('customer managed policies: create, attach, version, default, limits, delete', async () => {
    const PolicyName = uniqueName('ReadUsers');
    const v1 = doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' });
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: v1, Path: '/team/', Description: 'read users' }));
    expect(Policy).toMatchObject({ PolicyName, Arn: `arn:aws:iam::${ACCOUNT_ID}:policy/team/${PolicyName}`, DefaultVersionId: 'v1', AttachmentCount: 0, IsAttachable: true });
    expect(Policy?.PolicyId).toMatch(/^ANPA[A-Z2-7]{17}$/);
    expect(await awsError(api.iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: v1 })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `A policy called ${PolicyName} already exists. Duplicate names are not allowed.`,
      status: 409,
    });

    const u = await person(uniqueName('managed'));
    const other = uniqueName('other');
    await api.iam.send(new CreateUserCommand({ UserName: other }));
    expect((await awsError(u.client.send(new GetUserCommand({ UserName: other })))).code).toBe('AccessDenied');
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: Policy!.Arn! }));
    await u.client.send(new GetUserCommand({ UserName: other }));
    expect((await api.iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn! }))).Policy?.AttachmentCount).toBe(1);
    expect((await api.iam.send(new ListAttachedUserPoliciesCommand({ UserName: u.name }))).AttachedPolicies).toEqual([{ PolicyName, PolicyArn: Policy!.Arn }]);

    // A new default version that denies takes effect at once.
    await api.iam.send(
      new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:GetUser', Resource: '*' }), SetAsDefault: true }),
    );
    expect((await awsError(u.client.send(new GetUserCommand({ UserName: other })))).code).toBe('AccessDenied');
    const v1back = await api.iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn!, VersionId: 'v1' }));
    expect(decodeURIComponent(v1back.PolicyVersion!.Document!)).toBe(v1);
    expect(v1back.PolicyVersion?.IsDefaultVersion).toBe(false);

    for (let i = 0; i < 3; i++) await api.iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: v1 }));
    expect((await awsError(api.iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: v1 })))).code).toBe('LimitExceeded');
    expect((await api.iam.send(new ListPolicyVersionsCommand({ PolicyArn: Policy!.Arn! }))).Versions?.map((v) => v.VersionId)).toEqual(['v5', 'v4', 'v3', 'v2', 'v1']);
    expect(await awsError(api.iam.send(new DeletePolicyVersionCommand({ PolicyArn: Policy!.Arn!, VersionId: 'v2' })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete the default version of a policy.',
      status: 409,
    });

    expect(await awsError(api.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn! })))).toEqual({
      code: 'DeleteConflict',
      message: 'Cannot delete a policy attached to entities.',
      status: 409,
    });
    await api.iam.send(new DetachUserPolicyCommand({ UserName: u.name, PolicyArn: Policy!.Arn! }));
    expect((await awsError(api.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn! })))).message).toMatch(/more than one version/);
    for (const VersionId of ['v1', 'v3', 'v4', 'v5']) await api.iam.send(new DeletePolicyVersionCommand({ PolicyArn: Policy!.Arn!, VersionId }));
    await api.iam.send(new DeletePolicyCommand({ PolicyArn: Policy!.Arn! }));
    expect(await awsError(api.iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn! })))).toEqual({
      code: 'NoSuchEntity',
      message: `Policy ${Policy!.Arn} does not exist or is not attachable.`,
      status: 404,
    });
  });

  it('serves the AWS managed policies by their real ARNs', async () => {
    for (const name of ['IAMUserChangePassword', 'IAMFullAccess', 'IAMReadOnlyAccess', 'AdministratorAccess']) {
      const { Policy } = await api.iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::aws:policy/${name}` }));
      expect(Policy?.PolicyName).toBe(name);
      const version = await api.iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn!, VersionId: Policy!.DefaultVersionId! }));
      expect(JSON.parse(decodeURIComponent(version.PolicyVersion!.Document!)).Statement).toBeDefined();
    }
    const first = await api.iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1000 }));
    const rest = await api.iam.send(new ListPoliciesCommand({ Scope: 'AWS', MaxItems: 1000, Marker: first.Marker! }));
    expect([first.IsTruncated, rest.IsTruncated]).toEqual([true, false]);
    expect([...first.Policies!, ...rest.Policies!].map((p) => p.PolicyName)).toEqual(
      expect.arrayContaining(['AdministratorAccess', 'IAMFullAccess', 'IAMReadOnlyAccess', 'IAMUserChangePassword']),
    );
    expect(await awsError(api.iam.send(new DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/IAMFullAccess' })))).toMatchObject({ code: 'InvalidInput' });
  });

  it('IAMReadOnlyAccess reads but does not write', async () => {
    const u = await person(uniqueName('reader'));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await u.client.send(new ListUsersCommand({}));
    expect((await awsError(u.client.send(new CreateUserCommand({ UserName: uniqueName('nope') })))).code).toBe('AccessDenied');
  });
});

describe('permissions boundaries', () => {
  it('the effective permission is the intersection of the identity policies and the boundary', async () => {
    const u = await person(uniqueName('bounded'));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    await u.client.send(new CreateUserCommand({ UserName: uniqueName('made') }));
    await api.iam.send(new PutUserPermissionsBoundaryCommand({ UserName: u.name, PermissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    expect((await api.iam.send(new GetUserCommand({ UserName: u.name }))).User?.PermissionsBoundary).toEqual({
      PermissionsBoundaryType: 'Policy',
      PermissionsBoundaryArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess',
    });
    await u.client.send(new ListUsersCommand({})); // allowed by both
    const name = uniqueName('blocked');
    // The identity policies allow it, the boundary does not: AWS's denial says so.
    expect(await awsError(u.client.send(new CreateUserCommand({ UserName: name })))).toEqual(deniedWith(u.arn, 'iam:CreateUser', arnOf(name), noBoundary('iam:CreateUser')));
    // Neither allows it: the identity policies are named first.
    await api.iam.send(new DetachUserPolicyCommand({ UserName: u.name, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    expect(await awsError(u.client.send(new CreateUserCommand({ UserName: name })))).toEqual(denied(u.arn, 'iam:CreateUser', arnOf(name)));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    await api.iam.send(new DeleteUserPermissionsBoundaryCommand({ UserName: u.name }));
    await u.client.send(new CreateUserCommand({ UserName: name }));
  });

  it('CreateUser takes a boundary, which must exist', async () => {
    const UserName = uniqueName('born-bounded');
    await api.iam.send(new CreateUserCommand({ UserName, PermissionsBoundary: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    expect((await api.iam.send(new GetUserCommand({ UserName }))).User?.PermissionsBoundary?.PermissionsBoundaryArn).toBe('arn:aws:iam::aws:policy/IAMReadOnlyAccess');
    const missing = `arn:aws:iam::${ACCOUNT_ID}:policy/NoSuchPolicy`;
    expect(await awsError(api.iam.send(new CreateUserCommand({ UserName: uniqueName(), PermissionsBoundary: missing })))).toEqual({
      code: 'NoSuchEntity',
      message: `Scope ARN: ${missing} does not exist or is not attachable.`,
      status: 404,
    });
  });
});

describe('denials caused by a permissions boundary say so', () => {
  // AWS's IAM User Guide, "Troubleshooting access denied error messages": "… with an explicit deny
  // in a permissions boundary", "… because no permissions boundary allows the X action".
  const boundaryPolicy = async (...statements: object[]) =>
    (await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('boundary'), PolicyDocument: doc(...statements) }))).Policy!.Arn!;

  it('an IAM user: an explicit Deny in the boundary; one in the identity policies is named first', async () => {
    const u = await person(uniqueName('bounded'));
    await api.iam.send(new AttachUserPolicyCommand({ UserName: u.name, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const boundary = await boundaryPolicy({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' });
    await api.iam.send(new PutUserPermissionsBoundaryCommand({ UserName: u.name, PermissionsBoundary: boundary }));
    const name = uniqueName('blocked');
    expect(await awsError(u.client.send(new CreateUserCommand({ UserName: name })))).toEqual(deniedWith(u.arn, 'iam:CreateUser', arnOf(name), boundaryDeny));
    await api.iam.send(new PutUserPolicyCommand({ UserName: u.name, PolicyName: 'NoCreate', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }) }));
    expect(await awsError(u.client.send(new CreateUserCommand({ UserName: name })))).toEqual(denied(u.arn, 'iam:CreateUser', arnOf(name), true));
  });

  it('a role session: the role boundary\'s denials, named before the session policy\'s', async () => {
    const assumer = await person(uniqueName('assumer'));
    await api.iam.send(new PutUserPolicyCommand({ UserName: assumer.name, PolicyName: 'Assume', PolicyDocument: doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }) }));
    const RoleName = uniqueName('bounded-role');
    const trust = doc({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' });
    const roleArn = (await api.iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust }))).Role!.Arn!;
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }));
    const boundary = await boundaryPolicy(
      { Effect: 'Allow', Action: ['iam:List*', 'iam:CreateUser'], Resource: '*' },
      { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' },
    );
    await api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName, PermissionsBoundary: boundary }));
    const sts = new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials: assumer.keys });
    const session = async (RoleSessionName: string, Policy?: string) => {
      const c = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName, Policy }))).Credentials!;
      const keys = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
      return iamClient(api.url, keys);
    };
    const me = (name: string) => `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${RoleName}/${name}`;
    const plain = await session('plain');
    await plain.send(new ListUsersCommand({}));
    const other = uniqueName('other');
    expect(await awsError(plain.send(new GetUserCommand({ UserName: other })))).toEqual(deniedWith(me('plain'), 'iam:GetUser', `user ${other}`, noBoundary('iam:GetUser')));
    expect(await awsError(plain.send(new CreateUserCommand({ UserName: other })))).toEqual(deniedWith(me('plain'), 'iam:CreateUser', arnOf(other), boundaryDeny));
    // A session policy allowing GetUser only: the boundary is named for GetUser (it does not allow
    // it either), the session policy for ListUsers (the boundary allows it), the boundary's explicit
    // Deny for CreateUser.
    const narrow = await session('narrow', doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }));
    expect(await awsError(narrow.send(new GetUserCommand({ UserName: other })))).toEqual(deniedWith(me('narrow'), 'iam:GetUser', `user ${other}`, noBoundary('iam:GetUser')));
    expect(await awsError(narrow.send(new ListUsersCommand({})))).toEqual(
      deniedWith(me('narrow'), 'iam:ListUsers', `arn:aws:iam::${ACCOUNT_ID}:user/`, 'because no session policy allows the iam:ListUsers action'),
    );
    expect(await awsError(narrow.send(new CreateUserCommand({ UserName: other })))).toEqual(deniedWith(me('narrow'), 'iam:CreateUser', arnOf(other), boundaryDeny));
    // A Deny in the role's own policies is named before the boundary's.
    await api.iam.send(new PutRolePolicyCommand({ RoleName, PolicyName: 'NoCreate', PolicyDocument: doc({ Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*' }) }));
    expect(await awsError(plain.send(new CreateUserCommand({ UserName: other })))).toEqual(denied(me('plain'), 'iam:CreateUser', arnOf(other), true));
  });
});

describe('listings are authorized on their path', () => {
  it('ListUsers on arn:aws:iam::ACCOUNT:user/PATH (a policy may allow one path only); ListPolicies on "policy path /"', async () => {
    const u = await person(uniqueName('lister'));
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: u.name,
        PolicyName: 'TeamOnly',
        PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: `arn:aws:iam::${ACCOUNT_ID}:user/team/*` }),
      }),
    );
    await u.client.send(new ListUsersCommand({ PathPrefix: '/team/' }));
    // The denial names the listing's ARN, as AWS's do.
    expect(await awsError(u.client.send(new ListUsersCommand({})))).toEqual(denied(arnOf(u.name), 'iam:ListUsers', `arn:aws:iam::${ACCOUNT_ID}:user/`));
    expect(await awsError(u.client.send(new ListPoliciesCommand({ PathPrefix: '/x/' })))).toEqual(denied(arnOf(u.name), 'iam:ListPolicies', 'policy path /x/'));
  });
});

describe('denials name the resource as AWS does', () => {
  // Recorded AWS denials (operation.ts, Resource.denialName): "user NAME" etc. (bare name, no path,
  // existing or not) for actions on an entity; the new entity's ARN, path included, for Create*;
  // "policy NAME" for CreatePolicy and "policy <ARN>" for actions taking a PolicyArn.
  it('by type and bare name, by ARN when creating, and policies by "policy …"', async () => {
    const u = await person(uniqueName('nobody'), '/team/');
    const me = arnOf(u.name, '/team/');
    const named = uniqueName('named');
    await api.iam.send(new CreateUserCommand({ UserName: named, Path: '/deep/path/' }));
    const missing = uniqueName('missing');
    const policyArn = `arn:aws:iam::${ACCOUNT_ID}:policy/some/path/P`;
    // Each call is made when its case is checked: a refusal made earlier would be an unhandled rejection.
    const cases: [() => Promise<unknown>, string, string][] = [
      [() => u.client.send(new GetUserCommand({ UserName: named })), 'iam:GetUser', `user ${named}`],
      [() => u.client.send(new GetUserCommand({ UserName: missing })), 'iam:GetUser', `user ${missing}`],
      [() => u.client.send(new GetUserCommand({})), 'iam:GetUser', `user ${u.name}`],
      [() => u.client.send(new ListAccessKeysCommand({ UserName: u.name })), 'iam:ListAccessKeys', `user ${u.name}`],
      // AWS's own quirk for access-key actions without UserName: "null" glued to the caller's name.
      [() => u.client.send(new ListAccessKeysCommand({})), 'iam:ListAccessKeys', `user null${u.name}`],
      [() => u.client.send(new GetGroupCommand({ GroupName: missing })), 'iam:GetGroup', `group ${missing}`],
      [() => u.client.send(new CreateGroupCommand({ GroupName: missing, Path: '/ops/' })), 'iam:CreateGroup', `arn:aws:iam::${ACCOUNT_ID}:group/ops/${missing}`],
      [() => u.client.send(new GetRoleCommand({ RoleName: missing })), 'iam:GetRole', `role ${missing}`],
      [
        () => u.client.send(new CreateRoleCommand({ RoleName: missing, Path: '/ops/', AssumeRolePolicyDocument: doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT_ID }, Action: 'sts:AssumeRole' }) })),
        'iam:CreateRole',
        `arn:aws:iam::${ACCOUNT_ID}:role/ops/${missing}`,
      ],
      [() => u.client.send(new GetInstanceProfileCommand({ InstanceProfileName: missing })), 'iam:GetInstanceProfile', `instance profile ${missing}`],
      [
        () => u.client.send(new CreateInstanceProfileCommand({ InstanceProfileName: missing, Path: '/ops/' })),
        'iam:CreateInstanceProfile',
        `arn:aws:iam::${ACCOUNT_ID}:instance-profile/ops/${missing}`,
      ],
      [() => u.client.send(new CreateUserCommand({ UserName: missing, Path: '/ops/' })), 'iam:CreateUser', arnOf(missing, '/ops/')],
      [() => u.client.send(new CreatePolicyCommand({ PolicyName: missing, Path: '/ops/', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) })), 'iam:CreatePolicy', `policy ${missing}`],
      [() => u.client.send(new GetPolicyCommand({ PolicyArn: policyArn })), 'iam:GetPolicy', `policy ${policyArn}`],
      [() => u.client.send(new ListPolicyVersionsCommand({ PolicyArn: policyArn })), 'iam:ListPolicyVersions', `policy ${policyArn}`],
      [() => u.client.send(new GetAccountSummaryCommand({})), 'iam:GetAccountSummary', '*'],
    ];
    for (const [call, action, resource] of cases) expect(await awsError(call())).toEqual(denied(me, action, resource));
  });
});

describe('conditions through the server', () => {
  it('aws:SourceIp: allowed from loopback, denied from elsewhere', async () => {
    const u = await person(uniqueName('ip'));
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: u.name,
        PolicyName: 'FromLoopback',
        PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } }),
      }),
    );
    await u.client.send(new ListUsersCommand({}));
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: u.name,
        PolicyName: 'FromLoopback',
        PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }),
      }),
    );
    expect((await awsError(u.client.send(new ListUsersCommand({})))).code).toBe('AccessDenied');
  });

  it('aws:SourceIp on a dual-stack listener (--host ::): an IPv4 client is its IPv4 address, not ::ffff:a.b.c.d', async () => {
    const server = await startServer({ args: ['--memory', '--host', '::'] });
    try {
      // The socket bound to '::' reports 127.0.0.1 as '::ffff:127.0.0.1'; IPv4 blocks must still match it.
      const url = server.url.replace('[::]', '127.0.0.1');
      const root = iamClient(url);
      const name = uniqueName('dual');
      await root.send(new CreateUserCommand({ UserName: name }));
      const policy = doc(
        { Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
        { Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' },
        { Effect: 'Deny', Action: 'iam:CreateUser', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
      );
      await root.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'Loopback', PolicyDocument: policy }));
      const key = (await root.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
      const user = iamClient(url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
      await user.send(new ListUsersCommand({}));
      const blocked = uniqueName('blocked');
      expect(await awsError(user.send(new CreateUserCommand({ UserName: blocked })))).toEqual(denied(arnOf(name), 'iam:CreateUser', arnOf(blocked), true));
      expect((await awsError(root.send(new GetUserCommand({ UserName: blocked })))).code).toBe('NoSuchEntity');
    } finally {
      await server.stop();
    }
  });

  it('aws:ResourceTag matched against ${aws:PrincipalTag/team}: reset only your own team', async () => {
    const lead = await person(uniqueName('lead'));
    await api.iam.send(new TagUserCommand({ UserName: lead.name, Tags: [{ Key: 'team', Value: 'blue' }] }));
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: lead.name,
        PolicyName: 'OwnTeam',
        PolicyDocument: doc({
          Effect: 'Allow',
          Action: 'iam:UpdateLoginProfile',
          Resource: '*',
          Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
        }),
      }),
    );
    const blue = await person(uniqueName('blue'));
    const red = await person(uniqueName('red'));
    await api.iam.send(new TagUserCommand({ UserName: blue.name, Tags: [{ Key: 'team', Value: 'blue' }] }));
    await api.iam.send(new TagUserCommand({ UserName: red.name, Tags: [{ Key: 'team', Value: 'red' }] }));
    await lead.client.send(new UpdateLoginProfileCommand({ UserName: blue.name, PasswordResetRequired: true }));
    expect((await awsError(lead.client.send(new UpdateLoginProfileCommand({ UserName: red.name, PasswordResetRequired: true })))).code).toBe('AccessDenied');
  });

  it('aws:RequestTag limits the tags a user may set', async () => {
    const u = await person(uniqueName('tagger'));
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: u.name,
        PolicyName: 'CreateTagged',
        PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*', Condition: { StringEquals: { 'aws:RequestTag/cost-center': 'cc-1' } } }),
      }),
    );
    await u.client.send(new CreateUserCommand({ UserName: uniqueName('tagged'), Tags: [{ Key: 'cost-center', Value: 'cc-1' }] }));
    expect((await awsError(u.client.send(new CreateUserCommand({ UserName: uniqueName('untagged') })))).code).toBe('AccessDenied');
  });
});

describe('groups', () => {
  it('DeleteGroup refuses while members or policies remain', async () => {
    const GroupName = uniqueName('grp');
    await api.iam.send(new CreateGroupCommand({ GroupName }));
    expect(await awsError(api.iam.send(new CreateGroupCommand({ GroupName })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `Group with name ${GroupName} already exists.`,
      status: 409,
    });
    const UserName = uniqueName('member');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName, UserName }));
    expect((await awsError(api.iam.send(new DeleteGroupCommand({ GroupName })))).message).toBe('Cannot delete entity, must remove users from group first.');
    expect((await awsError(api.iam.send(new DeleteUserCommand({ UserName })))).code).toBe('DeleteConflict');
    await api.iam.send(new RemoveUserFromGroupCommand({ GroupName, UserName }));
    await api.iam.send(new PutGroupPolicyCommand({ GroupName, PolicyName: 'P', PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) }));
    expect((await awsError(api.iam.send(new DeleteGroupCommand({ GroupName })))).message).toBe('Cannot delete entity, must delete policies first.');
    await api.iam.send(new DeleteGroupPolicyCommand({ GroupName, PolicyName: 'P' }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    expect((await awsError(api.iam.send(new DeleteGroupCommand({ GroupName })))).message).toBe('Cannot delete entity, must detach all policies first.');
    await api.iam.send(new DetachGroupPolicyCommand({ GroupName, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    await api.iam.send(new DeleteGroupCommand({ GroupName }));
    expect(await awsError(api.iam.send(new GetGroupCommand({ GroupName })))).toEqual({
      code: 'NoSuchEntity',
      message: `The group with name ${GroupName} cannot be found.`,
      status: 404,
    });
    await api.iam.send(new DeleteUserCommand({ UserName }));
  });
});

describe('SimulateCustomPolicy', () => {
  it('evaluates the given documents only', async () => {
    const out = await api.iam.send(
      new SimulateCustomPolicyCommand({
        PolicyInputList: [doc({ Effect: 'Allow', Action: 'iam:Get*', Resource: '*' }), doc({ Effect: 'Deny', Action: 'iam:GetUser', Resource: '*' })],
        ActionNames: ['iam:GetGroup', 'iam:GetUser', 'iam:CreateUser'],
      }),
    );
    expect(out.EvaluationResults?.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['iam:GetGroup', 'allowed'],
      ['iam:GetUser', 'explicitDeny'],
      ['iam:CreateUser', 'implicitDeny'],
    ]);
    expect(out.EvaluationResults?.[1]?.MatchedStatements?.map((m) => m.SourcePolicyId)).toEqual(['PolicyInputList.2']);
  });
});

describe('STS GetCallerIdentity on the same endpoint', () => {
  it('answers for root and for an IAM user', async () => {
    const sts = (credentials = ROOT) => new STSClient({ endpoint: api.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    expect(await sts().send(new GetCallerIdentityCommand({}))).toMatchObject({
      Account: ACCOUNT_ID,
      Arn: `arn:aws:iam::${ACCOUNT_ID}:root`,
      UserId: ACCOUNT_ID,
    });
    const UserName = uniqueName('sts');
    const { User } = await api.iam.send(new CreateUserCommand({ UserName, Path: '/p/' }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const me = await sts({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).send(new GetCallerIdentityCommand({}));
    expect(me).toMatchObject({ Account: ACCOUNT_ID, Arn: arnOf(UserName, '/p/'), UserId: User?.UserId });
  });
});

describe('GetAccountSummary', () => {
  it('counts users, groups and policies', async () => {
    const before = (await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    await api.iam.send(new CreateUserCommand({ UserName: uniqueName('count') }));
    await api.iam.send(new CreateGroupCommand({ GroupName: uniqueName('count') }));
    await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('count'), PolicyDocument: doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }) }));
    const after = (await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(after.Users).toBe(before.Users! + 1);
    expect(after.Groups).toBe(before.Groups! + 1);
    expect(after.Policies).toBe(before.Policies! + 1);
    expect(after.AccountPasswordPresent).toBe(0);
    expect(after.AccessKeysPerUserQuota).toBe(2);
  });
});
