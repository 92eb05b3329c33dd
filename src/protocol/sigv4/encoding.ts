/**
 * URI encoding as SigV4 wants it (RFC 3986): the unreserved characters A-Z a-z 0-9 - . _ ~ stay,
 * every other byte of the UTF-8 form becomes %XY with upper-case hex. Not encodeURIComponent,
 * which leaves ! ' ( ) * alone.
 */

const HEX = '0123456789ABCDEF';

function isUnreservedByte(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    (b >= 0x30 && b <= 0x39) || // 0-9
    b === 0x2d || // -
    b === 0x2e || // .
    b === 0x5f || // _
    b === 0x7e // ~
  );
}

/** Each byte's encoded form, computed once. */
const ENCODED_BYTE: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  isUnreservedByte(b) ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`,
);

const ONLY_UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
const ONLY_UNRESERVED_OR_SLASH = /^[A-Za-z0-9\-._~/]*$/;

/** Encodes bytes; with keepSlash, '/' stays as it is (for paths). */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash = false): string {
  let out = '';
  for (const b of bytes) out += keepSlash && b === 0x2f ? '/' : ENCODED_BYTE[b]!;
  return out;
}

/** Encodes the UTF-8 bytes of a string; with keepSlash, '/' stays as it is (for paths). */
export function uriEncode(value: string, keepSlash = false): string {
  if ((keepSlash ? ONLY_UNRESERVED_OR_SLASH : ONLY_UNRESERVED).test(value)) return value;
  return uriEncodeBytes(Buffer.from(value, 'utf8'), keepSlash);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * The bytes a percent-encoded string stands for. Lenient: a '%' not followed by two hex digits is
 * a literal '%'. '+' is a literal '+' (RFC 3986 gives it no meaning; SigV4 clients send %20 for a
 * space). Characters that arrive unencoded count as their UTF-8 bytes.
 */
export function percentDecodeToBytes(raw: string): Buffer {
  const src = Buffer.from(raw, 'utf8');
  if (!src.includes(0x25)) return src;
  const out = Buffer.allocUnsafe(src.length);
  let j = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === 0x25 && i + 2 < src.length) {
      const hi = hexValue(src[i + 1]!);
      const lo = hexValue(src[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[j++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[j++] = c;
  }
  return out.subarray(0, j);
}

/** Decodes a percent-encoded string to text (UTF-8). */
export function percentDecode(raw: string): string {
  return percentDecodeToBytes(raw).toString('utf8');
}

/**
 * A query-string component as received, in its one canonical encoding: decoded to bytes, then
 * encoded again. So `%7e`, `~` and `%7E` all become `~`, and `*` becomes `%2A`.
 */
export function normalizeEncoded(raw: string): string {
  if (ONLY_UNRESERVED.test(raw)) return raw;
  return uriEncodeBytes(percentDecodeToBytes(raw));
}
