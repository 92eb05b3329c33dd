import fs from 'node:fs';
import path from 'node:path';
import { redactDatabaseUrl, type ServeConfig } from '../config/config.js';
import type { Domain } from '../domain/context.js';
import { policyAuthorizer } from '../domain/authorization.js';
import { randomIds } from '../domain/ids.js';
import { argon2Hasher } from '../crypto/argon2-hasher.js';
import { QueryApi } from '../protocol/query-api.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import type { Store } from '../ports/store.js';
import { bootstrap } from './bootstrap.js';
import { startHttpServer } from './http-server.js';
import type { Logger } from './logger.js';
import type { Clock } from '../ports/runtime.js';
import { OffsetClock } from './test-clock.js';
import { COMMON_PASSWORDS } from '../domain/common-passwords.js';
import { ConsoleSignIn } from '../domain/console-sign-in.js';
import { consoleHandler } from '../console/console-handler.js';
import { resolveMasterKeys, sealerFor } from '../crypto/master-key.js';
import { checkSecretsReadable } from '../domain/secrets.js';
import { consoleLoginEvent } from '../protocol/audit.js';
import { openAuditLog } from './audit-log.js';
import { issuerEndpoint } from './issuer-endpoint.js';

export interface Iamd {
  url: string;
  domain: Domain;
  /** Drains in-flight requests, then closes the store. */
  stop(): Promise<void>;
}

export const systemClock: Clock = { now: () => new Date() };

/** The composition root: wires the store, the domain, the protocol and the HTTP edge together. */
export async function startIamd(
  config: ServeConfig,
  io: { logger: Logger; print: (text: string) => void },
): Promise<Iamd> {
  const { store, description, exclusively } = await openStore(config, io.logger);
  const keySource = resolveMasterKeys({
    env: { IAMD_MASTER_KEY: config.masterKey },
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    allowUnsealed: config.allowUnsealedSecrets,
  });
  if (keySource.warning) io.logger.info(keySource.warning, { masterKey: keySource.kind });
  const sealer = sealerFor(keySource);
  // With the test endpoints (memory mode, test suites) the domain's clock can be moved.
  const testClock = config.testEndpoints ? new OffsetClock() : undefined;
  const domain: Domain = {
    accountId: config.accountId,
    store,
    clock: testClock ?? systemClock,
    ids: randomIds,
    hasher: argon2Hasher(undefined, { maxConcurrent: config.maxConcurrentHashes, maxQueued: config.maxQueuedHashes }),
    sealer,
    passwordRules: { defaultMode: config.defaultPasswordPolicy, blocklist: loadBlocklist(config) },
    log: io.logger,
    publicUrl: config.publicUrl,
    quotas: config.quotas,
  };
  // Several nodes starting at once on one database set the installation up once.
  await exclusively(() => bootstrap(domain, config, io.print));
  try {
    await checkSecretsReadable(store, sealer);
  } catch (e) {
    await store.close();
    throw e;
  }
  const audit = openAuditLog(config.auditLog, io.logger);

  const authorizer = policyAuthorizer(store, domain.clock);
  const tls = config.tls && { cert: fs.readFileSync(config.tls.certFile), key: fs.readFileSync(config.tls.keyFile) };
  const api = new QueryApi(domain, authorizer, audit);
  const http = await startHttpServer({
    host: config.host,
    port: config.port,
    maxBodyBytes: config.maxBodyBytes,
    api,
    console: consoleHandler({
      signIn: new ConsoleSignIn(
        domain,
        authorizer,
        config.signIn,
        audit &&
          ((a) =>
            audit.write(
              consoleLoginEvent({
                accountId: config.accountId,
                user: a.user,
                success: a.success,
                reason: a.reason,
                sourceIp: a.sourceAddress,
                userAgent: a.userAgent,
                mfaUsed: a.mfaUsed,
              }),
            )),
      ),
      operations: api,
      accountId: config.accountId,
      tls: tls !== null,
      https: tls !== null || config.publicUrl?.startsWith('https:') === true,
      logError: (message, fields) => io.logger.error(message, fields),
    }),
    issuer: issuerEndpoint(domain),
    tls: tls ?? undefined,
    logger: io.logger,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    maxConnections: config.maxConnections,
    maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    testing: testClock && {
      reset: async () => {
        await store.clear();
        testClock.setOffsetSeconds(0);
        await exclusively(() => bootstrap(domain, config, io.print));
      },
      setClockOffset: (seconds) => testClock.setOffsetSeconds(seconds),
    },
  });
  io.logger.info('iamd listening', { url: http.url, store: description, accountId: config.accountId, masterKey: sealer.keyId ?? 'none' });

  return {
    url: http.url,
    domain,
    stop: async () => {
      await http.close();
      await store.close();
      audit?.close();
    },
  };
}

/**
 * The store the configuration names: PostgreSQL for a database URL, else SQLite in the data
 * folder, else SQLite in memory. `exclusively` runs first-start set-up once across nodes.
 */
async function openStore(
  config: ServeConfig,
  logger: Logger,
): Promise<{ store: Store; description: string; exclusively: <T>(work: () => Promise<T>) => Promise<T> }> {
  if (config.databaseUrl !== null) {
    // Loaded only here: the pg driver takes ~100 ms to import, a third of the embedded default's
    // cold start, which never needs it.
    const { openPostgresStore } = await import('../storage/postgres/postgres-store.js');
    const store = await openPostgresStore(config.databaseUrl, {
      onError: (e) => logger.error('database connection failed', { error: e.message }),
    });
    return { store, description: redactDatabaseUrl(config.databaseUrl), exclusively: (work) => store.exclusively(work) };
  }
  let file = ':memory:';
  if (config.dataDir !== null) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    file = path.join(config.dataDir, 'iamd.sqlite');
    // Owner-only from the first byte: the file holds password hashes and sealed secrets.
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  }
  return { store: openSqliteStore(file), description: config.dataDir === null ? 'memory' : file, exclusively: (work) => work() };
}

/** The banned passwords in force, lower-cased: the built-in common list and/or a file, one a line. */
function loadBlocklist(config: ServeConfig): ReadonlySet<string> | undefined {
  if (!config.blockCommonPasswords && config.passwordBlocklistFile === null) return undefined;
  const banned = new Set<string>();
  if (config.blockCommonPasswords) for (const p of COMMON_PASSWORDS) banned.add(p.toLowerCase());
  if (config.passwordBlocklistFile !== null) {
    for (const line of fs.readFileSync(config.passwordBlocklistFile, 'utf8').split(/\r?\n/)) {
      if (line !== '') banned.add(line.toLowerCase());
    }
  }
  return banned;
}
