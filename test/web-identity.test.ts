/**
 * AssumeRoleWithWebIdentity against a local OIDC issuer run by the test: its keys made with jose,
 * its discovery document and JWKS served over HTTPS on loopback under a CA made by the test and
 * given to iamd through IAMD_OIDC_CA_FILE. The role trusts a GitHub-Actions-shaped policy (aud
 * sts.amazonaws.com, sub of one repository). Unsigned STS calls through @aws-sdk/client-sts, the
 * issued credentials used for GetCallerIdentity. Both stores.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';
import { jsonLines, tempDir } from './support/hardening.js';
import { issuedBy, selfSigned } from './support/certificates.js';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';

// The CA iamd trusts for the private issuer; set before the server first fetches keys.
const ca = selfSigned({ ca: true });
const serverCert = issuedBy(ca, { cn: '127.0.0.1', san: 'IP:127.0.0.1' });
const caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-oidc-')), 'ca.pem');
fs.writeFileSync(caFile, ca.certificate);
process.env.IAMD_OIDC_CA_FILE = caFile;

const auditFile = path.join(tempDir('web-identity-audit'), 'audit.log');
const api = useServer({ env: { IAMD_AUDIT_LOG: auditFile } });

let issuer: https.Server;
let issuerUrl = '';
let key: CryptoKey;
let otherKey: CryptoKey;
let providerKey = '';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  otherKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  issuer = https.createServer({ cert: serverCert.certificate, key: serverCert.privateKey }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') res.end(JSON.stringify({ issuer: issuerUrl, jwks_uri: `${issuerUrl}/jwks` }));
    else if (req.url === '/jwks') res.end(JSON.stringify({ keys: [jwk] }));
    else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  issuerUrl = `https://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  providerKey = issuerUrl.slice('https://'.length);

  await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuerUrl, ClientIDList: ['sts.amazonaws.com'] }));
  await api.iam.send(
    new CreateRoleCommand({
      RoleName: 'deploy',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${providerKey}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { [`${providerKey}:aud`]: 'sts.amazonaws.com' },
              StringLike: { [`${providerKey}:sub`]: 'repo:octo-org/octo-repo:*' },
            },
          },
        ],
      }),
    }),
  );
});
afterAll(() => new Promise<void>((resolve) => (issuer ? issuer.close(() => resolve()) : resolve())));

const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/deploy`;
const sts = () => new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1 });

/** A GitHub-Actions-shaped ID token, signed with `signer` (the issuer's key unless told). */
async function token(claims: JWTPayload = {}, options: { signer?: CryptoKey; iss?: string; expiresIn?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iat: now - 10,  sub: 'repo:octo-org/octo-repo:ref:refs/heads/main', aud: 'sts.amazonaws.com', repository: 'octo-org/octo-repo', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(options.iss ?? issuerUrl)
    .setExpirationTime(now + (options.expiresIn ?? 300))
    .sign(options.signer ?? key);
}

const assume = (WebIdentityToken: string) =>
  sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'gha-run-1', WebIdentityToken }));

describe('AssumeRoleWithWebIdentity', () => {
  it('gives the right repository credentials that work', async () => {
    const out = await assume(await token());
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/gha-run-1`);
    expect(out.SubjectFromWebIdentityToken).toBe('repo:octo-org/octo-repo:ref:refs/heads/main');
    expect(out.Provider).toBe(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${providerKey}`);
    expect(out.Audience).toBe('sts.amazonaws.com');
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const session = new STSClient({
      endpoint: api.url,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! },
    });
    expect((await session.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/gha-run-1`);

    // The audit trail: the bearer as CloudTrail's WebIdentityUser; neither the token nor the secret.
    const text = fs.readFileSync(auditFile, 'utf8');
    const event = (jsonLines(auditFile) as { eventName: string; userIdentity: Record<string, unknown> }[]).find((e) => e.eventName === 'AssumeRoleWithWebIdentity');
    expect(event?.userIdentity).toEqual({
      type: 'WebIdentityUser',
      principalId: `${out.Provider}:sts.amazonaws.com:${out.SubjectFromWebIdentityToken}`,
      userName: out.SubjectFromWebIdentityToken,
      identityProvider: out.Provider,
    });
    expect(text).not.toContain(out.Credentials!.SecretAccessKey!);
    expect(text).not.toContain('eyJ'); // no JWT (header or token) in the trail
  });

  it('refuses another repository and a wrong audience', async () => {
    expect(await awsError(assume(await token({ sub: 'repo:evil-org/octo-repo:ref:refs/heads/main' })))).toEqual({
      code: 'AccessDenied',
      message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
      status: 403,
    });
    expect(await awsError(assume(await token({ aud: 'someone-else' })))).toEqual({ code: 'InvalidIdentityToken', message: 'Incorrect token audience', status: 400 });
  });

  it('refuses an expired token', async () => {
    const expired = await token({}, { expiresIn: -3600 });
    const error = await awsError(assume(expired));
    expect(error.code).toBe('ExpiredTokenException');
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^Token expired: current date\/time \d+ must be before the expiration date\/time \d+$/);
  });

  it('refuses a token signed by another key, an alg none token and an unregistered issuer', async () => {
    expect(await awsError(assume(await token({}, { signer: otherKey })))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'The web identity token provided could not be validated',
      status: 400,
    });
    const good = await token();
    const [, payload] = good.split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect(await awsError(assume(none))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
    // A payload changed after signing (another repository's sub under the good signature).
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as JWTPayload;
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'repo:octo-org/other:ref:refs/heads/main' })).toString('base64url');
    expect(await awsError(assume(`${good.split('.')[0]}.${tampered}.${good.split('.')[2]}`))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'The web identity token provided could not be validated',
      status: 400,
    });
    expect(await awsError(assume(await token({}, { iss: 'https://token.actions.githubusercontent.com' })))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
      status: 400,
    });
    expect(await awsError(assume('not-a-jwt'))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  it('refuses a role that does not trust the provider', async () => {
    await api.iam.send(new CreateRoleCommand({ RoleName: 'other', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT_ID }, Action: 'sts:AssumeRole' }] }) }));
    expect(
      await awsError(sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/other`, RoleSessionName: 'ss', WebIdentityToken: await token() }))),
    ).toEqual({ code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 });
  });

  it('refuses a token not yet valid (nbf, iat an hour ahead)', async () => {
    const ahead = Math.floor(Date.now() / 1000) + 3600;
    for (const claims of [{ nbf: ahead }, { iat: ahead }]) {
      expect(await awsError(assume(await token(claims, { expiresIn: 7200 }))), JSON.stringify(claims)).toEqual({
        code: 'InvalidIdentityToken',
        message: 'The web identity token provided could not be validated',
        status: 400,
      });
    }
  });

  it('answers IDPCommunicationError when the issuer cannot be reached', async () => {
    await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://127.0.0.1:1', ClientIDList: ['sts.amazonaws.com'] }));
    const error = await awsError(assume(await token({}, { iss: 'https://127.0.0.1:1' })));
    expect(error).toMatchObject({ code: 'IDPCommunicationError', status: 400 });
  });

  it('makes the https://aws.amazon.com/tags claim session tags (aws:PrincipalTag), which need sts:TagSession', async () => {
    const federated = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${providerKey}`;
    await api.iam.send(
      new CreateRoleCommand({
        RoleName: 'deploy-tagged',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Federated: federated }, Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'], Condition: { StringEquals: { [`${providerKey}:aud`]: 'sts.amazonaws.com' } } }],
        }),
      }),
    );
    const listIfBlue = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }] };
    await api.iam.send(new PutRolePolicyCommand({ RoleName: 'deploy-tagged', PolicyName: 'list-if-blue', PolicyDocument: JSON.stringify(listIfBlue) }));
    const tagsClaim = (team: string) => ({ 'https://aws.amazon.com/tags': { principal_tags: { team: [team] }, transitive_tag_keys: ['team'] } });
    const assumeTagged = async (team: string) =>
      sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy-tagged`, RoleSessionName: 'tagged', WebIdentityToken: await token(tagsClaim(team)) }));
    const iamOf = (c: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }) =>
      new IAMClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! } });
    const blue = await assumeTagged('blue');
    expect(blue.PackedPolicySize).toBeGreaterThan(0);
    expect((await iamOf(blue.Credentials!).send(new ListUsersCommand({}))).Users).toBeDefined();
    const red = await assumeTagged('red');
    expect((await awsError(iamOf(red.Credentials!).send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    // The deploy role's trust does not allow sts:TagSession: a tagged token is refused there.
    expect(await awsError(assume(await token(tagsClaim('blue'))))).toEqual({ code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity', status: 403 });
    // A malformed tags claim (a value that is not a string) is refused.
    expect(await awsError(assume(await token({ 'https://aws.amazon.com/tags': { principal_tags: { team: [1] } } })))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  it("works with the JS SDK's web identity provider (a token file and a role ARN)", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-token-')), 'token');
    fs.writeFileSync(file, await token());
    const credentials = fromTokenFile({
      webIdentityTokenFile: file,
      roleArn: ROLE_ARN,
      roleSessionName: 'from-file',
      clientConfig: { endpoint: api.url, region: 'us-east-1', maxAttempts: 1 },
    });
    const client = new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials });
    expect((await client.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/from-file`);
  });

  it('works with the AWS CLI (assume-role-with-web-identity, unsigned) and boto3 (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN)', async () => {
    const run = promisify(execFile);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-token-')), 'token');
    fs.writeFileSync(file, await token());
    // No credentials at all: the call is unsigned.
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ENDPOINT_URL: api.url,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_MAX_ATTEMPTS: '1',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const cli = await run(
      'aws',
      ['--output', 'json', 'sts', 'assume-role-with-web-identity', '--role-arn', ROLE_ARN, '--role-session-name', 'cli', '--web-identity-token', fs.readFileSync(file, 'utf8')],
      { env },
    );
    expect((JSON.parse(cli.stdout) as { AssumedRoleUser: { Arn: string } }).AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/cli`);

    const py = await run('python3', ['-c', 'import boto3; print(boto3.client("sts").get_caller_identity()["Arn"])'], {
      env: { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: file, AWS_ROLE_ARN: ROLE_ARN, AWS_ROLE_SESSION_NAME: 'boto3' },
    });
    expect(py.stdout.trim()).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/deploy/boto3`);
  }, 60_000);
});
