import {
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  payloadHash,
  stringToSign,
  UNSIGNED_PAYLOAD,
} from './canonical-request.js';
import {
  incompleteSignature,
  invalidClientTokenId,
  MESSAGES,
  messages,
  signatureDoesNotMatch,
  type SigV4Failure,
} from './failures.js';
import { parseCredential, parseSignature } from './parse.js';
import { signatureHex, signingKey } from './signing-key.js';
import { formatAmzDate, parseAmzDate, parseHttpDate, windowText } from './timestamps.js';

export type { SigV4Failure } from './failures.js';
export { signRequest, type SignableRequest, type SignedRequest, type SigningCredentials, type SignOptions } from './sign.js';

/**
 * Verifies an incoming AWS Signature Version 4 request (header or presigned form), checking in
 * the order AWS does, so that each kind of fault gets AWS's code and message:
 *   the signature's presence and shape → host signed → the date's format → the clock window →
 *   the credential scope → session token → the access key → the signature itself.
 */

export interface IncomingSignedRequest {
  method: string; // 'GET' | 'POST' ...
  rawPath: string; // path as received, e.g. '/', without the query
  rawQuery: string; // query string as received, without '?', may be ''
  /**
   * node's IncomingMessage headers (lower-case names). Pass `req.headersDistinct` rather than
   * `req.headers` where a header may be sent more than once: node joins repeats with ', ', SigV4
   * with ','.
   */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer; // the whole request body (may be empty)
}

export interface VerifyOptions {
  now: Date; // server clock
  services: readonly string[]; // accepted scope services, e.g. ['iam'] or ['iam','sts']
  /**
   * The secret to verify with: of a long-term key, or of temporary credentials, whose session
   * token comes along (X-Amz-Security-Token). undefined = unknown or inactive key, or a token
   * missing, invalid or not this key's.
   */
  lookupSecret(accessKeyId: string, securityToken: string | undefined): Promise<string | undefined>;
}

export type SigV4Success = { ok: true; accessKeyId: string; region: string; service: string; signedAt: Date; securityToken?: string };

/**
 * How far a request's time (X-Amz-Date, or Date) may be from the server's, either way: 15 minutes,
 * for the header form and the presigned (query) form alike. AWS honours X-Amz-Expires only in S3;
 * IAM, STS and every other service keep this fixed window whatever X-Amz-Expires says. The AWS SDK
 * for Go's Request.Presign (aws/aws-sdk-go, aws/request/request.go): "The expire parameter is only
 * used for presigned Amazon S3 API requests. All other AWS services will use a fixed expiration
 * time of 15 minutes." (PR aws/aws-sdk-go#2224, answering issue #2167 "STS does not respect
 * x-amz-expires in presigned requests"; kubernetes-sigs/aws-iam-authenticator#160 likewise: "STS
 * presigned urls expire after 15 minutes, and are not configurable"). So a URL presigned for a
 * week is not a week-long credential here either, and one presigned for 60 s still works for 15 min.
 */
export const CLOCK_SKEW_SECONDS = 15 * 60;

/** A region as clients name them; any is accepted, as clients sign with their configured one. */
const REGION = /^[A-Za-z0-9_-]{1,64}$/;

/** The clock window, the same for both forms (see CLOCK_SKEW_SECONDS): X-Amz-Expires plays no part. */
function checkClock(signedAt: Date, now: Date): SigV4Failure | undefined {
  const t = signedAt.getTime();
  const nowMs = now.getTime();
  const skewMs = CLOCK_SKEW_SECONDS * 1000;
  if (t < nowMs - skewMs) {
    return signatureDoesNotMatch(
      messages.expired(formatAmzDate(signedAt), formatAmzDate(new Date(nowMs - skewMs)), formatAmzDate(now), windowText(CLOCK_SKEW_SECONDS)),
    );
  }
  if (t > nowMs + skewMs) {
    return signatureDoesNotMatch(
      messages.notYetCurrent(formatAmzDate(signedAt), formatAmzDate(new Date(nowMs + skewMs)), formatAmzDate(now), windowText(CLOCK_SKEW_SECONDS)),
    );
  }
  return undefined;
}

/**
 * Whether the provided signature is the expected one, in time that does not depend on where they
 * differ: every character is compared, the differences OR-ed together. (crypto.timingSafeEqual
 * would need both as Buffers first: three native calls a request for 64 characters.) Only the
 * length may end it early, and a signature's length is no secret: 64 hex digits.
 */
function sameSignature(expected: string, provided: string): boolean {
  if (provided.length !== expected.length) return false;
  let difference = 0;
  for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ provided.charCodeAt(i);
  return difference === 0;
}

export async function verifySigV4(req: IncomingSignedRequest, opts: VerifyOptions): Promise<SigV4Success | SigV4Failure> {
  const parsed = parseSignature(req.headers, req.rawQuery);
  if (!parsed.ok) return parsed;
  const auth = parsed.value;

  if (!auth.signedHeaders.includes('host')) return signatureDoesNotMatch(MESSAGES.hostNotSigned);
  const headerBlock = canonicalHeaders(req.headers, auth.signedHeaders);
  if ('missing' in headerBlock) return incompleteSignature(messages.signedHeaderAbsent(headerBlock.missing));

  // X-Amz-Date must be ISO 8601 basic; a Date header may also be an HTTP date.
  const amzSignedAt = parseAmzDate(auth.timestamp);
  const signedAt = amzSignedAt ?? (auth.timestampFrom === 'Date' ? parseHttpDate(auth.timestamp) : undefined);
  if (signedAt === undefined) return incompleteSignature(messages.badDate(auth.timestamp));
  // A timestamp that parsed as one is already in this form (the pattern admits nothing else).
  const amzDate = amzSignedAt ? auth.timestamp : formatAmzDate(signedAt);

  const clock = checkClock(signedAt, opts.now);
  if (clock) return clock;

  const scope = parseCredential(auth.credential);
  if (scope === undefined) return incompleteSignature(messages.credentialShape(auth.credential));
  let complaints = '';
  if (!REGION.test(scope.region)) complaints += messages.badRegion(scope.region);
  if (!opts.services.includes(scope.service)) complaints += messages.badService(opts.services[0] ?? '');
  if (scope.terminator !== 'aws4_request') complaints += messages.badTerminator(scope.terminator);
  if (scope.date !== amzDate.slice(0, 8)) complaints += messages.badScopeDate(scope.date, amzDate.slice(0, 8), amzDate);
  if (complaints !== '') return signatureDoesNotMatch(complaints);

  const secret = await opts.lookupSecret(scope.accessKeyId, auth.securityToken);
  // AWS's sentence for a bad session token has no full stop; for a bad key id it has one.
  if (secret === undefined) return auth.securityToken !== undefined ? invalidClientTokenId(MESSAGES.invalidSessionToken) : invalidClientTokenId();

  // The payload hash: the one the client declared (X-Amz-Content-Sha256), which it signed with,
  // provided it is the body's; UNSIGNED-PAYLOAD only for an empty body, so no body goes unsigned.
  const bodyHash = payloadHash(req.body);
  let hash = bodyHash;
  if (auth.contentSha256 !== undefined) {
    const declared = auth.contentSha256;
    const honest = declared.toLowerCase() === bodyHash || (declared === UNSIGNED_PAYLOAD && req.body.length === 0);
    if (!honest) return signatureDoesNotMatch();
    hash = declared;
  }

  const canonical = canonicalRequest({
    method: req.method,
    canonicalUri: canonicalUri(req.rawPath),
    canonicalQuery: canonicalQueryString(req.rawQuery, auth.form === 'query' ? 'X-Amz-Signature' : undefined),
    canonicalHeaders: headerBlock.text,
    signedHeaders: auth.signedHeadersText,
    payloadHash: hash,
  });
  const toSign = stringToSign(amzDate, credentialScope(scope.date, scope.region, scope.service), canonical);
  const expected = signatureHex(signingKey(secret, scope.date, scope.region, scope.service), toSign);
  if (!sameSignature(expected, auth.signature)) return signatureDoesNotMatch();

  return { ok: true, accessKeyId: scope.accessKeyId, region: scope.region, service: scope.service, signedAt, securityToken: auth.securityToken };
}
