import type { AccessAdvisorRepository, ServiceUse } from '../../ports/store.js';
import { hasNul, type Sql } from './sql.js';

interface UseRow {
  principal_id: string;
  service: string;
  last_at: number;
  region: string;
}

/** Access advisor's records: the last use of each service by each principal, and the reports made. */
export class SqlAccessAdvisor implements AccessAdvisorRepository {
  constructor(private readonly sql: Sql) {}

  async recordServiceUse(use: ServiceUse): Promise<void> {
    // The later use wins, whichever node writes last.
    await this.sql.run(
      `INSERT INTO service_last_accessed (principal_id, service, last_at, region) VALUES (?, ?, ?, ?)
       ON CONFLICT (principal_id, service) DO UPDATE SET last_at = excluded.last_at, region = excluded.region
       WHERE excluded.last_at > service_last_accessed.last_at`,
      [use.principalId, use.service, use.at.getTime(), use.region],
    );
  }

  async usesOf(principalIds: readonly string[]): Promise<ServiceUse[]> {
    if (principalIds.length === 0) return [];
    const rows = await this.sql.all<UseRow>('SELECT * FROM service_last_accessed WHERE principal_id = ANY(?) ORDER BY principal_id, service', [principalIds]);
    return rows.map((r) => ({ principalId: r.principal_id, service: r.service, at: new Date(Number(r.last_at)), region: r.region }));
  }

  async createJob(job: { id: string; createdAt: Date; report: string }): Promise<void> {
    await this.sql.run('INSERT INTO access_advisor_jobs (id, created_at, report) VALUES (?, ?, ?)', [job.id, job.createdAt.getTime(), job.report]);
  }

  async getJob(id: string): Promise<{ id: string; createdAt: Date; report: string } | undefined> {
    if (hasNul(id)) return undefined;
    const row = await this.sql.one<{ id: string; created_at: number; report: string }>('SELECT * FROM access_advisor_jobs WHERE id = ?', [id]);
    return row && { id: row.id, createdAt: new Date(Number(row.created_at)), report: row.report };
  }
}
