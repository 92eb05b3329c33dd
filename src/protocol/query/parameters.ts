import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { IamError } from '../../domain/errors.js';
import { queryParameters } from '../sigv4/parse.js';

export interface ParameterSource {
  method: string;
  rawQuery: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** How much of a form body is decoded between two turns of the event loop. */
const SLICE_CHARS = 64 * 1024;
const PERCENT = 0x25;

/**
 * The Query protocol's parameters: the query string, plus a form-encoded body on POST. The body
 * wins where both name a member; within each, the first value of a repeated name counts. The
 * query string is decoded exactly as SigV4 reads it ('+' is a plus), so the parameters acted on
 * are the ones that were signed; the body is form-encoded ('+' is a space) and signed as bytes.
 *
 * The body is decoded as the URL standard's urlencoded parser (URLSearchParams's) decodes it, in
 * one pass, giving the event loop back every 64 KiB: other requests are served while a 1 MiB body
 * is read. (node's own URLSearchParams strays from the standard where a raw non-ASCII character
 * follows an escape, or an escape leaves a UTF-8 sequence unfinished: test/fuzz-properties.test.ts.)
 */
export async function readParameters(req: ParameterSource): Promise<Map<string, string>> {
  const params = queryParameters(req.rawQuery);
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  if (req.method !== 'POST' || req.body.length === 0) return params;
  if (!contentType.startsWith('application/x-www-form-urlencoded')) {
    throw new IamError('MalformedQueryString', 'The request body must be application/x-www-form-urlencoded.');
  }
  const fromBody = new Map<string, string>();
  const text = req.body.toString('utf8');
  // URLSearchParams drops one leading '?' of its input.
  let start = text.startsWith('?') ? 1 : 0;
  let nextEquals = text.indexOf('=', start); // kept, so a body of '&'s without '=' is still one pass
  let sliceEnd = start + SLICE_CHARS;
  while (start < text.length) {
    let amp = text.indexOf('&', start);
    if (amp < 0) amp = text.length;
    if (amp > start) {
      if (nextEquals >= 0 && nextEquals < start) nextEquals = text.indexOf('=', start);
      const eq = nextEquals >= 0 && nextEquals < amp ? nextEquals : amp;
      const name = decode(text.slice(start, eq));
      if (!fromBody.has(name)) fromBody.set(name, eq < amp ? decode(text.slice(eq + 1, amp)) : '');
    }
    start = amp + 1;
    if (start >= sliceEnd && start < text.length) {
      await yieldToEventLoop();
      sliceEnd = start + SLICE_CHARS;
    }
  }
  // The body wins where both name a parameter.
  for (const [name, value] of params) if (!fromBody.has(name)) fromBody.set(name, value);
  return fromBody;
}

/**
 * One name or value, as the URL standard decodes it: '+' is a space, and %XX a byte of the text's
 * UTF-8 (an invalid sequence becomes U+FFFD).
 */
function decode(raw: string): string {
  const plus = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!plus.includes('%')) return plus;
  const bytes = Buffer.from(plus, 'utf8');
  let out = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === PERCENT && i + 2 < bytes.length && isHex(bytes[i + 1]!) && isHex(bytes[i + 2]!)) {
      bytes[out++] = (hexValue(bytes[i + 1]!) << 4) | hexValue(bytes[i + 2]!);
      i += 2;
    } else {
      bytes[out++] = b;
    }
  }
  return bytes.toString('utf8', 0, out);
}

const isHex = (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66);
const hexValue = (b: number) => (b <= 0x39 ? b - 0x30 : (b | 0x20) - 0x61 + 10);
