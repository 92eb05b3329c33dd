import { html, type Markup } from './html.js';

/**
 * The console's pages: plain server-rendered HTML, one stylesheet, no script. Every form carries
 * the CSRF token; labels are tied to their inputs, and the tab order follows the page.
 */

const layout = (title: string, body: Markup) => html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · iamd</title>
<link rel="stylesheet" href="/console/style.css">
</head>
<body>
<header><span class="brand">iamd</span> console</header>
<main>
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

const problems = (messages: readonly string[]) =>
  messages.length === 0
    ? ''
    : html`<div class="error" role="alert" id="errors"><ul>${messages.map((m) => html`<li>${m}</li>`)}</ul></div>`;

export function signInPage(v: { csrf: string; accountId: string; userName?: string; errors?: readonly string[]; notice?: string }): Markup {
  return layout(
    'Sign in as IAM user',
    html`${problems(v.errors ?? [])}${v.notice ? html`<p class="notice" role="status">${v.notice}</p>` : ''}
<form method="post" action="/console/signin">
${csrfField(v.csrf)}
<label for="account">Account ID</label>
<input id="account" name="account" inputmode="numeric" autocomplete="off" required value="${v.accountId}">
<label for="username">IAM user name</label>
<input id="username" name="username" autocomplete="username" required value="${v.userName ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function refusedPage(message: string): Markup {
  return layout('Sign-in refused', html`<p class="error" role="alert" id="errors">${message}</p><p><a href="/console">Back to sign-in</a></p>`);
}

export function newPasswordPage(v: { csrf: string; userName: string; reason: 'reset' | 'expired'; errors?: readonly string[] }): Markup {
  const why =
    v.reason === 'reset'
      ? 'Your administrator requires you to choose a new password before you continue.'
      : 'Your password has expired. Choose a new password to continue.';
  return layout(
    'Choose a new password',
    html`<p>Signed in as <strong>${v.userName}</strong>. ${why}</p>${problems(v.errors ?? [])}
<form method="post" action="/console/new-password">
${csrfField(v.csrf)}
<label for="new">New password</label>
<input id="new" name="new" type="password" autocomplete="new-password" required>
<label for="confirm">Confirm new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<button type="submit">Set new password</button>
</form>
${signOutForm(v.csrf)}`,
  );
}

export function credentialsPage(v: {
  csrf: string;
  userName: string;
  arn: string;
  ageDays: number;
  expiresAt?: Date;
  warn: boolean;
  notice?: string;
  errors?: readonly string[];
}): Markup {
  const expiry = v.expiresAt
    ? html`<p id="expiry">Your password expires on <time datetime="${v.expiresAt.toISOString()}">${v.expiresAt.toISOString().slice(0, 10)}</time>.</p>`
    : html`<p id="expiry">Your password does not expire.</p>`;
  return layout(
    'My security credentials',
    html`<p>Signed in as <strong id="user">${v.userName}</strong> (<code>${v.arn}</code>).</p>
${v.warn ? html`<p class="warning" role="alert" id="expiry-warning">Your password will expire soon. Change it now to keep access.</p>` : ''}
${v.notice ? html`<p class="notice" role="status" id="notice">${v.notice}</p>` : ''}
<h2>Console password</h2>
<p id="age">Your password is ${v.ageDays} day${v.ageDays === 1 ? '' : 's'} old.</p>
${expiry}
${problems(v.errors ?? [])}
<form method="post" action="/console/change-password">
${csrfField(v.csrf)}
<label for="old">Current password</label>
<input id="old" name="old" type="password" autocomplete="current-password" required>
<label for="new">New password</label>
<input id="new" name="new" type="password" autocomplete="new-password" required>
<label for="confirm">Confirm new password</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required>
<button type="submit">Change password</button>
</form>
${signOutForm(v.csrf)}`,
  );
}

const signOutForm = (csrf: string) => html`<form method="post" action="/console/signout" class="signout">
${csrfField(csrf)}
<button type="submit" class="secondary">Sign out</button>
</form>`;

export const STYLESHEET = `
:root { color-scheme: light; --ink: #16191f; --muted: #545b64; --accent: #0b5fad; --bad: #b0201c; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f2f3f3; }
header { background: #232f3e; color: #fff; padding: .75rem 1rem; }
.brand { font-weight: 700; }
main { max-width: 28rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
h1 { font-size: 1.4rem; margin-top: 0; }
h2 { font-size: 1.1rem; }
label { display: block; margin-top: 1rem; font-weight: 600; }
input { width: 100%; padding: .6rem; font: inherit; border: 1px solid #879596; border-radius: 4px; }
input:focus, button:focus, a:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
button { margin-top: 1.25rem; width: 100%; padding: .7rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 4px; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); border: 1px solid var(--accent); }
.error { color: var(--bad); border-left: 4px solid var(--bad); padding: .5rem .75rem; background: #fdf3f2; }
.error ul { margin: 0; padding-left: 1.1rem; }
.warning { color: var(--warn); border-left: 4px solid var(--warn); padding: .5rem .75rem; background: #fff8e6; }
.notice { color: #1d6b32; border-left: 4px solid #1d6b32; padding: .5rem .75rem; background: #f0faf2; }
code { font-size: .85em; word-break: break-all; }
@media (max-width: 30rem) { main { margin: 0; border-radius: 0; box-shadow: none; } }
`;
