import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { rootArn, userArn } from './arn.js';
import { passwordExpiresAt } from './password-policy.js';

/** ISO 8601 in UTC with second precision and +00:00, as the credential report writes times. */
const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');

/**
 * The credential report: one CSV line per IAM user (and the root account), in AWS's 22 columns
 * and AWS's values (lower-case true/false, N/A, no_information, not_supported). A report is kept
 * for 4 hours, as AWS keeps it; GenerateCredentialReport builds a new one each time it is called.
 */

export const COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_1_last_used_region',
  'access_key_1_last_used_service',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'access_key_2_last_used_region',
  'access_key_2_last_used_service',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

export const REPORT_LIFETIME_MS = 4 * 3600_000;

export async function generateCredentialReport(domain: Domain): Promise<{ state: 'STARTED' | 'COMPLETE'; description?: string }> {
  const previous = await domain.store.credentialReports.get();
  const now = domain.clock.now();
  await domain.store.credentialReports.put(now, Buffer.from(await buildReport(domain, now), 'utf8'));
  return previous ? { state: 'COMPLETE' } : { state: 'STARTED', description: 'No report exists. Starting a new report generation task' };
}

export async function getCredentialReport(domain: Domain): Promise<{ content: Buffer; generatedAt: Date }> {
  const report = await domain.store.credentialReports.get();
  if (!report) throw new IamError('ReportNotPresent', '');
  if (domain.clock.now().getTime() - report.generatedAt.getTime() > REPORT_LIFETIME_MS) {
    throw new IamError('ReportExpired', 'The credential report has expired. Generate a new one with GenerateCredentialReport.');
  }
  return report;
}

async function buildReport(domain: Domain, now: Date): Promise<string> {
  const { store, accountId } = domain;
  const policy = await store.passwordPolicy.get();
  const lines: string[] = [COLUMNS.join(',')];
  const created = new Date(Number((await store.settings.get('account_created_at')) ?? now.getTime()));
  const rootKeys = await store.accessKeys.listForOwner(null);
  const rootCerts = await store.signingCertificates.listForOwner(null);
  lines.push(row(['<root_account>', rootArn(accountId), isoSeconds(created), 'not_supported', 'no_information', 'not_supported', 'not_supported', 'false', ...keyColumns(rootKeys), ...certColumns(rootCerts)]));

  for (let marker: string | undefined; ; ) {
    const page = await store.users.list({ pathPrefix: '/', marker, maxItems: 1000 });
    for (const user of page.items) {
      const profile = await store.loginProfiles.get(user.id);
      const keys = await store.accessKeys.listForOwner(user.id);
      const mfaActive = (await store.mfaDevices.listForUser(user.id)).length > 0;
      const nextRotation = profile && passwordExpiresAt(profile.passwordChangedAt, policy);
      lines.push(
        row([
          user.name,
          userArn(accountId, user.path, user.name),
          isoSeconds(user.createdAt),
          profile ? 'true' : 'false',
          user.passwordLastUsed ? isoSeconds(user.passwordLastUsed) : profile ? 'no_information' : 'N/A',
          profile ? isoSeconds(profile.passwordChangedAt) : 'N/A',
          nextRotation ? isoSeconds(nextRotation) : 'N/A',
          mfaActive ? 'true' : 'false',
          ...keyColumns(keys),
          ...certColumns(await store.signingCertificates.listForOwner(user.id)),
        ]),
      );
    }
    if (page.nextMarker === undefined) break;
    marker = page.nextMarker;
  }
  return lines.join('\n');
}

function keyColumns(keys: { status: string; createdAt: Date; lastUsed: { at: Date; region: string; service: string } | null }[]): string[] {
  const out: string[] = [];
  for (const key of [keys[0], keys[1]]) {
    if (!key) {
      out.push('false', 'N/A', 'N/A', 'N/A', 'N/A');
      continue;
    }
    out.push(
      key.status === 'Active' ? 'true' : 'false',
      isoSeconds(key.createdAt),
      key.lastUsed ? isoSeconds(key.lastUsed.at) : 'N/A',
      key.lastUsed ? key.lastUsed.region : 'N/A',
      key.lastUsed ? key.lastUsed.service : 'N/A',
    );
  }
  return out;
}

/** cert_1 and cert_2, in upload order: whether each is active, and when it was uploaded. */
function certColumns(certs: { status: string; uploadedAt: Date }[]): string[] {
  return [certs[0], certs[1]].flatMap((cert) => (cert ? [cert.status === 'Active' ? 'true' : 'false', isoSeconds(cert.uploadedAt)] : ['false', 'N/A']));
}

/** CSV fields: IAM names and ARNs contain no commas or quotes except in paths, which are quoted. */
const row = (fields: string[]) => fields.map((f) => (/[",\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',');
