import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { CreateLoginProfileCommand, CreateUserCommand, GetLoginProfileCommand, GetUserCommand, ListUsersCommand } from '@aws-sdk/client-iam';
import { awsError, iamClient, startServer, type TestServer } from './support/server.js';
import { signer } from './support/signed-http.js';

const running: TestServer[] = [];
const tmpDirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-test-'));
  tmpDirs.push(d);
  return d;
}
async function start(options: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(options);
  running.push(s);
  return s;
}
function credentialsIn(stdout: string) {
  const accessKeyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(stdout)?.[1];
  const secretAccessKey = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(stdout)?.[1];
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

describe('iamd serve on the embedded SQLite store', () => {
  it('keeps users and login profiles across a restart (write, stop, start, read)', async () => {
    const dataDir = tmpDir();
    const first = await start({ args: ['--data-dir', dataDir] });
    const UserName = 'persistent-alice';
    await iamClient(first.url).send(new CreateUserCommand({ UserName, Path: '/kept/' }));
    const created = await iamClient(first.url).send(new CreateLoginProfileCommand({ UserName, Password: 'Kept-Passw0rd!', PasswordResetRequired: true }));
    expect(await first.stop()).toBe(0);

    expect(fs.existsSync(path.join(dataDir, 'iamd.sqlite'))).toBe(true);
    const second = await start({ args: ['--data-dir', dataDir] });
    const user = await iamClient(second.url).send(new GetUserCommand({ UserName }));
    expect(user.User?.Path).toBe('/kept/');
    expect((await iamClient(second.url).send(new GetLoginProfileCommand({ UserName }))).LoginProfile).toEqual(created.LoginProfile);
  });

  it('stores the password only as an argon2id hash, in WAL mode', async () => {
    const dataDir = tmpDir();
    const s = await start({ args: ['--data-dir', dataDir] });
    await iamClient(s.url).send(new CreateUserCommand({ UserName: 'hashed' }));
    await iamClient(s.url).send(new CreateLoginProfileCommand({ UserName: 'hashed', Password: 'Plain-Text-Never-Stored-1' }));
    await s.stop();
    const db = new Database(path.join(dataDir, 'iamd.sqlite'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const { password_hash } = db.prepare('SELECT password_hash FROM login_profiles').get() as { password_hash: string };
      expect(password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      db.close();
    }
    for (const f of fs.readdirSync(dataDir)) {
      expect(fs.readFileSync(path.join(dataDir, f)).includes('Plain-Text-Never-Stored-1')).toBe(false);
    }
  });

  it('generates root credentials on first start, prints them once, and keeps them', async () => {
    const dataDir = tmpDir();
    const first = await start({ args: ['--data-dir', dataDir], rootFromEnv: false });
    const credentials = credentialsIn(first.stdout());
    expect(credentials?.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    await iamClient(first.url, credentials).send(new CreateUserCommand({ UserName: 'made-by-generated-root' }));
    // The secret goes to stdout once, never into the log stream.
    expect(first.stderr()).not.toContain(credentials!.secretAccessKey);
    await first.stop();

    const second = await start({ args: ['--data-dir', dataDir], rootFromEnv: false });
    expect(credentialsIn(second.stdout())).toBeUndefined();
    expect((await iamClient(second.url, credentials).send(new GetUserCommand({ UserName: 'made-by-generated-root' }))).User).toBeDefined();
  });

  it('uses IAMD_ACCOUNT_ID in ARNs and refuses a malformed one', async () => {
    const s = await start({ env: { IAMD_ACCOUNT_ID: '000011112222' } });
    const { User } = await iamClient(s.url).send(new CreateUserCommand({ UserName: 'acct' }));
    expect(User?.Arn).toBe('arn:aws:iam::000011112222:user/acct');
    await expect(startServer({ env: { IAMD_ACCOUNT_ID: '12345' } })).rejects.toThrow(/IAMD_ACCOUNT_ID must be 12 digits/);
  });

  it('takes host, port and data dir from the environment', async () => {
    const port = await freePort();
    const dataDir = tmpDir();
    const s = await start({ args: [], env: { IAMD_HOST: '127.0.0.1', IAMD_PORT: String(port), IAMD_DATA_DIR: dataDir }, noPortFlag: true });
    expect(s.url).toBe(`http://127.0.0.1:${port}`);
    await iamClient(s.url).send(new ListUsersCommand({}));
    expect(fs.existsSync(path.join(dataDir, 'iamd.sqlite'))).toBe(true);
  });

  it('has no reset endpoint in persistent mode', async () => {
    const s = await start({ args: ['--data-dir', tmpDir()] });
    await iamClient(s.url).send(new CreateUserCommand({ UserName: 'survives' }));
    const res = await fetch(`${s.url}/moto-api/reset`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect((await iamClient(s.url).send(new GetUserCommand({ UserName: 'survives' }))).User).toBeDefined();
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const s = await start({ args: ['--data-dir', tmpDir()] });
    const target = new URL(s.url);
    const body = 'Action=CreateUser&Version=2010-05-08&UserName=in-flight';
    const signed = await signer().sign({
      method: 'POST',
      protocol: 'http:',
      hostname: target.hostname,
      port: Number(target.port),
      path: '/',
      headers: { host: target.host, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) },
      body,
    });
    // Send half the body, signal, then the rest: the server must still answer it.
    const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: target.hostname, port: target.port, method: 'POST', path: '/', headers: signed.headers }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        s.process.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 200);
    });
    const { status, text } = await response;
    expect(status).toBe(200);
    expect(text).toContain('<UserName>in-flight</UserName>');
    expect(await s.stop()).toBe(0);
  });

  it('the in-flight write of a drained shutdown is on disk afterwards', async () => {
    const dataDir = tmpDir();
    const s = await start({ args: ['--data-dir', dataDir] });
    const iam = iamClient(s.url);
    const pending = Array.from({ length: 10 }, (_, i) =>
      iam.send(new CreateUserCommand({ UserName: `drain-${i}` })).then(() => iam.send(new CreateLoginProfileCommand({ UserName: `drain-${i}`, Password: 'Drain-Passw0rd!' }))),
    );
    await Promise.all(pending);
    expect(await s.stop()).toBe(0);
    const again = await start({ args: ['--data-dir', dataDir] });
    const users = await iamClient(again.url).send(new ListUsersCommand({}));
    expect(users.Users?.filter((u) => u.UserName!.startsWith('drain-'))).toHaveLength(10);
  });

  it('refuses half-given root credentials', async () => {
    await expect(startServer({ rootFromEnv: false, env: { IAMD_ROOT_ACCESS_KEY_ID: 'AKIAONLYTHEID0000000' } })).rejects.toThrow(/set both/);
  });

  it('starts without loading the JOSE and XML-signature libraries, which only federation needs (about 100 ms of every cold start)', async () => {
    const hook = path.join(import.meta.dirname, 'fixtures/module-log/register.mjs');
    const s = await startServer({ env: { NODE_OPTIONS: `--import ${hook}` } });
    running.push(s);
    expect((await iamClient(s.url).send(new GetUserCommand({}))).User?.Arn).toBe('arn:aws:iam::123456789012:root');
    const imported = s.stderr().split('\n').filter((l) => l.startsWith('imported '));
    expect(imported.some((l) => l.includes('/pino/'))).toBe(true); // the hook saw the packages loaded (pino: an import; SQLite's addon is required)
    for (const lazy of ['/jose/', '/@xmldom/xmldom/', '/xml-crypto/']) expect(imported.filter((l) => l.includes(lazy))).toEqual([]);
  });

  it('in memory mode writes nothing to the working directory', async () => {
    const cwd = tmpDir();
    const s = await start({ args: ['--memory'], cwd });
    await iamClient(s.url).send(new CreateUserCommand({ UserName: 'ephemeral' }));
    expect(fs.readdirSync(cwd)).toEqual([]);
    const err = await awsError(iamClient(s.url).send(new GetUserCommand({ UserName: 'nobody' })));
    expect(err.code).toBe('NoSuchEntity');
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
