import http from 'node:http';
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { QueryApi, QueryResponse } from '../protocol/query-api.js';
import { queryEndpoint } from './query-endpoint.js';
import { isIssuerPath } from './issuer-endpoint.js';
import type { AccessLine, Logger } from './logger.js';
import { CoalescedWrites } from './coalesced-writes.js';
import { ConnectionSlots, RefusalLog } from './connection-limits.js';
import { DEFAULT_HEADERS_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS } from '../config/config.js';

export interface HttpServerOptions {
  host: string;
  port: number;
  maxBodyBytes: number;
  api: QueryApi;
  logger: Logger;
  /**
   * Memory mode only: POST /moto-api/reset clears all state, as moto's server mode does, and
   * POST /iamd-test/clock?offsetSeconds=N moves the domain's clock for expiry tests.
   */
  testing?: { reset(): Promise<void>; setClockOffset(seconds: number): void };
  /** The console, served under /console. */
  console?: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>;
  /** The outbound federation issuer's discovery document and JWKS, under /outbound-federation/. */
  issuer?: (req: http.IncomingMessage, res: http.ServerResponse, path: string) => Promise<void>;
  /** Serve HTTPS (API and console) with this certificate and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
  /** Slow clients (slowloris): all headers within headersTimeoutMs, the whole request within requestTimeoutMs. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The largest request head (request line + headers); larger is 431. */
  maxHeaderBytes?: number;
  /** Open connections at once; the next one is closed on arrival (each holds a socket and buffers). */
  maxConnections?: number;
  /** Open connections at once from one address; the next from it is closed on arrival. */
  maxConnectionsPerAddress?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 1024;
const KEEP_ALIVE_TIMEOUT_MS = 60_000;
/** At shutdown, how often connections that have become idle are closed. */
const SHUTDOWN_SWEEP_MS = 50;
/**
 * 256 per address, a quarter of the global 1024: one address can no longer take every slot (four
 * must join), while the bursts real clients send from one address still fit: an AWS SDK for
 * JavaScript v3 client pools up to 50 sockets, test suites and CI runners fire hundreds of
 * requests at once (iamd's own race tests: 200 concurrent password changes), and an office behind
 * NAT or a proxy is one address. 64 refused those race tests.
 */
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;

export interface RunningHttpServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

/**
 * The HTTP edge: sockets, connection limits, dispatch to a surface (the Query API, the console,
 * the test endpoints), access log. Each surface reads its own body and renders its own errors.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { api, logger } = options;
  // The Query API's answers, and every access line, are written at the end of the turn (coalesced-writes.ts).
  const writes = new CoalescedWrites((e) => logger.error('writing an answer or its access line failed', { error: e instanceof Error ? e.stack : String(e) }));
  const serveQuery = queryEndpoint(api, options.maxBodyBytes, logger, writes);

  const handler: http.RequestListener = async (req, res) => {
    const started = process.hrtime.bigint();
    slots.sawRequest(req.socket);
    const pathname = requestPath(req.url);
    let response: QueryResponse | undefined;
    let failedId: string | undefined;
    try {
      if (options.testing && req.method === 'POST') {
        if (pathname === '/moto-api/reset') {
          await options.testing.reset();
          sendText(res, 200, 'application/json', '{"status":"ok"}');
          return;
        }
        if (pathname === '/iamd-test/clock') {
          const seconds = Number(requestUrl(req.url).searchParams.get('offsetSeconds'));
          if (!Number.isFinite(seconds)) {
            sendText(res, 400, 'application/json', '{"error":"offsetSeconds must be a number"}');
          } else {
            options.testing.setClockOffset(seconds);
            sendText(res, 200, 'application/json', JSON.stringify({ offsetSeconds: seconds }));
          }
          return;
        }
      }
      if (options.console && (pathname === '/console' || pathname.startsWith('/console/'))) {
        // The console renders its own answers, refusals included (HTML, not the API's XML).
        await options.console(req, res, pathname);
        return;
      }
      if (options.issuer && isIssuerPath(pathname)) {
        await options.issuer(req, res, pathname);
        return;
      }
      // AWS clients send every Query request to the root path.
      if (pathname !== '/') {
        sendText(res, 404, 'text/plain', 'Not Found');
        return;
      }
      response = await serveQuery(req, res);
    } catch (e) {
      // Each surface answers its own failures; this is only for a defect that escaped one.
      failedId = randomUUID();
      logger.error('request failed', { requestId: failedId, path: pathname, error: e instanceof Error ? e.stack : String(e) });
      if (!res.headersSent) {
        res.setHeader('connection', 'close');
        sendText(res, 500, 'text/plain', 'Internal Server Error');
      } else res.destroy();
    } finally {
      const line: AccessLine = {
        method: req.method,
        path: pathname,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        // Every line has one: the API's (x-amzn-RequestId), the error answer's, or one of its own
        // (console pages, 404s), so a line can be found again from an error line or a client's report.
        requestId: response?.requestId ?? failedId ?? randomUUID(),
        action: response?.action,
        principal: response?.principal,
        errorCode: response?.errorCode,
        errorDetail: response?.errorDetail,
      };
      // Behind the answer: handing a turn's lines to the log starts a write (to a file at once, to
      // a pipe on the thread pool), and it must not delay the answers (a sequential client's every request).
      writes.add(() => logger.access(line));
    }
  };
  const limits = {
    maxHeaderSize: options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES,
    headersTimeout: options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    requestTimeout: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // How often node looks for connections past those timeouts (its default, 30 s, lets a slow
    // client hold a socket up to 30 s longer than the limits say).
    connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs ?? 1_000),
  };
  const server = options.tls
    ? https.createServer({ ...limits, cert: options.tls.cert, key: options.tls.key }, handler)
    : http.createServer(limits, handler);
  // An idle connection is kept a minute, as AWS's load balancers keep one by default. Clients keep
  // theirs open for as long as the server does, or longer: node's http.Agent (the AWS SDK for
  // JavaScript's) ignores the Keep-Alive hint unless given a timeout of its own. A request sent on
  // a connection just as the server closes it fails with ECONNRESET (which a client with retries
  // off reports): with node's 5 s, any client pausing about 5 s between two calls ran that risk.
  // Idle connections give up their slots when a new connection needs one (ConnectionSlots).
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const perAddress = options.maxConnectionsPerAddress ?? DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  const refusals = {
    global: new RefusalLog(logger, 'connections refused: the connection limit is reached', maxConnections),
    perAddress: new RefusalLog(logger, 'connections refused: the per-address connection limit is reached', perAddress),
  };
  const slots = new ConnectionSlots(server, { max: maxConnections, perAddress }, refusals);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Refusals counted in the last interval are logged now.
        refusals.global.stop();
        refusals.perAddress.stop();
        // close() waits for in-flight requests, and for their connections too: one whose answer
        // was under way turns idle once it is written, and keep-alive would hold it (and the
        // shutdown) for a minute. So idle connections are closed until the server is.
        const sweep = setInterval(() => server.closeIdleConnections(), SHUTDOWN_SWEEP_MS);
        server.close(() => {
          clearInterval(sweep);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * The request target's path as the URL parser gives it (dot segments resolved, percent-encoding
 * normalised). The target every AWS client sends, `/` (the query string after it is SigV4's, read
 * raw by the Query endpoint), is recognised without building a URL.
 */
function requestPath(target: string | undefined): string {
  if (target === '/' || (target !== undefined && target.startsWith('/?'))) return '/';
  return requestUrl(target).pathname;
}

/**
 * The request target as a URL, never throwing: `new URL('//', base)` reads '//' as a host-less
 * protocol-relative URL and throws, which here, outside any try, took the whole process down.
 */
function requestUrl(target: string | undefined): URL {
  const raw = target ?? '/';
  try {
    return new URL(`http://placeholder${raw.startsWith('/') ? raw : `/${raw}`}`);
  } catch {
    return new URL('http://placeholder/.invalid-request-target');
  }
}

function sendText(res: http.ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
