/** IPv4 and IPv6 addresses and CIDR blocks, for IpAddress / NotIpAddress. */
export interface Address {
  version: 4 | 6;
  value: bigint;
}

function parseIPv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIPv6(text: string): bigint | undefined {
  let head = text;
  let tail32: bigint | undefined;
  // An embedded IPv4 address (::ffff:192.0.2.1) fills the last 32 bits.
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tail32 = parseIPv4(text.slice(lastColon + 1));
    if (tail32 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  let value = 0n;
  for (const group of [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(group)) return undefined;
    value = (value << 16n) | BigInt(`0x${group}`);
  }
  return tail32 === undefined ? value : (value & ~0xffffffffn) | tail32;
}

function parseAddress(text: string): Address | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { version: 4, value: v4 };
  const v6 = text.includes(':') ? parseIPv6(text) : undefined;
  return v6 === undefined ? undefined : { version: 6, value: v6 };
}

export interface Network {
  address: Address;
  prefix: number;
}

/**
 * An address as a request carries it (aws:SourceIp). An IPv4-mapped IPv6 address ('::ffff:10.0.0.1',
 * RFC 4291 2.5.5.2, what a dual-stack socket reports for an IPv4 client) is that IPv4 address, so
 * it lies in '10.0.0.0/8' and not in an IPv6 block.
 */
export function parseIp(ip: string): Address | undefined {
  const address = parseAddress(ip.trim());
  return address && isIPv4Mapped(address) ? { version: 4, value: address.value & 0xffffffffn } : address;
}

const isIPv4Mapped = (a: Address): boolean => a.version === 6 && a.value >> 32n === 0xffffn;

/** A CIDR block as a policy writes it; a bare address means that one address. */
export function parseCidr(cidr: string): Network | undefined {
  const [base, prefixText, extra] = cidr.trim().split('/');
  const address = parseAddress(base ?? '');
  if (!address || extra !== undefined) return undefined;
  const bits = address.version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? bits : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (!(prefix >= 0 && prefix <= bits)) return undefined;
  // A block inside ::ffff:0:0/96 is a block of IPv4 addresses, as the addresses in it are (parseIp).
  if (isIPv4Mapped(address) && prefix >= 96) return { address: { version: 4, value: address.value & 0xffffffffn }, prefix: prefix - 96 };
  return { address, prefix };
}

export function inNetwork(address: Address, network: Network): boolean {
  if (address.version !== network.address.version) return false;
  const shift = BigInt((address.version === 4 ? 32 : 128) - network.prefix);
  return address.value >> shift === network.address.value >> shift;
}

/** Whether `ip` lies in `cidr`; a bare address in the policy means that one address. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const address = parseIp(ip);
  const network = parseCidr(cidr);
  return address !== undefined && network !== undefined && inNetwork(address, network);
}
