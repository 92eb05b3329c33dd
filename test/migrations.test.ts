/**
 * Upgrading a database made by the previous release (schema version 4, before the shared layer)
 * keeps every row, with its meaning: users with their tags in order, groups and members, policies
 * with versions, inline policies and attachments in their order, case-insensitive names and keys.
 * Run on a SQLite file and on PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/ports/store.js';
import { MIGRATIONS as SQLITE_V1_TO_V4 } from '../src/storage/sqlite/migrations.js';
import { OWN_MIGRATIONS as POSTGRES_V1_TO_V4 } from '../src/storage/postgres/migrations.js';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { render, SHARED_MIGRATIONS } from '../src/storage/sql/schema.js';
import { openPostgresStore } from '../src/storage/postgres/postgres-store.js';
import { newTestDatabase } from './support/postgres-tests.js';

const T = Date.UTC(2026, 5, 1);
const ARN = 'arn:aws:iam::123456789012:policy/Old';

/** Rows as the previous release wrote them; `?` placeholders, booleans as the dialect stores them. */
function v4Rows(flag: (b: boolean) => unknown): [string, unknown[]][] {
  return [
    ['INSERT INTO users (id, name, path, created_at, permissions_boundary) VALUES (?, ?, ?, ?, ?)', ['AIDAOLDUSER000000001', 'Alice', '/eng/', T, ARN]],
    ['INSERT INTO user_tags (user_id, key, value, position) VALUES (?, ?, ?, ?)', ['AIDAOLDUSER000000001', 'Team', 'a', 0]],
    ['INSERT INTO user_tags (user_id, key, value, position) VALUES (?, ?, ?, ?)', ['AIDAOLDUSER000000001', 'cost', '1', 1]],
    ['INSERT INTO login_profiles (user_id, password_hash, created_at, password_changed_at, password_reset_required) VALUES (?, ?, ?, ?, ?)', ['AIDAOLDUSER000000001', 'hash', T, T, flag(true)]],
    ['INSERT INTO groups (id, name, path, created_at) VALUES (?, ?, ?, ?)', ['AGPAOLDGROUP00000001', 'Admins', '/', T]],
    ['INSERT INTO group_members (group_id, user_id) VALUES (?, ?)', ['AGPAOLDGROUP00000001', 'AIDAOLDUSER000000001']],
    [
      'INSERT INTO managed_policies (arn, id, name, path, description, default_version, next_version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [ARN, 'ANPAOLDPOLICY0000001', 'Old', '/', 'kept', 1, 2, T, T],
    ],
    ['INSERT INTO policy_versions (policy_arn, version, document, created_at) VALUES (?, ?, ?, ?)', [ARN, 1, '{"Version":"2012-10-17","Statement":[]}', T]],
    ['INSERT INTO inline_policies (owner_kind, owner_id, name, document) VALUES (?, ?, ?, ?)', ['user', 'AIDAOLDUSER000000001', 'Inline', '{}']],
    ['INSERT INTO inline_policies (owner_kind, owner_id, name, document) VALUES (?, ?, ?, ?)', ['group', 'AGPAOLDGROUP00000001', 'GroupInline', '{}']],
    ['INSERT INTO policy_attachments (owner_kind, owner_id, policy_arn) VALUES (?, ?, ?)', ['user', 'AIDAOLDUSER000000001', 'arn:aws:iam::aws:policy/Z']],
    ['INSERT INTO policy_attachments (owner_kind, owner_id, policy_arn) VALUES (?, ?, ?)', ['user', 'AIDAOLDUSER000000001', ARN]],
  ];
}

async function expectUpgraded(store: Store): Promise<void> {
  const alice = await store.users.getByName('ALICE');
  expect(alice).toMatchObject({ id: 'AIDAOLDUSER000000001', name: 'Alice', path: '/eng/', permissionsBoundary: ARN });
  expect(alice!.tags).toEqual([
    { Key: 'Team', Value: 'a' },
    { Key: 'cost', Value: '1' },
  ]);
  expect(await store.users.tag('alice', [{ Key: 'TEAM', Value: 'b' }], 50)).toBe('ok'); // keys still case-insensitive
  expect((await store.users.getByName('alice'))!.tags).toEqual([
    { Key: 'TEAM', Value: 'b' },
    { Key: 'cost', Value: '1' },
  ]);
  expect(await store.loginProfiles.get('AIDAOLDUSER000000001')).toMatchObject({ passwordHash: 'hash', passwordResetRequired: true });
  expect(await store.users.create({ ...alice!, id: 'AIDANEWUSER000000001', name: 'aLiCe' })).toBe('exists');
  const group = await store.groups.getByName('admins');
  expect(group?.name).toBe('Admins');
  expect((await store.groups.members(group!.id)).map((u) => u.name)).toEqual(['Alice']);
  expect(await store.managedPolicies.get(ARN)).toMatchObject({ name: 'Old', description: 'kept', attachmentCount: 1, permissionsBoundaryUsageCount: 1, tags: [] });
  const owner = { kind: 'user' as const, id: 'AIDAOLDUSER000000001', name: 'Alice' };
  expect(await store.inlinePolicies.get(owner, 'INLINE')).toEqual({ name: 'Inline', document: '{}' });
  expect(await store.attachments.list(owner)).toEqual(['arn:aws:iam::aws:policy/Z', ARN]);
  expect((await store.authorization.policiesFor('AIDAOLDUSER000000001')).inline).toHaveLength(2);
  expect(await store.users.delete('alice')).toBe('has-login-profile');
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-migrations-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('upgrading a version 4 database', () => {
  it('SQLite', async () => {
    const file = path.join(tmp, 'v4.sqlite');
    const db = new Database(file);
    SQLITE_V1_TO_V4.forEach((m, i) => {
      db.exec(m);
      db.pragma(`user_version = ${i + 1}`);
    });
    for (const [sql, params] of v4Rows((b) => (b ? 1 : 0))) db.prepare(sql).run(...params);
    db.close();
    const store = openSqliteStore(file);
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL', async () => {
    const url = await newTestDatabase('upgrade');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const [i, m] of POSTGRES_V1_TO_V4.entries()) {
      await client.query(m);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, T]);
    }
    for (const [sql, params] of v4Rows((b) => b)) {
      let n = 0;
      await client.query(sql.replace(/\?/g, () => `$${++n}`), params);
    }
    await client.end();
    const store = await openPostgresStore(url);
    try {
      await expectUpgraded(store);
    } finally {
      await store.close();
    }
  });
});

// Version 12 records, with each role, the unique ids its trust policy's named users and roles
// resolved to. A role from before has none: read as such (null), and recorded at its first use.
describe('upgrading a version 11 database', () => {
  const TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/Alice"},"Action":"sts:AssumeRole"}]}';
  const ROLE = [
    'INSERT INTO roles (id, name, name_key, path, created_at, max_session_duration, trust_policy) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ['AROAOLDROLE000000001', 'Old', 'old', '/', T, 3600, TRUST],
  ] as const;
  async function expectRoleWithoutIds(store: Store): Promise<void> {
    expect(await store.roles.getByName('old')).toMatchObject({ id: 'AROAOLDROLE000000001', trustPolicy: TRUST, trustPrincipalIds: null });
    const ids = { 'arn:aws:iam::123456789012:user/Alice': 'AIDAOLDUSER000000001' };
    await store.roles.recordTrustPrincipalIds('AROAOLDROLE000000001', TRUST, ids);
    expect((await store.roles.getByName('old'))!.trustPrincipalIds).toEqual(ids);
  }

  it('SQLite', async () => {
    const file = path.join(tmp, 'v11.sqlite');
    const db = new Database(file);
    [...SQLITE_V1_TO_V4, ...SHARED_MIGRATIONS.slice(0, 7).map((m) => render(m, 'sqlite'))].forEach((m, i) => {
      db.exec(m);
      db.pragma(`user_version = ${i + 1}`);
    });
    db.prepare(ROLE[0]).run(...ROLE[1]);
    db.close();
    const store = openSqliteStore(file);
    try {
      await expectRoleWithoutIds(store);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL', async () => {
    const url = await newTestDatabase('upgrade11');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    for (const [i, m] of [...POSTGRES_V1_TO_V4, ...SHARED_MIGRATIONS.slice(0, 7).map((m) => render(m, 'postgres'))].entries()) {
      await client.query(m);
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [i + 1, T]);
    }
    let n = 0;
    await client.query(ROLE[0].replace(/\?/g, () => `$${++n}`), [...ROLE[1]]);
    await client.end();
    const store = await openPostgresStore(url);
    try {
      await expectRoleWithoutIds(store);
    } finally {
      await store.close();
    }
  });
});
