import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleSignIn, NextStep } from '../domain/console-sign-in.js';
import { IamError } from '../domain/errors.js';
import { clientAddress } from '../server/client-address.js';
import { BodyTooLarge, readBody } from '../server/read-body.js';
import type { Markup } from './html.js';
import { errorPage, mfaCodePage, newPasswordPage, refusedPage, signInPage, STYLESHEET } from './views.js';
import { type ConsoleOperations, credentialsRoutes, messagesOf } from './credentials-routes.js';
import { CSP } from './content-security.js';

export type { ConsoleOperations };

/**
 * The console's HTTP side: routing, cookies, CSRF, security headers. What a page means is decided
 * by ConsoleSignIn (the domain); this file only turns forms into calls and results into pages.
 *
 * CSRF: every form carries a token that must equal the iamd_csrf cookie (double submit; the
 * cookie is SameSite=Strict and HttpOnly), and a POST whose Origin names another site is refused.
 */

const SESSION_COOKIE = 'iamd_session';
const CSRF_COOKIE = 'iamd_csrf';
const MAX_FORM_BYTES = 16 * 1024;

const BASE_HEADERS = {
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer, browsers send "Origin: null" on form posts.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};
/** Over TLS, as AWS's sign-in does: browsers keep to HTTPS for this host for a year. */
const HSTS = 'max-age=31536000; includeSubDomains';

export interface ConsoleOptions {
  signIn: ConsoleSignIn;
  operations: ConsoleOperations;
  accountId: string;
  /** Served over TLS (--tls-cert): aws:SecureTransport of console sessions. */
  tls: boolean;
  /**
   * Browsers reach the console over HTTPS: served over TLS, or behind a TLS proxy (IAMD_PUBLIC_URL
   * https://…). Cookies get the Secure flag and responses Strict-Transport-Security, so a session
   * cookie never rides a plain-HTTP request to the same host (a first http:// visit, a planted link).
   */
  https: boolean;
  /** For failures the page cannot explain (never with request contents). */
  logError?: (message: string, fields: Record<string, unknown>) => void;
}

export function consoleHandler(options: ConsoleOptions) {
  const { signIn, operations, accountId, tls, https } = options;
  const headers = (csp = CSP) => ({ 'content-security-policy': csp, ...BASE_HEADERS, ...(https ? { 'strict-transport-security': HSTS } : {}) });

  const send = (res: ServerResponse, status: number, contentType: string, body: string, setCookies: string[], csp?: string) => {
    res.writeHead(status, { ...headers(csp), 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'set-cookie': setCookies });
    res.end(body);
  };

  /** Every console answer, refusals included, is a page: the console renders its own errors. */
  const fail = (res: ServerResponse, status: number, title: string, message: string, extra: Record<string, string> = {}) => {
    if (res.headersSent) return void res.destroy();
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    send(res, status, 'text/html; charset=utf-8', errorPage({ status, title, message }).value, []);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      await serve(req, res, path);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        // The unread rest of the body stays on the socket: the connection closes after this page.
        return fail(res, 413, 'Request too large', `This form is larger than the console accepts (${MAX_FORM_BYTES} bytes).`, { connection: 'close' });
      }
      if (e instanceof IamError && e.code === 'Throttling') {
        return fail(res, 503, 'Too many requests', 'The console is busy. Wait a moment, then try again.', { 'retry-after': '1' });
      }
      options.logError?.('console request failed', { path, error: e instanceof Error ? e.stack : String(e) });
      return fail(res, 500, 'Something went wrong', 'The console could not complete this request. Try again later.');
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const cookies = parseCookies(req.headers.cookie);
    const csrf = cookies[CSRF_COOKIE] ?? randomBytes(24).toString('base64url');
    const setCookies: string[] = [];
    if (!cookies[CSRF_COOKIE]) setCookies.push(cookie(CSRF_COOKIE, csrf, https));
    const address = clientAddress(req.socket);
    const facts = { sourceIp: address, secureTransport: tls };
    const userAgent = req.headers['user-agent'];
    const query = new URL(req.url ?? '/', 'http://x').searchParams;

    const page = (status: number, markup: Markup, csp?: string) => send(res, status, 'text/html; charset=utf-8', markup.value, setCookies, csp);
    const redirect = (location: string) => {
      res.writeHead(303, { ...headers(), location, 'set-cookie': setCookies, 'content-length': 0 });
      res.end();
    };
    const startSession = (token: string) => setCookies.push(cookie(SESSION_COOKIE, token, https));
    const endSession = () => setCookies.push(cookie(SESSION_COOKIE, '', https, 0));
    const goTo = (next: NextStep) => redirect({ mfa: '/console/mfa', 'new-password': '/console/new-password', home: '/console/home' }[next]);

    if (req.method === 'GET' && path === '/console/style.css') return send(res, 200, 'text/css; charset=utf-8', STYLESHEET, []);

    let form: URLSearchParams | undefined;
    if (req.method === 'POST') {
      form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
      if (!sameOrigin(req) || !sameToken(form.get('csrf'), cookies[CSRF_COOKIE])) {
        return page(403, refusedPage('This form has expired or did not come from this site. Reload the page and try again.'));
      }
    }
    const field = (name: string) => form?.get(name) ?? '';

    const current = await signIn.session(cookies[SESSION_COOKIE]);
    const stepOf = (s: { awaitingMfa: boolean; mustChangePassword: boolean }): NextStep =>
      s.awaitingMfa ? 'mfa' : s.mustChangePassword ? 'new-password' : 'home';

    if (req.method === 'GET' && (path === '/console' || path === '/console/')) {
      if (current) return goTo(stepOf(current.session));
      // ?account= pre-fills the account field (an id or the alias), as AWS's sign-in URL does.
      const account = (query.get('account') ?? '').trim().slice(0, 63);
      return page(200, signInPage({ csrf, accountId: account || accountId }));
    }

    if (req.method === 'POST' && path === '/console/signin') {
      const userName = field('username');
      const account = field('account').trim();
      const result = await signIn.signIn({ accountId: account, userName, password: field('password'), sourceAddress: address, userAgent });
      switch (result.kind) {
        case 'signed-in':
          if (current) await signIn.signOut(cookies[SESSION_COOKIE]);
          startSession(result.token);
          return goTo(result.next);
        case 'hard-expired':
          return page(403, refusedPage('Your password has expired and cannot be changed by you. Contact your administrator to reset it.'));
        case 'throttled':
          return page(429, signInPage({ csrf, accountId: account || accountId, userName, errors: [throttledMessage(res, result.retryAfterSeconds)] }));
        case 'invalid':
          // The same answer whether the user, the account or the password was wrong (AWS's words).
          return page(401, signInPage({ csrf, accountId: account || accountId, userName, errors: ['Your authentication information is incorrect. Please try again.'] }));
      }
    }

    if (req.method === 'POST' && path === '/console/signout') {
      await signIn.signOut(cookies[SESSION_COOKIE]);
      endSession();
      return redirect('/console');
    }

    if (!current) {
      if (req.method === 'GET') return redirect('/console');
      return page(401, signInPage({ csrf, accountId, notice: 'Your session has ended. Sign in again.' }));
    }

    if (current.session.awaitingMfa) {
      const devices = (await signIn.mfaDevicesOf(current.user)).map((d) => ({ serialNumber: d.serialNumber, name: d.name }));
      const codePage = (status: number, errors?: string[]) => page(status, mfaCodePage({ csrf, userName: current.user.name, devices, errors }));
      if (req.method === 'GET' && path === '/console/mfa') return codePage(200);
      if (req.method === 'POST' && path === '/console/mfa') {
        const device = form!.get('device');
        const result = await signIn.verifyMfaCode(cookies[SESSION_COOKIE]!, {
          serialNumber: device ?? undefined,
          code: field('code').trim(),
          sourceAddress: address,
          userAgent,
        });
        switch (result.kind) {
          case 'signed-in':
            startSession(result.token);
            return goTo(result.next);
          case 'throttled':
            return codePage(429, [throttledMessage(res, result.retryAfterSeconds)]);
          case 'mfa-locked':
            // As the password's lock-out answers (429, no Retry-After), naming what lifts this one.
            return codePage(429, [MFA_LOCKED_MESSAGE]);
          case 'ended':
            endSession();
            return page(401, signInPage({ csrf, accountId, notice: 'Your session has ended. Sign in again.' }));
          default:
            // Wrong and replayed codes alike (the code is never echoed back).
            return codePage(401, ['Your authentication information is incorrect. Please try again.']);
        }
      }
      // Nothing else until the code is given.
      return redirect('/console/mfa');
    }

    const reason = current.profile.passwordResetRequired ? 'reset' : 'expired';

    if (current.session.mustChangePassword) {
      if (req.method === 'GET' && path === '/console/new-password') return page(200, newPasswordPage({ csrf, userName: current.user.name, reason }));
      if (req.method === 'POST' && path === '/console/new-password') {
        const next = field('new');
        if (next !== form!.get('confirm')) {
          return page(400, newPasswordPage({ csrf, userName: current.user.name, reason, errors: ['The new passwords do not match.'] }));
        }
        try {
          startSession(await signIn.setNewPassword(cookies[SESSION_COOKIE]!, next, facts));
          return redirect('/console/home?notice=changed');
        } catch (e) {
          return page(400, newPasswordPage({ csrf, userName: current.user.name, reason, errors: messagesOf(e) }));
        }
      }
      // Nothing else until the password is changed.
      return redirect('/console/new-password');
    }

    if (
      await credentialsRoutes({
        method: req.method ?? 'GET',
        path,
        query,
        form,
        csrf,
        token: cookies[SESSION_COOKIE]!,
        current,
        signIn,
        operations,
        accountId,
        request: { ...facts, userAgent },
        page,
        redirect,
        startSession,
      })
    ) {
      return;
    }
    return fail(res, 404, 'Page not found', 'There is no such page in the console.');
  }

  return handle;
}

const MFA_LOCKED_MESSAGE = 'Too many failed sign-in attempts. Contact your administrator to resynchronize or deactivate your MFA device.';

function throttledMessage(res: ServerResponse, retryAfterSeconds: number | null): string {
  if (retryAfterSeconds === null) return 'Too many failed sign-in attempts. Contact your administrator to reset your password.';
  res.setHeader('retry-after', String(retryAfterSeconds));
  return `Too many failed sign-in attempts. Try again in ${retryAfterSeconds} seconds.`;
}

function cookie(name: string, value: string, secure: boolean, maxAgeSeconds?: number): string {
  return [
    `${name}=${value}`,
    'Path=/console',
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
    ...(maxAgeSeconds !== undefined ? [`Max-Age=${maxAgeSeconds}`] : []),
  ].join('; ');
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

function sameToken(a: string | null, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A browser names the page's origin on every POST; it must be this server. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // non-browser clients; the CSRF token still applies
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
