import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { inspect } from 'node:util';
import { ListAccountAliasesCommand } from '@aws-sdk/client-iam';
import { beforeAll, describe, expect, it } from 'vitest';
import * as client from '../src/client/index.js';
import { Collection, IAM, IamClientError, Resource, WaiterTimeoutError } from '../src/client/index.js';
import { selfSigned } from './support/certificates.js';
import { ACCOUNT_ID, ROOT, uniqueName } from './support/server.js';
import { awayFromStepEdge, twoCodes } from './support/totp.js';
import { useServer } from './support/use-server.js';

/**
 * iamd/client against boto3's IAM resource model: the model itself (boto3's resources-1.json and
 * botocore's waiters-2.json, copied from boto3/botocore 1.43.11 into test/fixtures/boto3) read
 * against what the package exports, then every resource boto3 has beyond User, LoginProfile,
 * AccessKey, AccountPasswordPolicy, Group, Policy and UserPolicy (those are in client.test.ts)
 * loaded, acted on, listed and followed against the real server.
 */
const api = useServer();
let iam: IAM;

beforeAll(() => {
  iam = new IAM({ endpoint: api.url, credentials: ROOT, maxAttempts: 1 });
});

/** The IamClientError a call fails with. */
async function failure(call: Promise<unknown>): Promise<IamClientError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof IamClientError) return e;
    throw e;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const TRUST = doc({ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' });
const READ_USERS = doc({ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*' });

describe("boto3's resource model (resources-1.json, waiters-2.json) against what iamd/client exports", () => {
  interface Identifier { target: string; source: string }
  interface Reference { resource: { type: string; identifiers: Identifier[] } }
  interface Definition {
    identifiers?: { name: string }[];
    actions?: Record<string, unknown>;
    has?: Record<string, Reference>;
    hasMany?: Record<string, Reference>;
  }
  const model = JSON.parse(fs.readFileSync(new URL('./fixtures/boto3/iam-resources-1.json', import.meta.url), 'utf8')) as {
    service: Definition;
    resources: Record<string, Definition>;
  };
  const waiters = JSON.parse(fs.readFileSync(new URL('./fixtures/boto3/iam-waiters-2.json', import.meta.url), 'utf8')) as { waiters: Record<string, { operation: string }> };

  /**
   * Where this layer deliberately differs from the model, and why. Empty: every resource, action,
   * reference, collection and waiter is here under boto3's name in camelCase (`CreateAccessKeyPair`
   * → `createAccessKeyPair`; a reference that takes an argument keeps its PascalCase name, as
   * `user.AccessKey(id)` and `iam.User(name)` do).
   */
  const EXCEPTIONS: string[] = [];

  const camel = (name: string) => name[0]!.toLowerCase() + name.slice(1);
  const exported = client as unknown as Record<string, unknown>;
  /** The property `name` of `object`, found where JavaScript finds it (own field, then the prototypes). */
  function descriptor(object: object, name: string): PropertyDescriptor | undefined {
    for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o)) {
      const d = Object.getOwnPropertyDescriptor(o, name);
      if (d) return d;
    }
    return undefined;
  }
  /** A resource made with placeholder identifiers: the factory takes as many as boto3's resource has. */
  const instance = (name: string) => {
    const factory = (iam as unknown as Record<string, (...ids: string[]) => object>)[name]!;
    return factory.call(iam, ...(model.resources[name]!.identifiers ?? []).map((i) => `placeholder-${i.name}`));
  };

  /** What one definition lacks in `target`: actions (methods), references (methods or getters), collections. */
  function missing(where: string, target: object, definition: Definition, service = false): string[] {
    const gaps: string[] = [];
    for (const action of Object.keys(definition.actions ?? {})) {
      if (typeof descriptor(target, camel(action))?.value !== 'function') gaps.push(`${where}.${camel(action)}() (action ${action})`);
    }
    for (const [name, reference] of Object.entries(definition.has ?? {})) {
      // A reference whose identifier the caller gives is a method, and so is every reference of the
      // service (boto3's `iam.CurrentUser()`); the others are getters (`user.loginProfile`).
      const takesInput = service || reference.resource.identifiers.some((i) => i.source === 'input');
      const d = descriptor(target, takesInput ? name : camel(name));
      if (takesInput ? typeof d?.value !== 'function' : typeof d?.get !== 'function') gaps.push(`${where}.${takesInput ? `${name}()` : camel(name)} (reference ${name})`);
    }
    for (const name of Object.keys(definition.hasMany ?? {})) {
      if (!((target as Record<string, unknown>)[camel(name)] instanceof Collection)) gaps.push(`${where}.${camel(name)} (collection ${name})`);
    }
    return gaps;
  }

  it('has every resource: exported, made by an IAM factory of the same name taking its identifiers', () => {
    const gaps: string[] = [];
    for (const [name, definition] of Object.entries(model.resources)) {
      const factory = (IAM.prototype as unknown as Record<string, unknown>)[name];
      if (typeof exported[name] !== 'function') gaps.push(`export ${name}`);
      else if (typeof factory !== 'function') gaps.push(`iam.${name}()`);
      else {
        expect((factory as (...a: unknown[]) => unknown).length, `iam.${name}'s arguments`).toBe((definition.identifiers ?? []).length);
        expect(instance(name)).toBeInstanceOf(exported[name] as new () => unknown);
        expect(instance(name)).toBeInstanceOf(Resource);
      }
    }
    expect(gaps.filter((g) => !EXCEPTIONS.includes(g))).toEqual([]);
    // And nothing beyond: every factory on IAM is one of boto3's resources.
    const factories = Object.getOwnPropertyNames(IAM.prototype).filter((n) => /^[A-Z]/.test(n));
    expect(factories.sort()).toEqual(Object.keys(model.resources).sort());
  });

  it("has every resource's actions, references and collections", () => {
    const gaps = Object.keys(model.resources).flatMap((name) => missing(name, instance(name), model.resources[name]!));
    expect(gaps.filter((g) => !EXCEPTIONS.includes(g))).toEqual([]);
  });

  it("has the service's own actions, references and collections on IAM", () => {
    expect(missing('iam', iam, model.service, true).filter((g) => !EXCEPTIONS.includes(g))).toEqual([]);
  });

  it("has botocore's waiters as waitUntilExists on the resource each one polls", () => {
    const names = Object.keys(waiters.waiters);
    expect(names.sort()).toEqual(['InstanceProfileExists', 'PolicyExists', 'RoleExists', 'UserExists']);
    for (const waiter of names) {
      const resource = waiter.replace(/Exists$/, '');
      expect(typeof descriptor(instance(resource), 'waitUntilExists')?.value, waiter).toBe('function');
      expect(typeof descriptor(instance(resource), 'waitUntilNotExists')?.value, waiter).toBe('function');
    }
  });

  it("has everything of the installed boto3's model too, when there is one (a newer boto3 that adds to IAM's model fails here)", (context) => {
    let dir: string;
    try {
      dir = execFileSync('python3', ['-c', "import importlib.util, os; print(os.path.dirname(importlib.util.find_spec('boto3').origin))"], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return context.skip(); // no python3 or no boto3 here: the committed copy above is the check (find_spec locates boto3 without importing it: fast)
    }
    const installed = JSON.parse(fs.readFileSync(`${dir}/data/iam/2010-05-08/resources-1.json`, 'utf8')) as typeof model;
    const gaps = [
      ...Object.keys(installed.resources).flatMap((name) =>
        model.resources[name] ? missing(name, instance(name), installed.resources[name]!) : [`${name} (a resource test/fixtures/boto3 does not have: copy the new model there)`],
      ),
      ...missing('iam', iam, installed.service, true),
    ];
    expect(gaps.filter((g) => !EXCEPTIONS.includes(g))).toEqual([]);
  });

  it('fails for a resource, action, reference or collection the layer lacks (the check can fail)', () => {
    const invented: Definition = { actions: { Frobnicate: {} }, has: { Widget: { resource: { type: 'User', identifiers: [] } } }, hasMany: { Gadgets: { resource: { type: 'User', identifiers: [] } } } };
    expect(missing('User', instance('User'), invented)).toEqual(['User.frobnicate() (action Frobnicate)', 'User.widget (reference Widget)', 'User.gadgets (collection Gadgets)']);
  });
});

describe('Role, RolePolicy, AssumeRolePolicy and InstanceProfile', () => {
  it('creates a role, reads and replaces its trust policy, puts and pages inline policies, attaches a managed one', async () => {
    const name = uniqueName('role');
    const role = await iam.createRole({ RoleName: name, Path: '/svc/', AssumeRolePolicyDocument: TRUST, Description: 'deploys' });
    expect([role.loaded, role.arn, role.path]).toEqual([true, `arn:aws:iam::${ACCOUNT_ID}:role/svc/${name}`, '/svc/']);
    expect(JSON.parse(role.assumeRolePolicyDocument!)).toEqual(JSON.parse(TRUST));

    const fresh = iam.Role(name);
    expect(() => fresh.roleId).toThrow(client.ResourceNotLoadedError);
    await fresh.load();
    expect([fresh.roleId, fresh.maxSessionDuration, fresh.description]).toEqual([role.roleId, 3600, 'deploys']);
    expect(fresh.roleId).toMatch(/^AROA/);

    // The trust policy: a reference to the role's own document.
    const trust = fresh.assumeRolePolicy;
    expect(trust).toBeInstanceOf(client.AssumeRolePolicy);
    expect(JSON.parse((await trust.load()).policyDocument)).toEqual(JSON.parse(TRUST));
    const lambdaTrust = doc({ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' });
    await trust.update(lambdaTrust);
    expect(JSON.parse((await trust.reload()).policyDocument)).toEqual(JSON.parse(lambdaTrust));
    expect(trust.role.name).toBe(name);

    // Inline policies: put three, page them one at a time, load one, delete one.
    for (const p of ['a', 'b', 'c']) await role.putPolicy(`inline-${p}`, READ_USERS);
    const pages: string[][] = [];
    for await (const page of role.policies.all().pageSize(1).pages()) pages.push(page.map((p) => p.name));
    expect(pages).toEqual([['inline-a'], ['inline-b'], ['inline-c']]);
    const inline = role.Policy('inline-b');
    expect(inline).toBeInstanceOf(client.RolePolicy);
    expect(JSON.parse((await inline.load()).policyDocument)).toEqual(JSON.parse(READ_USERS));
    expect([inline.roleName, inline.role.name]).toEqual([name, name]);
    await iam.RolePolicy(name, 'inline-c').delete();
    expect((await role.policies.all().toArray()).map((p) => p.name)).toEqual(['inline-a', 'inline-b']);
    const gone = await failure(iam.RolePolicy(name, 'inline-c').load());
    expect([gone.code, gone.status, gone.operation]).toEqual(['NoSuchEntity', 404, 'GetRolePolicy']);

    // A managed policy, attached from both sides and listed from both sides.
    const managed = await iam.createPolicy({ PolicyName: uniqueName('managed'), PolicyDocument: READ_USERS });
    await role.attachPolicy(managed.arn);
    expect((await role.attachedPolicies.all().toArray()).map((p) => p.arn)).toEqual([managed.arn]);
    expect((await managed.attachedRoles.all().toArray()).map((r) => r.name)).toEqual([name]);
    await managed.detachRole(name);
    expect(await role.attachedPolicies.all().toArray()).toEqual([]);
    await managed.attachRole(name);

    // Deleting a role with policies: IAM refuses, and says why.
    const conflict = await failure(role.delete());
    expect([conflict.code, conflict.status, conflict.message]).toEqual(['DeleteConflict', 409, 'Cannot delete entity, must delete policies first.']);
    await role.detachPolicy(managed.arn);
    for (const p of await role.policies.all().toArray()) await p.delete();
    await role.delete();
    expect(await role.exists()).toBe(false);
    await managed.delete();
  });

  it('creates an instance profile, puts a role in it, follows both ways, and waits (40 checks, as botocore)', async () => {
    const roleName = uniqueName('ip-role');
    await iam.Role(roleName).create({ AssumeRolePolicyDocument: TRUST });
    const profile = await iam.createInstanceProfile({ InstanceProfileName: uniqueName('profile'), Path: '/web/' });
    expect([profile.loaded, profile.path, profile.roles]).toEqual([true, '/web/', []]);
    expect(profile.instanceProfileId).toMatch(/^AIPA/);
    await profile.addRole(roleName);
    const full = await failure(profile.addRole(roleName));
    expect([full.code, full.status]).toEqual(['LimitExceeded', 409]);

    // The reference from the profile's data: roles come loaded with what GetInstanceProfile carried.
    const [inside] = (await profile.reload()).roles;
    expect([inside!.name, inside!.loaded, inside!.arn]).toEqual([roleName, true, `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`]);
    expect((await iam.Role(roleName).instanceProfiles.all().toArray()).map((p) => [p.name, p.loaded])).toEqual([[profile.name, true]]);
    expect((await iam.instanceProfiles.filter({ PathPrefix: '/web/' }).toArray()).map((p) => p.name)).toContain(profile.name);

    await profile.waitUntilExists({ delayMs: 0 });
    const never = await iam
      .InstanceProfile(uniqueName('never'))
      .waitUntilExists({ delayMs: 0 })
      .then(() => undefined, (e: unknown) => e);
    expect(never).toBeInstanceOf(WaiterTimeoutError);
    expect((never as WaiterTimeoutError).attempts).toBe(40);

    const conflict = await failure(profile.delete());
    expect([conflict.code, conflict.message]).toEqual(['DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.']);
    await profile.removeRole(roleName);
    await profile.delete();
    await profile.waitUntilNotExists({ delayMs: 0 });
    await iam.Role(roleName).delete();
    await iam.Role(roleName).waitUntilNotExists({ delayMs: 0 });
  });

  it('lists roles with a path prefix, page by page, loaded; RoleExists waits', async () => {
    const prefix = `/${uniqueName('roles')}/`;
    const names = ['r1', 'r2', 'r3'].map((n) => uniqueName(n));
    for (const RoleName of names) await iam.createRole({ RoleName, Path: prefix, AssumeRolePolicyDocument: TRUST });
    const listed = await iam.roles.filter({ PathPrefix: prefix }).pageSize(2).toArray();
    expect(listed.map((r) => r.name).sort()).toEqual([...names].sort());
    expect(listed.every((r) => r.loaded && r.path === prefix)).toBe(true);
    await iam.Role(names[0]!).waitUntilExists({ delayMs: 0 });
    await expect(iam.Role(uniqueName('nope')).waitUntilExists({ delayMs: 0, maxAttempts: 2 })).rejects.toBeInstanceOf(WaiterTimeoutError);
  });
});

describe('Group (update, inline policies) and GroupPolicy', () => {
  it('renames the group, creates inline policies the boto3 way, lists and follows them', async () => {
    const group = await iam.createGroup({ GroupName: uniqueName('grp') });
    const renamedName = uniqueName('grp-renamed');
    const renamed = await group.update({ NewGroupName: renamedName, NewPath: '/teams/' });
    expect([group.name, renamed.name, renamed.loaded]).toEqual([group.name, renamedName, false]);
    expect((await renamed.load()).path).toBe('/teams/');
    expect(await group.exists()).toBe(false);

    const created = await renamed.createPolicy({ PolicyName: 'read-users', PolicyDocument: READ_USERS });
    expect(created).toBeInstanceOf(client.GroupPolicy);
    await renamed.putPolicy('second', { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*' }] });
    expect((await renamed.policies.all().toArray()).map((p) => [p.groupName, p.name])).toEqual([
      [renamedName, 'read-users'],
      [renamedName, 'second'],
    ]);
    const loaded = await renamed.Policy('read-users').load();
    expect(JSON.parse(loaded.policyDocument)).toEqual(JSON.parse(READ_USERS));
    expect(loaded.group.name).toBe(renamedName);
    await iam.GroupPolicy(renamedName, 'second').put(READ_USERS);
    expect(JSON.parse((await iam.GroupPolicy(renamedName, 'second').load()).policyDocument)).toEqual(JSON.parse(READ_USERS));

    const managed = await iam.createPolicy({ PolicyName: uniqueName('grp-managed'), PolicyDocument: READ_USERS });
    await managed.attachGroup(renamedName);
    expect((await managed.attachedGroups.all().toArray()).map((g) => g.name)).toEqual([renamedName]);
    await managed.detachGroup(renamedName);
    for (const p of await renamed.policies.all().toArray()) await p.delete();
    await renamed.delete();
    await managed.delete();
  });
});

describe('Policy versions, attached entities and PolicyExists', () => {
  it('creates versions, pages them, sets the default, follows defaultVersion, deletes one', async () => {
    const policy = await iam.createPolicy({ PolicyName: uniqueName('versioned'), PolicyDocument: READ_USERS });
    const second = doc({ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' });
    const v2 = await policy.createVersion({ PolicyDocument: second });
    expect([v2.versionId, v2.loaded, v2.isDefaultVersion]).toEqual(['v2', true, false]);
    const v3 = await policy.createVersion({ PolicyDocument: READ_USERS, SetAsDefault: true });
    expect(v3.isDefaultVersion).toBe(true);

    const pages: string[][] = [];
    for await (const page of policy.versions.all().pageSize(2).pages()) pages.push(page.map((v) => v.versionId));
    expect(pages.flat().sort()).toEqual(['v1', 'v2', 'v3']);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);

    await v2.setAsDefault();
    const current = (await policy.reload()).defaultVersion;
    expect(current).toBeInstanceOf(client.PolicyVersion);
    expect(current.versionId).toBe('v2');
    expect(JSON.parse((await current.load()).document!)).toEqual(JSON.parse(second));
    expect([current.isDefaultVersion, current.policy.arn]).toEqual([true, policy.arn]);

    const refused = await failure(current.delete());
    expect([refused.code, refused.status, refused.message]).toEqual(['DeleteConflict', 409, 'Cannot delete the default version of a policy.']);
    await iam.PolicyVersion(policy.arn, 'v1').delete();
    expect((await policy.versions.all().toArray()).map((v) => v.versionId).sort()).toEqual(['v2', 'v3']);
    const missing = await failure(iam.PolicyVersion(policy.arn, 'v1').load());
    expect([missing.code, missing.operation]).toEqual(['NoSuchEntity', 'GetPolicyVersion']);

    // Attached users, by the collection that filters ListEntitiesForPolicy on User.
    const user = await iam.createUser({ UserName: uniqueName('attached') });
    await policy.attachUser(user.name);
    expect((await policy.attachedUsers.all().toArray()).map((u) => u.name)).toEqual([user.name]);
    expect(await policy.attachedRoles.all().toArray()).toEqual([]);
    await policy.detachUser(user.name);
    await user.delete();

    await policy.waitUntilExists({ delayMs: 0 });
    await v3.delete();
    await policy.delete();
    await policy.waitUntilNotExists({ delayMs: 0 });
  });
});

describe('MfaDevice and VirtualMfaDevice', () => {
  it('creates a virtual device, enables it for a user with codes from its seed, lists, resyncs, disassociates and deletes', async () => {
    const user = await iam.createUser({ UserName: uniqueName('mfa') });
    const device = await iam.createVirtualMfaDevice({ VirtualMFADeviceName: uniqueName('phone') });
    expect(device.serialNumber).toMatch(new RegExp(`^arn:aws:iam::${ACCOUNT_ID}:mfa/phone-`));
    const seed = new TextDecoder().decode(device.base32StringSeed);
    expect(seed).toMatch(/^[A-Z2-7]{16,}$/);
    expect(device.qrCodePNG?.subarray(1, 4)).toEqual(new TextEncoder().encode('PNG'));
    expect(device.user).toBeUndefined();

    await awayFromStepEdge();
    const mfa = await user.enableMfa({ SerialNumber: device.serialNumber, ...twoCodes(seed) });
    expect(mfa).toBeInstanceOf(client.MfaDevice);
    expect((await mfa.load()).enableDate).toBeInstanceOf(Date);
    expect(mfa.user.name).toBe(user.name);
    expect((await user.mfaDevices.all().toArray()).map((d) => [d.userName, d.serialNumber, d.loaded])).toEqual([[user.name, device.serialNumber, true]]);

    // The virtual device, listed as assigned, now refers to its user; its seed is not listed again.
    const assigned = await iam.virtualMfaDevices.filter({ AssignmentStatus: 'Assigned' }).toArray();
    const listed = assigned.find((d) => d.serialNumber === device.serialNumber)!;
    expect([listed.user?.name, listed.base32StringSeed, listed.enableDate]).toEqual([user.name, undefined, mfa.enableDate]);
    expect((await iam.VirtualMfaDevice(device.serialNumber).load()).user?.name).toBe(user.name);

    await mfa.resync(twoCodes(seed, 2));
    const bad = await failure(mfa.resync(twoCodes(seed, 2)));
    expect([bad.code, bad.status, bad.message]).toEqual(['InvalidAuthenticationCode', 403, 'Authentication code for device is not valid.']);

    const stillAssigned = await failure(device.delete());
    expect([stillAssigned.code, stillAssigned.message]).toEqual(['DeleteConflict', 'Cannot delete entity, must deactivate MFA device first.']);
    await mfa.disassociate();
    const gone = await failure(mfa.load());
    expect([gone.code, gone.status, gone.operation, gone.message]).toEqual([
      'NoSuchEntity',
      404,
      'ListMFADevices',
      `MFA Device with serial number ${device.serialNumber} does not exist.`,
    ]);
    expect(await user.mfaDevices.all().toArray()).toEqual([]);

    // The same device again, through MfaDevice.associate this time.
    await awayFromStepEdge();
    await user.MfaDevice(device.serialNumber).associate(twoCodes(seed, 4));
    expect((await user.mfaDevices.all().toArray()).map((d) => d.serialNumber)).toEqual([device.serialNumber]);
    await iam.MfaDevice(user.name, device.serialNumber).disassociate();

    await device.delete();
    expect(await iam.VirtualMfaDevice(device.serialNumber).exists()).toBe(false);
    await user.delete();
  });
});

describe('SamlProvider and ServerCertificate', () => {
  it('creates a SAML provider, loads, lists, updates and deletes it', async () => {
    const idp = selfSigned({ key: 'rsa', cn: 'idp.example.com' });
    const metadata = (validUntil: string) => `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml" validUntil="${validUntil}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${idp.certificate.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '')}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`.padEnd(1000, ' ');
    const name = uniqueName('idp');
    const provider = await iam.createSamlProvider({ Name: name, SAMLMetadataDocument: metadata('2030-01-01T00:00:00Z'), Tags: [{ Key: 'team', Value: 'sso' }] });
    expect([provider.arn, provider.loaded]).toEqual([`arn:aws:iam::${ACCOUNT_ID}:saml-provider/${name}`, false]);
    await provider.load();
    expect([provider.validUntil, provider.tags, provider.assertionEncryptionMode]).toEqual([new Date('2030-01-01T00:00:00Z'), [{ Key: 'team', Value: 'sso' }], 'Allowed']);
    expect(provider.samlMetadataDocument).toBe(metadata('2030-01-01T00:00:00Z'));
    expect((await iam.samlProviders.all().toArray()).map((p) => p.arn)).toContain(provider.arn);

    await provider.update({ SAMLMetadataDocument: metadata('2031-01-01T00:00:00Z') });
    expect((await provider.reload()).validUntil).toEqual(new Date('2031-01-01T00:00:00Z'));
    await provider.delete();
    const gone = await failure(provider.load());
    expect([gone.code, gone.status, gone.operation]).toEqual(['NoSuchEntity', 404, 'GetSAMLProvider']);
  });

  it('uploads server certificates, pages them by path, renames one and deletes them', async () => {
    const path = `/${uniqueName('edge')}/`;
    const names = ['c1', 'c2', 'c3'].map((n) => uniqueName(n));
    for (const ServerCertificateName of names) {
      const cert = selfSigned();
      const created = await iam.createServerCertificate({ ServerCertificateName, Path: path, CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
      expect([created.name, created.loaded]).toEqual([ServerCertificateName, false]);
    }
    const pages: string[][] = [];
    for await (const page of iam.serverCertificates.filter({ PathPrefix: path }).pageSize(2).pages()) pages.push(page.map((c) => c.name));
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat().sort()).toEqual([...names].sort());

    const first = await iam.ServerCertificate(names[0]!).load();
    expect(first.serverCertificateMetadata).toMatchObject({ ServerCertificateName: names[0], Path: path, Arn: `arn:aws:iam::${ACCOUNT_ID}:server-certificate${path}${names[0]}` });
    expect(first.serverCertificateMetadata.ServerCertificateId).toMatch(/^ASCA/);
    expect(first.certificateBody).toContain('-----BEGIN CERTIFICATE-----');
    expect(JSON.stringify(first.data)).not.toContain('PRIVATE KEY');

    const newName = uniqueName('renamed');
    const renamed = await first.update({ NewServerCertificateName: newName });
    expect([first.name, renamed.name]).toEqual([names[0], newName]);
    expect((await renamed.load()).serverCertificateMetadata.ServerCertificateName).toBe(newName);
    expect(await first.exists()).toBe(false);

    await renamed.delete();
    for (const name of names.slice(1)) await iam.ServerCertificate(name).delete();
    expect(await iam.serverCertificates.filter({ PathPrefix: path }).toArray()).toEqual([]);
  });
});

describe('CurrentUser, AccessKeyPair, SigningCertificate, AccountSummary and the service actions', () => {
  it('a user with its own key pair sees itself, its keys and its signing certificates as CurrentUser', async () => {
    const user = await iam.createUser({ UserName: uniqueName('me') });
    await user.createPolicy({
      PolicyName: 'self',
      PolicyDocument: doc({
        Effect: 'Allow',
        Action: ['iam:GetUser', 'iam:ListAccessKeys', 'iam:ListMFADevices', 'iam:ListSigningCertificates', 'iam:UploadSigningCertificate', 'iam:UpdateSigningCertificate', 'iam:DeleteSigningCertificate'],
        Resource: user.arn,
      }),
    });
    const pair = await user.createAccessKeyPair();
    expect(pair).toBeInstanceOf(client.AccessKeyPair);
    expect(pair).toBeInstanceOf(client.AccessKey);
    expect([pair.userName, pair.secret.length, pair.secretAccessKey === pair.secret, String(pair)]).toEqual([user.name, 40, true, `AccessKeyPair("${user.name}", "${pair.id}")`]);
    await pair.reload();
    expect([pair.status, pair.secret.length]).toEqual(['Active', 40]); // the secret is an identifier: a load keeps it
    expect(inspect(pair, { depth: 5 })).not.toContain(pair.secret); // but console.log does not print it

    const asUser = new IAM({ endpoint: api.url, credentials: { accessKeyId: pair.id, secretAccessKey: pair.secret }, maxAttempts: 1 });
    const me = await asUser.CurrentUser().load();
    expect([me.userName, me.arn, me.user.name, me.user.loaded]).toEqual([user.name, user.arn, user.name, true]);
    expect((await me.accessKeys.all().toArray()).map((k) => [k.userName, k.id])).toEqual([[user.name, pair.id]]);
    expect(await me.mfaDevices.all().toArray()).toEqual([]);

    // A signing certificate uploaded by the user itself (no UserName: the caller's), then seen from both sides.
    const signing = await asUser.createSigningCertificate({ CertificateBody: selfSigned({ key: 'rsa' }).certificate });
    expect([signing.userName, signing.loaded, signing.status]).toEqual([user.name, true, 'Active']);
    expect((await me.signingCertificates.all().toArray()).map((c) => c.id)).toEqual([signing.id]);
    await iam.SigningCertificate(user.name, signing.id).deactivate();
    const listed = await user.signingCertificates.all().toArray();
    expect(listed.map((c) => [c.id, c.status])).toEqual([[signing.id, 'Inactive']]);
    expect((await user.SigningCertificate(signing.id).load()).status).toBe('Inactive');
    await signing.activate();
    expect((await signing.reload()).status).toBe('Active');
    expect(signing.user.name).toBe(user.name);
    await signing.delete();
    const gone = await failure(signing.load());
    expect([gone.code, gone.status, gone.message]).toEqual(['NoSuchEntity', 404, `The Certificate with id ${signing.id} cannot be found.`]);

    // What the user may not do, it may not do through this layer either.
    const denied = await failure(asUser.AccountSummary().load());
    expect([denied.code, denied.status]).toEqual(['AccessDenied', 403]);

    await pair.deactivate();
    await pair.delete();
    await user.Policy('self').delete();
    await user.delete();
  });

  it('the root caller as CurrentUser, the account summary, an account alias and the password policy', async () => {
    const root = await iam.CurrentUser().load();
    expect([root.userName, root.arn]).toEqual(['<root_account>', `arn:aws:iam::${ACCOUNT_ID}:root`]);

    const before = await iam.AccountSummary().load();
    await iam.createUser({ UserName: uniqueName('counted') });
    const after = await iam.AccountSummary().load();
    expect(after.summaryMap.Users).toBe(before.summaryMap.Users! + 1);
    expect(after.summaryMap.UsersQuota).toBeGreaterThan(0);

    const alias = uniqueName('alias').toLowerCase();
    await iam.createAccountAlias({ AccountAlias: alias });
    const aliases = await iam.call('ListAccountAliases', (c) => c.send(new ListAccountAliasesCommand({})));
    expect(aliases.AccountAliases).toEqual([alias]);

    const policy = await iam.createAccountPasswordPolicy({ MinimumPasswordLength: 14 });
    expect(policy).toBeInstanceOf(client.AccountPasswordPolicy);
    expect((await policy.load()).minimumPasswordLength).toBe(14);
    await policy.delete();
  });
});
