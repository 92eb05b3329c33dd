import type { ConsoleSignIn } from '../domain/console-sign-in.js';
import type { LoginProfile, User } from '../domain/entities.js';
import type { ConsoleSession } from '../ports/store.js';
import { IamError } from '../domain/errors.js';
import { userArn } from '../domain/arn.js';
import type { Markup } from './html.js';
import { credentialsPage, enrolPage, type Listing, newAccessKeyPage } from './views.js';
import { CSP_WITH_DATA_IMAGES } from './content-security.js';
import { PasswordPolicyViolation } from '../domain/passwords.js';
import type { Caller } from '../domain/entities.js';

/**
 * "My security credentials" for a signed-in user (past the MFA step and any forced password
 * change): the password change, MFA devices and access keys. Every change but the password's is
 * the API's own operation (ConsoleOperations.invoke), authorized with this session's MFA.
 */

/** Fixed notices by name: a redirect names one, so no text from the URL reaches the page. */
const NOTICES: Record<string, string> = {
  changed: 'Your password has been changed.',
  'mfa-assigned': 'Your MFA device is assigned. You will be asked for its code when you sign in.',
  'mfa-removed': 'Your MFA device is removed.',
  'mfa-cancelled': 'The new MFA device was not assigned, and is deleted.',
  'key-updated': 'The access key is updated.',
  'key-deleted': 'The access key is deleted.',
};

/** The IAM operations the console performs for its user: the API's own steps (QueryApi.invoke). */
export interface ConsoleOperations {
  invoke(
    caller: Caller,
    action: string,
    parameters: Record<string, string>,
    request: { sourceIp?: string; secureTransport: boolean; userAgent?: string },
  ): Promise<Record<string, unknown> | undefined>;
}

/** Domain errors as lines for the page: each policy rule on its own line. */
export function messagesOf(e: unknown): string[] {
  if (e instanceof PasswordPolicyViolation) return [...e.rules];
  if (e instanceof IamError) return [e.message];
  throw e;
}

export interface CredentialsRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams | undefined;
  csrf: string;
  /** The session cookie's token. */
  token: string;
  current: { session: ConsoleSession; user: User; profile: LoginProfile };
  signIn: ConsoleSignIn;
  operations: ConsoleOperations;
  accountId: string;
  request: { sourceIp?: string; secureTransport: boolean; userAgent?: string };
  page(status: number, markup: Markup, csp?: string): void;
  redirect(location: string): void;
  startSession(token: string): void;
}

/** Serves the request if it is one of these pages or forms; false when it is not. */
export async function credentialsRoutes(r: CredentialsRequest): Promise<boolean> {
  const { method, path, query, form, csrf, token, current, signIn, operations, accountId, request, page, redirect, startSession } = r;
  const field = (name: string) => form?.get(name) ?? '';
  // Each route below answers (a page or a redirect) and returns; reaching the end means the
  // request is not one of these pages.
  const NOT_HERE = Symbol('not here');
  const outcome = await (async (): Promise<unknown> => {
    // From here on the user acts through IAM's operations, authorized as the API authorizes them,
    // with this session's MFA in the request context.
    const caller = signIn.callerOf(current);
    const self = current.user.name;
    const call = (action: string, parameters: Record<string, string>) =>
      operations.invoke(caller, action, parameters, request);

    /** A list for the page, or the reason it may not be shown (the authorizer's message). */
    const listing = async <T>(read: () => Promise<readonly T[]>): Promise<Listing<T>> => {
      try {
        return { items: await read() };
      } catch (e) {
        if (e instanceof IamError && e.code === 'AccessDenied') return { denied: e.message };
        throw e;
      }
    };

    const credentials = async (status: number, extra: { notice?: string; errors?: readonly string[]; errorsIn?: 'password' | 'mfa' | 'keys' } = {}) => {
      const fresh = (await signIn.session(token)) ?? current;
      const status_ = await signIn.passwordStatus(fresh.profile);
      const mfaDevices = await listing(async () => {
        const out = await call('ListMFADevices', { UserName: self });
        return (out!.MFADevices as { SerialNumber: string; EnableDate: Date }[]).map((d) => ({ serialNumber: d.SerialNumber, enabledAt: d.EnableDate }));
      });
      const accessKeys = await listing(async () => {
        const out = await call('ListAccessKeys', { UserName: self });
        return (out!.AccessKeyMetadata as { AccessKeyId: string; Status: string; CreateDate: Date }[]).map((k) => ({
          id: k.AccessKeyId,
          status: k.Status,
          createdAt: k.CreateDate,
        }));
      });
      return page(
        status,
        credentialsPage({
          csrf,
          userName: self,
          arn: userArn(accountId, current.user.path, self),
          ...status_,
          ...extra,
          mfaDevices,
          accessKeys,
        }),
      );
    };
    /** Runs an operation for a form; its error goes on the page in the form's section. */
    const attempt = async (section: 'mfa' | 'keys', work: () => Promise<void>) => {
      try {
        await work();
        return true;
      } catch (e) {
        await credentials(e instanceof IamError ? e.status : 400, { errors: messagesOf(e), errorsIn: section });
        return false;
      }
    };

    if (method === 'GET' && path === '/console/home') {
      const notice = NOTICES[query.get('notice') ?? ''];
      return credentials(200, notice ? { notice } : {});
    }
    if (method === 'POST' && path === '/console/change-password') {
      const next = field('new');
      if (next !== form!.get('confirm')) return credentials(400, { errors: ['The new passwords do not match.'] });
      try {
        startSession(await signIn.changePassword(token, field('old'), next, request));
        return redirect('/console/home?notice=changed');
      } catch (e) {
        return credentials(e instanceof IamError && e.status === 403 ? 403 : 400, { errors: messagesOf(e) });
      }
    }

    // MFA: CreateVirtualMFADevice, then EnableMFADevice with two consecutive codes; removal is
    // DeactivateMFADevice then DeleteVirtualMFADevice, as AWS's page does.
    if (method === 'POST' && path === '/console/mfa/create') {
      let created: Record<string, unknown> | undefined;
      if (!(await attempt('mfa', async () => void (created = await call('CreateVirtualMFADevice', { VirtualMFADeviceName: field('name').trim() }))))) return;
      const device = created!.VirtualMFADevice as { SerialNumber: string; Base32StringSeed: Buffer; QRCodePNG: Buffer };
      return page(
        200,
        enrolPage({ csrf, serialNumber: device.SerialNumber, qrCodePng: device.QRCodePNG, seed: device.Base32StringSeed.toString('ascii') }),
        CSP_WITH_DATA_IMAGES,
      );
    }
    if (method === 'POST' && path === '/console/mfa/enable') {
      const serialNumber = field('serial');
      try {
        await call('EnableMFADevice', {
          UserName: self,
          SerialNumber: serialNumber,
          AuthenticationCode1: field('code1').trim(),
          AuthenticationCode2: field('code2').trim(),
        });
      } catch (e) {
        // Again, without the QR code: it was shown once.
        return page(e instanceof IamError ? e.status : 400, enrolPage({ csrf, serialNumber, errors: messagesOf(e) }));
      }
      return redirect('/console/home?notice=mfa-assigned');
    }
    if (method === 'POST' && path === '/console/mfa/cancel') {
      if (await attempt('mfa', async () => void (await call('DeleteVirtualMFADevice', { SerialNumber: field('serial') })))) {
        return redirect('/console/home?notice=mfa-cancelled');
      }
      return;
    }
    if (method === 'POST' && path === '/console/mfa/remove') {
      const serialNumber = field('serial');
      const removed = await attempt('mfa', async () => {
        await call('DeactivateMFADevice', { UserName: self, SerialNumber: serialNumber });
        // That ended every session of the user, this one too: it goes on under a new token.
        startSession(await signIn.continueAfterOwnDeactivation(current));
        await call('DeleteVirtualMFADevice', { SerialNumber: serialNumber });
      });
      return removed ? redirect('/console/home?notice=mfa-removed') : undefined;
    }

    // Access keys: the secret of a new one is shown once, on the answer to the form.
    if (method === 'POST' && path === '/console/keys/create') {
      let created: Record<string, unknown> | undefined;
      if (!(await attempt('keys', async () => void (created = await call('CreateAccessKey', { UserName: self }))))) return;
      const key = created!.AccessKey as { AccessKeyId: string; SecretAccessKey: string };
      return page(200, newAccessKeyPage({ accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey }));
    }
    if (method === 'POST' && path === '/console/keys/update') {
      const ok = await attempt('keys', async () => void (await call('UpdateAccessKey', { UserName: self, AccessKeyId: field('id'), Status: field('status') })));
      return ok ? redirect('/console/home?notice=key-updated') : undefined;
    }
    if (method === 'POST' && path === '/console/keys/delete') {
      const ok = await attempt('keys', async () => void (await call('DeleteAccessKey', { UserName: self, AccessKeyId: field('id') })));
      return ok ? redirect('/console/home?notice=key-deleted') : undefined;
    }
    return NOT_HERE;
  })();
  return outcome !== NOT_HERE;
}
