import {
  ALGORITHM,
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  payloadHash,
  sortSignedHeaders,
  stringToSign,
} from './canonical-request.js';
import { uriEncode } from './encoding.js';
import { firstHeader, MAX_PRESIGNED_EXPIRES, queryParameters } from './parse.js';
import { signatureHex, signingKey } from './signing-key.js';
import { formatAmzDate } from './timestamps.js';
import type { IncomingSignedRequest } from './verify.js';

/**
 * A small SigV4 signer, header form or presigned, for the project's own tests, clients and
 * benchmarks. It shares every canonicalisation step with the verifier. Its output is an
 * IncomingSignedRequest, so it can be handed straight to verifySigV4 or put on the wire.
 */

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignableRequest {
  method: string;
  /** The path as it will be sent (percent-encoded already where needed). Default '/'. */
  path?: string;
  /** The query as it will be sent (without '?'), or parameters to encode, in that order. */
  query?: string | Readonly<Record<string, string | readonly string[]>>;
  /** Must include host. Names in any case; they are lower-cased. Every header is signed except hop-by-hop ones and user-agent. */
  headers: Readonly<Record<string, string | readonly string[]>>;
  body?: string | Uint8Array;
}

export interface SignOptions {
  credentials: SigningCredentials;
  region: string;
  service: string;
  /** The signing time. Default: now. */
  date?: Date;
  /**
   * Presign: put the signature in the query, with this as X-Amz-Expires (0 to 604800). Only S3
   * honours it: IAM, STS and iamd take a presigned request for 15 minutes either side of its date.
   */
  expiresIn?: number;
  /** Header form: add a signed x-amz-content-sha256 header, as the AWS SDK for JavaScript v3 does. */
  contentSha256Header?: boolean;
}

export interface SignedRequest extends IncomingSignedRequest {
  headers: Record<string, string | string[]>;
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
}

/** Headers that proxies may change or add, which no AWS signer signs. */
const UNSIGNABLE = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

/** name=value pairs, SigV4-encoded (space as %20), joined with '&'. */
export function encodeQuery(params: Readonly<Record<string, string | readonly string[]>> | ReadonlyArray<readonly [string, string]>): string {
  const pairs: Array<readonly [string, string]> = [];
  if (Array.isArray(params)) pairs.push(...(params as ReadonlyArray<readonly [string, string]>));
  else {
    for (const [name, value] of Object.entries(params as Record<string, string | readonly string[]>)) {
      for (const v of typeof value === 'string' ? [value] : value) pairs.push([name, v]);
    }
  }
  return pairs.map(([name, value]) => `${uriEncode(name)}=${uriEncode(value)}`).join('&');
}

export function signRequest(request: SignableRequest, options: SignOptions): SignedRequest {
  const { credentials, region, service } = options;
  const amzDate = formatAmzDate(options.date ?? new Date());
  const shortDate = amzDate.slice(0, 8);
  const scope = credentialScope(shortDate, region, service);
  const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : Buffer.from(request.body ?? new Uint8Array());
  const rawPath = request.path ?? '/';
  let rawQuery = typeof request.query === 'string' ? request.query : encodeQuery(request.query ?? {});

  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    headers[name.toLowerCase()] = typeof value === 'string' ? value : [...value];
  }
  if (headers.host === undefined) throw new Error('signRequest: the request needs a host header');
  delete headers.authorization;

  const presign = options.expiresIn !== undefined;
  if (presign) {
    const expiresIn = options.expiresIn!;
    if (!Number.isInteger(expiresIn) || expiresIn < 0 || expiresIn > MAX_PRESIGNED_EXPIRES) {
      throw new Error(`signRequest: expiresIn must be a whole number of seconds from 0 to ${MAX_PRESIGNED_EXPIRES}`);
    }
  } else {
    headers['x-amz-date'] = amzDate;
    if (credentials.sessionToken !== undefined) headers['x-amz-security-token'] = credentials.sessionToken;
    if (options.contentSha256Header && headers['x-amz-content-sha256'] === undefined) headers['x-amz-content-sha256'] = payloadHash(body);
  }
  const signedHeaders = sortSignedHeaders(Object.keys(headers).filter((n) => !UNSIGNABLE.has(n) && !n.startsWith('proxy-')));
  const signedHeadersText = signedHeaders.join(';');

  if (presign) {
    const auth: Array<[string, string]> = [
      ['X-Amz-Algorithm', ALGORITHM],
      ['X-Amz-Credential', `${credentials.accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(options.expiresIn)],
      ['X-Amz-SignedHeaders', signedHeadersText],
    ];
    if (credentials.sessionToken !== undefined) auth.push(['X-Amz-Security-Token', credentials.sessionToken]);
    rawQuery = rawQuery === '' ? encodeQuery(auth) : `${rawQuery}&${encodeQuery(auth)}`;
  }

  const block = canonicalHeaders(headers, signedHeaders);
  if ('missing' in block) throw new Error(`signRequest: no value for header ${block.missing}`);
  const canonical = canonicalRequest({
    method: request.method,
    canonicalUri: canonicalUri(rawPath),
    canonicalQuery: canonicalQueryString(rawQuery, presign ? 'X-Amz-Signature' : undefined),
    canonicalHeaders: block.text,
    signedHeaders: signedHeadersText,
    // As the verifier reads it: a given X-Amz-Content-Sha256 (query when presigning, header otherwise), else the body's hash.
    payloadHash: (presign ? queryParameters(rawQuery).get('X-Amz-Content-Sha256') : firstHeader(headers, 'x-amz-content-sha256')) ?? payloadHash(body),
  });
  const toSign = stringToSign(amzDate, scope, canonical);
  const signature = signatureHex(signingKey(credentials.secretAccessKey, shortDate, region, service), toSign);

  if (presign) rawQuery += `&X-Amz-Signature=${signature}`;
  else {
    headers.authorization = `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeadersText}, Signature=${signature}`;
  }
  return { method: request.method, rawPath, rawQuery, headers, body, signature, canonicalRequest: canonical, stringToSign: toSign };
}
