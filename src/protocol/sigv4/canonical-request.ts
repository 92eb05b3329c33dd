import { hash } from 'node:crypto';
import { normalizeEncoded, uriEncode } from './encoding.js';

/**
 * The SigV4 canonical request, built from a request as it was received (the server side) or as it
 * will be sent (the signer): both sides use these functions, so they cannot drift apart.
 *
 *   Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n PayloadHash
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Header names are lower-case, as node's IncomingMessage gives them. */
export type HeaderBag = Readonly<Record<string, string | readonly string[] | undefined>>;

export function sha256Hex(data: string | Uint8Array): string {
  // The one-shot form: no Hash object per call (two hashes a request).
  return hash('sha256', data, 'hex');
}

export function payloadHash(body: Uint8Array): string {
  return body.length === 0 ? EMPTY_SHA256 : sha256Hex(body);
}

/**
 * The canonical URI of a path as it is on the wire (already percent-encoded by the client), for
 * services other than S3: '.' and '..' segments are resolved, empty segments ('//') dropped, and
 * each segment is URI-encoded once more (so a '%20' that was sent becomes '%2520', which is what
 * the SDKs sign: they encode the path twice). A trailing '/' stays when anything is left.
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '/' || rawPath === '') return '/';
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  if (segments.length === 0) return '/';
  const trailing = rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map((s) => uriEncode(s)).join('/')}${trailing}`;
}

/**
 * The canonical query string of a raw query (without '?'): every parameter, names and values
 * re-encoded in the one canonical form, sorted by name and then by value, joined with '&'. A
 * parameter without '=' has the empty value. `omit` drops a parameter by name (the presigned
 * form leaves X-Amz-Signature out).
 */
export function canonicalQueryString(rawQuery: string, omit?: string): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = normalizeEncoded(eq < 0 ? part : part.slice(0, eq));
    if (name === omit) continue;
    pairs.push([name, eq < 0 ? '' : normalizeEncoded(part.slice(eq + 1))]);
  }
  if (pairs.length > 1) {
    // Encoded text is ASCII, so comparing UTF-16 code units is comparing bytes.
    pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  }
  let out = '';
  for (const [name, value] of pairs) out += `${out === '' ? '' : '&'}${name}=${value}`;
  return out;
}

const NEEDS_TRIM = /^\s|\s$|\s{2}|[\t\r\n]/;

/** Trimmed, with each run of white space (spaces, tabs, line breaks) made one space. */
function trimAll(value: string): string {
  return NEEDS_TRIM.test(value) ? value.replace(/[ \t\r\n]+/g, ' ').replace(/^ | $/g, '') : value;
}

/**
 * A header's canonical value: trimmed, each run of white space made one space, and the values of
 * a header sent several times joined with ',' in the order received. A value folded over several
 * lines is one value whose line breaks are white space: what botocore, the AWS SDK for JavaScript
 * and the AWS CRT signer do (the CRT's copy of the test suite was corrected to this in 2020; the
 * 2015 suite had commas there).
 */
export function canonicalHeaderValue(value: string | readonly string[]): string {
  if (typeof value === 'string') return trimAll(value);
  let out = '';
  for (let i = 0; i < value.length; i++) out += i === 0 ? trimAll(value[i]!) : `,${trimAll(value[i]!)}`;
  return out;
}

/** The signed header names in canonical order: lower-case, sorted, without repeats. */
export function sortSignedHeaders(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.toLowerCase()))].sort();
}

/**
 * The canonical headers block (each "name:value\n") for the given signed names, which must be in
 * canonical order (sortSignedHeaders). Returns the first name that the request lacks instead.
 */
export function canonicalHeaders(headers: HeaderBag, signedNames: readonly string[]): { text: string } | { missing: string } {
  let text = '';
  for (const name of signedNames) {
    const value = headers[name];
    if (value === undefined) return { missing: name };
    text += `${name}:${canonicalHeaderValue(value)}\n`;
  }
  return { text };
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  /** The canonical headers block, each header ending in '\n'. */
  canonicalHeaders: string;
  /** The SignedHeaders text: the lower-case names, sorted, joined with ';'. */
  signedHeaders: string;
  payloadHash: string;
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  return `${p.method}\n${p.canonicalUri}\n${p.canonicalQuery}\n${p.canonicalHeaders}\n${p.signedHeaders}\n${p.payloadHash}`;
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
