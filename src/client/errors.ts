/**
 * Errors of `iamd/client`: every failure IAM (or iamd) reports is turned into an
 * {@link IamClientError} that carries AWS's error code, the HTTP status and the request id.
 *
 * @module
 */

/** The error codes IAM's API answers with (the `Code` of the Query protocol's `ErrorResponse`). */
export type IamErrorCode =
  | 'AccessDenied'
  | 'ConcurrentModification'
  | 'DeleteConflict'
  | 'EntityAlreadyExists'
  | 'EntityTemporarilyUnmodifiable'
  | 'IncompleteSignature'
  | 'InvalidAction'
  | 'InvalidClientTokenId'
  | 'InvalidInput'
  | 'InvalidUserType'
  | 'LimitExceeded'
  | 'MalformedPolicyDocument'
  | 'MalformedQueryString'
  | 'MissingAuthenticationToken'
  | 'NoSuchEntity'
  | 'PasswordPolicyViolation'
  | 'ReportExpired'
  | 'ReportInProgress'
  | 'ReportNotPresent'
  | 'RequestEntityTooLarge'
  | 'ServiceFailure'
  | 'SignatureDoesNotMatch'
  | 'ValidationError'
  // Any other code AWS may add keeps its string.
  | (string & {});

/**
 * An error answered by IAM: `code` is AWS's error code (`NoSuchEntity`, `ValidationError`, …),
 * `status` the HTTP status, `requestId` the request id IAM (or iamd) gave the request. The SDK's
 * original exception is kept as `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await iam.User('nobody').load();
 * } catch (e) {
 *   if (e instanceof IamClientError && e.code === 'NoSuchEntity') console.log(e.message, e.requestId);
 *   else throw e;
 * }
 * ```
 */
export class IamClientError extends Error {
  /** AWS's error code, e.g. `NoSuchEntity`. */
  readonly code: IamErrorCode;
  /** The HTTP status of the response (404 for `NoSuchEntity`), or `undefined` when not known. */
  readonly status: number | undefined;
  /** The request id of the failed request, or `undefined` when the response carried none. */
  readonly requestId: string | undefined;
  /** The IAM operation that failed, e.g. `GetUser`, when known. */
  readonly operation: string | undefined;

  /**
   * @param code - AWS's error code.
   * @param message - AWS's message.
   * @param details - the HTTP status, request id, operation and the original error.
   */
  constructor(
    code: IamErrorCode,
    message: string,
    details: { status?: number | undefined; requestId?: string | undefined; operation?: string | undefined; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'IamClientError';
    this.code = code;
    this.status = details.status;
    this.requestId = details.requestId;
    this.operation = details.operation;
  }
}

/** Thrown when an attribute of a resource is read before `load()` (or a call that loads it) ran. */
export class ResourceNotLoadedError extends Error {
  /**
   * @param resource - how the resource reads, e.g. `User("alice")`.
   * @param attribute - the attribute that was read.
   */
  constructor(resource: string, attribute: string) {
    super(`${resource}.${attribute} is not loaded yet: call "await resource.load()" first`);
    this.name = 'ResourceNotLoadedError';
  }
}

/** Thrown by a waiter that ran out of attempts before the condition held. */
export class WaiterTimeoutError extends Error {
  /** How many times the condition was checked. */
  readonly attempts: number;

  /**
   * @param what - what was awaited, e.g. `User("alice") to exist`.
   * @param attempts - how many checks were made.
   */
  constructor(what: string, attempts: number) {
    super(`gave up waiting for ${what} after ${attempts} attempts`);
    this.name = 'WaiterTimeoutError';
    this.attempts = attempts;
  }
}

interface SdkServiceError {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string> };
}

/**
 * Turns an exception thrown by `@aws-sdk/client-iam` into an {@link IamClientError}. Errors that
 * are not service errors (a refused connection, a bug) are returned unchanged.
 *
 * @param error - what the SDK threw.
 * @param operation - the operation being called, for the error's `operation`.
 */
export function toIamClientError(error: unknown, operation?: string): unknown {
  if (error instanceof IamClientError) return error;
  if (typeof error !== 'object' || error === null) return error;
  const e = error as SdkServiceError;
  // Only an answer from the service has a status; a refused connection or a timeout has none.
  if (typeof e.$metadata?.httpStatusCode !== 'number') return error;
  const code = e.Code ?? (e.name ?? 'Unknown').replace(/Exception$/, '');
  const requestId = e.$metadata?.requestId ?? e.$response?.headers?.['x-amzn-requestid'];
  return new IamClientError(code, e.message ?? code, { status: e.$metadata?.httpStatusCode, requestId, operation, cause: error });
}

/**
 * True when `error` is an {@link IamClientError} with the given AWS error code.
 *
 * @param error - anything caught.
 * @param code - the AWS error code to look for.
 */
export function hasErrorCode(error: unknown, code: IamErrorCode): error is IamClientError {
  return error instanceof IamClientError && error.code === code;
}

/** True when `error` is IAM's `NoSuchEntity` (404): the user, login profile, key, group or policy does not exist. */
export const isNoSuchEntity = (error: unknown): error is IamClientError => hasErrorCode(error, 'NoSuchEntity');
/** True when `error` is IAM's `EntityAlreadyExists` (409). */
export const isEntityAlreadyExists = (error: unknown): error is IamClientError => hasErrorCode(error, 'EntityAlreadyExists');
/** True when `error` is IAM's `DeleteConflict` (409): the entity still has dependents. */
export const isDeleteConflict = (error: unknown): error is IamClientError => hasErrorCode(error, 'DeleteConflict');
/** True when `error` is IAM's `LimitExceeded` (409). */
export const isLimitExceeded = (error: unknown): error is IamClientError => hasErrorCode(error, 'LimitExceeded');
/** True when `error` is `ValidationError` (400): a parameter breaks the model's constraints. */
export const isValidationError = (error: unknown): error is IamClientError => hasErrorCode(error, 'ValidationError');
/** True when `error` is IAM's `PasswordPolicyViolation` (400). */
export const isPasswordPolicyViolation = (error: unknown): error is IamClientError => hasErrorCode(error, 'PasswordPolicyViolation');
/** True when `error` is `AccessDenied` (403). */
export const isAccessDenied = (error: unknown): error is IamClientError => hasErrorCode(error, 'AccessDenied');
/** True when `error` is IAM's `MalformedPolicyDocument` (400). */
export const isMalformedPolicyDocument = (error: unknown): error is IamClientError => hasErrorCode(error, 'MalformedPolicyDocument');
