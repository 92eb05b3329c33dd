import { ALGORITHM, sortSignedHeaders, type HeaderBag } from './canonical-request.js';
import { percentDecode } from './encoding.js';
import { BoundedMap } from '../../domain/bounded-map.js';
import {
  incompleteSignature,
  MESSAGES,
  messages,
  missingAuthenticationToken,
  signatureDoesNotMatch,
  type SigV4Failure,
} from './failures.js';

/**
 * Finds the signature in a request and takes it apart, without judging it: either the header form
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/iam/aws4_request,
 *                  SignedHeaders=content-type;host;x-amz-date, Signature=<hex>
 *   X-Amz-Date: 20150830T123600Z   (or a Date header)
 *
 * or the presigned (query) form, X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
 * X-Amz-SignedHeaders, X-Amz-Signature and X-Amz-Security-Token as query parameters.
 * A malformed one is IncompleteSignature, with AWS's messages; none at all is MissingAuthenticationToken.
 */

export const MAX_PRESIGNED_EXPIRES = 604_800;

export interface ParsedSignature {
  form: 'header' | 'query';
  /** "AKID/20150830/us-east-1/iam/aws4_request" as sent (decoded, in the query form). */
  credential: string;
  /** Lower-case, sorted, without repeats. Shared between requests that sent the same list: never changed. */
  signedHeaders: readonly string[];
  /** The same names joined with ';', as the canonical request has them (made once with the list). */
  signedHeadersText: string;
  signature: string;
  /** The request time as sent, and where it was found. */
  timestamp: string;
  timestampFrom: 'X-Amz-Date' | 'Date';
  /** X-Amz-Security-Token (query) or x-amz-security-token (header), when sent. */
  securityToken?: string;
  /** X-Amz-Content-Sha256 (query) or x-amz-content-sha256 (header), when sent. */
  contentSha256?: string;
}

export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

export type ParseResult = { ok: true; value: ParsedSignature } | SigV4Failure;

/** The first value of a header (node gives repeated headers as arrays in headersDistinct). */
export function firstHeader(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : value?.[0];
}

/** Query parameters decoded; where a name repeats, the first value counts (as AWS does). */
export function queryParameters(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  if (rawQuery === '') return params;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode(eq < 0 ? part : part.slice(0, eq));
    if (!params.has(name)) params.set(name, eq < 0 ? '' : percentDecode(part.slice(eq + 1)));
  }
  return params;
}

/**
 * A client sends the same credential all day, and the same SignedHeaders on every request: each is
 * taken apart once and kept by the text sent. Both are read before the signature is checked, so
 * anyone can fill these maps: they are bounded in entries (oldest out when full) and keep only
 * texts of a real client's length, so their memory stays small whatever is sent.
 */
export const SCOPES_KEPT = 256;
const SORTED_LISTS_KEPT = 64;
const LONGEST_KEPT = 256;
const scopes = new BoundedMap<string, Readonly<CredentialScope>>(SCOPES_KEPT);
const sortedLists = new BoundedMap<string, SignedHeaderList>(SORTED_LISTS_KEPT);

function keep<T>(map: BoundedMap<string, T>, text: string, value: T): void {
  if (text.length <= LONGEST_KEPT) map.set(text, value);
}

/** AKID/date/region/service/terminator, or undefined when it is not five '/'-separated parts. */
export function parseCredential(credential: string): Readonly<CredentialScope> | undefined {
  let scope = scopes.get(credential);
  if (scope !== undefined) return scope;
  const parts = credential.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  scope = Object.freeze({ accessKeyId, date, region, service, terminator });
  keep(scopes, credential, scope);
  return scope;
}

interface SignedHeaderList {
  signedHeaders: readonly string[];
  signedHeadersText: string;
}

function signedHeaderList(value: string): SignedHeaderList {
  let list = sortedLists.get(value);
  if (list === undefined) {
    // Shared by every request that sends this text: read-only by its type, not frozen, since V8
    // reads a frozen array on generic paths (a join cost 2,000 instructions a request more, of
    // 174k; bench/request-instructions.ts). The text is joined once here, not per request.
    const names = sortSignedHeaders(value.split(';').filter((name) => name !== ''));
    list = { signedHeaders: names, signedHeadersText: names.join(';') };
    keep(sortedLists, value, list);
  }
  return list;
}

/**
 * The form every SDK sends: the three parameters once each, in this order, comma-separated. Read
 * with one match; anything else (another order, repeats, odd spacing, a fault) takes the general
 * reading below, which gives the same answer where both apply.
 */
const USUAL_FORM = /^AWS4-HMAC-SHA256 Credential=([^\s,=]+), ?SignedHeaders=([^\s,=]+), ?Signature=([^\s,=]+)$/;

/** The parameters of an Authorization header: AWS splits them at commas and at white space; where one repeats, the last counts. */
function authorizationParameters(value: string): { credential?: string; signedHeaders?: string; signature?: string } | SigV4Failure {
  const usual = USUAL_FORM.exec(value);
  if (usual !== null) return { credential: usual[1], signedHeaders: usual[2], signature: usual[3] };
  const params = new Map<string, string>();
  for (const token of value.slice(ALGORITHM.length).split(/[\s,]+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq < 0) return incompleteSignature(messages.notKeyValue(token, value));
    params.set(token.slice(0, eq), token.slice(eq + 1));
  }
  return { credential: params.get('Credential'), signedHeaders: params.get('SignedHeaders'), signature: params.get('Signature') };
}

function fromAuthorizationHeader(header: string, headers: HeaderBag): ParseResult {
  const value = header.trim();
  const space = value.search(/\s/);
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) return incompleteSignature(messages.unsupportedAlgorithm(algorithm));

  const params = authorizationParameters(value);
  if ('ok' in params) return params;
  const { credential, signature, signedHeaders } = params;
  const amzDate = firstHeader(headers, 'x-amz-date');
  const date = amzDate === undefined ? firstHeader(headers, 'date') : undefined;
  const missing: string[] = [];
  if (credential === undefined) missing.push(MESSAGES.headerRequiresCredential);
  if (signature === undefined) missing.push(MESSAGES.headerRequiresSignature);
  if (signedHeaders === undefined) missing.push(MESSAGES.headerRequiresSignedHeaders);
  if (amzDate === undefined && date === undefined) missing.push(MESSAGES.headerRequiresDate);
  if (credential === undefined || signature === undefined || signedHeaders === undefined || (amzDate ?? date) === undefined) {
    return incompleteSignature(`${missing.join(' ')} Authorization=${value}`);
  }

  const list = signedHeaderList(signedHeaders);
  const parsed: ParsedSignature = {
    form: 'header',
    credential,
    signedHeaders: list.signedHeaders,
    signedHeadersText: list.signedHeadersText,
    signature,
    timestamp: (amzDate ?? date)!,
    timestampFrom: amzDate !== undefined ? 'X-Amz-Date' : 'Date',
  };
  const token = firstHeader(headers, 'x-amz-security-token');
  if (token !== undefined) parsed.securityToken = token;
  const contentSha256 = firstHeader(headers, 'x-amz-content-sha256');
  if (contentSha256 !== undefined) parsed.contentSha256 = contentSha256.trim();
  return { ok: true, value: parsed };
}

function fromQuery(params: Map<string, string>): ParseResult {
  const algorithm = params.get('X-Amz-Algorithm');
  // AWS: a presigned request in another algorithm is not a SigV4 request at all.
  if (algorithm !== undefined && algorithm !== ALGORITHM) return missingAuthenticationToken();

  const credential = params.get('X-Amz-Credential');
  const signature = params.get('X-Amz-Signature');
  const signedHeaders = params.get('X-Amz-SignedHeaders');
  const amzDate = params.get('X-Amz-Date');
  const missing: string[] = [];
  if (algorithm === undefined) missing.push(messages.queryMustInclude('X-Amz-Algorithm'));
  if (credential === undefined) missing.push(messages.queryMustInclude('X-Amz-Credential'));
  if (signature === undefined) missing.push(messages.queryMustInclude('X-Amz-Signature'));
  if (signedHeaders === undefined) missing.push(messages.queryMustInclude('X-Amz-SignedHeaders'));
  if (amzDate === undefined) missing.push(messages.queryMustInclude('X-Amz-Date'));
  if (algorithm === undefined || credential === undefined || signature === undefined || signedHeaders === undefined || amzDate === undefined) {
    return incompleteSignature(`${missing.join(' ')} ${MESSAGES.reexamineQuery}`);
  }

  const list = signedHeaderList(signedHeaders);
  const parsed: ParsedSignature = {
    form: 'query',
    credential,
    signedHeaders: list.signedHeaders,
    signedHeadersText: list.signedHeadersText,
    signature,
    timestamp: amzDate,
    timestampFrom: 'X-Amz-Date',
  };
  // X-Amz-Expires sets no lifetime here: IAM and STS, as every AWS service but S3, hold a presigned
  // request to the 15-minute window of the header form (verify.ts, CLOCK_SKEW_SECONDS). It is still
  // signed like any parameter. What AWS's non-S3 services answer to a malformed or over-a-week value
  // is not established (no published response found), so S3's refusals are kept for those. Values
  // from 0 up are accepted: STS takes X-Amz-Expires=0, which aws-iam-authenticator's EKS tokens
  // carried for years (kubernetes-sigs/aws-iam-authenticator#753: "This value is ignored by STS").
  const expires = params.get('X-Amz-Expires');
  if (expires !== undefined) {
    if (!/^\d{1,10}$/.test(expires)) return incompleteSignature(messages.expiresNotNumber());
    if (Number(expires) > MAX_PRESIGNED_EXPIRES) return incompleteSignature(messages.expiresTooLong());
  }
  const token = params.get('X-Amz-Security-Token');
  if (token !== undefined) parsed.securityToken = token;
  const contentSha256 = params.get('X-Amz-Content-Sha256');
  if (contentSha256 !== undefined) parsed.contentSha256 = contentSha256;
  return { ok: true, value: parsed };
}

/** The request's signature, taken apart; or why there is none that can be checked. */
export function parseSignature(headers: HeaderBag, rawQuery: string): ParseResult {
  const authorization = firstHeader(headers, 'authorization');
  const query = rawQuery.includes('X-Amz-') ? queryParameters(rawQuery) : undefined;
  const presigned =
    query !== undefined && (query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential') || query.has('X-Amz-Signature'));
  // Both forms at once: AWS refuses, without saying more.
  if (authorization !== undefined && presigned) return signatureDoesNotMatch();
  if (authorization !== undefined) return fromAuthorizationHeader(authorization, headers);
  if (presigned) return fromQuery(query);
  return missingAuthenticationToken();
}
