import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { isSealed, SealError, SEALED_PREFIX, sealedKeyId, type SecretSealer } from '../ports/secret-sealer.js';

/**
 * AES-256-GCM sealing of secrets under a master key (node:crypto). The sealed text is
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>`, each part base64url: a fresh 96-bit IV per value, the
 * 128-bit tag, and `v1:<keyId>` as additional authenticated data, so a value cannot be moved to
 * another version or key id without failing authentication.
 *
 * The key ring holds the current key (first, used to seal) and older keys still accepted for
 * unsealing (during a rotation). The key id is a hash of the key: it identifies, never reveals.
 * The ring holds KeyObjects: on Node 24 (not 20 or 22) a cipher given a Buffer key asks whether it
 * is a KeyObject, then a CryptoKey, through native calls that throw and catch a TypeError, stack
 * trace and all: about 13 µs a cipher. A KeyObject is recognised by the first question.
 */
export const MASTER_KEY_BYTES = 32;

export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update('iamd master key id\0').update(key).digest('base64url').slice(0, 12);
}

export function aesGcmSealer(keys: readonly Buffer[], options: { reload?: () => readonly Buffer[] } = {}): SecretSealer {
  if (keys.length === 0) throw new Error('a sealer needs at least one master key');
  let ring = new Map<string, KeyObject>();
  let current = '';
  const load = (list: readonly Buffer[]) => {
    for (const k of list) if (k.length !== MASTER_KEY_BYTES) throw new Error(`a master key must be ${MASTER_KEY_BYTES} bytes`);
    ring = new Map(list.map((k) => [masterKeyId(k), createSecretKey(k)]));
    current = masterKeyId(list[0]!);
  };
  load(keys);

  const keyFor = (id: string): KeyObject => {
    let key = ring.get(id);
    if (!key && options.reload) {
      // Rotated by another process (iamd rotate-master-key): the key file names the new key.
      const fresh = options.reload();
      if (fresh.length > 0) load(fresh);
      key = ring.get(id);
    }
    if (!key) throw new SealError(`a secret is sealed under master key ${id}, which is not configured (current key ${current})`);
    return key;
  };

  return {
    get keyId() {
      return current;
    },
    seal(plaintext) {
      const iv = randomBytes(12);
      const header = `${SEALED_PREFIX}${current}`;
      const cipher = createCipheriv('aes-256-gcm', ring.get(current)!, iv);
      cipher.setAAD(Buffer.from(header));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [header, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join(':');
    },
    unseal(value) {
      if (!isSealed(value)) return value;
      const parts = value.split(':');
      if (parts.length !== 5) throw new SealError('a sealed secret is malformed');
      const [, id, iv, tag, ciphertext] = parts as [string, string, string, string, string];
      const decipher = createDecipheriv('aes-256-gcm', keyFor(id), Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(`${SEALED_PREFIX}${id}`));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      try {
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SealError(`a secret sealed under master key ${id} failed authentication (tampered with, or another key with the same id)`);
      }
    },
    isCurrent: (value) => sealedKeyId(value) === current,
  };
}

/**
 * No master key (PostgreSQL without IAMD_MASTER_KEY): secrets are stored as they are. Sealed
 * values cannot be opened, which the start-up check reports.
 */
export const unsealedSecrets: SecretSealer = {
  keyId: null,
  seal: (plaintext) => plaintext,
  unseal: (value) => {
    if (isSealed(value)) throw new SealError(`a secret is sealed under master key ${sealedKeyId(value)}, but no master key is configured`);
    return value;
  },
  isCurrent: (value) => !isSealed(value),
};
