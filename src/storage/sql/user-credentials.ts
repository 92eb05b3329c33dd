import type { CredentialStatus, ServiceSpecificCredential, SigningCertificate, SshPublicKey } from '../../domain/entities.js';
import type { ServiceCredentialRepository, SigningCertificateRepository, SshPublicKeyRepository } from '../../ports/store.js';
import { lockUser, OWNER } from './credentials.js';
import { hasNul, lock, one, run, type Sql, UniqueViolation, type Work } from './sql.js';

/**
 * The credentials a user has besides access keys and a password: SSH public keys (CodeCommit),
 * X.509 signing certificates and service-specific credentials. Every change is keyed by the owner
 * as well as the id, so another user's id is simply not found.
 */

interface SshKeyRow {
  id: string;
  user_id: string;
  body: string;
  blob: string;
  fingerprint: string;
  status: CredentialStatus;
  uploaded_at: number;
}

const toSshKey = (r: SshKeyRow): SshPublicKey => ({
  id: r.id,
  userId: r.user_id,
  body: r.body,
  blob: r.blob,
  fingerprint: r.fingerprint,
  status: r.status,
  uploadedAt: new Date(r.uploaded_at),
});

export class SqlSshPublicKeys implements SshPublicKeyRepository {
  constructor(private readonly sql: Sql) {}

  async create(key: SshPublicKey, maxPerUser: number): Promise<'ok' | 'duplicate' | 'quota' | 'no-owner'> {
    return this.sql.transaction(function* () {
      if (!(yield* lockUser(key.userId))) return 'no-owner' as const;
      if (yield* one('SELECT 1 FROM ssh_public_keys WHERE user_id = ? AND fingerprint = ?', [key.userId, key.fingerprint])) return 'duplicate' as const;
      const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM ssh_public_keys WHERE user_id = ?', [key.userId]);
      if (Number(count!.n) >= maxPerUser) return 'quota' as const;
      yield* run('INSERT INTO ssh_public_keys (id, user_id, body, blob, fingerprint, status, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        key.id,
        key.userId,
        key.body,
        key.blob,
        key.fingerprint,
        key.status,
        key.uploadedAt.getTime(),
      ]);
      return 'ok' as const;
    });
  }

  async get(userId: string, id: string): Promise<SshPublicKey | undefined> {
    if (hasNul(id)) return undefined;
    const row = await this.sql.one<SshKeyRow>('SELECT * FROM ssh_public_keys WHERE id = ? AND user_id = ?', [id, userId]);
    return row && toSshKey(row);
  }

  async listForUser(userId: string): Promise<SshPublicKey[]> {
    return (await this.sql.all<SshKeyRow>('SELECT * FROM ssh_public_keys WHERE user_id = ? ORDER BY id', [userId])).map(toSshKey);
  }

  async setStatus(userId: string, id: string, status: CredentialStatus): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run('UPDATE ssh_public_keys SET status = ? WHERE id = ? AND user_id = ?', [status, id, userId])) === 1;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run('DELETE FROM ssh_public_keys WHERE id = ? AND user_id = ?', [id, userId])) === 1;
  }
}

interface CertificateRow {
  id: string;
  user_id: string | null;
  body: string;
  thumbprint: string;
  status: CredentialStatus;
  uploaded_at: number;
}

const toCertificate = (r: CertificateRow): SigningCertificate => ({
  id: r.id,
  userId: r.user_id,
  body: r.body,
  thumbprint: r.thumbprint,
  status: r.status,
  uploadedAt: new Date(r.uploaded_at),
});

export class SqlSigningCertificates implements SigningCertificateRepository {
  constructor(private readonly sql: Sql) {}

  async create(cert: SigningCertificate, maxPerOwner: number): Promise<'ok' | 'duplicate' | 'quota' | 'no-owner'> {
    try {
      return await this.sql.transaction(function* () {
        // The root user has no row to lock, so its certificates are serialized by name.
        if (cert.userId === null) yield* lock('root-signing-certificates');
        else if (!(yield* lockUser(cert.userId))) return 'no-owner' as const;
        if (yield* one('SELECT 1 FROM signing_certificates WHERE thumbprint = ?', [cert.thumbprint])) return 'duplicate' as const;
        const count = yield* one<{ n: number }>(`SELECT count(*) AS n FROM signing_certificates WHERE ${OWNER}`, [cert.userId, cert.userId]);
        if (Number(count!.n) >= maxPerOwner) return 'quota' as const;
        yield* run('INSERT INTO signing_certificates (id, user_id, body, thumbprint, status, uploaded_at) VALUES (?, ?, ?, ?, ?, ?)', [
          cert.id,
          cert.userId,
          cert.body,
          cert.thumbprint,
          cert.status,
          cert.uploadedAt.getTime(),
        ]);
        return 'ok' as const;
      });
    } catch (e) {
      // The same certificate uploaded at the same moment for two owners (who lock different rows).
      if (e instanceof UniqueViolation) return 'duplicate';
      throw e;
    }
  }

  async listForOwner(userId: string | null): Promise<SigningCertificate[]> {
    const rows = await this.sql.all<CertificateRow>(`SELECT * FROM signing_certificates WHERE ${OWNER} ORDER BY uploaded_at, id`, [userId, userId]);
    return rows.map(toCertificate);
  }

  async setStatus(userId: string | null, id: string, status: CredentialStatus): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run(`UPDATE signing_certificates SET status = ? WHERE id = ? AND ${OWNER}`, [status, id, userId, userId])) === 1;
  }

  async delete(userId: string | null, id: string): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run(`DELETE FROM signing_certificates WHERE id = ? AND ${OWNER}`, [id, userId, userId])) === 1;
  }
}

interface ServiceCredentialRow {
  id: string;
  user_id: string;
  service_name: string;
  service_user_name: string;
  secret_hash: string;
  status: CredentialStatus;
  created_at: number;
  expires_at: number | null;
}

const toServiceCredential = (r: ServiceCredentialRow): ServiceSpecificCredential => ({
  id: r.id,
  userId: r.user_id,
  serviceName: r.service_name,
  serviceUserName: r.service_user_name,
  secretHash: r.secret_hash,
  status: r.status,
  createdAt: new Date(Number(r.created_at)),
  expiresAt: r.expires_at === null ? null : new Date(Number(r.expires_at)),
});

/** How often a create is tried again after losing a service user name to a concurrent create. */
const NAME_RACE_ATTEMPTS = 3;

export class SqlServiceCredentials implements ServiceCredentialRepository {
  constructor(private readonly sql: Sql) {}

  async create(
    credential: Omit<ServiceSpecificCredential, 'serviceUserName' | 'secretHash'>,
    naming: (slot: number) => { serviceUserName: string; secretHash: string },
    maxPerService: number,
  ): Promise<ServiceSpecificCredential | 'quota' | 'no-owner'> {
    const work = function* (): Work<ServiceSpecificCredential | 'quota' | 'no-owner'> {
      if (!(yield* lockUser(credential.userId))) return 'no-owner';
      const count = yield* one<{ n: number }>('SELECT count(*) AS n FROM service_specific_credentials WHERE user_id = ? AND service_name = ?', [
        credential.userId,
        credential.serviceName,
      ]);
      if (Number(count!.n) >= maxPerService) return 'quota';
      // The first free name: another credential of this user, or of a user renamed away from this
      // name, may hold the plain one.
      let slot = 0;
      const taken = (name: string) => one('SELECT 1 FROM service_specific_credentials WHERE service_name = ? AND service_user_name = ?', [credential.serviceName, name]);
      while (yield* taken(naming(slot).serviceUserName)) slot++;
      const stored: ServiceSpecificCredential = { ...credential, ...naming(slot) };
      yield* run(
        `INSERT INTO service_specific_credentials (id, user_id, service_name, service_user_name, secret_hash, status, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          stored.id,
          stored.userId,
          stored.serviceName,
          stored.serviceUserName,
          stored.secretHash,
          stored.status,
          stored.createdAt.getTime(),
          stored.expiresAt?.getTime() ?? null,
        ],
      );
      return stored;
    };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.sql.transaction(work);
      } catch (e) {
        // Two users (the renamed one and the new holder of its old name) took one name at once.
        if (!(e instanceof UniqueViolation) || attempt >= NAME_RACE_ATTEMPTS) throw e;
      }
    }
  }

  async get(userId: string, id: string): Promise<ServiceSpecificCredential | undefined> {
    if (hasNul(id)) return undefined;
    const row = await this.sql.one<ServiceCredentialRow>('SELECT * FROM service_specific_credentials WHERE id = ? AND user_id = ?', [id, userId]);
    return row && toServiceCredential(row);
  }

  async list(filter: { userId?: string; serviceName?: string }): Promise<ServiceSpecificCredential[]> {
    if (filter.serviceName !== undefined && hasNul(filter.serviceName)) return [];
    const where: string[] = [];
    const params: string[] = [];
    if (filter.userId !== undefined) {
      where.push('user_id = ?');
      params.push(filter.userId);
    }
    if (filter.serviceName !== undefined) {
      where.push('service_name = ?');
      params.push(filter.serviceName);
    }
    const rows = await this.sql.all<ServiceCredentialRow>(
      `SELECT * FROM service_specific_credentials ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
      params,
    );
    return rows.map(toServiceCredential);
  }

  async setStatus(userId: string, id: string, status: CredentialStatus): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run('UPDATE service_specific_credentials SET status = ? WHERE id = ? AND user_id = ?', [status, id, userId])) === 1;
  }

  async resetSecret(userId: string, id: string, secretHash: string): Promise<ServiceSpecificCredential | undefined> {
    if (hasNul(id)) return undefined;
    return this.sql.transaction(function* () {
      const changed = yield* run('UPDATE service_specific_credentials SET secret_hash = ? WHERE id = ? AND user_id = ?', [secretHash, id, userId]);
      if (changed !== 1) return undefined;
      const row = yield* one<ServiceCredentialRow>('SELECT * FROM service_specific_credentials WHERE id = ?', [id]);
      return row && toServiceCredential(row);
    });
  }

  async delete(userId: string, id: string): Promise<boolean> {
    if (hasNul(id)) return false;
    return (await this.sql.run('DELETE FROM service_specific_credentials WHERE id = ? AND user_id = ?', [id, userId])) === 1;
  }
}
