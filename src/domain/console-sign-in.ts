import { createHash, randomBytes } from 'node:crypto';
import type { Caller, LoginProfile, MfaDevice, User } from './entities.js';
import type { Domain } from './context.js';
import type { Authorizer, RequestFacts } from './authorization.js';
import { userArn } from './arn.js';
import { IamError } from './errors.js';
import { acceptNewPassword } from './passwords.js';
import { isPasswordExpired, passwordExpiresAt } from './password-policy.js';
import { changePassword } from './login-profiles.js';
import type { ConsoleSession } from '../ports/store.js';
import { addressThrottleKey, userThrottleKey } from './throttle-keys.js';
import { checkMfaCode } from './mfa.js';
import { accountAlias } from './account-alias.js';

/**
 * Console sign-in, the place where a login profile is used. Passwords are checked with the same
 * hasher as the API; throttling is booked before any hashing; an unknown user costs the same hash
 * as a wrong password, so neither the answer nor its timing tells them apart.
 */

export interface SignInSettings {
  /** Failed attempts per user before delays begin; then 30 s, 60 s, 120 s … up to maxDelayMs. */
  freeAttemptsPerUser: number;
  freeAttemptsPerAddress: number;
  maxDelayMs: number;
  /** Consecutive failures after which a user is locked until an administrator resets the password (NIST: at most 100). */
  lockAfter: number;
  sessionLifetimeMs: number;
  /** How long the second step (the MFA code) may take after the password was accepted. */
  mfaStepLifetimeMs: number;
}

export const DEFAULT_SIGN_IN_SETTINGS: SignInSettings = {
  freeAttemptsPerUser: 5,
  freeAttemptsPerAddress: 20,
  maxDelayMs: 15 * 60_000,
  lockAfter: 100,
  sessionLifetimeMs: 12 * 3600_000,
  mfaStepLifetimeMs: 5 * 60_000,
};

/** Where a session goes next: the MFA code, a new password, or in. */
export type NextStep = 'mfa' | 'new-password' | 'home';

export type SignInResult =
  | { kind: 'signed-in'; token: string; next: NextStep }
  | { kind: 'hard-expired' }
  /** retryAfterSeconds null: locked until an administrator sets a new password. */
  | { kind: 'throttled'; retryAfterSeconds: number | null }
  /** The second step: too many wrong codes (mfa.ts MFA_LOCK_AFTER), until an administrator lifts it. */
  | { kind: 'mfa-locked' }
  | { kind: 'invalid' };

/** What the audit trail hears of a sign-in attempt (never the password). */
export interface SignInAttempt {
  /** The user the name was found as (absent: unknown user or account). */
  user?: User;
  success: boolean;
  /** Why it failed, in words. */
  reason?: string;
  sourceAddress: string;
  userAgent?: string;
  /** The attempt included an MFA code (the second step). */
  mfaUsed: boolean;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const FIRST_DELAY_MS = 30_000;

/**
 * Growing delays (sign-in, and wrong MFA codes): none before the `free`-th failure, then 30 s
 * doubling each time, capped. A user is locked at lockAfter; an address never is (a shared address
 * must not lock its neighbours out).
 */
export function delaySchedule(free: number, maxDelayMs: number, lockAfter = Number.POSITIVE_INFINITY) {
  return (failures: number): number | null => {
    if (failures >= lockAfter) return null;
    if (failures < free) return 0;
    return Math.min(FIRST_DELAY_MS * 2 ** (failures - free), maxDelayMs);
  };
}

const nextStep = (s: { mustChangePassword: boolean; awaitingMfa: boolean }): NextStep =>
  s.awaitingMfa ? 'mfa' : s.mustChangePassword ? 'new-password' : 'home';

export class ConsoleSignIn {
  /** A hash of a random password, verified against when the user does not exist. */
  private dummyHash: Promise<string>;

  constructor(
    private readonly domain: Domain,
    private readonly authorizer: Authorizer,
    private readonly settings: SignInSettings = DEFAULT_SIGN_IN_SETTINGS,
    /** Told of every sign-in attempt, once it is decided (the audit trail's ConsoleLogin). */
    private readonly onSignIn?: (attempt: SignInAttempt) => void,
  ) {
    this.dummyHash = domain.hasher.hash(randomBytes(16).toString('hex'));
  }

  async signIn(input: { accountId: string; userName: string; password: string; sourceAddress: string; userAgent?: string }): Promise<SignInResult> {
    const { result, user } = await this.attemptSignIn(input);
    // A password that leads to the second step is not a sign-in yet: the code decides, and is reported.
    if (!(result.kind === 'signed-in' && result.next === 'mfa')) this.report(result, user, input, false);
    return result;
  }

  private report(result: SignInResult, user: User | undefined, input: { sourceAddress: string; userAgent?: string }, mfaUsed: boolean): void {
    if (!this.onSignIn) return;
    const reason = {
      'signed-in': undefined,
      'hard-expired': 'Password expired',
      throttled: 'Too many failed sign-in attempts',
      'mfa-locked': 'Too many failed sign-in attempts',
      invalid: 'Failed authentication',
    }[result.kind];
    this.onSignIn({ user, success: result.kind === 'signed-in', reason, sourceAddress: input.sourceAddress, userAgent: input.userAgent, mfaUsed });
  }

  /** Books an attempt against the user's and the address's counts; a refusal when either is blocked. */
  private async bookAttempt(userName: string, sourceAddress: string, now: Date): Promise<SignInResult | undefined> {
    for (const [key, schedule] of [
      [userThrottleKey(this.domain.accountId, userName), delaySchedule(this.settings.freeAttemptsPerUser, this.settings.maxDelayMs, this.settings.lockAfter)],
      [addressThrottleKey(sourceAddress), delaySchedule(this.settings.freeAttemptsPerAddress, this.settings.maxDelayMs)],
    ] as const) {
      const booking = await this.domain.store.signInThrottle.book(key, now, schedule);
      if (!booking.allowed) {
        const retryAfterSeconds = booking.retryAt && Math.max(1, Math.ceil((booking.retryAt.getTime() - now.getTime()) / 1000));
        return { kind: 'throttled', retryAfterSeconds };
      }
    }
    return undefined;
  }

  /** A success clears the user's count and takes back the address's booking: only failures count. */
  private async forgiveAttempt(userName: string, sourceAddress: string): Promise<void> {
    await this.domain.store.signInThrottle.clear(userThrottleKey(this.domain.accountId, userName));
    await this.domain.store.signInThrottle.release(addressThrottleKey(sourceAddress));
  }

  private async attemptSignIn(input: { accountId: string; userName: string; password: string; sourceAddress: string }): Promise<{ result: SignInResult; user?: User }> {
    const { store, clock } = this.domain;
    const now = clock.now();
    const refused = await this.bookAttempt(input.userName, input.sourceAddress, now);
    if (refused) return { result: refused };

    const user = (await this.isThisAccount(input.accountId)) ? await store.users.getByName(input.userName) : undefined;
    const profile = user && (await store.loginProfiles.get(user.id));
    const hash = profile?.passwordHash ?? (await this.dummyHash);
    const ok = (await this.domain.hasher.verify(hash, input.password)) && profile !== undefined;
    if (!ok || !user || !profile) return { result: { kind: 'invalid' }, user };
    await this.rehashIfOutdated(user, profile, input.password);

    // The password was right. Wrong MFA codes are counted from here on, and also per device and
    // per user in checkMfaCode: counts a right password does not clear, the latter with a lock-out.
    await this.forgiveAttempt(user.name, input.sourceAddress);
    // With an MFA device, its code comes before anything else, the forced password change too:
    // changing a password is a change to the account's credentials, and needs both factors.
    const awaitingMfa = (await store.mfaDevices.listForUser(user.id)).length > 0;
    // PasswordLastUsed is the last sign-in: with MFA, it is recorded once the code is accepted.
    if (!awaitingMfa) await store.users.recordPasswordUse(user.id, now);
    const policy = await store.passwordPolicy.get();
    const expired = isPasswordExpired(profile.passwordChangedAt, policy, now);
    if (expired && policy?.hardExpiry) return { result: { kind: 'hard-expired' }, user };
    const mustChangePassword = profile.passwordResetRequired || expired;
    const token = await this.startSession(user, profile, { mustChangePassword, awaitingMfa, mfaAuthenticatedAt: null });
    return { result: { kind: 'signed-in', token, next: nextStep({ mustChangePassword, awaitingMfa }) }, user };
  }

  /** The account id, or the account's alias (the sign-in form and ?account= accept either, as AWS's do). */
  private async isThisAccount(account: string): Promise<boolean> {
    if (account === this.domain.accountId) return true;
    const alias = await accountAlias(this.domain);
    return alias !== undefined && account.toLowerCase() === alias;
  }

  /**
   * The second step: a code of one of the user's MFA devices, accepted once. A wrong code is a
   * failed sign-in (the user's and the address's counts, as a wrong password) and a wrong guess at
   * the device and at the user's MFA (checkMfaCode's counts, the second with a lock-out); a
   * replayed one is wrong. A right one replaces the waiting session by one that records when MFA
   * was used.
   */
  async verifyMfaCode(
    token: string,
    input: { serialNumber?: string; code: string; sourceAddress: string; userAgent?: string },
  ): Promise<SignInResult | { kind: 'ended' }> {
    const current = await this.session(token);
    if (!current?.session.awaitingMfa) return { kind: 'ended' };
    const { user, profile, session } = current;
    const now = this.domain.clock.now();
    const refused = await this.bookAttempt(user.name, input.sourceAddress, now);
    if (refused) {
      this.report(refused, user, input, true);
      return refused;
    }
    const devices = await this.domain.store.mfaDevices.listForUser(user.id);
    const device = input.serialNumber === undefined ? devices[0] : devices.find((d) => d.serialNumber === input.serialNumber);
    const refuse = (result: SignInResult) => {
      this.report(result, user, input, true);
      return result;
    };
    if (device === undefined || !/^\d{6}$/.test(input.code)) return refuse({ kind: 'invalid' });
    // The session this code would start is written before the code is accepted, and handed out
    // only if it is: a DeactivateMFADevice racing this step (on any node) deletes the user's
    // sessions in the transaction that holds the device's row, so either it comes after the code
    // was accepted and deletes this session too, or it came before and the code is refused.
    const fresh = await this.startSession(user, profile, { mustChangePassword: session.mustChangePassword, awaitingMfa: false, mfaAuthenticatedAt: now });
    const check = await checkMfaCode(this.domain, user, device.serialNumber, input.code);
    if (check !== 'accepted') {
      await this.domain.store.consoleSessions.delete(hashToken(fresh));
      return refuse(check === 'locked' ? { kind: 'mfa-locked' } : { kind: 'invalid' });
    }
    await this.forgiveAttempt(user.name, input.sourceAddress);
    await this.domain.store.users.recordPasswordUse(user.id, now);
    await this.domain.store.consoleSessions.delete(session.tokenHash);
    const result: SignInResult = { kind: 'signed-in', token: fresh, next: nextStep({ mustChangePassword: session.mustChangePassword, awaitingMfa: false }) };
    this.report(result, user, input, true);
    return result;
  }

  /** The user's MFA devices, for the second step's choice when there are several. */
  async mfaDevicesOf(user: User): Promise<MfaDevice[]> {
    return this.domain.store.mfaDevices.listForUser(user.id);
  }

  /**
   * A hash made at other parameters (an older iamd, or before the operator raised them) is replaced
   * now, while the plain password is at hand: compare-and-set on the old hash, so a password
   * changed meanwhile wins. A failure (e.g. Throttling from a full hash queue) does not fail the
   * sign-in; the next one tries again.
   */
  private async rehashIfOutdated(user: User, profile: LoginProfile, password: string): Promise<void> {
    if (!this.domain.hasher.needsRehash(profile.passwordHash)) return;
    try {
      const newHash = await this.domain.hasher.hash(password);
      await this.domain.store.loginProfiles.rehash(user.id, profile.passwordHash, newHash);
    } catch (e) {
      this.domain.log.error('rehashing a password at current parameters failed', { userId: user.id, error: String(e) });
    }
  }

  private async startSession(
    user: User,
    profile: Pick<LoginProfile, 'passwordChangedAt'>,
    state: { mustChangePassword: boolean; awaitingMfa: boolean; mfaAuthenticatedAt: Date | null },
    expiresAt?: Date,
  ): Promise<string> {
    const now = this.domain.clock.now();
    const token = randomBytes(32).toString('base64url');
    await this.domain.store.consoleSessions.deleteExpired(now);
    await this.domain.store.consoleSessions.create({
      tokenHash: hashToken(token),
      userId: user.id,
      createdAt: now,
      // A session waiting for its code is short-lived: the second step is taken at once or not at all.
      expiresAt: expiresAt ?? new Date(now.getTime() + (state.awaitingMfa ? this.settings.mfaStepLifetimeMs : this.settings.sessionLifetimeMs)),
      passwordChangedAt: profile.passwordChangedAt,
      ...state,
    });
    return token;
  }

  /**
   * The session behind a cookie, if it is still good: not expired, not signed out, and its
   * password unchanged since sign-in (a change anywhere revokes every session of the user). A
   * deactivated MFA device ends every session of its user too: DeactivateMFADevice deletes them
   * from the store (mfa.ts), so every node reading this sees it at once.
   */
  async session(token: string | undefined): Promise<{ session: ConsoleSession; user: User; profile: LoginProfile } | undefined> {
    if (!token) return undefined;
    const { store, clock } = this.domain;
    const session = await store.consoleSessions.get(hashToken(token));
    if (!session) return undefined;
    const user = await store.users.getById(session.userId);
    const profile = user && (await store.loginProfiles.get(user.id));
    if (!user || !profile || session.expiresAt <= clock.now() || profile.passwordChangedAt.getTime() !== session.passwordChangedAt.getTime()) {
      await store.consoleSessions.delete(session.tokenHash);
      return undefined;
    }
    return { session, user, profile };
  }

  async signOut(token: string | undefined): Promise<void> {
    if (token) await this.domain.store.consoleSessions.delete(hashToken(token));
  }

  /**
   * The forced change after sign-in (reset required or expired): the old password was just
   * verified, so only the new one is asked for. Needs iam:ChangePassword, as in AWS.
   * Returns a new session token: the change revoked the old session.
   */
  async setNewPassword(token: string, newPassword: string, facts: RequestFacts): Promise<string> {
    return this.changeOwnPassword(token, facts, async (current) => {
      const password = await acceptNewPassword(this.domain, current.user, newPassword);
      const result = await this.domain.store.loginProfiles.update(current.user.id, {
        password,
        passwordResetRequired: false,
        expectedHash: current.profile.passwordHash,
      });
      if (result !== 'ok') throw new IamError('EntityTemporarilyUnmodifiable', 'The password was changed meanwhile. Sign in again.');
    });
  }

  /** "My security credentials": old + new password, exactly as the ChangePassword API. */
  async changePassword(token: string, oldPassword: string, newPassword: string, facts: RequestFacts): Promise<string> {
    return this.changeOwnPassword(token, facts, (_current, caller) =>
      changePassword(this.domain, caller, { OldPassword: oldPassword, NewPassword: newPassword }),
    );
  }

  /**
   * The steps both password forms share: a live session, iam:ChangePassword on oneself (as in
   * AWS), the change itself, then a new session, since the change revoked the old one.
   */
  private async changeOwnPassword(
    token: string,
    facts: RequestFacts,
    change: (current: { session: ConsoleSession; user: User; profile: LoginProfile }, caller: Caller) => Promise<void>,
  ): Promise<string> {
    const current = await this.session(token);
    if (!current) throw new IamError('AccessDenied', 'Your session has ended. Sign in again.');
    if (current.session.awaitingMfa) throw new IamError('AccessDenied', 'Your session has ended. Sign in again.');
    const caller = this.callerOf(current);
    const resourceArn = userArn(this.domain.accountId, current.user.path, current.user.name);
    await this.authorizer.authorize(caller, { action: 'iam:ChangePassword', resourceArn, denialName: `user ${current.user.name}` }, facts);
    await change(current, caller);
    await this.domain.store.consoleSessions.delete(current.session.tokenHash);
    const profile = (await this.domain.store.loginProfiles.get(current.user.id))!;
    return this.startSession(current.user, profile, { mustChangePassword: false, awaitingMfa: false, mfaAuthenticatedAt: current.session.mfaAuthenticatedAt });
  }

  /**
   * The session that deactivated one of its own user's MFA devices on My security credentials:
   * the deactivation ended every session of the user, this one too, and this one goes on under a
   * new token, as after a password change, with the MFA and the expiry it had. Its record of the
   * password is kept, so a password changed meanwhile still ends it.
   */
  async continueAfterOwnDeactivation(current: { session: ConsoleSession; user: User }): Promise<string> {
    const { session } = current;
    return this.startSession(
      current.user,
      { passwordChangedAt: session.passwordChangedAt },
      { mustChangePassword: session.mustChangePassword, awaitingMfa: false, mfaAuthenticatedAt: session.mfaAuthenticatedAt },
      session.expiresAt,
    );
  }

  /** The password's age and expiry, for the credentials page. */
  async passwordStatus(profile: LoginProfile): Promise<{ ageDays: number; expiresAt?: Date; warn: boolean }> {
    const now = this.domain.clock.now();
    const expiresAt = passwordExpiresAt(profile.passwordChangedAt, await this.domain.store.passwordPolicy.get());
    const ageDays = Math.floor((now.getTime() - profile.passwordChangedAt.getTime()) / 86_400_000);
    const warn = expiresAt !== undefined && expiresAt.getTime() - now.getTime() <= 15 * 86_400_000;
    return { ageDays, expiresAt, warn };
  }

  /**
   * The console's caller: the user, acting through this session, so aws:MultiFactorAuthPresent
   * (and aws:MultiFactorAuthAge) describe how it signed in. Not for a session still awaiting its code.
   */
  callerOf(current: { session: ConsoleSession; user: User }): Caller {
    return { kind: 'user', accountId: this.domain.accountId, accessKeyId: '', user: current.user, console: { mfaAuthenticatedAt: current.session.mfaAuthenticatedAt } };
  }
}

