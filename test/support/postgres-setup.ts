/**
 * vitest globalSetup: one throw-away PostgreSQL server for the whole run (see postgres.ts); each
 * test file, or each server a test starts, gets a database of its own on it (postgres-tests.ts).
 *
 * Without the server binaries: on CI (CI=true) the run fails here, so nothing is silently
 * skipped; locally the tests that need PostgreSQL fail and say how to install it.
 */
import type { TestProject } from 'vitest/node';
import { findPostgresBin, POSTGRES_MISSING, startPostgres, type PostgresServerInfo } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresServerInfo | { missing: string };
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!findPostgresBin()) {
    if (process.env.CI === 'true') throw new Error(`${POSTGRES_MISSING} (required on CI)`);
    project.provide('postgres', { missing: POSTGRES_MISSING });
    return async () => {};
  }
  const server = await startPostgres();
  project.provide('postgres', { host: server.host, port: server.port, user: server.user });
  return () => server.stop();
}
