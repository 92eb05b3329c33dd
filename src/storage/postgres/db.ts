import pg from 'pg';

/** The connection pool (transactions are the driver's: driver.ts). */

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

/** A connection of its own, outside the pool (the LISTEN connection, which must stay put). */
export function createClient(connectionString: string): pg.Client {
  return new pg.Client({ connectionString, types, application_name: 'iamd-listen' });
}
