import { WaiterTimeoutError } from './errors.js';

/** How a waiter polls. */
export interface WaiterOptions {
  /** Milliseconds between two checks; default 1000 (boto3's and the SDK's delay), at most 120000. */
  delayMs?: number;
  /** How many checks before giving up with {@link WaiterTimeoutError}; default 20, at most 1000. */
  maxAttempts?: number;
  /** Stops waiting (the waiter rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** The default delay between checks, in milliseconds. */
export const DEFAULT_WAITER_DELAY_MS = 1000;
/** The default number of checks. */
export const DEFAULT_WAITER_MAX_ATTEMPTS = 20;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Checks `condition` until it is true, waiting `delayMs` between checks, at most `maxAttempts`
 * times. An error from `condition` ends the wait at once.
 *
 * @param what - what is awaited, for the timeout's message (`User("alice") to exist`).
 * @param condition - the check.
 * @param options - delay, attempts and an abort signal.
 * @throws {@link WaiterTimeoutError} when the condition never held.
 */
export async function waitFor(what: string, condition: () => Promise<boolean>, options: WaiterOptions = {}): Promise<void> {
  const delayMs = options.delayMs ?? DEFAULT_WAITER_DELAY_MS;
  const maxAttempts = options.maxAttempts ?? DEFAULT_WAITER_MAX_ATTEMPTS;
  if (!(delayMs >= 0 && delayMs <= 120_000)) throw new RangeError(`delayMs must be from 0 to 120000, got ${delayMs}`);
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 1000) throw new RangeError(`maxAttempts must be an integer from 1 to 1000, got ${maxAttempts}`);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (await condition()) return;
    if (attempt < maxAttempts) await sleep(delayMs, options.signal);
  }
  throw new WaiterTimeoutError(what, maxAttempts);
}
