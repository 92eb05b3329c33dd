import { createHash } from 'node:crypto';
import type { Domain } from './context.js';
import type { Tag } from './entities.js';
import { assumedRoleArn } from './arn.js';
import { IamError } from './errors.js';
import type { RequestFacts } from './authorization.js';
import { isArn, stsErrors } from './sts.js';
import { nameOfArn } from './saml-providers.js';
import { parseSamlMetadata } from './saml-metadata.js';
import { checkClaimTags, issueFederatedSession } from './federated-session.js';
import { InvalidSamlResponse, verifySamlResponse, type SamlAssertion } from '../federation/saml-response.js';

/**
 * AssumeRoleWithSAML: a role session for the bearer of a SAML response from a registered SAML
 * provider, unsigned as in AWS (the response is the credential). The response's XML signature is
 * verified against the provider's metadata certificates (src/federation/saml-response.ts, which
 * guards against signature wrapping); then AWS's rules for the assertion: issuer = the metadata's
 * entityID, audience and recipient AWS's sign-in endpoint, times current, the Role attribute naming
 * the requested role and provider, RoleSessionName. The trust policy decides with Principal
 * Federated = the provider's ARN and the saml:* condition keys. See docs/federation.md.
 */

export interface SamlInput {
  RoleArn: string;
  PrincipalArn: string;
  SAMLAssertion: string;
  PolicyArns?: { arn?: string }[];
  Policy?: string;
  DurationSeconds?: number;
}

const ATTR = 'https://aws.amazon.com/SAML/Attributes/';
const ROLE_ATTRIBUTE = `${ATTR}Role`;
const SESSION_NAME_ATTRIBUTE = `${ATTR}RoleSessionName`;
const SESSION_DURATION_ATTRIBUTE = `${ATTR}SessionDuration`;
const SOURCE_IDENTITY_ATTRIBUTE = `${ATTR}SourceIdentity`;
const PRINCIPAL_TAG_PREFIX = `${ATTR}PrincipalTag:`;
const TRANSITIVE_TAG_KEYS_ATTRIBUTE = `${ATTR}TransitiveTagKeys`;
/** AWS's sign-in endpoint, global or regional: the audience and the recipient AWS requires. */
const AWS_SIGNIN = /^https:\/\/(?:[a-z0-9-]+\.)?signin\.aws\.amazon\.com\/saml$/;
/** Clock skew allowed on the assertion's times. Guessed: AWS does not document its tolerance. */
const SKEW_MS = 5 * 60 * 1000;
const DEFAULT_DURATION_SECONDS = 3600;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

// AWS's sentences where its troubleshooting guide for SAML federation records them ("Response
// signature invalid", "RoleSessionName is required in AuthnResponse", "RoleSessionName in
// AuthnResponse must match ...", "Source Identity must match ...", "Not authorized to perform
// sts:AssumeRoleWithSAML", "Specified provider doesn't exist", "Response does not contain the
// required audience", "Issuer not present in specified provider"); the others are marked guessed.
const samlErrors = {
  signature: () => new IamError('InvalidIdentityToken', 'Response signature invalid'),
  // Guessed wording for a response that is not base64 XML of a samlp:Response with one Assertion.
  malformed: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the response could not be parsed'),
  // Guessed wording for an IdP's non-Success status.
  status: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the response status is not Success'),
  noProvider: () => new IamError('InvalidIdentityToken', "Specified provider doesn't exist"), // the code is guessed
  issuer: () => new IamError('InvalidIdentityToken', 'Issuer not present in specified provider'), // the code is guessed
  audience: () => new IamError('InvalidIdentityToken', 'Response does not contain the required audience'), // the code is guessed
  // Guessed wording: a bearer confirmation whose Recipient is not AWS's sign-in endpoint.
  recipient: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the SubjectConfirmationData Recipient is not a valid AWS sign-in endpoint'),
  // Guessed wording: a bearer confirmation without NotOnOrAfter.
  noExpiry: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the SubjectConfirmationData has no NotOnOrAfter'),
  // Guessed wording: a provider past its ValidUntil (its metadata's validUntil).
  providerExpired: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the SAML provider is past its ValidUntil'),
  // Guessed wording: a plaintext assertion for a provider whose AssertionEncryptionMode is Required.
  encryptionRequired: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the SAML provider requires encrypted assertions'),
  // Guessed wording (AWS's ExpiredTokenException for an assertion past NotOnOrAfter).
  expired: () => new IamError('ExpiredTokenException', 'Token expired: the SAML assertion is past its NotOnOrAfter'),
  // Guessed wording for an assertion whose NotBefore has not come.
  notYetValid: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the SAML assertion is not yet valid'),
  sessionNameMissing: () => new IamError('InvalidIdentityToken', 'RoleSessionName is required in AuthnResponse'),
  sessionNameInvalid: () => new IamError('InvalidIdentityToken', 'RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}'),
  sourceIdentityInvalid: () => new IamError('InvalidIdentityToken', 'Source Identity must match [a-zA-Z_0-9+=,.@-]{2,64} and not begin with "aws:"'),
  // Guessed wording: a SessionDuration attribute that is not 900..43200 seconds.
  sessionDuration: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: SessionDuration must be an integer between 900 and 43200'),
  // Guessed wording: session tag attributes that break AWS's tag rules.
  tags: () => new IamError('InvalidIdentityToken', 'Invalid SAML response received: the session tag attributes are invalid'),
  // AWS's sentence (troubleshooting guide); also used, as a guess, for a Role attribute without the requested pair.
  notAuthorized: () => new IamError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithSAML'),
};

const SUB_TYPES: Record<string, string> = {
  'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent': 'persistent',
  'urn:oasis:names:tc:SAML:2.0:nameid-format:transient': 'transient',
};

/**
 * saml:* keys that come from attributes (AWS's list of SAML-based federation keys): the
 * attribute's OID name (urn:oid:...) as IdPs send them, mapped to AWS's key.
 */
const ATTRIBUTE_KEYS: Record<string, string[]> = {
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.1': ['saml:edupersonaffiliation'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.2': ['saml:edupersonnickname'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.3': ['saml:edupersonorgdn'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.4': ['saml:edupersonorgunitdn'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.5': ['saml:edupersonprimaryaffiliation'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.6': ['saml:edupersonprincipalname'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.7': ['saml:edupersonentitlement'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.8': ['saml:edupersonprimaryorgunitdn'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.9': ['saml:edupersonscopedaffiliation'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.10': ['saml:edupersontargetedid'],
  'urn:oid:1.3.6.1.4.1.5923.1.1.1.11': ['saml:edupersonassurance'],
  'urn:oid:2.5.4.3': ['saml:cn', 'saml:commonName'],
  'urn:oid:2.5.4.4': ['saml:surname'],
  'urn:oid:2.5.4.42': ['saml:givenName'],
  'urn:oid:2.5.4.41': ['saml:name'],
  'urn:oid:2.5.4.45': ['saml:x500UniqueIdentifier'],
  'urn:oid:0.9.2342.19200300.100.1.1': ['saml:uid'],
  'urn:oid:0.9.2342.19200300.100.1.3': ['saml:mail'],
};

/** AWS's NameQualifier: BASE64(SHA1(issuer + account id + "/" + provider name)). */
export const nameQualifier = (issuer: string, accountId: string, providerName: string) =>
  createHash('sha1').update(`${issuer}${accountId}/${providerName}`).digest('base64');

/** Whether a Role attribute value ("roleArn,providerArn" in either order) names the pair. */
const namesPair = (value: string, role: string, provider: string) => {
  const parts = value.split(',').map((p) => p.trim());
  return parts.length === 2 && ((parts[0] === role && parts[1] === provider) || (parts[0] === provider && parts[1] === role));
};

function checkTimes(a: SamlAssertion, now: number): void {
  if (a.notBefore && now + SKEW_MS < a.notBefore.getTime()) throw samlErrors.notYetValid();
  const ends = [a.notOnOrAfter, ...a.confirmations.map((c) => c.notOnOrAfter)].filter((d): d is Date => d !== undefined);
  if (ends.some((d) => now - SKEW_MS >= d.getTime())) throw samlErrors.expired();
}

/** Session tags from PrincipalTag:KEY and TransitiveTagKeys attributes (AWS's session tags page). */
function tagsOf(a: SamlAssertion): { tags: Tag[]; transitiveTagKeys: string[] } {
  const tags: Tag[] = [];
  for (const [name, values] of a.attributes) {
    if (!name.startsWith(PRINCIPAL_TAG_PREFIX)) continue;
    if (values.length !== 1) throw samlErrors.tags();
    tags.push({ Key: name.slice(PRINCIPAL_TAG_PREFIX.length), Value: values[0]! });
  }
  const transitiveTagKeys = a.attributes.get(TRANSITIVE_TAG_KEYS_ATTRIBUTE) ?? [];
  checkClaimTags(tags, transitiveTagKeys, () => samlErrors.tags());
  return { tags, transitiveTagKeys };
}

export async function assumeRoleWithSaml(domain: Domain, input: SamlInput, facts: RequestFacts & { region: string }): Promise<Record<string, unknown>> {
  if (!isArn(input.RoleArn)) throw stsErrors.invalidArn(input.RoleArn);
  if (!isArn(input.PrincipalArn)) throw stsErrors.invalidArn(input.PrincipalArn);
  const providerName = nameOfArn(domain, input.PrincipalArn);
  const provider = providerName === undefined ? undefined : await domain.store.samlProviders.getByName(providerName);
  if (!provider || providerName === undefined) throw samlErrors.noProvider();
  const metadata = await parseSamlMetadata(provider.metadata); // checked when stored
  const now = domain.clock.now();
  if (provider.validUntil.getTime() <= now.getTime()) throw samlErrors.providerExpired();
  // iamd reads no encrypted assertion yet: a provider that requires encryption accepts none.
  if (provider.assertionEncryptionMode === 'Required') throw samlErrors.encryptionRequired();

  let assertion: SamlAssertion;
  try {
    assertion = await verifySamlResponse(input.SAMLAssertion, metadata.signingCertificates);
  } catch (e) {
    if (!(e instanceof InvalidSamlResponse)) throw e;
    throw e.refusal === 'signature' ? samlErrors.signature() : e.refusal === 'status' ? samlErrors.status() : samlErrors.malformed();
  }
  // From here on, everything read is covered by a verified signature.
  if (assertion.issuer !== metadata.entityId) throw samlErrors.issuer();
  // SAML's rule: every AudienceRestriction must name the audience (AWS's sign-in endpoint).
  const restrictions = assertion.audienceRestrictions;
  if (restrictions.length === 0 || !restrictions.every((r) => r.some((a) => AWS_SIGNIN.test(a)))) throw samlErrors.audience();
  checkTimes(assertion, now.getTime());
  // The bearer confirmation for AWS: its Recipient AWS's sign-in endpoint, and (the SAML Web
  // Browser SSO profile's rule) a NotOnOrAfter, so no response is usable for ever.
  const confirmation = assertion.confirmations.find((c) => c.recipient !== undefined && AWS_SIGNIN.test(c.recipient));
  if (confirmation === undefined) throw samlErrors.recipient();
  if (confirmation.notOnOrAfter === undefined) throw samlErrors.noExpiry();
  const recipient = confirmation.recipient!;

  const roles = assertion.attributes.get(ROLE_ATTRIBUTE) ?? [];
  if (!roles.some((v) => namesPair(v, input.RoleArn, input.PrincipalArn))) throw samlErrors.notAuthorized();
  const sessionName = assertion.attributes.get(SESSION_NAME_ATTRIBUTE)?.[0];
  if (sessionName === undefined) throw samlErrors.sessionNameMissing();
  if (!SESSION_NAME.test(sessionName)) throw samlErrors.sessionNameInvalid();
  const sourceIdentity = assertion.attributes.get(SOURCE_IDENTITY_ATTRIBUTE)?.[0];
  if (sourceIdentity !== undefined && (!SESSION_NAME.test(sourceIdentity) || /^aws:/i.test(sourceIdentity))) throw samlErrors.sourceIdentityInvalid();

  // The session's length: DurationSeconds when asked (an error over the role's maximum), else the
  // SessionDuration attribute (capped at the role's maximum), else an hour; never past the
  // assertion's SessionNotOnOrAfter (AWS's AssumeRoleWithSAML reference).
  const durationAttribute = assertion.attributes.get(SESSION_DURATION_ATTRIBUTE)?.[0];
  let attributeSeconds: number | undefined;
  if (durationAttribute !== undefined) {
    attributeSeconds = /^\d{1,6}$/.test(durationAttribute) ? Number(durationAttribute) : NaN;
    if (!(attributeSeconds >= 900 && attributeSeconds <= 43_200)) throw samlErrors.sessionDuration();
  }
  const { tags, transitiveTagKeys } = tagsOf(assertion);

  const issuer = assertion.issuer;
  const qualifier = nameQualifier(issuer, domain.accountId, providerName);
  const subType = assertion.nameIdFormat === undefined ? undefined : (SUB_TYPES[assertion.nameIdFormat] ?? assertion.nameIdFormat);
  const claimKeys: Record<string, string | string[] | undefined> = {
    'saml:aud': recipient,
    'saml:iss': issuer,
    'saml:sub': assertion.nameId,
    'saml:sub_type': subType,
    'saml:namequalifier': qualifier,
    'saml:doc': `${domain.accountId}/${providerName}`,
  };
  for (const [name, values] of assertion.attributes) {
    for (const key of ATTRIBUTE_KEYS[name] ?? []) claimKeys[key] = values.length === 1 ? values[0] : values;
  }

  const policyArns = (input.PolicyArns ?? []).map((p) => p.arn ?? '');
  const { credentials, role, packedPolicySize } = await issueFederatedSession(
    domain,
    {
      roleArn: input.RoleArn,
      sessionName,
      providerArn: input.PrincipalArn,
      action: 'sts:AssumeRoleWithSAML',
      claimKeys,
      tags,
      transitiveTagKeys,
      ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
      ...(input.Policy !== undefined ? { policy: input.Policy } : {}),
      policyArns,
      durationSeconds: input.DurationSeconds ?? attributeSeconds ?? DEFAULT_DURATION_SECONDS,
      durationAsked: input.DurationSeconds !== undefined,
      ...(assertion.sessionNotOnOrAfter ? { notAfter: assertion.sessionNotOnOrAfter } : {}),
    },
    facts,
    samlErrors.notAuthorized,
  );
  return {
    Credentials: credentials,
    AssumedRoleUser: { AssumedRoleId: `${role.id}:${sessionName}`, Arn: assumedRoleArn(domain.accountId, role.name, sessionName) },
    ...(packedPolicySize !== undefined ? { PackedPolicySize: packedPolicySize } : {}),
    ...(assertion.nameId !== undefined ? { Subject: assertion.nameId } : {}),
    ...(subType !== undefined ? { SubjectType: subType } : {}),
    Issuer: issuer,
    Audience: recipient,
    NameQualifier: qualifier,
    ...(sourceIdentity !== undefined ? { SourceIdentity: sourceIdentity } : {}),
  };
}
