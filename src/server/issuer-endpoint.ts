import type http from 'node:http';
import type { Domain } from '../domain/context.js';
import { issuerDocument, issuerPath, ISSUER_PATH_PREFIX } from '../domain/outbound-federation.js';

/**
 * The public documents of iamd's outbound web identity federation issuer, unauthenticated as every
 * OIDC issuer's are: ISSUER/.well-known/openid-configuration and ISSUER/.well-known/jwks.json (the
 * paths AWS's EnableOutboundWebIdentityFederation reference names). 404 for anything else, and
 * until the feature was first enabled.
 */
export const isIssuerPath = (pathname: string): boolean => pathname.startsWith(ISSUER_PATH_PREFIX);

const DOCUMENTS = { 'openid-configuration': 'openid-configuration', 'jwks.json': 'jwks.json' } as const;

export function issuerEndpoint(domain: Domain) {
  const base = `${issuerPath(domain.accountId)}/.well-known/`;
  return async function serve(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void> {
    const name = pathname.startsWith(base) ? pathname.slice(base.length) : '';
    const which = Object.hasOwn(DOCUMENTS, name) ? DOCUMENTS[name as keyof typeof DOCUMENTS] : undefined;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      // The body is not read: the connection closes rather than carry it on to the next request.
      send(res, 405, 'text/plain', 'Method Not Allowed', { allow: 'GET, HEAD', connection: 'close' });
      return;
    }
    const document = which && (await issuerDocument(domain, which));
    if (!document) {
      send(res, 404, 'text/plain', 'Not Found');
      return;
    }
    // Relying parties cache the keys; a short lifetime lets a change be seen soon.
    send(res, 200, 'application/json', JSON.stringify(document), { 'cache-control': 'public, max-age=300' });
  };
}

function send(res: http.ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
