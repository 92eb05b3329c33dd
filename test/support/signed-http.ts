import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT } from './server.js';

/** node:crypto behind the Hash interface the AWS SDK's signer expects. */
export class Sha256 {
  private readonly hash;
  constructor(secret?: string | Uint8Array) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', secret);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export function signer(credentials = ROOT, service = 'iam', region = 'us-east-1'): SignatureV4 {
  return new SignatureV4({ credentials, service, region, sha256: Sha256 as never });
}

export interface RawResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** A Query request signed by the AWS SDK's own SigV4 signer, sent with fetch. */
export async function signedQuery(
  url: string,
  params: Record<string, string>,
  options: { method?: 'GET' | 'POST'; credentials?: typeof ROOT; service?: string; signingDate?: Date; tamper?: (r: { body?: string; query: Record<string, string> }) => void } = {},
): Promise<RawResponse> {
  const method = options.method ?? 'POST';
  const target = new URL(url);
  const form = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
  const request = {
    method,
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: '/',
    headers: { host: target.host, ...(method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } : {}) } as Record<string, string>,
    query: method === 'GET' ? Object.fromEntries(new URLSearchParams(form)) : ({} as Record<string, string>),
    body: method === 'POST' ? form : undefined,
  };
  const signed = await signer(options.credentials, options.service).sign(request, { signingDate: options.signingDate });
  const sent = { body: signed.body as string | undefined, query: signed.query as Record<string, string> };
  options.tamper?.(sent);
  return send(url, method, signed.headers, sent.query, sent.body);
}

/** A presigned GET URL, as the SDK makes them (with X-Amz-Expires=expiresIn), for IAM or, with `service` 'sts', STS. */
export async function presignedUrl(url: string, params: Record<string, string>, expiresIn: number, signingDate?: Date, service = 'iam'): Promise<string> {
  const target = new URL(url);
  const query = Object.fromEntries(new URLSearchParams({ Version: service === 'sts' ? '2011-06-15' : '2010-05-08', ...params }));
  const signed = await signer(ROOT, service).presign(
    { method: 'GET', protocol: target.protocol, hostname: target.hostname, port: Number(target.port), path: '/', headers: { host: target.host }, query },
    { expiresIn, signingDate },
  );
  const qs = new URLSearchParams(signed.query as Record<string, string>).toString().replace(/\+/g, '%20');
  return `${url}/?${qs}`;
}

export async function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  query: Record<string, string>,
  body?: string,
): Promise<RawResponse> {
  const qs = new URLSearchParams(query).toString().replace(/\+/g, '%20');
  const h = { ...headers };
  delete h.host; // fetch sets it
  const res = await fetch(`${url}/${qs ? `?${qs}` : ''}`, { method, headers: h, body });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** Code and message of a Query ErrorResponse body. */
export function errorOf(body: string): { code?: string; message?: string; type?: string } {
  return {
    type: /<Type>([^<]*)<\/Type>/.exec(body)?.[1],
    code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1],
  };
}
