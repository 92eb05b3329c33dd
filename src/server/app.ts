import fs from 'node:fs';
import path from 'node:path';
import type { ServeConfig } from '../config/config.js';
import type { Domain } from '../domain/context.js';
import { selfServiceAuthorizer } from '../domain/authorization.js';
import { randomIds } from '../domain/ids.js';
import { argon2Hasher } from '../crypto/argon2-hasher.js';
import { QueryApi } from '../protocol/query-api.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { bootstrap } from './bootstrap.js';
import { startHttpServer } from './http-server.js';
import type { Logger } from './logger.js';
import type { Clock } from '../ports/runtime.js';
import { OffsetClock } from './test-clock.js';
import { COMMON_PASSWORDS } from '../domain/common-passwords.js';

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
  let file = ':memory:';
  if (config.dataDir !== null) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    file = path.join(config.dataDir, 'iamd.sqlite');
  }
  const store = openSqliteStore(file);
  // In memory mode (test suites) the domain's clock can be moved through the test endpoint.
  const testClock = config.dataDir === null ? new OffsetClock() : undefined;
  const domain: Domain = {
    accountId: config.accountId,
    store,
    clock: testClock ?? systemClock,
    ids: randomIds,
    hasher: argon2Hasher(),
    passwordRules: { defaultMode: config.defaultPasswordPolicy, blocklist: loadBlocklist(config) },
  };
  await bootstrap(domain, config, io.print);

  const http = await startHttpServer({
    host: config.host,
    port: config.port,
    maxBodyBytes: config.maxBodyBytes,
    api: new QueryApi(domain, selfServiceAuthorizer(store.passwordPolicy)),
    logger: io.logger,
    testing: testClock && {
      reset: async () => {
        await store.clear();
        testClock.setOffsetSeconds(0);
        await bootstrap(domain, config, io.print);
      },
      setClockOffset: (seconds) => testClock.setOffsetSeconds(seconds),
    },
  });
  io.logger.info('iamd listening', { url: http.url, store: config.dataDir === null ? 'memory' : file, accountId: config.accountId });

  return {
    url: http.url,
    domain,
    stop: async () => {
      await http.close();
      await store.close();
    },
  };
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
