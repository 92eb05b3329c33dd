/**
 * Encryption of secrets at rest (access-key secrets). The domain seals a secret before it goes to
 * the store and unseals it where it is needed (SigV4 verification), so no storage adapter ever
 * sees a secret in clear and none needs to know about encryption.
 */
export interface SecretSealer {
  /** The secret, encrypted under the current master key: `v1:<keyId>:<iv>:<tag>:<ciphertext>`. */
  seal(plaintext: string): string;
  /**
   * The secret in clear. A value without the `v1:` prefix is a row written before secrets were
   * sealed and is returned as it is. Throws SealError for a value sealed under an unknown key or
   * tampered with.
   */
  unseal(sealed: string): string;
  /** True when the value is sealed under the current master key (false: plaintext or an older key). */
  isCurrent(value: string): boolean;
  /** The current master key's id (never the key), or null when secrets are kept unsealed. */
  readonly keyId: string | null;
}

/** A sealed value that cannot be opened. Its message names the key id, never a secret. */
export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

/** Sealed values start with this (the format's version). */
export const SEALED_PREFIX = 'v1:';

export const isSealed = (value: string): boolean => value.startsWith(SEALED_PREFIX);

/** The key id a sealed value names, or undefined for a plaintext value. */
export function sealedKeyId(value: string): string | undefined {
  if (!isSealed(value)) return undefined;
  // Asked on every signed request (is the secret under the current key?): no split of the whole value.
  const end = value.indexOf(':', SEALED_PREFIX.length);
  return end < 0 ? value.slice(SEALED_PREFIX.length) : value.slice(SEALED_PREFIX.length, end);
}
