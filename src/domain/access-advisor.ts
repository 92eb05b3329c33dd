import { randomUUID } from 'node:crypto';
import type { Domain } from './context.js';
import type { PolicyEntity } from '../ports/store.js';
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
  name: string;
  path: string;
  type: 'USER' | 'ROLE';
}

/** A principal in a report's service line (GetServiceLastAccessedDetailsWithEntities). */
interface EntityLine extends Principal {
  lastAt?: number;
}

interface ServiceLine {
  namespace: string;
  name: string;
  lastAt?: number;
  lastEntity?: string;
  lastRegion?: string;
  total: number;
  /** A user's or role's report: the entity itself; a group's or policy's: those who used the service. */
  entities: EntityLine[];
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
const userPrincipal = (accountId: string, u: { id: string; name: string; path: string }): Principal => ({
  id: u.id,
  arn: userArn(accountId, u.path, u.name),
  name: u.name,
  path: u.path,
  type: 'USER',
});

/** Every user, group and role the policy is attached to, a store page at a time. */
async function* attachedEntities(store: Domain['store'], policyArn: string): AsyncGenerator<PolicyEntity> {
  let marker: string | undefined;
  do {
    const page = await store.attachments.entitiesPage(policyArn, {
      usages: ['PermissionsPolicy'],
      kinds: ['user', 'group', 'role'],
      pathPrefix: '/',
      marker,
      maxItems: 1000,
    });
    yield* page.items;
    marker = page.nextMarker;
  } while (marker !== undefined);
}

/** `single`: the report is of one user or role, which its entity list always names. */
async function scopeOf(domain: Domain, arn: string): Promise<{ documents: PolicyDocument[]; principals: Principal[]; single: boolean }> {
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
    for await (const e of attachedEntities(store, arn)) {
      if (e.kind === 'user') principals.push(userPrincipal(accountId, e));
      else if (e.kind === 'role') principals.push({ id: e.id, arn: roleArn(accountId, e.path, e.name), name: e.name, path: e.path, type: 'ROLE' });
      else for (const u of await store.groups.members(e.id)) principals.push(userPrincipal(accountId, u));
    }
    return { documents: [document], principals, single: false };
  }
  if (!/^arn:aws:iam::\d{12}:(user|group|role)\//.test(arn)) throw invalidEntityArn(arn);
  const source = await resolvePolicySource(domain, arn);
  const documents = (await policiesOfSource(domain, source)).identity.map((p) => p.document);
  switch (source.kind) {
    case 'user':
      return { documents, principals: [userPrincipal(accountId, source.user)], single: true };
    case 'role': {
      const r = source.role;
      return { documents, principals: [{ id: r.id, arn: roleArn(accountId, r.path, r.name), name: r.name, path: r.path, type: 'ROLE' }], single: true };
    }
    case 'group': {
      const members = await store.groups.members(source.group.id);
      return { documents, principals: members.map((u) => userPrincipal(accountId, u)), single: false };
    }
  }
}

export async function generateServiceLastAccessedDetails(domain: Domain, input: { Arn: string; Granularity?: Granularity }): Promise<string> {
  const { documents, principals, single } = await scopeOf(domain, input.Arn);
  const uses = await domain.store.accessAdvisor.usesOf([...new Set(principals.map((p) => p.id))]);
  const byId = new Map(principals.map((p) => [p.id, p]));
  const services: ServiceLine[] = [];
  for (const service of SERVICES) {
    if (!documents.some((d) => allowsService(d, service.namespace))) continue;
    const used = uses.filter((u) => u.service === service.namespace).sort((a, b) => b.at.getTime() - a.at.getTime());
    const latest = used[0];
    const lastOf = new Map<string, number>();
    for (const u of used) if (!lastOf.has(u.principalId)) lastOf.set(u.principalId, u.at.getTime());
    const entities = (single ? principals : principals.filter((p) => lastOf.has(p.id)))
      .filter((p, i, all) => all.findIndex((q) => q.id === p.id) === i)
      .map((p) => ({ ...p, lastAt: lastOf.get(p.id) }));
    services.push({
      namespace: service.namespace,
      name: service.name,
      lastAt: latest?.at.getTime(),
      lastEntity: latest && byId.get(latest.principalId)?.arn,
      lastRegion: latest?.region,
      total: lastOf.size,
      entities,
    });
  }
  const id = randomUUID();
  const report: Report = { jobType: input.Granularity ?? 'SERVICE_LEVEL', createdAt: domain.clock.now().getTime(), services };
  await domain.store.accessAdvisor.createJob({ id, createdAt: new Date(report.createdAt), report: JSON.stringify(report) });
  return id;
}

async function reportOf(domain: Domain, jobId: string): Promise<Report> {
  const job = await domain.store.accessAdvisor.getJob(jobId);
  if (!job) throw noSuchJob(jobId);
  return JSON.parse(job.report) as Report;
}

export async function getServiceLastAccessedDetails(domain: Domain, input: { JobId: string; MaxItems?: number; Marker?: string }) {
  const report = await reportOf(domain, input.JobId);
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

/**
 * The entities behind one service line of a report, latest use first (those who never used it,
 * in a user's or role's report, last).
 */
export async function getServiceLastAccessedDetailsWithEntities(
  domain: Domain,
  input: { JobId: string; ServiceNamespace: string; MaxItems?: number; Marker?: string },
) {
  const report = await reportOf(domain, input.JobId);
  const line = report.services.find((s) => s.namespace === input.ServiceNamespace.toLowerCase());
  const entities = [...(line?.entities ?? [])].sort((a, b) => (b.lastAt ?? -1) - (a.lastAt ?? -1));
  const page = paginate(entities, input);
  return {
    JobStatus: 'COMPLETED',
    JobCreationDate: new Date(report.createdAt),
    JobCompletionDate: new Date(report.createdAt),
    EntityDetailsList: page.items.map((e) => ({
      EntityInfo: { Arn: e.arn, Name: e.name, Type: e.type, Id: e.id, Path: e.path },
      LastAuthenticated: e.lastAt === undefined ? undefined : new Date(e.lastAt),
    })),
    IsTruncated: page.isTruncated,
    Marker: page.marker,
  };
}

/**
 * ListPoliciesGrantingServiceAccess: for each service namespace asked about (any service, as this
 * reads policies only), the policies of a user (its own and its groups'), group or role that allow
 * something in it. Inline policies name their owner; managed ones their ARN.
 */
export async function listPoliciesGrantingServiceAccess(domain: Domain, input: { Arn: string; ServiceNamespaces: string[] }) {
  if (!/^arn:aws:iam::\d{12}:(user|group|role)\//.test(input.Arn)) throw invalidEntityArn(input.Arn);
  const source = await resolvePolicySource(domain, input.Arn);
  const { store } = domain;
  const set =
    source.kind === 'user'
      ? await store.authorization.policiesFor(source.user.id)
      : source.kind === 'group'
        ? await store.authorization.policiesForGroup(source.group.id)
        : await store.authorization.policiesForRole(source.role.id);
  const ownerNames = new Map<string, string>();
  if (source.kind === 'user') ownerNames.set(source.user.id, source.user.name);
  if (source.kind === 'group') ownerNames.set(source.group.id, source.group.name);
  if (source.kind === 'role') ownerNames.set(source.role.id, source.role.name);
  const policies: { document: PolicyDocument; entry: Record<string, string> }[] = [];
  for (const p of set.inline) {
    const [kind, ownerId, ...name] = p.id.split(':');
    let ownerName = ownerNames.get(ownerId!);
    if (ownerName === undefined && kind === 'group') ownerName = (await store.groups.getById(ownerId!))?.name;
    policies.push({
      document: parsed(p.document),
      entry: { PolicyName: name.join(':'), PolicyType: 'INLINE', EntityType: kind!.toUpperCase(), EntityName: ownerName ?? ownerId! },
    });
  }
  for (const arn of set.attachedArns) {
    const text = set.customerDocuments.get(arn);
    const document = AWS_MANAGED_POLICIES.get(arn)?.document ?? (text === undefined ? undefined : parsed(text));
    if (document) policies.push({ document, entry: { PolicyName: arn.slice(arn.lastIndexOf('/') + 1), PolicyType: 'MANAGED', PolicyArn: arn } });
  }
  return {
    PoliciesGrantingServiceAccess: input.ServiceNamespaces.map((namespace) => ({
      ServiceNamespace: namespace,
      Policies: policies.filter((p) => allowsService(p.document, namespace)).map((p) => p.entry),
    })),
    IsTruncated: false,
  };
}
