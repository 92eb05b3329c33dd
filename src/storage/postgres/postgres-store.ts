import type pg from 'pg';
import type { Store } from '../../ports/store.js';
import { SqlStore } from '../sql/store.js';
import { createClient, createPool } from './db.js';
import { PostgresDriver } from './driver.js';
import { migrate, MIGRATION_LOCK } from './migrations.js';

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
  const onError = options.onError ?? (() => {});
  const pool = createPool(url, onError);
  try {
    await migrate(pool);
  } catch (e) {
    await pool.end();
    throw e;
  }
  const driver = new PostgresDriver(pool, () => createClient(url));
  await driver.listen();
  return new PgStore(pool, driver);
}

class PgStore extends SqlStore implements PostgresStore {
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    driver: PostgresDriver,
  ) {
    super(driver);
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

  override async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await super.close();
  }
}
