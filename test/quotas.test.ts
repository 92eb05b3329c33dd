/**
 * IAM's quotas through @aws-sdk/client-iam against the real server (SQLite in memory, or PostgreSQL
 * with IAMD_TEST_STORE=postgres): policy sizes (white space not counted) and the account's entity
 * counts, each refused with LimitExceeded (409) and AWS's sentence, changing nothing. Expected
 * texts: AWS's answers quoted in public build logs and issue threads ("Maximum policy size of …
 * bytes exceeded for user …", "Cannot exceed quota for UsersPerAccount/RolesPerAccount/
 * InstanceProfilesPerAccount/PolicySize/ACLSizePerRole: …"); GroupsPerAccount, PoliciesPerAccount
 * and GroupsPerUser follow the same pattern (src/domain/quotas.ts says which are guessed).
 *
 * The account-wide quotas are made small with IAMD_QUOTAS, so that reaching one costs a few calls.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  CreateGroupCommand,
  CreateInstanceProfileCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteUserCommand,
  GetAccountSummaryCommand,
  GetGroupPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListInstanceProfilesCommand,
  ListPoliciesCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { ConfigError, resolveServeConfig } from '../src/config/config.js';
import { policySize } from '../src/domain/quotas.js';
import { awsError } from './support/server.js';
import { useServer } from './support/use-server.js';

const QUOTAS = { UsersQuota: 3, GroupsQuota: 11, RolesQuota: 3, InstanceProfilesQuota: 2, PoliciesQuota: 2 };
const api = useServer({ env: { IAMD_QUOTAS: JSON.stringify(QUOTAS) } });
beforeEach(() => api.reset());

/** A valid document of exactly `size` characters without white space (its Sid pads it). */
function sized(size: number, kind: 'identity' | 'trust' = 'identity'): string {
  const statement = (sid: string) =>
    kind === 'identity'
      ? { Sid: sid, Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }
      : { Sid: sid, Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' };
  const text = (sid: string) => JSON.stringify({ Version: '2012-10-17', Statement: [statement(sid)] });
  const pad = size - text('').length;
  if (pad < 0) throw new Error(`no document is as small as ${size}`);
  const doc = text('S'.repeat(pad));
  expect(policySize(doc)).toBe(size);
  return doc;
}

/** The same document with plenty of white space, which IAM does not count. */
const spacious = (doc: string) => `\r\n${JSON.stringify(JSON.parse(doc), null, '\t \n  ').replaceAll('\n', '\r\n')}${' '.repeat(400)}\n`;

const limit = (message: string) => ({ code: 'LimitExceeded', message, status: 409 });

describe('inline policies: the owner’s together', () => {
  it('a user’s may measure 2048: the one that would pass it is refused, and nothing changes; a replacement counts instead of the old one', async () => {
    await api.iam.send(new CreateUserCommand({ UserName: 'alice' }));
    const p1 = sized(1000);
    const p2 = sized(1048);
    await api.iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p1', PolicyDocument: p1 }));
    await api.iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p2', PolicyDocument: p2 })); // 2048 exactly
    expect(await awsError(api.iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p3', PolicyDocument: sized(150) })))).toEqual(
      limit('Maximum policy size of 2048 bytes exceeded for user alice'),
    );
    // A replacement counts instead of the old one (names regardless of case): a character more passes the sum.
    expect(await awsError(api.iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'P2', PolicyDocument: sized(1049) })))).toEqual(
      limit('Maximum policy size of 2048 bytes exceeded for user alice'),
    );
    const policies = await api.iam.send(new ListUserPoliciesCommand({ UserName: 'alice' }));
    expect(policies.PolicyNames).toEqual(['p1', 'p2']);
    const kept = await api.iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'p2' }));
    expect(decodeURIComponent(kept.PolicyDocument!)).toBe(p2);
    const replacement = sized(1048).replace('s3:GetObject', 's3:PutObject');
    await api.iam.send(new PutUserPolicyCommand({ UserName: 'alice', PolicyName: 'p2', PolicyDocument: replacement }));
    const replaced = await api.iam.send(new GetUserPolicyCommand({ UserName: 'alice', PolicyName: 'p2' }));
    expect(decodeURIComponent(replaced.PolicyDocument!)).toBe(replacement);
  });

  it('white space does not count', async () => {
    await api.iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const roomy = spacious(sized(2048));
    expect(roomy.length).toBeGreaterThan(2048 + 400);
    await api.iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'all', PolicyDocument: roomy }));
    expect(await awsError(api.iam.send(new PutUserPolicyCommand({ UserName: 'bob', PolicyName: 'all', PolicyDocument: spacious(sized(2049)) })))).toEqual(
      limit('Maximum policy size of 2048 bytes exceeded for user bob'),
    );
  });

  it('a group’s may measure 5120, a role’s 10240', async () => {
    await api.iam.send(new CreateGroupCommand({ GroupName: 'Devs' }));
    await api.iam.send(new PutGroupPolicyCommand({ GroupName: 'Devs', PolicyName: 'a', PolicyDocument: sized(5000) }));
    expect(await awsError(api.iam.send(new PutGroupPolicyCommand({ GroupName: 'Devs', PolicyName: 'b', PolicyDocument: sized(121) })))).toEqual(
      limit('Maximum policy size of 5120 bytes exceeded for group Devs'),
    );
    expect(await awsError(api.iam.send(new GetGroupPolicyCommand({ GroupName: 'Devs', PolicyName: 'b' })))).toMatchObject({ code: 'NoSuchEntity' });
    await api.iam.send(new PutGroupPolicyCommand({ GroupName: 'Devs', PolicyName: 'b', PolicyDocument: sized(120) })); // 5120 exactly

    await api.iam.send(new CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: sized(200, 'trust') }));
    await api.iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'a', PolicyDocument: spacious(sized(6000)) }));
    await api.iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'b', PolicyDocument: sized(4240) }));
    expect(await awsError(api.iam.send(new PutRolePolicyCommand({ RoleName: 'app', PolicyName: 'c', PolicyDocument: sized(150) })))).toEqual(
      limit('Maximum policy size of 10240 bytes exceeded for role app'),
    );
    expect((await api.iam.send(new ListRolePoliciesCommand({ RoleName: 'app' }))).PolicyNames).toEqual(['a', 'b']);
    expect(await awsError(api.iam.send(new GetRolePolicyCommand({ RoleName: 'app', PolicyName: 'c' })))).toMatchObject({ code: 'NoSuchEntity' });
  });

  it('concurrent puts on one user never pass the sum together', async () => {
    await api.iam.send(new CreateUserCommand({ UserName: 'carol' }));
    // 30 at once, 13 of which fit (13 × 150 = 1950).
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => api.iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: `p${i}`, PolicyDocument: sized(150) }))),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(13);
    expect((await api.iam.send(new ListUserPoliciesCommand({ UserName: 'carol' }))).PolicyNames).toHaveLength(13);
  });
});

describe('managed policies and trust policies, each on its own', () => {
  it('a managed policy version may measure 6144 (white space not counted): CreatePolicy and CreatePolicyVersion refuse more, creating nothing', async () => {
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: 'big', PolicyDocument: spacious(sized(6144)) }));
    expect(await awsError(api.iam.send(new CreatePolicyCommand({ PolicyName: 'bigger', PolicyDocument: sized(6145) })))).toEqual(
      limit('Cannot exceed quota for PolicySize: 6144'),
    );
    expect((await api.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!.map((p) => p.PolicyName)).toEqual(['big']);
    expect(await awsError(api.iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: spacious(sized(6145)) })))).toEqual(
      limit('Cannot exceed quota for PolicySize: 6144'),
    );
    expect((await api.iam.send(new ListPolicyVersionsCommand({ PolicyArn: Policy!.Arn! }))).Versions).toHaveLength(1);
    await api.iam.send(new CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn!, PolicyDocument: sized(6144), SetAsDefault: true }));
    const v2 = await api.iam.send(new GetPolicyVersionCommand({ PolicyArn: Policy!.Arn!, VersionId: 'v2' }));
    expect(decodeURIComponent(v2.PolicyVersion!.Document!)).toBe(sized(6144));
  });

  it('a trust policy may measure 2048 (white space not counted): CreateRole and UpdateAssumeRolePolicy refuse more, changing nothing', async () => {
    expect(await awsError(api.iam.send(new CreateRoleCommand({ RoleName: 'wide', AssumeRolePolicyDocument: sized(2049, 'trust') })))).toEqual(
      limit('Cannot exceed quota for ACLSizePerRole: 2048'),
    );
    expect(await awsError(api.iam.send(new GetRoleCommand({ RoleName: 'wide' })))).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    const trust = spacious(sized(2048, 'trust'));
    await api.iam.send(new CreateRoleCommand({ RoleName: 'wide', AssumeRolePolicyDocument: trust }));
    expect(await awsError(api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'wide', PolicyDocument: sized(2049, 'trust') })))).toEqual(
      limit('Cannot exceed quota for ACLSizePerRole: 2048'),
    );
    const { Role } = await api.iam.send(new GetRoleCommand({ RoleName: 'wide' }));
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(trust);
  });
});

describe('entity counts (IAMD_QUOTAS makes them small here)', () => {
  it('users: the one past the quota is refused, a taken name is still EntityAlreadyExists, a deletion makes room', async () => {
    for (const name of ['u1', 'u2', 'u3']) await api.iam.send(new CreateUserCommand({ UserName: name }));
    expect(await awsError(api.iam.send(new CreateUserCommand({ UserName: 'u4' })))).toEqual(limit('Cannot exceed quota for UsersPerAccount: 3'));
    expect(await awsError(api.iam.send(new CreateUserCommand({ UserName: 'U1' })))).toMatchObject({ code: 'EntityAlreadyExists', status: 409 });
    expect((await api.iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['u1', 'u2', 'u3']);
    await api.iam.send(new DeleteUserCommand({ UserName: 'u2' }));
    await api.iam.send(new CreateUserCommand({ UserName: 'u4' }));
  });

  it('concurrent creations never pass the quota', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => api.iam.send(new CreateUserCommand({ UserName: `racer${i}` }))));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as Error).message).toBe('Cannot exceed quota for UsersPerAccount: 3');
    }
    expect((await api.iam.send(new ListUsersCommand({}))).Users).toHaveLength(3);
  });

  it('roles, instance profiles and customer managed policies', async () => {
    const trust = sized(200, 'trust');
    for (const name of ['r1', 'r2', 'r3']) await api.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
    expect(await awsError(api.iam.send(new CreateRoleCommand({ RoleName: 'r4', AssumeRolePolicyDocument: trust })))).toEqual(
      limit('Cannot exceed quota for RolesPerAccount: 3'),
    );
    expect((await api.iam.send(new ListRolesCommand({}))).Roles).toHaveLength(3);

    for (const name of ['i1', 'i2']) await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
    expect(await awsError(api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'i3' })))).toEqual(
      limit('Cannot exceed quota for InstanceProfilesPerAccount: 2'),
    );
    expect((await api.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles).toHaveLength(2);

    for (const name of ['m1', 'm2']) await api.iam.send(new CreatePolicyCommand({ PolicyName: name, PolicyDocument: sized(150) }));
    expect(await awsError(api.iam.send(new CreatePolicyCommand({ PolicyName: 'm3', PolicyDocument: sized(150) })))).toEqual(
      limit('Cannot exceed quota for PoliciesPerAccount: 2'),
    );
    expect((await api.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies).toHaveLength(2);
  });

  it('groups per account, and at most 10 groups per user (AWS’s fixed quota); adding again is no new group', async () => {
    const groups = Array.from({ length: 11 }, (_, i) => `g${String(i).padStart(2, '0')}`);
    for (const name of groups) await api.iam.send(new CreateGroupCommand({ GroupName: name }));
    expect(await awsError(api.iam.send(new CreateGroupCommand({ GroupName: 'g99' })))).toEqual(limit('Cannot exceed quota for GroupsPerAccount: 11'));
    expect((await api.iam.send(new ListGroupsCommand({}))).Groups).toHaveLength(11);

    await api.iam.send(new CreateUserCommand({ UserName: 'member' }));
    for (const name of groups.slice(0, 10)) await api.iam.send(new AddUserToGroupCommand({ GroupName: name, UserName: 'member' }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName: 'g00', UserName: 'member' }));
    expect(await awsError(api.iam.send(new AddUserToGroupCommand({ GroupName: 'g10', UserName: 'member' })))).toEqual(
      limit('Cannot exceed quota for GroupsPerUser: 10'),
    );
    expect((await api.iam.send(new ListGroupsForUserCommand({ UserName: 'member' }))).Groups!.map((g) => g.GroupName)).toEqual(groups.slice(0, 10));
  });

  it('GetAccountSummary reports the quotas in force', async () => {
    const { SummaryMap } = await api.iam.send(new GetAccountSummaryCommand({}));
    expect(SummaryMap).toMatchObject({
      ...QUOTAS,
      GroupsPerUserQuota: 10,
      PolicySizeQuota: 6144,
      UserPolicySizeQuota: 2048,
      GroupPolicySizeQuota: 5120,
      RolePolicySizeQuota: 10240,
      AssumeRolePolicySizeQuota: 2048,
    });
  });
});

describe('IAMD_QUOTAS', () => {
  it('defaults to AWS’s quotas; a partial object keeps the others; anything else is refused at start-up', () => {
    expect(resolveServeConfig({ memory: true }, {}).quotas).toEqual({
      UsersQuota: 5000,
      GroupsQuota: 300,
      RolesQuota: 1000,
      InstanceProfilesQuota: 1000,
      PoliciesQuota: 1500,
    });
    expect(resolveServeConfig({ memory: true }, { IAMD_QUOTAS: '{"RolesQuota": 4000}' }).quotas).toMatchObject({ RolesQuota: 4000, UsersQuota: 5000 });
    for (const bad of ['[]', 'users', '{"Users": 1}', '{"UsersQuota": 0}', '{"UsersQuota": "9"}', '{"UsersQuota": 1.5}']) {
      expect(() => resolveServeConfig({ memory: true }, { IAMD_QUOTAS: bad }), bad).toThrow(ConfigError);
    }
  });
});
