import type BetterSqlite3 from 'better-sqlite3';
import type { Store } from '../../ports/store.js';
import { render, SHARED_MIGRATIONS } from '../sql/schema.js';
import { SqlStore } from '../sql/store.js';
import { Database } from './better-sqlite3.js';
import { SqliteDriver } from './driver.js';
import { MIGRATIONS } from './migrations.js';

/** Every version of the schema, in order: SQLite's own first releases, then the shared ones. */
const ALL_MIGRATIONS: readonly string[] = [...MIGRATIONS, ...SHARED_MIGRATIONS.map((m) => render(m, 'sqlite'))];

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
  return new SqlStore(new SqliteDriver(db));
}

function migrate(db: BetterSqlite3.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > ALL_MIGRATIONS.length) {
    throw new Error(`the database schema is version ${current}, newer than this iamd knows (${ALL_MIGRATIONS.length}); upgrade iamd`);
  }
  for (let version = current; version < ALL_MIGRATIONS.length; version++) {
    // Rebuilding a table that others refer to needs the foreign keys off (SQLite's documented
    // procedure); they are checked again before the migration commits.
    db.pragma('foreign_keys = OFF');
    db.transaction(() => {
      db.exec(ALL_MIGRATIONS[version]!);
      const broken = db.pragma('foreign_key_check') as unknown[];
      if (broken.length > 0) throw new Error(`migration ${version + 1} left ${broken.length} broken references`);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
    db.pragma('foreign_keys = ON');
  }
}
