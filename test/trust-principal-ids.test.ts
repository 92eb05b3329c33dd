/**
 * A trust policy trusts the principal its ARN named when it was written, not a later one of the
 * same name (AWS resolves a named user or role to its unique id on write: IAM User Guide, Principal
 * element). Real server, real SDK v3 clients, both stores: a user or role deleted and re-created
 * under the same name is refused with AWS's AccessDenied sentence; GetRole (and ListRoles,
 * GetAccountAuthorizationDetails, instance profiles) shows the old unique id from the deletion on;
 * UpdateAssumeRolePolicy naming the new principal trusts it. Roles stored before the ids were
 * recorded are resolved at their first use.
 */
import { describe, expect, it } from 'vitest';
import { AssumeRoleCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  GetAccountAuthorizationDetailsCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  ListRolesCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateUserCommand,
} from '@aws-sdk/client-iam';
import { useServer } from './support/use-server.js';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';

const api = useServer();

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const sts = (credentials: Keys) => new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials });
const keysOf = (c: Credentials | undefined): Keys => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });

const trust = (aws: string | string[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: aws }, Action: 'sts:AssumeRole' }] });
const userArnOf = (name: string, path = '/') => `arn:aws:iam::${ACCOUNT_ID}:user${path}${name}`;
const roleArnOf = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:role/${name}`;
const denied = (caller: string, role: string) => ({
  code: 'AccessDenied',
  message: `User: ${caller} is not authorized to perform: sts:AssumeRole on resource: ${role}`,
  status: 403,
});

/** A user with an access key: its id and its keys. */
async function newUser(name: string, path?: string): Promise<{ id: string; keys: Keys }> {
  const { User } = await api.iam.send(new CreateUserCommand({ UserName: name, Path: path }));
  const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { id: User!.UserId!, keys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

async function deleteUser(name: string, keys: Keys): Promise<void> {
  await api.iam.send(new DeleteAccessKeyCommand({ UserName: name, AccessKeyId: keys.accessKeyId }));
  await api.iam.send(new DeleteUserCommand({ UserName: name }));
}

async function newRole(name: string, trusted: string | string[]): Promise<{ id: string; arn: string }> {
  const { Role } = await api.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust(trusted) }));
  return { id: Role!.RoleId!, arn: Role!.Arn! };
}

/** The role's trust policy as GetRole shows it. */
const shownTrust = async (roleName: string) =>
  JSON.parse(decodeURIComponent((await api.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!)) as {
    Statement: { Principal: { AWS: string | string[] } }[];
  };
const shownPrincipal = async (roleName: string) => (await shownTrust(roleName)).Statement[0]!.Principal.AWS;

const assume = (keys: Keys, roleArn: string, session = 'ss') => sts(keys).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: session }));

describe('a user named in a trust policy', () => {
  it('is trusted; deleted and re-created under the same name, it is not, and GetRole shows the old id until the policy names it again', async () => {
    const name = uniqueName('alice');
    const alice = await newUser(name);
    const roleName = uniqueName('trusts-alice');
    const role = await newRole(roleName, userArnOf(name));

    expect((await assume(alice.keys, role.arn)).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/ss`);
    // While the user exists, the policy shows its ARN, as written.
    expect(decodeURIComponent((await api.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!.AssumeRolePolicyDocument!)).toBe(trust(userArnOf(name)));

    await deleteUser(name, alice.keys);
    expect(alice.id).toMatch(/^AIDA/);
    expect(await shownPrincipal(roleName)).toBe(alice.id);

    const again = await newUser(name);
    expect(again.id).not.toBe(alice.id);
    expect(await awsError(assume(again.keys, role.arn))).toEqual(denied(userArnOf(name), role.arn));
    // The new user of the same name is another principal: the old id is still shown.
    expect(await shownPrincipal(roleName)).toBe(alice.id);
    const listed = (await api.iam.send(new ListRolesCommand({}))).Roles!.find((r) => r.RoleName === roleName)!;
    expect(JSON.parse(decodeURIComponent(listed.AssumeRolePolicyDocument!)).Statement[0].Principal.AWS).toBe(alice.id);
    const details = await api.iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role'] }));
    const detail = details.RoleDetailList!.find((r) => r.RoleName === roleName)!;
    expect(JSON.parse(decodeURIComponent(detail.AssumeRolePolicyDocument!)).Statement[0].Principal.AWS).toBe(alice.id);

    // Naming the user again resolves the ARN to the new user: trusted, and shown by its ARN.
    await api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: trust(userArnOf(name)) }));
    expect(await shownPrincipal(roleName)).toBe(userArnOf(name));
    expect((await assume(again.keys, role.arn)).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/ss`);
  });

  it('in a list, only the deleted one is shown by its id; a role in an instance profile too', async () => {
    const [gone, kept] = [uniqueName('gone'), uniqueName('kept')];
    const goneUser = await newUser(gone);
    await newUser(kept);
    const roleName = uniqueName('trusts-two');
    await newRole(roleName, [userArnOf(gone), userArnOf(kept)]);
    const profile = uniqueName('profile');
    await api.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: profile }));
    await api.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: profile, RoleName: roleName }));

    await deleteUser(gone, goneUser.keys);
    expect(await shownPrincipal(roleName)).toEqual([goneUser.id, userArnOf(kept)]);
    const { InstanceProfile } = await api.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: profile }));
    expect(JSON.parse(decodeURIComponent(InstanceProfile!.Roles![0]!.AssumeRolePolicyDocument!)).Statement[0].Principal.AWS).toEqual([
      goneUser.id,
      userArnOf(kept),
    ]);
  });

  it('renamed, stays trusted and is shown by its new ARN; a new user under the old name is not trusted', async () => {
    const [name, newName] = [uniqueName('bob'), uniqueName('robert')];
    const bob = await newUser(name);
    const roleName = uniqueName('trusts-bob');
    const role = await newRole(roleName, userArnOf(name));
    await api.iam.send(new UpdateUserCommand({ UserName: name, NewUserName: newName, NewPath: '/moved/' }));

    expect(await shownPrincipal(roleName)).toBe(userArnOf(newName, '/moved/'));
    expect((await assume(bob.keys, role.arn)).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/ss`);
    const impostor = await newUser(name);
    expect(await awsError(assume(impostor.keys, role.arn))).toEqual(denied(userArnOf(name), role.arn));
  });

  // AWS's answer to such an ARN is not on record (it may refuse it on write); iamd accepts it, as
  // before, and must not let it trust the user found by name.
  it('by an ARN whose path is not the user\'s trusts nobody (as before ids were recorded)', async () => {
    const name = uniqueName('pathed');
    const user = await newUser(name, '/team/');
    const roleName = uniqueName('trusts-wrong-path');
    const role = await newRole(roleName, userArnOf(name)); // the user is at /team/, the ARN says /
    expect(await awsError(assume(user.keys, role.arn))).toEqual(denied(userArnOf(name, '/team/'), role.arn));
    expect(await shownPrincipal(roleName)).toBe(userArnOf(name));
  });
});

describe('a role named in a trust policy', () => {
  it('is trusted; deleted and re-created under the same name, its sessions are not, and GetRole shows the old AROA id', async () => {
    const userName = uniqueName('chainer');
    const user = await newUser(userName);
    const middleName = uniqueName('middle');
    const middle = await newRole(middleName, userArnOf(userName));
    const targetName = uniqueName('target');
    const target = await newRole(targetName, roleArnOf(middleName));

    const session = keysOf((await assume(user.keys, middle.arn, 'm1')).Credentials);
    expect((await assume(session, target.arn, 't1')).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${targetName}/t1`);
    expect(await shownPrincipal(targetName)).toBe(roleArnOf(middleName));

    await api.iam.send(new DeleteRoleCommand({ RoleName: middleName }));
    expect(middle.id).toMatch(/^AROA/);
    expect(await shownPrincipal(targetName)).toBe(middle.id);

    const again = await newRole(middleName, userArnOf(userName));
    expect(again.id).not.toBe(middle.id);
    const newSession = keysOf((await assume(user.keys, again.arn, 'm2')).Credentials);
    expect(await awsError(assume(newSession, target.arn, 't2'))).toEqual(denied(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${middleName}/m2`, target.arn));
    expect(await shownPrincipal(targetName)).toBe(middle.id);

    await api.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: targetName, PolicyDocument: trust(roleArnOf(middleName)) }));
    expect(await shownPrincipal(targetName)).toBe(roleArnOf(middleName));
    expect((await assume(newSession, target.arn, 't3')).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${targetName}/t3`);
  });
});

describe('a role stored before the ids were recorded (no ids)', () => {
  it('has its ARNs resolved at its first use, and from then on trusts that principal only', async () => {
    const name = uniqueName('legacy-user');
    const user = await newUser(name);
    const roleName = uniqueName('legacy-role');
    // Planted as a database from before schema version 12 holds it: no ids recorded.
    const planted = await api.domain.store.roles.create({
      id: api.domain.ids.uniqueId('AROA'),
      name: roleName,
      path: '/',
      createdAt: new Date(),
      description: null,
      maxSessionDuration: 3600,
      trustPolicy: trust(userArnOf(name)),
      trustPrincipalIds: null,
      permissionsBoundary: null,
      tags: [],
      lastUsed: null,
      linkedService: null,
    });
    expect(planted).toBe('ok');
    expect((await api.domain.store.roles.getByName(roleName))!.trustPrincipalIds).toBeNull();

    const arn = roleArnOf(roleName);
    expect((await assume(user.keys, arn)).AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/ss`);
    expect((await api.domain.store.roles.getByName(roleName))!.trustPrincipalIds).toEqual({ [userArnOf(name)]: user.id });

    await deleteUser(name, user.keys);
    const again = await newUser(name);
    expect(await awsError(assume(again.keys, arn))).toEqual(denied(userArnOf(name), arn));
    expect(await shownPrincipal(roleName)).toBe(user.id);
  });
});
