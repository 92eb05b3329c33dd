import { AccessKey } from './access-key.js';
import type { IAM } from './iam.js';

/**
 * An access key with its secret, as `user.createAccessKeyPair()` returns it (boto3's
 * `AccessKeyPair`): the secret is an identifier here, so it stays readable after a `load()`, which
 * refreshes the rest from `ListAccessKeys`. `iam.AccessKeyPair(userName, id, secret)` rebuilds one.
 *
 * @example
 * ```ts
 * const pair = await iam.User('alice').createAccessKeyPair();
 * const asAlice = new IAM({ endpoint, credentials: { accessKeyId: pair.id, secretAccessKey: pair.secret } });
 * ```
 */
export class AccessKeyPair extends AccessKey {
  // A private field, so that console.log(pair) and JSON.stringify(pair) do not print the secret.
  readonly #secret: string;

  /** Use `user.createAccessKeyPair()` or `iam.AccessKeyPair(userName, id, secret)`. */
  constructor(iam: IAM, userName: string, accessKeyId: string, secret: string) {
    super(iam, userName, accessKeyId);
    this.#secret = secret;
  }

  /** The secret access key. */
  get secret(): string {
    return this.#secret;
  }

  /** `AccessKeyPair("alice", "AKIA…")` (never the secret). */
  override toString(): string {
    return `AccessKeyPair(${JSON.stringify(this.userName)}, ${JSON.stringify(this.id)})`;
  }

  /** The secret access key (the same as `secret`). */
  override get secretAccessKey(): string {
    return this.#secret;
  }
}
