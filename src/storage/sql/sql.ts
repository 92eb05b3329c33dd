/**
 * The one way the repositories talk to a database, whichever it is.
 *
 * Every repository is written once, in a portable subset of SQL, against this interface; a driver
 * (sqlite/driver.ts, postgres/driver.ts) runs it. What differs per database stays in the driver:
 * placeholders, row locks, advisory locks, array parameters and error codes.
 *
 * The portable subset:
 * - `?` placeholders (the PostgreSQL driver numbers them);
 * - `FOR UPDATE` / `FOR SHARE` at the end of a SELECT (SQLite, which serializes writers, drops them);
 * - `= ANY(?)` with an array parameter (SQLite reads it through json_each);
 * - booleans as parameters (SQLite stores them as 0/1, PostgreSQL as BOOLEAN: read them with `bool()`);
 * - text compared bytewise (PostgreSQL columns are COLLATE "C"); names that IAM compares regardless
 *   of case have a folded twin column (`name_key`, `key_fold`) filled with `fold()`.
 *
 * Transactions are generator functions that yield their statements (`yield* one(...)`): SQLite runs
 * them synchronously inside one immediate transaction, so nothing else can interleave, and
 * PostgreSQL runs them on one pooled connection, and from the start again after a serialization
 * failure or deadlock. The same code is atomic on both without holding a lock across an await of
 * the domain's (hashing a password must never pin a database lock).
 */

export type Param = string | number | boolean | null | Buffer | readonly string[];

/** One statement a transaction asks its driver to run. */
export type Statement =
  | { kind: 'one' | 'all' | 'run'; text: string; params: readonly Param[] }
  /** An exclusive lock on a name for the rest of the transaction (PostgreSQL's advisory locks). */
  | { kind: 'lock'; name: string };

/** A transaction's body: yields statements, receives their results, returns its answer. */
export type Work<T> = Generator<Statement, T, unknown>;

export interface Sql {
  /** The first row, outside any transaction (one statement is atomic by itself). */
  one<Row>(text: string, params?: readonly Param[]): Promise<Row | undefined>;
  all<Row>(text: string, params?: readonly Param[]): Promise<Row[]>;
  /** Runs a statement; resolves to the number of rows it changed. */
  run(text: string, params?: readonly Param[]): Promise<number>;
  /**
   * Runs `work` as one transaction and resolves to its answer. `work` may be called more than
   * once (a retried PostgreSQL transaction), so it must do nothing but yield statements.
   * Throwing `Rollback` rolls the transaction back and resolves to its value.
   */
  transaction<T>(work: () => Work<T>): Promise<T>;
  /** Deletes every row of every table but the schema's bookkeeping. */
  truncateAll(): Promise<void>;
  /**
   * For caches of rarely written data (the account password policy): a number that changes
   * whenever such data may have changed, here or on another process sharing the database. A cache
   * is good while the epoch it was filled at is still the current one.
   */
  epoch(): number;
  /**
   * Whether every write, by any process, moves the epoch (SQLite: its own writes and PRAGMA
   * data_version). Only then may a cache keep answers of tables written without announceChange.
   */
  readonly everyWriteMovesEpoch: boolean;
  /** After writing cached data: tells this process at once, and every other one (PostgreSQL: NOTIFY). */
  announceChange(): Promise<void>;
  close(): Promise<void>;
}

// The statements of a transaction, typed by what they give back.
export function* one<Row>(text: string, params: readonly Param[] = []): Generator<Statement, Row | undefined, unknown> {
  return (yield { kind: 'one', text, params }) as Row | undefined;
}
export function* all<Row>(text: string, params: readonly Param[] = []): Generator<Statement, Row[], unknown> {
  return (yield { kind: 'all', text, params }) as Row[];
}
export function* run(text: string, params: readonly Param[] = []): Generator<Statement, number, unknown> {
  return (yield { kind: 'run', text, params }) as number;
}
export function* lock(name: string): Generator<Statement, void, unknown> {
  yield { kind: 'lock', name };
}

/** Thrown inside a transaction to undo it and answer `value` (a quota found exceeded after writing). */
export class Rollback<T> {
  constructor(readonly value: T) {}
}

/** A UNIQUE constraint refused a write that raced another (two nodes creating one name). */
export class UniqueViolation extends Error {
  constructor(cause: unknown) {
    super('unique constraint violated', { cause });
    this.name = 'UniqueViolation';
  }
}

/**
 * IAM's case-insensitive names: ASCII letters folded, exactly as SQLite's NOCASE and PostgreSQL's
 * lower() under the "C" collation fold them (so keys written by a migration's SQL agree).
 */
export const fold = (s: string): string => s.replace(/[A-Z]+/g, (m) => m.toLowerCase());

/** A boolean column as either database returns it (0/1 or true/false). */
export const bool = (v: unknown): boolean => v === true || v === 1;

/**
 * PostgreSQL text cannot hold U+0000 and a statement that passes one fails; no stored value holds
 * one, so a lookup key with one matches nothing (as in SQLite), and a listing marker is cut at it
 * (no name lies between "abc" and "abc\0…").
 */
export const hasNul = (s: string): boolean => s.includes('\u0000');
export const cutAtNul = (s: string): string => {
  const i = s.indexOf('\u0000');
  return i < 0 ? s : s.slice(0, i);
};

/** A plain string-prefix test on a column, portable: `substr(col, 1, ?) = ?`. Paths are ASCII. */
export const prefixOf = (column: string): string => `substr(${column}, 1, ?) = ?`;
export const prefixParams = (prefix: string): [number, string] => [prefix.length, prefix];

/** Rows of a many-owners read, gathered by owner in the order the query gave them. */
export function groupBy<Row, V>(rows: readonly Row[], key: (row: Row) => string, value: (row: Row) => V): Map<string, V[]> {
  const groups = new Map<string, V[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(value(row));
    else groups.set(key(row), [value(row)]);
  }
  return groups;
}
