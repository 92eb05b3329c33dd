/**
 * One conformance suite for every Store adapter: the same calls and the same answers, edge results
 * included, on SQLite in a file, SQLite in memory and PostgreSQL. The SQLite adapter is the
 * reference; an adapter that differs from it anywhere fails here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  AccessKey,
  Group,
  InstanceProfile,
  LoginProfile,
  ManagedPolicy,
  MfaDevice,
  Role,
  ServiceSpecificCredential,
  ServerCertificate,
  SigningCertificate,
  SshPublicKey,
  User,
} from '../src/domain/entities.js';
import type { PasswordPolicy } from '../src/domain/password-policy.js';
import type { Store } from '../src/ports/store.js';
import { openPostgresStore } from '../src/storage/postgres/postgres-store.js';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { newTestDatabase } from './support/postgres-tests.js';

const T0 = Date.UTC(2026, 0, 1);
const at = (offsetMs = 0) => new Date(T0 + offsetMs);

let seq = 0;
const id = (prefix: string) => `${prefix}${String(++seq).padStart(17, '0')}`;

function user(name: string, extra: Partial<User> = {}): User {
  return { id: id('AIDA'), name, path: '/', createdAt: at(), passwordLastUsed: null, tags: [], permissionsBoundary: null, ...extra };
}
function key(userId: string | null, extra: Partial<AccessKey> = {}): AccessKey {
  return { id: id('AKIA'), userId, secret: `secret-${seq}`, status: 'Active', createdAt: at(), lastUsed: null, ...extra };
}
function profile(userId: string, hash = 'hash-0', extra: Partial<LoginProfile> = {}): LoginProfile {
  return { userId, passwordHash: hash, createdAt: at(), passwordChangedAt: at(), passwordResetRequired: false, ...extra };
}
const pw = (hash: string, historyLimit = 24, offsetMs = 1000) => ({ passwordHash: hash, passwordChangedAt: at(offsetMs), historyLimit });
function group(name: string, extra: Partial<Group> = {}): Group {
  return { id: id('AGPA'), name, path: '/', createdAt: at(), ...extra };
}
function policy(name: string, extra: Partial<ManagedPolicy> = {}): ManagedPolicy {
  const p = extra.path ?? '/';
  return {
    arn: `arn:aws:iam::123456789012:policy${p}${name}`,
    id: id('ANPA'),
    name,
    path: p,
    description: null,
    defaultVersion: 1,
    createdAt: at(),
    updatedAt: at(),
    attachmentCount: 0,
    permissionsBoundaryUsageCount: 0,
    tags: [],
    ...extra,
  };
}
function role(name: string, extra: Partial<Role> = {}): Role {
  return {
    id: id('AROA'),
    name,
    path: '/',
    createdAt: at(),
    description: null,
    maxSessionDuration: 3600,
    trustPolicy: '{"Version":"2012-10-17","Statement":[]}',
    trustPrincipalIds: {},
    permissionsBoundary: null,
    tags: [],
    lastUsed: null,
    linkedService: null,
    ...extra,
  };
}
function mfaDevice(name: string, extra: Partial<MfaDevice> = {}): MfaDevice {
  const p = extra.path ?? '/';
  return {
    id: id('MFA'),
    serialNumber: `arn:aws:iam::123456789012:mfa${p}${name}`,
    name,
    path: p,
    createdAt: at(),
    sealedSeed: `v1:test:seed-${seq}`,
    userId: null,
    enabledAt: null,
    lastStep: null,
    drift: 0,
    tags: [],
    ...extra,
  };
}
/** Codes found at steps `first`..`last` (a device's clock `drift` steps off). */
const steps = (first: number, last = first + 1, drift = 0) => ({ firstStep: first, lastStep: last, drift });
function instanceProfile(name: string, extra: Partial<InstanceProfile> = {}): InstanceProfile {
  return { id: id('AIPA'), name, path: '/', createdAt: at(), tags: [], roles: [], ...extra };
}
function sshKey(userId: string, extra: Partial<SshPublicKey> = {}): SshPublicKey {
  const n = ++seq;
  return { id: id('APKA'), userId, body: `ssh-rsa body-${n}`, blob: `blob-${n}`, fingerprint: `fp-${n}`, status: 'Active', uploadedAt: at(), ...extra };
}
function cert(userId: string | null, extra: Partial<SigningCertificate> = {}): SigningCertificate {
  const n = ++seq;
  return { id: id('CERT'), userId, body: `cert-${n}`, thumbprint: `thumb-${n}`, status: 'Active', uploadedAt: at(), ...extra };
}
function serviceCredential(userId: string, serviceName = 'codecommit.amazonaws.com', extra: Partial<ServiceSpecificCredential> = {}) {
  return { id: id('ACCA'), userId, serviceName, status: 'Active' as const, createdAt: at(), expiresAt: null, ...extra };
}
/** Service user names `<base>-at-1`, `<base>+1-at-1`, ..., each credential's hash naming it. */
const naming = (base: string) => (slot: number) => {
  const serviceUserName = `${base}${slot === 0 ? '' : `+${slot}`}-at-1`;
  return { serviceUserName, secretHash: `hash-of-${serviceUserName}` };
};
const DOC = (n: number) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `iam:Get${n}`, Resource: '*' }] });
const names = (users: { name: string }[]) => users.map((u) => u.name);

/** The suite itself, for any store. `open` gives a store; the suite clears it before each test. */
function storeConformance(
  label: string,
  open: () => Promise<Store>,
  dispose: () => Promise<void> = async () => {},
  /** A second store on the same database (another process, in effect), where there can be one. */
  openAgain?: () => Promise<Store>,
) {
  describe(`Store conformance: ${label}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
      await dispose();
    });
    beforeEach(async () => {
      await store.clear();
    });

    describe('users', () => {
      it('creates, finds by name in any case and by id, and refuses a name taken in any case', async () => {
        const alice = user('Alice', { path: '/eng/', tags: [{ Key: 'team', Value: 'a' }, { Key: 'Cost', Value: '1' }] });
        expect(await store.users.create(alice)).toBe('ok');
        expect(await store.users.create(user('alice'))).toBe('exists');
        expect(await store.users.create(user('ALICE'))).toBe('exists');
        expect(await store.users.getByName('aLiCe')).toEqual(alice);
        expect(await store.users.getById(alice.id)).toEqual(alice);
        expect(await store.users.getByName('bob')).toBeUndefined();
        expect(await store.users.getById('AIDANOSUCHUSER')).toBeUndefined();
        expect(await store.users.getByName('Ali\u0000ce')).toBeUndefined();
        expect(await store.users.count()).toBe(1);
      });

      it('concurrent creates of one name in different cases: exactly one wins', async () => {
        const results = await Promise.all(['race', 'RACE', 'Race', 'rAce', 'raCE', 'racE'].map((n) => store.users.create(user(n))));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r === 'exists')).toHaveLength(5);
        expect(await store.users.count()).toBe(1);
      });

      it('lists case-insensitively by name, pages with markers, filters by a plain path prefix', async () => {
        for (const [n, p] of [
          ['b', '/'],
          ['A', '/test-lifecycle-path/'],
          ['c', '/test-life/'],
          ['Z', '/other/'],
          ['_x', '/'],
          ['a1', '/test-lifecycle-path/deep/'],
        ] as const) {
          expect(await store.users.create(user(n, { path: p }))).toBe('ok');
        }
        const all = await store.users.list({ pathPrefix: '/', maxItems: 100 });
        expect(names(all.items)).toEqual(['_x', 'A', 'a1', 'b', 'c', 'Z']);
        expect(all.nextMarker).toBeUndefined();

        const seen: string[] = [];
        let marker: string | undefined;
        let pages = 0;
        do {
          const page = await store.users.list({ pathPrefix: '/', marker, maxItems: 2 });
          seen.push(...names(page.items));
          marker = page.nextMarker;
          pages++;
        } while (marker !== undefined);
        expect(seen).toEqual(['_x', 'A', 'a1', 'b', 'c', 'Z']);
        expect(pages).toBe(3);

        const first = await store.users.list({ pathPrefix: '/', maxItems: 2 });
        expect(first.nextMarker).toBe('A');
        // The marker compares case-insensitively, and need not be an existing name.
        expect(names((await store.users.list({ pathPrefix: '/', marker: 'a', maxItems: 100 })).items)).toEqual(['a1', 'b', 'c', 'Z']);
        expect(names((await store.users.list({ pathPrefix: '/', marker: 'B', maxItems: 100 })).items)).toEqual(['c', 'Z']);
        expect(names((await store.users.list({ pathPrefix: '/', marker: 'bb', maxItems: 100 })).items)).toEqual(['c', 'Z']);
        expect(names((await store.users.list({ pathPrefix: '/', marker: 'zz', maxItems: 100 })).items)).toEqual([]);
        expect(names((await store.users.list({ pathPrefix: '/', marker: 'b\u0000x', maxItems: 100 })).items)).toEqual(['c', 'Z']);

        // A plain string prefix: '/test-life' matches '/test-lifecycle-path/' too.
        expect(names((await store.users.list({ pathPrefix: '/test-life', maxItems: 100 })).items)).toEqual(['A', 'a1', 'c']);
        expect(names((await store.users.list({ pathPrefix: '/test-lifecycle-path/', maxItems: 100 })).items)).toEqual(['A', 'a1']);
        expect(names((await store.users.list({ pathPrefix: '/TEST-life', maxItems: 100 })).items)).toEqual([]);
        expect(names((await store.users.list({ pathPrefix: '/test-life', marker: 'A', maxItems: 1 })).items)).toEqual(['a1']);
        expect((await store.users.list({ pathPrefix: '/nothing/', maxItems: 10 })).items).toEqual([]);
      });

      it('renames and moves; refuses a name taken in any case; a case change of its own name is fine', async () => {
        const alice = user('alice');
        await store.users.create(alice);
        await store.users.create(user('bob'));
        expect(await store.users.update('ALICE', { newName: 'Bob' })).toBe('name-taken');
        expect(await store.users.update('alice', { newName: 'Alice' })).toBe('ok');
        expect((await store.users.getById(alice.id))!.name).toBe('Alice');
        expect(await store.users.update('alice', { newName: 'carol', newPath: '/moved/' })).toBe('ok');
        expect(await store.users.getByName('alice')).toBeUndefined();
        expect(await store.users.getByName('CAROL')).toMatchObject({ id: alice.id, name: 'carol', path: '/moved/' });
        expect(await store.users.update('carol', { newPath: '/again/' })).toBe('ok');
        expect(await store.users.getByName('carol')).toMatchObject({ name: 'carol', path: '/again/' });
        expect(await store.users.update('nobody', { newName: 'x' })).toBe('missing');
      });

      it('concurrent renames to one free name: exactly one wins, the others see it taken', async () => {
        for (const n of ['r1', 'r2', 'r3', 'r4']) await store.users.create(user(n));
        const results = await Promise.all(['r1', 'r2', 'r3', 'r4'].map((n, i) => store.users.update(n, { newName: i % 2 ? 'TARGET' : 'target' })));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r === 'name-taken')).toHaveLength(3);
      });

      it('deletes only a user nothing hangs off, naming the first dependant in AWS order', async () => {
        const u = user('dep');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id), 24);
        const k = key(u.id);
        await store.accessKeys.create(k, 2);
        const c = cert(u.id);
        await store.signingCertificates.create(c, 2);
        const ssh = sshKey(u.id);
        await store.sshPublicKeys.create(ssh, 5);
        const ssc = await store.serviceCredentials.create(serviceCredential(u.id), naming('dep'), 2);
        await store.inlinePolicies.put({ kind: 'user', id: u.id, name: 'owner' }, 'inline', DOC(1));
        await store.attachments.attach({ kind: 'user', id: u.id, name: 'owner' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 10);
        const g = group('g');
        await store.groups.create(g);
        await store.groups.addMember(g.id, u.id);

        expect(await store.users.delete('nobody')).toBe('missing');
        expect(await store.users.delete('DEP')).toBe('has-login-profile');
        await store.loginProfiles.delete(u.id);
        expect(await store.users.delete('dep')).toBe('has-access-keys');
        await store.accessKeys.delete(k.id, u.id);
        expect(await store.users.delete('dep')).toBe('has-signing-certificates');
        await store.signingCertificates.delete(u.id, c.id);
        expect(await store.users.delete('dep')).toBe('has-ssh-public-keys');
        await store.sshPublicKeys.delete(u.id, ssh.id);
        expect(await store.users.delete('dep')).toBe('has-service-specific-credentials');
        await store.serviceCredentials.delete(u.id, (ssc as ServiceSpecificCredential).id);
        const device = mfaDevice('dep-device');
        await store.mfaDevices.create(device);
        expect(await store.mfaDevices.enable(device.serialNumber, u.id, steps(100), at(), 8)).toBe('ok');
        expect(await store.users.delete('dep')).toBe('has-mfa-devices');
        await store.mfaDevices.deactivate(device.serialNumber, u.id);
        expect(await store.users.delete('dep')).toBe('has-inline-policies');
        await store.inlinePolicies.delete({ kind: 'user', id: u.id, name: 'owner' }, 'inline');
        expect(await store.users.delete('dep')).toBe('has-attached-policies');
        await store.attachments.detach({ kind: 'user', id: u.id, name: 'owner' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
        expect(await store.users.delete('dep')).toBe('in-groups');
        await store.groups.removeMember(g.id, u.id);
        expect(await store.users.delete('dep')).toBe('ok');
        expect(await store.users.getById(u.id)).toBeUndefined();
        expect(await store.users.delete('dep')).toBe('missing');
        // Tags and the password history go with the user.
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual([]);
        expect(await store.users.create(user('DEP'))).toBe('ok');
      });

      it('tags: upsert with case-insensitive keys (the new spelling wins), a quota that changes nothing when exceeded', async () => {
        const u = user('tagged', { tags: [{ Key: 'Team', Value: 'a' }] });
        await store.users.create(u);
        expect(await store.users.tag('TAGGED', [{ Key: 'cost', Value: '1' }, { Key: 'TEAM', Value: 'b' }], 3)).toBe('ok');
        expect((await store.users.getByName('tagged'))!.tags).toEqual([
          { Key: 'TEAM', Value: 'b' },
          { Key: 'cost', Value: '1' },
        ]);
        // Unicode letters are not folded (ASCII case only, as SQLite's NOCASE).
        expect(await store.users.tag('tagged', [{ Key: 'É', Value: 'upper' }], 3)).toBe('ok');
        expect(await store.users.tag('tagged', [{ Key: 'é', Value: 'lower' }, { Key: 'more', Value: 'x' }], 3)).toBe('too-many');
        expect((await store.users.getByName('tagged'))!.tags).toEqual([
          { Key: 'TEAM', Value: 'b' },
          { Key: 'cost', Value: '1' },
          { Key: 'É', Value: 'upper' },
        ]);
        expect(await store.users.tag('tagged', [{ Key: 'COST', Value: '2' }], 3)).toBe('ok'); // an update stays within the quota
        expect(await store.users.tag('nobody', [{ Key: 'a', Value: 'b' }], 3)).toBe('missing');

        expect(await store.users.untag('tagged', ['team', 'NOT-THERE', 'é'])).toBe('ok');
        expect((await store.users.getByName('tagged'))!.tags).toEqual([
          { Key: 'COST', Value: '2' },
          { Key: 'É', Value: 'upper' },
        ]);
        expect(await store.users.untag('nobody', ['a'])).toBe('missing');
      });

      it('records password use, sets and removes a permissions boundary', async () => {
        const u = user('used');
        await store.users.create(u);
        await store.users.recordPasswordUse(u.id, at(5000));
        expect((await store.users.getById(u.id))!.passwordLastUsed).toEqual(at(5000));
        const arn = 'arn:aws:iam::aws:policy/PowerUserAccess';
        expect(await store.users.setPermissionsBoundary('USED', arn)).toBe('ok');
        expect((await store.users.getByName('used'))!.permissionsBoundary).toBe(arn);
        expect(await store.users.setPermissionsBoundary('used', null)).toBe('ok');
        expect((await store.users.getByName('used'))!.permissionsBoundary).toBeNull();
        expect(await store.users.setPermissionsBoundary('nobody', arn)).toBe('missing');
        const bounded = user('bounded', { permissionsBoundary: arn });
        await store.users.create(bounded);
        expect((await store.users.getById(bounded.id))!.permissionsBoundary).toBe(arn);
      });
    });

    describe('access keys', () => {
      it('creates up to the quota per owner (root counted apart), lists by creation, gets one', async () => {
        const u = user('keys');
        await store.users.create(u);
        const k1 = key(u.id, { createdAt: at(2000) });
        const k2 = key(u.id, { createdAt: at(1000), status: 'Inactive' });
        expect(await store.accessKeys.create(k1, 2)).toBe('ok');
        expect(await store.accessKeys.create(k2, 2)).toBe('ok');
        expect(await store.accessKeys.create(key(u.id), 2)).toBe('quota');
        expect(await store.accessKeys.create(key(null), 1)).toBe('ok');
        expect(await store.accessKeys.create(key(null), 1)).toBe('quota');
        expect(await store.accessKeys.listForOwner(u.id)).toEqual([k2, k1]);
        expect(await store.accessKeys.listForOwner(null)).toHaveLength(1);
        expect(await store.accessKeys.get(k1.id)).toEqual(k1);
        expect(await store.accessKeys.get('AKIANOSUCHKEY')).toBeUndefined();
        expect(await store.accessKeys.get('AKIA\u0000')).toBeUndefined();
      });

      it('same creation time: ordered by id', async () => {
        const u = user('same-time');
        await store.users.create(u);
        const a = key(u.id, { id: 'AKIAB000000000000002' });
        const b = key(u.id, { id: 'AKIAB000000000000001' });
        await store.accessKeys.create(a, 2);
        await store.accessKeys.create(b, 2);
        expect((await store.accessKeys.listForOwner(u.id)).map((k) => k.id)).toEqual([b.id, a.id]);
      });

      it('concurrent creates never exceed the quota', async () => {
        const u = user('quota-race');
        await store.users.create(u);
        const results = await Promise.all(Array.from({ length: 8 }, () => store.accessKeys.create(key(u.id), 2)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(2);
        expect(await store.accessKeys.listForOwner(u.id)).toHaveLength(2);
      });

      it('changes status and deletes only for the right owner; records use', async () => {
        const u = user('owner');
        const other = user('other');
        await store.users.create(u);
        await store.users.create(other);
        const k = key(u.id);
        await store.accessKeys.create(k, 2);
        expect(await store.accessKeys.setStatus(k.id, other.id, 'Inactive')).toBe(false);
        expect(await store.accessKeys.setStatus(k.id, null, 'Inactive')).toBe(false);
        expect(await store.accessKeys.setStatus(k.id, u.id, 'Inactive')).toBe(true);
        expect((await store.accessKeys.get(k.id))!.status).toBe('Inactive');
        expect(await store.accessKeys.setStatus('AKIANOSUCHKEY', u.id, 'Active')).toBe(false);

        await store.accessKeys.recordUse(k.id, at(9000), 'eu-west-1', 'iam');
        expect((await store.accessKeys.get(k.id))!.lastUsed).toEqual({ at: at(9000), region: 'eu-west-1', service: 'iam' });

        expect(await store.accessKeys.delete(k.id, other.id)).toBe(false);
        expect(await store.accessKeys.delete(k.id, null)).toBe(false);
        expect(await store.accessKeys.delete(k.id, u.id)).toBe(true);
        expect(await store.accessKeys.delete(k.id, u.id)).toBe(false);
        expect(await store.accessKeys.get(k.id)).toBeUndefined();
      });

      it('root keys: upsert inserts, then updates the secret and reactivates; never touches a user key of that id', async () => {
        await store.accessKeys.upsertRootKey('AKIAROOT000000000001', 'first-secret', at());
        expect(await store.accessKeys.get('AKIAROOT000000000001')).toMatchObject({ userId: null, secret: 'first-secret', status: 'Active' });
        expect(await store.accessKeys.setStatus('AKIAROOT000000000001', null, 'Inactive')).toBe(true);
        await store.accessKeys.upsertRootKey('AKIAROOT000000000001', 'second-secret', at(1000));
        expect(await store.accessKeys.get('AKIAROOT000000000001')).toMatchObject({ secret: 'second-secret', status: 'Active', createdAt: at() });

        const u = user('has-key');
        await store.users.create(u);
        const k = key(u.id, { status: 'Inactive' });
        await store.accessKeys.create(k, 2);
        await store.accessKeys.upsertRootKey(k.id, 'hijack', at());
        expect(await store.accessKeys.get(k.id)).toEqual(k);
      });
    });

    describe('SSH public keys', () => {
      it('creates up to the quota per user, refuses a key the user has (by fingerprint) and a gone user', async () => {
        const u = user('ssh');
        const other = user('ssh-other');
        await store.users.create(u);
        await store.users.create(other);
        const first = sshKey(u.id, { id: 'APKAB000000000000002', uploadedAt: at(1000) });
        expect(await store.sshPublicKeys.create(first, 2)).toBe('ok');
        expect(await store.sshPublicKeys.create(sshKey(u.id, { fingerprint: first.fingerprint }), 2)).toBe('duplicate');
        // Another user may have the same key.
        expect(await store.sshPublicKeys.create(sshKey(other.id, { fingerprint: first.fingerprint }), 2)).toBe('ok');
        const second = sshKey(u.id, { id: 'APKAB000000000000001', status: 'Inactive', uploadedAt: at(2000) });
        expect(await store.sshPublicKeys.create(second, 2)).toBe('ok');
        expect(await store.sshPublicKeys.create(sshKey(u.id), 2)).toBe('quota');
        // A duplicate is a duplicate even at the quota.
        expect(await store.sshPublicKeys.create(sshKey(u.id, { fingerprint: second.fingerprint }), 2)).toBe('duplicate');
        expect(await store.sshPublicKeys.create(sshKey('AIDANOSUCHUSER'), 2)).toBe('no-owner');

        // Listed by id, whatever the upload order.
        expect(await store.sshPublicKeys.listForUser(u.id)).toEqual([second, first]);
        expect(await store.sshPublicKeys.get(u.id, first.id)).toEqual(first);
        expect(await store.sshPublicKeys.get(other.id, first.id)).toBeUndefined();
        expect(await store.sshPublicKeys.get(u.id, 'APKA\u0000')).toBeUndefined();
      });

      it('changes status and deletes only the owner’s key', async () => {
        const u = user('ssh-owner');
        const other = user('ssh-not-owner');
        await store.users.create(u);
        await store.users.create(other);
        const k = sshKey(u.id);
        await store.sshPublicKeys.create(k, 5);
        expect(await store.sshPublicKeys.setStatus(other.id, k.id, 'Inactive')).toBe(false);
        expect(await store.sshPublicKeys.setStatus(u.id, k.id, 'Inactive')).toBe(true);
        expect((await store.sshPublicKeys.get(u.id, k.id))!.status).toBe('Inactive');
        expect(await store.sshPublicKeys.setStatus(u.id, 'APKA\u0000', 'Active')).toBe(false);
        expect(await store.sshPublicKeys.delete(other.id, k.id)).toBe(false);
        expect(await store.sshPublicKeys.delete(u.id, 'APKA\u0000')).toBe(false);
        expect(await store.sshPublicKeys.delete(u.id, k.id)).toBe(true);
        expect(await store.sshPublicKeys.delete(u.id, k.id)).toBe(false);
        expect(await store.sshPublicKeys.listForUser(u.id)).toEqual([]);
      });

      it('concurrent uploads never exceed the quota, nor hold one key twice', async () => {
        const u = user('ssh-race');
        await store.users.create(u);
        const results = await Promise.all(Array.from({ length: 8 }, () => store.sshPublicKeys.create(sshKey(u.id), 5)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(5);
        const v = user('ssh-dup-race');
        await store.users.create(v);
        const same = await Promise.all(Array.from({ length: 4 }, () => store.sshPublicKeys.create(sshKey(v.id, { fingerprint: 'same' }), 5)));
        expect(same.filter((r) => r === 'ok')).toHaveLength(1);
        expect(same.filter((r) => r === 'duplicate')).toHaveLength(3);
      });
    });

    describe('signing certificates', () => {
      it('creates up to the quota per owner (root apart), once per account, lists by upload time', async () => {
        const u = user('certs');
        const other = user('certs-other');
        await store.users.create(u);
        await store.users.create(other);
        const late = cert(u.id, { id: 'CERTA', uploadedAt: at(2000) });
        const early = cert(u.id, { id: 'CERTB', uploadedAt: at(1000), status: 'Inactive' });
        expect(await store.signingCertificates.create(late, 2)).toBe('ok');
        expect(await store.signingCertificates.create(early, 2)).toBe('ok');
        expect(await store.signingCertificates.create(cert(u.id), 2)).toBe('quota');
        // The same certificate is refused for anyone, root included, even below their quota.
        expect(await store.signingCertificates.create(cert(other.id, { thumbprint: late.thumbprint }), 2)).toBe('duplicate');
        expect(await store.signingCertificates.create(cert(null, { thumbprint: late.thumbprint }), 2)).toBe('duplicate');
        const rootCert = cert(null);
        expect(await store.signingCertificates.create(rootCert, 1)).toBe('ok');
        expect(await store.signingCertificates.create(cert(null), 1)).toBe('quota');
        expect(await store.signingCertificates.create(cert('AIDANOSUCHUSER'), 2)).toBe('no-owner');

        expect(await store.signingCertificates.listForOwner(u.id)).toEqual([early, late]);
        expect(await store.signingCertificates.listForOwner(null)).toEqual([rootCert]);
        expect(await store.signingCertificates.listForOwner(other.id)).toEqual([]);
      });

      it('same upload time: ordered by id', async () => {
        const u = user('certs-same-time');
        await store.users.create(u);
        const b = cert(u.id, { id: 'CERTZ' });
        const a = cert(u.id, { id: 'CERTY' });
        await store.signingCertificates.create(b, 2);
        await store.signingCertificates.create(a, 2);
        expect((await store.signingCertificates.listForOwner(u.id)).map((c) => c.id)).toEqual(['CERTY', 'CERTZ']);
      });

      it('changes status and deletes only for the right owner (a user’s is not root’s)', async () => {
        const u = user('cert-owner');
        await store.users.create(u);
        const c = cert(u.id);
        const r = cert(null);
        await store.signingCertificates.create(c, 2);
        await store.signingCertificates.create(r, 2);
        expect(await store.signingCertificates.setStatus(null, c.id, 'Inactive')).toBe(false);
        expect(await store.signingCertificates.setStatus(u.id, r.id, 'Inactive')).toBe(false);
        expect(await store.signingCertificates.setStatus(u.id, c.id, 'Inactive')).toBe(true);
        expect(await store.signingCertificates.setStatus(null, r.id, 'Inactive')).toBe(true);
        expect((await store.signingCertificates.listForOwner(u.id))[0]!.status).toBe('Inactive');
        expect((await store.signingCertificates.listForOwner(null))[0]!.status).toBe('Inactive');
        expect(await store.signingCertificates.setStatus(u.id, 'CERT\u0000', 'Active')).toBe(false);
        expect(await store.signingCertificates.delete(null, c.id)).toBe(false);
        expect(await store.signingCertificates.delete(u.id, r.id)).toBe(false);
        expect(await store.signingCertificates.delete(u.id, 'CERT\u0000')).toBe(false);
        expect(await store.signingCertificates.delete(u.id, c.id)).toBe(true);
        expect(await store.signingCertificates.delete(null, r.id)).toBe(true);
        expect(await store.signingCertificates.delete(null, r.id)).toBe(false);
        // Deleted, the certificate may be uploaded again.
        expect(await store.signingCertificates.create(cert(u.id, { thumbprint: c.thumbprint }), 2)).toBe('ok');
      });

      it('concurrent uploads: never over the quota; one certificate for several owners lands once', async () => {
        const u = user('cert-race');
        await store.users.create(u);
        const results = await Promise.all(Array.from({ length: 6 }, () => store.signingCertificates.create(cert(u.id), 2)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(2);
        const owners = [user('cert-race-a'), user('cert-race-b'), user('cert-race-c')];
        for (const o of owners) await store.users.create(o);
        const same = await Promise.all([...owners.map((o) => o.id), null].map((owner) => store.signingCertificates.create(cert(owner, { thumbprint: 'shared' }), 2)));
        expect(same.filter((r) => r === 'ok')).toHaveLength(1);
        expect(same.filter((r) => r === 'duplicate')).toHaveLength(3);
      });
    });

    describe('server certificates', () => {
      const serverCert = (name: string, extra: Partial<ServerCertificate> = {}): ServerCertificate => ({
        id: id('ASCA'),
        name,
        path: '/',
        uploadedAt: at(),
        expiration: at(86_400_000),
        body: `body-${name}`,
        chain: null,
        sealedPrivateKey: `v1:key:${name}`,
        tags: [],
        ...extra,
      });

      it('creates once per name in any case, within the account quota; reads back every field; re-seals by compare-and-set', async () => {
        const a = serverCert('Web', { path: '/edge/', chain: 'chain-pem', tags: [{ Key: 'env', Value: 'prod' }] });
        expect(await store.serverCertificates.create(a, 2)).toBe('ok');
        expect(await store.serverCertificates.create(serverCert('WEB'), 2)).toBe('exists');
        expect(await store.serverCertificates.create(serverCert('api'), 2)).toBe('ok');
        expect(await store.serverCertificates.create(serverCert('third'), 2)).toBe('quota');
        expect(await store.serverCertificates.getByName('web')).toEqual(a);
        expect(await store.serverCertificates.count()).toBe(2);

        const keys = await store.serverCertificates.listAllPrivateKeys();
        expect(keys.find((k) => k.id === a.id)).toEqual({ id: a.id, privateKey: a.sealedPrivateKey });
        expect(await store.serverCertificates.replacePrivateKey(a.id, 'stale', 'v1:new')).toBe(false);
        expect(await store.serverCertificates.replacePrivateKey(a.id, a.sealedPrivateKey, 'v1:new')).toBe(true);
        expect((await store.serverCertificates.getById(a.id))!.sealedPrivateKey).toBe('v1:new');

        expect(await store.serverCertificates.delete('WEB')).toBe('ok');
        expect(await store.serverCertificates.getByName('Web')).toBeUndefined();
        expect(await store.serverCertificates.create(serverCert('third'), 2)).toBe('ok');
      });

      it('concurrent uploads never exceed the account quota', async () => {
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.serverCertificates.create(serverCert(`race-${i}`), 3)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(3);
        expect(await store.serverCertificates.count()).toBe(3);
      });
    });

    describe('service-specific credentials', () => {
      it('creates up to the quota per user and service, naming each with the first free name of the service', async () => {
        const u = user('ssc');
        await store.users.create(u);
        const a = await store.serviceCredentials.create(serviceCredential(u.id, 'codecommit.amazonaws.com', { id: 'ACCAB' }), naming('ssc'), 2);
        expect(a).toEqual({ ...serviceCredential(u.id, 'codecommit.amazonaws.com', { id: 'ACCAB' }), serviceUserName: 'ssc-at-1', secretHash: 'hash-of-ssc-at-1' });
        const b = (await store.serviceCredentials.create(serviceCredential(u.id, 'codecommit.amazonaws.com', { id: 'ACCAA' }), naming('ssc'), 2)) as ServiceSpecificCredential;
        expect([b.serviceUserName, b.secretHash]).toEqual(['ssc+1-at-1', 'hash-of-ssc+1-at-1']);
        expect(await store.serviceCredentials.create(serviceCredential(u.id), naming('ssc'), 2)).toBe('quota');
        // Another service counts and names apart.
        const k = (await store.serviceCredentials.create(serviceCredential(u.id, 'cassandra.amazonaws.com', { expiresAt: at(5000) }), naming('ssc'), 2)) as ServiceSpecificCredential;
        expect(k.serviceUserName).toBe('ssc-at-1');
        expect(k.expiresAt).toEqual(at(5000));
        expect(await store.serviceCredentials.create(serviceCredential('AIDANOSUCHUSER'), naming('x'), 2)).toBe('no-owner');

        // A name another user holds (a user renamed away from it) is skipped; a freed one is given again.
        const v = user('ssc-other');
        await store.users.create(v);
        expect(((await store.serviceCredentials.create(serviceCredential(v.id), naming('ssc'), 2)) as ServiceSpecificCredential).serviceUserName).toBe('ssc+2-at-1');
        await store.serviceCredentials.delete(u.id, (a as ServiceSpecificCredential).id);
        expect(((await store.serviceCredentials.create(serviceCredential(v.id), naming('ssc'), 2)) as ServiceSpecificCredential).serviceUserName).toBe('ssc-at-1');
      });

      it('gets and lists by owner and service, ordered by id; changes only the owner’s', async () => {
        const u = user('ssc-list');
        const other = user('ssc-list-other');
        await store.users.create(u);
        await store.users.create(other);
        const c2 = (await store.serviceCredentials.create(serviceCredential(u.id, 'codecommit.amazonaws.com', { id: 'ACCA2' }), naming('l'), 2)) as ServiceSpecificCredential;
        const c1 = (await store.serviceCredentials.create(serviceCredential(u.id, 'cassandra.amazonaws.com', { id: 'ACCA1' }), naming('l'), 2)) as ServiceSpecificCredential;
        const c3 = (await store.serviceCredentials.create(serviceCredential(other.id, 'codecommit.amazonaws.com', { id: 'ACCA3' }), naming('o'), 2)) as ServiceSpecificCredential;
        expect(await store.serviceCredentials.list({ userId: u.id })).toEqual([c1, c2]);
        expect(await store.serviceCredentials.list({ userId: u.id, serviceName: 'codecommit.amazonaws.com' })).toEqual([c2]);
        expect(await store.serviceCredentials.list({ serviceName: 'codecommit.amazonaws.com' })).toEqual([c2, c3]);
        expect(await store.serviceCredentials.list({})).toEqual([c1, c2, c3]);
        expect(await store.serviceCredentials.list({ serviceName: 'x\u0000' })).toEqual([]);
        expect(await store.serviceCredentials.get(u.id, c1.id)).toEqual(c1);
        expect(await store.serviceCredentials.get(other.id, c1.id)).toBeUndefined();
        expect(await store.serviceCredentials.get(u.id, 'ACCA\u0000')).toBeUndefined();

        expect(await store.serviceCredentials.setStatus(other.id, c1.id, 'Inactive')).toBe(false);
        expect(await store.serviceCredentials.setStatus(u.id, c1.id, 'Inactive')).toBe(true);
        expect(await store.serviceCredentials.resetSecret(other.id, c1.id, 'new')).toBeUndefined();
        expect(await store.serviceCredentials.resetSecret(u.id, c1.id, 'new')).toEqual({ ...c1, status: 'Inactive', secretHash: 'new' });
        expect(await store.serviceCredentials.get(u.id, c1.id)).toEqual({ ...c1, status: 'Inactive', secretHash: 'new' });
        expect(await store.serviceCredentials.resetSecret(u.id, 'ACCA\u0000', 'x')).toBeUndefined();
        expect(await store.serviceCredentials.delete(other.id, c1.id)).toBe(false);
        expect(await store.serviceCredentials.delete(u.id, c1.id)).toBe(true);
        expect(await store.serviceCredentials.delete(u.id, c1.id)).toBe(false);
        expect(await store.serviceCredentials.resetSecret(u.id, c1.id, 'x')).toBeUndefined();
        expect(await store.serviceCredentials.setStatus(u.id, c1.id, 'Active')).toBe(false);
      });

      it('concurrent creates: never over the quota, never one name twice', async () => {
        const u = user('ssc-race');
        await store.users.create(u);
        const results = await Promise.all(Array.from({ length: 6 }, () => store.serviceCredentials.create(serviceCredential(u.id), naming('race'), 2)));
        const created = results.filter((r): r is ServiceSpecificCredential => typeof r === 'object');
        expect(created).toHaveLength(2);
        expect(new Set(created.map((c) => c.serviceUserName))).toEqual(new Set(['race-at-1', 'race+1-at-1']));
        expect(results.filter((r) => r === 'quota')).toHaveLength(4);
      });
    });

    describe('login profiles', () => {
      it('creates once per existing user, recording the password in the history', async () => {
        const u = user('lp');
        await store.users.create(u);
        const p = profile(u.id, 'h0', { passwordResetRequired: true });
        expect(await store.loginProfiles.create(p, 24)).toBe(true);
        expect(await store.loginProfiles.create(profile(u.id, 'other'), 24)).toBe(false);
        expect(await store.loginProfiles.create(profile('AIDANOSUCHUSER'), 24)).toBe(false);
        expect(await store.loginProfiles.get(u.id)).toEqual(p);
        expect(await store.loginProfiles.get('AIDANOSUCHUSER')).toBeUndefined();
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h0']);
      });

      it('updates only the given members; a flag alone writes no history', async () => {
        const u = user('lp-update');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id, 'h0'), 24);
        expect(await store.loginProfiles.update(u.id, { passwordResetRequired: true })).toBe('ok');
        expect(await store.loginProfiles.get(u.id)).toMatchObject({ passwordHash: 'h0', passwordResetRequired: true, passwordChangedAt: at() });
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h0']);
        expect(await store.loginProfiles.update(u.id, { password: pw('h1', 24, 7000) })).toBe('ok');
        expect(await store.loginProfiles.get(u.id)).toEqual({
          userId: u.id,
          passwordHash: 'h1',
          createdAt: at(),
          passwordChangedAt: at(7000),
          passwordResetRequired: true,
        });
        expect(await store.loginProfiles.update(u.id, { password: pw('h2'), passwordResetRequired: false })).toBe('ok');
        expect(await store.loginProfiles.get(u.id)).toMatchObject({ passwordHash: 'h2', passwordResetRequired: false });
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h2', 'h1', 'h0']);
        expect(await store.loginProfiles.passwordHistory(u.id, 2)).toEqual(['h2', 'h1']);
        expect(await store.loginProfiles.update('AIDANOSUCHUSER', { passwordResetRequired: true })).toBe('missing');
      });

      it('compare-and-set: a stale expected hash changes nothing', async () => {
        const u = user('lp-cas');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id, 'h0'), 24);
        expect(await store.loginProfiles.update(u.id, { password: pw('h1'), expectedHash: 'not-h0' })).toBe('stale');
        expect((await store.loginProfiles.get(u.id))!.passwordHash).toBe('h0');
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h0']);
        expect(await store.loginProfiles.update(u.id, { password: pw('h1'), passwordResetRequired: false, expectedHash: 'h0' })).toBe('ok');
        expect(await store.loginProfiles.update(u.id, { password: pw('h2'), expectedHash: 'h0' })).toBe('stale');
        expect(await store.loginProfiles.update('AIDANOSUCHUSER', { password: pw('h2'), expectedHash: 'h0' })).toBe('missing');
      });

      it('concurrent compare-and-set from one old hash: exactly one wins', async () => {
        const u = user('lp-cas-race');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id, 'h0'), 24);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) => store.loginProfiles.update(u.id, { password: pw(`new-${i}`), expectedHash: 'h0' })),
        );
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r === 'stale')).toHaveLength(5);
        const history = await store.loginProfiles.passwordHistory(u.id, 24);
        expect(history).toHaveLength(2);
        expect(history[0]).toBe((await store.loginProfiles.get(u.id))!.passwordHash);
      });

      it('concurrent password changes and flag changes: none lost, the history has every password, newest first', async () => {
        const u = user('lp-race');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id, 'h0'), 24);
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            i % 2 ? store.loginProfiles.update(u.id, { passwordResetRequired: i % 4 === 1 }) : store.loginProfiles.update(u.id, { password: pw(`p${i}`) }),
          ),
        );
        const history = await store.loginProfiles.passwordHistory(u.id, 24);
        expect(new Set(history)).toEqual(new Set(['h0', 'p0', 'p2', 'p4', 'p6', 'p8']));
        expect(history[0]).toBe((await store.loginProfiles.get(u.id))!.passwordHash);
      });

      it('trims the history to the limit, in the same write', async () => {
        const u = user('lp-trim');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id, 'h0'), 3);
        for (let i = 1; i <= 5; i++) await store.loginProfiles.update(u.id, { password: pw(`h${i}`, 3) });
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h5', 'h4', 'h3']);
        await store.loginProfiles.update(u.id, { password: pw('h6', 1) });
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h6']);
      });

      it('deletes; the history outlives the profile (a new profile still may not reuse)', async () => {
        const u = user('lp-delete');
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id, 'h0'), 24);
        expect(await store.loginProfiles.delete(u.id)).toBe(true);
        expect(await store.loginProfiles.delete(u.id)).toBe(false);
        expect(await store.loginProfiles.get(u.id)).toBeUndefined();
        expect(await store.loginProfiles.update(u.id, { passwordResetRequired: true })).toBe('missing');
        expect(await store.loginProfiles.create(profile(u.id, 'h1'), 24)).toBe(true);
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual(['h1', 'h0']);
      });

      it('concurrent creates: exactly one wins', async () => {
        const u = user('lp-create-race');
        await store.users.create(u);
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.loginProfiles.create(profile(u.id, `c${i}`), 24)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toHaveLength(1);
      });
    });

    describe('account password policy', () => {
      it('round-trips, replaces as a whole, deletes', async () => {
        expect(await store.passwordPolicy.get()).toBeUndefined();
        expect(await store.passwordPolicy.delete()).toBe(false);
        const full: PasswordPolicy = {
          minimumPasswordLength: 12,
          requireSymbols: true,
          requireNumbers: false,
          requireUppercaseCharacters: true,
          requireLowercaseCharacters: false,
          allowUsersToChangePassword: true,
          maxPasswordAge: 90,
          passwordReusePrevention: 5,
          hardExpiry: false,
        };
        await store.passwordPolicy.put(full);
        expect(await store.passwordPolicy.get()).toEqual(full);
        const bare: PasswordPolicy = {
          minimumPasswordLength: 6,
          requireSymbols: false,
          requireNumbers: true,
          requireUppercaseCharacters: false,
          requireLowercaseCharacters: true,
          allowUsersToChangePassword: false,
        };
        await store.passwordPolicy.put(bare);
        expect(await store.passwordPolicy.get()).toEqual(bare);
        expect(await store.passwordPolicy.delete()).toBe(true);
        expect(await store.passwordPolicy.get()).toBeUndefined();
      });
    });

    // ':memory:' has no second connection to the same data, so this case is not defined there.
    if (openAgain) it('account password policy: a cached read follows every write, from this store or another one on the same database', async () => {
      const other = await openAgain!();
      try {
        const base = {
          minimumPasswordLength: 8,
          requireSymbols: false,
          requireNumbers: false,
          requireUppercaseCharacters: false,
          requireLowercaseCharacters: false,
          allowUsersToChangePassword: false,
        };
        expect(await store.passwordPolicy.get()).toBeUndefined();
        expect(await other.passwordPolicy.get()).toBeUndefined(); // both caches now hold "none"
        await store.passwordPolicy.put({ ...base, allowUsersToChangePassword: true });
        expect(await store.passwordPolicy.get()).toMatchObject({ allowUsersToChangePassword: true });
        // The other process hears of it (PostgreSQL: a notification, within milliseconds).
        await expect.poll(async () => (await other.passwordPolicy.get())?.allowUsersToChangePassword, { timeout: 2000 }).toBe(true);
        await other.passwordPolicy.delete();
        await expect.poll(async () => store.passwordPolicy.get(), { timeout: 2000 }).toBeUndefined();
      } finally {
        await other.close();
      }
    });

    if (openAgain) it('reads (cached between requests on SQLite) follow every write at once, from this store or another one on the same database', async () => {
      const other = await openAgain!();
      try {
        const alice = user('cache-alice', { tags: [{ Key: 'team', Value: 'a' }] });
        expect(await store.users.create(alice)).toBe('ok');
        const k = key(alice.id);
        expect(await store.accessKeys.create(k, 2)).toBe('ok');
        // Read twice (the second from the cache), including a miss.
        for (let i = 0; i < 2; i++) {
          expect(await store.accessKeys.get(k.id)).toMatchObject({ status: 'Active' });
          expect(await store.users.getByName('cache-bob')).toBeUndefined();
        }
        // Another process's writes are seen on the next read, without waiting.
        expect(await other.accessKeys.setStatus(k.id, alice.id, 'Inactive')).toBe(true);
        expect(await store.accessKeys.get(k.id)).toMatchObject({ status: 'Inactive' });
        expect(await other.users.create(user('cache-bob'))).toBe('ok');
        expect(await store.users.getByName('cache-bob')).toMatchObject({ name: 'cache-bob' });
        expect(await other.accessKeys.delete(k.id, alice.id)).toBe(true);
        expect(await store.accessKeys.get(k.id)).toBeUndefined();
        // And this store's own.
        expect(await store.users.tag('cache-alice', [{ Key: 'team', Value: 'b' }], 50)).toBe('ok');
        expect((await store.users.getById(alice.id))!.tags).toEqual([{ Key: 'team', Value: 'b' }]);
        // What a read hands out is the caller's own: changing it changes no later read.
        const read = (await store.users.getById(alice.id))!;
        read.tags.push({ Key: 'added', Value: 'x' });
        read.name = 'changed';
        expect(await store.users.getById(alice.id)).toMatchObject({ name: 'cache-alice', tags: [{ Key: 'team', Value: 'b' }] });
      } finally {
        await other.close();
      }
    });

    describe('failure counters', () => {
      const WINDOW = 15 * 60_000;

      it('counts within a window, starts again at one once it has run out, resets', async () => {
        expect(await store.failures.increment('k', at(), WINDOW)).toBe(1);
        expect(await store.failures.increment('k', at(1000), WINDOW)).toBe(2);
        expect(await store.failures.increment('K', at(1000), WINDOW)).toBe(1); // keys are exact
        expect(await store.failures.increment('k', at(WINDOW - 1), WINDOW)).toBe(3);
        // The window counts from its first failure: at exactly WINDOW it has run out.
        expect(await store.failures.increment('k', at(WINDOW), WINDOW)).toBe(1);
        expect(await store.failures.increment('k', at(2 * WINDOW - 1), WINDOW)).toBe(2);
        expect(await store.failures.increment('k', at(2 * WINDOW), WINDOW)).toBe(1);
        await store.failures.reset('k');
        expect(await store.failures.increment('k', at(2 * WINDOW), WINDOW)).toBe(1);
        await store.failures.reset('never-counted');
      });

      it('concurrent increments each get their own count', async () => {
        const counts = await Promise.all(Array.from({ length: 20 }, () => store.failures.increment('parallel', at(), WINDOW)));
        expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      });
    });

    describe('settings', () => {
      it('gets, sets, overwrites', async () => {
        expect(await store.settings.get('a')).toBeUndefined();
        await store.settings.set('a', '1');
        await store.settings.set('a', '2');
        await store.settings.set('A', 'upper');
        expect(await store.settings.get('a')).toBe('2');
        expect(await store.settings.get('A')).toBe('upper');
      });

      it('deletes, or only while it holds the expected value', async () => {
        await store.settings.set('alias', 'one');
        expect(await store.settings.delete('alias', 'two')).toBe(false);
        expect(await store.settings.delete('alias', 'o\u0000ne')).toBe(false);
        expect(await store.settings.get('alias')).toBe('one');
        expect(await store.settings.delete('alias', 'one')).toBe(true);
        expect(await store.settings.get('alias')).toBeUndefined();
        expect(await store.settings.delete('alias', 'one')).toBe(false);
        await store.settings.set('other', 'x');
        expect(await store.settings.delete('other')).toBe(true);
        expect(await store.settings.delete('other')).toBe(false);
      });
    });

    describe('virtual MFA devices', () => {
      it('creates with a serial number unique regardless of case, finds it in any case, with its tags and sealed seed', async () => {
        const d = mfaDevice('Phone', { path: '/team/', tags: [{ Key: 'owner', Value: 'alice' }] });
        expect(await store.mfaDevices.create(d)).toBe(true);
        expect(await store.mfaDevices.create(mfaDevice('PHONE', { path: '/team/' }))).toBe(false);
        expect(await store.mfaDevices.create(mfaDevice('phone'))).toBe(true); // another path, another device
        expect(await store.mfaDevices.get('arn:aws:iam::123456789012:MFA/TEAM/phone')).toEqual(d);
        expect(await store.mfaDevices.get('arn:aws:iam::123456789012:mfa/nope')).toBeUndefined();
        expect(await store.mfaDevices.get('arn:aws:iam::123456789012:mfa/team/Ph\u0000one')).toBeUndefined();
        expect(await store.mfaDevices.counts()).toEqual({ devices: 2, inUse: 0 });
      });

      it('concurrent creates of one serial number in different cases: exactly one wins', async () => {
        const results = await Promise.all(['race', 'RACE', 'Race', 'rAce'].map((n) => store.mfaDevices.create(mfaDevice(n))));
        expect(results.filter((r) => r)).toHaveLength(1);
        expect((await store.mfaDevices.counts()).devices).toBe(1);
      });

      it('enables for an existing user once, only with codes newer than any accepted before, up to a per-user limit', async () => {
        const u = user('mfa-user');
        await store.users.create(u);
        const [a, b, c] = [mfaDevice('a'), mfaDevice('b'), mfaDevice('c')];
        for (const d of [a, b, c]) await store.mfaDevices.create(d);
        expect(await store.mfaDevices.enable('arn:aws:iam::123456789012:mfa/none', u.id, steps(10), at(1), 2)).toBe('missing');
        expect(await store.mfaDevices.enable(a.serialNumber, 'AIDANOSUCHUSER', steps(10), at(1), 2)).toBe('no-user');
        expect(await store.mfaDevices.enable(a.serialNumber.toUpperCase(), u.id, steps(10, 11, -2), at(1), 2)).toBe('ok');
        expect(await store.mfaDevices.enable(a.serialNumber, u.id, steps(20), at(1), 2)).toBe('in-use');
        const enabled = (await store.mfaDevices.get(a.serialNumber))!;
        expect(enabled).toMatchObject({ userId: u.id, enabledAt: at(1), lastStep: 11, drift: -2 });
        expect(await store.mfaDevices.enable(b.serialNumber, u.id, steps(10), at(2), 2)).toBe('ok');
        expect(await store.mfaDevices.enable(c.serialNumber, u.id, steps(10), at(3), 2)).toBe('limit');
        expect((await store.mfaDevices.listForUser(u.id)).map((d) => d.name)).toEqual(['a', 'b']);
        expect(await store.mfaDevices.counts()).toEqual({ devices: 3, inUse: 2 });

        // Deactivated, the device keeps the steps it accepted: the same codes cannot enable it again.
        expect(await store.mfaDevices.deactivate(a.serialNumber, 'AIDASOMEONEELSE')).toBe('not-assigned');
        expect(await store.mfaDevices.deactivate(a.serialNumber, u.id)).toBe('ok');
        expect(await store.mfaDevices.deactivate(a.serialNumber, u.id)).toBe('not-assigned');
        expect(await store.mfaDevices.deactivate('arn:aws:iam::123456789012:mfa/none', u.id)).toBe('missing');
        expect(await store.mfaDevices.get(a.serialNumber)).toMatchObject({ userId: null, enabledAt: null, lastStep: 11 });
        expect(await store.mfaDevices.enable(a.serialNumber, u.id, steps(10), at(4), 2)).toBe('replayed');
        expect(await store.mfaDevices.enable(a.serialNumber, u.id, steps(11, 12), at(4), 2)).toBe('replayed');
        expect(await store.mfaDevices.enable(a.serialNumber, u.id, steps(12), at(4), 2)).toBe('ok');
      });

      it('accepts codes of a device enabled for the user only once (compare-and-set on the step)', async () => {
        const u = user('resync-user');
        await store.users.create(u);
        const d = mfaDevice('resync');
        await store.mfaDevices.create(d);
        expect(await store.mfaDevices.acceptCodes(d.serialNumber, u.id, steps(5))).toBe('not-assigned');
        await store.mfaDevices.enable(d.serialNumber, u.id, steps(10), at(), 8);
        expect(await store.mfaDevices.acceptCodes('arn:aws:iam::123456789012:mfa/none', u.id, steps(20))).toBe('missing');
        expect(await store.mfaDevices.acceptCodes(d.serialNumber, 'AIDAOTHER', steps(20))).toBe('not-assigned');
        expect(await store.mfaDevices.acceptCodes(d.serialNumber, u.id, steps(11))).toBe('replayed');
        expect(await store.mfaDevices.acceptCodes(d.serialNumber, u.id, steps(12, 13, 5))).toBe('ok');
        expect(await store.mfaDevices.get(d.serialNumber)).toMatchObject({ lastStep: 13, drift: 5 });
        expect(await store.mfaDevices.acceptCodes(d.serialNumber, u.id, steps(14, 14))).toBe('ok'); // one code
        expect(await store.mfaDevices.acceptCodes(d.serialNumber, u.id, steps(14, 14))).toBe('replayed');
      });

      it('concurrent acceptances of the same codes: exactly one wins', async () => {
        const u = user('race-user');
        await store.users.create(u);
        const d = mfaDevice('race-device');
        await store.mfaDevices.create(d);
        await store.mfaDevices.enable(d.serialNumber, u.id, steps(10), at(), 8);
        const results = await Promise.all(Array.from({ length: 6 }, () => store.mfaDevices.acceptCodes(d.serialNumber, u.id, steps(20))));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r === 'replayed')).toHaveLength(5);
      });

      it('concurrent enables of one device for different users: exactly one wins', async () => {
        const users = [user('r1'), user('r2'), user('r3')];
        for (const u of users) await store.users.create(u);
        const d = mfaDevice('contested');
        await store.mfaDevices.create(d);
        const results = await Promise.all(users.map((u) => store.mfaDevices.enable(d.serialNumber, u.id, steps(10), at(), 8)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect(results.filter((r) => r === 'in-use')).toHaveLength(2);
      });

      it('lists by serial number regardless of case, by assignment, with users embedded, paging with markers', async () => {
        const u = user('lister', { path: '/p/' });
        await store.users.create(u);
        for (const n of ['b', 'A', 'c', 'D']) await store.mfaDevices.create(mfaDevice(n));
        await store.mfaDevices.enable('arn:aws:iam::123456789012:mfa/c', u.id, steps(1), at(5), 8);
        const serials = (page: { items: { device: MfaDevice }[] }) => page.items.map((i) => i.device.name);
        expect(serials(await store.mfaDevices.list({ assignment: 'Any', maxItems: 100 }))).toEqual(['A', 'b', 'c', 'D']);
        expect(serials(await store.mfaDevices.list({ assignment: 'Unassigned', maxItems: 100 }))).toEqual(['A', 'b', 'D']);
        const assigned = await store.mfaDevices.list({ assignment: 'Assigned', maxItems: 100 });
        expect(serials(assigned)).toEqual(['c']);
        expect(assigned.items[0]!.user).toEqual({ ...u, tags: [] });
        expect(assigned.items[0]!.device.enabledAt).toEqual(at(5));

        const seen: string[] = [];
        let marker: string | undefined;
        do {
          const page = await store.mfaDevices.list({ assignment: 'Any', marker, maxItems: 3 });
          seen.push(...serials(page));
          marker = page.nextMarker;
        } while (marker !== undefined);
        expect(seen).toEqual(['A', 'b', 'c', 'D']);
        const first = await store.mfaDevices.list({ assignment: 'Any', maxItems: 2 });
        expect(first.nextMarker).toBe('arn:aws:iam::123456789012:mfa/b');
        expect(serials(await store.mfaDevices.list({ assignment: 'Any', marker: 'arn:aws:iam::123456789012:mfa/B', maxItems: 10 }))).toEqual(['c', 'D']);
      });

      it('deletes only an unassigned device, with its tags; tags with case-insensitive keys and a quota', async () => {
        const u = user('owner');
        await store.users.create(u);
        const d = mfaDevice('tagged', { tags: [{ Key: 'Team', Value: 'a' }] });
        await store.mfaDevices.create(d);
        expect(await store.mfaDevices.tag(d.serialNumber, [{ Key: 'team', Value: 'b' }, { Key: 'x', Value: '1' }], 50)).toBe('ok');
        expect((await store.mfaDevices.get(d.serialNumber))!.tags).toEqual([{ Key: 'team', Value: 'b' }, { Key: 'x', Value: '1' }]);
        expect(await store.mfaDevices.tag(d.serialNumber, [{ Key: 'y', Value: '2' }], 2)).toBe('too-many');
        expect(await store.mfaDevices.untag(d.serialNumber, ['TEAM'])).toBe('ok');
        expect((await store.mfaDevices.get(d.serialNumber))!.tags).toEqual([{ Key: 'x', Value: '1' }]);
        expect(await store.mfaDevices.tag('arn:aws:iam::123456789012:mfa/none', [{ Key: 'a', Value: 'b' }], 50)).toBe('missing');
        expect(await store.mfaDevices.untag('arn:aws:iam::123456789012:mfa/none', ['a'])).toBe('missing');

        await store.mfaDevices.enable(d.serialNumber, u.id, steps(1), at(), 8);
        expect(await store.mfaDevices.delete(d.serialNumber)).toBe('assigned');
        await store.mfaDevices.deactivate(d.serialNumber, u.id);
        expect(await store.mfaDevices.delete(d.serialNumber.toUpperCase())).toBe('ok');
        expect(await store.mfaDevices.delete(d.serialNumber)).toBe('missing');
        // Its tags went with it: a new device of that name starts bare.
        const again = mfaDevice('tagged');
        await store.mfaDevices.create(again);
        expect((await store.mfaDevices.get(again.serialNumber))!.tags).toEqual([]);
      });

      it('seeds: listed as stored, replaced only while unchanged (compare-and-set)', async () => {
        const d = mfaDevice('sealed', { sealedSeed: 'v1:old:x' });
        await store.mfaDevices.create(d);
        expect(await store.mfaDevices.listAllSeeds()).toEqual([{ id: d.id, seed: 'v1:old:x' }]);
        expect(await store.mfaDevices.replaceSeed(d.id, 'v1:stale', 'v1:new:y')).toBe(false);
        expect(await store.mfaDevices.replaceSeed(d.id, 'v1:old:x', 'v1:new:y')).toBe(true);
        expect((await store.mfaDevices.get(d.serialNumber))!.sealedSeed).toBe('v1:new:y');
      });

      it('a racing DeleteUser either sees the enabled device or wins (then the enable finds no user)', async () => {
        for (let i = 0; i < 5; i++) {
          const u = user(`racer-${i}`);
          await store.users.create(u);
          const d = mfaDevice(`racer-${i}`);
          await store.mfaDevices.create(d);
          const [enabled, deleted] = await Promise.all([
            store.mfaDevices.enable(d.serialNumber, u.id, steps(1), at(), 8),
            store.users.delete(u.name),
          ]);
          expect([enabled, deleted].sort()).toEqual(enabled === 'ok' ? ['has-mfa-devices', 'ok'] : ['no-user', 'ok']);
        }
      });
    });

    describe('groups', () => {
      it('creates with case-insensitive names, lists like users, deletes only an empty group', async () => {
        const dev = group('Dev', { path: '/eng/' });
        expect(await store.groups.create(dev)).toBe(true);
        expect(await store.groups.create(group('DEV'))).toBe(false);
        for (const n of ['ops', 'Admins', '_sys']) await store.groups.create(group(n));
        expect(await store.groups.getByName('dev')).toEqual(dev);
        expect(await store.groups.getByName('nobody')).toBeUndefined();
        expect(await store.groups.count()).toBe(4);

        expect(names((await store.groups.list({ pathPrefix: '/', maxItems: 10 })).items)).toEqual(['_sys', 'Admins', 'Dev', 'ops']);
        const page = await store.groups.list({ pathPrefix: '/', maxItems: 3 });
        expect(page.nextMarker).toBe('Dev');
        expect(names((await store.groups.list({ pathPrefix: '/', marker: page.nextMarker, maxItems: 3 })).items)).toEqual(['ops']);
        expect(names((await store.groups.list({ pathPrefix: '/e', maxItems: 10 })).items)).toEqual(['Dev']);

        const u = user('member');
        await store.users.create(u);
        await store.groups.addMember(dev.id, u.id);
        await store.groups.addMember(dev.id, u.id); // twice is fine
        expect(await store.groups.delete('nobody')).toBe('missing');
        expect(await store.groups.delete('DEV')).toBe('has-members');
        expect(await store.groups.removeMember(dev.id, u.id)).toBe(true);
        expect(await store.groups.removeMember(dev.id, u.id)).toBe(false);
        await store.inlinePolicies.put({ kind: 'group', id: dev.id, name: 'owner' }, 'p', DOC(1));
        expect(await store.groups.delete('dev')).toBe('has-inline-policies');
        await store.inlinePolicies.delete({ kind: 'group', id: dev.id, name: 'owner' }, 'p');
        await store.attachments.attach({ kind: 'group', id: dev.id, name: 'owner' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 10);
        expect(await store.groups.delete('dev')).toBe('has-attached-policies');
        await store.attachments.detach({ kind: 'group', id: dev.id, name: 'owner' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess');
        expect(await store.groups.delete('dev')).toBe('ok');
        expect(await store.groups.getByName('dev')).toBeUndefined();
      });

      it('members and groups of a user, both by name case-insensitively', async () => {
        const g1 = group('beta');
        const g2 = group('Alpha');
        await store.groups.create(g1);
        await store.groups.create(g2);
        const users = [user('zed', { tags: [{ Key: 't', Value: 'v' }] }), user('Amy'), user('bob')];
        for (const u of users) {
          await store.users.create(u);
          await store.groups.addMember(g1.id, u.id);
        }
        await store.groups.addMember(g2.id, users[0]!.id);
        expect(await store.groups.members(g1.id)).toEqual([users[1], users[2], users[0]]);
        expect(await store.groups.groupsOf(users[0]!.id)).toEqual([g2, g1]);
        expect(await store.groups.groupsOf('AIDANOSUCHUSER')).toEqual([]);
      });
    });

    describe('managed policies', () => {
      it('creates with v1 as default, refuses a taken name in any case, counts attachments and boundary uses', async () => {
        const p = policy('ReadThings', { path: '/team/', description: 'reads' });
        expect(await store.managedPolicies.create(p, DOC(1))).toBe(true);
        expect(await store.managedPolicies.create(policy('readthings'), DOC(1))).toBe(false);
        expect(await store.managedPolicies.get(p.arn)).toEqual(p);
        expect(await store.managedPolicies.get('arn:aws:iam::123456789012:policy/none')).toBeUndefined();
        expect(await store.managedPolicies.getVersion(p.arn, 1)).toEqual({ version: 1, document: DOC(1), createdAt: at() });
        expect(await store.managedPolicies.count()).toBe(1);

        const u = user('pu');
        await store.users.create(u);
        await store.attachments.attach({ kind: 'user', id: u.id, name: 'owner' }, p.arn, 10);
        await store.users.setPermissionsBoundary('pu', p.arn);
        expect(await store.managedPolicies.get(p.arn)).toMatchObject({ attachmentCount: 1, permissionsBoundaryUsageCount: 1 });
        expect(await store.managedPolicies.delete(p.arn)).toBe('attached');
        await store.attachments.detach({ kind: 'user', id: u.id, name: 'owner' }, p.arn);
        expect(await store.managedPolicies.delete(p.arn)).toBe('attached');
        await store.users.setPermissionsBoundary('pu', null);
        await store.managedPolicies.createVersion(p.arn, DOC(2), false, at(1), 5);
        expect(await store.managedPolicies.delete(p.arn)).toBe('has-versions');
        expect(await store.managedPolicies.deleteVersion(p.arn, 2)).toBe('ok');
        expect(await store.managedPolicies.delete(p.arn)).toBe('ok');
        expect(await store.managedPolicies.delete(p.arn)).toBe('missing');
        expect(await store.managedPolicies.getVersion(p.arn, 1)).toBeUndefined();
      });

      it('attaches a customer managed policy, or sets it as a boundary (also at CreateUser), only while it exists (a DeletePolicy may have won)', async () => {
        const p = policy('Fleeting');
        await store.managedPolicies.create(p, DOC(1));
        const u = user('fleet');
        await store.users.create(u);
        expect(await store.attachments.attach({ kind: 'user', id: u.id, name: 'owner' }, p.arn, 10, true)).toBe('ok');
        expect(await store.users.setPermissionsBoundary('fleet', p.arn, true)).toBe('ok');
        await store.attachments.detach({ kind: 'user', id: u.id, name: 'owner' }, p.arn);
        await store.users.setPermissionsBoundary('fleet', null);
        expect(await store.managedPolicies.delete(p.arn)).toBe('ok');
        expect(await store.attachments.attach({ kind: 'user', id: u.id, name: 'owner' }, p.arn, 10, true)).toBe('missing');
        expect(await store.users.setPermissionsBoundary('fleet', p.arn, true)).toBe('no-policy');
        expect(await store.attachments.list({ kind: 'user', id: u.id, name: 'owner' })).toEqual([]);
        expect((await store.users.getByName('fleet'))!.permissionsBoundary).toBeNull();
        expect(await store.users.create(user('bounded-by-nothing', { permissionsBoundary: p.arn }), true)).toBe('no-policy');
        expect(await store.users.getByName('bounded-by-nothing')).toBeUndefined();
      });

      it('lists by name case-insensitively, by plain path prefix, optionally only attached ones', async () => {
        const ps = [policy('b', { path: '/x/' }), policy('A', { path: '/x/y/' }), policy('c'), policy('_z', { path: '/x/' })];
        for (const p of ps) await store.managedPolicies.create(p, DOC(1));
        const list = async (options: { pathPrefix: string; onlyAttached: boolean }) => (await store.managedPolicies.listPage({ ...options, maxItems: 100 })).items;
        expect(names(await list({ pathPrefix: '/', onlyAttached: false }))).toEqual(['_z', 'A', 'b', 'c']);
        expect(names(await list({ pathPrefix: '/x', onlyAttached: false }))).toEqual(['_z', 'A', 'b']);
        // Paged: the marker is the last name served.
        expect(await store.managedPolicies.listPage({ pathPrefix: '/', maxItems: 2 })).toMatchObject({ nextMarker: 'A' });
        expect(names((await store.managedPolicies.listPage({ pathPrefix: '/', maxItems: 2, marker: 'A' })).items)).toEqual(['b', 'c']);
        const g = group('any-group');
        await store.groups.create(g);
        await store.attachments.attach({ kind: 'group', id: g.id, name: g.name }, ps[0]!.arn, 10);
        expect(names(await list({ pathPrefix: '/', onlyAttached: true }))).toEqual(['b']);
      });

      it('versions: numbered on, limited, default switching, the default cannot be deleted', async () => {
        const p = policy('versioned');
        await store.managedPolicies.create(p, DOC(1));
        expect(await store.managedPolicies.createVersion(p.arn, DOC(2), false, at(10), 3)).toEqual({ version: 2, document: DOC(2), createdAt: at(10) });
        expect(await store.managedPolicies.createVersion(p.arn, DOC(3), true, at(20), 3)).toEqual({ version: 3, document: DOC(3), createdAt: at(20) });
        expect(await store.managedPolicies.get(p.arn)).toMatchObject({ defaultVersion: 3, updatedAt: at(20) });
        expect(await store.managedPolicies.createVersion(p.arn, DOC(4), false, at(30), 3)).toBe('limit');
        expect(await store.managedPolicies.createVersion('arn:aws:iam::123456789012:policy/none', DOC(4), false, at(30), 3)).toBe('missing');
        expect((await store.managedPolicies.listVersions(p.arn)).map((v) => v.version)).toEqual([3, 2, 1]);
        expect(await store.managedPolicies.deleteVersion(p.arn, 3)).toBe('default');
        expect(await store.managedPolicies.deleteVersion(p.arn, 9)).toBe('missing');
        expect(await store.managedPolicies.deleteVersion('arn:aws:iam::123456789012:policy/none', 1)).toBe('missing');
        expect(await store.managedPolicies.deleteVersion(p.arn, 2)).toBe('ok');
        // Version numbers are never reused.
        expect(await store.managedPolicies.createVersion(p.arn, DOC(4), false, at(40), 3)).toMatchObject({ version: 4 });
        expect(await store.managedPolicies.setDefaultVersion(p.arn, 2, at(50))).toBe('missing');
        expect(await store.managedPolicies.setDefaultVersion('arn:aws:iam::123456789012:policy/none', 1, at(50))).toBe('missing');
        expect(await store.managedPolicies.setDefaultVersion(p.arn, 1, at(50))).toBe('ok');
        expect(await store.managedPolicies.get(p.arn)).toMatchObject({ defaultVersion: 1, updatedAt: at(50) });
        expect(await store.managedPolicies.getVersion(p.arn, 2)).toBeUndefined();
      });

      it('concurrent new versions never exceed the limit and get distinct numbers', async () => {
        const p = policy('version-race');
        await store.managedPolicies.create(p, DOC(1));
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.managedPolicies.createVersion(p.arn, DOC(i), false, at(i), 5)));
        const made = results.filter((r) => typeof r === 'object');
        expect(made).toHaveLength(4);
        expect(new Set(made.map((v) => (v as { version: number }).version)).size).toBe(4);
      });
    });

    describe('inline policies and attachments', () => {
      it('inline: create or replace (case-insensitive names), get, list by name, delete', async () => {
        const u = user('inline-owner');
        const g = group('inline-owner');
        await store.users.create(u);
        await store.groups.create(g);
        const owner = { kind: 'user' as const, id: u.id, name: u.name };
        expect(await store.inlinePolicies.put(owner, 'b', DOC(1))).toBe(true);
        await store.inlinePolicies.put(owner, 'A', DOC(2));
        await store.inlinePolicies.put(owner, 'B', DOC(3)); // replaces 'b', and is now spelt 'B'
        await store.inlinePolicies.put({ kind: 'group', id: g.id, name: g.name }, 'other-owner', DOC(4));
        // An owner that is gone (a racing delete won) gets nothing.
        expect(await store.inlinePolicies.put({ kind: 'user', id: 'AIDAGONE', name: 'gone' }, 'x', DOC(1))).toBe(false);
        expect(await store.inlinePolicies.list({ kind: 'user', id: 'AIDAGONE', name: 'gone' })).toEqual([]);
        expect(await store.inlinePolicies.get(owner, 'b')).toEqual({ name: 'B', document: DOC(3) });
        expect(await store.inlinePolicies.get(owner, 'missing')).toBeUndefined();
        expect(await store.inlinePolicies.list(owner)).toEqual([
          { name: 'A', document: DOC(2) },
          { name: 'B', document: DOC(3) },
        ]);
        expect(await store.inlinePolicies.delete(owner, 'a')).toBe(true);
        expect(await store.inlinePolicies.delete(owner, 'a')).toBe(false);
        expect(await store.inlinePolicies.list(owner)).toEqual([{ name: 'B', document: DOC(3) }]);
      });

      it('attachments: idempotent, limited per owner, listed in attachment order, counted per policy', async () => {
        const g = group('attach-owner');
        const u = user('attach-owner');
        await store.groups.create(g);
        await store.users.create(u);
        const owner = { kind: 'group' as const, id: g.id, name: g.name };
        const arn = (n: string) => `arn:aws:iam::aws:policy/${n}`;
        expect(await store.attachments.attach({ kind: 'role', id: 'AROAGONE', name: 'gone' }, arn('Z'), 2)).toBe('no-owner');
        expect(await store.attachments.attach(owner, arn('Z'), 2)).toBe('ok');
        expect(await store.attachments.attach(owner, arn('A'), 2)).toBe('ok');
        expect(await store.attachments.attach(owner, arn('A'), 2)).toBe('ok');
        expect(await store.attachments.attach(owner, arn('M'), 2)).toBe('limit');
        expect(await store.attachments.list(owner)).toEqual([arn('Z'), arn('A')]);
        await store.attachments.attach({ kind: 'user', id: u.id, name: u.name }, arn('A'), 2);
        expect(await store.attachments.countFor(arn('A'))).toBe(2);
        expect(await store.attachments.detach(owner, arn('Z'))).toBe(true);
        expect(await store.attachments.detach(owner, arn('Z'))).toBe(false);
        expect(await store.attachments.list(owner)).toEqual([arn('A')]);
        expect(await store.attachments.countFor(arn('Z'))).toBe(0);
      });

      it('concurrent attachments never exceed the limit', async () => {
        const u = user('attach-race');
        await store.users.create(u);
        const owner = { kind: 'user' as const, id: u.id, name: u.name };
        const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.attachments.attach(owner, `arn:aws:iam::aws:policy/P${i}`, 3)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(3);
        expect(await store.attachments.list(owner)).toHaveLength(3);
      });

      it("authorization: a user's and its groups' policies, with customer documents and the boundary, in one read", async () => {
        const u = user('authz');
        await store.users.create(u);
        const g = group('authz-group');
        await store.groups.create(g);
        await store.groups.addMember(g.id, u.id);
        const mine = policy('Mine');
        const boundary = policy('Boundary');
        await store.managedPolicies.create(mine, DOC(1));
        await store.managedPolicies.createVersion(mine.arn, DOC(2), true, at(1), 5);
        await store.managedPolicies.create(boundary, DOC(9));
        await store.inlinePolicies.put({ kind: 'user', id: u.id, name: 'owner' }, 'own', DOC(3));
        await store.inlinePolicies.put({ kind: 'group', id: g.id, name: 'owner' }, 'shared', DOC(4));
        await store.attachments.attach({ kind: 'user', id: u.id, name: 'owner' }, mine.arn, 10);
        await store.attachments.attach({ kind: 'group', id: g.id, name: 'owner' }, mine.arn, 10);
        await store.attachments.attach({ kind: 'group', id: g.id, name: 'owner' }, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 10);
        await store.users.setPermissionsBoundary('authz', boundary.arn);

        const set = await store.authorization.policiesFor(u.id);
        expect([...set.inline].sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { id: `group:${g.id}:shared`, document: DOC(4) },
          { id: `user:${u.id}:own`, document: DOC(3) },
        ]);
        expect([...set.attachedArns].sort()).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess', mine.arn].sort());
        expect(set.boundaryArn).toBe(boundary.arn);
        expect(set.customerDocuments).toEqual(new Map([[mine.arn, DOC(2)], [boundary.arn, DOC(9)]]));

        const empty = await store.authorization.policiesFor('AIDANOSUCHUSER');
        expect(empty).toEqual({ inline: [], attachedArns: [], boundaryArn: null, customerDocuments: new Map() });
      });
    });

    describe('reads of many owners at once (GetAccountAuthorizationDetails)', () => {
      it('inline policies, attachments and groups of many owners, each in its own order; owners with none are absent', async () => {
        const [a, b, c] = [user('many-a'), user('many-b'), user('many-c')];
        for (const u of [a, b, c]) await store.users.create(u);
        const [g1, g2] = [group('Zeta'), group('alpha')];
        for (const g of [g1, g2]) await store.groups.create(g);
        await store.groups.addMember(g1.id, a.id);
        await store.groups.addMember(g2.id, a.id);
        await store.groups.addMember(g1.id, b.id);
        const owner = (u: User) => ({ kind: 'user' as const, id: u.id, name: u.name });
        await store.inlinePolicies.put(owner(a), 'b-policy', DOC(1));
        await store.inlinePolicies.put(owner(a), 'A-policy', DOC(2));
        await store.inlinePolicies.put(owner(b), 'only', DOC(3));
        await store.inlinePolicies.put({ kind: 'group', id: g1.id, name: g1.name }, 'group-policy', DOC(4));
        const arn = (n: string) => `arn:aws:iam::aws:policy/${n}`;
        await store.attachments.attach(owner(a), arn('Z'), 10);
        await store.attachments.attach(owner(a), arn('A'), 10);
        await store.attachments.attach(owner(b), arn('A'), 10);
        await store.attachments.attach({ kind: 'group', id: g1.id, name: g1.name }, arn('G'), 10);

        const ids = [a.id, b.id, c.id, 'AIDANOSUCHUSER'];
        expect(await store.inlinePolicies.listForOwners(ids)).toEqual(
          new Map([
            [a.id, [{ name: 'A-policy', document: DOC(2) }, { name: 'b-policy', document: DOC(1) }]],
            [b.id, [{ name: 'only', document: DOC(3) }]],
          ]),
        );
        expect(await store.attachments.listForOwners(ids)).toEqual(
          new Map([
            [a.id, [arn('Z'), arn('A')]],
            [b.id, [arn('A')]],
          ]),
        );
        expect(await store.groups.groupsOfMany(ids)).toEqual(
          new Map([
            [a.id, [g2, g1]],
            [b.id, [g1]],
          ]),
        );
        expect(await store.inlinePolicies.listForOwners([])).toEqual(new Map());
        expect(await store.attachments.listForOwners([])).toEqual(new Map());
        expect(await store.groups.groupsOfMany([])).toEqual(new Map());
      });

      it('instance profiles of many roles, each with its role embedded', async () => {
        const [r1, r2, r3] = [role('role-1', { tags: [{ Key: 'k', Value: 'v' }] }), role('role-2'), role('role-3')];
        for (const r of [r1, r2, r3]) expect(await store.roles.create(r)).toBe('ok');
        const [p1, p2] = [instanceProfile('profile-b'), instanceProfile('profile-a')];
        for (const p of [p1, p2]) expect(await store.instanceProfiles.create(p)).toBe(true);
        expect(await store.instanceProfiles.addRole('profile-b', 'role-1', 1)).toBe('ok');
        expect(await store.instanceProfiles.addRole('profile-a', 'role-2', 1)).toBe('ok');

        const found = await store.instanceProfiles.forRoles([r1.id, r2.id, r3.id]);
        expect([...found.keys()].sort()).toEqual([r1.id, r2.id].sort());
        expect(found.get(r1.id)).toEqual([{ ...p1, roles: [r1] }]);
        expect(found.get(r2.id)).toEqual([{ ...p2, roles: [r2] }]);
        expect(await store.instanceProfiles.forRoles([])).toEqual(new Map());
      });

      it('customer managed policies page by name with a marker and a path prefix; versions and attachment counts of many', async () => {
        const ps = [policy('b', { path: '/x/' }), policy('A'), policy('c', { path: '/x/' }), policy('_z')];
        for (const p of ps) await store.managedPolicies.create(p, DOC(1));
        const first = await store.managedPolicies.listPage({ pathPrefix: '/', maxItems: 2 });
        expect(names(first.items)).toEqual(['_z', 'A']);
        expect(first.nextMarker).toBe('A');
        const second = await store.managedPolicies.listPage({ pathPrefix: '/', marker: first.nextMarker, maxItems: 2 });
        expect(names(second.items)).toEqual(['b', 'c']);
        expect(second.nextMarker).toBeUndefined();
        expect(names((await store.managedPolicies.listPage({ pathPrefix: '/x/', maxItems: 10 })).items)).toEqual(['b', 'c']);
        expect(first.items[1]).toEqual(ps[1]);

        await store.managedPolicies.createVersion(ps[0]!.arn, DOC(2), true, at(5), 5);
        const versions = await store.managedPolicies.versionsOf([ps[0]!.arn, ps[1]!.arn, 'arn:aws:iam::123456789012:policy/none']);
        expect(versions).toEqual(
          new Map([
            [ps[0]!.arn, [{ version: 2, document: DOC(2), createdAt: at(5) }, { version: 1, document: DOC(1), createdAt: at() }]],
            [ps[1]!.arn, [{ version: 1, document: DOC(1), createdAt: at() }]],
          ]),
        );
        expect(await store.managedPolicies.versionsOf([])).toEqual(new Map());

        const u = user('counted');
        const g = group('counted');
        await store.users.create(u);
        await store.groups.create(g);
        const aws = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
        await store.attachments.attach({ kind: 'user', id: u.id, name: u.name }, aws, 10);
        await store.attachments.attach({ kind: 'group', id: g.id, name: g.name }, aws, 10);
        await store.attachments.attach({ kind: 'group', id: g.id, name: g.name }, ps[0]!.arn, 10);
        expect(await store.attachments.countsFor([aws, ps[0]!.arn, ps[1]!.arn])).toEqual(
          new Map([
            [aws, 2],
            [ps[0]!.arn, 1],
          ]),
        );
        expect(await store.attachments.countsFor([])).toEqual(new Map());
      });

      it("authorization: a group's own policies, with customer documents and no boundary; a role's likewise with its boundary", async () => {
        const g = group('policy-group');
        await store.groups.create(g);
        const r = role('policy-role');
        await store.roles.create(r);
        const mine = policy('GroupMine');
        const boundary = policy('RoleBoundary');
        await store.managedPolicies.create(mine, DOC(1));
        await store.managedPolicies.create(boundary, DOC(9));
        await store.inlinePolicies.put({ kind: 'group', id: g.id, name: g.name }, 'inline', DOC(3));
        await store.attachments.attach({ kind: 'group', id: g.id, name: g.name }, mine.arn, 10);
        await store.inlinePolicies.put({ kind: 'role', id: r.id, name: r.name }, 'role-inline', DOC(4));
        await store.attachments.attach({ kind: 'role', id: r.id, name: r.name }, 'arn:aws:iam::aws:policy/ReadOnlyAccess', 10);
        await store.roles.setPermissionsBoundary('policy-role', boundary.arn);

        expect(await store.authorization.policiesForGroup(g.id)).toEqual({
          inline: [{ id: `group:${g.id}:inline`, document: DOC(3) }],
          attachedArns: [mine.arn],
          boundaryArn: null,
          customerDocuments: new Map([[mine.arn, DOC(1)]]),
        });
        expect(await store.authorization.policiesForRole(r.id)).toEqual({
          inline: [{ id: `role:${r.id}:role-inline`, document: DOC(4) }],
          attachedArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
          boundaryArn: boundary.arn,
          customerDocuments: new Map([[boundary.arn, DOC(9)]]),
        });
        expect(await store.authorization.policiesForGroup('AGPANOSUCHGROUP')).toEqual({ inline: [], attachedArns: [], boundaryArn: null, customerDocuments: new Map() });
      });
    });

    describe('credential reports', () => {
      it('keeps the latest report, bytes intact', async () => {
        expect(await store.credentialReports.get()).toBeUndefined();
        expect(await store.mfaDevices.counts()).toEqual({ devices: 0, inUse: 0 });
        expect(await store.mfaDevices.create(mfaDevice('cleared-device'))).toBe(true);
        const content = Buffer.from([0, 1, 2, 255, 10, 13]);
        await store.credentialReports.put(at(), content);
        await store.credentialReports.put(at(1000), Buffer.from('user,arn\nalice,x\n'));
        const report = await store.credentialReports.get();
        expect(report!.generatedAt).toEqual(at(1000));
        expect(Buffer.compare(report!.content, Buffer.from('user,arn\nalice,x\n'))).toBe(0);
        await store.credentialReports.put(at(2000), content);
        expect(Buffer.compare((await store.credentialReports.get())!.content, content)).toBe(0);
      });
    });

    describe('console sessions and the sign-in throttle', () => {
      it('sessions: create, get, delete, expire; they go with their user', async () => {
        const u = user('console');
        await store.users.create(u);
        const session = (tokenHash: string, expiresAt: number) => ({
          tokenHash,
          userId: u.id,
          createdAt: at(),
          expiresAt: at(expiresAt),
          passwordChangedAt: at(-5000),
          mustChangePassword: true,
          awaitingMfa: false,
          mfaAuthenticatedAt: null as Date | null,
        });
        await store.consoleSessions.create(session('t1', 1000));
        await store.consoleSessions.create({ ...session('t2', 2000), mustChangePassword: false, awaitingMfa: true });
        await store.consoleSessions.create({ ...session('t4', 2000), mfaAuthenticatedAt: at(-10) });
        expect(await store.consoleSessions.get('t4')).toEqual({ ...session('t4', 2000), mfaAuthenticatedAt: at(-10) });
        expect(await store.consoleSessions.get('t1')).toEqual(session('t1', 1000));
        expect(await store.consoleSessions.get('nope')).toBeUndefined();
        await store.consoleSessions.deleteExpired(at(1000)); // expiring at exactly now is expired
        expect(await store.consoleSessions.get('t1')).toBeUndefined();
        expect(await store.consoleSessions.get('t2')).toMatchObject({ mustChangePassword: false, awaitingMfa: true, mfaAuthenticatedAt: null });
        await store.consoleSessions.delete('t2');
        await store.consoleSessions.delete('t2');
        expect(await store.consoleSessions.get('t2')).toBeUndefined();
        await store.consoleSessions.create(session('t3', 9000));
        expect(await store.users.delete('console')).toBe('ok');
        expect(await store.consoleSessions.get('t3')).toBeUndefined();
      });

      it('throttle: books failures, blocks for the delay or until cleared, and clears', async () => {
        const delays: (number | null)[] = [0, 0, 1000, null];
        const delayAfter = (failures: number) => delays[failures - 1] ?? null;
        expect(await store.signInThrottle.book('u', at(), delayAfter)).toEqual({ allowed: true });
        expect(await store.signInThrottle.book('u', at(), delayAfter)).toEqual({ allowed: true });
        expect(await store.signInThrottle.book('u', at(), delayAfter)).toEqual({ allowed: true }); // third: blocked for 1 s from now
        expect(await store.signInThrottle.book('u', at(999), delayAfter)).toEqual({ allowed: false, retryAt: at(1000) });
        expect(await store.signInThrottle.book('u', at(1000), delayAfter)).toEqual({ allowed: true }); // fourth: blocked until cleared
        expect(await store.signInThrottle.book('u', at(10 ** 9), delayAfter)).toEqual({ allowed: false, retryAt: null });
        expect(await store.signInThrottle.book('other', at(), delayAfter)).toEqual({ allowed: true });
        await store.signInThrottle.clear('u');
        expect(await store.signInThrottle.book('u', at(10 ** 9), (n) => (n === 1 ? 0 : null))).toEqual({ allowed: true });
      });

      it('throttle: concurrent attempts are booked one after another', async () => {
        const seen: number[] = [];
        const results = await Promise.all(
          Array.from({ length: 10 }, () =>
            store.signInThrottle.book('parallel', at(), (failures) => {
              seen.push(failures);
              return failures >= 3 ? null : 0;
            }),
          ),
        );
        expect(results.filter((r) => r.allowed)).toHaveLength(3);
        expect(results.filter((r) => !r.allowed)).toEqual(Array.from({ length: 7 }, () => ({ allowed: false, retryAt: null })));
        expect(seen.slice(-3).sort()).toEqual([1, 2, 3]);
      });
    });

    describe('roles and instance profiles', () => {
      it('roles: create (name unique regardless of case, tags), find, list by path, update only what is given, record use', async () => {
        const web = role('Web', { path: '/app/', tags: [{ Key: 'team', Value: 'a' }], description: 'd' });
        expect(await store.roles.create(web)).toBe('ok');
        expect(await store.roles.create(role('WEB'))).toBe('exists');
        expect(await store.roles.getByName('web')).toEqual(web);
        expect(await store.roles.getById(web.id)).toEqual(web);
        expect(await store.roles.getByName('we\u0000b')).toBeUndefined();
        await store.roles.create(role('api'));
        expect(names((await store.roles.list({ pathPrefix: '/app', maxItems: 10 })).items)).toEqual(['Web']);
        const page = await store.roles.list({ pathPrefix: '/', maxItems: 1 });
        expect(names(page.items)).toEqual(['api']);
        expect(names((await store.roles.list({ pathPrefix: '/', maxItems: 1, marker: page.nextMarker })).items)).toEqual(['Web']);

        expect(await store.roles.updateRole('web', { maxSessionDuration: 7200 })).toBe('ok');
        expect(await store.roles.getByName('web')).toMatchObject({ description: 'd', maxSessionDuration: 7200, trustPolicy: web.trustPolicy });
        const ids = { 'arn:aws:iam::123456789012:user/a': 'AIDA1' };
        expect(await store.roles.updateRole('web', { trust: { policy: '{"x":1}', principalIds: ids }, description: 'e' })).toBe('ok');
        expect(await store.roles.getByName('web')).toMatchObject({ description: 'e', maxSessionDuration: 7200, trustPolicy: '{"x":1}', trustPrincipalIds: ids });
        // Recorded for a role stored without ids only (before schema version 12), and only for the policy resolved.
        await store.roles.recordTrustPrincipalIds(web.id, '{"x":1}', { other: 'AIDA2' });
        expect((await store.roles.getByName('web'))!.trustPrincipalIds).toEqual(ids);
        const old = role('old', { trustPrincipalIds: null });
        await store.roles.create(old);
        expect((await store.roles.getByName('old'))!.trustPrincipalIds).toBeNull();
        await store.roles.recordTrustPrincipalIds(old.id, 'another policy', ids);
        expect((await store.roles.getByName('old'))!.trustPrincipalIds).toBeNull();
        await store.roles.recordTrustPrincipalIds(old.id, old.trustPolicy, ids);
        expect((await store.roles.getByName('old'))!.trustPrincipalIds).toEqual(ids);
        await store.roles.delete('old');
        const u = user('someone', { path: '/p/' });
        await store.users.create(u);
        expect(await store.roles.principalsById([u.id, web.id, 'AIDAGONE'])).toEqual(
          new Map([
            [u.id, { kind: 'user', path: '/p/', name: 'someone' }],
            [web.id, { kind: 'role', path: '/app/', name: 'Web' }],
          ]),
        );
        expect(await store.roles.updateRole('nobody', { description: 'x' })).toBe('missing');
        await store.roles.recordUse(web.id, at(5000), 'eu-west-1');
        expect((await store.roles.getByName('web'))!.lastUsed).toEqual({ at: at(5000), region: 'eu-west-1' });

        expect(await store.roles.tag('web', [{ Key: 'TEAM', Value: 'b' }], 50)).toBe('ok');
        expect((await store.roles.getByName('web'))!.tags).toEqual([{ Key: 'TEAM', Value: 'b' }]);
        expect(await store.roles.tag('web', [{ Key: 'x', Value: '1' }, { Key: 'y', Value: '2' }], 2)).toBe('too-many');
        expect((await store.roles.getByName('web'))!.tags).toEqual([{ Key: 'TEAM', Value: 'b' }]);
        expect(await store.roles.untag('web', ['team'])).toBe('ok');
        expect((await store.roles.getByName('web'))!.tags).toEqual([]);
      });

      it('roles: deleted only when nothing hangs off them, in AWS order; their boundary; their policies for the authorizer', async () => {
        const r = role('busy');
        await store.roles.create(r);
        const owner = { kind: 'role' as const, id: r.id, name: r.name };
        const ip = instanceProfile('busy-profile');
        await store.instanceProfiles.create(ip);
        expect(await store.instanceProfiles.addRole('busy-profile', 'BUSY', 1)).toBe('ok');
        await store.inlinePolicies.put(owner, 'inline', DOC(1));
        const p = policy('role-attached');
        await store.managedPolicies.create(p, DOC(2));
        await store.attachments.attach(owner, p.arn, 10);
        expect(await store.roles.delete('busy')).toBe('in-instance-profiles');
        await store.instanceProfiles.removeRole('busy-profile', 'busy');
        expect(await store.roles.delete('busy')).toBe('has-inline-policies');
        const set = await store.authorization.policiesForRole(r.id);
        expect(set.inline.map((i) => i.document)).toEqual([DOC(1)]);
        expect(set.attachedArns).toEqual([p.arn]);
        expect(set.customerDocuments.get(p.arn)).toBe(DOC(2));
        await store.inlinePolicies.delete(owner, 'inline');
        expect(await store.roles.delete('busy')).toBe('has-attached-policies');
        await store.attachments.detach(owner, p.arn);

        expect(await store.roles.setPermissionsBoundary('busy', p.arn, true)).toBe('ok');
        expect(await store.managedPolicies.get(p.arn)).toMatchObject({ permissionsBoundaryUsageCount: 1 });
        expect(await store.managedPolicies.delete(p.arn)).toBe('attached');
        expect(await store.roles.setPermissionsBoundary('busy', null)).toBe('ok');
        expect(await store.roles.setPermissionsBoundary('nobody', p.arn)).toBe('missing');
        expect(await store.roles.delete('busy')).toBe('ok');
        expect(await store.roles.getByName('busy')).toBeUndefined();
        expect(await store.roles.delete('busy')).toBe('missing');
      });

      it('instance profiles: one role, embedded with its tags; listed per role; deleted only when empty', async () => {
        const r = role('profiled', { tags: [{ Key: 'k', Value: 'v' }] });
        await store.roles.create(r);
        const ip = instanceProfile('Profile', { path: '/web/', tags: [{ Key: 'a', Value: 'b' }] });
        expect(await store.instanceProfiles.create(ip)).toBe(true);
        expect(await store.instanceProfiles.create(instanceProfile('PROFILE'))).toBe(false);
        expect(await store.instanceProfiles.addRole('nope', 'profiled', 1)).toBe('no-profile');
        expect(await store.instanceProfiles.addRole('profile', 'nope', 1)).toBe('no-role');
        expect(await store.instanceProfiles.addRole('profile', 'profiled', 1)).toBe('ok');
        expect(await store.instanceProfiles.addRole('profile', 'profiled', 1)).toBe('exists');
        await store.roles.create(role('second'));
        expect(await store.instanceProfiles.addRole('profile', 'second', 1)).toBe('limit');
        const got = await store.instanceProfiles.getByName('profile');
        expect(got).toMatchObject({ id: ip.id, name: 'Profile', path: '/web/', tags: [{ Key: 'a', Value: 'b' }] });
        expect(got!.roles).toEqual([await store.roles.getByName('profiled')]);
        expect((await store.instanceProfiles.forRole(r.id)).map((p) => p.name)).toEqual(['Profile']);
        expect((await store.instanceProfiles.list({ pathPrefix: '/web/', maxItems: 10 })).items.map((p) => p.roles.length)).toEqual([1]);
        expect(await store.instanceProfiles.delete('profile')).toBe('has-role');
        expect(await store.instanceProfiles.removeRole('profile', 'second')).toBe('not-in-profile');
        expect(await store.instanceProfiles.removeRole('profile', 'nope')).toBe('no-role');
        expect(await store.instanceProfiles.removeRole('profile', 'profiled')).toBe('ok');
        expect(await store.instanceProfiles.delete('profile')).toBe('ok');
        expect(await store.instanceProfiles.count()).toBe(0);
      });

      it('concurrent additions to one profile: exactly one role gets in', async () => {
        await store.instanceProfiles.create(instanceProfile('contested'));
        for (let i = 0; i < 6; i++) await store.roles.create(role(`contender-${i}`));
        const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.instanceProfiles.addRole('contested', `contender-${i}`, 1)));
        expect(results.filter((r) => r === 'ok')).toHaveLength(1);
        expect((await store.instanceProfiles.getByName('contested'))!.roles).toHaveLength(1);
      });

      it('entities of a policy: attachments of users, groups and roles, or boundaries of users and roles, by name', async () => {
        const p = policy('used');
        await store.managedPolicies.create(p, DOC(1));
        const u = user('Zed', { path: '/u/' });
        const g = group('mid');
        const r = role('Alpha', { permissionsBoundary: p.arn });
        await store.users.create(u);
        await store.groups.create(g);
        await store.roles.create(r, true);
        for (const owner of [
          { kind: 'user' as const, id: u.id, name: u.name },
          { kind: 'group' as const, id: g.id, name: g.name },
          { kind: 'role' as const, id: r.id, name: r.name },
        ]) {
          await store.attachments.attach(owner, p.arn, 10);
        }
        const all = { kinds: ['user', 'group', 'role'] as const, pathPrefix: '/', maxItems: 100 };
        expect(await store.attachments.entitiesPage(p.arn, { ...all, usages: ['PermissionsPolicy'] })).toEqual({
          items: [
            { kind: 'role', id: r.id, name: 'Alpha', path: '/' },
            { kind: 'group', id: g.id, name: 'mid', path: '/' },
            { kind: 'user', id: u.id, name: 'Zed', path: '/u/' },
          ],
        });
        expect(await store.attachments.entitiesPage(p.arn, { ...all, usages: ['PermissionsBoundary'] })).toEqual({ items: [{ kind: 'role', id: r.id, name: 'Alpha', path: '/' }] });
        // Both usages: Alpha, attached and bounded, once; by kind and path prefix; paged by a
        // position (kind rank / name), a user and a role of one name told apart.
        expect(await store.attachments.countFor(p.arn)).toBe(3);
        const both = { ...all, usages: ['PermissionsPolicy', 'PermissionsBoundary'] as const };
        const alphaUser = user('alpha');
        await store.users.create(alphaUser);
        await store.attachments.attach({ kind: 'user', id: alphaUser.id, name: alphaUser.name }, p.arn, 10);
        const entityNames = (page: { items: { kind: string; name: string }[] }) => page.items.map((e) => `${e.kind}:${e.name}`);
        expect(entityNames(await store.attachments.entitiesPage(p.arn, both))).toEqual(['user:alpha', 'role:Alpha', 'group:mid', 'user:Zed']);
        expect(entityNames(await store.attachments.entitiesPage(p.arn, { ...both, kinds: ['user'] }))).toEqual(['user:alpha', 'user:Zed']);
        expect(entityNames(await store.attachments.entitiesPage(p.arn, { ...both, pathPrefix: '/u' }))).toEqual(['user:Zed']);
        const first = await store.attachments.entitiesPage(p.arn, { ...both, maxItems: 1 });
        expect(first).toMatchObject({ nextMarker: '0/alpha' });
        const second = await store.attachments.entitiesPage(p.arn, { ...both, maxItems: 2, marker: first.nextMarker });
        expect(entityNames(second)).toEqual(['role:Alpha', 'group:mid']);
        expect(entityNames(await store.attachments.entitiesPage(p.arn, { ...both, marker: second.nextMarker }))).toEqual(['user:Zed']);
      });

      it('managed policy tags: kept at creation, keys case-sensitive, quota, untag', async () => {
        const p = policy('tagged', { tags: [{ Key: 'a', Value: '1' }] });
        await store.managedPolicies.create(p, DOC(1));
        expect(await store.managedPolicies.tag(p.arn, [{ Key: 'A', Value: '2' }], 50)).toBe('ok');
        expect((await store.managedPolicies.get(p.arn))!.tags).toEqual([
          { Key: 'a', Value: '1' },
          { Key: 'A', Value: '2' },
        ]);
        expect(await store.managedPolicies.tag(p.arn, [{ Key: 'b', Value: '3' }], 2)).toBe('too-many');
        expect(await store.managedPolicies.untag(p.arn, ['a'])).toBe('ok');
        expect((await store.managedPolicies.get(p.arn))!.tags).toEqual([{ Key: 'A', Value: '2' }]);
        expect(await store.managedPolicies.tag('arn:aws:iam::123456789012:policy/none', [], 50)).toBe('missing');
        expect(await store.managedPolicies.delete(p.arn)).toBe('ok');
        // Its tags went with it: a new policy of that name starts clean.
        const again = policy('tagged');
        await store.managedPolicies.create(again, DOC(1));
        expect((await store.managedPolicies.get(again.arn))!.tags).toEqual([]);
      });
    });

    describe('clear()', () => {
      it('removes every row, after which everything can be created again', async () => {
        const u = user('cleared', { tags: [{ Key: 'a', Value: 'b' }] });
        await store.users.create(u);
        await store.loginProfiles.create(profile(u.id), 24);
        await store.accessKeys.create(key(u.id), 2);
        await store.accessKeys.upsertRootKey('AKIAROOTCLEARED00000', 's', at());
        await store.passwordPolicy.put({
          minimumPasswordLength: 8,
          requireSymbols: false,
          requireNumbers: false,
          requireUppercaseCharacters: false,
          requireLowercaseCharacters: false,
          allowUsersToChangePassword: true,
        });
        await store.failures.increment('cleared', at(), 1000);
        await store.settings.set('cleared', 'yes');
        const g = group('cleared-group');
        await store.groups.create(g);
        await store.groups.addMember(g.id, u.id);
        const p = policy('Cleared');
        await store.managedPolicies.create(p, DOC(1));
        await store.inlinePolicies.put({ kind: 'user', id: u.id, name: 'owner' }, 'i', DOC(1));
        await store.attachments.attach({ kind: 'user', id: u.id, name: 'owner' }, p.arn, 10);
        await store.credentialReports.put(at(), Buffer.from('x'));
        await store.sshPublicKeys.create(sshKey(u.id), 5);
        await store.signingCertificates.create(cert(u.id), 2);
        await store.signingCertificates.create(cert(null, { thumbprint: 'root-cleared' }), 2);
        await store.serviceCredentials.create(serviceCredential(u.id), naming('cleared'), 2);
        const device = mfaDevice('cleared-device', { tags: [{ Key: 'a', Value: 'b' }] });
        await store.mfaDevices.create(device);
        await store.mfaDevices.enable(device.serialNumber, u.id, steps(1), at(), 8);

        await store.clear();

        expect(await store.users.count()).toBe(0);
        expect((await store.users.list({ pathPrefix: '/', maxItems: 10 })).items).toEqual([]);
        expect(await store.loginProfiles.get(u.id)).toBeUndefined();
        expect(await store.loginProfiles.passwordHistory(u.id, 24)).toEqual([]);
        expect(await store.accessKeys.listForOwner(u.id)).toEqual([]);
        expect(await store.accessKeys.listForOwner(null)).toEqual([]);
        expect(await store.passwordPolicy.get()).toBeUndefined();
        expect(await store.failures.increment('cleared', at(), 1000)).toBe(1);
        expect(await store.settings.get('cleared')).toBeUndefined();
        expect(await store.groups.count()).toBe(0);
        expect(await store.managedPolicies.count()).toBe(0);
        expect(await store.inlinePolicies.list({ kind: 'user', id: u.id, name: 'owner' })).toEqual([]);
        expect(await store.attachments.countFor(p.arn)).toBe(0);
        expect(await store.credentialReports.get()).toBeUndefined();
        expect(await store.sshPublicKeys.listForUser(u.id)).toEqual([]);
        expect(await store.signingCertificates.listForOwner(u.id)).toEqual([]);
        expect(await store.signingCertificates.listForOwner(null)).toEqual([]);
        expect(await store.serviceCredentials.list({})).toEqual([]);
        expect(await store.mfaDevices.counts()).toEqual({ devices: 0, inUse: 0 });
        expect(await store.mfaDevices.create(mfaDevice('cleared-device'))).toBe(true);

        expect(await store.users.create(user('cleared'))).toBe('ok');
        expect(await store.groups.create(group('cleared-group'))).toBe(true);
        expect(await store.managedPolicies.create(policy('Cleared'), DOC(1))).toBe(true);
      });
    });
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-conformance-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sqliteFile = path.join(tmp, 'conformance.sqlite');
storeConformance(
  'SQLite (file)',
  async () => openSqliteStore(sqliteFile),
  undefined,
  async () => openSqliteStore(sqliteFile),
);
storeConformance('SQLite (:memory:)', async () => openSqliteStore(':memory:'));
let postgresUrl: string | undefined;
storeConformance(
  'PostgreSQL',
  async () => openPostgresStore((postgresUrl ??= await newTestDatabase('conformance'))),
  undefined,
  async () => openPostgresStore(postgresUrl!),
);
