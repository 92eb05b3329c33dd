import type pg from 'pg';
import type {
  AccessKeyRepository,
  AttachmentRepository,
  AuthorizationRepository,
  ConsoleSessionRepository,
  CredentialReportRepository,
  FailureCounterRepository,
  GroupRepository,
  InlinePolicyRepository,
  LoginProfileRepository,
  ManagedPolicyRepository,
  PasswordPolicyRepository,
  SettingsRepository,
  SignInThrottleRepository,
  Store,
  UserRepository,
} from '../../ports/store.js';
import { PostgresAccessKeys } from './access-keys.js';
import { PostgresConsoleSessions, PostgresSignInThrottle } from './console.js';
import { createPool } from './db.js';
import { PostgresLoginProfiles } from './login-profiles.js';
import { migrate, MIGRATION_LOCK } from './migrations.js';
import {
  PostgresAttachments,
  PostgresAuthorization,
  PostgresCredentialReports,
  PostgresGroups,
  PostgresInlinePolicies,
  PostgresManagedPolicies,
} from './policies.js';
import { PostgresFailureCounters, PostgresPasswordPolicy, PostgresSettings } from './settings.js';
import { PostgresUsers } from './users.js';

export interface PostgresStore extends Store {
  /**
   * Runs `work` while holding the installation-wide advisory lock (the one migrations take), so
   * that first-start set-up (the root credentials) happens once when several nodes start at once.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Connects to PostgreSQL (a `postgres://` URL), brings the schema up to date and returns the store.
 * Several iamd processes may share one database: every repository method is one transaction.
 */
export async function openPostgresStore(url: string, options: { onError?: (e: Error) => void } = {}): Promise<PostgresStore> {
  const pool = createPool(url, options.onError ?? (() => {}));
  try {
    await migrate(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }
  return new PgStore(pool);
}

class PgStore implements PostgresStore {
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
  private closed = false;

  constructor(private readonly pool: pg.Pool) {
    this.users = new PostgresUsers(pool);
    this.accessKeys = new PostgresAccessKeys(pool);
    this.loginProfiles = new PostgresLoginProfiles(pool);
    this.passwordPolicy = new PostgresPasswordPolicy(pool);
    this.failures = new PostgresFailureCounters(pool);
    this.groups = new PostgresGroups(pool);
    this.managedPolicies = new PostgresManagedPolicies(pool);
    this.inlinePolicies = new PostgresInlinePolicies(pool);
    this.attachments = new PostgresAttachments(pool);
    this.authorization = new PostgresAuthorization(pool);
    this.credentialReports = new PostgresCredentialReports(pool);
    this.consoleSessions = new PostgresConsoleSessions(pool);
    this.signInThrottle = new PostgresSignInThrottle(pool);
    this.settings = new PostgresSettings(pool);
  }

  async clear(): Promise<void> {
    // Every table but the schema's own bookkeeping, in one statement (and so one transaction).
    const { rows } = await this.pool.query<{ t: string }>(
      `SELECT quote_ident(tablename) AS t FROM pg_tables
       WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY tablename`,
    );
    if (rows.length > 0) await this.pool.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY`);
  }

  async exclusively<T>(work: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
