import Database from 'better-sqlite3';
import type { AccessKey, AccessKeyStatus, LoginProfile, Tag, User } from '../../domain/entities.js';
import type {
  AccessKeyRepository,
  ConsoleSessionRepository,
  SignInThrottleRepository,
  AttachmentRepository,
  AuthorizationRepository,
  CredentialReportRepository,
  GroupRepository,
  InlinePolicyRepository,
  ManagedPolicyRepository,
  ListPage,
  FailureCounterRepository,
  LoginProfileRepository,
  PasswordPolicyRepository,
  PasswordWrite,
  SettingsRepository,
  Store,
  UserRepository,
} from '../../ports/store.js';
import type { PasswordPolicy } from '../../domain/password-policy.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteConsoleSessions, SqliteSignInThrottle } from './sqlite-console.js';
import {
  SqliteAttachments,
  SqliteAuthorization,
  SqliteCredentialReports,
  SqliteGroups,
  SqliteInlinePolicies,
  SqliteManagedPolicies,
} from './sqlite-policies.js';

export type Db = Database.Database;

/**
 * Whether a customer managed policy exists, asked inside the transaction that links something to
 * it (attachment, boundary), so that a DeletePolicy cannot slip in between the check and the link.
 */
export const managedPolicyExists = (db: Db, arn: string | null): boolean =>
  arn !== null && db.prepare('SELECT 1 FROM managed_policies WHERE arn = ?').get(arn) !== undefined;

export interface UserRow {
  id: string;
  name: string;
  path: string;
  created_at: number;
  password_last_used: number | null;
  permissions_boundary: string | null;
}
interface AccessKeyRow {
  id: string;
  user_id: string | null;
  secret: string;
  status: AccessKeyStatus;
  created_at: number;
  last_used_at: number | null;
  last_used_region: string | null;
  last_used_service: string | null;
}
interface LoginProfileRow {
  user_id: string;
  password_hash: string;
  created_at: number;
  password_changed_at: number;
  password_reset_required: number;
}

/**
 * Opens (creating if needed) a SQLite database and brings its schema up to date.
 * `filename` ':memory:' gives the same store without a file, for `--memory`.
 */
export function openSqliteStore(filename: string): Store {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL'); // readers never wait for the writer
  db.pragma('synchronous = NORMAL'); // durable at each WAL checkpoint; safe against process crashes
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return new SqliteStore(db);
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database schema is version ${current}, newer than this iamd knows (${MIGRATIONS.length}); upgrade iamd`,
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

export const toDate = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

class SqliteStore implements Store {
  readonly users: UserRepository;
  readonly accessKeys: AccessKeyRepository;
  readonly loginProfiles: LoginProfileRepository;
  readonly passwordPolicy: PasswordPolicyRepository;
  readonly failures: FailureCounterRepository;
  readonly groups: GroupRepository;
  readonly managedPolicies: ManagedPolicyRepository;
  readonly inlinePolicies: InlinePolicyRepository;
  readonly attachments: AttachmentRepository;
  readonly authorization: AuthorizationRepository;
  readonly credentialReports: CredentialReportRepository;
  readonly consoleSessions: ConsoleSessionRepository;
  readonly signInThrottle: SignInThrottleRepository;
  readonly settings: SettingsRepository;

  constructor(private readonly db: Db) {
    this.consoleSessions = new SqliteConsoleSessions(db);
    this.signInThrottle = new SqliteSignInThrottle(db);
    const users = new SqliteUsers(db);
    this.groups = new SqliteGroups(db, users);
    this.managedPolicies = new SqliteManagedPolicies(db);
    this.inlinePolicies = new SqliteInlinePolicies(db);
    this.attachments = new SqliteAttachments(db);
    this.authorization = new SqliteAuthorization(db);
    this.credentialReports = new SqliteCredentialReports(db);
    this.users = users;
    this.accessKeys = new SqliteAccessKeys(db);
    this.loginProfiles = new SqliteLoginProfiles(db);
    this.passwordPolicy = new SqlitePasswordPolicy(db);
    this.failures = new SqliteFailureCounters(db);
    this.settings = new SqliteSettings(db);
  }

  async clear(): Promise<void> {
    this.db
      .transaction(() => {
        for (const table of [
          'console_sessions',
          'sign_in_throttle',
          'credential_reports',
          'policy_attachments',
          'inline_policies',
          'policy_versions',
          'managed_policies',
          'group_members',
          'groups',
          'password_history',
          'failure_counters',
          'password_policy',
          'login_profiles',
          'access_keys',
          'user_tags',
          'users',
          'settings',
        ]) {
          this.db.prepare(`DELETE FROM ${table}`).run();
        }
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

export class SqliteUsers implements UserRepository {
  private readonly insertUser;
  private readonly insertTag;
  private readonly byName;
  private readonly byId;
  private readonly tagsOf;
  private readonly maxTagPosition;
  private readonly page;
  private readonly tagsOfMany;

  constructor(private readonly db: Db) {
    this.insertUser = db.prepare(
      'INSERT INTO users (id, name, path, created_at, password_last_used, permissions_boundary) VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING',
    );
    this.insertTag = db.prepare(
      `INSERT INTO user_tags (user_id, key, value, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id, key) DO UPDATE SET key = excluded.key, value = excluded.value`,
    );
    this.byName = db.prepare<[string], UserRow>('SELECT * FROM users WHERE name = ?');
    this.byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?');
    this.tagsOf = db.prepare<[string], { key: string; value: string }>(
      'SELECT key, value FROM user_tags WHERE user_id = ? ORDER BY position',
    );
    this.maxTagPosition = db.prepare<[string], { n: number | null }>(
      'SELECT max(position) AS n FROM user_tags WHERE user_id = ?',
    );
    // The ids come as one JSON array, so any number of users fits one statement.
    this.tagsOfMany = db.prepare<[string], { user_id: string; key: string; value: string }>(
      'SELECT user_id, key, value FROM user_tags WHERE user_id IN (SELECT value FROM json_each(?)) ORDER BY position',
    );
    // Names compare case-insensitively (the column's collation), which is also the listing order.
    // `name > coalesce(...)` (not `marker IS NULL OR …`) lets SQLite seek the name index.
    this.page = db.prepare<[{ prefix: string; marker: string | null; limit: number }], UserRow>(
      `SELECT * FROM users
       WHERE substr(path, 1, length(@prefix)) = @prefix AND name > coalesce(@marker, '')
       ORDER BY name LIMIT @limit`,
    );
  }

  /** Users with their tags: one query for the tags of the whole list, not one per user. */
  toUsers(rows: UserRow[]): User[] {
    if (rows.length === 0) return [];
    const tags = new Map<string, Tag[]>();
    const all = this.tagsOfMany.all(JSON.stringify(rows.map((r) => r.id)));
    for (const t of all) {
      const list = tags.get(t.user_id) ?? [];
      list.push({ Key: t.key, Value: t.value });
      tags.set(t.user_id, list);
    }
    return rows.map((r) => this.toUser(r, tags.get(r.id) ?? []));
  }

  toUser(row: UserRow, tags?: Tag[]): User {
    return {
      id: row.id,
      name: row.name,
      path: row.path,
      createdAt: new Date(row.created_at),
      passwordLastUsed: toDate(row.password_last_used),
      tags: tags ?? this.tagsOf.all(row.id).map((t) => ({ Key: t.key, Value: t.value })),
      permissionsBoundary: row.permissions_boundary,
    };
  }

  async create(user: User, boundaryMustExist = false): Promise<'ok' | 'exists' | 'no-policy'> {
    return this.db
      .transaction(() => {
        if (boundaryMustExist && !managedPolicyExists(this.db, user.permissionsBoundary)) {
          return 'no-policy' as const;
        }
        const inserted =
          this.insertUser.run(user.id, user.name, user.path, user.createdAt.getTime(), user.permissionsBoundary).changes === 1;
        if (!inserted) return 'exists' as const;
        user.tags.forEach((t, i) => this.insertTag.run(user.id, t.Key, t.Value, i));
        return 'ok' as const;
      })
      .immediate();
  }

  async getByName(name: string): Promise<User | undefined> {
    const row = this.byName.get(name);
    return row && this.toUser(row);
  }

  async getById(id: string): Promise<User | undefined> {
    const row = this.byId.get(id);
    return row && this.toUser(row);
  }

  async list(options: { pathPrefix: string; marker?: string; maxItems: number }): Promise<ListPage<User>> {
    // Ordered by name, case-insensitively (the uniqueness rule); the marker is the last name served.
    const rows = this.page.all({
      prefix: options.pathPrefix,
      marker: options.marker ?? null,
      limit: options.maxItems + 1,
    });
    const more = rows.length > options.maxItems;
    const items = this.toUsers(rows.slice(0, options.maxItems));
    return more ? { items, nextMarker: items[items.length - 1]!.name } : { items };
  }

  async update(name: string, change: { newName?: string; newPath?: string }): Promise<'missing' | 'name-taken' | 'ok'> {
    return this.db
      .transaction(() => {
        const row = this.byName.get(name);
        if (!row) return 'missing' as const;
        if (change.newName !== undefined) {
          const other = this.byName.get(change.newName);
          if (other && other.id !== row.id) return 'name-taken' as const;
        }
        this.db
          .prepare('UPDATE users SET name = ?, path = ? WHERE id = ?')
          .run(change.newName ?? row.name, change.newPath ?? row.path, row.id);
        return 'ok' as const;
      })
      .immediate();
  }

  async delete(name: string) {
    return this.db
      .transaction(() => {
        const row = this.byName.get(name);
        if (!row) return 'missing' as const;
        // The order in which AWS reports what still hangs off a user.
        const has = (sql: string) => this.db.prepare(sql).get(row.id) !== undefined;
        if (has('SELECT 1 FROM login_profiles WHERE user_id = ?')) return 'has-login-profile' as const;
        if (has('SELECT 1 FROM access_keys WHERE user_id = ?')) return 'has-access-keys' as const;
        if (has("SELECT 1 FROM inline_policies WHERE owner_kind = 'user' AND owner_id = ?")) return 'has-inline-policies' as const;
        if (has("SELECT 1 FROM policy_attachments WHERE owner_kind = 'user' AND owner_id = ?")) return 'has-attached-policies' as const;
        if (has('SELECT 1 FROM group_members WHERE user_id = ?')) return 'in-groups' as const;
        this.db.prepare('DELETE FROM users WHERE id = ?').run(row.id);
        return 'ok' as const;
      })
      .immediate();
  }

  async tag(name: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'> {
    const run = this.db.transaction(() => {
      const row = this.byName.get(name);
      if (!row) return 'missing' as const;
      let position = (this.maxTagPosition.get(row.id)?.n ?? -1) + 1;
      for (const t of tags) this.insertTag.run(row.id, t.Key, t.Value, position++);
      const count = (this.db.prepare('SELECT count(*) AS n FROM user_tags WHERE user_id = ?').get(row.id) as { n: number }).n;
      if (count > maxTags) throw new TooManyTags();
      return 'ok' as const;
    });
    try {
      return run.immediate();
    } catch (e) {
      if (e instanceof TooManyTags) return 'too-many'; // the transaction rolled back
      throw e;
    }
  }

  async untag(name: string, keys: string[]): Promise<'missing' | 'ok'> {
    return this.db
      .transaction(() => {
        const row = this.byName.get(name);
        if (!row) return 'missing' as const;
        const del = this.db.prepare('DELETE FROM user_tags WHERE user_id = ? AND key = ?');
        for (const k of keys) del.run(row.id, k);
        return 'ok' as const;
      })
      .immediate();
  }

  async recordPasswordUse(userId: string, at: Date): Promise<void> {
    this.db.prepare('UPDATE users SET password_last_used = ? WHERE id = ?').run(at.getTime(), userId);
  }

  async setPermissionsBoundary(name: string, policyArn: string | null, policyMustExist = false): Promise<'ok' | 'no-user' | 'no-policy'> {
    return this.db
      .transaction(() => {
        if (policyMustExist && !managedPolicyExists(this.db, policyArn)) return 'no-policy' as const;
        return this.db.prepare('UPDATE users SET permissions_boundary = ? WHERE name = ?').run(policyArn, name).changes === 1 ? ('ok' as const) : ('no-user' as const);
      })
      .immediate();
  }

  async count(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }
}

class TooManyTags extends Error {}

class SqliteAccessKeys implements AccessKeyRepository {
  private readonly byId;

  constructor(private readonly db: Db) {
    this.byId = db.prepare<[string], AccessKeyRow>('SELECT * FROM access_keys WHERE id = ?');
  }

  private static toKey(row: AccessKeyRow): AccessKey {
    return {
      id: row.id,
      userId: row.user_id,
      secret: row.secret,
      status: row.status,
      createdAt: new Date(row.created_at),
      lastUsed:
        row.last_used_at === null
          ? null
          : { at: new Date(row.last_used_at), region: row.last_used_region ?? 'N/A', service: row.last_used_service ?? 'N/A' },
    };
  }

  async create(key: AccessKey, maxPerUser: number): Promise<'ok' | 'quota' | 'no-owner'> {
    return this.db
      .transaction(() => {
        if (key.userId !== null && !this.db.prepare('SELECT 1 FROM users WHERE id = ?').get(key.userId)) return 'no-owner' as const;
        const { n } = this.db
          .prepare('SELECT count(*) AS n FROM access_keys WHERE user_id IS ?')
          .get(key.userId) as { n: number };
        if (n >= maxPerUser) return 'quota' as const;
        this.db
          .prepare('INSERT INTO access_keys (id, user_id, secret, status, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(key.id, key.userId, key.secret, key.status, key.createdAt.getTime());
        return 'ok' as const;
      })
      .immediate();
  }

  async get(id: string): Promise<AccessKey | undefined> {
    const row = this.byId.get(id);
    return row && SqliteAccessKeys.toKey(row);
  }

  async listForOwner(userId: string | null): Promise<AccessKey[]> {
    return this.db
      .prepare<[string | null], AccessKeyRow>('SELECT * FROM access_keys WHERE user_id IS ? ORDER BY created_at, id')
      .all(userId)
      .map(SqliteAccessKeys.toKey);
  }

  async setStatus(id: string, userId: string | null, status: AccessKeyStatus): Promise<boolean> {
    return this.db.prepare('UPDATE access_keys SET status = ? WHERE id = ? AND user_id IS ?').run(status, id, userId).changes === 1;
  }

  async delete(id: string, userId: string | null): Promise<boolean> {
    return this.db.prepare('DELETE FROM access_keys WHERE id = ? AND user_id IS ?').run(id, userId).changes === 1;
  }

  async recordUse(id: string, at: Date, region: string, service: string): Promise<void> {
    this.db
      .prepare('UPDATE access_keys SET last_used_at = ?, last_used_region = ?, last_used_service = ? WHERE id = ?')
      .run(at.getTime(), region, service, id);
  }

  async upsertRootKey(id: string, secret: string, createdAt: Date): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO access_keys (id, user_id, secret, status, created_at) VALUES (?, NULL, ?, 'Active', ?)
         ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, status = 'Active' WHERE user_id IS NULL`,
      )
      .run(id, secret, createdAt.getTime());
  }

  async listAllSecrets(): Promise<{ id: string; secret: string }[]> {
    return this.db.prepare<[], { id: string; secret: string }>('SELECT id, secret FROM access_keys ORDER BY id').all();
  }

  async replaceSecret(id: string, oldSecret: string, newSecret: string): Promise<boolean> {
    return this.db.prepare('UPDATE access_keys SET secret = ? WHERE id = ? AND secret = ?').run(newSecret, id, oldSecret).changes === 1;
  }
}

class SqliteLoginProfiles implements LoginProfileRepository {
  private readonly byUser;
  private readonly insertHistory;
  private readonly trimHistory;

  constructor(private readonly db: Db) {
    this.byUser = db.prepare<[string], LoginProfileRow>('SELECT * FROM login_profiles WHERE user_id = ?');
    this.insertHistory = db.prepare('INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)');
    this.trimHistory = db.prepare(
      `DELETE FROM password_history WHERE user_id = @userId AND seq NOT IN
         (SELECT seq FROM password_history WHERE user_id = @userId ORDER BY seq DESC LIMIT @keep)`,
    );
  }

  async get(userId: string): Promise<LoginProfile | undefined> {
    const row = this.byUser.get(userId);
    return (
      row && {
        userId: row.user_id,
        passwordHash: row.password_hash,
        createdAt: new Date(row.created_at),
        passwordChangedAt: new Date(row.password_changed_at),
        passwordResetRequired: row.password_reset_required === 1,
      }
    );
  }

  private recordHistory(userId: string, password: PasswordWrite): void {
    this.insertHistory.run(userId, password.passwordHash, password.passwordChangedAt.getTime());
    this.trimHistory.run({ userId, keep: password.historyLimit });
  }

  async create(p: LoginProfile, historyLimit: number): Promise<boolean> {
    return this.db
      .transaction(() => {
        const inserted =
          this.db
            .prepare(
              `INSERT INTO login_profiles (user_id, password_hash, created_at, password_changed_at, password_reset_required)
               SELECT @userId, @hash, @createdAt, @changedAt, @resetRequired WHERE EXISTS (SELECT 1 FROM users WHERE id = @userId)
               ON CONFLICT DO NOTHING`,
            )
            .run({
              userId: p.userId,
              hash: p.passwordHash,
              createdAt: p.createdAt.getTime(),
              changedAt: p.passwordChangedAt.getTime(),
              resetRequired: p.passwordResetRequired ? 1 : 0,
            })
            .changes === 1;
        if (inserted) {
          this.recordHistory(p.userId, { passwordHash: p.passwordHash, passwordChangedAt: p.passwordChangedAt, historyLimit });
        }
        return inserted;
      })
      .immediate();
  }

  async update(
    userId: string,
    change: { password?: PasswordWrite; passwordResetRequired?: boolean; expectedHash?: string },
  ): Promise<'ok' | 'missing' | 'stale'> {
    return this.db
      .transaction(() => {
        const current = this.byUser.get(userId);
        if (!current) return 'missing' as const;
        if (change.expectedHash !== undefined && current.password_hash !== change.expectedHash) return 'stale' as const;
        this.db
          .prepare(
            `UPDATE login_profiles SET password_hash = ?, password_changed_at = ?, password_reset_required = ? WHERE user_id = ?`,
          )
          .run(
            change.password?.passwordHash ?? current.password_hash,
            change.password?.passwordChangedAt.getTime() ?? current.password_changed_at,
            change.passwordResetRequired === undefined ? current.password_reset_required : change.passwordResetRequired ? 1 : 0,
            userId,
          );
        if (change.password) this.recordHistory(userId, change.password);
        return 'ok' as const;
      })
      .immediate();
  }

  async delete(userId: string): Promise<boolean> {
    return this.db.prepare('DELETE FROM login_profiles WHERE user_id = ?').run(userId).changes === 1;
  }

  async passwordHistory(userId: string, limit: number): Promise<string[]> {
    return this.db
      .prepare<[string, number], { password_hash: string }>(
        'SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY seq DESC LIMIT ?',
      )
      .all(userId, limit)
      .map((r) => r.password_hash);
  }
}

interface PasswordPolicyRow {
  minimum_password_length: number;
  require_symbols: number;
  require_numbers: number;
  require_uppercase_characters: number;
  require_lowercase_characters: number;
  allow_users_to_change_password: number;
  max_password_age: number | null;
  password_reuse_prevention: number | null;
  hard_expiry: number | null;
}

class SqlitePasswordPolicy implements PasswordPolicyRepository {
  constructor(private readonly db: Db) {}

  async get(): Promise<PasswordPolicy | undefined> {
    const row = this.db.prepare<[], PasswordPolicyRow>('SELECT * FROM password_policy WHERE id = 1').get();
    if (!row) return undefined;
    const policy: PasswordPolicy = {
      minimumPasswordLength: row.minimum_password_length,
      requireSymbols: row.require_symbols === 1,
      requireNumbers: row.require_numbers === 1,
      requireUppercaseCharacters: row.require_uppercase_characters === 1,
      requireLowercaseCharacters: row.require_lowercase_characters === 1,
      allowUsersToChangePassword: row.allow_users_to_change_password === 1,
    };
    if (row.max_password_age !== null) policy.maxPasswordAge = row.max_password_age;
    if (row.password_reuse_prevention !== null) policy.passwordReusePrevention = row.password_reuse_prevention;
    if (row.hard_expiry !== null) policy.hardExpiry = row.hard_expiry === 1;
    return policy;
  }

  async put(p: PasswordPolicy): Promise<void> {
    const flag = (b: boolean | undefined) => (b === undefined ? null : b ? 1 : 0);
    this.db
      .prepare(
        `INSERT OR REPLACE INTO password_policy (id, minimum_password_length, require_symbols, require_numbers,
           require_uppercase_characters, require_lowercase_characters, allow_users_to_change_password,
           max_password_age, password_reuse_prevention, hard_expiry)
         VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        p.minimumPasswordLength,
        flag(p.requireSymbols),
        flag(p.requireNumbers),
        flag(p.requireUppercaseCharacters),
        flag(p.requireLowercaseCharacters),
        flag(p.allowUsersToChangePassword),
        p.maxPasswordAge ?? null,
        p.passwordReusePrevention ?? null,
        flag(p.hardExpiry),
      );
  }

  async delete(): Promise<boolean> {
    return this.db.prepare('DELETE FROM password_policy WHERE id = 1').run().changes === 1;
  }
}

class SqliteFailureCounters implements FailureCounterRepository {
  constructor(private readonly db: Db) {}

  async increment(key: string, now: Date, windowMs: number): Promise<number> {
    // One statement: a window that has run out starts again at one failure.
    const row = this.db
      .prepare<[{ key: string; now: number; windowMs: number }], { failures: number }>(
        `INSERT INTO failure_counters (key, failures, window_started_at) VALUES (@key, 1, @now)
         ON CONFLICT (key) DO UPDATE SET
           failures = CASE WHEN @now - window_started_at >= @windowMs THEN 1 ELSE failures + 1 END,
           window_started_at = CASE WHEN @now - window_started_at >= @windowMs THEN @now ELSE window_started_at END
         RETURNING failures`,
      )
      .get({ key, now: now.getTime(), windowMs });
    return row!.failures;
  }

  async reset(key: string): Promise<void> {
    this.db.prepare('DELETE FROM failure_counters WHERE key = ?').run(key);
  }
}

class SqliteSettings implements SettingsRepository {
  constructor(private readonly db: Db) {}

  async get(key: string): Promise<string | undefined> {
    const row = this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(key);
    return row?.value;
  }

  async set(key: string, value: string): Promise<void> {
    this.db
      .prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }
}
