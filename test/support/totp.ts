import { createHmac } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { Bitmap } from '@paulmillr/qr';
import { _tests as qrDecoding } from '@paulmillr/qr/decode.js';

/**
 * What an authenticator app does with a virtual MFA device's seed, written apart from iamd's own
 * src/domain/totp.ts so that the tests do not check iamd's arithmetic with itself: base32 (RFC
 * 4648) and HOTP's dynamic truncation (RFC 4226) over 30-second steps (RFC 6238).
 */
export function codeAt(seedBase32: string, step: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of seedBase32) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[19]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** The current 30-second step. */
export const stepNow = () => Math.floor(Date.now() / 30_000);

/**
 * Waits, when less than `marginMs` is left of the current 30-second step, for the next step to
 * begin: a test that enables a device and then uses the next code must not have the step change
 * in between (the device's measured drift would then be one step off, and "the next code" two).
 */
export async function awayFromStepEdge(marginMs = 5_000): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/** Two consecutive codes, as a user reads them off the app: the previous and the current (or shifted by `ahead` steps). */
export const twoCodes = (seed: string, ahead = 0) => {
  const step = stepNow() + ahead;
  return { AuthenticationCode1: codeAt(seed, step - 1), AuthenticationCode2: codeAt(seed, step) };
};

/** A code that is not the device's at any step near now. */
export function wrongCode(seed: string): string {
  const near = new Set(Array.from({ length: 41 }, (_, i) => codeAt(seed, stepNow() - 20 + i)));
  for (let n = 0; ; n++) {
    const code = String(n).padStart(6, '0');
    if (!near.has(code)) return code;
  }
}

/**
 * The text of a QR code in a PNG as iamd writes it (1 bit a pixel, palette or grey, no interlace).
 *
 * The PNG is an exact grid, so its modules are read off it and decoded as a module matrix. The
 * decoder's camera-image path (finding the finder patterns in a picture, decodeQR) threw on about
 * 1 in 200 of iamd's codes ("Cannot read properties of undefined" in its perspective transform),
 * codes whose module matrix decodes fine: a flake of the test's reader, not of the server's codes.
 */
export function readQrPng(png: Uint8Array): string {
  const buf = Buffer.from(png);
  if (!buf.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]))) throw new Error('not a PNG');
  let width = 0;
  let height = 0;
  let palette: Buffer | undefined;
  let depth = 0;
  const idat: Buffer[] = [];
  for (let at = 8; at < buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8]!;
    } else if (type === 'PLTE') palette = data;
    else if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  if (depth !== 1) throw new Error(`unexpected bit depth ${depth}`);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = Math.ceil(width / 8) + 1;
  for (let y = 0; y < height; y++) if (raw[y * stride] !== 0) throw new Error('unexpected PNG filter');
  const isDark = (x: number, y: number): boolean => {
    const bit = (raw[y * stride + 1 + (x >> 3)]! >> (7 - (x & 7))) & 1;
    return (palette ? palette[bit * 3]! : bit ? 255 : 0) < 128;
  };
  // The first dark pixel is the top-left corner of the top-left finder pattern, 7 modules wide;
  // the last dark pixel of that row is the right edge of the top-right one.
  let top = -1;
  let left = -1;
  for (let y = 0; y < height && top < 0; y++) {
    for (let x = 0; x < width; x++) {
      if (isDark(x, y)) {
        [top, left] = [y, x];
        break;
      }
    }
  }
  if (top < 0) throw new Error('no QR code in the PNG');
  let run = 0;
  while (left + run < width && isDark(left + run, top)) run++;
  let right = width - 1;
  while (!isDark(right, top)) right--;
  const moduleSize = run / 7;
  const modules = (right - left + 1) / moduleSize;
  if (!Number.isInteger(moduleSize) || !Number.isInteger(modules)) throw new Error(`not a grid of whole modules (finder ${run} pixels, code ${right - left + 1})`);
  const centre = (i: number) => Math.floor(i * moduleSize + moduleSize / 2);
  const rows = Array.from({ length: modules }, (_, i) => Array.from({ length: modules }, (_, j) => isDark(left + centre(j), top + centre(i))));
  return qrDecoding.decodeBitmap(new Bitmap(modules, rows));
}
