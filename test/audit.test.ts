/**
 * The audit trail (issue 8, point 2): one CloudTrail-shaped JSON line per mutating IAM call and
 * per console sign-in, with passwords and secrets hidden; read-only calls are not in it.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  DeleteUserCommand,
  EnableMFADeviceCommand,
  GenerateCredentialReportCommand,
  GetUserCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
  UpdateLoginProfileCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, iamClient, ROOT, startServer } from './support/server.js';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';
import { consoleSignIn, jsonLines, tempDir } from './support/hardening.js';
import { codeAt, stepNow } from './support/totp.js';

const HIDDEN = 'HIDDEN_DUE_TO_SECURITY_REASONS';
const CHANGE_OWN = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'iam:ChangePassword', Resource: 'arn:aws:iam::*:user/*${aws:username}' }],
});

const auditFile = path.join(tempDir('audit'), 'audit.log');
const trail = () => jsonLines(auditFile);
const last = (name: string) => trail().filter((e) => e.eventName === name).at(-1)!;

const api = useServer({ env: { IAMD_AUDIT_LOG: auditFile } });

describe('audit trail of API calls', () => {
  it('records a mutating call as CloudTrail does, and the request id matches the response', async () => {
    const res = await signedQuery(api.url, { Action: 'CreateUser', UserName: 'audit-alice', Path: '/audit/' });
    expect(res.status).toBe(200);
    const event = last('CreateUser');
    expect(event).toMatchObject({
      eventVersion: '1.08',
      eventSource: 'iam.amazonaws.com',
      eventName: 'CreateUser',
      awsRegion: 'us-east-1',
      sourceIPAddress: '127.0.0.1',
      userIdentity: {
        type: 'Root',
        principalId: ACCOUNT_ID,
        arn: `arn:aws:iam::${ACCOUNT_ID}:root`,
        accountId: ACCOUNT_ID,
        accessKeyId: ROOT.accessKeyId,
      },
      requestParameters: { userName: 'audit-alice', path: '/audit/' },
      responseElements: { user: { userName: 'audit-alice', path: '/audit/', arn: `arn:aws:iam::${ACCOUNT_ID}:user/audit/audit-alice` } },
      requestID: res.headers.get('x-amzn-requestid'),
      readOnly: false,
      eventType: 'AwsApiCall',
      recipientAccountId: ACCOUNT_ID,
    });
    expect(event.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(event.eventID).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.responseElements.user.createDate).toMatch(/Z$/);
    expect(event).not.toHaveProperty('errorCode');
  });

  it('hides passwords in requestParameters and the secret key in responseElements', async () => {
    const iam = api.iam;
    await iam.send(new CreateLoginProfileCommand({ UserName: 'audit-alice', Password: 'Audit-First-Passw0rd!', PasswordResetRequired: false }));
    expect(last('CreateLoginProfile').requestParameters).toEqual({ userName: 'audit-alice', password: HIDDEN, passwordResetRequired: false });
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'audit-alice', Password: 'Audit-Second-Passw0rd!' }));
    expect(last('UpdateLoginProfile').requestParameters).toEqual({ userName: 'audit-alice', password: HIDDEN });

    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'audit-alice' }));
    const created = last('CreateAccessKey');
    expect(created.responseElements.accessKey).toMatchObject({ accessKeyId: AccessKey!.AccessKeyId, status: 'Active', userName: 'audit-alice' });
    expect(created.responseElements.accessKey.secretAccessKey).toBe(HIDDEN);

    // ChangePassword, by the IAM user: an IAMUser identity, both passwords hidden.
    await iam.send(new PutUserPolicyCommand({ UserName: 'audit-alice', PolicyName: 'own', PolicyDocument: CHANGE_OWN }));
    const alice = api.client({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    await alice.send(new ChangePasswordCommand({ OldPassword: 'Audit-Second-Passw0rd!', NewPassword: 'Audit-Third-Passw0rd!' }));
    const change = last('ChangePassword');
    expect(change.requestParameters).toEqual({ oldPassword: HIDDEN, newPassword: HIDDEN });
    expect(change.userIdentity).toMatchObject({ type: 'IAMUser', userName: 'audit-alice', accessKeyId: AccessKey!.AccessKeyId, arn: `arn:aws:iam::${ACCOUNT_ID}:user/audit/audit-alice` });
    expect(change.userIdentity.principalId).toMatch(/^AIDA/);
    expect(change.responseElements).toBeNull();

    const text = JSON.stringify(trail());
    for (const secret of ['Audit-First-Passw0rd!', 'Audit-Second-Passw0rd!', 'Audit-Third-Passw0rd!', AccessKey!.SecretAccessKey!, ROOT.secretAccessKey]) {
      expect(text).not.toContain(secret);
    }
  });

  it('records failures with errorCode and errorMessage: refused by AWS rules, by authorization, by validation', async () => {
    const iam = api.iam;
    await awsError(iam.send(new CreateUserCommand({ UserName: 'audit-alice' })));
    expect(last('CreateUser')).toMatchObject({ errorCode: 'EntityAlreadyExists', responseElements: null, requestParameters: { userName: 'audit-alice' } });

    await awsError(iam.send(new DeleteUserCommand({ UserName: 'audit-alice' })));
    expect(last('DeleteUser')).toMatchObject({ errorCode: 'DeleteConflict' });

    const bad = await signedQuery(api.url, { Action: 'UpdateLoginProfile', UserName: 'audit-alice', Password: 'Ā not latin-1' });
    expect(errorOf(bad.body).code).toBe('ValidationError');
    const refused = last('UpdateLoginProfile');
    expect(refused).toMatchObject({ errorCode: 'ValidationError', requestParameters: null });
    expect(JSON.stringify(refused)).not.toContain('latin-1');

    // A user with no policy at all.
    await iam.send(new CreateUserCommand({ UserName: 'audit-nobody' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'audit-nobody' }));
    const nobody = api.client({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    await awsError(nobody.send(new CreateUserCommand({ UserName: 'audit-intruder' })));
    expect(last('CreateUser')).toMatchObject({
      errorCode: 'AccessDenied',
      userIdentity: { type: 'IAMUser', userName: 'audit-nobody' },
      requestParameters: { userName: 'audit-intruder' },
    });
  });

  it('does not record read-only calls (Get*, List*, Simulate*) but records Generate*', async () => {
    const iam = api.iam;
    const before = trail().length;
    await iam.send(new GetUserCommand({ UserName: 'audit-alice' }));
    await iam.send(new ListUsersCommand({}));
    await awsError(iam.send(new GetUserCommand({ UserName: 'audit-nobody-at-all' })));
    await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT_ID}:user/audit/audit-alice`, ActionNames: ['iam:GetUser'] }));
    expect(trail().length).toBe(before);
    await iam.send(new GenerateCredentialReportCommand({}));
    expect(trail().length).toBe(before + 1);
    expect(trail().at(-1)!.eventName).toBe('GenerateCredentialReport');
  });
});

describe('audit trail of console sign-ins', () => {
  it('records ConsoleLogin Success and Failure, hiding an unknown user name', async () => {
    const ok = await consoleSignIn(api.url, 'audit-alice', 'Audit-Third-Passw0rd!', { 'user-agent': 'audit-browser/1.0' });
    expect(ok.status).toBe(303);
    const success = last('ConsoleLogin');
    expect(success).toMatchObject({
      eventSource: 'signin.amazonaws.com',
      eventType: 'AwsConsoleSignIn',
      userAgent: 'audit-browser/1.0',
      responseElements: { ConsoleLogin: 'Success' },
      userIdentity: { type: 'IAMUser', userName: 'audit-alice', accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/audit/audit-alice` },
      readOnly: false,
    });
    expect(success).not.toHaveProperty('errorMessage');

    expect((await consoleSignIn(api.url, 'audit-alice', 'Audit-Wrong-Passw0rd!')).status).toBe(401);
    expect(last('ConsoleLogin')).toMatchObject({
      responseElements: { ConsoleLogin: 'Failure' },
      errorMessage: 'Failed authentication',
      userIdentity: { userName: 'audit-alice' },
    });

    expect((await consoleSignIn(api.url, 'Audit-Typed-Passw0rd!', 'x')).status).toBe(401);
    const unknown = last('ConsoleLogin');
    expect(unknown.userIdentity.userName).toBe(HIDDEN);
    expect(JSON.stringify(trail())).not.toContain('Audit-Typed-Passw0rd!');
    expect(JSON.stringify(trail())).not.toContain('Audit-Wrong-Passw0rd!');
  });
});

describe('audit trail of the console', () => {
  it('records the sign-in at the MFA step (MFAUsed: Yes), and what the console does as the API calls, secrets hidden', async () => {
    const UserName = 'audit-mfa';
    const Password = 'Audit-Mfa-Passw0rd!';
    await api.iam.send(new CreateUserCommand({ UserName }));
    await api.iam.send(new CreateLoginProfileCommand({ UserName, Password }));
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName,
        PolicyName: 'keys',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: '*' }] }),
      }),
    );
    const { VirtualMFADevice: device } = await api.iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: UserName }));
    const seed = new TextDecoder().decode(device!.Base32StringSeed);
    const step = stepNow();
    await api.iam.send(
      new EnableMFADeviceCommand({ UserName, SerialNumber: device!.SerialNumber!, AuthenticationCode1: codeAt(seed, step - 1), AuthenticationCode2: codeAt(seed, step) }),
    );
    const logins = () => trail().filter((e) => e.eventName === 'ConsoleLogin' && e.userIdentity.userName === UserName);

    const page = await fetch(`${api.url}/console`);
    const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    let cookie = csrfCookie;
    const post = async (path: string, fields: Record<string, string>) => {
      const res = await fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, ...fields }),
        redirect: 'manual',
      });
      const session = res.headers.getSetCookie().find((c) => c.startsWith('iamd_session='));
      if (session) cookie = `${csrfCookie}; ${session.split(';')[0]}`;
      return res;
    };
    const signedIn = await post('/console/signin', { account: ACCOUNT_ID, username: UserName, password: Password });
    expect(signedIn.headers.get('location')).toBe('/console/mfa');
    expect(logins()).toEqual([]); // the password alone is not a sign-in

    const wrong = codeAt(seed, step - 5);
    expect((await post('/console/mfa', { code: wrong })).status).toBe(401);
    expect(logins().at(-1)).toMatchObject({
      responseElements: { ConsoleLogin: 'Failure' },
      errorMessage: 'Failed authentication',
      additionalEventData: { MFAUsed: 'Yes' },
    });
    const right = codeAt(seed, step + 1);
    expect((await post('/console/mfa', { code: right })).headers.get('location')).toBe('/console/home');
    expect(logins().at(-1)).toMatchObject({ responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'Yes' } });
    expect(logins()).toHaveLength(2);

    const created = await post('/console/keys/create', {});
    expect(created.status).toBe(200);
    const secret = /id="new-key-secret">([^<]+)</.exec(await created.text())![1]!;
    const event = last('CreateAccessKey');
    expect(event).toMatchObject({
      eventType: 'AwsApiCall',
      userIdentity: { type: 'IAMUser', userName: UserName, arn: `arn:aws:iam::${ACCOUNT_ID}:user/${UserName}` },
      requestParameters: { userName: UserName },
      responseElements: { accessKey: { userName: UserName, status: 'Active', secretAccessKey: HIDDEN } },
    });
    expect(event.userIdentity).not.toHaveProperty('accessKeyId');
    const text = JSON.stringify(trail());
    for (const needle of [seed, secret, Password, wrong, right]) expect(text).not.toContain(needle);
  });
});

describe('audit trail destinations', () => {
  it('is off by default: nothing but the listening line on stdout, no file', async () => {
    const plain = await startServer({ env: { IAMD_AUDIT_LOG: undefined } });
    try {
      await iamClient(plain.url).send(new CreateUserCommand({ UserName: 'audit-off' }));
      expect(plain.stdout().trim().split('\n')).toEqual([`iamd listening on ${plain.url}`]);
    } finally {
      await plain.stop();
    }
  });

  it('IAMD_AUDIT_LOG=- writes the events to stdout, one JSON object a line', async () => {
    const out = await startServer({ env: { IAMD_AUDIT_LOG: '-' } });
    try {
      await iamClient(out.url).send(new CreateUserCommand({ UserName: 'audit-stdout' }));
      const lines = out.stdout().trim().split('\n').filter((l) => l.startsWith('{'));
      expect(lines.map((l) => JSON.parse(l).eventName)).toEqual(['CreateUser']);
    } finally {
      await out.stop();
    }
  });
});
