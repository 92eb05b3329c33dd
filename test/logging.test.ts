import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ChangePasswordCommand, CreateAccessKeyCommand, CreateLoginProfileCommand, CreateUserCommand, GetUserCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { ACCESS_BUFFER_CHARS, ACCESS_FLUSH_MS, accessLine, type AccessLine, jsonLogger } from '../src/server/logger.js';
import { ACCOUNT_ID, awsError, iamClient, serverEnv, startServer, type TestServer } from './support/server.js';

/**
 * The server's lines (src/server/logger.ts): JSON on stderr through a buffered asynchronous writer,
 * a request id on every access line, secrets never written, nothing lost at SIGTERM, and a closed
 * pipe that neither crashes nor stalls the server.
 */

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/iamd.js');

/** Stops the server and waits until its pipes are drained (output can trail the 'exit' event). */
async function stopAndDrain(server: TestServer): Promise<number | null> {
  const closed = new Promise<void>((resolve) => (server.process.exitCode !== null && server.process.stdout!.closed ? resolve() : server.process.once('close', () => resolve())));
  const code = await server.stop();
  await closed;
  return code;
}

const parseLines = (text: string) => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('the log lines', () => {
  it('are one JSON object a line, in the documented shape, with a request id on every access line; none is lost at SIGTERM', async () => {
    const server = await startServer({ env: { IAMD_ACCESS_LOG: undefined } });
    const iam = iamClient(server.url);
    const answered: string[] = [];
    for (let i = 0; i < 150; i++) answered.push((await iam.send(new GetUserCommand({})))?.$metadata.requestId ?? '');
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404);
    const refused = await awsError(iam.send(new GetUserCommand({ UserName: 'nobody-here' })));
    iam.destroy();
    // At once after the last answer: the lines still buffered must be written before the exit.
    expect(await stopAndDrain(server)).toBe(0);

    const lines = parseLines(server.stderr());
    for (const line of lines) {
      expect(Object.keys(line).slice(0, 2)).toEqual(['level', 'time']);
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof line.message).toBe('string');
      expect(line).not.toHaveProperty('pid');
    }
    const access = lines.filter((l) => l.message === 'request');
    expect(access.map((l) => l.requestId)).toEqual(expect.arrayContaining(answered));
    expect(access).toHaveLength(152);
    for (const line of access) expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const notFound = access.find((l) => l.path === '/nowhere')!;
    expect(notFound).toMatchObject({ level: 'info', method: 'GET', status: 404 });
    expect(access.find((l) => l.requestId === answered[0])).toMatchObject({ method: 'POST', path: '/', status: 200, action: 'GetUser', principal: `arn:aws:iam::${ACCOUNT_ID}:root` });
    // A refusal's line has the status the client got (set at once: the answer itself is written at the end of the turn, coalesced-writes.ts).
    expect(refused).toMatchObject({ code: 'NoSuchEntity', status: 404 });
    expect(access.filter((l) => l.errorCode !== undefined)).toEqual([expect.objectContaining({ status: 404, errorCode: 'NoSuchEntity', action: 'GetUser' })]);
    // The shutdown's own lines come last, after every access line.
    expect(lines.slice(-2).map((l) => l.message)).toEqual(['stopping: draining in-flight requests', 'stopped']);
  });

  it('redact secret field names, whatever a caller passes', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-log-')), 'log');
    const fd = fs.openSync(file, 'w');
    const logger = jsonLogger({ access: true, fd });
    logger.error('oops', { password: 'Leaky-Passw0rd!', secretAccessKey: 'LEAKYSECRETKEY', sessionToken: 'LEAKYTOKEN', cookie: 'iamd_session=LEAKYCOOKIE', userName: 'kept' });
    // The access line writes its own members only: anything else handed to it is never written.
    logger.access({ path: '/', status: 200, ms: 1, requestId: 'r1', ...{ authorization: 'AWS4-HMAC-SHA256 Credential=LEAKYAUTH' } } as AccessLine);
    await logger.close(); // closes the file too (sonic-boom's end(); stderr and stdout it leaves open)
    const text = fs.readFileSync(file, 'utf8');
    for (const secret of ['Leaky-Passw0rd!', 'LEAKYSECRETKEY', 'LEAKYTOKEN', 'LEAKYCOOKIE', 'LEAKYAUTH']) expect(text).not.toContain(secret);
    expect(parseLines(text)[0]).toMatchObject({ level: 'error', message: 'oops', password: '[redacted]', userName: 'kept' });
    expect(parseLines(text)[1]).toEqual({ level: 'info', time: expect.any(String), message: 'request', path: '/', status: 200, ms: 1, requestId: 'r1' });
  });

  it('never hold a password, secret key or session token, on stderr or stdout, through a whole account life', async () => {
    const server = await startServer({ env: { IAMD_ACCESS_LOG: undefined, IAMD_AUDIT_LOG: '-' } });
    const iam = iamClient(server.url);
    const password = 'Logged-Never-Passw0rd!';
    const newPassword = 'Logged-Never-Either-Passw0rd!';
    await iam.send(new CreateUserCommand({ UserName: 'secretive' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'secretive', Password: password }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'secretive' }))).AccessKey!;
    await iam.send(new PutUserPolicyCommand({ UserName: 'secretive', PolicyName: 'self', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] }) }));
    const asUser = iamClient(server.url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    await asUser.send(new GetUserCommand({}));
    await asUser.send(new ChangePasswordCommand({ OldPassword: password, NewPassword: newPassword }));
    // A console sign-in: its session token is in the Set-Cookie header only.
    const page = await fetch(`${server.url}/console`);
    const csrfCookie = page.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
    const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
    const signedIn = await fetch(`${server.url}/console/signin`, {
      method: 'POST',
      headers: { cookie: csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, account: ACCOUNT_ID, username: 'secretive', password: newPassword }),
      redirect: 'manual',
    });
    expect(signedIn.status).toBe(303);
    const token = /iamd_session=([^;]+)/.exec(signedIn.headers.getSetCookie().join('\n'))![1]!;
    expect((await fetch(`${server.url}/console/home`, { headers: { cookie: `iamd_session=${token}` } })).status).toBe(200);
    iam.destroy();
    asUser.destroy();
    await stopAndDrain(server);

    const everything = server.output();
    expect(everything).toContain('"eventName":"ChangePassword"'); // the audit trail was written
    expect(everything).toContain('"path":"/console/signin"'); // and so was the access log
    for (const secret of [password, newPassword, key.SecretAccessKey!, token]) expect(everything).not.toContain(secret);
  });
});

describe('stderr redirected to a regular file (2>>file, as a service manager may keep it)', () => {
  it('gets every line, each access line once, and the shutdown lines last', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-log-'));
    const file = path.join(dir, 'iamd.log');
    const fd = fs.openSync(file, 'a');
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--memory'], {
      env: { ...serverEnv({ env: { IAMD_ACCESS_LOG: undefined }, database: false }) },
      stdio: ['ignore', 'ignore', fd],
    });
    fs.closeSync(fd); // the child has its own copy
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitUntilAnswering(url);
      const iam = iamClient(url);
      const answered: string[] = [];
      // Sixteen at a time, so that one turn of the server's loop answers several and writes their lines together.
      for (let round = 0; round < 10; round++) {
        const ids = await Promise.all(Array.from({ length: 16 }, async () => (await iam.send(new GetUserCommand({}))).$metadata.requestId!));
        answered.push(...ids);
      }
      iam.destroy();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = parseLines(fs.readFileSync(file, 'utf8'));
      const access = lines.filter((l) => l.message === 'request' && l.action === 'GetUser');
      expect(access.map((l) => l.requestId).sort()).toEqual([...answered].sort());
      expect(lines.slice(-2).map((l) => l.message)).toEqual(['stopping: draining in-flight requests', 'stopped']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  it('are written ACCESS_FLUSH_MS after the first, or at once when ACCESS_BUFFER_CHARS wait, on the main thread, even while every thread of the pool is busy (hashing)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-log-'));
    const file = path.join(dir, 'log');
    const logger = jsonLogger({ access: true, fd: fs.openSync(file, 'a') });
    const written = () => parseLines(fs.readFileSync(file, 'utf8')).map((l) => l.requestId);
    // Work for every libuv thread and more: an asynchronous write (a pipe's) would wait behind it.
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const busy = Array.from({ length: threads * 2 }, () => promisify(crypto.pbkdf2)('x', 'salt', 200_000, 32, 'sha256'));
    const started = performance.now();
    logger.access({ path: '/', status: 200, ms: 1, requestId: 'first' });
    logger.access({ path: '/', status: 200, ms: 1, requestId: 'second' });
    expect(written()).toEqual([]); // buffered, not written by the calls themselves
    while (written().length === 0 && performance.now() - started < ACCESS_FLUSH_MS * 50) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(written()).toEqual(['first', 'second']);
    expect(performance.now() - started).toBeGreaterThanOrEqual(ACCESS_FLUSH_MS - 1);
    // A full chunk is written by the line that fills it, in the same call.
    const perLine = accessLine({ path: '/', status: 200, ms: 1, requestId: 'many-000' }).length;
    const toFill = Math.ceil(ACCESS_BUFFER_CHARS / perLine);
    for (let i = 0; i < toFill - 1; i++) logger.access({ path: '/', status: 200, ms: 1, requestId: `many-${String(i).padStart(3, '0')}` });
    expect(written()).toHaveLength(2);
    logger.access({ path: '/', status: 200, ms: 1, requestId: 'many-end' });
    expect(written()).toHaveLength(2 + toFill);
    // An error line is written at once, after the access lines before it.
    logger.access({ path: '/', status: 200, ms: 1, requestId: 'before-error' });
    logger.error('failed', { requestId: 'error' });
    expect(written().slice(-2)).toEqual(['before-error', 'error']);
    await Promise.all(busy);
    await logger.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a closed stdout and stderr', () => {
  it('neither crash nor stall the server: it keeps answering, audit trail on stdout included, and stops cleanly', async () => {
    const port = await freePort();
    // The reader takes one byte and exits: every later write to the pipe fails with EPIPE.
    const reader = spawn('head', ['-c', '1'], { stdio: ['pipe', 'ignore', 'ignore'] });
    const readerGone = new Promise<void>((resolve) => reader.once('exit', () => resolve()));
    // The store is beside the point here (the process's pipes are): memory on either pass.
    const args = [BIN, 'serve', '--port', String(port), '--memory'];
    const child = spawn(process.execPath, args, {
      env: { ...serverEnv({ env: { IAMD_ACCESS_LOG: undefined, IAMD_AUDIT_LOG: '-' }, database: false }) },
      stdio: ['ignore', reader.stdin!, reader.stdin!],
    });
    reader.stdin!.destroy(); // the child holds the only write end now
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await readerGone;
      const url = `http://127.0.0.1:${port}`;
      await waitUntilAnswering(url);
      const iam = iamClient(url);
      for (let i = 0; i < 40; i++) {
        await iam.send(new CreateUserCommand({ UserName: `piped-${i}` })); // audited: a write to stdout that fails
        expect((await iam.send(new GetUserCommand({ UserName: `piped-${i}` }))).User?.UserName).toBe(`piped-${i}`);
      }
      iam.destroy();
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitUntilAnswering(url: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(`${url}/console`);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}
