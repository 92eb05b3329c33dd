/**
 * Managed-policy tags and usage, UpdateGroup, and group membership answers as AWS records them.
 */
import { describe, expect, it } from 'vitest';
import {
  AddUserToGroupCommand,
  AttachGroupPolicyCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateGroupCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetGroupCommand,
  GetPolicyCommand,
  ListEntitiesForPolicyCommand,
  ListPoliciesCommand,
  ListPolicyTagsCommand,
  PutRolePermissionsBoundaryCommand,
  RemoveUserFromGroupCommand,
  TagPolicyCommand,
  UntagPolicyCommand,
  UpdateGroupCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

const DOCUMENT = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

describe('managed policy tags', () => {
  it('CreatePolicy keeps tags (echoed in request order) and, as AWS, does not echo the Description; GetPolicy shows both', async () => {
    const PolicyName = uniqueName('tagged');
    const tags = ['abc', 'b', 'z', 'a'].map((Key) => ({ Key, Value: Key.toUpperCase() }));
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: DOCUMENT, Description: 'testing', Tags: tags }));
    expect(Policy?.Tags).toEqual(tags);
    expect(Policy?.Description).toBeUndefined();
    const got = (await api.iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn! }))).Policy!;
    expect(got.Description).toBe('testing');
    expect(got.Tags).toEqual(tags);
    // ListPolicyTags orders as AWS does: shorter keys first, then by code point.
    expect((await api.iam.send(new ListPolicyTagsCommand({ PolicyArn: Policy!.Arn! }))).Tags!.map((t) => t.Key)).toEqual(['a', 'b', 'z', 'abc']);
    const listed = (await api.iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies!.find((p) => p.PolicyName === PolicyName)!;
    expect(listed.Tags).toBeUndefined();
    expect(listed.Description).toBeUndefined();
  });

  it('GetPolicy of an untagged policy has Tags: []', async () => {
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('plain'), PolicyDocument: DOCUMENT }));
    expect(Policy?.Tags).toBeUndefined();
    expect((await api.iam.send(new GetPolicyCommand({ PolicyArn: Policy!.Arn! }))).Policy?.Tags).toEqual([]);
  });

  it('keys are case-sensitive; duplicates, unknown policies and the quota get AWS answers; paging', async () => {
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('cased'), PolicyDocument: DOCUMENT }));
    const PolicyArn = Policy!.Arn!;
    await api.iam.send(new TagPolicyCommand({ PolicyArn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'A', Value: '2' }] }));
    expect((await api.iam.send(new ListPolicyTagsCommand({ PolicyArn }))).Tags).toEqual([
      { Key: 'A', Value: '2' },
      { Key: 'a', Value: '1' },
    ]);
    await api.iam.send(new UntagPolicyCommand({ PolicyArn, TagKeys: ['a'] }));
    expect((await api.iam.send(new ListPolicyTagsCommand({ PolicyArn }))).Tags).toEqual([{ Key: 'A', Value: '2' }]);
    expect(await awsError(api.iam.send(new TagPolicyCommand({ PolicyArn, Tags: [{ Key: '0', Value: '' }, { Key: '0', Value: '' }] })))).toEqual({
      code: 'InvalidInput',
      message: 'Duplicate tag keys found.',
      status: 400,
    });
    const missing = `arn:aws:iam::${ACCOUNT_ID}:policy/NotAPolicy`;
    for (const call of [
      () => api.iam.send(new TagPolicyCommand({ PolicyArn: missing, Tags: [{ Key: 'k', Value: 'v' }] })),
      () => api.iam.send(new UntagPolicyCommand({ PolicyArn: missing, TagKeys: ['k'] })),
    ]) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: `Policy ${missing} was not found.`, status: 404 });
    }
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: '' }));
    expect(await awsError(api.iam.send(new TagPolicyCommand({ PolicyArn, Tags: fifty })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for TagsPerPolicy: 50',
      status: 409,
    });
    await api.iam.send(new TagPolicyCommand({ PolicyArn, Tags: [{ Key: 'B', Value: '3' }] }));
    const first = await api.iam.send(new ListPolicyTagsCommand({ PolicyArn, MaxItems: 1 }));
    expect(first).toMatchObject({ IsTruncated: true, Tags: [{ Key: 'A', Value: '2' }] });
    expect(await api.iam.send(new ListPolicyTagsCommand({ PolicyArn, MaxItems: 1, Marker: first.Marker }))).toMatchObject({
      IsTruncated: false,
      Tags: [{ Key: 'B', Value: '3' }],
    });
  });
});

describe('ListEntitiesForPolicy', () => {
  it('users, groups and roles it is attached to or bounds, filtered by kind, path and usage; all three lists always there', async () => {
    const { Policy } = await api.iam.send(new CreatePolicyCommand({ PolicyName: uniqueName('used'), PolicyDocument: DOCUMENT }));
    const PolicyArn = Policy!.Arn!;
    const empty = await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn }));
    expect(empty).toMatchObject({ PolicyGroups: [], PolicyUsers: [], PolicyRoles: [], IsTruncated: false });

    const UserName = uniqueName('u');
    const GroupName = uniqueName('g');
    const RoleName = uniqueName('r');
    const bounded = uniqueName('bounded');
    const { User } = await api.iam.send(new CreateUserCommand({ UserName, Path: '/team/' }));
    const { Group } = await api.iam.send(new CreateGroupCommand({ GroupName }));
    const { Role } = await api.iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: TRUST }));
    const { Role: boundedRole } = await api.iam.send(new CreateRoleCommand({ RoleName: bounded, AssumeRolePolicyDocument: TRUST }));
    await api.iam.send(new AttachUserPolicyCommand({ UserName, PolicyArn }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn }));
    await api.iam.send(new AttachRolePolicyCommand({ RoleName, PolicyArn }));
    await api.iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: bounded, PermissionsBoundary: PolicyArn }));

    const all = await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn }));
    expect(all.PolicyUsers).toEqual([{ UserName, UserId: User!.UserId }]);
    expect(all.PolicyGroups).toEqual([{ GroupName, GroupId: Group!.GroupId }]);
    expect(all.PolicyRoles).toEqual(
      [
        { RoleName, RoleId: Role!.RoleId },
        { RoleName: bounded, RoleId: boundedRole!.RoleId },
      ].sort((a, b) => a.RoleName.localeCompare(b.RoleName)),
    );
    expect((await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, PolicyUsageFilter: 'PermissionsBoundary' }))).PolicyRoles).toEqual([
      { RoleName: bounded, RoleId: boundedRole!.RoleId },
    ]);
    const roles = await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, EntityFilter: 'Role', PolicyUsageFilter: 'PermissionsPolicy' }));
    expect(roles).toMatchObject({ PolicyUsers: [], PolicyGroups: [], PolicyRoles: [{ RoleName, RoleId: Role!.RoleId }] });
    expect((await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, PathPrefix: '/team/' }))).PolicyUsers).toEqual([
      { UserName, UserId: User!.UserId },
    ]);
    expect(await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, EntityFilter: 'LocalManagedPolicy' }))).toMatchObject({
      PolicyUsers: [],
      PolicyGroups: [],
      PolicyRoles: [],
    });
    // Paged one at a time (in the store, by name then kind), the same entities in the same order.
    const paged: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, MaxItems: 1, Marker }));
      const names = [...page.PolicyUsers!.map((u) => u.UserName!), ...page.PolicyGroups!.map((g) => g.GroupName!), ...page.PolicyRoles!.map((r) => r.RoleName!)];
      expect(names).toHaveLength(1);
      paged.push(...names);
      expect(page.IsTruncated).toBe(paged.length < 4);
      Marker = page.Marker;
    } while (Marker !== undefined);
    expect(paged).toEqual([UserName, GroupName, RoleName, bounded].sort());
    expect(await awsError(api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn, Marker: 'not-a-marker' })))).toMatchObject({
      code: 'ValidationError',
      message: 'Invalid Marker.',
    });
    const missing = `arn:aws:iam::${ACCOUNT_ID}:policy/NonExistentPolicy`;
    expect(await awsError(api.iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: missing })))).toEqual({
      code: 'NoSuchEntity',
      message: `Policy ${missing} does not exist or is not attachable.`,
      status: 404,
    });
  });
});

describe('ListPolicies paging', () => {
  it('pages AWS managed policies, then the account\'s by name, the same policies as one page, for every scope and OnlyAttached', async () => {
    const names = ['pz', 'PA', 'pm'].map((n) => uniqueName(n));
    const arns: string[] = [];
    for (const PolicyName of names) arns.push((await api.iam.send(new CreatePolicyCommand({ PolicyName, PolicyDocument: DOCUMENT, Path: '/paging/' }))).Policy!.Arn!);
    const GroupName = uniqueName('g');
    await api.iam.send(new CreateGroupCommand({ GroupName }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn: arns[1] }));
    await api.iam.send(new AttachGroupPolicyCommand({ GroupName, PolicyArn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }));
    const pages = async (filter: object, size: number) => {
      const paged: string[] = [];
      let Marker: string | undefined;
      do {
        const page = await api.iam.send(new ListPoliciesCommand({ ...filter, MaxItems: size, Marker }));
        expect(page.Policies!.length).toBeLessThanOrEqual(size);
        paged.push(...page.Policies!.map((p) => p.Arn!));
        expect(page.IsTruncated).toBe(page.Marker !== undefined);
        Marker = page.Marker;
      } while (Marker !== undefined);
      return paged;
    };
    for (const filter of [
      {},
      { Scope: 'Local' as const },
      { Scope: 'AWS' as const },
      { OnlyAttached: true },
      { PathPrefix: '/paging/' },
      { Scope: 'AWS' as const, OnlyAttached: true },
      { Scope: 'AWS' as const, PathPrefix: '/job-function/' },
    ]) {
      const whole = await pages(filter, 1000);
      expect(new Set(whole).size).toBe(whole.length);
      // The whole AWS catalogue in pages of 1 to 3 would be thousands of calls: larger pages there.
      for (const size of whole.length > 50 ? [99, 250] : [1, 2, 3]) expect(await pages(filter, size)).toEqual(whole);
    }
    const local = (await api.iam.send(new ListPoliciesCommand({ PathPrefix: '/paging/', MaxItems: 1000 }))).Policies!.map((p) => p.PolicyName);
    expect(local).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const attached = (await api.iam.send(new ListPoliciesCommand({ OnlyAttached: true, MaxItems: 1000 }))).Policies!.map((p) => p.Arn);
    expect(attached).toEqual(expect.arrayContaining(['arn:aws:iam::aws:policy/IAMReadOnlyAccess', arns[1]]));
    expect(attached).not.toContain(arns[0]);
    expect(await awsError(api.iam.send(new ListPoliciesCommand({ Marker: 'MTA' })))).toMatchObject({ code: 'ValidationError', message: 'Invalid Marker.' });
  });
});

describe('groups', () => {
  it('UpdateGroup renames (keeping the id and the members) and moves; AWS errors', async () => {
    const GroupName = uniqueName('before');
    const { Group } = await api.iam.send(new CreateGroupCommand({ GroupName }));
    const UserName = uniqueName('member');
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new AddUserToGroupCommand({ GroupName, UserName }));
    const NewGroupName = uniqueName('after');
    await api.iam.send(new UpdateGroupCommand({ GroupName, NewGroupName, NewPath: '/new-path/' }));
    const got = await api.iam.send(new GetGroupCommand({ GroupName: NewGroupName }));
    expect(got.Group).toMatchObject({ GroupId: Group!.GroupId, Path: '/new-path/', Arn: `arn:aws:iam::${ACCOUNT_ID}:group/new-path/${NewGroupName}` });
    expect(got.Users!.map((u) => u.UserName)).toEqual([UserName]);
    expect(await awsError(api.iam.send(new GetGroupCommand({ GroupName })))).toEqual({
      code: 'NoSuchEntity',
      message: `The group with name ${GroupName} cannot be found.`,
      status: 404,
    });
    const other = uniqueName('other');
    await api.iam.send(new CreateGroupCommand({ GroupName: other }));
    expect(await awsError(api.iam.send(new UpdateGroupCommand({ GroupName: other, NewGroupName })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `Group with name ${NewGroupName} already exists.`,
      status: 409,
    });
    expect(await awsError(api.iam.send(new UpdateGroupCommand({ GroupName: 'nonexisting', NewPath: '/x/' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The group with name nonexisting cannot be found.',
      status: 404,
    });
  });

  it('RemoveUserFromGroup of a non-member answers 200; with both unknown, the user is named', async () => {
    const GroupName = uniqueName('g');
    const UserName = uniqueName('u');
    await api.iam.send(new CreateGroupCommand({ GroupName }));
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new RemoveUserFromGroupCommand({ GroupName, UserName }));
    for (const call of [
      () => api.iam.send(new AddUserToGroupCommand({ GroupName: 'no-group', UserName: 'no-user' })),
      () => api.iam.send(new RemoveUserFromGroupCommand({ GroupName: 'no-group', UserName: 'no-user' })),
    ]) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: 'The user with name no-user cannot be found.', status: 404 });
    }
  });
});
