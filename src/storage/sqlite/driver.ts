import type Database from 'better-sqlite3';
import { type Param, Rollback, type Sql, type Statement, UniqueViolation, type Work } from '../sql/sql.js';
import { MISS, ReadCache } from '../sql/read-cache.js';

/**
 * The SQLite driver: better-sqlite3 is synchronous, so a transaction's generator runs to its end
 * inside one `BEGIN IMMEDIATE … COMMIT` without yielding to the event loop; no other request's
 * statement can fall in between. Statements are prepared once and kept by their text.
 *
 * Reads outside a transaction are answered from a ReadCache while the epoch stands: this driver's
 * epoch is exact, since every write here moves it at once and another process's commit to the
 * same file moves SQLite's data_version.
 */
export class SqliteDriver implements Sql {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly dataVersion: Database.Statement | undefined;
  private localChanges = 0;
  private readonly cache = { one: new ReadCache(), all: new ReadCache() };
  readonly everyWriteMovesEpoch = true;

  constructor(readonly db: Database.Database) {
    // An in-memory database has no other connection, so no other writer.
    this.dataVersion = db.memory ? undefined : db.prepare('PRAGMA data_version').pluck();
  }

  /**
   * SQLite's data_version moves when another connection (another process on the same file)
   * commits; this process's own writes are counted apart. Reading it costs no I/O.
   */
  epoch(): number {
    return this.dataVersion === undefined ? this.localChanges : (this.dataVersion.get() as number) * 2 ** 20 + this.localChanges;
  }

  async announceChange(): Promise<void> {
    this.localChanges++;
  }

  private prepare(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(portable(text));
      this.statements.set(text, statement);
    }
    return statement;
  }

  private execute(s: Statement): unknown {
    if (s.kind === 'lock') return undefined; // writers are serialized already
    const statement = this.prepare(s.text);
    const params = s.params.map(bind);
    try {
      // A write (also one answering rows, INSERT … RETURNING) moves the epoch: reads kept before are stale.
      if (!statement.readonly) this.localChanges++;
      if (s.kind === 'one') return statement.get(...params);
      if (s.kind === 'all') return statement.all(...params);
      return statement.run(...params).changes;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' || (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new UniqueViolation(e);
      }
      throw e;
    }
  }

  async one<Row>(text: string, params: readonly Param[] = []): Promise<Row | undefined> {
    return this.read('one', text, params) as Row | undefined;
  }

  async all<Row>(text: string, params: readonly Param[] = []): Promise<Row[]> {
    return this.read('all', text, params) as Row[];
  }

  /**
   * A statement outside a transaction, from the cache while nothing has changed. (A statement
   * that writes moves the epoch as it runs, so its answer, kept under the epoch before, is never
   * served.)
   */
  private read(kind: 'one' | 'all', text: string, params: readonly Param[]): unknown {
    const epoch = this.epoch();
    const kept = this.cache[kind].get(epoch, text, params);
    if (kept !== MISS) return kept;
    const answer = this.execute({ kind, text, params });
    this.cache[kind].set(epoch, text, params, answer);
    return answer;
  }

  async run(text: string, params: readonly Param[] = []): Promise<number> {
    return this.execute({ kind: 'run', text, params }) as number;
  }

  async transaction<T>(work: () => Work<T>): Promise<T> {
    // Each write inside moves the epoch as it runs (execute), rolled back or not.
    const body = this.db.transaction(() => {
      const steps = work();
      let step = steps.next();
      while (!step.done) step = steps.next(this.execute(step.value));
      return step.value;
    });
    try {
      return body.immediate();
    } catch (e) {
      if (e instanceof Rollback) return e.value as T; // better-sqlite3 rolled back on the throw
      throw e;
    }
  }

  async truncateAll(): Promise<void> {
    this.localChanges++;
    const tables = this.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all();
    this.db.transaction(() => {
      this.db.pragma('defer_foreign_keys = ON'); // tables refer to each other; order does not matter then
      for (const { name } of tables) this.db.prepare(`DELETE FROM "${name}"`).run();
    }).immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The portable subset's few PostgreSQL-isms, in SQLite's words. */
function portable(text: string): string {
  return text
    .replace(/\s+FOR (UPDATE|SHARE)\s*$/, '')
    .replace(/=\s*ANY\s*\(\?\)/g, 'IN (SELECT value FROM json_each(?))');
}

/** Booleans as 0/1 and arrays as JSON (for json_each), which is how SQLite can take them. */
function bind(p: Param): unknown {
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (Array.isArray(p)) return JSON.stringify(p);
  return p;
}
