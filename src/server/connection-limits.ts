import type http from 'node:http';
import type net from 'node:net';
import type { Logger } from './logger.js';
import { clientAddress } from './client-address.js';

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

/** How often, at most, a connection over a limit makes room by closing idle ones. */
const MAKE_ROOM_INTERVAL_MS = 100;

const HTTP_SOCKET = Symbol('iamd.httpSocket');
/**
 * A connection as tracked: the TCP socket (counted on arrival, before any byte is read or TLS
 * handshaken) and, once it has carried a request, the socket HTTP runs on (itself, or its TLS socket).
 * `_httpMessage` and `_parent` are node's own: the response a socket is busy with (null between
 * requests; node's closeIdleConnections reads it too), and a TLS socket's TCP socket.
 */
type Tracked = net.Socket & { [HTTP_SOCKET]?: net.Socket & { _httpMessage?: unknown } };

/**
 * Connection slots: at most `max` open connections, and at most `perAddress` from one address
 * (fairness: the global cap alone lets one client hold every slot).
 *
 * Idle keep-alive connections are kept long (http-server.ts), so they are what fills the slots of
 * a client that sent a burst and went quiet. A connection that finds its limit reached first makes
 * room, as nginx does when it runs out of connections: the idle connections in the way (its
 * address's, or at the global limit everyone's) are closed. Idle means: it has carried a request
 * and is between requests (not one that has yet to send its first, nor one whose answer is under
 * way; node's closeIdleConnections would close the first kind too, and one whose request head is
 * half sent). Only when no slot comes free is the new connection destroyed on arrival and counted
 * for the log. Making room is a pass over the open connections, so it is done at most once per
 * MAKE_ROOM_INTERVAL_MS: in a flood, a refusal costs a map lookup.
 *
 * node's own cap (server.maxConnections) is not used: it drops a connection before this code sees
 * it, so it could not make room first.
 */
export class ConnectionSlots {
  private readonly open = new Map<string, Set<Tracked>>();
  private total = 0;
  private lastMadeRoom = Number.NEGATIVE_INFINITY;

  constructor(
    server: http.Server,
    private readonly limits: { max: number; perAddress: number },
    private readonly refusals: { global: RefusalLog; perAddress: RefusalLog },
  ) {
    server.on('connection', (socket: net.Socket) => this.admit(socket));
  }

  /** Called for every request: the connection it came on has carried one, so between requests it is idle. */
  sawRequest(socket: net.Socket): void {
    const tcp = ((socket as { _parent?: net.Socket })._parent ?? socket) as Tracked;
    tcp[HTTP_SOCKET] = socket;
  }

  private admit(socket: Tracked): void {
    const address = clientAddress(socket);
    if (this.full(address) && Date.now() - this.lastMadeRoom >= MAKE_ROOM_INTERVAL_MS) this.makeRoom(address);
    if (this.total >= this.limits.max) {
      this.refusals.global.record();
      socket.destroy();
      return;
    }
    if (this.count(address) >= this.limits.perAddress) {
      this.refusals.perAddress.record(address);
      socket.destroy();
      return;
    }
    let sockets = this.open.get(address);
    if (sockets === undefined) this.open.set(address, (sockets = new Set()));
    sockets.add(socket);
    this.total++;
    socket.once('close', () => this.release(address, socket));
  }

  private count(address: string): number {
    return this.open.get(address)?.size ?? 0;
  }

  private full(address: string): boolean {
    return this.total >= this.limits.max || this.count(address) >= this.limits.perAddress;
  }

  /** Closes the idle connections in the way: the address's, or everyone's at the global limit. */
  private makeRoom(address: string): void {
    this.lastMadeRoom = Date.now();
    const addresses = this.total >= this.limits.max ? [...this.open.keys()] : [address];
    for (const a of addresses) {
      for (const socket of this.open.get(a) ?? []) {
        const carrier = socket[HTTP_SOCKET];
        if (carrier === undefined || carrier._httpMessage) continue;
        carrier.destroy(); // a TLS socket takes its TCP socket with it, at once
        this.release(a, socket); // its 'close' comes later; the slot is free now
      }
    }
  }

  private release(address: string, socket: Tracked): void {
    const sockets = this.open.get(address);
    if (!sockets?.delete(socket)) return;
    this.total--;
    if (sockets.size === 0) this.open.delete(address);
  }
}
