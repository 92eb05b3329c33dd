import type { AccessKey } from '../domain/entities.js';
import type { Domain } from '../domain/context.js';
import { BoundedMap } from '../domain/bounded-map.js';

/**
 * Records when, where and for what each access key was last used (GetAccessKeyLastUsed), without
 * a database write per request: a key's use is written at most once a minute, or at once when
 * the region or service changes. AWS itself updates this information with a delay. The same
 * requests feed access advisor (GenerateServiceLastAccessedDetails): when each user last used each
 * service.
 */
export class KeyUsageRecorder {
  private readonly lastWritten = new BoundedMap<string, { at: number; region: string; service: string }>(10_000); // a miss costs one write
  private static readonly INTERVAL_MS = 60_000;

  constructor(private readonly domain: Domain) {}

  record(key: AccessKey, region: string, service: string): void {
    const now = this.domain.clock.now();
    if (key.userId !== null) this.recordServiceUse(key.userId, service, region, now);
    const last = this.lastWritten.get(key.id) ?? (key.lastUsed && { ...key.lastUsed, at: key.lastUsed.at.getTime() });
    if (last && last.region === region && last.service === service && now.getTime() - last.at < KeyUsageRecorder.INTERVAL_MS) return;
    this.lastWritten.set(key.id, { at: now.getTime(), region, service });
    // Fire and forget: a failure to record usage must not fail the request it describes.
    this.domain.store.accessKeys.recordUse(key.id, now, region, service).catch((e: unknown) => {
      this.domain.log.error('recording access key use failed', { accessKeyId: key.id, error: String(e) });
    });
  }

  /**
   * Access advisor's record: when the principal last authenticated to the service, at most one
   * write a minute per principal and service (a user's keys share it).
   */
  private readonly serviceWritten = new BoundedMap<string, number>(10_000);

  private recordServiceUse(principalId: string, service: string, region: string, now: Date): void {
    const id = `${principalId} ${service}`;
    const last = this.serviceWritten.get(id);
    if (last !== undefined && now.getTime() - last < KeyUsageRecorder.INTERVAL_MS) return;
    this.serviceWritten.set(id, now.getTime());
    // Fire and forget, as above.
    this.domain.store.accessAdvisor.recordServiceUse({ principalId, service, at: now, region }).catch((e: unknown) => {
      this.domain.log.error('recording service use failed', { principalId, service, error: String(e) });
    });
  }
}
