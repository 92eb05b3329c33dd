import type { MfaDevice, Tag, User } from '../../domain/entities.js';
import type { AcceptedSteps, ListPage, MfaAssignment, MfaDeviceRepository } from '../../ports/store.js';
import { cutAtNul, fold, hasNul, one, run, type Sql, type Work } from './sql.js';
import { removeAllTags, removeTags, Tags, upsertTags } from './tags.js';
import { toUser, type UserRow } from './users.js';

/**
 * Virtual MFA devices. A device is found by its serial number (its ARN) regardless of case, and
 * keeps, sealed, the seed its codes are computed from, the user it is enabled for, and the last
 * time step a code of it was accepted at, so that no code is accepted twice: every acceptance is
 * a compare-and-set on that step, in one transaction with the device's row locked.
 */

interface MfaRow {
  id: string;
  serial: string;
  serial_key: string;
  name: string;
  path: string;
  created_at: number;
  seed: string;
  user_id: string | null;
  enabled_at: number | null;
  last_step: number | null;
  drift: number;
}

const toDevice = (r: MfaRow, tags: Tag[]): MfaDevice => ({
  id: r.id,
  serialNumber: r.serial,
  name: r.name,
  path: r.path,
  createdAt: new Date(r.created_at),
  sealedSeed: r.seed,
  userId: r.user_id,
  enabledAt: r.enabled_at === null ? null : new Date(r.enabled_at),
  lastStep: r.last_step,
  drift: r.drift,
  tags,
});

const ASSIGNMENT: Record<MfaAssignment, string> = {
  Assigned: 'AND user_id IS NOT NULL',
  Unassigned: 'AND user_id IS NULL',
  Any: '',
};

/** Whether codes at these steps come after every code the device accepted before. */
const fresh = (row: MfaRow, accepted: AcceptedSteps) => row.last_step === null || accepted.firstStep > row.last_step;

export class SqlMfaDevices implements MfaDeviceRepository {
  private readonly tags: Tags;

  constructor(private readonly sql: Sql) {
    this.tags = new Tags(sql);
  }

  /** Within a transaction: the device's row, locked until the transaction ends. */
  private *locked(serialNumber: string): Work<MfaRow | undefined> {
    if (hasNul(serialNumber)) return undefined;
    return yield* one<MfaRow>('SELECT * FROM mfa_devices WHERE serial_key = ? FOR UPDATE', [fold(serialNumber)]);
  }

  async create(d: MfaDevice): Promise<boolean> {
    return this.sql.transaction(function* () {
      const inserted = yield* run(
        `INSERT INTO mfa_devices (id, serial, serial_key, name, path, created_at, seed, user_id, enabled_at, last_step, drift)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, 0) ON CONFLICT DO NOTHING`,
        [d.id, d.serialNumber, fold(d.serialNumber), d.name, d.path, d.createdAt.getTime(), d.sealedSeed],
      );
      if (inserted !== 1) return false;
      yield* upsertTags(d.id, d.tags, Number.MAX_SAFE_INTEGER);
      return true;
    });
  }

  async get(serialNumber: string): Promise<MfaDevice | undefined> {
    if (hasNul(serialNumber)) return undefined;
    const row = await this.sql.one<MfaRow>('SELECT * FROM mfa_devices WHERE serial_key = ?', [fold(serialNumber)]);
    return row && toDevice(row, await this.tags.of(row.id));
  }

  async list(options: { assignment: MfaAssignment; marker?: string; maxItems: number }): Promise<ListPage<{ device: MfaDevice; user?: User }>> {
    const rows = await this.sql.all<MfaRow>(
      `SELECT * FROM mfa_devices WHERE serial_key > ? ${ASSIGNMENT[options.assignment]} ORDER BY serial_key LIMIT ?`,
      [fold(cutAtNul(options.marker ?? '')), options.maxItems + 1],
    );
    const page = rows.slice(0, options.maxItems);
    const userIds = [...new Set(page.flatMap((r) => (r.user_id === null ? [] : [r.user_id])))];
    const users = new Map<string, User>();
    if (userIds.length > 0) {
      for (const u of await this.sql.all<UserRow>('SELECT * FROM users WHERE id = ANY(?)', [userIds])) users.set(u.id, toUser(u, []));
    }
    const tags = await this.tags.ofMany(page.map((r) => r.id));
    const items = page.map((r) => ({ device: toDevice(r, tags.get(r.id) ?? []), user: r.user_id === null ? undefined : users.get(r.user_id) }));
    return rows.length > options.maxItems ? { items, nextMarker: page[page.length - 1]!.serial } : { items };
  }

  async listForUser(userId: string): Promise<MfaDevice[]> {
    const rows = await this.sql.all<MfaRow>('SELECT * FROM mfa_devices WHERE user_id = ? ORDER BY enabled_at, serial_key', [userId]);
    const tags = await this.tags.ofMany(rows.map((r) => r.id));
    return rows.map((r) => toDevice(r, tags.get(r.id) ?? []));
  }

  async enable(serialNumber: string, userId: string, accepted: AcceptedSteps, at: Date, maxPerUser: number) {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(serialNumber);
      if (!row) return 'missing' as const;
      if (row.user_id !== null) return 'in-use' as const;
      // The user's row is locked too: a racing DeleteUser either sees the device or wins, and two
      // devices enabled at once for one user are counted one after the other.
      if (!(yield* one('SELECT 1 FROM users WHERE id = ? FOR UPDATE', [userId]))) return 'no-user' as const;
      if (!fresh(row, accepted)) return 'replayed' as const;
      const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM mfa_devices WHERE user_id = ?', [userId]);
      if (count!.n >= maxPerUser) return 'limit' as const;
      yield* run('UPDATE mfa_devices SET user_id = ?, enabled_at = ?, last_step = ?, drift = ? WHERE id = ?', [
        userId,
        at.getTime(),
        accepted.lastStep,
        accepted.drift,
        row.id,
      ]);
      return 'ok' as const;
    });
  }

  async acceptCodes(serialNumber: string, userId: string, accepted: AcceptedSteps) {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(serialNumber);
      if (!row) return 'missing' as const;
      if (row.user_id !== userId) return 'not-assigned' as const;
      if (!fresh(row, accepted)) return 'replayed' as const;
      yield* run('UPDATE mfa_devices SET last_step = ?, drift = ? WHERE id = ?', [accepted.lastStep, accepted.drift, row.id]);
      return 'ok' as const;
    });
  }

  async deactivate(serialNumber: string, userId: string) {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(serialNumber);
      if (!row) return 'missing' as const;
      if (row.user_id !== userId) return 'not-assigned' as const;
      // last_step stays: codes accepted before cannot enable the device again.
      yield* run('UPDATE mfa_devices SET user_id = NULL, enabled_at = NULL WHERE id = ?', [row.id]);
      // Every console session of the user ends with it, in this transaction, with the device's row
      // locked: a second step accepting a code of this device (acceptCodes, which locks the row
      // too) either committed before, and the session it wrote first is deleted here, or comes
      // after, and finds the device no longer the user's.
      yield* run('DELETE FROM console_sessions WHERE user_id = ?', [userId]);
      return 'ok' as const;
    });
  }

  async delete(serialNumber: string) {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(serialNumber);
      if (!row) return 'missing' as const;
      if (row.user_id !== null) return 'assigned' as const;
      yield* removeAllTags(row.id);
      yield* run('DELETE FROM mfa_devices WHERE id = ?', [row.id]);
      return 'ok' as const;
    });
  }

  async tag(serialNumber: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'> {
    const self = this;
    return this.sql.transaction<'missing' | 'too-many' | 'ok'>(function* () {
      const row = yield* self.locked(serialNumber);
      if (!row) return 'missing';
      return yield* upsertTags(row.id, tags, maxTags);
    });
  }

  async untag(serialNumber: string, keys: string[]): Promise<'missing' | 'ok'> {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(serialNumber);
      if (!row) return 'missing' as const;
      yield* removeTags(row.id, keys);
      return 'ok' as const;
    });
  }

  async counts(): Promise<{ devices: number; inUse: number }> {
    const row = await this.sql.one<{ devices: number; in_use: number }>(
      'SELECT count(*) AS devices, count(user_id) AS in_use FROM mfa_devices',
    );
    return { devices: row!.devices, inUse: row!.in_use };
  }

  async listAllSeeds(): Promise<{ id: string; seed: string }[]> {
    return this.sql.all<{ id: string; seed: string }>('SELECT id, seed FROM mfa_devices ORDER BY id');
  }

  async replaceSeed(id: string, oldSeed: string, newSeed: string): Promise<boolean> {
    return (await this.sql.run('UPDATE mfa_devices SET seed = ? WHERE id = ? AND seed = ?', [newSeed, id, oldSeed])) === 1;
  }
}
