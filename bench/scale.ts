/**
 * Scale: a bulk loader that fills a SQLite data dir with N users, each with a login profile, and
 * the measurements of iamd on such a data dir.
 *
 * The loader opens the store with openSqliteStore (so the schema is exactly iamd's, migrated),
 * writes the first user through the repositories (UserRepository.create, LoginProfileRepository
 * .create), then writes the rest with better-sqlite3 on the same file, in big transactions, with
 * the statements those repositories run, and finally checks that its rows equal the repository's
 * row column for column (all but id, name). One argon2id hash serves every profile.
 *
 * Speed: the user ids are random (as randomIds makes them) but generated up front and sorted, and
 * names are numbered in that order, so every index (id, name, (path, name), login_profiles,
 * password_history) is appended to rather than split at random.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { openSqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { randomIds } from '../src/domain/ids.js';
import { PASSWORD_HISTORY_LIMIT } from '../src/domain/passwords.js';
import { fold } from '../src/storage/sql/sql.js';

export const DB_FILE = 'iamd.sqlite';
export const scaleUserName = (i: number) => `user${String(i).padStart(8, '0')}`;

export interface LoadResult {
  users: number;
  seconds: number;
  bytes: number;
}

const BATCH = 50_000;

export async function bulkLoad(dataDir: string, users: number, passwordHash: string, log: (line: string) => void = () => {}): Promise<LoadResult> {
  const started = process.hrtime.bigint();
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, DB_FILE);
  const created = Date.now() - 86_400_000;

  // User 0 through the repositories: the reference rows.
  const store = openSqliteStore(file);
  const reference = { id: randomIds.userId(), name: scaleUserName(0) };
  if ((await store.users.create({ ...reference, path: '/', createdAt: new Date(created), passwordLastUsed: null, tags: [], permissionsBoundary: null })) !== 'ok') {
    throw new Error(`${file} already holds ${reference.name}`);
  }
  await store.loginProfiles.create(
    { userId: reference.id, passwordHash, createdAt: new Date(created), passwordChangedAt: new Date(created), passwordResetRequired: false },
    PASSWORD_HISTORY_LIMIT,
  );
  await store.close();

  // The rest straight into the file.
  const ids = Array.from({ length: users - 1 }, () => randomIds.userId()).sort();
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144'); // 256 MiB
  // The repositories' statements (SqliteUsers.insertUser, SqliteLoginProfiles.create and recordHistory).
  const insertUser = db.prepare(
    'INSERT INTO users (id, name, name_key, path, created_at, password_last_used, permissions_boundary) VALUES (?, ?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING',
  );
  const insertProfile = db.prepare(
    `INSERT INTO login_profiles (user_id, password_hash, created_at, password_changed_at, password_reset_required) VALUES (?, ?, ?, ?, ?)`,
  );
  const insertHistory = db.prepare('INSERT INTO password_history (user_id, password_hash, set_at) VALUES (?, ?, ?)');
  const writeBatch = db.transaction((from: number, to: number) => {
    for (let k = from; k < to; k++) {
      const id = ids[k]!;
      const at = created + k + 1; // distinct creation times, a millisecond apart, in name order
      const name = scaleUserName(k + 1);
      // A row not written (a unique key the loader fills wrongly) would surface later as a foreign-key error.
      if (insertUser.run(id, name, fold(name), '/', at, null).changes !== 1) throw new Error(`bulk loader: users row ${name} was not written`);
      insertProfile.run(id, passwordHash, at, at, 0);
      insertHistory.run(id, passwordHash, at);
    }
  });
  for (let from = 0; from < ids.length; from += BATCH) {
    writeBatch(from, Math.min(ids.length, from + BATCH));
    if ((from / BATCH) % 4 === 3) log(`  loaded ${Math.min(ids.length, from + BATCH) + 1} of ${users} users`);
  }
  db.pragma('journal_mode = WAL');
  db.exec('ANALYZE');

  // The direct rows must look exactly like the repository's.
  if (users > 1) {
    const sample = ids[Math.floor(ids.length / 2)]!;
    const same = (table: string, column: string) => {
      const a = db.prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).get(reference.id) as Record<string, unknown>;
      const b = db.prepare(`SELECT * FROM ${table} WHERE ${column} = ?`).get(sample) as Record<string, unknown>;
      for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
        if (['id', 'user_id', 'name', 'name_key', 'seq'].includes(k)) continue;
        const [x, y] = [a[k], b[k]];
        const bothTimes = typeof x === 'number' && typeof y === 'number' && /_at$|_used$/.test(k);
        if (typeof x !== typeof y || (!bothTimes && x !== y)) throw new Error(`bulk loader: ${table}.${k} is ${String(y)}, the repository wrote ${String(x)}`);
      }
    };
    same('users', 'id');
    same('login_profiles', 'user_id');
    same('password_history', 'user_id');
  }
  db.close();
  return { users, seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes: dataDirBytes(dataDir) };
}

/** The database's size on disk: the file and its WAL, if any. */
export function dataDirBytes(dataDir: string): number {
  let total = 0;
  for (const f of [DB_FILE, `${DB_FILE}-wal`]) {
    const p = path.join(dataDir, f);
    if (fs.existsSync(p)) total += fs.statSync(p).size;
  }
  return total;
}
