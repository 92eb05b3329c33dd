import { inject } from 'vitest';
import { createDatabase, type PostgresServerInfo } from './postgres.js';

/** The run's PostgreSQL server (started by postgres-setup.ts); throws when it could not be started. */
export function testPostgres(): PostgresServerInfo {
  const info = inject('postgres');
  if ('missing' in info) throw new Error(info.missing);
  return info;
}

/** A new, empty database on the run's PostgreSQL server: its postgres:// URL. */
export const newTestDatabase = (prefix?: string): Promise<string> => createDatabase(testPostgres(), prefix);
