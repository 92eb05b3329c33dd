import pg from 'pg';

/**
 * The connection pool and the one way to run a transaction. Every repository method is one call
 * of `transaction` (or one statement), so no transaction is ever held open across the domain's
 * awaits. Transactions run at READ COMMITTED and take row locks (SELECT … FOR UPDATE) where a read
 * decides a write; a serialization failure or deadlock, which PostgreSQL may still report under
 * contention, makes the whole transaction run again.
 */

export type Queryable = Pick<pg.PoolClient, 'query'>;

/** BIGINT (times in milliseconds, counts) as JavaScript numbers: they stay far below 2^53. */
const INT8_OID = 20;
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function createPool(connectionString: string, onError: (e: Error) => void): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    types,
    max: 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    application_name: 'iamd',
  });
  // An idle client that loses its connection (database restart) must not crash the process; the
  // pool replaces it on the next checkout.
  pool.on('error', onError);
  return pool;
}

/** SQLSTATEs this adapter handles by name. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export const sqlState = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : undefined;

const MAX_ATTEMPTS = 8;

/**
 * Runs `work` in one transaction and commits it; rolls back when it throws. Retried from the start
 * (with a short random back-off) on a serialization failure or a deadlock.
 */
export async function transaction<T>(pool: pg.Pool, work: (tx: Queryable) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is gone; do not return it to the pool
      }
      const state = sqlState(e);
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

/**
 * PostgreSQL text cannot hold U+0000, and a query that passes one fails. Stored values never
 * contain it, so a lookup key with one matches nothing (SQLite's answer), and a listing marker is
 * cut at it (no name lies between "abc" and "abc\0…").
 */
/**
 * Whether a customer managed policy exists, asked inside the transaction that links something to
 * it (attachment, boundary). FOR SHARE against DeletePolicy's FOR UPDATE: whichever comes second
 * waits for the other to commit, so a policy is never deleted under a fresh link.
 */
export async function managedPolicyExists(tx: Queryable, arn: string | null): Promise<boolean> {
  return arn !== null && (await tx.query('SELECT 1 FROM managed_policies WHERE arn = $1 FOR SHARE', [arn])).rowCount === 1;
}

export const hasNul = (s: string): boolean => s.includes('\u0000');
export const cutAtNul = (s: string): string => {
  const i = s.indexOf('\u0000');
  return i < 0 ? s : s.slice(0, i);
};
