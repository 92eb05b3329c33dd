/**
 * iamd as the issuer and as the relying party at once: iamd served over HTTPS (a CA made by the
 * test, trusted for OIDC issuers through IAMD_OIDC_CA_FILE), outbound federation enabled, its
 * issuer URL registered as an OIDC provider of the same account, and a role trusting it. A token
 * from STS GetWebIdentityToken is then exchanged by AssumeRoleWithWebIdentity, which fetches the
 * discovery document and JWKS from iamd itself over HTTPS. (AWS's own tokens "cannot be used for
 * OIDC federation into AWS"; iamd does not forbid it, see docs/outbound-federation.md.)
 */
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, EnableOutboundWebIdentityFederationCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, ROOT, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';
import { issuedBy, selfSigned } from './support/certificates.js';
import { resetOidcKeyCache } from '../src/federation/oidc-keys.js';

const ca = selfSigned({ ca: true });
const serverCert = issuedBy(ca, { cn: '127.0.0.1', san: 'IP:127.0.0.1' });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-outbound-loop-'));
const files = { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'cert.pem'), key: path.join(dir, 'key.pem') };
fs.writeFileSync(files.ca, ca.certificate);
fs.writeFileSync(files.cert, serverCert.certificate);
fs.writeFileSync(files.key, serverCert.privateKey, { mode: 0o600 });
process.env.IAMD_OIDC_CA_FILE = files.ca;

const api = useServer({ flags: { memory: true, tlsCert: files.cert, tlsKey: files.key } });
const requestHandler = () => new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: ca.certificate }) });
const iam = () => new IAMClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials: ROOT, requestHandler: requestHandler() });
const sts = (credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
  new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, requestHandler: requestHandler(), ...(credentials ? { credentials } : {}) });

let issuer = '';
beforeAll(async () => {
  resetOidcKeyCache(); // read IAMD_OIDC_CA_FILE as set above
  issuer = (await iam().send(new EnableOutboundWebIdentityFederationCommand({}))).IssuerIdentifier!;
  const providerKey = issuer.slice('https://'.length);
  await iam().send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['iamd-loop'] }));
  await iam().send(
    new CreateRoleCommand({
      RoleName: 'from-own-tokens',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${providerKey}` },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${providerKey}:aud`]: 'iamd-loop', [`${providerKey}:sub`]: `arn:aws:iam::${ACCOUNT_ID}:root` } },
          },
        ],
      }),
    }),
  );
});

describe('a token from GetWebIdentityToken, exchanged by AssumeRoleWithWebIdentity on the same iamd', () => {
  it('is accepted for the audience and subject the role trusts, the keys fetched from iamd over HTTPS', async () => {
    expect(issuer).toBe(`${api.url}/outbound-federation/${ACCOUNT_ID}`);
    const { WebIdentityToken } = await sts(ROOT).send(new GetWebIdentityTokenCommand({ Audience: ['iamd-loop'], SigningAlgorithm: 'ES384' }));
    const out = await sts().send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/from-own-tokens`, RoleSessionName: 'loop', WebIdentityToken }),
    );
    expect(out.SubjectFromWebIdentityToken).toBe(`arn:aws:iam::${ACCOUNT_ID}:root`);
    expect(out.Provider).toBe(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${issuer.slice('https://'.length)}`);
    const me = await sts({ accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(me.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/from-own-tokens/loop`);
  });

  it('is refused for an audience the provider does not list', async () => {
    const { WebIdentityToken } = await sts(ROOT).send(new GetWebIdentityTokenCommand({ Audience: ['someone-else'], SigningAlgorithm: 'RS256' }));
    const refused = await awsError(
      sts().send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/from-own-tokens`, RoleSessionName: 'loop', WebIdentityToken })),
    );
    expect(refused).toEqual({ code: 'InvalidIdentityToken', message: 'Incorrect token audience', status: 400 });
  });
});
