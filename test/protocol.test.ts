import { describe, expect, it } from 'vitest';
import { ROOT, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';
import { errorOf, presignedUrl, send, signedQuery } from './support/signed-http.js';

const api = useServer({ flags: { memory: true, maxBodyBytes: '4096' } });

const XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

describe('the Query protocol on the wire', () => {
  it('answers UpdateLoginProfile with the bare envelope AWS sends, RequestId in body and header', async () => {
    const UserName = uniqueName('wire');
    expect((await signedQuery(api.url, { Action: 'CreateUser', UserName })).status).toBe(200);
    expect((await signedQuery(api.url, { Action: 'CreateLoginProfile', UserName, Password: 'Wire-Passw0rd!' })).status).toBe(200);
    const res = await signedQuery(api.url, { Action: 'UpdateLoginProfile', UserName, PasswordResetRequired: 'true' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/xml');
    const requestId = res.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body).toBe(
      `<UpdateLoginProfileResponse xmlns="${XMLNS}"><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></UpdateLoginProfileResponse>`,
    );
  });

  it('wraps results in OpResult with list members and ISO 8601 dates', async () => {
    const UserName = uniqueName('wire');
    await signedQuery(api.url, { Action: 'CreateUser', UserName, Path: '/a&b<c>/', 'Tags.member.1.Key': 'k', 'Tags.member.1.Value': 'v w' });
    const res = await signedQuery(api.url, { Action: 'GetUser', UserName });
    expect(res.body).toMatch(
      new RegExp(
        `^<GetUserResponse xmlns="${XMLNS}"><GetUserResult><User><Path>/a&amp;b&lt;c&gt;/</Path><UserName>${UserName}</UserName>` +
          '<UserId>AIDA[A-Z2-7]{17}</UserId><Arn>arn:aws:iam::123456789012:user/a&amp;b&lt;c&gt;/' + UserName + '</Arn>' +
          '<CreateDate>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ</CreateDate>' +
          '<Tags><member><Key>k</Key><Value>v w</Value></member></Tags></User></GetUserResult>' +
          '<ResponseMetadata><RequestId>[0-9a-f-]{36}</RequestId></ResponseMetadata></GetUserResponse>$',
      ),
    );
  });

  it('writes errors in the ErrorResponse envelope with the model status', async () => {
    const res = await signedQuery(api.url, { Action: 'GetLoginProfile', UserName: 'ghost' });
    expect(res.status).toBe(404);
    const requestId = res.headers.get('x-amzn-requestid');
    expect(res.body).toBe(
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>` +
        `<Message>The user with name ghost cannot be found.</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  });

  it('accepts GET with the parameters in the query string', async () => {
    const res = await signedQuery(api.url, { Action: 'ListUsers' }, { method: 'GET' });
    expect(res.status).toBe(200);
    expect(res.body).toContain('<ListUsersResult><Users>');
  });

  it('answers an unknown action with InvalidAction (400)', async () => {
    const res = await signedQuery(api.url, { Action: 'LaunchRockets' });
    expect(res.status).toBe(400);
    expect(errorOf(res.body)).toEqual({ type: 'Sender', code: 'InvalidAction', message: 'Could not find operation LaunchRockets for version 2010-05-08' });
  });

  it('does not take inherited object properties for actions', async () => {
    for (const Action of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const res = await signedQuery(api.url, { Action });
      expect(errorOf(res.body).code).toBe('InvalidAction');
    }
  });

  it('answers a request without Action with InvalidAction', async () => {
    const res = await signedQuery(api.url, {});
    expect(res.status).toBe(400);
    expect(errorOf(res.body).code).toBe('InvalidAction');
  });

  it('refuses a body over the limit with 413 RequestEntityTooLarge and keeps serving', async () => {
    const res = await signedQuery(api.url, { Action: 'CreateUser', UserName: uniqueName('big'), Filler: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(errorOf(res.body)).toEqual({ type: 'Sender', code: 'RequestEntityTooLarge', message: 'Request body must be at most 4096 bytes.' });
    expect((await signedQuery(api.url, { Action: 'ListUsers' })).status).toBe(200);
  });

  it('refuses a POST body that is not form-encoded', async () => {
    const res = await send(api.url, 'POST', { 'content-type': 'application/json' }, {}, '{"Action":"ListUsers"}');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('serves presigned GET URLs', async () => {
    const res = await fetch(await presignedUrl(api.url, { Action: 'ListUsers' }, 60));
    expect(res.status).toBe(200);
  });

  it('answers other paths with 404', async () => {
    const res = await fetch(`${api.url}/no/such/path`);
    expect(res.status).toBe(404);
  });

  it('answers POST /moto-api/reset only in memory mode (here: yes)', async () => {
    const UserName = uniqueName('reset');
    await signedQuery(api.url, { Action: 'CreateUser', UserName });
    const reset = await fetch(`${api.url}/moto-api/reset`, { method: 'POST' });
    expect(reset.status).toBe(200);
    expect(errorOf((await signedQuery(api.url, { Action: 'GetUser', UserName })).body).code).toBe('NoSuchEntity');
    // The configured root credentials still work after a reset.
    expect((await signedQuery(api.url, { Action: 'ListUsers' }, { credentials: ROOT })).status).toBe(200);
  });
});
