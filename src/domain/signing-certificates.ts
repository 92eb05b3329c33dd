import { createHash, X509Certificate } from 'node:crypto';
import type { Caller, CredentialStatus, SigningCertificate, User } from './entities.js';
import { type Domain, requireUser, targetUserName } from './context.js';
import { errors, IamError } from './errors.js';
import { refuseExpiredStatus } from './credential-status.js';

/**
 * X.509 signing certificates: at most two per user, and two for the root user, who acts on its
 * own when it names no user (as AWS documents). A certificate belongs to one owner in the account.
 */

export const MAX_SIGNING_CERTIFICATES = 2;

/**
 * AWS echoes the body it could not read (recorded: `Certificate invalid-certificate-body is
 * malformed.`). A body that holds a private key is not echoed: error messages reach the audit log.
 */
const malformed = (body: string) =>
  new IamError('MalformedCertificate', `Certificate ${/PRIVATE KEY/.test(body) ? '(a private key, not shown)' : body} is malformed.`);
// Recorded AWS texts.
const certificateQuota = () => new IamError('LimitExceeded', `Cannot exceed quota for CertificatesPerUser: ${MAX_SIGNING_CERTIFICATES}`);
export const noSuchCertificate = (id: string) => new IamError('NoSuchEntity', `The Certificate with id ${id} cannot be found.`);
// Not found anywhere: the model's description of the error.
const duplicateCertificate = () => new IamError('DuplicateCertificate', 'The same certificate is associated with an IAM user in the account.');

/** The owner a call acts on: the named user, else the calling user, else (root) the root user's own (null). */
async function owner(domain: Domain, caller: Caller, userName: string | undefined): Promise<User | null> {
  if (userName !== undefined) return requireUser(domain, userName);
  return caller.kind === 'root' ? null : requireUser(domain, targetUserName(caller, undefined));
}

/** One PEM certificate that node's X.509 parser reads; its identity is the SHA-256 of its DER form. */
function thumbprintOf(body: string): string {
  if (body.match(/-----BEGIN CERTIFICATE-----/g)?.length !== 1) throw malformed(body);
  try {
    return createHash('sha256').update(new X509Certificate(body).raw).digest('hex');
  } catch {
    throw malformed(body);
  }
}

export async function uploadSigningCertificate(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; CertificateBody: string },
): Promise<{ certificate: SigningCertificate; user: User | null }> {
  const user = await owner(domain, caller, input.UserName);
  const certificate: SigningCertificate = {
    // Upper-case base32 like AWS's (24-128 characters by the model; AWS's examples are 24-32).
    id: domain.ids.uniqueId('', 32),
    userId: user?.id ?? null,
    body: input.CertificateBody,
    thumbprint: thumbprintOf(input.CertificateBody),
    status: 'Active',
    uploadedAt: domain.clock.now(),
  };
  const created = await domain.store.signingCertificates.create(certificate, MAX_SIGNING_CERTIFICATES);
  if (created === 'duplicate') throw duplicateCertificate();
  if (created === 'quota') throw certificateQuota();
  if (created === 'no-owner') throw errors.noSuchUser(user!.name); // deleted meanwhile
  return { certificate, user };
}

export async function listSigningCertificates(
  domain: Domain,
  caller: Caller,
  userName: string | undefined,
): Promise<{ certificates: SigningCertificate[]; user: User | null }> {
  const user = await owner(domain, caller, userName);
  return { certificates: await domain.store.signingCertificates.listForOwner(user?.id ?? null), user };
}

export async function updateSigningCertificate(
  domain: Domain,
  caller: Caller,
  input: { UserName?: string; CertificateId: string; Status: CredentialStatus | 'Expired' },
): Promise<void> {
  const status = refuseExpiredStatus(input.Status);
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.signingCertificates.setStatus(user?.id ?? null, input.CertificateId, status))) throw noSuchCertificate(input.CertificateId);
}

export async function deleteSigningCertificate(domain: Domain, caller: Caller, input: { UserName?: string; CertificateId: string }): Promise<void> {
  const user = await owner(domain, caller, input.UserName);
  if (!(await domain.store.signingCertificates.delete(user?.id ?? null, input.CertificateId))) throw noSuchCertificate(input.CertificateId);
}
