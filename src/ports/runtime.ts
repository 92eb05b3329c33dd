/** Ports for what the domain must not take from the environment directly, so tests can drive them. */

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  userId(): string;
  /** A long-term key id (AKIA…) that encodes the account, as AWS's do (see key-ids.ts). */
  accessKeyId(accountId: string): string;
  /** A temporary key id (ASIA…), likewise. */
  temporaryAccessKeyId(accountId: string): string;
  secretAccessKey(): string;
  groupId(): string;
  policyId(): string;
  /**
   * A unique id of AWS's form: the resource's four-letter prefix (AROA, AIPA, ACCA, ...) and 17 more
   * characters, or `length` more (SSH key ids have 16, like access key ids).
   */
  uniqueId(prefix: string, length?: number): string;
}

/**
 * Where the domain reports what fails in the background (nothing a caller is answered about). The
 * server's logger: fields must hold nothing secret; it redacts known secret names regardless.
 */
export interface Log {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface PasswordHasher {
  /** A self-describing hash (algorithm, parameters, salt); runs off the event loop. */
  hash(password: string): Promise<string>;
  /** Constant-time comparison; false for a malformed hash rather than an exception. */
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * True when a hash that just verified was made with other parameters than today's: the caller,
   * who has the plain password at hand, stores a new hash (compare-and-set on the old one).
   */
  needsRehash(hash: string): boolean;
}
