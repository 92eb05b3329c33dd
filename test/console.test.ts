import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  UpdateAccountPasswordPolicyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, iamClient, startServer, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';
import { launchBrowser, screenshotPath } from './support/browser.js';
import { codeAt, stepNow } from './support/totp.js';

/** The console in a real browser (Debian's Chromium via playwright-core), against the real server. */

const api = useServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(() => api.reset());

const PASSWORD = 'Console-Passw0rd!';

async function userWithPassword(options: { resetRequired?: boolean; path?: string } = {}): Promise<string> {
  const UserName = uniqueName('web');
  await api.iam.send(new CreateUserCommand({ UserName, Path: options.path }));
  await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: PASSWORD, PasswordResetRequired: options.resetRequired }));
  return UserName;
}

async function signIn(page: Page, userName: string, password = PASSWORD, account = ACCOUNT_ID): Promise<void> {
  await page.goto(`${api.url}/console`);
  await page.getByLabel('Account ID').fill(account);
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function withPage<T>(fn: (page: Page) => Promise<T>, width = 1024): Promise<T> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

describe('console sign-in', () => {
  it('signs in, shows my security credentials, and records PasswordLastUsed', async () => {
    const userName = await userWithPassword();
    expect((await api.iam.send(new GetUserCommand({ UserName: userName }))).User?.PasswordLastUsed).toBeUndefined();
    await withPage(async (page) => {
      await page.goto(`${api.url}/console`);
      await page.screenshot({ path: screenshotPath('01-sign-in'), fullPage: true });
      await signIn(page, userName);
      await expect(page.url()).toBe(`${api.url}/console/home`);
      expect(await page.locator('#user').textContent()).toBe(userName);
      expect(await page.locator('#age').textContent()).toBe('Your password is 0 days old.');
      expect(await page.locator('#expiry').textContent()).toBe('Your password does not expire.');
      await page.screenshot({ path: screenshotPath('02-credentials'), fullPage: true });

      const cookies = await page.context().cookies();
      const session = cookies.find((c) => c.name === 'iamd_session')!;
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', secure: false });
      expect(session.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
    const used = (await api.iam.send(new GetUserCommand({ UserName: userName }))).User?.PasswordLastUsed;
    expect(Math.abs(used!.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('gives the same answer for an unknown user, a wrong password and a wrong account', async () => {
    const userName = await userWithPassword();
    const texts: string[] = [];
    await withPage(async (page) => {
      for (const [user, password, account] of [
        ['no-such-user', PASSWORD, ACCOUNT_ID],
        [userName, 'Wrong-Passw0rd!', ACCOUNT_ID],
        [userName, PASSWORD, '000000000000'],
      ] as const) {
        await signIn(page, user, password, account);
        texts.push((await page.locator('#errors').textContent())!.trim());
      }
      await page.screenshot({ path: screenshotPath('03-wrong-password'), fullPage: true });
      // The password is never echoed back into the page.
      expect(await page.content()).not.toContain('Wrong-Passw0rd!');
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
    });
    expect(new Set(texts)).toEqual(new Set(['Your authentication information is incorrect. Please try again.']));
  });

  it('signs out, and the old session cookie no longer works', async () => {
    const userName = await userWithPassword();
    await withPage(async (page) => {
      await signIn(page, userName);
      const token = (await page.context().cookies()).find((c) => c.name === 'iamd_session')!.value;
      await page.getByRole('button', { name: 'Sign out' }).click();
      expect(page.url()).toBe(`${api.url}/console`);
      const replay = await fetch(`${api.url}/console/home`, { headers: { cookie: `iamd_session=${token}` }, redirect: 'manual' });
      expect(replay.status).toBe(303);
      expect(replay.headers.get('location')).toBe('/console');
    });
  });
});

describe('forced password change', () => {
  it('when PasswordResetRequired is set: nothing else until a policy-compliant new password is chosen', async () => {
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireSymbols: true, AllowUsersToChangePassword: true }));
    const userName = await userWithPassword({ resetRequired: true });
    await withPage(async (page) => {
      await signIn(page, userName);
      expect(page.url()).toBe(`${api.url}/console/new-password`);
      expect(await page.locator('main p').first().textContent()).toContain('Your administrator requires you to choose a new password');
      await page.screenshot({ path: screenshotPath('04-forced-change'), fullPage: true });

      await page.goto(`${api.url}/console/home`); // not allowed yet
      expect(page.url()).toBe(`${api.url}/console/new-password`);

      await page.getByLabel('New password', { exact: true }).fill('short');
      await page.getByLabel('Confirm new password').fill('short');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(await page.locator('#errors li').allTextContents()).toEqual([
        'Password should have a minimum length of 12',
        'Password should have at least one symbol',
      ]);
      await page.screenshot({ path: screenshotPath('05-policy-errors'), fullPage: true });

      await page.getByLabel('New password', { exact: true }).fill('Console-Passw0rd!');
      await page.getByLabel('Confirm new password').fill('Console-Passw0rd!');
      await page.getByRole('button', { name: 'Set new password' }).click();
      // Without a reuse rule the old password may be chosen again; the next test sets one.
      expect(page.url()).toBe(`${api.url}/console/home?notice=changed`);
      expect(await page.locator('#notice').textContent()).toBe('Your password has been changed.');
    });
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile?.PasswordResetRequired).toBe(false);
  });

  it('refuses a reused password with the reuse rule, and mismatched confirmations', async () => {
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ PasswordReusePrevention: 3, AllowUsersToChangePassword: true }));
    const userName = await userWithPassword({ resetRequired: true });
    await withPage(async (page) => {
      await signIn(page, userName);
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm new password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(await page.locator('#errors li').allTextContents()).toEqual(['Password should not be one of your 3 previous passwords']);
      await page.getByLabel('New password', { exact: true }).fill('Another-Passw0rd!');
      await page.getByLabel('Confirm new password').fill('Different-Passw0rd!');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(await page.locator('#errors li').allTextContents()).toEqual(['The new passwords do not match.']);
    });
  });

  it("refuses what the API's model refuses (over 128 characters, characters beyond U+00FF), in the API's words", async () => {
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true }));
    const userName = await userWithPassword({ resetRequired: true });
    const refusals = {
      'Euro-€-Passw0rd!': "1 validation error detected: Value at 'newPassword' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
      [`Long-Passw0rd!${'x'.repeat(115)}`]: "1 validation error detected: Value at 'newPassword' failed to satisfy constraint: Member must have length less than or equal to 128",
    };
    await withPage(async (page) => {
      await signIn(page, userName);
      for (const [password, message] of Object.entries(refusals)) {
        await page.getByLabel('New password', { exact: true }).fill(password);
        await page.getByLabel('Confirm new password').fill(password);
        await page.getByRole('button', { name: 'Set new password' }).click();
        expect(page.url()).toBe(`${api.url}/console/new-password`);
        expect(await page.locator('#errors').textContent()).toContain(message);
      }
    });
    // Nothing changed: the old password still signs in, and the change is still required.
    expect((await api.iam.send(new GetLoginProfileCommand({ UserName: userName }))).LoginProfile?.PasswordResetRequired).toBe(true);
    expect((await postSignIn(await csrfForm(), userName, PASSWORD)).headers.get('location')).toBe('/console/new-password');
  });

  it('when the password is older than MaxPasswordAge (moved clock)', async () => {
    const userName = await userWithPassword();
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 30, AllowUsersToChangePassword: true }));
    await api.setClock(31 * 86_400);
    await withPage(async (page) => {
      await signIn(page, userName);
      expect(page.url()).toBe(`${api.url}/console/new-password`);
      expect(await page.locator('main p').first().textContent()).toContain('Your password has expired');
      await page.screenshot({ path: screenshotPath('06-expired'), fullPage: true });
      await page.getByLabel('New password', { exact: true }).fill('Renewed-Passw0rd!');
      await page.getByLabel('Confirm new password').fill('Renewed-Passw0rd!');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(page.url()).toBe(`${api.url}/console/home?notice=changed`);
      expect(await page.locator('#age').textContent()).toBe('Your password is 0 days old.');
    });
  });

  it('needs iam:ChangePassword, as in AWS', async () => {
    const userName = await userWithPassword({ resetRequired: true }); // no AllowUsersToChangePassword, no policy
    await withPage(async (page) => {
      await signIn(page, userName);
      await page.getByLabel('New password', { exact: true }).fill('Wanted-Passw0rd!');
      await page.getByLabel('Confirm new password').fill('Wanted-Passw0rd!');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(await page.locator('#errors').textContent()).toContain('is not authorized to perform: iam:ChangePassword');
    });
  });

  it('with HardExpiry and an expired password, refuses sign-in: contact your administrator, no change form', async () => {
    const userName = await userWithPassword();
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 10, HardExpiry: true, AllowUsersToChangePassword: true }));
    await api.setClock(11 * 86_400);
    await withPage(async (page) => {
      await signIn(page, userName);
      expect(await page.locator('#errors').textContent()).toContain('Contact your administrator');
      expect(await page.locator('form').count()).toBe(0);
      expect((await page.context().cookies()).some((c) => c.name === 'iamd_session')).toBe(false);
      await page.screenshot({ path: screenshotPath('07-hard-expired'), fullPage: true });
      // The administrator resets it: the user is in again, and must change it (reset required).
      await api.iam.send(new UpdateLoginProfileCommand({ UserName: userName, Password: 'Admin-Set-Passw0rd!', PasswordResetRequired: true }));
      await signIn(page, userName, 'Admin-Set-Passw0rd!');
      expect(page.url()).toBe(`${api.url}/console/new-password`);
    });
  });
});

describe('my security credentials', () => {
  it('changes the password with old + new, subject to iam:ChangePassword, and revokes other sessions', async () => {
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ AllowUsersToChangePassword: true, MaxPasswordAge: 90 }));
    const userName = await userWithPassword();
    await withPage(async (other) => {
      await signIn(other, userName);
      await withPage(async (page) => {
        await signIn(page, userName);
        expect(await page.locator('#expiry').textContent()).toMatch(/^Your password expires on \d{4}-\d\d-\d\d\.$/);
        await page.getByLabel('Current password').fill('Not-My-Passw0rd!');
        await page.getByLabel('New password', { exact: true }).fill('Changed-Passw0rd!');
        await page.getByLabel('Confirm new password').fill('Changed-Passw0rd!');
        await page.getByRole('button', { name: 'Change password' }).click();
        expect(await page.locator('#errors').textContent()).toContain('The old password is incorrect.');
        await page.getByLabel('Current password').fill(PASSWORD);
        await page.getByLabel('New password', { exact: true }).fill('Changed-Passw0rd!');
        await page.getByLabel('Confirm new password').fill('Changed-Passw0rd!');
        await page.getByRole('button', { name: 'Change password' }).click();
        expect(await page.locator('#notice').textContent()).toBe('Your password has been changed.');
        await page.screenshot({ path: screenshotPath('08-changed'), fullPage: true });
      });
      // The other browser's session ended with the change.
      await other.goto(`${api.url}/console/home`);
      expect(other.url()).toBe(`${api.url}/console`);
    });
  });

  it('warns in the last 15 days before expiry', async () => {
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 30 }));
    const userName = await userWithPassword();
    await api.setClock(20 * 86_400);
    await withPage(async (page) => {
      await signIn(page, userName);
      expect(await page.locator('#expiry-warning').textContent()).toContain('Your password will expire soon');
      expect(await page.locator('#age').textContent()).toBe('Your password is 20 days old.');
      await page.screenshot({ path: screenshotPath('09-expiry-warning'), fullPage: true });
    });
  });

  it('is readable on a phone and usable with the keyboard alone', async () => {
    const userName = await userWithPassword();
    await withPage(async (page) => {
      await page.goto(`${api.url}/console`);
      await page.keyboard.press('Tab'); // the account field, pre-filled with this account
      await page.keyboard.press('Tab');
      await page.keyboard.type(userName);
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${api.url}/console/home`);
      const overflow = await page.evaluate('document.documentElement.scrollWidth > window.innerWidth');
      expect(overflow).toBe(false);
      await page.screenshot({ path: screenshotPath('10-phone'), fullPage: true });
    }, 375);
  });
});

describe('abuse resistance', () => {
  it('throttles after repeated failures, even for the right password, with growing delays', async () => {
    const userName = await userWithPassword();
    await withPage(async (page) => {
      for (let i = 0; i < 5; i++) {
        await signIn(page, userName, `Guess-${i}-Passw0rd!`);
        expect(await page.locator('#errors').textContent()).toContain('Your authentication information is incorrect');
      }
      await signIn(page, userName); // the right one, but too soon
      expect(await page.locator('#errors').textContent()).toMatch(/Too many failed sign-in attempts\. Try again in (2\d|30) seconds\./); // 30 s, less the time the test took
      await page.screenshot({ path: screenshotPath('11-throttled'), fullPage: true });
      // After the delay one more try is allowed; another failure doubles the delay.
      await api.setClock(31);
      await signIn(page, userName, 'Guess-6-Passw0rd!');
      expect(await page.locator('#errors').textContent()).toContain('Your authentication information is incorrect');
      await api.setClock(31 + 50);
      await signIn(page, userName);
      // Still blocked 50 s later: the second delay is 60 s, twice the first.
      expect(await page.locator('#errors').textContent()).toMatch(/Too many failed sign-in attempts\. Try again in ([1-9]|10) seconds\./);
      await api.setClock(31 + 61);
      await signIn(page, userName);
      await page.waitForURL(`${api.url}/console/home`);
    });
  });

  it('locks a user after 100 consecutive failures until an administrator resets the password (NIST SP 800-63B)', async () => {
    const userName = await userWithPassword();
    const form = await csrfForm();
    const post = (password: string) => postSignIn(form, userName, password);
    let allowed = 0;
    for (let hour = 0; hour < 120; hour++) {
      await api.setClock(hour * 3600); // past every delay, so each attempt is checked
      if ((await post(`Guess-${hour}-Passw0rd!`)).status === 401) allowed++;
    }
    expect(allowed).toBe(100);
    const locked = await post(PASSWORD);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('Contact your administrator to reset your password.');
  }, 120_000);

  it('parallel guesses cannot race past the limit (rejected before hashing)', async () => {
    const userName = await userWithPassword();
    const form = await csrfForm();
    const statuses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        postSignIn(form, userName, `Guess-${i}-Passw0rd!`).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('counts only failures against an address: many successful sign-ins from one address stay welcome', async () => {
    const userName = await userWithPassword();
    const form = await csrfForm();
    for (let i = 0; i < 25; i++) expect((await postSignIn(form, userName, PASSWORD)).status).toBe(303);
  });

  it('an administrator reset lifts the lock', async () => {
    const userName = await userWithPassword();
    const form = await csrfForm();
    const post = (password: string) => postSignIn(form, userName, password);
    for (let i = 0; i < 6; i++) await post(`Guess-${i}-Passw0rd!`);
    expect((await post(PASSWORD)).status).toBe(429);
    await api.iam.send(new UpdateLoginProfileCommand({ UserName: userName, Password: 'Fresh-Admin-Passw0rd!' }));
    expect((await post('Fresh-Admin-Passw0rd!')).status).toBe(303);
  });

  it('refuses a form without the CSRF token, or from another origin', async () => {
    const userName = await userWithPassword();
    const noToken = await fetch(`${api.url}/console/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ account: ACCOUNT_ID, username: userName, password: PASSWORD }),
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    const form = await csrfForm();
    const foreign = await fetch(`${api.url}/console/signin`, {
      method: 'POST',
      headers: { cookie: form.cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: form.token, account: ACCOUNT_ID, username: userName, password: PASSWORD }),
      redirect: 'manual',
    });
    expect(foreign.status).toBe(403);
  });

  it('sends security headers: CSP without inline script, frame-ancestors none, no caching', async () => {
    const res = await fetch(`${api.url}/console`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('strict-transport-security')).toBeNull(); // plain HTTP: see the TLS test
    expect(await res.text()).not.toMatch(/<script/i);
  });

  it('never writes a password, an MFA seed or an MFA code to the logs', async () => {
    const logged = await startServer({ env: { IAMD_ACCESS_LOG: 'true' } });
    try {
      const client = iamClient(logged.url);
      await client.send(new CreateUserCommand({ UserName: 'logged' }));
      await client.send(new CreateLoginProfileCommand({ UserName: 'logged', Password: 'Secret-Log-Passw0rd!' }));
      const form = await csrfForm(logged.url);
      await postSignIn(form, 'logged', 'Secret-Log-Passw0rd!', logged.url);
      await postSignIn(form, 'logged', 'Wrong-Log-Passw0rd!', logged.url);
      // And no MFA seed or code: a device enabled, then a sign-in with its code.
      const { VirtualMFADevice: device } = await client.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: 'logged' }));
      const seed = new TextDecoder().decode(device!.Base32StringSeed);
      const step = stepNow();
      const codes = [codeAt(seed, step - 1), codeAt(seed, step), codeAt(seed, step + 1)];
      await client.send(new EnableMFADeviceCommand({ UserName: 'logged', SerialNumber: device!.SerialNumber!, AuthenticationCode1: codes[0], AuthenticationCode2: codes[1] }));
      const signedIn = await postSignIn(form, 'logged', 'Secret-Log-Passw0rd!', logged.url);
      const session = signedIn.headers.getSetCookie().find((c) => c.startsWith('iamd_session='))!.split(';')[0]!;
      expect(signedIn.headers.get('location')).toBe('/console/mfa');
      const coded = await fetch(`${logged.url}/console/mfa`, {
        method: 'POST',
        headers: { cookie: `${form.cookie}; ${session}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf: form.token, code: codes[2]! }),
        redirect: 'manual',
      });
      expect(coded.headers.get('location')).toBe('/console/home');
      await logged.settledOutput();
      expect(logged.output()).toContain('"path":"/console/signin"');
      expect(logged.output()).toContain('"path":"/console/mfa"');
      expect(logged.output()).not.toContain('Secret-Log-Passw0rd!');
      expect(logged.output()).not.toContain('Wrong-Log-Passw0rd!');
      expect(logged.output()).not.toContain(seed);
      for (const code of codes) expect(logged.output()).not.toMatch(new RegExp(`(?<![0-9A-Za-z.-])${code}(?![0-9A-Za-z])`));
    } finally {
      await logged.stop();
    }
  });
});

describe('TLS', () => {
  it('serves the API and the console over HTTPS with --tls-cert/--tls-key, with Secure cookies and HSTS', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert], {
      stdio: 'ignore',
    });
    const secure = await startServer({ args: ['--memory', '--tls-cert', cert, '--tls-key', key] });
    try {
      expect(secure.url).toMatch(/^https:\/\//);
      const { NodeHttpHandler } = await import('@smithy/node-http-handler');
      const https = await import('node:https');
      const { IAMClient } = await import('@aws-sdk/client-iam');
      const client = new IAMClient({
        endpoint: secure.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ rejectUnauthorized: false }) }),
      });
      await client.send(new CreateUserCommand({ UserName: 'over-tls' }));
      await client.send(new CreateLoginProfileCommand({ UserName: 'over-tls', Password: PASSWORD }));
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      try {
        const page = await context.newPage();
        await page.goto(`${secure.url}/console`);
        await page.getByLabel('IAM user name').fill('over-tls');
        await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in' }).click();
        expect(page.url()).toBe(`${secure.url}/console/home`);
        expect((await context.cookies()).find((c) => c.name === 'iamd_session')?.secure).toBe(true);
        // HSTS, as AWS's sign-in sends it, on pages and refusals alike.
        const home = await page.goto(`${secure.url}/console/home`);
        expect(home!.headers()['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
        const missing = await page.goto(`${secure.url}/console/no-such-page`);
        expect(missing!.status()).toBe(404);
        expect(missing!.headers()['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      } finally {
        await context.close();
      }
    } finally {
      await secure.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('behind a TLS proxy (IAMD_PUBLIC_URL https://…), served over plain HTTP: Secure cookies and HSTS all the same', async () => {
    const proxied = await startServer({ env: { IAMD_PUBLIC_URL: 'https://iam.example.test' } });
    try {
      const hsts = 'max-age=31536000; includeSubDomains';
      const first = await fetch(`${proxied.url}/console`);
      expect(first.headers.get('strict-transport-security')).toBe(hsts);
      expect(first.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))).toMatch(/; Secure(;|$)/);
      const name = uniqueName('proxied');
      const iam = iamClient(proxied.url);
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new CreateLoginProfileCommand({ UserName: name, Password: PASSWORD }));
      const signedIn = await postSignIn(await csrfForm(proxied.url), name, PASSWORD, proxied.url);
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.get('strict-transport-security')).toBe(hsts);
      expect(signedIn.headers.getSetCookie().find((c) => c.startsWith('iamd_session='))).toMatch(/; Secure(;|$)/);
      iam.destroy();
    } finally {
      await proxied.stop();
    }
  });
});

/** A sign-in form posted without a browser, with the CSRF cookie and token of `form`. */
function postSignIn(form: { cookie: string; token: string }, userName: string, password: string, url = api.url): Promise<Response> {
  return fetch(`${url}/console/signin`, {
    method: 'POST',
    headers: { cookie: form.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrf: form.token, account: ACCOUNT_ID, username: userName, password }),
    redirect: 'manual',
  });
}

/** A fresh CSRF cookie and its token, as a browser gets them from the sign-in page. */
async function csrfForm(url = api.url): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${url}/console`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
  const token = /name="csrf" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie, token };
}
