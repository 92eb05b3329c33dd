import path from 'node:path';
import { DEFAULT_SIGN_IN_SETTINGS, type SignInSettings } from '../domain/console-sign-in.js';
import { type AccountQuotas, parseAccountQuotas } from '../domain/quotas.js';

/** Everything `iamd serve` can be told, from flags first, then the environment, then defaults. */
export interface ServeConfig {
  host: string;
  port: number;
  /** The SQLite folder; null in memory mode (nothing is written to disk) and on PostgreSQL. */
  dataDir: string | null;
  /** A `postgres://` URL: the store is that PostgreSQL database, which several nodes may share. */
  databaseUrl: string | null;
  /** POST /moto-api/reset and /iamd-test/clock: implied by --memory, or --enable-test-endpoints. */
  testEndpoints: boolean;
  accountId: string;
  rootCredentials: { accessKeyId: string; secretAccessKey: string } | null;
  maxBodyBytes: number;
  /** What applies when the account has no password policy. */
  defaultPasswordPolicy: 'aws' | 'none';
  /** A file of banned passwords, one a line. */
  passwordBlocklistFile: string | null;
  blockCommonPasswords: boolean;
  /** Serve HTTPS with this certificate and key (PEM files). */
  tls: { certFile: string; keyFile: string } | null;
  /** Console sign-in throttling and sessions. */
  signIn: SignInSettings;
  /** IAMD_MASTER_KEY: base64 of 32 bytes sealing access-key secrets (else master.key in the data folder). */
  masterKey?: string;
  /** IAMD_ALLOW_UNSEALED_SECRETS=true: PostgreSQL without IAMD_MASTER_KEY keeps secrets in clear. */
  allowUnsealedSecrets?: boolean;
  /** IAMD_AUDIT_LOG: a file for the audit trail, `-` for stdout; off when absent. */
  auditLog?: string;
  /** Slow-client limits (IAMD_HEADERS_TIMEOUT_MS, IAMD_REQUEST_TIMEOUT_MS). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Bounded password hashing (IAMD_MAX_CONCURRENT_HASHES, IAMD_MAX_QUEUED_HASHES). */
  maxConcurrentHashes?: number;
  maxQueuedHashes?: number;
  /** IAMD_PUBLIC_URL: the base URL clients reach iamd at (the outbound federation issuer URL starts with it). */
  publicUrl?: string;
  /** Open connections at once (IAMD_MAX_CONNECTIONS). */
  maxConnections?: number;
  /** Open connections at once from one address (IAMD_MAX_CONNECTIONS_PER_ADDRESS). */
  maxConnectionsPerAddress?: number;
  /** IAMD_QUOTAS: account-wide entity quotas other than AWS's defaults (JSON, e.g. {"UsersQuota": 10000}). */
  quotas?: AccountQuotas;
}

export interface ServeFlags {
  host?: string;
  port?: string;
  dataDir?: string;
  memory?: boolean;
  database?: string;
  enableTestEndpoints?: boolean;
  maxBodyBytes?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export class ConfigError extends Error {}

export const DEFAULT_ACCOUNT_ID = '123456789012';
export const DEFAULT_PORT = 4599;
export const DEFAULT_DATA_DIR = 'iamd-data';
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function resolveServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): ServeConfig {
  const accountId = env.IAMD_ACCOUNT_ID ?? DEFAULT_ACCOUNT_ID;
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError(`IAMD_ACCOUNT_ID must be 12 digits, got "${accountId}"`);

  const keyId = env.IAMD_ROOT_ACCESS_KEY_ID;
  const secret = env.IAMD_ROOT_SECRET_ACCESS_KEY;
  if ((keyId === undefined) !== (secret === undefined)) {
    throw new ConfigError('set both IAMD_ROOT_ACCESS_KEY_ID and IAMD_ROOT_SECRET_ACCESS_KEY, or neither');
  }
  if (keyId !== undefined && !/^[\w]{3,128}$/.test(keyId)) {
    throw new ConfigError('IAMD_ROOT_ACCESS_KEY_ID must be 3-128 letters, digits or underscores');
  }
  if (secret !== undefined && secret.length < 8) throw new ConfigError('IAMD_ROOT_SECRET_ACCESS_KEY is too short');

  const memory = flags.memory === true;
  const databaseUrl = flags.database ?? (env.IAMD_DATABASE_URL || undefined) ?? null;
  if (databaseUrl !== null) {
    if (memory) throw new ConfigError('--memory and a database URL (--database, IAMD_DATABASE_URL) exclude each other');
    if (flags.dataDir !== undefined) throw new ConfigError('--data-dir and a database URL (--database, IAMD_DATABASE_URL) exclude each other');
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
      throw new ConfigError(`the database URL must be a postgres:// URL, got "${redactDatabaseUrl(databaseUrl)}"`);
    }
  }
  const dataDir = memory || databaseUrl !== null ? null : path.resolve(flags.dataDir ?? env.IAMD_DATA_DIR ?? DEFAULT_DATA_DIR);

  const defaultPasswordPolicy = env.IAMD_DEFAULT_PASSWORD_POLICY ?? 'aws';
  if (defaultPasswordPolicy !== 'aws' && defaultPasswordPolicy !== 'none') {
    throw new ConfigError(`IAMD_DEFAULT_PASSWORD_POLICY must be "aws" or "none", got "${defaultPasswordPolicy}"`);
  }
  const blockCommonPasswords = parseBoolean('IAMD_BLOCK_COMMON_PASSWORDS', env.IAMD_BLOCK_COMMON_PASSWORDS);

  // A database that several nodes share has no folder for master.key, and secrets in clear in
  // it are one dump away from every access key: the key (shared by the nodes) is required.
  const allowUnsealedSecrets = parseBoolean('IAMD_ALLOW_UNSEALED_SECRETS', env.IAMD_ALLOW_UNSEALED_SECRETS);
  if (databaseUrl !== null && !env.IAMD_MASTER_KEY && !allowUnsealedSecrets) {
    throw new ConfigError(
      'PostgreSQL needs IAMD_MASTER_KEY, the same on every node: base64 of 32 random bytes (`openssl rand -base64 32`) ' +
        'that seals access-key secrets in the database. To keep them in clear instead (tests only), set IAMD_ALLOW_UNSEALED_SECRETS=true.',
    );
  }

  const certFile = flags.tlsCert ?? env.IAMD_TLS_CERT;
  const keyFile = flags.tlsKey ?? env.IAMD_TLS_KEY;
  if ((certFile === undefined) !== (keyFile === undefined)) throw new ConfigError('give both --tls-cert and --tls-key, or neither');

  return {
    tls: certFile !== undefined && keyFile !== undefined ? { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) } : null,
    signIn: {
      ...DEFAULT_SIGN_IN_SETTINGS,
      freeAttemptsPerUser: parseInteger(
        'IAMD_SIGNIN_FREE_ATTEMPTS',
        env.IAMD_SIGNIN_FREE_ATTEMPTS ?? String(DEFAULT_SIGN_IN_SETTINGS.freeAttemptsPerUser),
        1,
        99,
      ),
      maxDelayMs:
        1000 *
        parseInteger('IAMD_SIGNIN_MAX_DELAY_SECONDS', env.IAMD_SIGNIN_MAX_DELAY_SECONDS ?? String(DEFAULT_SIGN_IN_SETTINGS.maxDelayMs / 1000), 1, 86_400),
    },
    defaultPasswordPolicy,
    passwordBlocklistFile: env.IAMD_PASSWORD_BLOCKLIST ? path.resolve(env.IAMD_PASSWORD_BLOCKLIST) : null,
    blockCommonPasswords,
    allowUnsealedSecrets,
    host: flags.host ?? env.IAMD_HOST ?? '127.0.0.1',
    port: parseInteger('port', flags.port ?? env.IAMD_PORT ?? String(DEFAULT_PORT), 0, 65535),
    dataDir,
    databaseUrl,
    testEndpoints: memory || flags.enableTestEndpoints === true,
    accountId,
    rootCredentials: keyId !== undefined && secret !== undefined ? { accessKeyId: keyId, secretAccessKey: secret } : null,
    maxBodyBytes: parseInteger(
      'max body bytes',
      flags.maxBodyBytes ?? env.IAMD_MAX_BODY_BYTES ?? String(DEFAULT_MAX_BODY_BYTES),
      1024,
      64 * 1024 * 1024,
    ),
    ...hardeningSettings(env),
  };
}

/** Secrets at rest, the audit trail and resource limits (SECURITY.md); each optional. */
function hardeningSettings(env: NodeJS.ProcessEnv): Partial<ServeConfig> {
  const optional = (name: string, min: number, max: number) => (env[name] ? parseInteger(name, env[name], min, max) : undefined);
  const headersTimeoutMs = optional('IAMD_HEADERS_TIMEOUT_MS', 100, 600_000);
  const requestTimeoutMs = optional('IAMD_REQUEST_TIMEOUT_MS', 100, 3_600_000);
  // The headers are part of the request, so their deadline cannot be the later one.
  const headers = headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const request = requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (headers > request) {
    throw new ConfigError(`IAMD_HEADERS_TIMEOUT_MS (${headers} ms) must not exceed IAMD_REQUEST_TIMEOUT_MS (${request} ms)`);
  }
  return {
    publicUrl: parsePublicUrl(env.IAMD_PUBLIC_URL || undefined),
    masterKey: env.IAMD_MASTER_KEY || undefined,
    auditLog: env.IAMD_AUDIT_LOG || undefined,
    headersTimeoutMs,
    requestTimeoutMs,
    maxConcurrentHashes: optional('IAMD_MAX_CONCURRENT_HASHES', 1, 1024),
    maxQueuedHashes: optional('IAMD_MAX_QUEUED_HASHES', 0, 100_000),
    maxConnections: optional('IAMD_MAX_CONNECTIONS', 1, 1_000_000),
    maxConnectionsPerAddress: optional('IAMD_MAX_CONNECTIONS_PER_ADDRESS', 1, 1_000_000),
    quotas: quotasSetting(env.IAMD_QUOTAS),
  };
}

function quotasSetting(raw: string | undefined): AccountQuotas {
  try {
    return parseAccountQuotas(raw);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** The URL with its password (if any) replaced, for logs and messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^/@]*):[^/@]*@/, '//$1:***@'); // not a URL; hide what looks like user:password@
  }
}

/** An http(s) URL with no query or fragment, without its trailing slash. */
function parsePublicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`IAMD_PUBLIC_URL must be a URL, got "${raw}"`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new ConfigError(`IAMD_PUBLIC_URL must be an http(s) URL without credentials, query or fragment, got "${raw}"`);
  }
  return url.toString().replace(/\/+$/, '');
}

/** "true" or "false" (absent: false). */
function parseBoolean(name: string, raw: string | undefined): boolean {
  if (raw === undefined) return false;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be "true" or "false", got "${raw}"`);
  return raw === 'true';
}

function parseInteger(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}
