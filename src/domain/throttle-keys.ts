/** The keys under which failed sign-ins are counted: per user (names are case-insensitive) and per address. */
export const userThrottleKey = (accountId: string, userName: string) => `sign-in:user:${accountId}:${userName.toLowerCase()}`;
export const addressThrottleKey = (address: string) => `sign-in:address:${address}`;
/**
 * Wrong MFA codes per user, on every device and every path (the console's second step, STS
 * GetSessionToken and AssumeRole): the count with the lock-out, which a right password does not
 * clear. By id, so a user deleted and created again under the same name starts afresh.
 */
export const mfaUserThrottleKey = (userId: string) => `mfa-code:user:${userId}`;
