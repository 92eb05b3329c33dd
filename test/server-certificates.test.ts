/**
 * Server certificates through @aws-sdk/client-iam against the real server (SQLite in memory, or
 * PostgreSQL with IAMD_TEST_STORE=postgres). Certificates come from the openssl command line
 * (test/support/certificates.ts). Expected texts: LocalStack's AWS-validated snapshots (not found,
 * already exists) and AWS error responses quoted in public issues (PEM, chain); the rest are marked
 * guessed in src/domain/server-certificates.ts.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  DeleteServerCertificateCommand,
  GetAccountSummaryCommand,
  GetServerCertificateCommand,
  ListServerCertificatesCommand,
  ListServerCertificateTagsCommand,
  TagServerCertificateCommand,
  UntagServerCertificateCommand,
  UpdateServerCertificateCommand,
  UploadServerCertificateCommand,
  type UploadServerCertificateCommandInput,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, iamClient, startServer, testStore, uniqueName } from './support/server.js';
import { startInProcess, useServer } from './support/use-server.js';
import { signedQuery } from './support/signed-http.js';
import { issuedBy, notAfter, selfSigned } from './support/certificates.js';
import { jsonLines, tempDir } from './support/hardening.js';

const api = useServer();
beforeEach(() => api.reset());

const upload = (input: Partial<UploadServerCertificateCommandInput> & { CertificateBody: string; PrivateKey: string }) =>
  api.iam.send(new UploadServerCertificateCommand({ ServerCertificateName: uniqueName('cert'), ...input }));

const PEM_REFUSED = { code: 'MalformedCertificate', message: 'Unable to parse certificate. Please ensure the certificate is in PEM format.', status: 400 };
const chainRefused = (index: number) => ({
  code: 'MalformedCertificate',
  message:
    'Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, ' +
    `followed by any intermediaries in order. The index within the chain of the invalid certificate is: ${index}`,
  status: 400,
});

describe('UploadServerCertificate, Get, List, Update, Delete', () => {
  it('uploads with a path and tags; answers the metadata AWS returns: ASCA id, ARN with path, upload date, notAfter as Expiration', async () => {
    const cert = selfSigned({ days: 40 });
    const name = uniqueName('web');
    const before = Date.now();
    const out = await upload({ ServerCertificateName: name, Path: '/edge/', CertificateBody: cert.certificate, PrivateKey: cert.privateKey, Tags: [{ Key: 'env', Value: 'prod' }] });
    const meta = out.ServerCertificateMetadata!;
    expect(meta.ServerCertificateName).toBe(name);
    expect(meta.Path).toBe('/edge/');
    expect(meta.ServerCertificateId).toMatch(/^ASCA[A-Z2-7]{17}$/);
    expect(meta.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:server-certificate/edge/${name}`);
    expect(meta.UploadDate!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(meta.Expiration).toEqual(notAfter(cert.certificate));
    expect(out.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);

    const got = (await api.iam.send(new GetServerCertificateCommand({ ServerCertificateName: name.toUpperCase() }))).ServerCertificate!;
    expect(got.ServerCertificateMetadata).toEqual(meta);
    // Returned without the trailing newline openssl wrote (see the domain's comment).
    expect(got.CertificateBody).toBe(cert.certificate.trim());
    expect(got.CertificateChain).toBeUndefined();
    expect(got.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);

    const listed = await api.iam.send(new ListServerCertificatesCommand({}));
    expect(listed.ServerCertificateMetadataList).toEqual([meta]);
    expect(listed.IsTruncated).toBe(false);
  });

  it('never returns the private key, in any answer', async () => {
    const cert = selfSigned();
    const name = uniqueName('secret');
    const uploaded = await signedQuery(api.url, { Action: 'UploadServerCertificate', ServerCertificateName: name, CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    expect(uploaded.status).toBe(200);
    const keyBody = cert.privateKey.split('\n')[1]!;
    const reads: Record<string, string>[] = [
      { Action: 'GetServerCertificate', ServerCertificateName: name },
      { Action: 'ListServerCertificates' },
    ];
    for (const params of reads) {
      const res = await signedQuery(api.url, params);
      expect(res.status).toBe(200);
      expect(res.body).not.toContain(keyBody);
      expect(res.body).not.toContain('PRIVATE KEY');
    }
    expect(uploaded.body).not.toContain(keyBody);
    // Get answers an empty Tags list when there are none, as AWS does (recorded).
    expect((await signedQuery(api.url, { Action: 'GetServerCertificate', ServerCertificateName: name })).body).toMatch(/<Tags\/>|<Tags><\/Tags>/);
  });

  it('takes an RSA key (PKCS#8 from openssl) as well as an EC one', async () => {
    const cert = selfSigned({ key: 'rsa' });
    const out = await upload({ CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    expect(out.ServerCertificateMetadata!.Expiration).toEqual(notAfter(cert.certificate));
  });

  it('takes a chain in order (issuer first, then its issuer) and returns it; refuses one out of order or that does not sign the body', async () => {
    const root = selfSigned({ ca: true, days: 90 });
    const intermediate = issuedBy(root, { ca: true });
    const leaf = issuedBy(intermediate);
    const name = uniqueName('chained');
    const chain = intermediate.certificate + root.certificate;
    await upload({ ServerCertificateName: name, CertificateBody: leaf.certificate, PrivateKey: leaf.privateKey, CertificateChain: chain });
    const got = (await api.iam.send(new GetServerCertificateCommand({ ServerCertificateName: name }))).ServerCertificate!;
    expect(got.CertificateChain).toBe(chain.trim());
    expect(got.CertificateBody).toBe(leaf.certificate.trim());
    // The intermediate alone is a chain too (the root need not be there).
    await upload({ CertificateBody: leaf.certificate, PrivateKey: leaf.privateKey, CertificateChain: intermediate.certificate });

    // The root first: it did not sign the body.
    expect(await awsError(upload({ CertificateBody: leaf.certificate, PrivateKey: leaf.privateKey, CertificateChain: root.certificate + intermediate.certificate }))).toEqual(
      chainRefused(-1),
    );
    // A stranger after the intermediate: it did not sign the intermediate (chain index 0).
    const stranger = selfSigned({ ca: true });
    expect(
      await awsError(upload({ CertificateBody: leaf.certificate, PrivateKey: leaf.privateKey, CertificateChain: intermediate.certificate + stranger.certificate })),
    ).toEqual(chainRefused(0));
    expect(await awsError(upload({ CertificateBody: leaf.certificate, PrivateKey: leaf.privateKey, CertificateChain: 'not a chain' }))).toEqual({
      code: 'MalformedCertificate',
      message: 'Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.',
      status: 400,
    });
    expect((await api.iam.send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList).toHaveLength(2);
  });

  it('refuses a body that is not one PEM certificate, a key that is not a PEM private key, and a key of another certificate', async () => {
    const cert = selfSigned();
    const other = selfSigned();
    expect(await awsError(upload({ CertificateBody: 'certbody', PrivateKey: cert.privateKey }))).toEqual(PEM_REFUSED);
    expect(await awsError(upload({ CertificateBody: cert.certificate + other.certificate, PrivateKey: cert.privateKey }))).toEqual(PEM_REFUSED);
    const broken = cert.certificate.replace(/\n[A-Za-z0-9+/]{10}/, '\nAAAAAAAAAA');
    expect(await awsError(upload({ CertificateBody: broken, PrivateKey: cert.privateKey }))).toEqual(PEM_REFUSED);

    const keyRefused = await awsError(upload({ CertificateBody: cert.certificate, PrivateKey: 'privatekey' }));
    expect(keyRefused).toEqual({ code: 'MalformedCertificate', message: 'Unable to parse private key. Please ensure the private key is in PEM format.', status: 400 });
    expect(await awsError(upload({ CertificateBody: cert.certificate, PrivateKey: other.privateKey }))).toEqual({
      code: 'KeyPairMismatch',
      message: 'The public key certificate and the private key do not match.',
      status: 400,
    });
    // No error message holds a private key (they reach logs and the audit trail).
    expect(keyRefused.message).not.toContain('PRIVATE');
    expect((await api.iam.send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList).toEqual([]);
  });

  it('refuses a name taken in any case (recorded text) and a body or key beyond the model’s length', async () => {
    const cert = selfSigned();
    const name = uniqueName('dup');
    await upload({ ServerCertificateName: name, CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    expect(await awsError(upload({ ServerCertificateName: name.toUpperCase(), CertificateBody: cert.certificate, PrivateKey: cert.privateKey }))).toEqual({
      code: 'EntityAlreadyExists',
      message: `The Server Certificate with name ${name.toUpperCase()} already exists.`,
      status: 409,
    });
    const tooLong = await awsError(upload({ CertificateBody: cert.certificate + ' '.repeat(16384), PrivateKey: cert.privateKey }));
    expect(tooLong.code).toBe('ValidationError');
    expect(tooLong.message).toBe("1 validation error detected: Value at 'certificateBody' failed to satisfy constraint: Member must have length less than or equal to 16384");
  });

  it('counts against the account quota of 20 (GetAccountSummary shows both)', async () => {
    const cert = selfSigned();
    for (let i = 0; i < 20; i++) await upload({ CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    expect(await awsError(upload({ CertificateBody: cert.certificate, PrivateKey: cert.privateKey }))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for ServerCertificatesPerAccount: 20',
      status: 409,
    });
    const summary = (await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(summary.ServerCertificates).toBe(20);
    expect(summary.ServerCertificatesQuota).toBe(20);
  });

  it('lists by plain path prefix, in pages', async () => {
    const cert = selfSigned();
    const names = ['a-cert', 'b-cert', 'c-cert'].map((n) => `${n}-${process.pid}`);
    for (const n of names) await upload({ ServerCertificateName: n, Path: '/team/', CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    await upload({ ServerCertificateName: `elsewhere-${process.pid}`, Path: '/other/', CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    const first = await api.iam.send(new ListServerCertificatesCommand({ PathPrefix: '/team/', MaxItems: 2 }));
    expect(first.ServerCertificateMetadataList!.map((m) => m.ServerCertificateName)).toEqual(names.slice(0, 2));
    expect(first.IsTruncated).toBe(true);
    const rest = await api.iam.send(new ListServerCertificatesCommand({ PathPrefix: '/team/', MaxItems: 2, Marker: first.Marker }));
    expect(rest.ServerCertificateMetadataList!.map((m) => m.ServerCertificateName)).toEqual(names.slice(2));
    expect(rest.IsTruncated).toBe(false);
    expect((await api.iam.send(new ListServerCertificatesCommand({ PathPrefix: '/' }))).ServerCertificateMetadataList).toHaveLength(4);
  });

  it('renames and moves; refuses a taken name and an unknown certificate; deletes (recorded texts)', async () => {
    const cert = selfSigned();
    const [a, b, c] = [uniqueName('ua'), uniqueName('ub'), uniqueName('uc')];
    await upload({ ServerCertificateName: a, CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    await upload({ ServerCertificateName: b, CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    await api.iam.send(new UpdateServerCertificateCommand({ ServerCertificateName: a, NewServerCertificateName: c, NewPath: '/moved/' }));
    const moved = (await api.iam.send(new GetServerCertificateCommand({ ServerCertificateName: c }))).ServerCertificate!.ServerCertificateMetadata!;
    expect(moved.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:server-certificate/moved/${c}`);
    expect(await awsError(api.iam.send(new GetServerCertificateCommand({ ServerCertificateName: a })))).toEqual({
      code: 'NoSuchEntity',
      message: `The Server Certificate with name ${a} cannot be found.`,
      status: 404,
    });
    expect(await awsError(api.iam.send(new UpdateServerCertificateCommand({ ServerCertificateName: c, NewServerCertificateName: b })))).toEqual({
      code: 'EntityAlreadyExists',
      message: `The Server Certificate with name ${b} already exists.`,
      status: 409,
    });
    expect((await awsError(api.iam.send(new UpdateServerCertificateCommand({ ServerCertificateName: a, NewPath: '/x/' })))).code).toBe('NoSuchEntity');

    await api.iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: c }));
    expect(await awsError(api.iam.send(new DeleteServerCertificateCommand({ ServerCertificateName: c })))).toEqual({
      code: 'NoSuchEntity',
      message: `The Server Certificate with name ${c} cannot be found.`,
      status: 404,
    });
    expect((await api.iam.send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList!.map((m) => m.ServerCertificateName)).toEqual([b]);
  });
});

describe('server certificate tags', () => {
  it('tags, lists and untags; keys regardless of case; the quota; unknown certificates', async () => {
    const cert = selfSigned();
    const name = uniqueName('tagged');
    await upload({ ServerCertificateName: name, CertificateBody: cert.certificate, PrivateKey: cert.privateKey });
    await api.iam.send(new TagServerCertificateCommand({ ServerCertificateName: name, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await api.iam.send(new TagServerCertificateCommand({ ServerCertificateName: name, Tags: [{ Key: 'A', Value: '3' }] }));
    expect((await api.iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: name }))).Tags).toEqual([
      { Key: 'A', Value: '3' },
      { Key: 'b', Value: '2' },
    ]);
    await api.iam.send(new UntagServerCertificateCommand({ ServerCertificateName: name, TagKeys: ['B'] }));
    expect((await api.iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: name }))).Tags).toEqual([{ Key: 'A', Value: '3' }]);

    const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    expect(await awsError(api.iam.send(new TagServerCertificateCommand({ ServerCertificateName: name, Tags: many })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for TagsPerServerCertificate: 50',
      status: 409,
    });
    const missing = `${name}-gone`;
    for (const call of [
      () => api.iam.send(new TagServerCertificateCommand({ ServerCertificateName: missing, Tags: [{ Key: 'a', Value: '1' }] })),
      () => api.iam.send(new UntagServerCertificateCommand({ ServerCertificateName: missing, TagKeys: ['a'] })),
      () => api.iam.send(new ListServerCertificateTagsCommand({ ServerCertificateName: missing })),
    ]) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: `The Server Certificate with name ${missing} cannot be found.`, status: 404 });
    }
  });
});

describe('the private key in the audit trail', () => {
  it('is hidden in the upload event; the body is kept', async () => {
    const auditFile = path.join(tempDir('server-cert-audit'), 'audit.log');
    const server = await startInProcess({ env: { IAMD_AUDIT_LOG: auditFile } });
    try {
      const cert = selfSigned();
      await server.iam.send(new UploadServerCertificateCommand({ ServerCertificateName: 'audited', CertificateBody: cert.certificate, PrivateKey: cert.privateKey }));
      // A refused upload with a key is audited too (a failure); its key is hidden as well.
      await awsError(server.iam.send(new UploadServerCertificateCommand({ ServerCertificateName: 'refused', CertificateBody: 'x', PrivateKey: cert.privateKey })));
      const events = jsonLines(auditFile).filter((e) => e.eventName === 'UploadServerCertificate');
      expect(events).toHaveLength(2);
      expect(events[0]!.requestParameters).toMatchObject({ serverCertificateName: 'audited', privateKey: 'HIDDEN_DUE_TO_SECURITY_REASONS' });
      expect(JSON.stringify(events)).not.toContain(cert.privateKey.split('\n')[1]!);
    } finally {
      await server.stop();
    }
  });
});

describe.skipIf(testStore === 'postgres')('the private key at rest (SQLite data folder, spawned CLI)', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const keysIn = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT name, private_key FROM server_certificates').all() as { name: string; private_key: string }[];
    } finally {
      db.close();
    }
  };

  it('is sealed in the database, re-sealed by rotate-master-key, and the certificate still reads after', async () => {
    const dir = tempDir('server-cert-rest');
    const file = path.join(dir, 'iamd.sqlite');
    const cert = selfSigned();
    const keyBody = cert.privateKey.split('\n')[1]!;
    let s = await startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: undefined } });
    try {
      await iamClient(s.url).send(
        new UploadServerCertificateCommand({ ServerCertificateName: 'at-rest', CertificateBody: cert.certificate, PrivateKey: cert.privateKey }),
      );
    } finally {
      await s.stop();
    }
    const [before] = keysIn(file);
    expect(before!.private_key).toMatch(/^v1:[^:]+:/);
    expect(before!.private_key).not.toContain(keyBody);

    const rotated = spawnSync(process.execPath, [path.resolve(here, '../bin/iamd.js'), 'rotate-master-key', '--data-dir', dir], {
      env: { ...process.env, IAMD_MASTER_KEY: undefined, IAMD_NEW_MASTER_KEY: undefined, IAMD_DATABASE_URL: undefined },
      encoding: 'utf8',
    });
    expect(rotated.status).toBe(0);
    expect(rotated.stdout + rotated.stderr).not.toContain(keyBody);
    const [after] = keysIn(file);
    expect(after!.private_key.split(':')[1]).not.toBe(before!.private_key.split(':')[1]);

    s = await startServer({ args: ['--data-dir', dir], env: { IAMD_MASTER_KEY: undefined } });
    try {
      const got = await iamClient(s.url).send(new GetServerCertificateCommand({ ServerCertificateName: 'at-rest' }));
      expect(got.ServerCertificate!.CertificateBody).toBe(cert.certificate.trim());
      expect(s.output()).not.toContain(keyBody);
    } finally {
      await s.stop();
    }
  });
});
