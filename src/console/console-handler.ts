import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ConsoleSignIn } from '../domain/console-sign-in.js';
import { IamError } from '../domain/errors.js';
import { PasswordPolicyViolation } from '../domain/passwords.js';
import { userArn } from '../domain/arn.js';
import { readBody } from '../server/read-body.js';
import type { Markup } from './html.js';
import { credentialsPage, newPasswordPage, refusedPage, signInPage, STYLESHEET } from './views.js';

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

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  // same-origin, not no-referrer: with no-referrer, browsers send "Origin: null" on form posts.
  'referrer-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-store',
};

export interface ConsoleOptions {
  signIn: ConsoleSignIn;
  accountId: string;
  /** Cookies get the Secure flag when the console is served over TLS. */
  tls: boolean;
}

export function consoleHandler(options: ConsoleOptions) {
  const { signIn, accountId, tls } = options;

  return async function handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const cookies = parseCookies(req.headers.cookie);
    const csrf = cookies[CSRF_COOKIE] ?? randomBytes(24).toString('base64url');
    const setCookies: string[] = [];
    if (!cookies[CSRF_COOKIE]) setCookies.push(cookie(CSRF_COOKIE, csrf, tls));
    const facts = { sourceIp: req.socket.remoteAddress, secureTransport: tls };
    const address = req.socket.remoteAddress ?? 'unknown';

    const page = (status: number, markup: Markup) => send(res, status, 'text/html; charset=utf-8', markup.value, setCookies);
    const redirect = (location: string) => {
      res.writeHead(303, { ...SECURITY_HEADERS, location, 'set-cookie': setCookies, 'content-length': 0 });
      res.end();
    };
    const startSession = (token: string) => setCookies.push(cookie(SESSION_COOKIE, token, tls));
    const endSession = () => setCookies.push(cookie(SESSION_COOKIE, '', tls, 0));

    if (req.method === 'GET' && path === '/console/style.css') return send(res, 200, 'text/css; charset=utf-8', STYLESHEET, []);

    let form: URLSearchParams | undefined;
    if (req.method === 'POST') {
      form = new URLSearchParams((await readBody(req, MAX_FORM_BYTES)).toString('utf8'));
      if (!sameOrigin(req) || !sameToken(form.get('csrf'), cookies[CSRF_COOKIE])) {
        return page(403, refusedPage('This form has expired or did not come from this site. Reload the page and try again.'));
      }
    }

    const current = await signIn.session(cookies[SESSION_COOKIE]);

    if (req.method === 'GET' && (path === '/console' || path === '/console/')) {
      if (current) return redirect(current.session.mustChangePassword ? '/console/new-password' : '/console/home');
      return page(200, signInPage({ csrf, accountId }));
    }

    if (req.method === 'POST' && path === '/console/signin') {
      const userName = form!.get('username') ?? '';
      const result = await signIn.signIn({
        accountId: (form!.get('account') ?? '').trim(),
        userName,
        password: form!.get('password') ?? '',
        sourceAddress: address,
        userAgent: req.headers['user-agent'],
      });
      switch (result.kind) {
        case 'signed-in':
          if (current) await signIn.signOut(cookies[SESSION_COOKIE]);
          startSession(result.token);
          return redirect(result.mustChangePassword ? '/console/new-password' : '/console/home');
        case 'hard-expired':
          return page(403, refusedPage('Your password has expired and cannot be changed by you. Contact your administrator to reset it.'));
        case 'throttled':
          if (result.retryAfterSeconds !== null) res.setHeader('retry-after', String(result.retryAfterSeconds));
          return page(
            429,
            signInPage({
              csrf,
              accountId,
              userName,
              errors: [
                result.retryAfterSeconds !== null
                  ? `Too many failed sign-in attempts. Try again in ${result.retryAfterSeconds} seconds.`
                  : 'Too many failed sign-in attempts. Contact your administrator to reset your password.',
              ],
            }),
          );
        case 'invalid':
          // The same answer whether the user, the account or the password was wrong (AWS's words).
          return page(401, signInPage({ csrf, accountId, userName, errors: ['Your authentication information is incorrect. Please try again.'] }));
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
    const reason = current.profile.passwordResetRequired ? 'reset' : 'expired';

    if (current.session.mustChangePassword) {
      if (req.method === 'GET' && path === '/console/new-password') return page(200, newPasswordPage({ csrf, userName: current.user.name, reason }));
      if (req.method === 'POST' && path === '/console/new-password') {
        const next = form!.get('new') ?? '';
        if (next !== form!.get('confirm')) {
          return page(400, newPasswordPage({ csrf, userName: current.user.name, reason, errors: ['The new passwords do not match.'] }));
        }
        try {
          startSession(await signIn.setNewPassword(cookies[SESSION_COOKIE]!, next, facts));
          return redirect('/console/home?changed=1');
        } catch (e) {
          return page(400, newPasswordPage({ csrf, userName: current.user.name, reason, errors: messagesOf(e) }));
        }
      }
      // Nothing else until the password is changed.
      return redirect('/console/new-password');
    }

    const credentials = async (status: number, extra: { notice?: string; errors?: readonly string[] } = {}) => {
      const fresh = (await signIn.session(cookies[SESSION_COOKIE])) ?? current;
      const status_ = await signIn.passwordStatus(fresh.profile);
      return page(
        status,
        credentialsPage({ csrf, userName: current.user.name, arn: userArn(accountId, current.user.path, current.user.name), ...status_, ...extra }),
      );
    };

    if (req.method === 'GET' && path === '/console/home') {
      const changed = new URL(req.url ?? '/', 'http://x').searchParams.get('changed') === '1';
      return credentials(200, changed ? { notice: 'Your password has been changed.' } : {});
    }
    if (req.method === 'POST' && path === '/console/change-password') {
      const next = form!.get('new') ?? '';
      if (next !== form!.get('confirm')) return credentials(400, { errors: ['The new passwords do not match.'] });
      try {
        startSession(await signIn.changePassword(cookies[SESSION_COOKIE]!, form!.get('old') ?? '', next, facts));
        return redirect('/console/home?changed=1');
      } catch (e) {
        return credentials(e instanceof IamError && e.status === 403 ? 403 : 400, { errors: messagesOf(e) });
      }
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'Not Found', setCookies);
  };
}

/** Domain errors as lines for the page: each policy rule on its own line. */
function messagesOf(e: unknown): string[] {
  if (e instanceof PasswordPolicyViolation) return [...e.rules];
  if (e instanceof IamError) return [e.message];
  throw e;
}

function send(res: ServerResponse, status: number, contentType: string, body: string, setCookies: string[]): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'set-cookie': setCookies });
  res.end(body);
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
