/**
 * The amplification benchmark (issue 19): can one request make iamd work far beyond its size, or
 * stall everyone else? For every operation in the IAM and STS models it builds, from the input
 * shape, the largest body iamd accepts (1 MiB): every member present, strings at their maximum
 * length, lists at the model's maximum (or, without one, filled to the body limit), policy
 * documents full of wildcard conditions, names of entities that exist (so the request reaches the
 * store and the handler); and a second, "flood" body where the lists ignore the model's maximum
 * (TagUser with 16,000 tags). Each is sent as an IAM user with no permissions and as root, on a
 * fresh account, while a loop of root GetUser runs beside it.
 *
 *   npm run bench:amplification [-- --write-results] [--only Op1,Op2]
 *
 * Per operation and principal: the answer (status, code), the server's time (the access log's ms,
 * headers to answer, for the worse of the two bodies) and the worst latency of a concurrent GetUser
 * (the stall). The bound: 100 ms of server time, 50 ms of stall.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest, type SigningCredentials } from '../src/protocol/sigv4/sign.js';
import { IAM_MODEL, STS_MODEL, shapeOf, type ServiceModel, type Shape } from '../src/protocol/query/model.js';
import { Http1Pool, type Http1Answer } from './http1.js';
import { markdownTable } from './report.js';
import { queryBody, ROOT, startIamd } from './support.js';

const BODY_LIMIT = 1024 * 1024;
const ACCOUNT = '123456789012';
const BOUND_SERVER_MS = 100;
const BOUND_STALL_MS = 50;

// ---------------------------------------------------------------------------------------------
// Entities the bodies name, created on each fresh account.

const NAMES = {
  user: 'u'.repeat(64),
  group: 'g'.repeat(128),
  role: 'r'.repeat(64),
  policy: 'p'.repeat(128),
  instanceProfile: 'i'.repeat(128),
};
const PASSWORD = 'Aa1!' + 'x'.repeat(124);
const NEW_PASSWORD = 'Bb2@' + 'y'.repeat(124);
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/${NAMES.policy}`;
const USER_ARN = `arn:aws:iam::${ACCOUNT}:user/${NAMES.user}`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

/**
 * A valid policy of about `size` characters whose evaluation is as costly as a policy can be made:
 * statements with many StringLike patterns full of wildcards, matched against the caller's name.
 */
function heavyPolicy(size: number): string {
  const statements: unknown[] = [];
  const pattern = (i: number) => `*u*u*u*u*u*u*u*u*u*u*u*u*u*u*u*x${i}`;
  const statement = (n: number, from: number) => ({
    Effect: 'Allow',
    Action: ['iam:*', 'sts:*'],
    Resource: '*',
    Condition: { StringLike: { 'aws:username': Array.from({ length: n }, (_, i) => pattern(from + i)) } },
  });
  let text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  let next = 0;
  while (text.length < size) {
    const room = size - text.length;
    const per = pattern(next).length + 3;
    const n = Math.min(100, Math.floor((room - 120) / per));
    if (n < 1) break;
    statements.push(statement(n, next));
    next += n;
    text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
    if (text.length > size) {
      statements.pop();
      text = JSON.stringify({ Version: '2012-10-17', Statement: statements });
      break;
    }
  }
  return text;
}

const policyCache = new Map<number, string>();
const policyOf = (size: number) => {
  let p = policyCache.get(size);
  if (p === undefined) policyCache.set(size, (p = heavyPolicy(size)));
  return p;
};

/** A value for a string member: what makes the request go furthest (valid, naming what exists). */
function stringFor(member: string, shape: Shape, room: number): string | undefined {
  const max = Math.min(shape.max ?? 4096, room);
  switch (member) {
    case 'UserName':
    case 'NewUserName':
      return NAMES.user;
    case 'GroupName':
    case 'NewGroupName':
      return NAMES.group;
    case 'RoleName':
      return NAMES.role;
    case 'PolicyName':
      return NAMES.policy;
    case 'InstanceProfileName':
      return NAMES.instanceProfile;
    case 'PolicyArn':
    case 'PermissionsBoundary':
      return POLICY_ARN;
    case 'PolicySourceArn':
      return USER_ARN;
    case 'Path':
    case 'NewPath':
      return `/${'a'.repeat(Math.max(0, Math.min(510, max - 2)))}/`;
    case 'PathPrefix':
      return '/';
    case 'Password':
    case 'NewPassword':
      return NEW_PASSWORD;
    case 'OldPassword':
      return PASSWORD;
    case 'AssumeRolePolicyDocument':
      return TRUST;
    case 'PolicyDocument':
      // Past the account quotas (2,048 to 10,240 characters) a document is refused unread.
      return policyOf(Math.min(6_000, max));
    case 'Marker':
      return '';
    case 'ContextKeyName':
      return 'aws:username';
    case 'ContextKeyType':
      return 'stringList';
  }
  if (shape.enum) return shape.enum[0]!;
  if (shape.max === 131072) {
    // A policy document: as large as fits (URL-encoding adds about a third), and worth sending.
    const size = Math.min(131_072, Math.floor(room / 1.4));
    return size < 1_000 ? undefined : policyOf(size);
  }
  if (/Arn$/.test(member)) return `arn:aws:iam::${ACCOUNT}:user/${'a'.repeat(Math.max(1, max - 40))}`;
  if (/ActionName/.test(member)) return `iam:${'A'.repeat(Math.max(1, max - 4))}`;
  return 'a'.repeat(Math.max(shape.min ?? 1, Math.min(max, 256 * 1024)));
}

// ---------------------------------------------------------------------------------------------
// Bodies from the model's shapes

interface Budget {
  left: number;
}

const encodedLength = (name: string, value: string) => encodeURIComponent(name).length + encodeURIComponent(value).length + 2;

function fill(model: ServiceModel, shape: Shape, member: string, prefix: string, out: Record<string, string>, budget: Budget, flood: boolean): boolean {
  switch (shape.type) {
    case 'structure': {
      let any = false;
      const members = Object.entries(shape.members ?? {});
      // Required members first: a body cut short by the limit is still a valid request.
      members.sort(([a], [b]) => Number(!(shape.required ?? []).includes(a)) - Number(!(shape.required ?? []).includes(b)));
      // Lists without a maximum (or all lists, in a flood) share what is left, so each is long.
      const unbounded = (name: string, ref: { shape: string }) => {
        const child = shapeOf(model, ref.shape);
        return name !== 'Marker' && (child.type === 'list' || child.type === 'map') && (flood || child.max === undefined);
      };
      let sharing = members.filter(([name, ref]) => unbounded(name, ref)).length;
      for (const [name, ref] of members) {
        if (name === 'Marker') continue;
        const child = shapeOf(model, ref.shape);
        const location = ref.locationName ?? name;
        const childPrefix = prefix ? `${prefix}.${location}` : location;
        if (unbounded(name, ref)) {
          const share = { left: Math.floor(budget.left / sharing--) };
          const before = share.left;
          any = fill(model, child, name, childPrefix, out, share, flood) || any;
          budget.left -= before - share.left;
        } else {
          any = fill(model, child, name, childPrefix, out, budget, flood) || any;
        }
      }
      return any;
    }
    case 'list': {
      const item = shapeOf(model, shape.member!.shape);
      const limit = flood || shape.max === undefined ? 1_000_000 : shape.max;
      let n = 0;
      for (let i = 1; i <= limit; i++) {
        const name = shape.flattened ? `${prefix}.${i}` : `${prefix}.member.${i}`;
        const itemMember = member === 'Tags' ? 'Tag' : member;
        if (!fillItem(model, item, itemMember, name, out, budget, flood, i)) break;
        n++;
      }
      if (n === 0 && budget.left > prefix.length + 2) {
        out[prefix] = '';
        budget.left -= prefix.length + 2;
      }
      return n > 0;
    }
    case 'map': {
      const valueShape = shapeOf(model, shape.value!.shape);
      let n = 0;
      for (let i = 1; i <= (flood ? 1_000_000 : 50); i++) {
        const key = `${prefix}.entry.${i}.key`;
        const k = `k${i}`;
        if (encodedLength(key, k) > budget.left) break;
        out[key] = k;
        budget.left -= encodedLength(key, k);
        if (!fill(model, valueShape, member, `${prefix}.entry.${i}.value`, out, budget, flood)) break;
        n++;
      }
      return n > 0;
    }
    default: {
      const value = scalarFor(member, shape, budget.left - prefix.length * 3 - 2);
      if (value === undefined || encodedLength(prefix, value) > budget.left) return false;
      out[prefix] = value;
      budget.left -= encodedLength(prefix, value);
      return true;
    }
  }
}

function fillItem(model: ServiceModel, item: Shape, member: string, prefix: string, out: Record<string, string>, budget: Budget, flood: boolean, i: number): boolean {
  if (member === 'Tag' && item.type === 'structure') {
    // Distinct keys (a duplicate is refused before any work), at the maximum lengths.
    const key = `k${i}-`.padEnd(128, 'k');
    const value = 'v'.repeat(256);
    const size = encodedLength(`${prefix}.Key`, key) + encodedLength(`${prefix}.Value`, value);
    if (size > budget.left) return false;
    out[`${prefix}.Key`] = key;
    out[`${prefix}.Value`] = value;
    budget.left -= size;
    return true;
  }
  if (item.type === 'string' && /ActionNames/.test(member)) {
    const value = `iam:Get${'A'.repeat(60)}${i}`;
    if (encodedLength(prefix, value) > budget.left) return false;
    out[prefix] = value;
    budget.left -= encodedLength(prefix, value);
    return true;
  }
  if (item.type === 'string' && /ResourceArns/.test(member)) {
    const value = `arn:aws:iam::${ACCOUNT}:user/${'u'.repeat(60)}${i}`;
    if (encodedLength(prefix, value) > budget.left) return false;
    out[prefix] = value;
    budget.left -= encodedLength(prefix, value);
    return true;
  }
  return fill(model, item, member, prefix, out, budget, flood);
}

function scalarFor(member: string, shape: Shape, room: number): string | undefined {
  if (room < 8) return undefined;
  switch (shape.type) {
    case 'string':
      return stringFor(member, shape, room);
    case 'integer':
    case 'long':
      return String(member === 'MaxItems' ? 1000 : (shape.max ?? shape.min ?? 1));
    case 'boolean':
      return 'true';
    case 'timestamp':
      return new Date().toISOString();
    default:
      return 'a';
  }
}

export function largestBody(model: ServiceModel, operation: string, flood: boolean): Record<string, string> {
  const params: Record<string, string> = { Action: operation, Version: model.metadata.apiVersion };
  const input = model.operations[operation]!.input?.shape;
  if (!input) return params;
  const budget = { left: BODY_LIMIT - 200 };
  fill(model, shapeOf(model, input), '', '', params, budget, flood);
  return params;
}

/** Whether any list in the input has a maximum (then a flood body differs from the model's). */
function hasBoundedList(model: ServiceModel, shape: Shape, seen = new Set<Shape>()): boolean {
  if (seen.has(shape)) return false;
  seen.add(shape);
  if (shape.type === 'list') return shape.max !== undefined || hasBoundedList(model, shapeOf(model, shape.member!.shape), seen);
  if (shape.type === 'structure') return Object.values(shape.members ?? {}).some((r) => hasBoundedList(model, shapeOf(model, r.shape), seen));
  return false;
}

// ---------------------------------------------------------------------------------------------
// The server, its access log, and signed calls

interface Iamd {
  url: string;
  /** The access log's ms by request id. */
  serverMs: Map<string, number>;
  stop(): Promise<void>;
}

/** The built server, in memory, with its access log read for the server's time of each request. */
async function startAmplificationIamd(): Promise<Iamd> {
  const serverMs = new Map<string, number>();
  const server = await startIamd(['--memory'], { IAMD_ACCESS_LOG: 'true' }, {
    quiet: false,
    onAccessLine: (line) => {
      const m = /"ms":([\d.]+),"requestId":"([^"]+)"/.exec(line);
      if (m) serverMs.set(m[2]!, Number(m[1]));
    },
  });
  return { url: server.url, serverMs, stop: () => server.stop() };
}

class Client {
  private readonly pool: Http1Pool;
  private readonly target: URL;
  constructor(url: string) {
    this.target = new URL(url);
    this.pool = new Http1Pool(this.target, 8);
  }
  /** Encodes and signs a request (done before the measurement: a 1 MiB body costs the client milliseconds). */
  prepare(params: Record<string, string>, credentials: SigningCredentials, service = 'iam'): { headers: Record<string, string>; body: string } {
    const body = queryBody(params);
    const signed = signRequest(
      { method: 'POST', headers: { host: this.target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
      { credentials, region: 'us-east-1', service },
    );
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) headers[k] = String(v);
    return { headers, body };
  }
  send(request: { headers: Record<string, string>; body: string }): Promise<Http1Answer> {
    return this.pool.post('/', request.headers, request.body);
  }
  call(params: Record<string, string>, credentials: SigningCredentials, service = 'iam'): Promise<Http1Answer> {
    return this.send(this.prepare(params, credentials, service));
  }
  close(): void {
    this.pool.close();
  }
}

const codeOf = (a: Http1Answer) => (a.status === 200 ? '200' : `${a.status} ${/<Code>([^<]*)<\/Code>/.exec(a.body)?.[1] ?? ''}`);

/** A fresh account: the named entities, and the key of a user without permissions ("nobody"). */
async function setUp(iamd: Iamd, client: Client): Promise<SigningCredentials> {
  await fetch(`${iamd.url}/moto-api/reset`, { method: 'POST' });
  const ok = async (params: Record<string, string>) => {
    const a = await client.call(params, ROOT);
    if (a.status !== 200) throw new Error(`${params.Action}: ${a.status} ${a.body.slice(0, 300)}`);
    return a.body;
  };
  await ok({ Action: 'CreateUser', UserName: NAMES.user });
  // The caller without permissions: no policy of its own, in no group.
  await ok({ Action: 'CreateUser', UserName: 'nobody' });
  const key = await ok({ Action: 'CreateAccessKey', UserName: 'nobody' });
  await ok({ Action: 'CreateLoginProfile', UserName: NAMES.user, Password: PASSWORD });
  await ok({ Action: 'CreateGroup', GroupName: NAMES.group });
  await ok({ Action: 'AddUserToGroup', GroupName: NAMES.group, UserName: NAMES.user });
  await ok({ Action: 'CreateRole', RoleName: NAMES.role, AssumeRolePolicyDocument: TRUST });
  await ok({ Action: 'CreateInstanceProfile', InstanceProfileName: NAMES.instanceProfile });
  await ok({ Action: 'AddRoleToInstanceProfile', InstanceProfileName: NAMES.instanceProfile, RoleName: NAMES.role });
  await ok({ Action: 'CreatePolicy', PolicyName: NAMES.policy, PolicyDocument: policyOf(6_000) });
  await ok({ Action: 'AttachGroupPolicy', GroupName: NAMES.group, PolicyArn: POLICY_ARN });
  await ok({ Action: 'PutRolePolicy', RoleName: NAMES.role, PolicyName: NAMES.policy, PolicyDocument: policyOf(6_000) });
  return {
    accessKeyId: /<AccessKeyId>([^<]+)</.exec(key)![1]!,
    secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(key)![1]!,
  };
}

interface Measure {
  answer: string;
  serverMs: number;
  stallMs: number;
  bodyBytes: number;
}

/** Sends one large request while a loop of root GetUser runs; the server's time and the worst GetUser. */
async function measure(iamd: Iamd, big: Client, probe: Client, params: Record<string, string>, credentials: SigningCredentials, service: string): Promise<Measure> {
  const request = big.prepare(params, credentials, service);
  const bodyBytes = Buffer.byteLength(request.body);
  const getUser = probe.prepare({ Action: 'GetUser' }, ROOT); // signed once: the loop measures the server, not the signer
  let done = false;
  let worst = 0;
  const loop = (async () => {
    while (!done) {
      const t = performance.now();
      await probe.send(getUser);
      worst = Math.max(worst, performance.now() - t);
    }
  })();
  await new Promise((r) => setTimeout(r, 5)); // the loop is running before the large request arrives
  const answer = await big.send(request);
  done = true;
  if (answer.status === 200 || answer.status >= 500 || process.env.AMPLIFICATION_VERBOSE) lastAnswers.set(params.Action!, answer.body.slice(0, 400));
  await loop;
  // The access log line arrives after the answer (the logger writes asynchronously; later still on a loaded machine).
  const id = answer.headers['x-amzn-requestid'];
  for (let waited = 0; id !== undefined && !iamd.serverMs.has(id) && waited < 2000; waited += 5) await new Promise((r) => setTimeout(r, 5));
  return { answer: codeOf(answer), serverMs: (id ? iamd.serverMs.get(id) : undefined) ?? Number.NaN, stallMs: worst, bodyBytes };
}

/** The first bytes of each answer, for --verbose. */
const lastAnswers = new Map<string, string>();

const worse = (a: Measure, b: Measure | undefined) => (b === undefined || a.serverMs + a.stallMs >= b.serverMs + b.stallMs ? a : b);

// ---------------------------------------------------------------------------------------------

interface Row {
  operation: string;
  noPermission: Measure;
  root: Measure;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const writeResults = argv.includes('--write-results');
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? new Set(argv[onlyIndex + 1]!.split(',')) : undefined;
  const iamd = await startAmplificationIamd();
  const client = new Client(iamd.url);
  const big = new Client(iamd.url);
  const probe = new Client(iamd.url);
  const started = Date.now();
  // The machine may be shared: its load beside the figures says how far to trust them.
  const loadBefore = os.loadavg();
  const rows: Row[] = [];
  try {
    const operations: [ServiceModel, string, string][] = [
      ...Object.keys(IAM_MODEL.operations).map((op): [ServiceModel, string, string] => [IAM_MODEL, 'iam', op]),
      ...Object.keys(STS_MODEL.operations).map((op): [ServiceModel, string, string] => [STS_MODEL, 'sts', op]),
    ];
    for (const [model, service, operation] of operations) {
      if (only && !only.has(operation)) continue;
      const input = model.operations[operation]!.input?.shape;
      const bodies = [largestBody(model, operation, false)];
      if (input && hasBoundedList(model, shapeOf(model, input))) bodies.push(largestBody(model, operation, true));
      let noPermission: Measure | undefined;
      let root: Measure | undefined;
      for (const params of bodies) {
        // A fresh account for each: the root's request may delete or change what the next one names.
        const user = await setUp(iamd, client);
        noPermission = worse(await measure(iamd, big, probe, params, user, service), noPermission);
        root = worse(await measure(iamd, big, probe, params, ROOT, service), root);
      }
      const row = { operation: service === 'sts' ? `sts:${operation}` : operation, noPermission: noPermission!, root: root! };
      rows.push(row);
      process.stdout.write(`${row.operation.padEnd(40)} ${fmt(row.noPermission)}   ${fmt(row.root)}\n`);
    }
  } finally {
    client.close();
    big.close();
    probe.close();
    await iamd.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const table = amplificationTable(rows);
  const over = rows.filter((r) => [r.noPermission, r.root].some((m) => m.serverMs > BOUND_SERVER_MS || m.stallMs > BOUND_STALL_MS));
  const worst = [...rows].sort((a, b) => Math.max(b.noPermission.serverMs, b.root.serverMs) - Math.max(a.noPermission.serverMs, a.root.serverMs)).slice(0, 10);
  console.log(`\n${rows.length} operations in ${seconds.toFixed(0)} s; worst by server time:\n`);
  console.log(amplificationTable(worst));
  if (process.env.AMPLIFICATION_VERBOSE) for (const [op, body] of lastAnswers) console.log(op, body);
  console.log(`\nOver the bound (${BOUND_SERVER_MS} ms server time or ${BOUND_STALL_MS} ms stall): ${over.length === 0 ? 'none' : over.map((r) => r.operation).join(', ')}`);
  const load = `load average (1, 5, 15 min) ${loadText(loadBefore)} before, ${loadText(os.loadavg())} after`;
  console.log(load);
  if (writeResults) writeSection(table, rows.length, seconds, over, load);
}

const ms = (x: number) => (Number.isNaN(x) ? '–' : x.toFixed(x < 10 ? 1 : 0));
const fmt = (m: Measure) => `${m.answer.padEnd(28)} ${ms(m.serverMs).padStart(6)} ms  stall ${ms(m.stallMs).padStart(6)} ms`;

function amplificationTable(rows: Row[]): string {
  return markdownTable(
    ['operation', 'body KiB', 'no permission: answer', 'server ms', 'stall ms', 'root: answer', 'server ms', 'stall ms'],
    rows.map((r) => [
      r.operation,
      (Math.max(r.noPermission.bodyBytes, r.root.bodyBytes) / 1024).toFixed(0),
      r.noPermission.answer,
      ms(r.noPermission.serverMs),
      ms(r.noPermission.stallMs),
      r.root.answer,
      ms(r.root.serverMs),
      ms(r.root.stallMs),
    ]),
    1,
  );
}

const loadText = (load: number[]) => load.map((x) => x.toFixed(2)).join(', ');

function writeSection(table: string, count: number, seconds: number, over: Row[], load: string): void {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/RESULTS.md');
  const heading = '## Amplification: the largest body per operation';
  const section = [
    heading,
    '',
    `Generated by \`npm run bench:amplification -- --write-results\` (bench/amplification.ts): ${count} operations in ${seconds.toFixed(0)} s, ` +
      `${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString()}; ${load}.`,
    'Each operation gets the largest body iamd accepts (1 MiB) built from its input shape (strings at their maximum, lists at the',
    "model's maximum or filled to the limit, heavy policy documents, existing entities named), and a flood body whose lists ignore",
    'the maximum; the worse of the two is shown. "server ms" is the access log\'s time (headers to answer); "stall ms" the slowest',
    `root GetUser of a loop running beside it. Bound (issue 19): ${BOUND_SERVER_MS} ms and ${BOUND_STALL_MS} ms; over it: ${over.length === 0 ? 'none' : over.map((r) => r.operation).join(', ')}.`,
    '',
    table,
    '',
  ].join('\n');
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf(heading);
  let next;
  if (start < 0) next = `${text.trimEnd()}\n\n${section}`;
  else {
    const end = text.indexOf('\n## ', start + heading.length);
    next = text.slice(0, start) + section + (end < 0 ? '' : text.slice(end + 1));
  }
  fs.writeFileSync(file, next);
}

// Run when executed, not when imported (the fuzz test draws its inputs from largestBody).
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await main();
