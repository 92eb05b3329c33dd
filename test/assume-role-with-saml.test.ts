/**
 * AssumeRoleWithSAML against SAML responses the test makes and signs (xml-crypto's SignedXml, an
 * RSA key and certificate made by openssl), from a SAML provider registered with metadata holding
 * that certificate. Unsigned STS calls through @aws-sdk/client-sts and boto3; the credentials used
 * for GetCallerIdentity and IAM calls. Refusals: tampered, wrapped, expired, wrong audience,
 * unsigned, another key's signature, a Role attribute without the pair, a trust condition unmet.
 * Recorded messages: AWS's troubleshooting guide for SAML; guessed ones are marked in
 * src/domain/saml-assume-role.ts. Both stores.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignedXml } from 'xml-crypto';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, CreateSAMLProviderCommand, DeleteOpenIDConnectProviderCommand, GetAccountSummaryCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithSAMLCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleWithSAMLCommandOutput } from '@aws-sdk/client-sts';
import { ACCOUNT_ID, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';
import { selfSigned } from './support/certificates.js';
import { jsonLines, tempDir } from './support/hardening.js';

const auditFile = path.join(tempDir('saml-audit'), 'audit.log');
const api = useServer({ env: { IAMD_AUDIT_LOG: auditFile } });

const idp = selfSigned({ key: 'rsa', cn: 'idp.example.com' });
const intruder = selfSigned({ key: 'rsa', cn: 'idp.example.com' });
const base64Cert = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const ISSUER = 'https://idp.example.com/saml';
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT_ID}:saml-provider/corp-idp`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/saml-admin`;
const SIGNIN = 'https://signin.aws.amazon.com/saml';

const metadata = `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${ISSUER}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64Cert(idp.certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

const trust = (statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const samlTrust = (equals: Record<string, string> = {}) => ({
  Effect: 'Allow',
  Principal: { Federated: PROVIDER_ARN },
  Action: 'sts:AssumeRoleWithSAML',
  // Condition keys are case-insensitive (SAML:aud as AWS's examples write it).
  Condition: { StringEquals: { 'saml:iss': ISSUER, ...equals }, StringLike: { 'SAML:aud': 'https://*signin.aws.amazon.com/saml' } },
});

beforeAll(async () => {
  await api.iam.send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: metadata }));
  const roles: [string, object[]][] = [
    ['saml-admin', [samlTrust()]],
    // Only the persistent subject alice may assume it.
    ['saml-alice', [samlTrust({ 'saml:sub': 'alice', 'saml:sub_type': 'persistent', 'saml:doc': `${ACCOUNT_ID}/corp-idp` })]],
    // Session tags from the assertion need sts:TagSession too.
    ['saml-tagged', [{ ...samlTrust(), Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'] }]],
  ];
  for (const [RoleName, statements] of roles) {
    await api.iam.send(new CreateRoleCommand({ RoleName, AssumeRolePolicyDocument: trust(statements) }));
  }
  // ListUsers for sessions tagged team=blue only.
  const listIfBlue = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:ListUsers', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } } }] });
  await api.iam.send(new PutRolePolicyCommand({ RoleName: 'saml-tagged', PolicyName: 'list-if-blue', PolicyDocument: listIfBlue }));
  await api.iam.send(new PutRolePolicyCommand({ RoleName: 'saml-admin', PolicyName: 'list', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
});

const sts = () => new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1 });

interface AssertionOptions {
  roles?: string[];
  sessionName?: string | null;
  audience?: string;
  recipient?: string;
  notOnOrAfter?: Date;
  notBefore?: Date;
  nameId?: string;
  attributes?: Record<string, string[]>;
  issuer?: string;
  id?: string;
  /** false: a bearer confirmation without NotOnOrAfter. */
  confirmationExpires?: boolean;
  /** A second AudienceRestriction with this audience. */
  otherRestriction?: string;
}

const iso = (d: Date) => d.toISOString();

function assertionXml(o: AssertionOptions = {}): string {
  const now = Date.now();
  const notOnOrAfter = iso(o.notOnOrAfter ?? new Date(now + 5 * 60_000));
  const attributes: Record<string, string[]> = {
    'https://aws.amazon.com/SAML/Attributes/Role': o.roles ?? [`${ROLE_ARN},${PROVIDER_ARN}`],
    ...(o.sessionName === null ? {} : { 'https://aws.amazon.com/SAML/Attributes/RoleSessionName': [o.sessionName ?? 'alice@example.com'] }),
    ...o.attributes,
  };
  const attributeXml = Object.entries(attributes)
    .map(([name, values]) => `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${v}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
    .join('');
  return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.id ?? '_assertion1'}" Version="2.0" IssueInstant="${iso(new Date(now))}">` +
    `<saml:Issuer>${o.issuer ?? ISSUER}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${o.nameId ?? 'alice'}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${o.confirmationExpires === false ? '' : ` NotOnOrAfter="${notOnOrAfter}"`} Recipient="${o.recipient ?? SIGNIN}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(o.notBefore ?? new Date(now - 60_000))}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${o.audience ?? SIGNIN}</saml:Audience></saml:AudienceRestriction>${o.otherRestriction ? `<saml:AudienceRestriction><saml:Audience>${o.otherRestriction}</saml:Audience></saml:AudienceRestriction>` : ''}</saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(new Date(now))}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>` +
    `</saml:Assertion>`;
}

const responseXml = (assertions: string) =>
  `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_response1" Version="2.0" IssueInstant="${iso(new Date())}" Destination="${SIGNIN}">` +
  `<saml:Issuer>${ISSUER}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
  assertions +
  `</samlp:Response>`;

/** Signs the element named (the Assertion or the Response) with an enveloped signature after its Issuer. */
function sign(xml: string, element: 'Assertion' | 'Response', privateKey = idp.privateKey, certificate = idp.certificate): string {
  const signer = new SignedXml({
    privateKey,
    publicCert: certificate,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  signer.addReference({
    xpath: `//*[local-name(.)='${element}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  signer.computeSignature(xml, { location: { reference: `//*[local-name(.)='${element}']/*[local-name(.)='Issuer']`, action: 'after' } });
  return signer.getSignedXml();
}

const b64 = (xml: string) => Buffer.from(xml).toString('base64');
/** A response whose assertion is signed (the usual IdP set-up). */
const signedResponse = (o: AssertionOptions = {}) => responseXml(sign(assertionXml(o), 'Assertion'));

const assume = (xml: string, extra: { RoleArn?: string; DurationSeconds?: number; Policy?: string } = {}) =>
  sts().send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE_ARN, PrincipalArn: PROVIDER_ARN, SAMLAssertion: b64(xml), ...extra }));

const clientOf = (out: AssumeRoleWithSAMLCommandOutput) => {
  const credentials = { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
  return {
    sts: new STSClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials }),
    iam: new IAMClient({ endpoint: api.url, region: 'us-east-1', maxAttempts: 1, credentials }),
  };
};

const signatureInvalid = { code: 'InvalidIdentityToken', message: 'Response signature invalid', status: 400 };
const notAuthorized = { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithSAML', status: 403 };

describe('AssumeRoleWithSAML', () => {
  // First: the admin client right after beforeAll used it (no idle keep-alive socket to race).
  it('counts identity providers in GetAccountSummary', async () => {
    const summary = (await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(summary.Providers).toBe(1);
    // OIDC providers count too; then deleted, the count goes back.
    const oidc = await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://oidc.example.com', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: ['a'.repeat(40)] }));
    expect((await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.Providers).toBe(2);
    await api.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: oidc.OpenIDConnectProviderArn }));
    expect((await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.Providers).toBe(1);
  });

  it('gives a signed assertion credentials that work, with AWS members', async () => {
    const out = await assume(signedResponse());
    const sessionArn = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/saml-admin/alice@example.com`;
    expect(out.AssumedRoleUser?.Arn).toBe(sessionArn);
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]+:alice@example\.com$/);
    expect(out).toMatchObject({ Subject: 'alice', SubjectType: 'persistent', Issuer: ISSUER, Audience: SIGNIN });
    // AWS's documented NameQualifier: BASE64(SHA1(issuer + account + "/" + provider name)).
    expect(out.NameQualifier).toBe(createHash('sha1').update(`${ISSUER}${ACCOUNT_ID}/corp-idp`).digest('base64'));
    expect(out.PackedPolicySize).toBeUndefined();
    const session = clientOf(out);
    expect((await session.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(sessionArn);
    expect((await session.iam.send(new ListUsersCommand({}))).Users).toBeDefined();

    // The audit trail: the bearer as CloudTrail's SAMLUser; neither the response nor the secret.
    const event = (jsonLines(auditFile) as { eventName: string; userIdentity: Record<string, unknown> }[]).find((e) => e.eventName === 'AssumeRoleWithSAML' && !('errorCode' in e));
    expect(event?.userIdentity).toEqual({ type: 'SAMLUser', principalId: `${out.NameQualifier}:alice`, userName: 'alice', identityProvider: out.NameQualifier });
    const text = fs.readFileSync(auditFile, 'utf8');
    expect(text).not.toContain(out.Credentials!.SecretAccessKey!);
    expect(text).not.toContain('PHNhbWxw'); // no base64 samlp:Response
  });

  it('accepts a response signed as a whole (the Response, not the Assertion)', async () => {
    const out = await assume(sign(responseXml(assertionXml()), 'Response'));
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/saml-admin/alice@example.com`);
  });

  it('applies session policies (Policy) to the credentials', async () => {
    const onlyCallerIdentity = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }] });
    const out = await assume(signedResponse(), { Policy: onlyCallerIdentity });
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    const error = await awsError(clientOf(out).iam.send(new ListUsersCommand({})));
    expect(error.code).toBe('AccessDenied');
    expect(await awsError(assume(signedResponse(), { Policy: '{"Version":' }))).toMatchObject({ code: 'MalformedPolicyDocument', status: 400 });
  });

  it('refuses a tampered assertion (an attribute changed after signing)', async () => {
    const tampered = signedResponse().replace('<saml:AttributeValue>alice@example.com</saml:AttributeValue>', '<saml:AttributeValue>mallory</saml:AttributeValue>');
    expect(tampered).toContain('mallory');
    expect(await awsError(assume(tampered))).toEqual(signatureInvalid);
    // Audited as a SAMLUser whose claims are not trusted enough to record.
    const refused = (jsonLines(auditFile) as { eventName: string; errorMessage?: string; userIdentity: Record<string, unknown> }[]).filter(
      (e) => e.eventName === 'AssumeRoleWithSAML' && e.errorMessage === 'Response signature invalid',
    );
    expect(refused.at(-1)?.userIdentity).toEqual({ type: 'SAMLUser' });
    expect(fs.readFileSync(auditFile, 'utf8')).not.toContain(b64(tampered).slice(0, 40)); // the response is never written
  });

  it('refuses wrapped responses: an injected unsigned assertion, and the signed one moved aside for a forged one', async () => {
    const signed = sign(assertionXml(), 'Assertion');
    const forged = assertionXml({ id: '_forged', roles: [`${ROLE_ARN},${PROVIDER_ARN}`], sessionName: 'mallory', nameId: 'mallory' });
    const malformed = { code: 'InvalidIdentityToken', message: 'Invalid SAML response received: the response could not be parsed', status: 400 };
    // A second, unsigned assertion after the signed one, and before it.
    expect(await awsError(assume(responseXml(signed + forged)))).toEqual(malformed);
    expect(await awsError(assume(responseXml(forged + signed)))).toEqual(malformed);
    // The classic wrapping: the signed assertion hidden in Extensions, a forged one in its place.
    const hidden = responseXml(forged).replace('<samlp:Status>', `<samlp:Extensions>${signed}</samlp:Extensions><samlp:Status>`);
    expect(await awsError(assume(hidden))).toEqual(malformed);
    // The forged assertion under the signed one's ID, carrying its signature: the digest fails.
    const signature = /<Signature[\s\S]*<\/Signature>/.exec(signed)![0];
    const impostor = assertionXml({ sessionName: 'mallory', nameId: 'mallory' }).replace(`<saml:Issuer>${ISSUER}</saml:Issuer>`, `<saml:Issuer>${ISSUER}</saml:Issuer>${signature}`);
    expect(await awsError(assume(responseXml(impostor)))).toEqual(signatureInvalid);
    // A signed Response whose signature is moved onto a forged response wrapping the original.
    const signedWhole = sign(responseXml(assertionXml()), 'Response');
    expect(await awsError(assume(responseXml(forged).replace('<samlp:Status>', `<samlp:Extensions>${signedWhole}</samlp:Extensions><samlp:Status>`)))).toEqual(malformed);
  });

  it('refuses an unsigned response, one signed by another key, and a DOCTYPE', async () => {
    expect(await awsError(assume(responseXml(assertionXml())))).toEqual(signatureInvalid);
    expect(await awsError(assume(responseXml(sign(assertionXml(), 'Assertion', intruder.privateKey, intruder.certificate))))).toEqual(signatureInvalid);
    const doctype = `<!DOCTYPE r [<!ENTITY x "y">]>${signedResponse()}`;
    expect(await awsError(assume(doctype))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
  });

  it('refuses a bearer confirmation without NotOnOrAfter, and providers past ValidUntil or requiring encryption', async () => {
    const noExpiry = signedResponse({ confirmationExpires: false, notOnOrAfter: new Date(Date.now() + 300_000) });
    expect(await awsError(assume(noExpiry))).toEqual({ code: 'InvalidIdentityToken', message: 'Invalid SAML response received: the SubjectConfirmationData has no NotOnOrAfter', status: 400 });
    const expiredMetadata = metadata.replace(`entityID="${ISSUER}"`, `entityID="${ISSUER}" validUntil="2001-01-01T00:00:00Z"`);
    await api.iam.send(new CreateSAMLProviderCommand({ Name: 'old-idp', SAMLMetadataDocument: expiredMetadata }));
    await api.iam.send(new CreateSAMLProviderCommand({ Name: 'sealed-idp', SAMLMetadataDocument: metadata, AssertionEncryptionMode: 'Required', AddPrivateKey: selfSigned({ key: 'rsa' }).privateKey }));
    for (const [name, message] of [
      ['old-idp', 'Invalid SAML response received: the SAML provider is past its ValidUntil'],
      ['sealed-idp', 'Invalid SAML response received: the SAML provider requires encrypted assertions'],
    ] as const) {
      const provider = `arn:aws:iam::${ACCOUNT_ID}:saml-provider/${name}`;
      const xml = signedResponse({ roles: [`${ROLE_ARN},${provider}`] });
      expect(await awsError(sts().send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE_ARN, PrincipalArn: provider, SAMLAssertion: b64(xml) }))), name).toEqual({
        code: 'InvalidIdentityToken',
        message,
        status: 400,
      });
    }
  });

  it("judges times by the server's clock (the test clock): a fresh assertion expires as the clock moves", async () => {
    const xml = signedResponse(); // valid for 5 minutes from now
    const out = await assume(xml);
    try {
      await api.setClock(3600); // past NotOnOrAfter and the 5-minute skew, and the session's hour
      expect(await awsError(assume(xml))).toEqual({ code: 'ExpiredTokenException', message: 'Token expired: the SAML assertion is past its NotOnOrAfter', status: 400 });
      expect(await awsError(clientOf(out).sts.send(new GetCallerIdentityCommand({})))).toMatchObject({ code: 'ExpiredToken' });
    } finally {
      await api.setClock(0);
    }
  });

  it('refuses an expired assertion and one not yet valid', async () => {
    const error = await awsError(assume(signedResponse({ notOnOrAfter: new Date(Date.now() - 3600_000), notBefore: new Date(Date.now() - 7200_000) })));
    expect(error).toEqual({ code: 'ExpiredTokenException', message: 'Token expired: the SAML assertion is past its NotOnOrAfter', status: 400 });
    expect(await awsError(assume(signedResponse({ notBefore: new Date(Date.now() + 3600_000), notOnOrAfter: new Date(Date.now() + 7200_000) })))).toMatchObject({
      code: 'InvalidIdentityToken',
      status: 400,
    });
  });

  it('refuses a wrong audience, a wrong recipient and another issuer', async () => {
    expect(await awsError(assume(signedResponse({ audience: 'https://app.example.com/' })))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'Response does not contain the required audience',
      status: 400,
    });
    expect(await awsError(assume(signedResponse({ recipient: 'https://app.example.com/acs' })))).toMatchObject({ code: 'InvalidIdentityToken', status: 400 });
    expect(await awsError(assume(signedResponse({ issuer: 'https://other.example.com/saml' })))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'Issuer not present in specified provider',
      status: 400,
    });
    // Every AudienceRestriction must be met (SAML's rule): a second one for another audience fails.
    expect(await awsError(assume(signedResponse({ otherRestriction: 'https://app.example.com/' })))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'Response does not contain the required audience',
      status: 400,
    });
    // The regional sign-in endpoints are AWS's too.
    const regional = 'https://eu-west-1.signin.aws.amazon.com/saml';
    expect((await assume(signedResponse({ audience: regional, recipient: regional }))).Audience).toBe(regional);
  });

  it('refuses a role not in the Role attribute, a trust condition unmet, and a missing RoleSessionName', async () => {
    const other = `arn:aws:iam::${ACCOUNT_ID}:role/saml-alice`;
    // The assertion names saml-admin only; saml-alice asked.
    expect(await awsError(assume(signedResponse(), { RoleArn: other }))).toEqual(notAuthorized);
    // The pair in either order; saml-alice trusts only the subject alice.
    const pairReversed = [`${PROVIDER_ARN},${other}`];
    expect((await assume(signedResponse({ roles: pairReversed }), { RoleArn: other })).AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT_ID}:assumed-role/saml-alice/alice@example.com`);
    expect(await awsError(assume(signedResponse({ roles: pairReversed, nameId: 'bob' }), { RoleArn: other }))).toEqual(notAuthorized);
    expect(await awsError(assume(signedResponse({ sessionName: null })))).toEqual({ code: 'InvalidIdentityToken', message: 'RoleSessionName is required in AuthnResponse', status: 400 });
    expect(await awsError(assume(signedResponse({ sessionName: 'a b' })))).toEqual({
      code: 'InvalidIdentityToken',
      message: 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}',
      status: 400,
    });
    expect(await awsError(assume(signedResponse(), { RoleArn: `arn:aws:iam::${ACCOUNT_ID}:role/missing` }))).toEqual(notAuthorized);
    expect(await awsError(sts().send(new AssumeRoleWithSAMLCommand({ RoleArn: ROLE_ARN, PrincipalArn: `arn:aws:iam::${ACCOUNT_ID}:saml-provider/nope`, SAMLAssertion: b64(signedResponse()) })))).toEqual({
      code: 'InvalidIdentityToken',
      message: "Specified provider doesn't exist",
      status: 400,
    });
  });

  it('bounds the session by SessionDuration, DurationSeconds and the role maximum', async () => {
    const long = await assume(signedResponse({ attributes: { 'https://aws.amazon.com/SAML/Attributes/SessionDuration': ['7200'] } }));
    // The role's maximum (an hour) caps the attribute.
    const lasts = long.Credentials!.Expiration!.getTime() - Date.now();
    expect(lasts).toBeLessThanOrEqual(3600_000);
    expect(lasts).toBeGreaterThan(3000_000);
    const short = await assume(signedResponse({ attributes: { 'https://aws.amazon.com/SAML/Attributes/SessionDuration': ['7200'] } }), { DurationSeconds: 900 });
    expect(short.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    expect(await awsError(assume(signedResponse(), { DurationSeconds: 7200 }))).toEqual({
      code: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      status: 400,
    });
  });

  it('makes PrincipalTag attributes session tags (aws:PrincipalTag), which need sts:TagSession', async () => {
    const tagged = `arn:aws:iam::${ACCOUNT_ID}:role/saml-tagged`;
    const withTeam = (team: string, roles = [`${tagged},${PROVIDER_ARN}`]) =>
      signedResponse({
        roles,
        attributes: {
          'https://aws.amazon.com/SAML/Attributes/PrincipalTag:team': [team],
          'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys': ['team'],
        },
      });
    const blue = await assume(withTeam('blue'), { RoleArn: tagged });
    expect(blue.PackedPolicySize).toBeGreaterThan(0);
    expect((await clientOf(blue).iam.send(new ListUsersCommand({}))).Users).toBeDefined();
    const red = await assume(withTeam('red'), { RoleArn: tagged });
    expect((await awsError(clientOf(red).iam.send(new ListUsersCommand({})))).code).toBe('AccessDenied');
    // saml-admin's trust does not allow sts:TagSession.
    expect(await awsError(assume(withTeam('blue', [`${ROLE_ARN},${PROVIDER_ARN}`])))).toEqual(notAuthorized);
  });

  it('works through boto3 (an unsigned client)', async () => {
    const run = promisify(execFile);
    const script = [
      'import sys, boto3, botocore',
      'from botocore.config import Config',
      'c = boto3.client("sts", config=Config(signature_version=botocore.UNSIGNED))',
      'r = c.assume_role_with_saml(RoleArn=sys.argv[1], PrincipalArn=sys.argv[2], SAMLAssertion=sys.argv[3])',
      'print(r["AssumedRoleUser"]["Arn"], r["Issuer"], r["SubjectType"])',
      's = boto3.client("sts", aws_access_key_id=r["Credentials"]["AccessKeyId"], aws_secret_access_key=r["Credentials"]["SecretAccessKey"], aws_session_token=r["Credentials"]["SessionToken"])',
      'print(s.get_caller_identity()["Arn"])',
    ].join('\n');
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
    const out = await run('python3', ['-c', script, ROLE_ARN, PROVIDER_ARN, b64(signedResponse({ sessionName: 'boto3' }))], { env });
    const sessionArn = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/saml-admin/boto3`;
    expect(out.stdout.trim().split('\n')).toEqual([`${sessionArn} ${ISSUER} persistent`, sessionArn]);
  }, 60_000);
});
