import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DisableOutboundWebIdentityFederationCommand,
  EnableOutboundWebIdentityFederationCommand,
  GetOutboundWebIdentityFederationInfoCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagUserCommand,
} from '@aws-sdk/client-iam';
import {
  AssumeRoleCommand,
  AssumeRootCommand,
  GetDelegatedAccessTokenCommand,
  GetWebIdentityTokenCommand,
  STSClient,
  type Credentials,
} from '@aws-sdk/client-sts';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { useServer } from './support/use-server.js';
import { ACCOUNT_ID, ROOT, awsError, uniqueName } from './support/server.js';
import { resealAllSecrets } from '../src/domain/secrets.js';
import { aesGcmSealer } from '../src/crypto/secret-sealer.js';
import { isSealed, sealedKeyId } from '../src/ports/secret-sealer.js';
import { SIGNING_KEY_SETTINGS } from '../src/domain/outbound-federation.js';
import { resolveServeConfig } from '../src/config/config.js';

const api = useServer();

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const sts = (credentials: Keys = ROOT) => new STSClient({ endpoint: api.url, region: 'us-west-2', maxAttempts: 1, credentials });
const keysOf = (c: Credentials | undefined): Keys => ({ accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! });
const issuerOf = (url: string) => `${url}/outbound-federation/${ACCOUNT_ID}`;
const STS_CLAIMS = 'https://sts.amazonaws.com/';

async function newUser(policy?: object): Promise<{ arn: string; name: string; keys: Keys }> {
  const name = uniqueName('outbound');
  const { User } = await api.iam.send(new CreateUserCommand({ UserName: name }));
  if (policy) await api.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
  const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { arn: User!.Arn!, name, keys: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

/** Verifies a token as a relying party does: discovery document and JWKS fetched from the issuer over HTTP. */
async function verifyAsRelyingParty(token: string, audience: string) {
  const discovery = (await (await fetch(`${issuerOf(api.url)}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
  expect(discovery.issuer).toBe(issuerOf(api.url));
  return jwtVerify(token, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer: discovery.issuer, audience });
}

describe('outbound web identity federation', () => {
  it('is off at first: the info, Disable and STS GetWebIdentityToken answer AWS errors, and the issuer serves nothing', async () => {
    expect(await awsError(api.iam.send(new GetOutboundWebIdentityFederationInfoCommand({})))).toEqual({
      code: 'FeatureDisabled',
      message: 'Outbound identity federation is not enabled for your AWS account.',
      status: 404,
    });
    expect(await awsError(api.iam.send(new DisableOutboundWebIdentityFederationCommand({})))).toEqual({
      code: 'FeatureDisabled',
      message: 'Outbound identity federation is already disabled for your AWS account.',
      status: 404,
    });
    expect(await awsError(sts().send(new GetWebIdentityTokenCommand({ Audience: ['https://api.example.com'], SigningAlgorithm: 'RS256' })))).toEqual({
      code: 'OutboundWebIdentityFederationDisabledException',
      message:
        'The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.',
      status: 403,
    });
    expect((await fetch(`${issuerOf(api.url)}/.well-known/openid-configuration`)).status).toBe(404);
    expect((await fetch(`${issuerOf(api.url)}/.well-known/jwks.json`)).status).toBe(404);
  });

  it('Enable answers the issuer URL (this server, as the request reached it) once; again is FeatureEnabled; the info shows it', async () => {
    const { IssuerIdentifier } = await api.iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    expect(IssuerIdentifier).toBe(issuerOf(api.url));
    expect(await awsError(api.iam.send(new EnableOutboundWebIdentityFederationCommand({})))).toEqual({
      code: 'FeatureEnabled',
      message: 'Outbound identity federation is already enabled for your AWS account. Use GetOutboundWebIdentityFederationInfo to fetch the current configuration.',
      status: 409,
    });
    const info = await api.iam.send(new GetOutboundWebIdentityFederationInfoCommand({}));
    expect({ IssuerIdentifier: info.IssuerIdentifier, JwtVendingEnabled: info.JwtVendingEnabled }).toEqual({ IssuerIdentifier: issuerOf(api.url), JwtVendingEnabled: true });
  });

  it('serves the discovery document and a JWKS of public keys only', async () => {
    const res = await fetch(`${issuerOf(api.url)}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const discovery = (await res.json()) as Record<string, unknown>;
    expect(discovery).toMatchObject({
      issuer: issuerOf(api.url),
      jwks_uri: `${issuerOf(api.url)}/.well-known/jwks.json`,
      id_token_signing_alg_values_supported: ['RS256', 'ES384'],
    });
    const jwks = (await (await fetch(`${issuerOf(api.url)}/.well-known/jwks.json`)).json()) as { keys: Record<string, string>[] };
    expect(jwks.keys.map((k) => [k.kty, k.alg, k.use])).toEqual([
      ['RSA', 'RS256', 'sig'],
      ['EC', 'ES384', 'sig'],
    ]);
    // No private member of either key (RSA d, p, q...; EC d).
    for (const k of jwks.keys) for (const privateMember of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(k).not.toHaveProperty(privateMember);
    expect((await fetch(`${issuerOf(api.url)}/.well-known/other`)).status).toBe(404);
    expect((await fetch(`${issuerOf(api.url)}/.well-known/jwks.json`, { method: 'POST' })).status).toBe(405);
  });

  it('GetWebIdentityToken: a JWT for the root user that verifies against the JWKS fetched from the discovery document, with AWS claims', async () => {
    for (const alg of ['RS256', 'ES384'] as const) {
      const out = await sts().send(
        new GetWebIdentityTokenCommand({ Audience: ['https://api.example.com'], SigningAlgorithm: alg, DurationSeconds: 120, Tags: [{ Key: 'job', Value: 'nightly' }] }),
      );
      const { payload, protectedHeader } = await verifyAsRelyingParty(out.WebIdentityToken!, 'https://api.example.com');
      expect(protectedHeader).toMatchObject({ alg, typ: 'JWT' });
      expect(payload).toMatchObject({
        iss: issuerOf(api.url),
        sub: `arn:aws:iam::${ACCOUNT_ID}:root`,
        aud: 'https://api.example.com',
        [STS_CLAIMS]: { aws_account: ACCOUNT_ID, source_region: 'us-west-2', principal_id: `arn:aws:iam::${ACCOUNT_ID}:root`, request_tags: { job: 'nightly' } },
      });
      expect(payload.exp! - payload.iat!).toBe(120);
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
      expect(out.Expiration!.getTime()).toBe(payload.exp! * 1000);
    }
  });

  it('the default lifetime is 300 seconds; several audiences are an array', async () => {
    const out = await sts().send(new GetWebIdentityTokenCommand({ Audience: ['a', 'b'], SigningAlgorithm: 'ES384' }));
    const { payload } = await verifyAsRelyingParty(out.WebIdentityToken!, 'b');
    expect(payload.aud).toEqual(['a', 'b']);
    expect(payload.exp! - payload.iat!).toBe(300);
  });

  it('refuses a token its issuer did not sign: another key, or a changed payload', async () => {
    const out = await sts().send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'RS256' }));
    const [h, p, s] = out.WebIdentityToken!.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'arn:aws:iam::123456789012:user/admin' })).toString('base64url')}.${s}`;
    await expect(verifyAsRelyingParty(forged, 'x')).rejects.toThrow(/signature verification failed/);
  });

  it('validates its input as the model says, and the algorithm as AWS allows it', async () => {
    expect(await awsError(sts().send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'HS256' })))).toEqual({
      code: 'ValidationError',
      message: "1 validation error detected: Value 'HS256' at 'signingAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RS256, ES384]",
      status: 400,
    });
    expect((await awsError(sts().send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'RS256', DurationSeconds: 59 })))).code).toBe('ValidationError');
    expect((await awsError(sts().send(new GetWebIdentityTokenCommand({ Audience: [], SigningAlgorithm: 'RS256' })))).code).toBe('ValidationError');
    expect(
      await awsError(
        sts().send(
          new GetWebIdentityTokenCommand({
            Audience: ['x'],
            SigningAlgorithm: 'RS256',
            Tags: [
              { Key: 'k', Value: '1' },
              { Key: 'K', Value: '2' },
            ],
          }),
        ),
      ),
    ).toEqual({ code: 'InvalidParameterValue', message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.', status: 400 });
  });

  it('an IAM user needs a policy allowing sts:GetWebIdentityToken, with its condition keys; the token names the user and its tags', async () => {
    const bare = await newUser();
    expect(await awsError(sts(bare.keys).send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'RS256' })))).toEqual({
      code: 'AccessDenied',
      message: `User: ${bare.arn} is not authorized to perform: sts:GetWebIdentityToken on resource: * because no identity-based policy allows the sts:GetWebIdentityToken action`,
      status: 403,
    });

    const allowed = await newUser({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:GetWebIdentityToken',
          Resource: '*',
          Condition: { 'ForAllValues:StringEquals': { 'sts:IdentityTokenAudience': 'https://api.partner.example' }, NumericLessThanEquals: { 'sts:DurationSeconds': 300 } },
        },
      ],
    });
    await api.iam.send(new TagUserCommand({ UserName: allowed.name, Tags: [{ Key: 'team', Value: 'data' }] }));
    const out = await sts(allowed.keys).send(new GetWebIdentityTokenCommand({ Audience: ['https://api.partner.example'], SigningAlgorithm: 'ES384' }));
    const { payload } = await verifyAsRelyingParty(out.WebIdentityToken!, 'https://api.partner.example');
    expect(payload.sub).toBe(allowed.arn);
    expect(payload[STS_CLAIMS]).toMatchObject({ principal_id: allowed.arn, principal_tags: { team: 'data' } });

    // Another audience, or a longer lifetime, is outside the policy's conditions.
    expect((await awsError(sts(allowed.keys).send(new GetWebIdentityTokenCommand({ Audience: ['https://other.example'], SigningAlgorithm: 'ES384' })))).code).toBe('AccessDenied');
    expect(
      (await awsError(sts(allowed.keys).send(new GetWebIdentityTokenCommand({ Audience: ['https://api.partner.example'], SigningAlgorithm: 'ES384', DurationSeconds: 301 })))).code,
    ).toBe('AccessDenied');
  });

  it('a role session gets a token naming the role, never outliving the session (SessionDurationEscalationException)', async () => {
    const user = await newUser();
    const roleName = uniqueName('outbound-role');
    const { Role } = await api.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: user.arn }, Action: 'sts:AssumeRole' }] }),
      }),
    );
    await api.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'tokens',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetWebIdentityToken', Resource: '*' }] }),
      }),
    );
    const { Credentials } = await sts(user.keys).send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'worker', DurationSeconds: 900 }));
    const session = sts(keysOf(Credentials));
    const out = await session.send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'RS256', DurationSeconds: 600 }));
    const { payload } = await verifyAsRelyingParty(out.WebIdentityToken!, 'x');
    expect(payload.sub).toBe(Role!.Arn);

    expect(await awsError(session.send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'RS256', DurationSeconds: 3600 })))).toEqual({
      code: 'SessionDurationEscalationException',
      message:
        'The requested token duration would extend the session beyond its original expiration time. You cannot use this operation to extend the lifetime of a session beyond what was granted when the session was originally created.',
      status: 403,
    });
  });

  it('the signing keys are sealed at rest', async () => {
    for (const setting of SIGNING_KEY_SETTINGS) {
      const stored = (await api.domain.store.settings.get(setting))!;
      expect(isSealed(stored)).toBe(true);
      expect(stored).not.toContain('PRIVATE KEY');
    }
  });

  it('Disable: no more tokens, the info says disabled, Enable works again; tokens issued before still verify', async () => {
    const before = await sts().send(new GetWebIdentityTokenCommand({ Audience: ['y'], SigningAlgorithm: 'RS256' }));
    await api.iam.send(new DisableOutboundWebIdentityFederationCommand({}));
    expect((await awsError(api.iam.send(new GetOutboundWebIdentityFederationInfoCommand({})))).code).toBe('FeatureDisabled');
    expect((await awsError(sts().send(new GetWebIdentityTokenCommand({ Audience: ['y'], SigningAlgorithm: 'RS256' })))).code).toBe(
      'OutboundWebIdentityFederationDisabledException',
    );
    await verifyAsRelyingParty(before.WebIdentityToken!, 'y');
    // The same key signs after a new Enable (made once).
    const { IssuerIdentifier } = await api.iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    expect(IssuerIdentifier).toBe(issuerOf(api.url));
    const after = await sts().send(new GetWebIdentityTokenCommand({ Audience: ['y'], SigningAlgorithm: 'RS256' }));
    expect(decodeProtectedHeader(after.WebIdentityToken!).kid).toBe(decodeProtectedHeader(before.WebIdentityToken!).kid);
  });
});

describe('the issuer URL behind a proxy: IAMD_PUBLIC_URL', () => {
  const proxied = useServer({ env: { IAMD_PUBLIC_URL: 'https://iam.example.com/' } });
  it('names the public URL, not the address the request reached', async () => {
    const { IssuerIdentifier } = await proxied.iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    expect(IssuerIdentifier).toBe(`https://iam.example.com/outbound-federation/${ACCOUNT_ID}`);
    const discovery = (await (await fetch(`${proxied.url}/outbound-federation/${ACCOUNT_ID}/.well-known/openid-configuration`)).json()) as Record<string, string>;
    expect(discovery.jwks_uri).toBe(`https://iam.example.com/outbound-federation/${ACCOUNT_ID}/.well-known/jwks.json`);
  });
});

describe('master-key rotation', () => {
  const server = useServer();
  it('re-seals the signing keys under the new key', async () => {
    const { IssuerIdentifier } = await server.iam.send(new EnableOutboundWebIdentityFederationCommand({}));
    // The keys are made in the background after Enable; the JWKS is served once both exist.
    expect(((await (await fetch(`${IssuerIdentifier}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys).toHaveLength(2);
    const newSealer = aesGcmSealer([randomBytes(32)]);
    await resealAllSecrets(server.domain.store, server.domain.sealer, newSealer);
    for (const setting of SIGNING_KEY_SETTINGS) {
      const stored = (await server.domain.store.settings.get(setting))!;
      expect(sealedKeyId(stored)).toBe(newSealer.keyId);
      expect(newSealer.unseal(stored)).toContain('-----BEGIN PRIVATE KEY-----');
    }
  });
});

describe('STS operations of AWS Organizations and delegation', () => {
  it('AssumeRoot: the account is no management account; root credentials may not call it at all', async () => {
    const input = { TargetPrincipal: '111122223333', TaskPolicyArn: { arn: 'arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy' } };
    expect(await awsError(sts().send(new AssumeRootCommand(input)))).toEqual({
      code: 'AccessDenied',
      message: 'Root user credentials cannot be used to call AssumeRoot.',
      status: 403,
    });
    const admin = await newUser({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    expect(await awsError(sts(admin.keys).send(new AssumeRootCommand(input)))).toEqual({
      code: 'AccessDenied',
      message: `User: ${admin.arn} is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::111122223333:root because the account is not the management account or a delegated administrator for centralized root access`,
      status: 403,
    });
    expect((await awsError(sts().send(new AssumeRootCommand({ TargetPrincipal: '111122223333' } as never)))).code).toBe('ValidationError');
  });

  it('GetDelegatedAccessToken: no trade-in token was issued for this account', async () => {
    expect(await awsError(sts().send(new GetDelegatedAccessTokenCommand({ TradeInToken: 'made-up' })))).toEqual({
      code: 'ExpiredTradeInTokenException',
      message: 'The trade-in token provided in the request has expired and can no longer be exchanged for credentials.',
      status: 400,
    });
  });
});

describe('IAMD_PUBLIC_URL', () => {
  const config = (url: string) => resolveServeConfig({ memory: true }, { IAMD_PUBLIC_URL: url });
  it('is an http(s) URL, kept without its trailing slash', () => {
    expect(config('https://iam.example.com/base/').publicUrl).toBe('https://iam.example.com/base');
    expect(config('http://10.0.0.5:8080').publicUrl).toBe('http://10.0.0.5:8080');
  });
  it('refuses anything else at start-up', () => {
    expect(() => config('iam.example.com')).toThrow('IAMD_PUBLIC_URL must be a URL, got "iam.example.com"');
    for (const bad of ['ftp://iam.example.com', 'https://iam.example.com/?x=1', 'https://iam.example.com/#f', 'https://u:p@iam.example.com']) {
      expect(() => config(bad)).toThrow(/^IAMD_PUBLIC_URL must be an http\(s\) URL without credentials, query or fragment/);
    }
  });
});

describe('boto3', () => {
  const server = useServer();
  const BOTO3 = `
import boto3, json
iam = boto3.client('iam')
sts = boto3.client('sts')
result = {}
try:
    sts.get_web_identity_token(Audience=['https://api.example.com'], SigningAlgorithm='RS256')
except Exception as e:
    result['before'] = [e.response['Error']['Code'], type(e).__name__]
result['issuer'] = iam.enable_outbound_web_identity_federation()['IssuerIdentifier']
try:
    iam.enable_outbound_web_identity_federation()
except Exception as e:
    result['again'] = [e.response['Error']['Code'], type(e).__name__]
info = iam.get_outbound_web_identity_federation_info()
result['info'] = [info['IssuerIdentifier'], info['JwtVendingEnabled']]
out = sts.get_web_identity_token(Audience=['https://api.example.com'], SigningAlgorithm='ES384', DurationSeconds=60)
result['token'] = out['WebIdentityToken']
result['expiration'] = out['Expiration'].timestamp()
print(json.dumps(result))
`;
  it('enables, reads the info and gets a token through botocore, with its modelled exceptions', async () => {
    const missing = path.join(os.tmpdir(), `iamd-no-aws-config-${process.pid}`);
    const { stdout } = await promisify(execFile)('python3', ['-c', BOTO3], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: server.url,
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_CONFIG_FILE: missing,
        AWS_SHARED_CREDENTIALS_FILE: missing,
        AWS_MAX_ATTEMPTS: '1',
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
      },
    });
    const result = JSON.parse(stdout) as { before: string[]; issuer: string; again: string[]; info: [string, boolean]; token: string; expiration: number };
    expect(result.before).toEqual(['OutboundWebIdentityFederationDisabledException', 'OutboundWebIdentityFederationDisabledException']);
    expect(result.issuer).toBe(issuerOf(server.url));
    expect(result.again).toEqual(['FeatureEnabled', 'FeatureEnabledException']);
    expect(result.info).toEqual([issuerOf(server.url), true]);
    const discovery = (await (await fetch(`${result.issuer}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const { payload } = await jwtVerify(result.token, createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer: result.issuer, audience: 'https://api.example.com' });
    expect(payload[STS_CLAIMS]).toMatchObject({ source_region: 'eu-west-1' });
    expect(result.expiration).toBe(payload.exp);
  });
});
