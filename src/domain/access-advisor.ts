import { randomUUID } from 'node:crypto';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { roleArn, userArn } from './arn.js';
import { parsed } from './authorization.js';
import { policiesOfSource, resolvePolicySource } from './policy-source.js';
import { policyNotFound } from './policies.js';
import { AWS_MANAGED_POLICIES } from './policy/aws-managed.js';
import type { PolicyDocument } from './policy/document.js';
import { paginate } from './paging.js';

/**
 * Access advisor (GenerateServiceLastAccessedDetails, GetServiceLastAccessedDetails): for a user,
 * group, role or managed policy, the services its policies allow and when each was last used, from
 * what iamd records: every signed request names its service, and the signing user's use of it is
 * kept (at most one write a minute per user and service, see protocol/key-usage.ts). iamd serves
 * IAM and STS, so those are the services it can report on; a policy that allows others (s3:*)
 * gets no line for them, as iamd knows nothing of their use. The report is made at once, so the
 * job is COMPLETED when GenerateServiceLastAccessedDetails answers.
 */

/** The services iamd serves, with the names AWS's access advisor gives them. */
const SERVICES = [
  { namespace: 'iam', name: 'AWS Identity and Access Management' },
  { namespace: 'sts', name: 'AWS Security Token Service' },
] as const;

type Granularity = 'SERVICE_LEVEL' | 'ACTION_LEVEL';

/** A principal whose use counts for the report: a user or a role. */
interface Principal {
  id: string;
  arn: string;
}

interface ServiceLine {
  namespace: string;
  name: string;
  lastAt?: number;
  lastEntity?: string;
  lastRegion?: string;
  total: number;
}

interface Report {
  jobType: Granularity;
  createdAt: number;
  services: ServiceLine[];
}

// arn:aws:iam::<account|aws>:policy<path><name>
const POLICY_ARN = /^arn:aws:iam::(aws|\d{12}):policy\/(?:[^/]+\/)*[\w+=,.@-]+$/;

/** Recorded for SimulatePrincipalPolicy's PolicySourceArn; assumed the same here (guessed). */
const invalidEntityArn = (arn: string) => new IamError('InvalidInput', `Invalid Entity Arn: ${arn}`);
/** Guessed text, in the form of IAM's other NoSuchEntity messages. */
const noSuchJob = (jobId: string) => new IamError('NoSuchEntity', `The job with id ${jobId} cannot be found.`);

/** Whether an Allow statement's Action / NotAction grants anything in the service. */
function allowsService(document: PolicyDocument, namespace: string): boolean {
  return document.Statement.some((s) => {
    if (s.Effect !== 'Allow') return false;
    if (s.Action) return s.Action.some((a) => globMatches(a.split(':')[0]!, namespace));
    // NotAction grants the service unless one entry excludes all of it ("iam:*", "*").
    return !(s.NotAction ?? []).some((a) => {
      const [service, action = ''] = a.split(':');
      return globMatches(service!, namespace) && (a === '*' || action === '*');
    });
  });
}

function globMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(value);
}

/** The entity's policy documents and the principals whose use counts. */
async function scopeOf(domain: Domain, arn: string): Promise<{ documents: PolicyDocument[]; principals: Principal[] }> {
  const { accountId, store } = domain;
  if (POLICY_ARN.test(arn)) {
    const aws = AWS_MANAGED_POLICIES.get(arn);
    let document = aws?.document;
    if (!document) {
      const policy = await store.managedPolicies.get(arn);
      if (!policy) throw policyNotFound(arn);
      document = parsed((await store.managedPolicies.getVersion(arn, policy.defaultVersion))!.document);
    }
    const principals: Principal[] = [];
    for (const e of await store.attachments.entitiesFor(arn, 'PermissionsPolicy')) {
      if (e.kind === 'user') principals.push({ id: e.id, arn: userArn(accountId, e.path, e.name) });
      else if (e.kind === 'role') principals.push({ id: e.id, arn: roleArn(accountId, e.path, e.name) });
      else for (const u of await store.groups.members(e.id)) principals.push({ id: u.id, arn: userArn(accountId, u.path, u.name) });
    }
    return { documents: [document], principals };
  }
  if (!/^arn:aws:iam::\d{12}:(user|group|role)\//.test(arn)) throw invalidEntityArn(arn);
  const source = await resolvePolicySource(domain, arn);
  const documents = (await policiesOfSource(domain, source)).identity.map((p) => p.document);
  switch (source.kind) {
    case 'user':
      return { documents, principals: [{ id: source.user.id, arn: userArn(accountId, source.user.path, source.user.name) }] };
    case 'role':
      return { documents, principals: [{ id: source.role.id, arn: roleArn(accountId, source.role.path, source.role.name) }] };
    case 'group': {
      const members = await store.groups.members(source.group.id);
      return { documents, principals: members.map((u) => ({ id: u.id, arn: userArn(accountId, u.path, u.name) })) };
    }
  }
}

export async function generateServiceLastAccessedDetails(domain: Domain, input: { Arn: string; Granularity?: Granularity }): Promise<string> {
  const { documents, principals } = await scopeOf(domain, input.Arn);
  const uses = await domain.store.accessAdvisor.usesOf([...new Set(principals.map((p) => p.id))]);
  const arnOf = new Map(principals.map((p) => [p.id, p.arn]));
  const services: ServiceLine[] = [];
  for (const service of SERVICES) {
    if (!documents.some((d) => allowsService(d, service.namespace))) continue;
    const used = uses.filter((u) => u.service === service.namespace).sort((a, b) => b.at.getTime() - a.at.getTime());
    const latest = used[0];
    services.push({
      namespace: service.namespace,
      name: service.name,
      lastAt: latest?.at.getTime(),
      lastEntity: latest && arnOf.get(latest.principalId),
      lastRegion: latest?.region,
      total: new Set(used.map((u) => u.principalId)).size,
    });
  }
  const id = randomUUID();
  const report: Report = { jobType: input.Granularity ?? 'SERVICE_LEVEL', createdAt: domain.clock.now().getTime(), services };
  await domain.store.accessAdvisor.createJob({ id, createdAt: new Date(report.createdAt), report: JSON.stringify(report) });
  return id;
}

export async function getServiceLastAccessedDetails(domain: Domain, input: { JobId: string; MaxItems?: number; Marker?: string }) {
  const job = await domain.store.accessAdvisor.getJob(input.JobId);
  if (!job) throw noSuchJob(input.JobId);
  const report = JSON.parse(job.report) as Report;
  const page = paginate(report.services, input);
  return {
    JobStatus: 'COMPLETED',
    JobType: report.jobType,
    JobCreationDate: new Date(report.createdAt),
    JobCompletionDate: new Date(report.createdAt),
    ServicesLastAccessed: page.items.map((s) => ({
      ServiceName: s.name,
      ServiceNamespace: s.namespace,
      LastAuthenticated: s.lastAt === undefined ? undefined : new Date(s.lastAt),
      LastAuthenticatedEntity: s.lastEntity,
      LastAuthenticatedRegion: s.lastRegion,
      TotalAuthenticatedEntities: s.total,
    })),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}
