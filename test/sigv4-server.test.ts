import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../src/protocol/sigv4/sign.js';
import { GetUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { ROOT, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';
import { errorOf, presignedUrl, send, signedQuery } from './support/signed-http.js';

/** Every request is SigV4-verified: these are the ways a request can fail that, through the real server. */
const api = useServer();

const MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** A signed GetUser sent with a header twice (node's client sends an array as repeated lines); `signedAs` is the value the signer saw. */
function getUserWithRepeatedHeader(url: string, sent: string[], signedAs: string | string[]): Promise<{ status: number; body: string }> {
  const { host } = new URL(url);
  const body = 'Action=GetUser&Version=2010-05-08';
  const signed = signRequest(
    { method: 'POST', headers: { host, 'content-type': 'application/x-www-form-urlencoded', 'x-custom': signedAs }, body },
    { credentials: ROOT, region: 'us-east-1', service: 'iam' },
  );
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/`, { method: 'POST', headers: { ...signed.headers, 'x-custom': sent } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('SigV4 at the server', () => {
  it('a signed header sent twice is both its values, joined with "," as SigV4 joins them (not ", " as node does)', async () => {
    const ok = await getUserWithRepeatedHeader(api.url, ['a', 'b  c'], ['a', 'b  c']);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<Arn>arn:aws:iam::123456789012:root</Arn>');
    // Signed as node's joined value would read: not what was sent.
    const joined = await getUserWithRepeatedHeader(api.url, ['a', 'b  c'], 'a, b  c');
    expect(joined.status).toBe(403);
    expect(errorOf(joined.body)).toEqual({ type: 'Sender', code: 'SignatureDoesNotMatch', message: MISMATCH });
  });

  it('an unsigned request is MissingAuthenticationToken (403)', async () => {
    const res = await send(api.url, 'POST', { 'content-type': 'application/x-www-form-urlencoded' }, {}, 'Action=ListUsers&Version=2010-05-08');
    expect(res.status).toBe(403);
    expect(errorOf(res.body)).toEqual({ type: 'Sender', code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
  });

  it('a wrong secret is SignatureDoesNotMatch (403)', async () => {
    const err = await awsError(api.client({ ...ROOT, secretAccessKey: 'not-the-secret-at-all-000000000000000000' }).send(new GetUserCommand({})));
    expect(err).toEqual({ code: 'SignatureDoesNotMatch', message: MISMATCH, status: 403 });
  });

  it('an unknown key is InvalidClientTokenId (403)', async () => {
    const err = await awsError(api.client({ accessKeyId: 'AKIAUNKNOWNUNKNOWN00', secretAccessKey: ROOT.secretAccessKey }).send(new GetUserCommand({})));
    expect(err).toEqual({ code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 });
  });

  it('a body changed after signing is SignatureDoesNotMatch, and the change does not happen', async () => {
    const res = await signedQuery(api.url, { Action: 'CreateUser', UserName: 'honest' }, { tamper: (r) => (r.body = r.body!.replace('honest', 'forged')) });
    expect(res.status).toBe(403);
    expect(errorOf(res.body).code).toBe('SignatureDoesNotMatch');
    expect(errorOf((await signedQuery(api.url, { Action: 'GetUser', UserName: 'forged' })).body).code).toBe('NoSuchEntity');
  });

  it('a query string changed after signing is SignatureDoesNotMatch', async () => {
    const res = await signedQuery(api.url, { Action: 'GetUser', UserName: 'a' }, { method: 'GET', tamper: (r) => (r.query.UserName = 'b') });
    expect(errorOf(res.body).code).toBe('SignatureDoesNotMatch');
  });

  it('a clock more than 15 minutes off is refused, either way', async () => {
    for (const offsetMinutes of [-16, 16]) {
      const skewed = new IAMClient({
        endpoint: api.url,
        region: 'us-east-1',
        credentials: ROOT,
        maxAttempts: 1,
        systemClockOffset: offsetMinutes * 60_000,
      });
      const err = await awsError(skewed.send(new GetUserCommand({})));
      expect(err.code).toBe('SignatureDoesNotMatch');
      expect(err.status).toBe(403);
      expect(err.message).toMatch(offsetMinutes < 0 ? /^Signature expired: \d{8}T\d{6}Z is now earlier than/ : /^Signature not yet current: /);
    }
  });

  it('a clock 10 minutes off is still accepted', async () => {
    const client = new IAMClient({ endpoint: api.url, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, systemClockOffset: -10 * 60_000 });
    expect((await client.send(new GetUserCommand({}))).User?.UserId).toBe('123456789012');
  });

  // Presigned IAM and STS requests are good for the header form's ±15 minutes whatever X-Amz-Expires
  // says: AWS honours X-Amz-Expires only in S3 (aws/aws-sdk-go Request.Presign, PR #2224 for issue #2167).
  const EXPIRED = /^Signature expired: (\d{8}T\d{6}Z) is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/;
  const amzDate = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

  it('a presigned URL used more than 15 minutes after its X-Amz-Date is refused, even with an X-Amz-Expires of an hour', async () => {
    const old = new Date(Date.now() - 16 * 60_000);
    const expired = await fetch(await presignedUrl(api.url, { Action: 'ListUsers' }, 3600, old));
    expect(expired.status).toBe(403);
    const err = errorOf(await expired.text());
    expect(err).toMatchObject({ type: 'Sender', code: 'SignatureDoesNotMatch' });
    expect(EXPIRED.exec(err.message!)?.[1]).toBe(amzDate(old));
  });

  it('a CreateUser presigned 6 days ago with X-Amz-Expires=604800 is refused, "Signature expired", and creates no user', async () => {
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000);
    const url = await presignedUrl(api.url, { Action: 'CreateUser', UserName: 'replayed-6-days' }, 604_800, sixDaysAgo);
    expect(url).toContain('X-Amz-Expires=604800');
    const res = await fetch(url);
    expect(res.status).toBe(403);
    const err = errorOf(await res.text());
    expect(err).toMatchObject({ type: 'Sender', code: 'SignatureDoesNotMatch' });
    expect(EXPIRED.exec(err.message!)?.[1]).toBe(amzDate(sixDaysAgo));
    expect(errorOf((await signedQuery(api.url, { Action: 'GetUser', UserName: 'replayed-6-days' })).body)).toMatchObject({
      code: 'NoSuchEntity',
      message: 'The user with name replayed-6-days cannot be found.',
    });
    // The same request presigned now does create it: the refusal was the date, nothing else.
    const fresh = await fetch(await presignedUrl(api.url, { Action: 'CreateUser', UserName: 'replayed-6-days' }, 604_800));
    expect(fresh.status).toBe(200);
    expect(await fresh.text()).toContain('<UserName>replayed-6-days</UserName>');
  });

  it('an STS GetCallerIdentity presigned 6 days ago with X-Amz-Expires=604800 is refused the same way', async () => {
    const sixDaysAgo = new Date(Date.now() - 6 * 86_400_000);
    const res = await fetch(await presignedUrl(api.url, { Action: 'GetCallerIdentity' }, 604_800, sixDaysAgo, 'sts'));
    expect(res.status).toBe(403);
    const err = errorOf(await res.text());
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(EXPIRED.exec(err.message!)?.[1]).toBe(amzDate(sixDaysAgo));
  });

  it('a presigned URL with X-Amz-Expires=60 still works 2 minutes after its X-Amz-Date (IAM and STS)', async () => {
    const twoMinutesAgo = new Date(Date.now() - 2 * 60_000);
    const iamUrl = await presignedUrl(api.url, { Action: 'CreateUser', UserName: 'presigned-60s' }, 60, twoMinutesAgo);
    expect(iamUrl).toContain('X-Amz-Expires=60&');
    const iam = await fetch(iamUrl);
    expect(iam.status).toBe(200);
    expect(await iam.text()).toContain('<UserName>presigned-60s</UserName>');
    const sts = await fetch(await presignedUrl(api.url, { Action: 'GetCallerIdentity' }, 60, twoMinutesAgo, 'sts'));
    expect(sts.status).toBe(200);
    expect(await sts.text()).toContain('<Arn>arn:aws:iam::123456789012:root</Arn>');
  });

  it('a signature scoped to another service is refused', async () => {
    const target = new URL(api.url);
    const { signer } = await import('./support/signed-http.js');
    const signed = await signer(ROOT, 's3').sign({
      method: 'POST',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: '/',
      headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListUsers&Version=2010-05-08',
    });
    const res = await send(api.url, 'POST', signed.headers, {}, 'Action=ListUsers&Version=2010-05-08');
    expect(res.status).toBe(403);
    expect(errorOf(res.body).code).toBe('SignatureDoesNotMatch');
  });

  it('accepts a signature scoped to another region (clients sign with their configured one)', async () => {
    const client = new IAMClient({ endpoint: api.url, region: 'eu-west-1', credentials: ROOT, maxAttempts: 1 });
    expect((await client.send(new GetUserCommand({}))).User?.UserId).toBe('123456789012');
  });
});
