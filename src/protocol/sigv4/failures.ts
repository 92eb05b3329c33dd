/**
 * The ways verification fails, with AWS's codes, statuses and message texts: the texts are the ones
 * AWS's Query services send (seen in their error responses), so clients and people searching for
 * them find what they expect. The X-Amz-Expires texts are S3's, the one service documented to check it
 * (and the only one to honour it); what IAM and STS answer to a malformed X-Amz-Expires is not known.
 */

export type SigV4FailureCode = 'MissingAuthenticationToken' | 'IncompleteSignature' | 'InvalidClientTokenId' | 'SignatureDoesNotMatch';

export type SigV4Failure = { ok: false; code: SigV4FailureCode; status: 400 | 403; message: string };

export const MESSAGES = {
  missingToken: 'Request is missing Authentication Token',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  /** Unknown or inactive access key id. */
  invalidKey: 'The security token included in the request is invalid.',
  /** A session token this server did not issue (AWS leaves the period off this one). */
  invalidSessionToken: 'The security token included in the request is invalid',
  hostNotSigned: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
  headerRequiresCredential: "Authorization header requires 'Credential' parameter.",
  headerRequiresSignature: "Authorization header requires 'Signature' parameter.",
  headerRequiresSignedHeaders: "Authorization header requires 'SignedHeaders' parameter.",
  headerRequiresDate: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  reexamineQuery: 'Re-examine the query-string parameters.',
} as const;

export const messages = {
  unsupportedAlgorithm: (algorithm: string) => `Unsupported AWS 'algorithm': '${algorithm}'.`,
  notKeyValue: (parameter: string, header: string) =>
    `'${parameter}' not a valid key=value pair (missing equal-sign) in Authorization header: '${header}'`,
  queryMustInclude: (name: string) => `AWS query-string parameters must include '${name}'.`,
  expiresNotNumber: () => 'X-Amz-Expires should be a number',
  expiresTooLong: () =>
    'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
  signedHeaderAbsent: (name: string) => `'${name}' is named as a SignedHeader, but it does not exist in the HTTP request.`,
  badDate: (value: string) => `Date must be in ISO-8601 'basic format'. Got '${value}'. See http://en.wikipedia.org/wiki/ISO_8601`,
  expired: (signed: string, earliest: string, now: string, window: string) =>
    `Signature expired: ${signed} is now earlier than ${earliest} (${now} - ${window}.)`,
  notYetCurrent: (signed: string, latest: string, now: string, window: string) =>
    `Signature not yet current: ${signed} is still later than ${latest} (${now} + ${window}.)`,
  credentialShape: (credential: string) =>
    `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
  // The scope complaints are concatenated, each with a trailing space, as AWS sends them.
  badRegion: (region: string) => `Credential should be scoped to a valid region, not '${region}'. `,
  badService: (expected: string) => `Credential should be scoped to correct service: '${expected}'. `,
  badTerminator: (terminator: string) => `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'. `,
  badScopeDate: (scopeDate: string, expected: string, timestamp: string) =>
    `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scopeDate}' != '${expected}', from '${timestamp}'. `,
};

export function missingAuthenticationToken(): SigV4Failure {
  return { ok: false, code: 'MissingAuthenticationToken', status: 403, message: MESSAGES.missingToken };
}

export function incompleteSignature(message: string): SigV4Failure {
  return { ok: false, code: 'IncompleteSignature', status: 400, message };
}

export function signatureDoesNotMatch(message: string = MESSAGES.mismatch): SigV4Failure {
  return { ok: false, code: 'SignatureDoesNotMatch', status: 403, message };
}

export function invalidClientTokenId(message: string = MESSAGES.invalidKey): SigV4Failure {
  return { ok: false, code: 'InvalidClientTokenId', status: 403, message };
}
