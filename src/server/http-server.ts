import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { QueryApi, QueryResponse } from '../protocol/query-api.js';
import { writeError } from '../protocol/query/write-output.js';
import { IAM_MODEL } from '../protocol/query/model.js';
import { BodyTooLarge, readBody } from './read-body.js';
import { IamError } from '../domain/errors.js';
import type { Logger } from './logger.js';
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
  /** Serve HTTPS (API and console) with this certificate and key (PEM). */
  tls?: { cert: Buffer; key: Buffer };
  /** Slow clients (slowloris): all headers within headersTimeoutMs, the whole request within requestTimeoutMs. */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** The largest request head (request line + headers); larger is 431. */
  maxHeaderBytes?: number;
  /** Open connections at once; the next one is closed on arrival (each holds a socket and buffers). */
  maxConnections?: number;
}

export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024;
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** A flood of refused connections is logged once per interval, with a count, not once each. */
const DROP_LOG_INTERVAL_MS = 10_000;

export interface RunningHttpServer {
  url: string;
  /** Stops accepting, lets in-flight requests finish, then resolves. */
  close(): Promise<void>;
}

/** The HTTP edge: sockets, body limit, routing, access log. Everything AWS-shaped is in QueryApi. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { api, logger } = options;

  const handler: http.RequestListener = async (req, res) => {
    const started = process.hrtime.bigint();
    const url = requestUrl(req.url);
    let response: QueryResponse | undefined;
    let failedId: string | undefined;
    try {
      if (options.testing && req.method === 'POST') {
        if (url.pathname === '/moto-api/reset') {
          await options.testing.reset();
          sendText(res, 200, 'application/json', '{"status":"ok"}');
          return;
        }
        if (url.pathname === '/iamd-test/clock') {
          const seconds = Number(url.searchParams.get('offsetSeconds'));
          if (!Number.isFinite(seconds)) {
            sendText(res, 400, 'application/json', '{"error":"offsetSeconds must be a number"}');
          } else {
            options.testing.setClockOffset(seconds);
            sendText(res, 200, 'application/json', JSON.stringify({ offsetSeconds: seconds }));
          }
          return;
        }
      }
      if (options.console && (url.pathname === '/console' || url.pathname.startsWith('/console/'))) {
        await options.console(req, res, url.pathname);
        return;
      }
      // AWS clients send every Query request to the root path.
      if (url.pathname !== '/') {
        sendText(res, 404, 'text/plain', 'Not Found');
        return;
      }
      const body = await readBody(req, options.maxBodyBytes);
      // SigV4 signs the path and query exactly as sent, so they are passed on undecoded.
      const target = req.url ?? '/';
      const queryIndex = target.indexOf('?');
      response = await api.handle({
        method: req.method ?? 'GET',
        rawPath: queryIndex < 0 ? target : target.slice(0, queryIndex),
        rawQuery: queryIndex < 0 ? '' : target.slice(queryIndex + 1),
        headers: req.headersDistinct,
        body,
        sourceIp: req.socket.remoteAddress,
        secureTransport: 'encrypted' in req.socket && req.socket.encrypted === true,
      });
      res.setHeader('x-amzn-RequestId', response.requestId);
      sendText(res, response.status, 'text/xml', response.body);
    } catch (e) {
      const requestId = (failedId = randomUUID());
      const [status, code, message] =
        e instanceof BodyTooLarge
          ? [413, 'RequestEntityTooLarge', `Request body must be at most ${e.limit ?? options.maxBodyBytes} bytes.`]
          : e instanceof IamError // e.g. Throttling from the console's password hashing
            ? [e.status, e.code, e.message]
            : [500, 'ServiceFailure', 'Request processing has failed due to an internal error.'];
      if (!(e instanceof BodyTooLarge) && !(e instanceof IamError)) logger.error('request failed', { requestId, error: e instanceof Error ? e.stack : String(e) });
      res.setHeader('x-amzn-RequestId', requestId);
      res.setHeader('connection', 'close'); // the unread body stays on the socket
      sendText(res, status, 'text/xml', writeError(IAM_MODEL, status >= 500 ? 'Receiver' : 'Sender', code, message, requestId));
    } finally {
      logger.access({
        method: req.method,
        path: url.pathname,
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        // Every line has one: the API's (x-amzn-RequestId), the error answer's, or one of its own
        // (console pages, 404s), so a line can be found again from an error line or a client's report.
        requestId: response?.requestId ?? failedId ?? randomUUID(),
        action: response?.action,
        principal: response?.principal,
        errorCode: response?.errorCode,
      });
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
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = limits.headersTimeout;
  server.requestTimeout = limits.requestTimeout;
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  // The first refusal is logged at once; later ones within the interval are counted and logged
  // together when it ends, so a flood costs one line per interval and none goes unreported.
  let dropped = 0;
  let window: NodeJS.Timeout | undefined;
  const logDrops = () => {
    if (dropped > 0) logger.error('connections refused: the connection limit is reached', { limit: server.maxConnections, refused: dropped });
    dropped = 0;
  };
  const endWindow = () => {
    window = undefined;
    if (dropped === 0) return;
    logDrops();
    window = setTimeout(endWindow, DROP_LOG_INTERVAL_MS).unref();
  };
  server.on('drop', () => {
    dropped++;
    if (window !== undefined) return;
    logDrops();
    window = setTimeout(endWindow, DROP_LOG_INTERVAL_MS).unref();
  });

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
        clearTimeout(window);
        logDrops(); // refusals counted in the last interval
        server.close(() => resolve()); // waits for in-flight requests
        server.closeIdleConnections();
      }),
  };
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
