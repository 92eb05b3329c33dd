import type net from 'node:net';

/**
 * The client's address as a policy, the audit trail and the throttles see it. A socket bound to
 * `::` reports an IPv4 client as '::ffff:10.0.0.1' (RFC 4291's IPv4-mapped form): that is the IPv4
 * client 10.0.0.1, so aws:SourceIp must match '10.0.0.0/8', and one client must be one throttle key
 * whichever listener it came in on.
 */
export function clientAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}
