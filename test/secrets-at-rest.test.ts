/**
 * Secrets at rest (issue 8, point 1): access-key secrets are sealed with AES-256-GCM under a
 * master key before any store sees them; old plaintext rows keep working and are sealed on first
 * use; `iamd rotate-master-key` re-seals everything; and after a full run neither the database
 * (file and WAL), nor the logs, nor the audit trail holds a password or a secret key in clear.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CreateSAMLProviderCommand,
  AttachUserPolicyCommand,
  ChangePasswordCommand,
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GetUserCommand,
  PutUserPolicyCommand,
  UpdateLoginProfileCommand,
  EnableOutboundWebIdentityFederationCommand,
} from '@aws-sdk/client-iam';
import { GetWebIdentityTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { decodeProtectedHeader } from 'jose';
import { aesGcmSealer, masterKeyId, unsealedSecrets } from '../src/crypto/secret-sealer.js';
import { SealError } from '../src/ports/secret-sealer.js';
import { awsError, iamClient, ROOT, SELF_SERVICE_POLICY, startServer, type TestServer } from './support/server.js';
import { newTestDatabase } from './support/postgres-tests.js';
import { consoleSignIn, findInFiles, jsonLines, tempDir } from './support/hardening.js';
import { selfSigned } from './support/certificates.js';

/** A minimal SAML metadata document (at least 1,000 characters, as the model requires) around a certificate. */
const samlMetadata = (certificate: string) =>
  (`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com">` +
  `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>` +
  certificate.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '') +
  `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`).padEnd(1000, ' ');

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bin/iamd.js');
const newKey = () => randomBytes(32).toString('base64');

function rotate(args: string[], env: Record<string, string | undefined> = {}) {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, IAMD_MASTER_KEY: undefined, IAMD_NEW_MASTER_KEY: undefined, IAMD_DATABASE_URL: undefined, ...env })) {
    if (v !== undefined) e[k] = v;
  }
  const r = spawnSync(process.execPath, [BIN, 'rotate-master-key', ...args], { env: e, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const secretsIn = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT id, secret FROM access_keys ORDER BY id').all() as { id: string; secret: string }[];
  } finally {
    db.close();
  }
};

const servers: TestServer[] = [];
async function serve(dir: string, env: Record<string, string | undefined> = {}, args: string[] = ['--data-dir', dir]) {
  const s = await startServer({ args, env });
  servers.push(s);
  return s;
}
afterAll(async () => {
  for (const s of servers) await s.stop();
});

/** A user with one access key and a policy to read itself; returns its credentials. */
async function userWithKey(url: string, userName: string) {
  const iam = iamClient(url);
  await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(new PutUserPolicyCommand({ UserName: userName, PolicyName: 'self', PolicyDocument: SELF_SERVICE_POLICY }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}

describe('the AES-256-GCM sealer', () => {
  const key = randomBytes(32);
  const sealer = aesGcmSealer([key]);

  it('seals as v1:<keyId>:<iv>:<tag>:<ciphertext> (base64url), a fresh IV each time, and opens it again', () => {
    const a = sealer.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    const b = sealer.seal('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(a).toMatch(/^v1:[\w-]{12}:[\w-]{16}:[\w-]{22}:[\w-]+$/);
    expect(a.split(':')[1]).toBe(masterKeyId(key));
    expect(a).not.toBe(b);
    expect(a).not.toContain('wJalrXUtnFEMI');
    expect(sealer.unseal(a)).toBe('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    expect(sealer.isCurrent(a)).toBe(true);
  });

  it('passes plaintext (pre-sealing rows) through, and says it is not current', () => {
    expect(sealer.unseal('legacy-plain-secret')).toBe('legacy-plain-secret');
    expect(sealer.isCurrent('legacy-plain-secret')).toBe(false);
  });

  it('refuses a tampered value, a value under an unknown key, and a malformed value, with SealError', () => {
    const sealed = sealer.seal('secret');
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[4]!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => sealer.unseal([...parts.slice(0, 4), flipped.toString('base64url')].join(':'))).toThrow(SealError);
    expect(() => aesGcmSealer([randomBytes(32)]).unseal(sealed)).toThrow(SealError);
    expect(() => sealer.unseal('v1:abc')).toThrow(SealError);
    expect(() => unsealedSecrets.unseal(sealed)).toThrow(SealError);
    // The key id is authenticated too: a value cannot be relabelled.
    expect(() => aesGcmSealer([randomBytes(32), key]).unseal(sealed.replace(parts[1]!, masterKeyId(randomBytes(32))))).toThrow(SealError);
  });

  it('opens values under any key of its ring and seals under the first', () => {
    const older = aesGcmSealer([randomBytes(32)]);
    const ring = aesGcmSealer([key, randomBytes(32)]);
    const both = aesGcmSealer([randomBytes(32), key]);
    expect(both.unseal(sealer.seal('x'))).toBe('x');
    expect(ring.isCurrent(ring.seal('y'))).toBe(true);
    expect(() => ring.unseal(older.seal('z'))).toThrow(SealError);
  });
});

describe('secrets at rest on SQLite', () => {
  it('creates master.key with mode 0600 and stores every secret sealed under it', async () => {
    const dir = tempDir('seal');
    const server = await serve(dir);
    await userWithKey(server.url, 'sealed-user');
    const file = path.join(dir, 'master.key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const keyId = masterKeyId(Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64'));
    const rows = secretsIn(path.join(dir, 'iamd.sqlite'));
    expect(rows.length).toBe(2); // root and the user's
    for (const row of rows) expect(row.secret.startsWith(`v1:${keyId}:`)).toBe(true);
    expect(rows.map((r) => r.secret).join()).not.toContain(ROOT.secretAccessKey);
  });

  it('takes the key from IAMD_MASTER_KEY (no key file), and refuses to start with another key', async () => {
    const dir = tempDir('seal-env');
    const key = newKey();
    const server = await serve(dir, { IAMD_MASTER_KEY: key });
    const creds = await userWithKey(server.url, 'env-user');
    expect(fs.existsSync(path.join(dir, 'master.key'))).toBe(false);
    const id = masterKeyId(Buffer.from(key, 'base64'));
    for (const row of secretsIn(path.join(dir, 'iamd.sqlite'))) expect(row.secret.startsWith(`v1:${id}:`)).toBe(true);
    await server.stop();

    await expect(startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: newKey() } })).rejects.toThrow(/sealed under master key .*IAMD_MASTER_KEY/s);
    await expect(startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: 'too-short' } })).rejects.toThrow(/base64 encoding of 32 bytes/);

    const again = await serve(dir, { IAMD_MASTER_KEY: key });
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('env-user');
  });

  it('keeps a plaintext row (written before sealing) working, and seals it on first use', async () => {
    const dir = tempDir('seal-legacy');
    const server = await serve(dir);
    const creds = await userWithKey(server.url, 'legacy-user');
    await server.stop();
    const dbFile = path.join(dir, 'iamd.sqlite');
    const db = new Database(dbFile);
    db.prepare('UPDATE access_keys SET secret = ? WHERE id = ?').run(creds.secretAccessKey, creds.accessKeyId);
    db.close();

    const again = await serve(dir);
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('legacy-user');
    let row = '';
    for (let i = 0; i < 50 && !row.startsWith('v1:'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      row = secretsIn(dbFile).find((r) => r.id === creds.accessKeyId)!.secret;
    }
    expect(row.startsWith('v1:')).toBe(true);
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('legacy-user');
  });

  it('iamd rotate-master-key re-seals every secret under a new key in master.key, scrubs the file, and the keys keep working', async () => {
    const dir = tempDir('rotate');
    const server = await serve(dir);
    const creds = await userWithKey(server.url, 'rotate-user');
    // A SAML provider's private key (for encrypted assertions) is sealed and re-sealed too.
    const samlKey = selfSigned({ key: 'rsa' });
    await iamClient(server.url).send(
      new CreateSAMLProviderCommand({ Name: 'rotate-idp', SAMLMetadataDocument: samlMetadata(samlKey.certificate), AddPrivateKey: samlKey.privateKey }),
    );
    // Outbound federation's token signing keys are sealed and re-sealed too, and sign on after it.
    const { IssuerIdentifier } = await iamClient(server.url).send(new EnableOutboundWebIdentityFederationCommand({}));
    // The keys are made in the background after Enable; the JWKS is served once both exist.
    expect(((await (await fetch(`${IssuerIdentifier}/.well-known/jwks.json`)).json()) as { keys: unknown[] }).keys).toHaveLength(2);
    const tokenKid = async (url: string) =>
      decodeProtectedHeader(
        (await new STSClient({ endpoint: url, region: 'us-east-1', maxAttempts: 1, credentials: ROOT }).send(new GetWebIdentityTokenCommand({ Audience: ['x'], SigningAlgorithm: 'ES384' })))
          .WebIdentityToken!,
      ).kid;
    const kidBefore = await tokenKid(server.url);
    await server.stop();
    const dbFile = path.join(dir, 'iamd.sqlite');
    const keyFile = path.join(dir, 'master.key');
    const oldKey = fs.readFileSync(keyFile, 'utf8').trim();
    // One legacy plaintext row, which rotation must seal and scrub from the file.
    const db = new Database(dbFile);
    db.prepare('UPDATE access_keys SET secret = ? WHERE id = ?').run(creds.secretAccessKey, creds.accessKeyId);
    db.close();
    expect(findInFiles([dbFile, `${dbFile}-wal`], [creds.secretAccessKey])).not.toEqual([]);

    const r = rotate(['--data-dir', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // 2 root and user keys, the SAML key, the two token signing keys (RS256, ES384).
    expect(r.stdout).toMatch(/re-sealed 5 secrets \(access-key secrets, MFA seeds, server-certificate, SAML provider and token signing private keys\) under master key [\w-]{12}/);
    const newKeyText = fs.readFileSync(keyFile, 'utf8').trim();
    expect(newKeyText).not.toBe(oldKey);
    expect(newKeyText.split('\n')).toHaveLength(1);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const id = masterKeyId(Buffer.from(newKeyText, 'base64'));
    for (const row of secretsIn(dbFile)) expect(row.secret.startsWith(`v1:${id}:`)).toBe(true);
    const samlRow = new Database(dbFile, { readonly: true }).prepare('SELECT private_keys FROM saml_providers').get() as { private_keys: string };
    expect((JSON.parse(samlRow.private_keys) as { key: string }[])[0]!.key.startsWith(`v1:${id}:`)).toBe(true);
    expect(findInFiles([dbFile, `${dbFile}-wal`], [samlKey.privateKey.split('\n')[1]!])).toEqual([]);
    expect(findInFiles([dbFile, `${dbFile}-wal`], [creds.secretAccessKey, ROOT.secretAccessKey])).toEqual([]);

    const again = await serve(dir);
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('rotate-user');
    expect(await tokenKid(again.url)).toBe(kidBefore);
    await again.stop();
    // The old key opens nothing any more.
    await expect(startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: oldKey } })).rejects.toThrow(/sealed under master key/);
  });

  it('rotates from IAMD_MASTER_KEY to IAMD_NEW_MASTER_KEY, and refuses to invent a key it could not store', async () => {
    const dir = tempDir('rotate-env');
    const k1 = newKey();
    const k2 = newKey();
    const server = await serve(dir, { IAMD_MASTER_KEY: k1 });
    const creds = await userWithKey(server.url, 'rotate-env-user');
    await server.stop();

    const refused = rotate(['--data-dir', dir], { IAMD_MASTER_KEY: k1 });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('set IAMD_NEW_MASTER_KEY');

    const r = rotate(['--data-dir', dir], { IAMD_MASTER_KEY: k1, IAMD_NEW_MASTER_KEY: k2 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('set IAMD_MASTER_KEY to the new key');
    // Run again (as after an interruption): nothing left to do, nothing broken.
    const twice = rotate(['--data-dir', dir], { IAMD_MASTER_KEY: `${k2},${k1}`, IAMD_NEW_MASTER_KEY: k2 });
    expect(twice.stdout).toMatch(/re-sealed 0 .*\(2 already under it/);

    const again = await serve(dir, { IAMD_MASTER_KEY: k2 });
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('rotate-env-user');
  });
});

describe('secrets at rest on PostgreSQL', () => {
  it('seals under IAMD_MASTER_KEY and rotates with --database', async () => {
    const url = await newTestDatabase('seal');
    const k1 = newKey();
    const k2 = newKey();
    const server = await serve('', { IAMD_MASTER_KEY: k1 }, ['--database', url]);
    const creds = await userWithKey(server.url, 'pg-seal-user');
    await server.stop();

    const r = rotate(['--database', url], { IAMD_MASTER_KEY: k1, IAMD_NEW_MASTER_KEY: k2 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`under master key ${masterKeyId(Buffer.from(k2, 'base64'))}`);
    await expect(startServer({ args: ['--database', url], env: { IAMD_MASTER_KEY: k1 } })).rejects.toThrow(/sealed under master key/);
    const again = await serve('', { IAMD_MASTER_KEY: k2 }, ['--database', url]);
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('pg-seal-user');
    expect(await awsError(iamClient(again.url, { ...creds, secretAccessKey: 'wrong' + creds.secretAccessKey.slice(5) }).send(new GetUserCommand({})))).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('without a master key stores secrets unsealed only when told to (with a warning), and rotation seals them', async () => {
    const url = await newTestDatabase('unsealed');
    await expect(startServer({ args: ['--database', url], env: { IAMD_MASTER_KEY: undefined } })).rejects.toThrow(/PostgreSQL needs IAMD_MASTER_KEY/);
    const server = await serve('', { IAMD_ACCESS_LOG: undefined, IAMD_MASTER_KEY: undefined, IAMD_ALLOW_UNSEALED_SECRETS: 'true' }, ['--database', url]);
    expect(server.stderr()).toContain('IAMD_ALLOW_UNSEALED_SECRETS=true and no IAMD_MASTER_KEY: access-key secrets are stored unsealed');
    const creds = await userWithKey(server.url, 'pg-plain-user');
    await server.stop();
    const k = newKey();
    expect(rotate(['--database', url], { IAMD_NEW_MASTER_KEY: k }).code).toBe(0);
    const again = await serve('', { IAMD_MASTER_KEY: k }, ['--database', url]);
    expect((await iamClient(again.url, creds).send(new GetUserCommand({}))).User!.UserName).toBe('pg-plain-user');
  });
});

describe('no password and no secret key in clear after a full run', () => {
  it('scans the database file and WAL, the logs and the audit trail', async () => {
    const dir = tempDir('scan');
    const auditFile = path.join(dir, 'audit.log');
    // The access log on (the default), and the audit trail to a file.
    const server = await serve(dir, { IAMD_ACCESS_LOG: undefined, IAMD_AUDIT_LOG: auditFile });
    const iam = iamClient(server.url);
    const passwords = ['First-Scan-Passw0rd!', 'Second-Scan-Passw0rd!', 'Third-Scan-Passw0rd!', 'Wrong-Scan-Passw0rd!', 'Rejected-Scan-Passw0rd!'];
    const secrets = [ROOT.secretAccessKey];

    await iam.send(new CreateUserCommand({ UserName: 'scan-user' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'scan-user', PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' }));
    await iam.send(new CreateLoginProfileCommand({ UserName: 'scan-user', Password: passwords[0] }));
    await iam.send(new UpdateLoginProfileCommand({ UserName: 'scan-user', Password: passwords[1] }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'scan-user' }));
    secrets.push(AccessKey!.SecretAccessKey!);
    const user = iamClient(server.url, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    await user.send(new ChangePasswordCommand({ OldPassword: passwords[1], NewPassword: passwords[2] }));
    expect((await awsError(user.send(new ChangePasswordCommand({ OldPassword: passwords[3], NewPassword: passwords[4] })))).code).toBe('AccessDenied');
    expect((await consoleSignIn(server.url, 'scan-user', passwords[2]!)).status).toBe(303);
    expect((await consoleSignIn(server.url, 'scan-user', passwords[3]!)).status).toBe(401);
    // Someone types a password into the user-name field.
    expect((await consoleSignIn(server.url, passwords[4]!, passwords[4]!)).status).toBe(401);
    const second = await iam.send(new CreateAccessKeyCommand({ UserName: 'scan-user' }));
    secrets.push(second.AccessKey!.SecretAccessKey!);

    const dbFile = path.join(dir, 'iamd.sqlite');
    const logFile = path.join(dir, 'server.log');
    fs.writeFileSync(logFile, await server.settledOutput());
    expect(fs.existsSync(`${dbFile}-wal`)).toBe(true);
    const files = [dbFile, `${dbFile}-wal`, `${dbFile}-shm`, logFile, auditFile];
    expect(findInFiles(files, [...passwords, ...secrets])).toEqual([]);
    // The trail is there (so the scan looked at something): the mutating calls and both sign-ins.
    const events = jsonLines(auditFile).map((e) => e.eventName);
    expect(events).toEqual(expect.arrayContaining(['CreateLoginProfile', 'UpdateLoginProfile', 'ChangePassword', 'CreateAccessKey', 'ConsoleLogin']));
    expect(fs.readFileSync(logFile, 'utf8')).toContain('"action":"ChangePassword"');

    // And after a clean stop (WAL checkpointed into the file).
    await server.stop();
    fs.writeFileSync(logFile, server.output());
    expect(findInFiles(files, [...passwords, ...secrets])).toEqual([]);
  });
});
