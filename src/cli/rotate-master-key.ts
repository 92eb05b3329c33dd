import fs from 'node:fs';
import path from 'node:path';
import { Database } from '../storage/sqlite/better-sqlite3.js';
import { DEFAULT_DATA_DIR } from '../config/config.js';
import { aesGcmSealer, masterKeyId } from '../crypto/secret-sealer.js';
import { MASTER_KEY_FILE, MasterKeyError, newMasterKey, parseKeyRing, parseMasterKey, readKeyFile, writeKeyFile } from '../crypto/master-key.js';
import { resealAllSecrets, type RotationResult } from '../domain/secrets.js';
import type { Store } from '../ports/store.js';
import { openSqliteStore } from '../storage/sqlite/sqlite-store.js';
import { openPostgresStore } from '../storage/postgres/postgres-store.js';

/**
 * `iamd rotate-master-key`: re-seals every access-key secret, MFA seed, server-certificate
 * private key, SAML provider private key and outbound federation signing key under a new master key.
 *
 * The old key ring comes from where `iamd serve` takes it (IAMD_MASTER_KEY, else the data folder's
 * master.key); the new key from IAMD_NEW_MASTER_KEY, else (key file only) a fresh random one.
 * With a key file the steps are crash-safe: first the file holds [new, old…] (so a server, or a
 * second run, can open both), then every secret is re-sealed one at a time, each atomically
 * (compare-and-set), then the file holds only the new key. Run it again after an interruption.
 */
export interface RotateOptions {
  dataDir?: string;
  database?: string;
}

export interface RotateReport extends RotationResult {
  keyId: string;
  previousKeyIds: string[];
  keyFile?: string;
}

export async function rotateMasterKey(options: RotateOptions, env: NodeJS.ProcessEnv): Promise<RotateReport> {
  const database = options.database ?? (env.IAMD_DATABASE_URL || undefined);
  if (database !== undefined && options.dataDir !== undefined) throw new MasterKeyError('give --data-dir or --database, not both');

  let keyFile: string | undefined;
  let oldKeys: Buffer[] = [];
  const fromEnv = env.IAMD_MASTER_KEY || undefined;
  if (fromEnv !== undefined) oldKeys = parseKeyRing(fromEnv, 'IAMD_MASTER_KEY');

  let open: () => Promise<Store>;
  let sqliteFile: string | undefined;
  if (database !== undefined) {
    open = () => openPostgresStore(database, { onError: () => {} });
  } else {
    const dir = path.resolve(options.dataDir ?? env.IAMD_DATA_DIR ?? DEFAULT_DATA_DIR);
    const file = path.join(dir, 'iamd.sqlite');
    if (!fs.existsSync(file)) throw new MasterKeyError(`no iamd database in ${dir}`);
    if (fromEnv === undefined) {
      keyFile = path.join(dir, MASTER_KEY_FILE);
      if (fs.existsSync(keyFile)) oldKeys = readKeyFile(keyFile);
    }
    open = async () => openSqliteStore(file);
    sqliteFile = file;
  }

  const newFromEnv = env.IAMD_NEW_MASTER_KEY || undefined;
  if (newFromEnv === undefined && keyFile === undefined) {
    throw new MasterKeyError('set IAMD_NEW_MASTER_KEY (base64 of 32 bytes): the master key does not come from a key file iamd can rewrite');
  }
  const newKey = newFromEnv !== undefined ? parseMasterKey(newFromEnv, 'IAMD_NEW_MASTER_KEY') : newMasterKey();
  const previous = oldKeys.filter((k) => !k.equals(newKey));

  const store = await open();
  try {
    // 1. The key file names both, so whoever reads it meanwhile can open old and new values.
    if (keyFile !== undefined) writeKeyFile(keyFile, [newKey, ...previous]);
    // 2. Every secret, one at a time, each atomically.
    // Opens values under any of them (and plaintext rows); seals under the new key only.
    const from = aesGcmSealer([newKey, ...previous]);
    const to = aesGcmSealer([newKey]);
    const total: RotationResult = { resealed: 0, alreadyCurrent: 0, skipped: 0 };
    for (let pass = 0; pass < 5; pass++) {
      const r = await resealAllSecrets(store, from, to);
      total.resealed += r.resealed;
      if (pass === 0) total.alreadyCurrent = r.alreadyCurrent;
      total.skipped = r.skipped;
      if (r.skipped === 0) break; // a key changed under us: go round again
    }
    if (total.skipped > 0) throw new MasterKeyError(`${total.skipped} secrets kept changing during the rotation; stop iamd and run it again`);
    // 3. Only the new key remains.
    if (keyFile !== undefined) writeKeyFile(keyFile, [newKey]);
    await store.close();
    // SQLite keeps the old values in freed pages and the WAL: rewrite the file and empty the WAL,
    // so that a copy of the data folder taken afterwards holds no secret in clear or under the old key.
    if (sqliteFile !== undefined) scrubSqlite(sqliteFile);
    return { ...total, keyId: masterKeyId(newKey), previousKeyIds: previous.map(masterKeyId), keyFile };
  } finally {
    await store.close();
  }
}

function scrubSqlite(file: string): void {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}
