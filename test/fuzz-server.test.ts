/**
 * A request fuzzer against the running server (issue 8, point 3): malformed form encoding, invalid
 * UTF-8, duplicate and unknown members, huge and deeply nested members, wrong Content-Type, absurd
 * headers, junk query strings and signatures. Every request must get a clear AWS error (or, for
 * what is not HTTP at all, node's own 400/431), never a 5xx, and the stored state must not change.
 * A second test draws requests from the model's input shapes for every IAM and STS operation
 * (members present or not, strings within and beyond their lengths, lists one past small maxima,
 * names that exist), signed as root, as an IAM user with a few permissions and as one with none:
 * each answers 200 or an AWS error with its status, never a 5xx.
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateUserCommand,
  AddUserToGroupCommand,
  GetLoginProfileCommand,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { ERROR_STATUS } from '../src/domain/errors.js';
import { IAM_MODEL, STS_MODEL, shapeOf, type ServiceModel, type Shape } from '../src/protocol/query/model.js';
import { OPERATIONS } from '../src/protocol/operations.js';
import { iamClient, startServer, type TestServer } from './support/server.js';
import { signer } from './support/signed-http.js';
import { tempDir } from './support/hardening.js';

const SEED = 20261127;
let server: TestServer;
let dbFile: string;

interface Fuzzed {
  group: string;
  method: string;
  target: string;
  headers: [string, string][];
  body: Buffer;
  sign: 'root' | 'none' | 'garbage' | 'keep' | 'nobody';
  /** The signature's service (default iam). */
  service?: 'iam' | 'sts';
}

/** IAM users' keys (beforeAll): keep has a few permissions, nobody none. */
const userKeys: Record<'keep' | 'nobody', { accessKeyId: string; secretAccessKey: string }> = {
  keep: { accessKeyId: '', secretAccessKey: '' },
  nobody: { accessKeyId: '', secretAccessKey: '' },
};

beforeAll(async () => {
  const dir = tempDir('fuzz');
  dbFile = path.join(dir, 'iamd.sqlite');
  server = await startServer({ args: ['--data-dir', dir], env: { IAMD_ACCESS_LOG: undefined } });
  const iam = iamClient(server.url);
  await iam.send(new CreateUserCommand({ UserName: 'keep', Path: '/fuzz/', Tags: [{ Key: 'team', Value: 'a' }] }));
  await iam.send(new CreateLoginProfileCommand({ UserName: 'keep', Password: 'Fuzz-Keep-Passw0rd!' }));
  const keepKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'keep' }))).AccessKey!;
  userKeys.keep = { accessKeyId: keepKey.AccessKeyId!, secretAccessKey: keepKey.SecretAccessKey! };
  await iam.send(new CreateUserCommand({ UserName: 'nobody' }));
  const nobodyKey = (await iam.send(new CreateAccessKeyCommand({ UserName: 'nobody' }))).AccessKey!;
  userKeys.nobody = { accessKeyId: nobodyKey.AccessKeyId!, secretAccessKey: nobodyKey.SecretAccessKey! };
  await iam.send(new PutUserPolicyCommand({ UserName: 'keep', PolicyName: 'p', PolicyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}' }));
  const { Policy } = await iam.send(
    new CreatePolicyCommand({ PolicyName: 'managed', PolicyDocument: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:List*","Resource":"*"}}' }),
  );
  await iam.send(new AttachUserPolicyCommand({ UserName: 'keep', PolicyArn: Policy!.Arn! }));
  await iam.send(new CreateGroupCommand({ GroupName: 'crew' }));
  await iam.send(new AddUserToGroupCommand({ GroupName: 'crew', UserName: 'keep' }));
  await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10, PasswordReusePrevention: 3 }));
});
afterAll(async () => {
  await server?.stop();
});

/** The stored state, as the API shows it and as the database holds it (minus last-use bookkeeping). */
async function stateDigest(): Promise<string> {
  const iam = iamClient(server.url);
  const seen: unknown[] = [];
  const users = (await iam.send(new ListUsersCommand({}))).Users ?? [];
  seen.push(users);
  for (const u of users) {
    seen.push(await iam.send(new GetLoginProfileCommand({ UserName: u.UserName })).then((r) => r.LoginProfile, (e: Error) => e.name));
    seen.push((await iam.send(new ListAccessKeysCommand({ UserName: u.UserName }))).AccessKeyMetadata);
    seen.push((await iam.send(new ListUserPoliciesCommand({ UserName: u.UserName }))).PolicyNames);
    seen.push((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: u.UserName }))).AttachedPolicies);
  }
  seen.push((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies);
  const db = new Database(dbFile, { readonly: true });
  try {
    for (const [table, columns] of [
      ['users', 'id, name, path, created_at, permissions_boundary'],
      ['tags', '*'],
      ['roles', '*'],
      ['instance_profiles', '*'],
      ['instance_profile_roles', '*'],
      ['ssh_public_keys', '*'],
      ['signing_certificates', '*'],
      ['service_specific_credentials', '*'],
      ['mfa_devices', '*'],
      ['settings', '*'],
      ['login_profiles', '*'],
      ['password_history', '*'],
      ['access_keys', 'id, user_id, secret, status, created_at'],
      ['inline_policies', '*'],
      ['managed_policies', '*'],
      ['policy_versions', '*'],
      ['policy_attachments', '*'],
      ['groups', '*'],
      ['group_members', '*'],
      ['password_policy', '*'],
    ] as const) {
      seen.push(db.prepare(`SELECT ${columns} FROM ${table} ORDER BY 1, 2`).all());
    }
  } finally {
    db.close();
  }
  return createHash('sha256').update(JSON.stringify(seen)).digest('hex');
}

/** Sends bytes exactly as given (no client-side checks) and reads the whole answer. */
function sendRaw(req: Fuzzed): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(server.url);
  const framed = req.headers.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k));
  const length: [string, string][] = req.body.length > 0 && !framed ? [['content-length', String(req.body.length)]] : [];
  const head =
    `${req.method} ${req.target} HTTP/1.1\r\n` + [['host', `${hostname}:${port}`], ...req.headers, ...length, ['connection', 'close']].map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n';
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error(`no answer to ${req.group}`)));
    socket.on('data', (d) => chunks.push(d));
    let reset = false;
    socket.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code === 'ECONNRESET' || (e as NodeJS.ErrnoException).code === 'EPIPE') reset = true;
      else reject(e);
    });
    socket.on('close', () => {
      if (reset && chunks.length === 0) return resolve({ status: -1, body: 'connection reset' });
      const text = Buffer.concat(chunks).toString('latin1').replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(Buffer.concat([Buffer.from(head, 'latin1'), req.body]));
  });
}

/** Signs with the root key via the AWS SDK's signer, exactly over the bytes that will be sent. */
async function prepare(req: Fuzzed): Promise<Fuzzed> {
  if (req.sign === 'none') return req;
  if (req.sign === 'garbage') return { ...req, headers: [...req.headers, ['authorization', 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=' + '0'.repeat(64)]] };
  const { hostname, port } = new URL(server.url);
  const q = req.target.indexOf('?');
  const query = Object.fromEntries(new URLSearchParams(q < 0 ? '' : req.target.slice(q + 1)));
  const credentials = req.sign === 'root' ? undefined : userKeys[req.sign];
  const signed = await signer(credentials, req.service ?? 'iam').sign({
    method: req.method,
    protocol: 'http:',
    hostname,
    port: Number(port),
    path: '/',
    query,
    headers: { host: `${hostname}:${port}`, ...Object.fromEntries(req.headers) },
    body: req.body,
  });
  const headers = Object.entries(signed.headers as Record<string, string>).filter(([k]) => k.toLowerCase() !== 'host');
  return { ...req, headers };
}

// ---- what to send -------------------------------------------------------------------------------

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';
const enc = (s: string) => encodeURIComponent(s);
const junkText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '%FF%FE%FD', '%C0%AF', '%ED%A0%80', '%00', '&&&', '===', '+', '%2B%', 'a=b=c'),
);
const junkBytes = fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(Uint8Array.from([0xff, 0xfe]), Uint8Array.from([0xc3, 0x28]), Uint8Array.from([0xed, 0xa0, 0x80])));
// The mutating operations iamd serves (the model has many more).
const mutating = Object.keys(OPERATIONS).filter((a) => !/^(Get|List|Simulate)/.test(a) && IAM_MODEL.operations[a]);
/** Operations with a required member: without it, they must fail validation whatever else is sent. */
const withRequired = mutating.filter((a) => (IAM_MODEL.shapes[IAM_MODEL.operations[a]!.input?.shape ?? '']?.required ?? []).length > 0);

/** Unknown, nested, repeated and huge members, as form pairs (never a bare required member name). */
const junkPairs = fc.array(
  fc.oneof(
    fc.tuple(junkText.map((n) => `Zz${n}`), junkText).map(([k, v]) => `${enc(k)}=${enc(v)}`),
    fc.tuple(junkText, junkText).map(([k, v]) => `${k}=${v}`), // raw, malformed percent-encoding included
    fc.integer({ min: 1, max: 60 }).map((d) => `Tags${'.member.1'.repeat(d)}.Key=x`),
    fc.integer({ min: 1, max: 40 }).map((d) => `PolicyArns${'.member.1'.repeat(d)}=y`),
    fc.integer({ min: 1000, max: 200_000 }).map((n) => `ZzHuge=${'x'.repeat(n)}`),
    fc.integer({ min: 1, max: 300 }).map((n) => Array.from({ length: n }, (_, i) => `Tags.member.${i + 1}.Key=k${i}`).join('&')),
    fc.constant('Tags.member.999999999999999999999.Key=a&Tags.member.-1.Value=b&Tags.entry.1.key=c'),
  ),
  { maxLength: 6 },
);

const groups: Record<string, fc.Arbitrary<Fuzzed>> = {
  // Signed with a valid signature, but a required member missing: must be ValidationError, whatever else comes.
  missingRequired: fc.tuple(fc.constantFrom(...withRequired), junkPairs).map(([action, pairs]) => ({
    group: 'missingRequired',
    method: 'POST',
    target: '/',
    headers: [['content-type', FORM]],
    body: Buffer.from([`Action=${action}`, 'Version=2010-05-08', ...pairs].join('&')),
    sign: 'root',
  })),
  // Signed, aimed at what does not exist, with duplicates (the first counts) and junk.
  ghostTargets: fc
    .tuple(
      fc.constantFrom(
        'Action=DeleteUser&UserName=ghost',
        'Action=UpdateLoginProfile&UserName=ghost&Password=Ghost-Passw0rd-1!',
        'Action=CreateLoginProfile&UserName=ghost&Password=Ghost-Passw0rd-1!',
        'Action=DeleteLoginProfile&UserName=ghost',
        'Action=CreateAccessKey&UserName=ghost',
        'Action=DeleteAccessKey&UserName=keep&AccessKeyId=AKIAGHOSTGHOSTGHOST1',
        'Action=UpdateAccessKey&UserName=keep&AccessKeyId=AKIAGHOSTGHOSTGHOST1&Status=Inactive',
        'Action=PutUserPolicy&UserName=ghost&PolicyName=p&PolicyDocument=%7B%7D',
        'Action=PutUserPolicy&UserName=keep&PolicyName=p&PolicyDocument=%5B%5B%5B%5B%5B%5B%5B%5B%5B%5B',
        'Action=AttachUserPolicy&UserName=keep&PolicyArn=arn:aws:iam::123456789012:policy/ghost',
        'Action=UpdateUser&UserName=ghost&NewUserName=ghost2',
        'Action=TagUser&UserName=ghost&Tags.member.1.Key=a&Tags.member.1.Value=b',
        'Action=TagUser&UserName=keep&Tags.member.1.Key=a&Tags.member.2.Key=a',
        'Action=AddUserToGroup&UserName=keep&GroupName=ghost',
        'Action=UpdateLoginProfile&UserName=keep&Password=short',
        'Action=UpdateAccountPasswordPolicy&MinimumPasswordLength=5',
        'Action=CreateUser&UserName=keep',
        'Action=CreateUser&UserName=' + 'x'.repeat(65),
        'Action=CreateUser&UserName=bad%20name',
        'Action=DeleteUser&UserName=ghost&UserName=keep',
        'Action=DeleteGroup&GroupName=crew&GroupName=ghost',
        'Action=NoSuchAction&UserName=keep',
        'Action=DeleteUser&UserName=keep',
      ),
      junkPairs,
    )
    .map(([base, pairs]) => ({
      group: 'ghostTargets',
      method: 'POST',
      target: '/',
      headers: [['content-type', FORM]],
      body: Buffer.from([base, 'Version=2010-05-08', ...pairs].join('&')),
      sign: 'root',
    })),
  // Invalid UTF-8 in the body, raw and percent-encoded.
  invalidUtf8: fc.tuple(fc.constantFrom('DeleteUser', 'CreateUser', 'UpdateLoginProfile', 'ChangePassword'), junkBytes, junkBytes).map(([action, a, b]) => ({
    group: 'invalidUtf8',
    method: 'POST',
    target: '/',
    headers: [['content-type', FORM]],
    body: Buffer.concat([Buffer.from(`Action=${action}&Version=2010-05-08&UserName=`), Buffer.from(a), Buffer.from('&Password='), Buffer.from(b), Buffer.from('&NewPassword=%FF%FE')]),
    sign: 'root',
  })),
  // A valid destructive call with the wrong Content-Type (signed): MalformedQueryString.
  wrongContentType: fc.constantFrom('text/plain', 'application/json', 'multipart/form-data; boundary=x', 'application/x-amz-json-1.1', 'x-www-form-urlencoded', '', '\u00ff').map((ct) => ({
    group: 'wrongContentType',
    method: 'POST',
    target: '/',
    headers: ct === '' ? [] : [['content-type', ct]],
    body: Buffer.from('Action=DeleteUser&Version=2010-05-08&UserName=keep'),
    sign: 'root',
  })),
  // Destructive calls, unsigned or with a bad signature, in the body or the query string.
  unsigned: fc.tuple(fc.constantFrom<'none' | 'garbage'>('none', 'garbage'), fc.boolean(), junkText).map(([sign, inQuery, junk]) => ({
    group: 'unsigned',
    method: inQuery ? 'GET' : 'POST',
    target: inQuery ? `/?Action=DeleteLoginProfile&Version=2010-05-08&UserName=keep&${junk.replace(/[\s#]/g, '')}` : '/',
    headers: inQuery ? [] : [['content-type', FORM]],
    body: inQuery ? Buffer.alloc(0) : Buffer.from('Action=DeleteLoginProfile&Version=2010-05-08&UserName=keep'),
    sign,
  })),
  // Presigned-looking query strings full of junk.
  junkQuery: fc.array(fc.tuple(fc.constantFrom('X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'Action', 'UserName'), junkText), { maxLength: 8 }).map((pairs) => ({
    group: 'junkQuery',
    method: 'GET',
    target: '/?Action=DeleteUser&UserName=keep&' + pairs.map(([k, v]) => `${k}=${v.replace(/[\s#]/g, '')}`).join('&'),
    headers: [],
    body: Buffer.alloc(0),
    sign: 'none',
  })),
  // Absurd headers around a valid, signed, destructive-looking body (the signature is over the body, not these).
  absurdHeaders: fc
    .constantFrom<[string, string][]>(
      [['x-padding', 'x'.repeat(20_000)]],
      Array.from({ length: 500 }, (_, i) => [`x-h${i}`, 'v']),
      [['authorization', 'AWS4-HMAC-SHA256'], ['authorization', 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e']],
      [['authorization', 'AWS4-HMAC-SHA256 Credential=' + 'A'.repeat(12_000)]],
      [['x-amz-date', '99999999T999999Z']],
      [['x-amz-date', '\u00ff\u00fe']],
      [['x-amz-security-token', 'z'.repeat(8000)]],
      [['content-length', '5'], ['content-length', '7']],
      [['transfer-encoding', 'chunked'], ['content-length', '3']],
      [['content-length', '-1']],
      [['content-length', 'abc']],
      [['x-bad\u0000name', 'v']],
      [['x-nul', 'a\u0000b']],
      [['user-agent', '\u00e9'.repeat(4000)]],
      [['expect', '100-continue']],
      [['content-encoding', 'gzip']],
      [['content-type', FORM], ['content-type', 'text/plain']],
    )
    .map((extra) => ({
      group: 'absurdHeaders',
      method: 'POST',
      target: '/',
      headers: [['content-type', FORM], ...extra],
      body: Buffer.from('Action=DeleteLoginProfile&Version=2010-05-08&UserName=keep'),
      sign: 'none',
    })),
  // Odd methods and paths.
  oddRequests: fc.tuple(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'BREW', 'GET'), fc.constantFrom('/', '/%', '/../../etc/passwd', '/?', '/?&&&=', '//', '/console/../', '*')).map(([method, target]) => ({
    group: 'oddRequests',
    method,
    target,
    headers: [],
    body: Buffer.alloc(0),
    sign: 'none',
  })),
};

// ---- inputs drawn from the model's shapes, for every operation ------------------------------------

/** Names and documents that exist on the fuzz server, so drawn requests reach the handlers too. */
const KNOWN: Record<string, string[]> = {
  UserName: ['keep', 'nobody', 'ghost', 'fuzz-new'],
  GroupName: ['crew', 'ghost'],
  PolicyArn: ['arn:aws:iam::123456789012:policy/managed', 'arn:aws:iam::aws:policy/IAMReadOnlyAccess', 'arn:aws:iam::123456789012:policy/ghost'],
  PolicyName: ['p', 'managed', 'fuzz-new'],
  PolicyDocument: ['{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}}', '{}', 'not json'],
  Password: ['Fuzz-New-Passw0rd!', 'short'],
  NewPassword: ['Fuzz-New-Passw0rd!'],
  OldPassword: ['Fuzz-Keep-Passw0rd!'],
};

/** A value for a scalar shape: often valid-looking (within its lengths, an enum value, a known name), sometimes not. */
function scalarArbitrary(member: string, shape: Shape): fc.Arbitrary<string> {
  switch (shape.type) {
    case 'integer':
    case 'long':
      return fc.oneof(fc.integer({ min: shape.min ?? -5, max: Math.min(shape.max ?? 100_000, 100_000) }).map(String), fc.integer().map(String), fc.constantFrom('x', '1.5', ''));
    case 'boolean':
      return fc.constantFrom('true', 'false', 'TRUE', 'yes');
    case 'timestamp':
      return fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constant('yesterday'));
    default: {
      const min = shape.min ?? 0;
      const max = Math.max(min, Math.min(shape.max ?? 300, 200_000));
      const options: fc.Arbitrary<string>[] = [fc.integer({ min, max }).map((n) => 'a'.repeat(n)), fc.string({ maxLength: 24 }), junkText];
      if (shape.enum) options.push(fc.constantFrom(...shape.enum));
      if (KNOWN[member]) options.push(fc.constantFrom(...KNOWN[member]!), fc.constantFrom(...KNOWN[member]!));
      return fc.oneof(...options);
    }
  }
}

/** Query parameters for a shape, under a prefix: structures' members (each maybe absent), lists and maps of a few entries. */
function shapeArbitrary(model: ServiceModel, shapeName: string, member: string, prefix: string, depth: number): fc.Arbitrary<[string, string][]> {
  const shape = shapeOf(model, shapeName);
  const under = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  if (depth > 6) return fc.constant([]);
  switch (shape.type) {
    case 'structure': {
      const members = Object.entries(shape.members ?? {}).map(([name, ref]) =>
        fc.option(shapeArbitrary(model, ref.shape, name, under(ref.locationName ?? name), depth + 1), {
          nil: undefined,
          freq: (shape.required ?? []).includes(name) ? 8 : 2,
        }),
      );
      return fc.tuple(...members).map((parts) => parts.flatMap((p) => p ?? []));
    }
    case 'list': {
      const most = Math.min(shape.max ?? 3, 3) + 1; // one past a small maximum: the length check
      // Items are drawn under a placeholder prefix, then numbered.
      const item = shapeArbitrary(model, shape.member!.shape, member, '\u0000', depth + 1);
      return fc.array(item, { maxLength: most }).map((items) =>
        items.length === 0
          ? [[prefix, ''] as [string, string]]
          : items.flatMap((pairs, i) => pairs.map(([k, v]): [string, string] => [k.replace('\u0000', shape.flattened ? `${prefix}.${i + 1}` : `${prefix}.member.${i + 1}`), v])),
      );
    }
    case 'map': {
      const value = shapeArbitrary(model, shape.value!.shape, member, '\u0000', depth + 1);
      return fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), value), { maxLength: 3 }).map((entries) =>
        entries.flatMap(([key, pairs], i): [string, string][] => [
          [`${prefix}.entry.${i + 1}.key`, key],
          ...pairs.map(([k, v]): [string, string] => [k.replace('\u0000', `${prefix}.entry.${i + 1}.value`), v]),
        ]),
      );
    }
    default:
      return scalarArbitrary(member, shape).map((v): [string, string][] => [[prefix, v]]);
  }
}

const MODEL_OPERATIONS: { model: ServiceModel; service: 'iam' | 'sts'; action: string }[] = [
  ...Object.keys(IAM_MODEL.operations).map((action) => ({ model: IAM_MODEL, service: 'iam' as const, action })),
  ...Object.keys(STS_MODEL.operations).map((action) => ({ model: STS_MODEL, service: 'sts' as const, action })),
];

/** A request for an operation, its members drawn from the operation's input shape, signed by root or an IAM user. */
const fromModel = (op: (typeof MODEL_OPERATIONS)[number]): fc.Arbitrary<Fuzzed> => {
  const input = op.model.operations[op.action]!.input?.shape;
  const pairs = input ? shapeArbitrary(op.model, input, '', '', 0) : fc.constant([] as [string, string][]);
  return fc.tuple(pairs, fc.constantFrom<'root' | 'keep' | 'nobody'>('root', 'keep', 'nobody')).map(([params, sign]) => ({
    group: `model:${op.action}`,
    method: 'POST',
    target: '/',
    headers: [['content-type', FORM]],
    body: Buffer.from(new URLSearchParams([['Action', op.action], ['Version', op.model.metadata.apiVersion], ...params]).toString()),
    sign,
    service: op.service,
  }));
};

/** An answer is fine if it is a 4xx AWS ErrorResponse whose code has its AWS status; node may refuse what is not HTTP. */
function judge(req: Fuzzed, res: { status: number; body: string }): string | undefined {
  if (res.status === 0) return 'no answer';
  // node refused the head outright and reset the connection before the answer was read.
  if (res.status === -1) return req.group === 'absurdHeaders' ? undefined : 'connection reset';
  if (res.status >= 500) return `status ${res.status}`;
  if (res.status < 400) return req.group.startsWith('model:') && res.status === 200 ? undefined : `accepted with ${res.status}`;
  if (req.method === 'HEAD') return undefined; // a 4xx, and HEAD answers carry no body
  const code = /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1];
  if (code !== undefined) {
    if (!(code in ERROR_STATUS)) return `unknown code ${code}`;
    if (ERROR_STATUS[code as keyof typeof ERROR_STATUS] !== res.status) return `${code} with status ${res.status}`;
    if (!/<Message>[^<]+<\/Message>/.test(res.body) || !/<RequestId>[\w-]+<\/RequestId>/.test(res.body)) return 'no message or request id';
    return undefined;
  }
  // Not an AWS answer: only node's own refusals of malformed HTTP, and 404 for other paths.
  // (A request line with bytes outside visible ASCII is not HTTP either.)
  const notHttp = req.group === 'absurdHeaders' || req.group === 'oddRequests' || /[^\x21-\x7e]/.test(req.target);
  const nodeLevel = notHttp && [400, 404, 405, 431].includes(res.status);
  return nodeLevel || (res.status === 404 && req.target !== '/' && !req.target.startsWith('/?')) ? undefined : `status ${res.status} without an AWS error`;
}

describe('request fuzzer against the running server', () => {
  it('answers every malformed request with a clear 4xx AWS error, never crashes, and changes nothing', async () => {
    const before = await stateDigest();
    const counts: Record<string, number> = {};
    const failures: string[] = [];
    const codes: Record<string, number> = {};
    const started = Date.now();
    const perGroup: Record<string, number> = { missingRequired: 250, ghostTargets: 300, invalidUtf8: 100, wrongContentType: 30, unsigned: 80, junkQuery: 80, absurdHeaders: 40, oddRequests: 40 };
    for (const [name, arb] of Object.entries(groups)) {
      const requests = fc.sample(arb, { numRuns: perGroup[name]!, seed: SEED });
      for (let i = 0; i < requests.length; i += 8) {
        await Promise.all(
          requests.slice(i, i + 8).map(async (r) => {
            const prepared = await prepare(r);
            const res = await sendRaw(prepared).catch((e: Error) => {
              throw new Error(`${name}: ${e.message} after ${JSON.stringify(counts)}; server: exit ${server.process.exitCode} ${server.process.signalCode}\n${server.output().slice(-2000)}`);
            });
            counts[name] = (counts[name] ?? 0) + 1;
            const code = /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] ?? `HTTP ${res.status}`;
            codes[code] = (codes[code] ?? 0) + 1;
            const verdict = judge(prepared, res);
            if (verdict) failures.push(`${name}: ${verdict}: ${prepared.method} ${prepared.target.slice(0, 80)} ${prepared.body.subarray(0, 120).toString('latin1')}`);
          }),
        );
      }
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    console.log(`fuzz-server: ${total} requests in ${((Date.now() - started) / 1000).toFixed(1)} s ${JSON.stringify(counts)}; answers ${JSON.stringify(codes)}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(server.process.exitCode).toBeNull();
    expect(server.stderr()).not.toContain('"level":"error"');
    expect(await stateDigest()).toBe(before);
    expect(total).toBe(Object.values(perGroup).reduce((a, b) => a + b, 0));
  }, 120_000);

  it('answers requests drawn from the model for every IAM and STS operation, signed as root and as IAM users, with 200 or an AWS error, never a 5xx', async () => {
    const requests = MODEL_OPERATIONS.flatMap((op, i) => fc.sample(fromModel(op), { numRuns: 6, seed: SEED + i }));
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    const started = Date.now();
    for (let i = 0; i < requests.length; i += 8) {
      await Promise.all(
        requests.slice(i, i + 8).map(async (r) => {
          const prepared = await prepare(r);
          const res = await sendRaw(prepared);
          const code = res.status === 200 ? '200' : (/<Code>([^<]*)<\/Code>/.exec(res.body)?.[1] ?? `HTTP ${res.status}`);
          statuses[code] = (statuses[code] ?? 0) + 1;
          const verdict = judge(prepared, res);
          if (verdict) failures.push(`${r.group} as ${r.sign}: ${verdict}: ${prepared.body.subarray(0, 200).toString('latin1')} -> ${res.body.slice(0, 300)}`);
        }),
      );
    }
    console.log(`fuzz-server (model): ${requests.length} requests over ${MODEL_OPERATIONS.length} operations in ${((Date.now() - started) / 1000).toFixed(1)} s; answers ${JSON.stringify(statuses)}`);
    expect(failures.slice(0, 20)).toEqual([]);
    expect(statuses['200']).toBeGreaterThan(0); // some drawn requests are valid and allowed: the handlers ran
    expect(server.process.exitCode).toBeNull();
    expect(server.stderr()).not.toContain('"level":"error"');
  }, 120_000);
});
