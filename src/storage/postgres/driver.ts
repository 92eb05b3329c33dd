import type pg from 'pg';
import { type Param, Rollback, type Sql, type Statement, UniqueViolation, type Work } from '../sql/sql.js';

/**
 * The PostgreSQL driver. A transaction runs on one pooled connection at READ COMMITTED, taking the
 * row locks its statements ask for (FOR UPDATE / FOR SHARE); a serialization failure or deadlock,
 * which PostgreSQL may still report under contention, runs the whole transaction again.
 * Statements are named, so each connection parses and plans each text once.
 */

/** SQLSTATEs this driver handles by name. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export const sqlState = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;

const MAX_ATTEMPTS = 8;

type Queryable = Pick<pg.PoolClient, 'query'>;

/** The channel on which nodes tell each other that cached data changed. */
const CHANGES = 'iamd_changes';

export class PostgresDriver implements Sql {
  /** Portable text → the named statement PostgreSQL runs. */
  private readonly statements = new Map<string, { name: string; text: string }>();
  private changes = 0;
  /** The connection that LISTENs for other nodes' changes; while it is down, nothing is cached. */
  private listener: pg.Client | undefined;
  private closed = false;

  constructor(
    readonly pool: pg.Pool,
    private readonly connect: () => pg.Client,
  ) {}

  /** Starts listening for other nodes' changes (and keeps at it until close). */
  async listen(): Promise<void> {
    if (this.closed) return;
    const client = this.connect();
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.changes++;
      client.end().catch(() => {});
      if (!this.closed) setTimeout(() => void this.listen().catch(() => {}), 1000).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', () => this.changes++);
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES}`);
    } catch {
      client.end().catch(() => {});
      if (!this.closed) setTimeout(() => void this.listen().catch(() => {}), 1000).unref();
      return;
    }
    this.listener = client;
    this.changes++; // anything cached before listening began may be stale
  }

  /** Only writes that announce themselves (the account password policy) are heard from other nodes. */
  readonly everyWriteMovesEpoch = false;

  epoch(): number {
    // Without a listener another node's change could go unheard: every call is a new epoch.
    return this.listener ? this.changes : ++this.changes;
  }

  async announceChange(): Promise<void> {
    this.changes++;
    await this.pool.query(`NOTIFY ${CHANGES}`);
  }

  private statement(text: string): { name: string; text: string } {
    let s = this.statements.get(text);
    if (!s) {
      s = { name: `iamd_${this.statements.size}`, text: numbered(text) };
      this.statements.set(text, s);
    }
    return s;
  }

  private async execute(on: Queryable, s: Statement): Promise<unknown> {
    if (s.kind === 'lock') {
      await on.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [s.name]);
      return undefined;
    }
    const { name, text } = this.statement(s.text);
    let result: pg.QueryResult;
    try {
      result = await on.query({ name, text, values: s.params as unknown[] });
    } catch (e) {
      if (sqlState(e) === SQLSTATE.uniqueViolation) throw new UniqueViolation(e);
      throw e;
    }
    if (s.kind === 'one') return result.rows[0];
    if (s.kind === 'all') return result.rows;
    return result.rowCount ?? 0;
  }

  async one<Row>(text: string, params: readonly Param[] = []): Promise<Row | undefined> {
    return (await this.execute(this.pool, { kind: 'one', text, params })) as Row | undefined;
  }

  async all<Row>(text: string, params: readonly Param[] = []): Promise<Row[]> {
    return (await this.execute(this.pool, { kind: 'all', text, params })) as Row[];
  }

  async run(text: string, params: readonly Param[] = []): Promise<number> {
    return (await this.execute(this.pool, { kind: 'run', text, params })) as number;
  }

  async transaction<T>(work: () => Work<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      let broken = false;
      try {
        await client.query('BEGIN');
        const steps = work();
        let step = steps.next();
        while (!step.done) step = steps.next(await this.execute(client, step.value));
        await client.query('COMMIT');
        return step.value;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
        if (e instanceof Rollback) return e.value as T;
        const cause = e instanceof UniqueViolation ? e.cause : e;
        const state = sqlState(cause);
        if ((state === SQLSTATE.serializationFailure || state === SQLSTATE.deadlockDetected) && attempt < MAX_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
          continue;
        }
        throw e;
      } finally {
        client.release(broken);
      }
    }
  }

  async truncateAll(): Promise<void> {
    // Every table but the schema's own bookkeeping, in one statement (and so one transaction).
    const { rows } = await this.pool.query<{ t: string }>(
      `SELECT quote_ident(tablename) AS t FROM pg_tables
       WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' ORDER BY tablename`,
    );
    if (rows.length > 0) await this.pool.query(`TRUNCATE ${rows.map((r) => r.t).join(', ')} RESTART IDENTITY`);
  }

  async close(): Promise<void> {
    this.closed = true;
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    await this.pool.end();
  }
}

/** `?` → `$1, $2, …` (the portable texts hold no `?` inside string literals). */
function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}
