import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

/**
 * SSH public keys as UploadSSHPublicKey takes them: an OpenSSH line (`ssh-rsa AAAA… comment`) or a
 * PEM public key (SubjectPublicKeyInfo, or PKCS#1 `RSA PUBLIC KEY`). Both are reduced to the key's
 * SSH wire form (RFC 4253 §6.6), from which the fingerprint and either encoding are derived, and
 * the key itself is checked by node's crypto (a modulus or point it cannot load is refused).
 */

export type SshKeyType = 'ssh-rsa' | 'ssh-ed25519';

export interface ParsedSshKey {
  type: SshKeyType;
  /** The key in SSH wire format. */
  blob: Buffer;
  /** RSA: the modulus's bit length; Ed25519: 256. */
  bits: number;
}

/** Why a body is not a usable key: an encoding or type iamd does not know, or a broken key. */
export type SshKeyProblem = 'unrecognized' | 'invalid';

export class SshKeyError extends Error {
  constructor(readonly problem: SshKeyProblem) {
    super(problem === 'unrecognized' ? 'unrecognized public key encoding' : 'invalid public key');
    this.name = 'SshKeyError';
  }
}

const PEM_PUBLIC = /^-----BEGIN (PUBLIC KEY|RSA PUBLIC KEY)-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END \1-----$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function parseSshPublicKey(body: string): ParsedSshKey {
  const text = body.trim();
  if (text.startsWith('-----BEGIN ')) return fromPem(text);
  const [type, data] = text.split(/[ \t]+/);
  if (type !== 'ssh-rsa' && type !== 'ssh-ed25519') throw new SshKeyError('unrecognized');
  if (data === undefined || !BASE64.test(data)) throw new SshKeyError('invalid');
  return fromBlob(type, Buffer.from(data, 'base64'));
}

/** A wire blob's key type (blobs come from parseSshPublicKey, so it is one iamd knows). */
function typeOf(reader: WireReader): SshKeyType {
  const type = reader.string().toString('latin1');
  if (type !== 'ssh-rsa' && type !== 'ssh-ed25519') throw new SshKeyError('unrecognized');
  return type;
}

/** The key in OpenSSH form, without a comment: `ssh-rsa AAAA…`. */
export const sshEncoding = (blob: Buffer): string => `${typeOf(new WireReader(blob))} ${blob.toString('base64')}`;

/** The key as a SubjectPublicKeyInfo PEM (`-----BEGIN PUBLIC KEY-----`, lines of 64, final newline). */
export function pemEncoding(blob: Buffer): string {
  const reader = new WireReader(blob);
  return keyObject(typeOf(reader), reader).export({ type: 'spki', format: 'pem' }).toString();
}

/** MD5 of the wire form as colon-separated hex pairs, as AWS (and `ssh-keygen -l -E md5`) shows it. */
export const md5Fingerprint = (blob: Buffer): string => createHash('md5').update(blob).digest('hex').replace(/(..)(?!$)/g, '$1:');

function fromPem(text: string): ParsedSshKey {
  const m = PEM_PUBLIC.exec(text.replace(/\r\n/g, '\n').replace(/\n?-----END/, '\n-----END'));
  // Only public keys: createPublicKey would also derive a public key from a private one.
  if (!m) throw new SshKeyError('unrecognized');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw new SshKeyError('invalid');
  }
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType === 'rsa') {
    const e = Buffer.from(jwk.e!, 'base64url');
    const n = Buffer.from(jwk.n!, 'base64url');
    return { type: 'ssh-rsa', blob: wire([Buffer.from('ssh-rsa'), mpint(e), mpint(n)]), bits: bitLength(n) };
  }
  if (key.asymmetricKeyType === 'ed25519') {
    return { type: 'ssh-ed25519', blob: wire([Buffer.from('ssh-ed25519'), Buffer.from(jwk.x!, 'base64url')]), bits: 256 };
  }
  throw new SshKeyError('unrecognized');
}

function fromBlob(type: SshKeyType, blob: Buffer): ParsedSshKey {
  const reader = new WireReader(blob);
  let inner: string;
  try {
    inner = reader.string().toString('latin1');
  } catch {
    throw new SshKeyError('invalid');
  }
  if (inner !== type) throw new SshKeyError('invalid');
  const key = keyObject(type, reader);
  const bits = type === 'ssh-rsa' ? bitLength(Buffer.from(key.export({ format: 'jwk' }).n!, 'base64url')) : 256;
  return { type, blob, bits };
}

/** The key after the type in a wire blob, checked by node's crypto; nothing may follow it. */
function keyObject(type: SshKeyType, reader: WireReader): KeyObject {
  let jwk: JsonWebKey;
  try {
    if (type === 'ssh-rsa') {
      const e = unsigned(reader.string());
      const n = unsigned(reader.string());
      jwk = { kty: 'RSA', e: e.toString('base64url'), n: n.toString('base64url') };
    } else {
      const x = reader.string();
      if (x.length !== 32) throw new SshKeyError('invalid');
      jwk = { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') };
    }
    if (!reader.done()) throw new SshKeyError('invalid');
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw new SshKeyError('invalid');
  }
}

/** Reads the length-prefixed strings of the SSH wire format. */
class WireReader {
  private offset = 0;
  constructor(private readonly buf: Buffer) {}

  string(): Buffer {
    if (this.offset + 4 > this.buf.length) throw new SshKeyError('invalid');
    const length = this.buf.readUInt32BE(this.offset);
    const start = this.offset + 4;
    if (start + length > this.buf.length) throw new SshKeyError('invalid');
    this.offset = start + length;
    return this.buf.subarray(start, start + length);
  }

  done(): boolean {
    return this.offset === this.buf.length;
  }
}

/** An mpint's magnitude: it must be positive and minimally encoded (one 0x00 only before a high bit). */
function unsigned(mp: Buffer): Buffer {
  if (mp.length === 0 || (mp[0]! & 0x80) !== 0) throw new SshKeyError('invalid');
  if (mp[0] === 0 && (mp.length === 1 || (mp[1]! & 0x80) === 0)) throw new SshKeyError('invalid');
  return mp[0] === 0 ? mp.subarray(1) : mp;
}

/** A positive integer (big-endian magnitude) as an SSH mpint. */
function mpint(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return (m[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), m]) : m;
}

function wire(parts: Buffer[]): Buffer {
  return Buffer.concat(
    parts.flatMap((p) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(p.length);
      return [length, p];
    }),
  );
}

function bitLength(magnitude: Buffer): number {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  if (i === magnitude.length) return 0;
  return (magnitude.length - i - 1) * 8 + (32 - Math.clz32(magnitude[i]!));
}
