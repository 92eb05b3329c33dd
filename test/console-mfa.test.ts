import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  CreateAccountAliasCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';
import { launchBrowser, screenshotPath } from './support/browser.js';
import { codeAt, readQrPng, wrongCode } from './support/totp.js';

/**
 * The console's MFA in a real browser (Chromium via playwright-core) against the real server:
 * enrolment on My security credentials, the second step of sign-in, the MFA-conditioned policy
 * AWS documents for self-managed credentials, access keys, the account alias, HTML errors. Codes
 * are computed here from the seed the page shows (test/support/totp.ts, not iamd's own TOTP).
 */

const api = useServer();
let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
beforeEach(async () => {
  await api.reset();
  clockOffset = 0;
});

const PASSWORD = 'Console-Passw0rd!';

/** The server's clock offset (seconds), so that codes are computed for the server's time. */
let clockOffset = 0;
async function moveClock(seconds: number): Promise<void> {
  clockOffset = seconds;
  await api.setClock(seconds);
}
const serverStep = () => Math.floor((Date.now() + clockOffset * 1000) / 30_000);

/**
 * AWS's documented policy "Allows MFA-authenticated IAM users to manage their own credentials on
 * the Security credentials page" (the statements this console uses; the deny is AWS's, verbatim).
 */
const SELF_MANAGE_WITH_MFA = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'AllowViewAccountInfo', Effect: 'Allow', Action: ['iam:GetAccountPasswordPolicy', 'iam:GetAccountSummary', 'iam:ListVirtualMFADevices'], Resource: '*' },
    { Sid: 'AllowManageOwnPasswords', Effect: 'Allow', Action: ['iam:ChangePassword', 'iam:GetUser'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
    {
      Sid: 'AllowManageOwnAccessKeys',
      Effect: 'Allow',
      Action: ['iam:CreateAccessKey', 'iam:DeleteAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnVirtualMFADevice',
      Effect: 'Allow',
      Action: ['iam:CreateVirtualMFADevice', 'iam:DeleteVirtualMFADevice'],
      Resource: 'arn:aws:iam::*:mfa/${aws:username}',
    },
    {
      Sid: 'AllowManageOwnUserMFA',
      Effect: 'Allow',
      Action: ['iam:DeactivateMFADevice', 'iam:EnableMFADevice', 'iam:ListMFADevices', 'iam:ResyncMFADevice'],
      Resource: 'arn:aws:iam::*:user/${aws:username}',
    },
    {
      Sid: 'DenyAllExceptListedIfNoMFA',
      Effect: 'Deny',
      NotAction: [
        'iam:CreateVirtualMFADevice',
        'iam:EnableMFADevice',
        'iam:GetUser',
        'iam:ListMFADevices',
        'iam:ListVirtualMFADevices',
        'iam:ResyncMFADevice',
        'sts:GetSessionToken',
      ],
      Resource: '*',
      Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } },
    },
  ],
});

async function userWithPassword(options: { resetRequired?: boolean; policy?: string } = {}): Promise<string> {
  const UserName = uniqueName('mfa-web');
  await api.iam.send(new CreateUserCommand({ UserName }));
  await api.iam.send(new CreateLoginProfileCommand({ UserName, Password: PASSWORD, PasswordResetRequired: options.resetRequired }));
  if (options.policy) await api.iam.send(new PutUserPolicyCommand({ UserName, PolicyName: 'self-manage', PolicyDocument: options.policy }));
  return UserName;
}

/** A virtual device enabled for the user through the API (root): its serial number and seed, and the last step used. */
async function deviceFor(userName: string): Promise<{ serial: string; seed: string; lastStep: number }> {
  const { VirtualMFADevice: d } = await api.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: userName }));
  const seed = new TextDecoder().decode(d!.Base32StringSeed);
  const step = serverStep();
  await api.iam.send(
    new EnableMFADeviceCommand({ UserName: userName, SerialNumber: d!.SerialNumber!, AuthenticationCode1: codeAt(seed, step - 1), AuthenticationCode2: codeAt(seed, step) }),
  );
  return { serial: d!.SerialNumber!, seed, lastStep: step };
}

async function signIn(page: Page, userName: string, account = ACCOUNT_ID): Promise<void> {
  await page.goto(`${api.url}/console`);
  await page.getByLabel('Account ID').fill(account);
  await page.getByLabel('IAM user name').fill(userName);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function enterCode(page: Page, code: string): Promise<void> {
  await page.getByLabel('MFA code').fill(code);
  await page.getByRole('button', { name: 'Submit' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect(page.url()).toBe(`${api.url}/console`);
}

/**
 * How many elements match, once the page has loaded: count() does not wait, and the page a click
 * navigated to may still be parsing when the click returns (a CI run once counted none).
 */
async function countLoaded(page: Page, selector: string): Promise<number> {
  await page.waitForLoadState('load');
  return page.locator(selector).count();
}

async function withPage<T>(fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

describe('MFA in the console', () => {
  it('enrols a virtual device from My security credentials, then asks for its code: right, wrong, replayed', async () => {
    const userName = await userWithPassword({ policy: SELF_MANAGE_WITH_MFA });
    await withPage(async (page) => {
      await signIn(page, userName);
      expect(page.url()).toBe(`${api.url}/console/home`);
      // Signed in without MFA: AWS's policy lets the user enrol, and denies the rest.
      expect(await page.locator('#mfa-none').textContent()).toBe('No MFA device is assigned to you.');
      expect(await page.locator('#keys-denied').textContent()).toContain(`is not authorized to perform: iam:ListAccessKeys`);
      await page.screenshot({ path: screenshotPath('20-credentials-without-mfa'), fullPage: true });

      expect(await page.getByLabel('Device name').inputValue()).toBe(userName);
      const enrol = page.waitForResponse((r) => r.url().endsWith('/console/mfa/create'));
      await page.getByRole('button', { name: 'Assign MFA device' }).click();
      const csp = (await (await enrol).allHeaders())['content-security-policy']!;
      expect(csp).toContain("img-src 'self' data:");
      expect(csp).toContain("default-src 'none'");
      const serial = (await page.locator('#serial').textContent())!;
      expect(serial).toBe(`arn:aws:iam::${ACCOUNT_ID}:mfa/${userName}`);
      const seed = (await page.locator('#seed').textContent())!;
      expect(seed).toMatch(/^[A-Z2-7]{64}$/);
      // The QR code is shown (the browser loaded it) and holds the otpauth URI of that seed.
      expect(await page.locator('#qr').evaluate((el) => {
          const img = el as unknown as { complete: boolean; naturalWidth: number };
          return img.complete && img.naturalWidth > 0;
        })).toBe(true);
      const src = (await page.locator('#qr').getAttribute('src'))!;
      expect(readQrPng(Buffer.from(src.replace('data:image/png;base64,', ''), 'base64'))).toBe(`otpauth://totp/${userName}@${ACCOUNT_ID}?secret=${seed}`);
      await page.screenshot({ path: screenshotPath('21-assign-mfa'), fullPage: true });

      // Wrong codes: the device is not assigned; the form comes back without the QR code.
      await page.getByLabel('MFA code 1').fill(wrongCode(seed));
      await page.getByLabel('MFA code 2').fill(wrongCode(seed));
      await page.getByRole('button', { name: 'Add MFA' }).click();
      expect(await page.locator('#errors').textContent()).toContain('Authentication code for device is not valid.');
      expect(await countLoaded(page, '#qr')).toBe(0);
      await page.screenshot({ path: screenshotPath('22-assign-mfa-wrong-codes'), fullPage: true });

      const step = serverStep();
      await page.getByLabel('MFA code 1').fill(codeAt(seed, step - 1));
      await page.getByLabel('MFA code 2').fill(codeAt(seed, step));
      await page.getByRole('button', { name: 'Add MFA' }).click();
      expect(page.url()).toBe(`${api.url}/console/home?notice=mfa-assigned`);
      expect(await page.locator('#mfa-devices code').allTextContents()).toEqual([serial]);
      await page.screenshot({ path: screenshotPath('23-mfa-assigned'), fullPage: true });
      const { MFADevices } = await api.iam.send(new ListMFADevicesCommand({ UserName: userName }));
      expect(MFADevices?.map((d) => d.SerialNumber)).toEqual([serial]);
      // The page's text never holds the seed again.
      expect(await page.content()).not.toContain(seed);

      await signOut(page);
      await signIn(page, userName);
      expect(page.url()).toBe(`${api.url}/console/mfa`);
      await page.goto(`${api.url}/console/home`); // nothing else before the code
      expect(page.url()).toBe(`${api.url}/console/mfa`);
      await page.screenshot({ path: screenshotPath('24-mfa-code'), fullPage: true });

      await enterCode(page, wrongCode(seed));
      expect(page.url()).toBe(`${api.url}/console/mfa`);
      expect(await page.locator('#errors').textContent()).toBe('Your authentication information is incorrect. Please try again.');
      await page.screenshot({ path: screenshotPath('25-mfa-code-wrong'), fullPage: true });

      const code = codeAt(seed, step + 1);
      await enterCode(page, code);
      expect(page.url()).toBe(`${api.url}/console/home`);
      // With MFA in the session, AWS's policy no longer denies: the access keys are listed.
      expect(await page.locator('#keys-none').textContent()).toBe('You have no access keys.');
      await page.screenshot({ path: screenshotPath('26-credentials-with-mfa'), fullPage: true });

      // The same code again, in a new sign-in: refused.
      await signOut(page);
      await signIn(page, userName);
      await enterCode(page, code);
      expect(await page.locator('#errors').textContent()).toBe('Your authentication information is incorrect. Please try again.');
      expect(page.url()).toBe(`${api.url}/console/mfa`);

      // The next code is good; then the device is removed (deactivate + delete), which the policy allows with MFA only.
      await enterCode(page, codeAt(seed, step + 2));
      expect(page.url()).toBe(`${api.url}/console/home`);
      await page.getByRole('button', { name: `Remove ${serial}` }).click();
      expect(page.url()).toBe(`${api.url}/console/home?notice=mfa-removed`);
      expect(await countLoaded(page, '#mfa-none')).toBe(1);
      expect((await api.iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices).toEqual([]);
      await signOut(page);
      await signIn(page, userName);
      expect(page.url()).toBe(`${api.url}/console/home`); // no code asked any more
    });
  });

  it('a wrong code counts as a failed sign-in: after 5, even the right code waits', async () => {
    const userName = await userWithPassword();
    const { seed, lastStep } = await deviceFor(userName);
    await withPage(async (page) => {
      await signIn(page, userName);
      for (let i = 0; i < 5; i++) {
        await enterCode(page, wrongCode(seed));
        expect(await page.locator('#errors').textContent()).toBe('Your authentication information is incorrect. Please try again.');
      }
      await enterCode(page, codeAt(seed, lastStep + 1));
      expect(await page.locator('#errors').textContent()).toMatch(/^Too many failed sign-in attempts\. Try again in (2\d|30) seconds\.$/);
      await page.screenshot({ path: screenshotPath('27-mfa-code-throttled'), fullPage: true });
      // The password form is throttled too: the same count.
      await page.getByRole('button', { name: 'Cancel' }).click();
      await signIn(page, userName);
      expect(await page.locator('#errors').textContent()).toMatch(/^Too many failed sign-in attempts/);
    });
  });

  it('forced password change with MFA: the code first, then the new password, in an MFA session', async () => {
    const userName = await userWithPassword({ resetRequired: true, policy: SELF_MANAGE_WITH_MFA });
    const { seed, lastStep } = await deviceFor(userName);
    await withPage(async (page) => {
      const passwordLastUsed = async () => (await api.iam.send(new GetUserCommand({ UserName: userName }))).User?.PasswordLastUsed;
      await signIn(page, userName);
      expect(page.url()).toBe(`${api.url}/console/mfa`);
      await page.goto(`${api.url}/console/new-password`);
      expect(page.url()).toBe(`${api.url}/console/mfa`);
      // The password alone is no sign-in: PasswordLastUsed waits for the code.
      expect(await passwordLastUsed()).toBeUndefined();
      await enterCode(page, codeAt(seed, lastStep + 1));
      expect(page.url()).toBe(`${api.url}/console/new-password`);
      expect(Math.abs((await passwordLastUsed())!.getTime() - Date.now())).toBeLessThan(60_000);
      await page.screenshot({ path: screenshotPath('28-mfa-then-forced-change'), fullPage: true });
      // AWS's policy allows iam:ChangePassword only with MFA: this session has it.
      await page.getByLabel('New password', { exact: true }).fill('Changed-Passw0rd!');
      await page.getByLabel('Confirm new password').fill('Changed-Passw0rd!');
      await page.getByRole('button', { name: 'Set new password' }).click();
      expect(page.url()).toBe(`${api.url}/console/home?notice=changed`);
      // The new session keeps the MFA of the sign-in.
      expect(await countLoaded(page, '#keys-none')).toBe(1);
    });
  });

  it('aws:MultiFactorAuthAge: the time since the code, as the console session records it', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:ListMFADevices'], Resource: '*' },
        // Access keys only within an hour of MFA.
        { Effect: 'Allow', Action: ['iam:ListAccessKeys'], Resource: '*', Condition: { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } } },
      ],
    });
    const userName = await userWithPassword({ policy });
    const { seed, lastStep } = await deviceFor(userName);
    await withPage(async (page) => {
      await signIn(page, userName);
      await enterCode(page, codeAt(seed, lastStep + 1));
      expect(await countLoaded(page, '#keys-none')).toBe(1);
      await moveClock(3601);
      await page.goto(`${api.url}/console/home`);
      expect(await page.locator('#keys-denied').textContent()).toContain('is not authorized to perform: iam:ListAccessKeys');
    });
  });
});

describe('access keys in the console', () => {
  it('creates one (the secret shown once), deactivates, activates and deletes it, through the API authorization', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:ListMFADevices', 'iam:CreateAccessKey', 'iam:ListAccessKeys', 'iam:UpdateAccessKey', 'iam:DeleteAccessKey'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
      ],
    });
    const userName = await userWithPassword({ policy });
    await withPage(async (page) => {
      await signIn(page, userName);
      await page.getByRole('button', { name: 'Create access key' }).click();
      const id = (await page.locator('#new-key-id').textContent())!;
      const secret = (await page.locator('#new-key-secret').textContent())!;
      expect(id).toMatch(/^AKIA[A-Z0-9]{16}$/);
      expect(secret).toMatch(/^[A-Za-z0-9/+]{40}$/);
      await page.screenshot({ path: screenshotPath('29-access-key-created'), fullPage: true });
      // The key works, and is the user's.
      const own = new IAMClient({ endpoint: api.url, region: 'us-east-1', credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1 });
      const listed = await own.send(new ListAccessKeysCommand({}));
      expect(listed.AccessKeyMetadata?.map((k) => [k.AccessKeyId, k.UserName, k.Status])).toEqual([[id, userName, 'Active']]);

      await page.getByRole('link', { name: 'Done' }).click();
      expect(await page.content()).not.toContain(secret);
      expect(await page.locator('#access-keys tbody tr td').nth(1).textContent()).toBe('Active');
      await page.getByRole('button', { name: `Deactivate ${id}` }).click();
      expect(page.url()).toBe(`${api.url}/console/home?notice=key-updated`);
      expect(await page.locator('#access-keys tbody tr td').nth(1).textContent()).toBe('Inactive');
      await page.screenshot({ path: screenshotPath('30-access-keys'), fullPage: true });
      await page.getByRole('button', { name: `Activate ${id}` }).click();
      expect(await page.locator('#access-keys tbody tr td').nth(1).textContent()).toBe('Active');
      await page.getByRole('button', { name: `Delete ${id}` }).click();
      expect(page.url()).toBe(`${api.url}/console/home?notice=key-deleted`);
      expect(await countLoaded(page, '#keys-none')).toBe(1);
      expect((await api.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata).toEqual([]);
    });
  });

  it('without a policy, the page says what is denied and creates nothing', async () => {
    const userName = await userWithPassword();
    await withPage(async (page) => {
      await signIn(page, userName);
      expect(await page.locator('#keys-denied').textContent()).toBe(
        `User: arn:aws:iam::${ACCOUNT_ID}:user/${userName} is not authorized to perform: iam:ListAccessKeys on resource: arn:aws:iam::${ACCOUNT_ID}:user/${userName} because no identity-based policy allows the iam:ListAccessKeys action`,
      );
      expect(await page.locator('#mfa-denied').textContent()).toContain('is not authorized to perform: iam:ListMFADevices');
      await page.getByRole('button', { name: 'Create access key' }).click();
      expect(await page.locator('#errors').textContent()).toContain('is not authorized to perform: iam:CreateAccessKey');
      await page.getByRole('button', { name: 'Assign MFA device' }).click();
      expect(await page.locator('#errors').textContent()).toContain('is not authorized to perform: iam:CreateVirtualMFADevice');
    });
    expect((await api.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata).toEqual([]);
    expect((await api.iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices).toEqual([]);
  });
});

describe('the account alias in the console', () => {
  it('signs in with the alias in the field and from ?account=, as with the account id', async () => {
    const userName = await userWithPassword();
    await api.iam.send(new CreateAccountAliasCommand({ AccountAlias: 'example-corp' }));
    await withPage(async (page) => {
      await page.goto(`${api.url}/console?account=example-corp`);
      expect(await page.getByLabel('Account ID').inputValue()).toBe('example-corp');
      await page.screenshot({ path: screenshotPath('31-sign-in-alias'), fullPage: true });
      await page.getByLabel('IAM user name').fill(userName);
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(page.url()).toBe(`${api.url}/console/home`);
      await signOut(page);
      await signIn(page, userName, 'example-corp');
      expect(page.url()).toBe(`${api.url}/console/home`);
      await signOut(page);
      // Another name is an unknown account: the usual answer.
      await signIn(page, userName, 'other-corp');
      expect(await page.locator('#errors').textContent()).toBe('Your authentication information is incorrect. Please try again.');
    });
  });
});

describe('the console answers in HTML', () => {
  it('an oversized form gets an HTML page (413), not the API XML', async () => {
    const res = await fetch(`${api.url}/console/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=' + 'a'.repeat(20_000),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const body = await res.text();
    expect(body).toContain('This form is larger than the console accepts (16384 bytes).');
    expect(body).not.toContain('<ErrorResponse');
    // A browser posting one gets the page too.
    await withPage(async (page) => {
      await page.goto(`${api.url}/console`);
      await page.locator('#username').evaluate((el) => {
        (el as unknown as { value: string }).value = 'x'.repeat(20_000);
      });
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      expect(await page.locator('h1').textContent()).toBe('Request too large');
      await page.screenshot({ path: screenshotPath('32-error-too-large'), fullPage: true });
    });
  });

  describe('when the password hasher is saturated', () => {
    const busy = useServer({ env: { IAMD_MAX_CONCURRENT_HASHES: '1', IAMD_MAX_QUEUED_HASHES: '0' } });
    it('a sign-in refused for load gets an HTML page (503, Retry-After), not the API XML', async () => {
      const page = await fetch(`${busy.url}/console`);
      const cookie = page.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
      const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      // Distinct unknown users, each costing a hash: with one at a time and none queued, some are refused.
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          fetch(`${busy.url}/console/signin`, {
            method: 'POST',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ csrf, account: ACCOUNT_ID, username: `nobody-${i}`, password: PASSWORD }),
            redirect: 'manual',
          }).then(async (r) => ({ status: r.status, type: r.headers.get('content-type'), retry: r.headers.get('retry-after'), body: await r.text() })),
        ),
      );
      const refused = answers.filter((a) => a.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) {
        expect(a).toMatchObject({ type: 'text/html; charset=utf-8', retry: '1' });
        expect(a.body).toContain('The console is busy. Wait a moment, then try again.');
        expect(a.body).not.toContain('<ErrorResponse');
      }
      expect(answers.filter((a) => a.status === 401).length).toBeGreaterThan(0);
    });
  });

  it('no Strict-Transport-Security over plain HTTP (the TLS suite checks it is sent over TLS)', async () => {
    const res = await fetch(`${api.url}/console`);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });
});
