/** The keys under which failed sign-ins are counted: per user (names are case-insensitive) and per address. */
export const userThrottleKey = (accountId: string, userName: string) => `sign-in:user:${accountId}:${userName.toLowerCase()}`;
export const addressThrottleKey = (address: string) => `sign-in:address:${address}`;
