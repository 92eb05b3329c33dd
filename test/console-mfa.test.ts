import http from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  CreateAccessKeyCommand,
  CreateAccountAliasCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeactivateMFADeviceCommand,
  EnableMFADeviceCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListMFADevicesCommand,
  ListVirtualMFADevicesCommand,
  PutUserPolicyCommand,
  ResyncMFADeviceCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
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

describe('MFA lock-out and revocation, without a browser', () => {
  it('wrong codes lock the user after 100, though a right password came before each; GetSessionToken is refused too; an administrator resync lifts it', async () => {
    const userName = await userWithPassword();
    const { serial, seed } = await deviceFor(userName);
    const form = await csrfForm();
    let refused = 0;
    for (let round = 1; round <= 100; round++) {
      // Past the device's delay (up to 15 minutes), so each code is checked; each round from an
      // address of its own, as the review's attacker did.
      await moveClock(round * 16 * 60);
      const waiting = await passwordStep(form, userName, loopback(round));
      const answer = await postCode(form, waiting, wrongCodeAt(seed, serverStep()), loopback(round));
      if (answer.status === 401) refused++;
    }
    expect(refused).toBe(100);

    await moveClock(101 * 16 * 60);
    // The right password still leads to the second step (it tells nothing new: it did before)...
    const waiting = await passwordStep(form, userName);
    // ...where even the right code is refused, as the password's lock-out answers: 429, no Retry-After.
    const locked = await postCode(form, waiting, codeAt(seed, serverStep()));
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toBeNull();
    expect(await locked.text()).toContain('Too many failed sign-in attempts. Contact your administrator to resynchronize or deactivate your MFA device.');
    // The same count holds for the API's codes: the user's own keys, the right code, refused.
    const { AccessKey: key } = await api.iam.send(new CreateAccessKeyCommand({ UserName: userName }));
    const sts = new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: key!.AccessKeyId!, secretAccessKey: key!.SecretAccessKey! } });
    expect(await awsError(sts.send(new GetSessionTokenCommand({ SerialNumber: serial, TokenCode: codeAt(seed, serverStep() + 1) })))).toEqual({
      code: 'AccessDenied',
      message: 'MultiFactorAuthentication failed: too many invalid MFA one time pass codes. An administrator must resynchronize or deactivate the MFA device.',
      status: 403,
    });
    // A new password does not lift it: the lock is on the second factor.
    await api.iam.send(new UpdateLoginProfileCommand({ UserName: userName, Password: PASSWORD }));
    expect((await postCode(form, await passwordStep(form, userName), codeAt(seed, serverStep()))).status).toBe(429);

    // The administrator resynchronises the device (two consecutive codes: it is at hand): lifted.
    const step = serverStep();
    await api.iam.send(new ResyncMFADeviceCommand({ UserName: userName, SerialNumber: serial, AuthenticationCode1: codeAt(seed, step - 1), AuthenticationCode2: codeAt(seed, step) }));
    const signedIn = await postCode(form, await passwordStep(form, userName), codeAt(seed, step + 1));
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('location')).toBe('/console/home');
  }, 120_000);

  it('deactivating the device through the API ends the session that signed in with it: back to sign-in, and no MFA-conditioned action', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:ListMFADevices', 'iam:ListAccessKeys'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
        { Effect: 'Allow', Action: ['iam:CreateAccessKey'], Resource: 'arn:aws:iam::*:user/${aws:username}', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
      ],
    });
    const userName = await userWithPassword({ policy });
    const { serial, seed, lastStep } = await deviceFor(userName);
    const form = await csrfForm();
    const signedIn = await postCode(form, await passwordStep(form, userName), codeAt(seed, lastStep + 1));
    expect(signedIn.headers.get('location')).toBe('/console/home');
    const session = sessionCookie(signedIn);
    // With MFA, the session may create a key.
    const before = await postForm(form, session, '/console/keys/create');
    expect(before.status).toBe(200);
    expect(await before.text()).toContain('id="new-key-secret"');

    await api.iam.send(new DeactivateMFADeviceCommand({ UserName: userName, SerialNumber: serial }));
    const home = await fetch(`${api.url}/console/home`, { headers: { cookie: `${form.cookie}; ${session}` }, redirect: 'manual' });
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/console');
    const after = await postForm(form, session, '/console/keys/create');
    expect(after.status).toBe(401);
    expect(await after.text()).toContain('Your session has ended. Sign in again.');
    expect((await api.iam.send(new ListAccessKeysCommand({ UserName: userName }))).AccessKeyMetadata).toHaveLength(1);
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
        `User: arn:aws:iam::${ACCOUNT_ID}:user/${userName} is not authorized to perform: iam:ListAccessKeys on resource: user ${userName} because no identity-based policy allows the iam:ListAccessKeys action`,
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

/** A fresh CSRF cookie and its token, as a browser gets them from the sign-in page. */
async function csrfForm(): Promise<{ cookie: string; token: string }> {
  const res = await fetch(`${api.url}/console`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
  const token = /name="csrf" value="([^"]+)"/.exec(await res.text())![1]!;
  return { cookie, token };
}

/** The iamd_session cookie an answer sets, as a Cookie header's pair. */
function sessionCookie(res: Response): string {
  return res.headers.getSetCookie().find((c) => c.startsWith('iamd_session='))!.split(';')[0]!;
}

/**
 * A console form posted without a browser, with the CSRF cookie and token of `form` and the
 * session `session`, from a loopback address of the caller's choice (an attacker with many
 * addresses: the per-address count is not what these tests are about).
 */
function postForm(
  form: { cookie: string; token: string },
  session: string,
  path: string,
  fields: Record<string, string> = {},
  localAddress = '127.0.0.1',
): Promise<Response> {
  const body = new URLSearchParams({ csrf: form.token, ...fields }).toString();
  return new Promise((resolve, reject) => {
    const req = http.request(`${api.url}${path}`, {
      method: 'POST',
      localAddress,
      headers: { cookie: `${form.cookie}; ${session}`, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, v);
        }
        resolve(new Response(Buffer.concat(chunks), { status: res.statusCode!, headers }));
      });
    });
    req.end(body);
  });
}

/** The right password for a user with an MFA device: the session waiting for its code. */
async function passwordStep(form: { cookie: string; token: string }, userName: string, from?: string): Promise<string> {
  const res = await postForm(form, '', '/console/signin', { account: ACCOUNT_ID, username: userName, password: PASSWORD }, from);
  expect(res.headers.get('location')).toBe('/console/mfa');
  return sessionCookie(res);
}

const postCode = (form: { cookie: string; token: string }, session: string, code: string, from?: string) =>
  postForm(form, session, '/console/mfa', { code }, from);

/** The n-th loopback address after 127.0.0.1. */
const loopback = (n: number) => `127.0.${Math.floor(n / 250)}.${(n % 250) + 2}`;

/** A code the device shows at no step near `step` (the server's, which the test clock moves). */
function wrongCodeAt(seed: string, step: number): string {
  const near = new Set(Array.from({ length: 41 }, (_, i) => codeAt(seed, step - 20 + i)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}
