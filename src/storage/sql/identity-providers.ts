import type { OidcProvider, SamlPrivateKey, SamlProvider, Tag } from '../../domain/entities.js';
import type { OidcProviderRepository, SamlProviderBlocker, SamlProviderRepository } from '../../ports/store.js';
import { NamedEntities, type NamedRow, type NamedTable } from './named.js';
import { fold, hasNul, lock, one, run, type Sql, UniqueViolation } from './sql.js';
import { removeAllTags, removeTags, Tags, upsertTags } from './tags.js';

/**
 * Identity providers. An OIDC provider's key is its URL (the ARN names it, not a name), so it has
 * its own small repository; a SAML provider is a named resource like the others.
 */

interface OidcRow {
  id: string;
  url_key: string;
  client_ids: string;
  thumbprints: string;
  created_at: number;
}

export class SqlOidcProviders implements OidcProviderRepository {
  private readonly tags: Tags;

  constructor(private readonly sql: Sql) {
    this.tags = new Tags(sql);
  }

  private toEntity(r: OidcRow, tags: Tag[]): OidcProvider {
    return {
      id: r.id,
      url: r.url_key,
      clientIds: JSON.parse(r.client_ids) as string[],
      thumbprints: JSON.parse(r.thumbprints) as string[],
      createdAt: new Date(Number(r.created_at)),
      tags,
    };
  }

  async create(p: OidcProvider, maxCount: number): Promise<'ok' | 'exists' | 'quota'> {
    try {
      return await this.sql.transaction(function* () {
        // An account-wide quota: creations are serialized so two nodes cannot both count below it.
        yield* lock('oidc-providers');
        if (yield* one('SELECT 1 FROM oidc_providers WHERE url_key = ?', [p.url])) return 'exists' as const;
        const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM oidc_providers');
        if (Number(count!.n) >= maxCount) return 'quota' as const;
        yield* run('INSERT INTO oidc_providers (id, url_key, client_ids, thumbprints, created_at) VALUES (?, ?, ?, ?, ?)', [
          p.id,
          p.url,
          JSON.stringify(p.clientIds),
          JSON.stringify(p.thumbprints),
          p.createdAt.getTime(),
        ]);
        yield* upsertTags(p.id, p.tags, Number.MAX_SAFE_INTEGER);
        return 'ok' as const;
      });
    } catch (e) {
      if (e instanceof UniqueViolation) return 'exists';
      throw e;
    }
  }

  async get(url: string): Promise<OidcProvider | undefined> {
    if (hasNul(url)) return undefined;
    const row = await this.sql.one<OidcRow>('SELECT * FROM oidc_providers WHERE url_key = ?', [url]);
    return row && this.toEntity(row, await this.tags.of(row.id));
  }

  async list(): Promise<OidcProvider[]> {
    const rows = await this.sql.all<OidcRow>('SELECT * FROM oidc_providers ORDER BY url_key');
    const tags = await this.tags.ofMany(rows.map((r) => r.id));
    return rows.map((r) => this.toEntity(r, tags.get(r.id) ?? []));
  }

  async update(url: string, change: (p: OidcProvider) => { clientIds: string[]; thumbprints: string[] }): Promise<'missing' | 'ok'> {
    if (hasNul(url)) return 'missing';
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* one<OidcRow>('SELECT * FROM oidc_providers WHERE url_key = ? FOR UPDATE', [url]);
      if (!row) return 'missing' as const;
      const next = change(self.toEntity(row, []));
      yield* run('UPDATE oidc_providers SET client_ids = ?, thumbprints = ? WHERE id = ?', [
        JSON.stringify(next.clientIds),
        JSON.stringify(next.thumbprints),
        row.id,
      ]);
      return 'ok' as const;
    });
  }

  async delete(url: string): Promise<boolean> {
    if (hasNul(url)) return false;
    return this.sql.transaction(function* () {
      const row = yield* one<{ id: string }>('SELECT id FROM oidc_providers WHERE url_key = ? FOR UPDATE', [url]);
      if (!row) return false;
      yield* removeAllTags(row.id);
      yield* run('DELETE FROM oidc_providers WHERE id = ?', [row.id]);
      return true;
    });
  }

  async tag(url: string, tags: Tag[], maxTags: number): Promise<'missing' | 'too-many' | 'ok'> {
    if (hasNul(url)) return 'missing';
    return this.sql.transaction<'missing' | 'too-many' | 'ok'>(function* () {
      const row = yield* one<{ id: string }>('SELECT id FROM oidc_providers WHERE url_key = ? FOR UPDATE', [url]);
      if (!row) return 'missing';
      return yield* upsertTags(row.id, tags, maxTags);
    });
  }

  async untag(url: string, keys: string[]): Promise<'missing' | 'ok'> {
    if (hasNul(url)) return 'missing';
    return this.sql.transaction(function* () {
      const row = yield* one<{ id: string }>('SELECT id FROM oidc_providers WHERE url_key = ? FOR UPDATE', [url]);
      if (!row) return 'missing' as const;
      yield* removeTags(row.id, keys);
      return 'ok' as const;
    });
  }
}

interface SamlRow extends NamedRow {
  valid_until: number;
  metadata: string;
  uuid: string;
  assertion_encryption_mode: string | null;
  private_keys: string;
}

export const SAML_PROVIDERS: NamedTable<SamlProviderBlocker> = {
  table: 'saml_providers',
  taggable: true,
  blockers: [],
};

type StoredKey = { keyId: string; timestamp: number; key: string };

export class SqlSamlProviders extends NamedEntities<SamlRow, SamlProvider, SamlProviderBlocker> implements SamlProviderRepository {
  constructor(sql: Sql) {
    super(sql, SAML_PROVIDERS);
  }

  protected toEntity(r: SamlRow, tags: Tag[]): SamlProvider {
    return {
      id: r.id,
      name: r.name,
      createdAt: new Date(Number(r.created_at)),
      validUntil: new Date(Number(r.valid_until)),
      metadata: r.metadata,
      uuid: r.uuid,
      assertionEncryptionMode: r.assertion_encryption_mode as SamlProvider['assertionEncryptionMode'],
      privateKeys: (JSON.parse(r.private_keys) as StoredKey[]).map((k) => ({ keyId: k.keyId, timestamp: new Date(k.timestamp), sealedKey: k.key })),
      tags,
    };
  }

  async create(p: SamlProvider, maxCount: number): Promise<'ok' | 'exists' | 'quota'> {
    try {
      return await this.sql.transaction(function* () {
        yield* lock('saml-providers');
        if (yield* one('SELECT 1 FROM saml_providers WHERE name_key = ?', [fold(p.name)])) return 'exists' as const;
        const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM saml_providers');
        if (Number(count!.n) >= maxCount) return 'quota' as const;
        yield* run(
          `INSERT INTO saml_providers (id, name, name_key, path, created_at, valid_until, metadata, uuid, assertion_encryption_mode, private_keys)
           VALUES (?, ?, ?, '/', ?, ?, ?, ?, ?, ?)`,
          [p.id, p.name, fold(p.name), p.createdAt.getTime(), p.validUntil.getTime(), p.metadata, p.uuid, p.assertionEncryptionMode, storedKeys(p.privateKeys)],
        );
        yield* upsertTags(p.id, p.tags, Number.MAX_SAFE_INTEGER);
        return 'ok' as const;
      });
    } catch (e) {
      if (e instanceof UniqueViolation) return 'exists';
      throw e;
    }
  }

  async modify(
    name: string,
    change: (p: SamlProvider) => Pick<SamlProvider, 'metadata' | 'validUntil' | 'assertionEncryptionMode' | 'privateKeys'>,
  ): Promise<'missing' | 'ok'> {
    const self = this;
    return this.sql.transaction(function* () {
      const row = yield* self.locked(name);
      if (!row) return 'missing' as const;
      const next = change(self.toEntity(row, []));
      yield* run('UPDATE saml_providers SET metadata = ?, valid_until = ?, assertion_encryption_mode = ?, private_keys = ? WHERE id = ?', [
        next.metadata,
        next.validUntil.getTime(),
        next.assertionEncryptionMode,
        storedKeys(next.privateKeys),
        row.id,
      ]);
      return 'ok' as const;
    });
  }

  async listAllPrivateKeys(): Promise<{ providerId: string; keyId: string; privateKey: string }[]> {
    const rows = await this.sql.all<{ id: string; private_keys: string }>('SELECT id, private_keys FROM saml_providers ORDER BY id');
    return rows.flatMap((r) => (JSON.parse(r.private_keys) as StoredKey[]).map((k) => ({ providerId: r.id, keyId: k.keyId, privateKey: k.key })));
  }

  async replacePrivateKey(providerId: string, keyId: string, oldKey: string, newKey: string): Promise<boolean> {
    return this.sql.transaction(function* () {
      const row = yield* one<{ private_keys: string }>('SELECT private_keys FROM saml_providers WHERE id = ? FOR UPDATE', [providerId]);
      if (!row) return false;
      const keys = JSON.parse(row.private_keys) as StoredKey[];
      const key = keys.find((k) => k.keyId === keyId);
      if (!key || key.key !== oldKey) return false;
      key.key = newKey;
      yield* run('UPDATE saml_providers SET private_keys = ? WHERE id = ?', [JSON.stringify(keys), providerId]);
      return true;
    });
  }

  async listAll(): Promise<SamlProvider[]> {
    return this.entities(await this.sql.all<SamlRow>('SELECT * FROM saml_providers ORDER BY name_key'));
  }
}

const storedKeys = (keys: readonly SamlPrivateKey[]): string =>
  JSON.stringify(keys.map((k): StoredKey => ({ keyId: k.keyId, timestamp: k.timestamp.getTime(), key: k.sealedKey })));
