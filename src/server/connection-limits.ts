import type http from 'node:http';
import type net from 'node:net';
import type { Logger } from './logger.js';

/** A flood of refused connections is logged once per interval, with a count, not once each. */
const REFUSAL_LOG_INTERVAL_MS = 10_000;
/** At most this many distinct addresses are named in one log line (a flood from many addresses stays one short line). */
const ADDRESSES_PER_LINE = 10;

/**
 * Refusals of one kind, logged at once for the first and then once per interval with a count,
 * so a flood costs one line per interval and none goes unreported.
 */
export class RefusalLog {
  private refused = 0;
  private addresses = new Set<string>();
  private window: NodeJS.Timeout | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly message: string,
    private readonly limit: number,
  ) {}

  record(address?: string): void {
    this.refused++;
    if (address !== undefined && this.addresses.size < ADDRESSES_PER_LINE) this.addresses.add(address);
    if (this.window !== undefined) return;
    this.flush();
    this.window = setTimeout(() => this.endWindow(), REFUSAL_LOG_INTERVAL_MS).unref();
  }

  /** Logs what was counted since the last line (at shutdown: the last interval's refusals). */
  flush(): void {
    if (this.refused > 0) {
      const fields: Record<string, unknown> = { limit: this.limit, refused: this.refused };
      if (this.addresses.size > 0) fields.addresses = [...this.addresses];
      this.logger.error(this.message, fields);
    }
    this.refused = 0;
    this.addresses.clear();
  }

  stop(): void {
    clearTimeout(this.window);
    this.window = undefined;
    this.flush();
  }

  private endWindow(): void {
    this.window = undefined;
    if (this.refused === 0) return;
    this.flush();
    this.window = setTimeout(() => this.endWindow(), REFUSAL_LOG_INTERVAL_MS).unref();
  }
}

/** '::ffff:10.0.0.1' and '10.0.0.1' are one client on a dual-stack socket. */
export function clientAddress(socket: net.Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/**
 * Per-address fairness: at most `limit` open connections from one address. The global cap
 * (server.maxConnections) alone lets one client hold every slot; this leaves the rest to others.
 * A connection over the limit is destroyed on arrival, before any byte is read or TLS handshaken.
 */
export function limitConnectionsPerAddress(server: http.Server, limit: number, refusals: RefusalLog): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: net.Socket) => {
    const address = clientAddress(socket);
    const count = open.get(address) ?? 0;
    if (count >= limit) {
      refusals.record(address);
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
