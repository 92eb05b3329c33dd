import type { AccessKey } from './entities.js';
import type { Domain } from './context.js';
import type { Store } from '../ports/store.js';
import { isSealed, SealError, sealedKeyId, type SecretSealer } from '../ports/secret-sealer.js';
import { sealedSigningKeys } from './outbound-federation.js';
import { BoundedMap } from './bounded-map.js';

/**
 * Secrets at rest: access-key secrets, virtual MFA devices' seeds and private keys (server
 * certificates', SAML providers', outbound federation's token signing keys). They are sealed (encrypted
 * under the master key) before any store sees them, and opened only where they are used (a
 * signature checked, an MFA code verified). Rows written before sealing existed
 * (plaintext) keep working and are sealed the first time they are used, or by
 * `iamd rotate-master-key`.
 */

/**
 * The secret a request's signature is checked against. A value that is plaintext or sealed under
 * an older key is re-sealed under the current key in the background (compare-and-set, so a
 * concurrent change wins); a failure there does not fail the request.
 */
export function secretForSigning(domain: Domain, key: AccessKey): string {
  const secret = openCached(domain.sealer, key.secret);
  if (domain.sealer.keyId !== null && !domain.sealer.isCurrent(key.secret)) {
    domain.store.accessKeys.replaceSecret(key.id, key.secret, domain.sealer.seal(secret)).catch((e: unknown) => {
      domain.log.error('re-sealing an access-key secret failed', { accessKeyId: key.id, error: String(e) });
    });
  }
  return secret;
}

// Opening a secret (AES-GCM) on every request cost ~6% of a read's CPU; opened secrets are kept
// by their sealed text (unique per secret: each sealing has a fresh IV), like the derived-key cache.
const opened = new BoundedMap<string, string>(256);

function openCached(sealer: SecretSealer, sealed: string): string {
  let secret = opened.get(sealed);
  if (secret === undefined) {
    secret = sealer.unseal(sealed);
    opened.set(sealed, secret);
  }
  return secret;
}

/**
 * At start-up: every stored secret can be opened with the configured master key. A wrong or
 * missing key is a clear refusal to start, not a stream of failed signatures.
 */
export async function checkSecretsReadable(store: Store, sealer: SecretSealer): Promise<void> {
  const unknown = new Set<string>();
  const sealedValues = [
    ...(await store.accessKeys.listAllSecrets()),
    ...(await store.mfaDevices.listAllSeeds()).map((d) => ({ secret: d.seed })),
    ...(await store.serverCertificates.listAllPrivateKeys()).map((c) => ({ secret: c.privateKey })),
    ...(await store.samlProviders.listAllPrivateKeys()).map((k) => ({ secret: k.privateKey })),
    ...(await sealedSigningKeys(store)).map((k) => ({ secret: k.sealed })),
  ];
  for (const { secret } of sealedValues) {
    try {
      sealer.unseal(secret);
    } catch (e) {
      if (!(e instanceof SealError)) throw e;
      unknown.add(sealedKeyId(secret) ?? '?');
    }
  }
  if (unknown.size > 0) {
    throw new SealError(
      `access-key secrets, MFA seeds or private keys (server certificates, SAML, token signing) are sealed under master key ${[...unknown].join(', ')}, but the configured master key is ` +
        `${sealer.keyId ?? 'none'}: set IAMD_MASTER_KEY, or restore the data folder's master.key`,
    );
  }
}

export interface RotationResult {
  /** Keys re-sealed under the new master key. */
  resealed: number;
  /** Keys already under the new master key (a rotation run again after an interruption). */
  alreadyCurrent: number;
  /** Keys changed or deleted while the rotation ran (left to their writer). */
  skipped: number;
}

/**
 * Re-seals every stored secret under `to`. `from` must open every stored value (the old key ring,
 * plus the new key, so that an interrupted rotation can be run again). Each key is replaced on its
 * own, atomically (compare-and-set on the stored value): a crash leaves every key either old or new.
 */
export async function resealAllSecrets(store: Store, from: SecretSealer, to: SecretSealer): Promise<RotationResult> {
  const result: RotationResult = { resealed: 0, alreadyCurrent: 0, skipped: 0 };
  // Access-key secrets, virtual MFA devices' seeds, server certificates' private keys: the same
  // sealing, the same compare-and-set.
  const sealedValues = [
    ...(await store.accessKeys.listAllSecrets()).map(({ id, secret }) => ({
      value: secret,
      replace: (sealed: string) => store.accessKeys.replaceSecret(id, secret, sealed),
    })),
    ...(await store.mfaDevices.listAllSeeds()).map(({ id, seed }) => ({
      value: seed,
      replace: (sealed: string) => store.mfaDevices.replaceSeed(id, seed, sealed),
    })),
    ...(await store.serverCertificates.listAllPrivateKeys()).map(({ id, privateKey }) => ({
      value: privateKey,
      replace: (sealed: string) => store.serverCertificates.replacePrivateKey(id, privateKey, sealed),
    })),
    // SAML providers' private keys (for encrypted assertions).
    ...(await store.samlProviders.listAllPrivateKeys()).map(({ providerId, keyId, privateKey }) => ({
      value: privateKey,
      replace: (sealed: string) => store.samlProviders.replacePrivateKey(providerId, keyId, privateKey, sealed),
    })),
    // The outbound web identity federation signing keys (kept in the settings).
    ...(await sealedSigningKeys(store)).map(({ setting, sealed: value }) => ({
      value,
      replace: (sealed: string) => store.settings.replace(setting, value, sealed),
    })),
  ];
  for (const { value, replace } of sealedValues) {
    if (to.isCurrent(value) && isSealed(value)) {
      result.alreadyCurrent++;
      continue;
    }
    if (await replace(to.seal(from.unseal(value)))) result.resealed++;
    else result.skipped++;
  }
  return result;
}
