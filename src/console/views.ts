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
<label for="account">Account ID or alias</label>
<input id="account" name="account" autocomplete="off" autocapitalize="none" spellcheck="false" required value="${v.accountId}">
<label for="username">IAM user name</label>
<input id="username" name="username" autocomplete="username" required value="${v.userName ?? ''}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function refusedPage(message: string, title = 'Sign-in refused'): Markup {
  return layout(title, html`<p class="error" role="alert" id="errors">${message}</p><p><a href="/console">Back to sign-in</a></p>`);
}

/** The second step: a code from the user's MFA device (a choice of device when there are several). */
export function mfaCodePage(v: { csrf: string; userName: string; devices: readonly { serialNumber: string; name: string }[]; errors?: readonly string[] }): Markup {
  const choice =
    v.devices.length > 1
      ? html`<label for="device">MFA device</label>
<select id="device" name="device">${v.devices.map((d) => html`<option value="${d.serialNumber}">${d.name}</option>`)}</select>`
      : '';
  return layout(
    'Multi-factor authentication',
    html`<p>Signed in as <strong>${v.userName}</strong>. Enter the code your authenticator app shows for this account.</p>${problems(v.errors ?? [])}
<form method="post" action="/console/mfa">
${csrfField(v.csrf)}
${choice}
<label for="code">MFA code</label>
<input id="code" name="code" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required autofocus>
<button type="submit">Submit</button>
</form>
${signOutForm(v.csrf, 'Cancel')}`,
  );
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

/** What My security credentials shows of a list it may not be allowed to read: the items, or why not. */
export type Listing<T> = { items: readonly T[] } | { denied: string };

export interface MfaDeviceRow {
  serialNumber: string;
  enabledAt: Date;
}

export interface AccessKeyRow {
  id: string;
  status: string;
  createdAt: Date;
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
  /** Where the errors belong: the section whose form failed (password by default). */
  errorsIn?: 'password' | 'mfa' | 'keys';
  mfaDevices: Listing<MfaDeviceRow>;
  accessKeys: Listing<AccessKeyRow>;
}): Markup {
  const errorsIn = v.errorsIn ?? 'password';
  const errorsFor = (section: typeof errorsIn) => (errorsIn === section ? problems(v.errors ?? []) : '');
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
${errorsFor('password')}
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
<h2>Multi-factor authentication (MFA)</h2>
${errorsFor('mfa')}
${mfaSection(v.csrf, v.userName, v.mfaDevices)}
<h2>Access keys</h2>
${errorsFor('keys')}
${accessKeySection(v.csrf, v.accessKeys)}
${signOutForm(v.csrf)}`,
  );
}

const day = (d: Date) => html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 10)}</time>`;

function mfaSection(csrf: string, userName: string, devices: Listing<MfaDeviceRow>): Markup {
  // When the list may not be read, the page says why, and still offers the form: the operation
  // itself is authorized (or refused) on its own, as the API does.
  const items = 'denied' in devices ? [] : devices.items;
  const rows = items.map(
    (d) => html`<tr><td><code>${d.serialNumber}</code></td><td>${day(d.enabledAt)}</td><td>
<form method="post" action="/console/mfa/remove">${csrfField(csrf)}<input type="hidden" name="serial" value="${d.serialNumber}"><button type="submit" class="secondary small" aria-label="Remove ${d.serialNumber}">Remove</button></form></td></tr>`,
  );
  return html`${
    'denied' in devices
      ? html`<p class="warning" id="mfa-denied">${devices.denied}</p>`
      : items.length === 0
      ? html`<p id="mfa-none">No MFA device is assigned to you.</p>`
      : html`<table id="mfa-devices"><thead><tr><th>Device</th><th>Assigned</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
  }
<form method="post" action="/console/mfa/create">
${csrfField(csrf)}
<label for="device-name">Device name</label>
<input id="device-name" name="name" required maxlength="226" value="${userName}">
<button type="submit">Assign MFA device</button>
</form>`;
}

function accessKeySection(csrf: string, keys: Listing<AccessKeyRow>): Markup {
  const items = 'denied' in keys ? [] : keys.items;
  const action = (path: string, id: string, label: string, extra: Markup | '' = '') =>
    html`<form method="post" action="/console/keys/${path}">${csrfField(csrf)}<input type="hidden" name="id" value="${id}">${extra}<button type="submit" class="secondary small" aria-label="${label} ${id}">${label}</button></form>`;
  const rows = items.map(
    (k) => html`<tr><td><code>${k.id}</code></td><td>${k.status}</td><td>${day(k.createdAt)}</td><td class="actions">
${k.status === 'Active' ? action('update', k.id, 'Deactivate', html`<input type="hidden" name="status" value="Inactive">`) : action('update', k.id, 'Activate', html`<input type="hidden" name="status" value="Active">`)}
${action('delete', k.id, 'Delete')}</td></tr>`,
  );
  return html`${
    'denied' in keys
      ? html`<p class="warning" id="keys-denied">${keys.denied}</p>`
      : items.length === 0
      ? html`<p id="keys-none">You have no access keys.</p>`
      : html`<table id="access-keys"><thead><tr><th>Access key</th><th>Status</th><th>Created</th><th></th></tr></thead><tbody>${rows}</tbody></table>`
  }
<form method="post" action="/console/keys/create">
${csrfField(csrf)}
<button type="submit">Create access key</button>
</form>`;
}

/**
 * A new virtual MFA device: its QR code (a data: URL PNG; this page's CSP allows data: images and
 * nothing more) and its secret key for typing in, shown this once, then two consecutive codes.
 * On a second try (wrong codes) the QR code is not shown again: iamd no longer has it.
 */
export function enrolPage(v: { csrf: string; serialNumber: string; qrCodePng?: Buffer; seed?: string; errors?: readonly string[] }): Markup {
  const show = v.qrCodePng
    ? html`<p>Scan this QR code with your authenticator app, then enter two consecutive codes it shows.</p>
<img id="qr" src="data:image/png;base64,${v.qrCodePng.toString('base64')}" alt="QR code of the new MFA device" width="200" height="200">
<details><summary>Show secret key</summary><p><code id="seed">${v.seed ?? ''}</code></p></details>`
    : html`<p>Enter two consecutive codes your authenticator app shows for this device.</p>`;
  return layout(
    'Assign MFA device',
    html`<p>Device <code id="serial">${v.serialNumber}</code></p>${show}${problems(v.errors ?? [])}
<form method="post" action="/console/mfa/enable">
${csrfField(v.csrf)}
<input type="hidden" name="serial" value="${v.serialNumber}">
<label for="code1">MFA code 1</label>
<input id="code1" name="code1" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" required>
<label for="code2">MFA code 2</label>
<input id="code2" name="code2" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="off" required>
<button type="submit">Add MFA</button>
</form>
<form method="post" action="/console/mfa/cancel">
${csrfField(v.csrf)}
<input type="hidden" name="serial" value="${v.serialNumber}">
<button type="submit" class="secondary">Cancel</button>
</form>`,
  );
}

/** A new access key: the secret shown this once. */
export function newAccessKeyPage(v: { accessKeyId: string; secretAccessKey: string }): Markup {
  return layout(
    'Access key created',
    html`<p class="warning" role="alert">This is the only time the secret access key can be viewed. Save it now; you cannot retrieve it later.</p>
<dl>
<dt>Access key</dt><dd><code id="new-key-id">${v.accessKeyId}</code></dd>
<dt>Secret access key</dt><dd><code id="new-key-secret">${v.secretAccessKey}</code></dd>
</dl>
<p><a href="/console/home">Done</a></p>`,
  );
}

/** Any refusal of a console request (too large, too many, not found, failed): a page, never XML. */
export function errorPage(v: { status: number; title: string; message: string }): Markup {
  return layout(v.title, html`<p class="error" role="alert" id="errors">${v.message}</p><p><a href="/console">Back to the console</a></p>`);
}

const signOutForm = (csrf: string, label = 'Sign out') => html`<form method="post" action="/console/signout" class="signout">
${csrfField(csrf)}
<button type="submit" class="secondary">${label}</button>
</form>`;

export const STYLESHEET = `
:root { color-scheme: light; --ink: #16191f; --muted: #545b64; --accent: #0b5fad; --bad: #b0201c; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f2f3f3; }
header { background: #232f3e; color: #fff; padding: .75rem 1rem; }
.brand { font-weight: 700; }
main { max-width: 36rem; margin: 2rem auto; padding: 1.5rem; background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
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
select { width: 100%; padding: .6rem; font: inherit; }
table { width: 100%; border-collapse: collapse; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .25rem; border-bottom: 1px solid #d5dbdb; vertical-align: top; }
td form { display: inline; }
button.small { width: auto; margin: 0 .25rem .25rem 0; padding: .25rem .5rem; font-size: .85rem; }
#qr { display: block; margin: 1rem auto; image-rendering: pixelated; }
dd { margin: 0 0 .75rem 0; }
@media (max-width: 30rem) { main { margin: 0; border-radius: 0; box-shadow: none; } }
`;
