import type http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { QueryApi, QueryResponse } from '../protocol/query-api.js';
import { writeError } from '../protocol/query/write-output.js';
import { IAM_MODEL } from '../protocol/query/model.js';
import { IamError } from '../domain/errors.js';
import { BodyTooLarge, readBody } from './read-body.js';
import type { Logger } from './logger.js';
import type { CoalescedWrites } from './coalesced-writes.js';
import { clientAddress } from './client-address.js';

/**
 * The Query API's surface on the HTTP edge: reads the body, hands the request to QueryApi, and
 * answers every refusal (too large, throttled, failed) as the API does, in AWS's XML. The console
 * answers its own refusals in HTML (console-handler.ts).
 */
export function queryEndpoint(api: QueryApi, maxBodyBytes: number, logger: Logger, writes: CoalescedWrites) {
  return async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<QueryResponse> {
    try {
      const body = await readBody(req, maxBodyBytes);
      // SigV4 signs the path and query exactly as sent, so they are passed on undecoded.
      const target = req.url ?? '/';
      const queryIndex = target.indexOf('?');
      const response = await api.handle({
        method: req.method ?? 'GET',
        rawPath: queryIndex < 0 ? target : target.slice(0, queryIndex),
        rawQuery: queryIndex < 0 ? '' : target.slice(queryIndex + 1),
        headers: signableHeaders(req),
        body,
        sourceIp: clientAddress(req.socket),
        secureTransport: 'encrypted' in req.socket && req.socket.encrypted === true,
      });
      sendXml(writes, res, response.status, response.body, response.requestId);
      return response;
    } catch (e) {
      const requestId = randomUUID();
      const [status, code, message] =
        e instanceof BodyTooLarge
          ? [413, 'RequestEntityTooLarge', `Request body must be at most ${e.limit ?? maxBodyBytes} bytes.`]
          : e instanceof IamError
            ? [e.status, e.code, e.message]
            : [500, 'ServiceFailure', 'Request processing has failed due to an internal error.'];
      if (!(e instanceof BodyTooLarge) && !(e instanceof IamError)) logger.error('request failed', { requestId, error: e instanceof Error ? e.stack : String(e) });
      // Connection: close, since the unread body stays on the socket.
      sendXml(writes, res, status, writeError(IAM_MODEL, status >= 500 ? 'Receiver' : 'Sender', code, message, requestId), requestId, true);
      // For the access log: the id the client was given, and the code.
      return { status, requestId, body: '', errorCode: code };
    }
  };
}

/**
 * The headers as SigV4 must see them: a header sent twice is two values (node's `headers` joins
 * repeats with ', ', or keeps only the first of some). node has built `headers` already, so
 * `headersDistinct`, a second object, is built only for a request that repeats a name.
 */
function signableHeaders(req: http.IncomingMessage): Record<string, string | string[] | undefined> {
  const headers = req.headers;
  let names = 0;
  for (const _ in headers) names++;
  return names * 2 === req.rawHeaders.length ? headers : req.headersDistinct;
}

/**
 * The answer, written with the others of this turn (coalesced-writes.ts). Its status is set at once,
 * for the access line, made as soon as serve() returns; its headers go to writeHead as one array
 * (node writes them straight out; setHeader first would build a map).
 */
function sendXml(writes: CoalescedWrites, res: http.ServerResponse, status: number, body: string, requestId: string, close = false): void {
  const headers = ['x-amzn-RequestId', requestId, 'content-type', 'text/xml', 'content-length', String(Buffer.byteLength(body))];
  if (close) headers.push('connection', 'close');
  res.statusCode = status;
  writes.add(() => {
    try {
      res.writeHead(status, headers);
      res.end(body);
    } catch (e) {
      // Nothing else will answer this request now: the client sees the connection close.
      res.destroy();
      throw e;
    }
  });
}
