/**
 * Issue 19's two cases, and the largest bodies the amplification benchmark found slowest (a
 * 40,000-item GetAccountAuthorizationDetails Filter, a simulator policy whose matchers cost more than
 * a request's work budget): one request must not stall the server. Each sends the large request, then,
 * once the server has read its whole body, a cheap read (root GetUser), and asserts AWS's answer
 * to the large one AND that the cheap read was answered first. No wall-clock bound: the order of the
 * answers says whether the server kept serving while it worked on the large request (before the
 * fixes, TagUser with 16,000 tags held every other request for 45 s, the simulator for 120 s).
 */
import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { useServer } from './support/use-server.js';
import { errorOf, signer } from './support/signed-http.js';
import { ROOT, uniqueName } from './support/server.js';
import { setDefaultSliceMs } from '../src/domain/time-slice.js';

// The order of two answers is only a fact about the server if nothing else decides it:
// - A SQLite file, on either pass: its reads are synchronous, so the cheap read needs only the few
//   turns of the loop its HTTP exchange takes. On PostgreSQL each of its queries is a turn too, and
//   a slow database under CI load could let a large request that does yield finish first.
// - Every checkpoint gives the loop back (slice 0): the large request then takes one turn per step
//   (a hundred results, ten documents) however fast the machine runs a step; with 5 ms slices a fast
//   machine finished the simulation in as few turns as the cheap read needed, and CI once saw
//   ['large', 'GetUser'] from a server that was yielding as designed.
const dataDir = mkdtempSync(path.join(tmpdir(), 'iamd-bounded-'));
let restoreSlice: () => void = () => {};
beforeAll(() => {
  restoreSlice = setDefaultSliceMs(0);
});
// Registered before useServer's, so it runs after the server has stopped (hooks run as a stack).
afterAll(() => {
  restoreSlice();
  rmSync(dataDir, { recursive: true, force: true });
});
const api = useServer({ flags: { dataDir } });

interface Sent {
  /** Resolves once the server (in this process) has read the whole body. */
  received: Promise<void>;
  answer: Promise<{ status: number; body: string }>;
}

/**
 * Resolves when the in-process server has read the whole body of the next request whose
 * Content-Length is `length` (node's own diagnostics channel: the server's request, observed, not
 * replaced). Sending the cheap read only then matters: sent while the large body is still arriving,
 * it is served between two reads of the socket, and would come first even from a server that then
 * blocks for seconds.
 */
function bodyReceived(length: number): Promise<void> {
  return new Promise((resolve) => {
    const onStart = (message: unknown) => {
      const { request } = message as { request: http.IncomingMessage };
      if (request.headers['content-length'] !== String(length)) return;
      diagnostics.unsubscribe('http.server.request.start', onStart);
      request.once('end', () => resolve());
    };
    diagnostics.subscribe('http.server.request.start', onStart);
  });
}

/** A signed Query POST over node:http, so the test knows when its body has left. */
async function sendLarge(url: string, params: Record<string, string>, credentials: typeof ROOT): Promise<Sent> {
  const target = new URL(url);
  const body = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
  const signed = await signer(credentials).sign({
    method: 'POST',
    protocol: target.protocol,
    hostname: target.hostname,
    port: Number(target.port),
    path: '/',
    headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    query: {},
    body,
  });
  const received = bodyReceived(Buffer.byteLength(body));
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      { method: 'POST', host: target.hostname, port: Number(target.port), path: '/', headers: { ...signed.headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  return { received, answer };
}

/** Sends the large request, then the cheap read once the server has the large body; the order they were answered in. */
async function raceCheapRead(large: () => Promise<Sent>): Promise<{ order: string[]; large: { status: number; body: string } }> {
  const order: string[] = [];
  const big = await large();
  const bigAnswer = big.answer.then((a) => {
    order.push('large');
    return a;
  });
  await big.received;
  const cheap = api.iam.send(new GetUserCommand({})).then((r) => {
    order.push('GetUser');
    return r;
  });
  const [answer, user] = await Promise.all([bigAnswer, cheap]);
  expect(user.User!.Arn).toBe('arn:aws:iam::123456789012:root');
  return { order, large: answer };
}

async function userWithKey(policy?: string): Promise<{ name: string; credentials: typeof ROOT }> {
  const name = uniqueName('bounded');
  await api.iam.send(new CreateUserCommand({ UserName: name }));
  if (policy) await api.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: policy }));
  const { AccessKey } = await api.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { name, credentials: { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! } };
}

describe('one request does not stall the server', () => {
  it('TagUser with 16,000 tags from a user with no permissions: ValidationError on the list length, and a concurrent GetUser is answered first', async () => {
    const { name, credentials } = await userWithKey();
    const params: Record<string, string> = { Action: 'TagUser', UserName: name };
    for (let i = 1; i <= 16_000; i++) {
      params[`Tags.member.${i}.Key`] = `key-${i}`;
      params[`Tags.member.${i}.Value`] = `value-${i}`;
    }
    const { order, large } = await raceCheapRead(() => sendLarge(api.url, params, credentials));
    expect(large.status).toBe(400);
    // AWS checks the input against the model before authorization: the length, not AccessDenied.
    expect(errorOf(large.body.replaceAll('&apos;', "'"))).toEqual({
      type: 'Sender',
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    });
    expect(order).toEqual(['GetUser', 'large']);
  });

  it('SimulateCustomPolicy with 10 policies of 50 StringLike patterns, 400 actions and 400 resources: the first page of 100, and a concurrent GetUser is answered first', async () => {
    const { credentials } = await userWithKey(
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:SimulateCustomPolicy', Resource: '*' }] }),
    );
    const params: Record<string, string> = { Action: 'SimulateCustomPolicy' };
    for (let p = 1; p <= 10; p++) {
      const patterns = Array.from({ length: 50 }, (_, i) => `*a*b*c*d*e*f*g*h*${p}-${i}*`);
      params[`PolicyInputList.member.${p}`] = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:username': patterns } } }],
      });
    }
    for (let i = 1; i <= 400; i++) {
      params[`ActionNames.member.${i}`] = `iam:GetUser${i}`;
      params[`ResourceArns.member.${i}`] = `arn:aws:iam::123456789012:user/abcdefgh-${i}`;
    }
    const { order, large } = await raceCheapRead(() => sendLarge(api.url, params, credentials));
    expect(large.status).toBe(200);
    // The first page of AWS's default 100 results, action by action over every resource, each an
    // implicit deny (no pattern matches the caller's name), and a marker for the rest.
    const results = [...large.body.matchAll(/<member><EvalActionName>([^<]*)<\/EvalActionName><EvalResourceName>([^<]*)<\/EvalResourceName><EvalDecision>([^<]*)</g)];
    expect(results).toHaveLength(100);
    expect(results[0]!.slice(1)).toEqual(['iam:GetUser1', 'arn:aws:iam::123456789012:user/abcdefgh-1', 'implicitDeny']);
    expect(results[99]!.slice(1)).toEqual(['iam:GetUser1', 'arn:aws:iam::123456789012:user/abcdefgh-100', 'implicitDeny']);
    expect(results.every((r) => r[3] === 'implicitDeny')).toBe(true);
    expect(large.body).toMatch(/<IsTruncated>true<\/IsTruncated>/);
    expect(large.body).toMatch(/<Marker>[^<]+<\/Marker>/);
    expect(order).toEqual(['GetUser', 'large']);
  });

  it("GetAccountAuthorizationDetails with a Filter of 40,000 items (the model sets no maximum): the account's details, and a concurrent GetUser is answered first", async () => {
    const { name } = await userWithKey();
    const params: Record<string, string> = { Action: 'GetAccountAuthorizationDetails', MaxItems: '1000' };
    for (let i = 1; i <= 40_000; i++) params[`Filter.member.${i}`] = i % 2 ? 'User' : 'Role';
    const { order, large } = await raceCheapRead(() => sendLarge(api.url, params, ROOT));
    expect(large.status).toBe(200);
    // The filter is a set: users and roles, each once; no groups, no managed policies.
    expect(large.body.match(new RegExp(`<UserName>${name}</UserName>`, 'g'))).toHaveLength(1);
    expect(large.body).toContain('<RoleDetailList>');
    expect(large.body).toContain('<GroupDetailList></GroupDetailList>');
    expect(large.body).toContain('<Policies></Policies>');
    expect(large.body).toContain('<IsTruncated>false</IsTruncated>');
    expect(order).toEqual(['GetUser', 'large']);
  });

  it('GetAccountAuthorizationDetails with one bad value among 40,000 Filter items: the ValidationError names that item, as for a short list', async () => {
    const params: Record<string, string> = { Action: 'GetAccountAuthorizationDetails' };
    for (let i = 1; i <= 40_000; i++) params[`Filter.member.${i}`] = i === 30_000 ? 'Users' : 'User';
    const { answer } = await sendLarge(api.url, params, ROOT);
    const large = await answer;
    expect(large.status).toBe(400);
    expect(errorOf(large.body.replaceAll('&apos;', "'"))).toEqual({
      type: 'Sender',
      code: 'ValidationError',
      message: "1 validation error detected: Value at 'filter.30000.member' failed to satisfy constraint: Member must satisfy enum value set",
    });
  });

  it("SimulateCustomPolicy with a 120 KiB policy of 4,000 StringLike patterns: InvalidInput (preparing its matchers is more than a request's work), and a concurrent GetUser is answered first", async () => {
    const patterns = Array.from({ length: 4_000 }, (_, i) => `*a*b*c*d*e*f*g*h*${i}*`);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringLike: { 'aws:username': patterns } } }],
    });
    expect(policy.length).toBeLessThanOrEqual(131_072); // within the model's maximum: refused for its work, not its length
    const params = { Action: 'SimulateCustomPolicy', 'PolicyInputList.member.1': policy, 'ActionNames.member.1': 'iam:GetUser' };
    const { order, large } = await raceCheapRead(() => sendLarge(api.url, params, ROOT));
    expect(large.status).toBe(400);
    expect(errorOf(large.body.replaceAll('&apos;', "'"))).toEqual({
      type: 'Sender',
      code: 'InvalidInput',
      message:
        "Preparing the policies and evaluating one result of this simulation needs more than 2000000 evaluation steps, the most this server spends on a request. Simplify the policies' conditions or the context values.",
    });
    expect(order).toEqual(['GetUser', 'large']);
  });
});
