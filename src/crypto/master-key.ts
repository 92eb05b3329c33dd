import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { aesGcmSealer, MASTER_KEY_BYTES, unsealedSecrets } from './secret-sealer.js';
import type { SecretSealer } from '../ports/secret-sealer.js';

/**
 * Where the master key that seals access-key secrets comes from, in this order:
 *
 * - `IAMD_MASTER_KEY`: base64 of 32 bytes (a comma-separated list is a key ring: the first key
 *   seals, the others are still accepted for unsealing);
 * - else, with a data folder (SQLite), the key file `master.key` in it, created on first start with
 *   mode 0600 (one base64 key a line, the first the current one);
 * - else, in memory mode, a random key that lives as long as the process;
 * - else (PostgreSQL without IAMD_MASTER_KEY, allowed only with IAMD_ALLOW_UNSEALED_SECRETS=true,
 *   see config.ts) none: secrets are stored unsealed, with a warning.
 */
export const MASTER_KEY_FILE = 'master.key';

export class MasterKeyError extends Error {}

export interface MasterKeySource {
  kind: 'env' | 'file' | 'memory' | 'none';
  /** The key ring, current key first; empty for 'none'. */
  keys: Buffer[];
  /** The key file, for 'file'. */
  file?: string;
  /** Something the operator should hear about (a missing key on PostgreSQL, loose file permissions). */
  warning?: string;
}

export function parseMasterKey(text: string, name: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) || key.length !== MASTER_KEY_BYTES) {
    throw new MasterKeyError(`${name} must be the base64 encoding of ${MASTER_KEY_BYTES} bytes (e.g. from \`openssl rand -base64 32\`)`);
  }
  return key;
}

export function parseKeyRing(text: string, name: string): Buffer[] {
  const keys = text
    .split(/[\s,]+/)
    .filter((k) => k !== '')
    .map((k) => parseMasterKey(k, name));
  if (keys.length === 0) throw new MasterKeyError(`${name} holds no key`);
  return keys;
}

export function readKeyFile(file: string): Buffer[] {
  return parseKeyRing(fs.readFileSync(file, 'utf8'), file);
}

/** Writes the key ring atomically (a temporary file, fsync, rename), readable by the owner only. */
export function writeKeyFile(file: string, keys: readonly Buffer[]): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, keys.map((k) => k.toString('base64')).join('\n') + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const dir = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(dir);
    fs.closeSync(dir);
  } catch {
    // Not every platform can fsync a directory.
  }
}

export const newMasterKey = (): Buffer => randomBytes(MASTER_KEY_BYTES);

export function resolveMasterKeys(options: {
  env: NodeJS.ProcessEnv;
  dataDir: string | null;
  databaseUrl: string | null;
  allowUnsealed?: boolean;
}): MasterKeySource {
  const fromEnv = options.env.IAMD_MASTER_KEY;
  if (fromEnv !== undefined && fromEnv !== '') return { kind: 'env', keys: parseKeyRing(fromEnv, 'IAMD_MASTER_KEY') };
  if (options.dataDir !== null) {
    const file = path.join(options.dataDir, MASTER_KEY_FILE);
    if (!fs.existsSync(file)) {
      fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      const key = newMasterKey();
      try {
        // 'wx': never overwrite a key another process has just written.
        fs.writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
    }
    const mode = fs.statSync(file).mode & 0o777;
    const warning = (mode & 0o077) !== 0 ? `${file} is readable by others (mode ${mode.toString(8)}); chmod 600 it` : undefined;
    return { kind: 'file', keys: readKeyFile(file), file, warning };
  }
  if (options.databaseUrl !== null) {
    // The configuration refuses this already; kept here too, as this is where secrets are decided.
    if (!options.allowUnsealed) throw new MasterKeyError('PostgreSQL needs IAMD_MASTER_KEY (or IAMD_ALLOW_UNSEALED_SECRETS=true)');
    return { kind: 'none', keys: [], warning: 'IAMD_ALLOW_UNSEALED_SECRETS=true and no IAMD_MASTER_KEY: access-key secrets are stored unsealed in the database' };
  }
  return { kind: 'memory', keys: [newMasterKey()] };
}

/** The sealer for a key source; a key file is read again when a value names a key it lacks (rotated meanwhile). */
export function sealerFor(source: MasterKeySource): SecretSealer {
  if (source.keys.length === 0) return unsealedSecrets;
  const file = source.file;
  return aesGcmSealer(source.keys, file === undefined ? {} : { reload: () => (fs.existsSync(file) ? readKeyFile(file) : []) });
}
