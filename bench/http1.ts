/**
 * A minimal HTTP/1.1 client for the load generator: one request at a time per keep-alive
 * connection, responses framed by Content-Length, a fresh connection after `Connection: close`
 * (moto's server closes after every answer).
 *
 * Why not node:http: its client costs about as much CPU per request as iamd spends answering
 * one (~90 µs, measured with `npm run bench`'s CPU columns), and on a 2-core machine that CPU and
 * its garbage come out of the server's share and show up as the server's tail latency. This
 * client writes one buffer per request and reads the head into a plain map, with no streams or
 * events per request: about 50 µs per request, signing included.
 */
import net from 'node:net';

export interface Http1Answer {
  status: number;
  /** Header names lower-cased; a repeated header keeps its last value. */
  headers: Record<string, string>;
  body: string;
}

const HEADER_END = Buffer.from('\r\n\r\n');

class Connection {
  private readonly socket: net.Socket;
  private buffered: Buffer = Buffer.alloc(0);
  private pending?: { resolve: (a: Http1Answer) => void; reject: (e: Error) => void };
  /** Set once the connection can take no further request. */
  closed = false;
  /** When the last answer arrived (performance.now()). */
  lastUsed = performance.now();

  constructor(host: string, port: number, onClose: (c: Connection) => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    const fail = (e: Error) => {
      this.closed = true;
      const p = this.pending;
      this.pending = undefined;
      p?.reject(e);
      onClose(this);
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('connection closed before the answer was complete')));
  }

  send(request: Buffer): Promise<Http1Answer> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(request);
    });
  }

  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffered.toString('latin1', 0, end).split('\r\n');
    const status = Number(head[0]!.split(' ')[1]);
    const headers: Record<string, string> = {};
    for (let i = 1; i < head.length; i++) {
      const colon = head[i]!.indexOf(':');
      if (colon > 0) headers[head[i]!.slice(0, colon).trim().toLowerCase()] = head[i]!.slice(colon + 1).trim();
    }
    const length = headers['content-length'];
    if (length === undefined) {
      this.fail(new Error(`answer without Content-Length (status ${status}); this client reads only Content-Length framing`));
      return;
    }
    const bodyStart = end + HEADER_END.length;
    const bodyEnd = bodyStart + Number(length);
    if (this.buffered.length < bodyEnd) return;
    const body = this.buffered.toString('utf8', bodyStart, bodyEnd);
    this.buffered = this.buffered.subarray(bodyEnd);
    const keepAlive = !/close/i.test(headers.connection ?? '') && /^HTTP\/1\.1/.test(head[0]!);
    const p = this.pending;
    this.pending = undefined;
    this.lastUsed = performance.now();
    if (!keepAlive) this.destroy();
    p?.resolve({ status, headers, body });
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    this.destroy();
    p?.reject(e);
  }
}

/**
 * How long an idle connection is reused. Below iamd's keep-alive timeout (5 s), so the client
 * never sends on a connection the server is closing at that moment (the keep-alive race, which
 * would otherwise fail a request now and then).
 */
const IDLE_REUSE_MS = 2_000;

/** Keep-alive connections to one origin, opened as needed up to `maxConnections`. */
export class Http1Pool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: ((c: Connection) => void)[] = [];
  private readonly hostHeader: string;

  constructor(
    private readonly target: URL,
    private readonly maxConnections = 64,
  ) {
    this.hostHeader = target.host;
  }

  /** POST `body` to `path` with `headers` (Host and Content-Length are added). */
  async post(path: string, headers: Record<string, string>, body: string): Promise<Http1Answer> {
    const payload = Buffer.from(body);
    let head = `POST ${path} HTTP/1.1\r\nhost: ${this.hostHeader}\r\ncontent-length: ${payload.length}\r\n`;
    for (const name in headers) if (name !== 'host') head += `${name}: ${headers[name]}\r\n`;
    const request = Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]);
    const connection = await this.acquire();
    try {
      return await connection.send(request);
    } finally {
      this.release(connection);
    }
  }

  close(): void {
    for (const c of this.all) c.destroy();
    this.all.clear();
    this.idle.length = 0;
  }

  private acquire(): Promise<Connection> {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) {
      if (!c.closed && performance.now() - c.lastUsed < IDLE_REUSE_MS) return Promise.resolve(c);
      // Out of the count now, not when its 'close' event comes: else a pool whose connections had
      // all gone stale would queue this request behind connections that no longer exist.
      this.all.delete(c);
      c.destroy();
    }
    if (this.all.size < this.maxConnections) return Promise.resolve(this.open());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private open(): Connection {
    const c = new Connection(this.target.hostname, Number(this.target.port || 80), (gone) => {
      // A connection that closed while requests wait for one makes room: open one for the first.
      if (this.all.delete(gone)) this.waiting.shift()?.(this.open());
    });
    this.all.add(c);
    return c;
  }

  private release(c: Connection): void {
    const next = this.waiting.shift();
    if (next) next(c.closed ? this.open() : c);
    else if (!c.closed) this.idle.push(c);
  }
}
