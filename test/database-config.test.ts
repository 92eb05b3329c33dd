/**
 * Choosing the store: --database / IAMD_DATABASE_URL select PostgreSQL, --memory excludes them,
 * the start-up log never shows the database password, and the test endpoints follow
 * --memory or --enable-test-endpoints only.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CreateUserCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { ConfigError, redactDatabaseUrl, resolveServeConfig } from '../src/config/config.js';
import { newTestDatabase, testPostgres } from './support/postgres-tests.js';
import { awsError, iamClient, startServer, type TestServer } from './support/server.js';

const running: TestServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});
async function start(options: Parameters<typeof startServer>[0]): Promise<TestServer> {
  const s = await startServer(options);
  running.push(s);
  return s;
}

/** A master key, which PostgreSQL requires. */
const KEY = { IAMD_MASTER_KEY: randomBytes(32).toString('base64') };

describe('store selection', () => {
  it('a database URL from the flag or the environment selects PostgreSQL', () => {
    const fromFlag = resolveServeConfig({ database: 'postgres://u:p@h/db' }, KEY);
    expect(fromFlag).toMatchObject({ databaseUrl: 'postgres://u:p@h/db', dataDir: null, testEndpoints: false });
    const fromEnv = resolveServeConfig({}, { ...KEY, IAMD_DATABASE_URL: 'postgresql://h/db' });
    expect(fromEnv).toMatchObject({ databaseUrl: 'postgresql://h/db', dataDir: null });
    expect(resolveServeConfig({ database: 'postgres://a/b' }, { ...KEY, IAMD_DATABASE_URL: 'postgres://c/d' }).databaseUrl).toBe('postgres://a/b');
    expect(resolveServeConfig({}, { IAMD_DATABASE_URL: '' }).databaseUrl).toBeNull();
    expect(resolveServeConfig({ memory: true }, {})).toMatchObject({ databaseUrl: null, dataDir: null, testEndpoints: true });
    expect(resolveServeConfig({ enableTestEndpoints: true, database: 'postgres://h/db' }, KEY).testEndpoints).toBe(true);
  });

  it('PostgreSQL needs IAMD_MASTER_KEY, unless IAMD_ALLOW_UNSEALED_SECRETS=true says to keep secrets in clear', async () => {
    expect(() => resolveServeConfig({ database: 'postgres://h/db' }, {})).toThrow(
      /PostgreSQL needs IAMD_MASTER_KEY, the same on every node.*set IAMD_ALLOW_UNSEALED_SECRETS=true/,
    );
    expect(() => resolveServeConfig({ database: 'postgres://h/db' }, { IAMD_ALLOW_UNSEALED_SECRETS: 'yes' })).toThrow(/must be "true" or "false"/);
    expect(resolveServeConfig({ database: 'postgres://h/db' }, { IAMD_ALLOW_UNSEALED_SECRETS: 'true' })).toMatchObject({ allowUnsealedSecrets: true, masterKey: undefined });
    // The real server refuses before it connects, with exit code 2 (a configuration error).
    const refused = startServer({ args: ['--database', await newTestDatabase('config')], env: { IAMD_MASTER_KEY: undefined } });
    await expect(refused).rejects.toThrow(/exited with 2 before listening:\s+iamd: PostgreSQL needs IAMD_MASTER_KEY/);
  });

  it('refuses --memory or --data-dir with a database URL, and URLs that are not postgres://', () => {
    expect(() => resolveServeConfig({ memory: true, database: 'postgres://h/db' }, KEY)).toThrow(ConfigError);
    expect(() => resolveServeConfig({ memory: true }, { ...KEY, IAMD_DATABASE_URL: 'postgres://h/db' })).toThrow(/exclude each other/);
    expect(() => resolveServeConfig({ dataDir: '/tmp/x', database: 'postgres://h/db' }, KEY)).toThrow(/exclude each other/);
    expect(() => resolveServeConfig({ database: 'mysql://u:hunter2@h/db' }, KEY)).toThrow(/must be a postgres:\/\/ URL, got "mysql:\/\/u:\*\*\*@h\/db"/);
  });

  it('masks only the password', () => {
    expect(redactDatabaseUrl('postgres://iamd:s3cret@db:5432/iamd?sslmode=verify-full')).toBe('postgres://iamd:***@db:5432/iamd?sslmode=verify-full');
    expect(redactDatabaseUrl('postgres://iamd@db/iamd')).toBe('postgres://iamd@db/iamd');
  });

  it('serves from PostgreSQL; the start-up log names the database without its password', async () => {
    const url = await newTestDatabase('config');
    // Trust authentication ignores the password, so a made-up one can be checked for.
    const withPassword = url.replace('postgres://postgres@', 'postgres://postgres:Hunter2-not-shown@');
    const s = await start({ args: ['--database', withPassword] });
    await iamClient(s.url).send(new CreateUserCommand({ UserName: 'in-postgres' }));
    expect((await iamClient(s.url).send(new GetUserCommand({ UserName: 'IN-POSTGRES' }))).User?.UserName).toBe('in-postgres');
    expect(s.output()).toContain('postgres://postgres:***@');
    expect(s.output()).not.toContain('Hunter2-not-shown');
    // A persistent store has no test endpoints unless asked for.
    expect((await fetch(`${s.url}/moto-api/reset`, { method: 'POST' })).status).toBe(404);
  });

  it('--enable-test-endpoints gives a PostgreSQL node the reset endpoint', async () => {
    const s = await start({ args: ['--database', await newTestDatabase('config'), '--enable-test-endpoints'] });
    await iamClient(s.url).send(new CreateUserCommand({ UserName: 'reset-me' }));
    expect((await fetch(`${s.url}/moto-api/reset`, { method: 'POST' })).status).toBe(200);
    expect((await awsError(iamClient(s.url).send(new GetUserCommand({ UserName: 'reset-me' })))).code).toBe('NoSuchEntity');
  });

  it('an unreachable database is a clean start-up failure, without the password', async () => {
    const { host } = testPostgres();
    const failed = startServer({ args: ['--database', `postgres://nobody:Hunter2-not-shown@${host}:1/none?connect_timeout=2`] });
    await expect(failed).rejects.toThrow(/could not start/);
    await expect(failed).rejects.not.toThrow(/Hunter2-not-shown/);
  });
});
