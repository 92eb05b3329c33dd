import type { ServerCertificate, Tag } from '../../domain/entities.js';
import type { ServerCertificateBlocker, ServerCertificateRepository } from '../../ports/store.js';
import { NamedEntities, type NamedRow, type NamedTable } from './named.js';
import { fold, lock, one, run, type Sql, UniqueViolation } from './sql.js';
import { upsertTags } from './tags.js';

interface ServerCertificateRow extends NamedRow {
  expires_at: number;
  body: string;
  chain: string | null;
  private_key: string;
}

export const SERVER_CERTIFICATES: NamedTable<ServerCertificateBlocker> = {
  table: 'server_certificates',
  taggable: true,
  blockers: [],
};

/** Server certificates: a named resource (created_at is the upload date) with a sealed private key. */
export class SqlServerCertificates
  extends NamedEntities<ServerCertificateRow, ServerCertificate, ServerCertificateBlocker>
  implements ServerCertificateRepository
{
  constructor(sql: Sql) {
    super(sql, SERVER_CERTIFICATES);
  }

  protected toEntity(r: ServerCertificateRow, tags: Tag[]): ServerCertificate {
    return {
      id: r.id,
      name: r.name,
      path: r.path,
      uploadedAt: new Date(Number(r.created_at)),
      expiration: new Date(Number(r.expires_at)),
      body: r.body,
      chain: r.chain,
      sealedPrivateKey: r.private_key,
      tags,
    };
  }

  async create(c: ServerCertificate, maxCount: number): Promise<'ok' | 'exists' | 'quota'> {
    try {
      return await this.sql.transaction(function* () {
        // An account-wide quota: uploads are serialized so two nodes cannot both count below it.
        yield* lock('server-certificates');
        if (yield* one('SELECT 1 FROM server_certificates WHERE name_key = ?', [fold(c.name)])) return 'exists' as const;
        const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM server_certificates');
        if (Number(count!.n) >= maxCount) return 'quota' as const;
        yield* run(
          `INSERT INTO server_certificates (id, name, name_key, path, created_at, expires_at, body, chain, private_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [c.id, c.name, fold(c.name), c.path, c.uploadedAt.getTime(), c.expiration.getTime(), c.body, c.chain, c.sealedPrivateKey],
        );
        yield* upsertTags(c.id, c.tags, Number.MAX_SAFE_INTEGER);
        return 'ok' as const;
      });
    } catch (e) {
      if (e instanceof UniqueViolation) return 'exists';
      throw e;
    }
  }

  async listAllPrivateKeys(): Promise<{ id: string; privateKey: string }[]> {
    return this.sql.all<{ id: string; privateKey: string }>('SELECT id, private_key AS "privateKey" FROM server_certificates ORDER BY id');
  }

  async replacePrivateKey(id: string, oldKey: string, newKey: string): Promise<boolean> {
    return (await this.sql.run('UPDATE server_certificates SET private_key = ? WHERE id = ? AND private_key = ?', [newKey, id, oldKey])) === 1;
  }
}
