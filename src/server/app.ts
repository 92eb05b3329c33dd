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
  io: { logger: Logger; print: (text: string) => void; clock?: Clock },
): Promise<Iamd> {
  let file = ':memory:';
  if (config.dataDir !== null) {
    fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    file = path.join(config.dataDir, 'iamd.sqlite');
  }
  const store = openSqliteStore(file);
  const domain: Domain = {
    accountId: config.accountId,
    store,
    clock: io.clock ?? systemClock,
    ids: randomIds,
    hasher: argon2Hasher(),
  };
  await bootstrap(domain, config, io.print);

  const http = await startHttpServer({
    host: config.host,
    port: config.port,
    maxBodyBytes: config.maxBodyBytes,
    api: new QueryApi(domain, selfServiceAuthorizer),
    logger: io.logger,
    reset:
      config.dataDir === null
        ? async () => {
            await store.clear();
            await bootstrap(domain, config, io.print);
          }
        : undefined,
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
