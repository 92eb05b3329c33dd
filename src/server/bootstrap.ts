import type { Domain } from '../domain/context.js';
import type { ServeConfig } from '../config/config.js';

/**
 * First-start set-up of an installation: when the account was created, and its root credentials.
 * Configured credentials (IAMD_ROOT_*) are installed as given. Otherwise iamd generates a pair the
 * first time, prints it once on stdout (it is never logged) and keeps it in the store; in memory
 * mode that is every start. Secrets reach the store only sealed under the master key.
 */
export async function bootstrap(domain: Domain, config: ServeConfig, print: (text: string) => void): Promise<void> {
  const { settings, accessKeys } = domain.store;
  const now = domain.clock.now();
  if ((await settings.get('account_created_at')) === undefined) await settings.set('account_created_at', String(now.getTime()));

  if (config.rootCredentials) {
    await accessKeys.upsertRootKey(config.rootCredentials.accessKeyId, domain.sealer.seal(config.rootCredentials.secretAccessKey), now);
    return;
  }
  if ((await settings.get('root_credentials_generated')) !== undefined) return;
  const accessKeyId = domain.ids.accessKeyId(domain.accountId);
  const secretAccessKey = domain.ids.secretAccessKey();
  await accessKeys.upsertRootKey(accessKeyId, domain.sealer.seal(secretAccessKey), now);
  await settings.set('root_credentials_generated', accessKeyId);
  print(
    [
      'iamd: generated root credentials for account ' + domain.accountId + ' (shown only this once, keep them safe):',
      `  AWS_ACCESS_KEY_ID=${accessKeyId}`,
      `  AWS_SECRET_ACCESS_KEY=${secretAccessKey}`,
      '',
    ].join('\n'),
  );
}
