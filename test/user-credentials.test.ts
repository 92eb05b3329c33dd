/**
 * SSH public keys, signing certificates and service-specific credentials through the real server
 * and the AWS SDK v3, with AWS's members, codes and messages; DeleteUser's refusals while any
 * remain; the credential report's certificate columns; and GetSSHPublicKey(PEM) through boto3.
 *
 * Keys are generated here with node's crypto; two fixed keys were made once with ssh-keygen, whose
 * MD5 fingerprints (`ssh-keygen -l -E md5`) and PKCS#8 export (`ssh-keygen -e -m PKCS8`) are the
 * independent expectations. Certificates come from `openssl req -x509`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateServiceSpecificCredentialCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteLoginProfileCommand,
  DeleteServiceSpecificCredentialCommand,
  DeleteSigningCertificateCommand,
  DeleteSSHPublicKeyCommand,
  DeleteUserCommand,
  GenerateCredentialReportCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetSSHPublicKeyCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  PutUserPolicyCommand,
  ResetServiceSpecificCredentialCommand,
  UpdateServiceSpecificCredentialCommand,
  UpdateSigningCertificateCommand,
  UpdateSSHPublicKeyCommand,
  UpdateUserCommand,
  UploadSigningCertificateCommand,
  UploadSSHPublicKeyCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, ROOT, awsError, iamClient, startServer, uniqueName, type TestServer } from './support/server.js';
import { findInFiles, jsonLines, tempDir } from './support/hardening.js';

let server: TestServer;
let iam: IAMClient;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-user-credentials-'));

beforeAll(async () => {
  server = await startServer();
  iam = iamClient(server.url);
});
afterAll(async () => {
  await server?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

// Made once with ssh-keygen (see the header); the fingerprints are ssh-keygen's.
const VECTOR_RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCpOQ2qY14unqn0/eB+Sw4VP2XNfCDT+MLzfsAWpxH4R9S/6nPFC+coawOrRfSv2jViq3+gbgIaYFQkAYu0fpYdBemR6ZXpLfUMFfFDeC5cfkx9Gsm083N4c0hwcOBpYPvdN6O7qKkPneAJyep6tB4hWqCnU0JkRM5cbhnAkxaVDM/mKw5WZuBer67U70nVZiB4LIs6CE0KZXXUhmrO1/43W5XkmewhUKqJqwXjQfw261BuHBTp5DWZJz2VuXYW6jTIH8mMgosaBssqJESQFpWJaphfxwDMOiGFleCOfY5MxBAKiw2tYqZCZ+3RpYcnWCoFWk07hVv1/BPp+aR8ZM// vector@iamd';
const VECTOR_RSA_MD5 = '5c:d7:8c:68:52:ac:36:7a:94:f5:44:a3:30:64:86:d9';
const VECTOR_RSA_PEM = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqTkNqmNeLp6p9P3gfksO
FT9lzXwg0/jC837AFqcR+EfUv+pzxQvnKGsDq0X0r9o1Yqt/oG4CGmBUJAGLtH6W
HQXpkemV6S31DBXxQ3guXH5MfRrJtPNzeHNIcHDgaWD73Teju6ipD53gCcnqerQe
IVqgp1NCZETOXG4ZwJMWlQzP5isOVmbgXq+u1O9J1WYgeCyLOghNCmV11IZqztf+
N1uV5JnsIVCqiasF40H8NutQbhwU6eQ1mSc9lbl2Fuo0yB/JjIKLGgbLKiREkBaV
iWqYX8cAzDohhZXgjn2OTMQQCosNrWKmQmft0aWHJ1gqBVpNO4Vb9fwT6fmkfGTP
/wIDAQAB
-----END PUBLIC KEY-----
`;
const VECTOR_ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMggaB0s3EBpBMwLN66iTzENxc7IbCM6MIA3cFN9ZBOd ed@iamd';
const VECTOR_ED25519_MD5 = '35:16:3a:3d:b2:76:fa:3a:4f:0e:d2:c2:3f:68:95:ab';

/** The SSH wire form of an RSA key (RFC 4253 §6.6), written out here for the test's own keys. */
function sshLine(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  const field = (b: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(b.length);
    return Buffer.concat([length, b]);
  };
  const mpint = (b64url: string) => {
    const b = Buffer.from(b64url, 'base64url');
    return field(b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b);
  };
  return `ssh-rsa ${Buffer.concat([field(Buffer.from('ssh-rsa')), mpint(jwk.e!), mpint(jwk.n!)]).toString('base64')}`;
}
const md5Of = (line: string) => createHash('md5').update(Buffer.from(line.split(' ')[1]!, 'base64')).digest('hex').replace(/(..)(?!$)/g, '$1:');
const rsaKey = (bits = 2048) => generateKeyPairSync('rsa', { modulusLength: bits });

let certs = 0;
/** A fresh self-signed certificate (PEM) and its private key, from openssl. */
function certificate(): { body: string; privateKey: string } {
  const base = path.join(tmp, `cert-${++certs}`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=iamd-${certs}`, '-keyout', `${base}.key`, '-out', `${base}.pem`], {
    stdio: 'ignore',
  });
  return { body: fs.readFileSync(`${base}.pem`, 'utf8'), privateKey: fs.readFileSync(`${base}.key`, 'utf8') };
}

async function newUser(prefix: string): Promise<string> {
  const UserName = uniqueName(prefix);
  await iam.send(new CreateUserCommand({ UserName }));
  return UserName;
}

/** An IAM user with its own keys and an inline policy allowing `actions` on itself. */
async function signedInUser(actions: string[]): Promise<{ UserName: string; client: IAMClient }> {
  const UserName = await newUser('self');
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
  await iam.send(
    new PutUserPolicyCommand({
      UserName,
      PolicyName: 'Self',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: actions, Resource: `arn:aws:iam::${ACCOUNT_ID}:user/${UserName}` }],
      }),
    }),
  );
  return { UserName, client: iamClient(server.url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }) };
}

const moveClock = (seconds: number) => fetch(`${server.url}/iamd-test/clock?offsetSeconds=${seconds}`, { method: 'POST' });

describe('SSH public keys', () => {
  it('uploads an OpenSSH RSA key: APKA id, ssh-keygen’s MD5 fingerprint, the body as uploaded, Active', async () => {
    const UserName = await newUser('ssh');
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { SSHPublicKey } = await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: VECTOR_RSA }));
    expect(SSHPublicKey).toEqual({
      UserName,
      SSHPublicKeyId: expect.stringMatching(/^APKA[A-Z2-7]{16}$/),
      Fingerprint: VECTOR_RSA_MD5,
      SSHPublicKeyBody: VECTOR_RSA,
      Status: 'Active',
      UploadDate: expect.any(Date),
    });
    expect(SSHPublicKey!.UploadDate!.getTime()).toBeGreaterThanOrEqual(before);

    const SSHPublicKeyId = SSHPublicKey!.SSHPublicKeyId!;
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId, Encoding: 'SSH' }))).SSHPublicKey).toEqual(SSHPublicKey);
    // PEM: SubjectPublicKeyInfo exactly as ssh-keygen -e -m PKCS8 writes it, same fingerprint.
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId, Encoding: 'PEM' }))).SSHPublicKey).toEqual({
      ...SSHPublicKey,
      SSHPublicKeyBody: VECTOR_RSA_PEM,
    });
  });

  it('uploads a PEM key: the same fingerprint as the key in OpenSSH form, either encoding on Get', async () => {
    const { publicKey } = rsaKey(3072);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const line = sshLine(publicKey);
    const UserName = await newUser('pem');
    const { SSHPublicKey } = await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: pem }));
    expect(SSHPublicKey).toMatchObject({ Fingerprint: md5Of(line), SSHPublicKeyBody: pem, Status: 'Active' });
    const SSHPublicKeyId = SSHPublicKey!.SSHPublicKeyId!;
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId, Encoding: 'SSH' }))).SSHPublicKey!.SSHPublicKeyBody).toBe(line);
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId, Encoding: 'PEM' }))).SSHPublicKey!.SSHPublicKeyBody).toBe(pem);

    // The same key again, in the other encoding, is the same key.
    expect(await awsError(iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: `${line} another-comment` })))).toEqual({
      code: 'DuplicateSSHPublicKey',
      message: 'The SSH public key is already associated with the specified IAM user.',
      status: 400,
    });
    // Another user may upload it.
    const other = await newUser('pem-other');
    expect((await iam.send(new UploadSSHPublicKeyCommand({ UserName: other, SSHPublicKeyBody: line }))).SSHPublicKey!.Fingerprint).toBe(md5Of(line));
  });

  it('accepts an Ed25519 key, with ssh-keygen’s fingerprint', async () => {
    const UserName = await newUser('ed');
    const { SSHPublicKey } = await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: VECTOR_ED25519 }));
    expect(SSHPublicKey!.Fingerprint).toBe(VECTOR_ED25519_MD5);
    const pem = (await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId: SSHPublicKey!.SSHPublicKeyId!, Encoding: 'PEM' }))).SSHPublicKey!
      .SSHPublicKeyBody!;
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n$/);
  });

  it('refuses keys that are not usable, changing nothing', async () => {
    const UserName = await newUser('bad-ssh');
    const invalid = { code: 'InvalidPublicKey', message: 'The public key is malformed or otherwise invalid.', status: 400 };
    const unrecognized = { code: 'UnrecognizedPublicKeyEncoding', message: 'The public key encoding format is unsupported or unrecognized.', status: 400 };
    const upload = (SSHPublicKeyBody: string) => awsError(iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody })));
    // Shorter than AWS's 2048-bit minimum.
    expect(await upload(sshLine(rsaKey(1024).publicKey))).toEqual(invalid);
    expect(await upload(rsaKey(1024).publicKey.export({ type: 'spki', format: 'pem' }).toString())).toEqual(invalid);
    // Not base64, a truncated key, a key whose inner type disagrees.
    expect(await upload('ssh-rsa !!!not-base64!!!')).toEqual(invalid);
    expect(await upload(VECTOR_RSA.slice(0, 200))).toEqual(invalid);
    expect(await upload(`ssh-rsa ${VECTOR_ED25519.split(' ')[1]}`)).toEqual(invalid);
    expect(await upload('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n')).toEqual(invalid);
    // Not a key at all, another algorithm, a private key.
    expect(await upload('not a key')).toEqual(unrecognized);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(await upload(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toEqual(unrecognized);
    expect(await upload('ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTY=')).toEqual(unrecognized);
    expect(await upload(rsaKey().privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toEqual(unrecognized);
    expect((await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys).toEqual([]);

    expect(await awsError(iam.send(new UploadSSHPublicKeyCommand({ UserName: 'nobody', SSHPublicKeyBody: VECTOR_RSA })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The user with name nobody cannot be found.',
      status: 404,
    });
  });

  it('allows five keys per user', async () => {
    const UserName = await newUser('five');
    for (let i = 0; i < 5; i++) await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: sshLine(rsaKey().publicKey) }));
    expect(await awsError(iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: sshLine(rsaKey().publicKey) })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for SSHPublicKeysPerUser: 5',
      status: 409,
    });
    expect((await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys).toHaveLength(5);
  });

  it('lists by key id with paging, updates the status, deletes; another user’s id is not found', async () => {
    const UserName = await newUser('list-ssh');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: sshLine(rsaKey().publicKey) }))).SSHPublicKey!.SSHPublicKeyId!);
    }
    ids.sort();
    const all = await iam.send(new ListSSHPublicKeysCommand({ UserName }));
    expect(all.IsTruncated).toBe(false);
    expect(all.Marker).toBeUndefined();
    expect(all.SSHPublicKeys).toEqual(ids.map((SSHPublicKeyId) => ({ UserName, SSHPublicKeyId, Status: 'Active', UploadDate: expect.any(Date) })));
    const first = await iam.send(new ListSSHPublicKeysCommand({ UserName, MaxItems: 2 }));
    expect(first.SSHPublicKeys!.map((k) => k.SSHPublicKeyId)).toEqual(ids.slice(0, 2));
    expect(first.IsTruncated).toBe(true);
    const rest = await iam.send(new ListSSHPublicKeysCommand({ UserName, MaxItems: 2, Marker: first.Marker }));
    expect(rest.SSHPublicKeys!.map((k) => k.SSHPublicKeyId)).toEqual(ids.slice(2));
    expect(rest.IsTruncated).toBe(false);

    await iam.send(new UpdateSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ids[0], Status: 'Inactive' }));
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ids[0], Encoding: 'SSH' }))).SSHPublicKey!.Status).toBe('Inactive');
    expect(await awsError(iam.send(new UpdateSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ids[0], Status: 'Expired' })))).toEqual({
      code: 'InvalidInput',
      message: 'Invalid value for parameter Status. Valid values are Active and Inactive.',
      status: 400,
    });
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ids[1] }));
    expect((await iam.send(new ListSSHPublicKeysCommand({ UserName }))).SSHPublicKeys!.map((k) => [k.SSHPublicKeyId, k.Status])).toEqual([
      [ids[0], 'Inactive'],
      [ids[2], 'Active'],
    ]);

    const notFound = (id: string) => ({ code: 'NoSuchEntity', message: `The Public Key with id ${id} cannot be found.`, status: 404 });
    const other = await newUser('not-owner');
    const id = ids[0]!;
    expect(await awsError(iam.send(new GetSSHPublicKeyCommand({ UserName: other, SSHPublicKeyId: id, Encoding: 'SSH' })))).toEqual(notFound(id));
    expect(await awsError(iam.send(new UpdateSSHPublicKeyCommand({ UserName: other, SSHPublicKeyId: id, Status: 'Active' })))).toEqual(notFound(id));
    expect(await awsError(iam.send(new DeleteSSHPublicKeyCommand({ UserName: other, SSHPublicKeyId: id })))).toEqual(notFound(id));
    expect(await awsError(iam.send(new DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ids[1] })))).toEqual(notFound(ids[1]!));
    expect(await awsError(iam.send(new GetSSHPublicKeyCommand({ UserName: 'nobody', SSHPublicKeyId: id, Encoding: 'SSH' })))).toEqual({
      code: 'NoSuchEntity',
      message: 'The user with name nobody cannot be found.',
      status: 404,
    });
    // Still there, unchanged, for its owner.
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName, SSHPublicKeyId: id, Encoding: 'SSH' }))).SSHPublicKey!.Status).toBe('Inactive');
  });

  it('ListSSHPublicKeys without UserName lists the caller’s; the root user must name a user', async () => {
    const { UserName, client } = await signedInUser(['iam:UploadSSHPublicKey', 'iam:ListSSHPublicKeys']);
    const id = (await client.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: VECTOR_RSA }))).SSHPublicKey!.SSHPublicKeyId;
    expect((await client.send(new ListSSHPublicKeysCommand({}))).SSHPublicKeys!.map((k) => k.SSHPublicKeyId)).toEqual([id]);
    expect(await awsError(iam.send(new ListSSHPublicKeysCommand({})))).toEqual({
      code: 'ValidationError',
      message: 'Must specify userName when calling with non-User credentials',
      status: 400,
    });
  });
});

describe('signing certificates', () => {
  it('uploads (Active, body as given), lists with the body, updates the status, deletes', async () => {
    const UserName = await newUser('cert');
    const { body } = certificate();
    const { Certificate } = await iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: body }));
    expect(Certificate).toEqual({
      UserName,
      CertificateId: expect.stringMatching(/^[A-Z2-7]{32}$/),
      CertificateBody: body,
      Status: 'Active',
      UploadDate: expect.any(Date),
    });
    const CertificateId = Certificate!.CertificateId!;
    expect(await iam.send(new ListSigningCertificatesCommand({ UserName }))).toMatchObject({ Certificates: [Certificate], IsTruncated: false });

    await iam.send(new UpdateSigningCertificateCommand({ UserName, CertificateId, Status: 'Inactive' }));
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates![0]!.Status).toBe('Inactive');
    await iam.send(new UpdateSigningCertificateCommand({ UserName, CertificateId, Status: 'Active' }));
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates![0]!.Status).toBe('Active');
    await iam.send(new DeleteSigningCertificateCommand({ UserName, CertificateId }));
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates).toEqual([]);
  });

  it('answers AWS’s errors: unknown user, malformed body, unknown id, a third certificate, one already someone’s', async () => {
    const UserName = await newUser('cert-errors');
    const [c1, c2, c3] = [certificate(), certificate(), certificate()];
    const noUser = { code: 'NoSuchEntity', message: 'The user with name nonexistent-user cannot be found.', status: 404 };
    const certId = 'NONEXISTENTCERTID12345678901';
    expect(await awsError(iam.send(new UploadSigningCertificateCommand({ UserName: 'nonexistent-user', CertificateBody: c1.body })))).toEqual(noUser);
    expect(await awsError(iam.send(new ListSigningCertificatesCommand({ UserName: 'nonexistent-user' })))).toEqual(noUser);
    expect(await awsError(iam.send(new DeleteSigningCertificateCommand({ UserName: 'nonexistent-user', CertificateId: certId })))).toEqual(noUser);
    expect(await awsError(iam.send(new UpdateSigningCertificateCommand({ UserName: 'nonexistent-user', CertificateId: certId, Status: 'Inactive' })))).toEqual(
      noUser,
    );
    expect(await awsError(iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: 'invalid-certificate-body' })))).toEqual({
      code: 'MalformedCertificate',
      message: 'Certificate invalid-certificate-body is malformed.',
      status: 400,
    });
    // A private key given by mistake is not echoed back.
    const pk = await awsError(iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: c1.privateKey })));
    expect(pk).toEqual({ code: 'MalformedCertificate', message: 'Certificate (a private key, not shown) is malformed.', status: 400 });
    // Two certificates in one body are not one certificate.
    expect((await awsError(iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: c1.body + c2.body })))).code).toBe(
      'MalformedCertificate',
    );
    const notFound = { code: 'NoSuchEntity', message: `The Certificate with id ${certId} cannot be found.`, status: 404 };
    expect(await awsError(iam.send(new UpdateSigningCertificateCommand({ UserName, CertificateId: certId, Status: 'Inactive' })))).toEqual(notFound);
    expect(await awsError(iam.send(new DeleteSigningCertificateCommand({ UserName, CertificateId: certId })))).toEqual(notFound);

    await iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: c1.body }));
    await iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: c2.body }));
    expect(await awsError(iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: c3.body })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for CertificatesPerUser: 2',
      status: 409,
    });
    const other = await newUser('cert-dup');
    expect(await awsError(iam.send(new UploadSigningCertificateCommand({ UserName: other, CertificateBody: c1.body })))).toEqual({
      code: 'DuplicateCertificate',
      message: 'The same certificate is associated with an IAM user in the account.',
      status: 409,
    });
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName: other }))).Certificates).toEqual([]);
    expect((await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates).toHaveLength(2);
  });

  it('without UserName: the calling user’s own, and the root user’s own (no UserName in them)', async () => {
    const { UserName, client } = await signedInUser(['iam:UploadSigningCertificate', 'iam:ListSigningCertificates']);
    const mine = (await client.send(new UploadSigningCertificateCommand({ CertificateBody: certificate().body }))).Certificate!;
    expect(mine.UserName).toBe(UserName);
    expect((await client.send(new ListSigningCertificatesCommand({}))).Certificates!.map((c) => c.CertificateId)).toEqual([mine.CertificateId]);

    const present = async () => (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(await present()).toMatchObject({ AccountSigningCertificatesPresent: 0, SigningCertificatesPerUserQuota: 2 });
    const rootCert = (await iam.send(new UploadSigningCertificateCommand({ CertificateBody: certificate().body }))).Certificate!;
    expect(rootCert.UserName).toBeUndefined();
    expect(rootCert.Status).toBe('Active');
    try {
      expect((await present()).AccountSigningCertificatesPresent).toBe(1);
      expect((await iam.send(new ListSigningCertificatesCommand({}))).Certificates!.map((c) => c.CertificateId)).toEqual([rootCert.CertificateId]);
      // Root's certificates are not a user's.
      expect((await iam.send(new ListSigningCertificatesCommand({ UserName }))).Certificates!.map((c) => c.CertificateId)).toEqual([mine.CertificateId]);
      await iam.send(new UpdateSigningCertificateCommand({ CertificateId: rootCert.CertificateId, Status: 'Inactive' }));
      expect((await iam.send(new ListSigningCertificatesCommand({}))).Certificates![0]!.Status).toBe('Inactive');
      expect((await awsError(iam.send(new DeleteSigningCertificateCommand({ UserName, CertificateId: rootCert.CertificateId })))).code).toBe('NoSuchEntity');
    } finally {
      await iam.send(new DeleteSigningCertificateCommand({ CertificateId: rootCert.CertificateId }));
    }
    expect((await iam.send(new ListSigningCertificatesCommand({}))).Certificates).toEqual([]);
  });

  it('fills the credential report’s cert columns, in upload order', async () => {
    const UserName = await newUser('cert-report');
    const bare = await newUser('cert-report-none');
    const first = (await iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: certificate().body }))).Certificate!;
    const second = (await iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: certificate().body }))).Certificate!;
    await iam.send(new UpdateSigningCertificateCommand({ UserName, CertificateId: second.CertificateId, Status: 'Inactive' }));
    await iam.send(new GenerateCredentialReportCommand({}));
    const csv = Buffer.from((await iam.send(new GetCredentialReportCommand({}))).Content!).toString('utf8');
    const rowOf = (name: string) => csv.split('\n').find((l) => l.startsWith(`${name},`))!.split(',');
    const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, '+00:00');
    expect(rowOf(UserName).slice(18)).toEqual(['true', iso(first.UploadDate!), 'false', iso(second.UploadDate!)]);
    expect(rowOf(bare).slice(18)).toEqual(['false', 'N/A', 'false', 'N/A']);
  });
});

describe('service-specific credentials', () => {
  const PASSWORD = /^[A-Za-z0-9+/]{59}=$/;

  it('creates a CodeCommit credential: ACCA id, user-at-account, a password shown once', async () => {
    const UserName = await newUser('git');
    const before = Math.floor(Date.now() / 1000) * 1000;
    const { ServiceSpecificCredential: created } = await iam.send(
      new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }),
    );
    expect(created).toEqual({
      CreateDate: expect.any(Date),
      ServiceName: 'codecommit.amazonaws.com',
      ServiceUserName: `${UserName}-at-${ACCOUNT_ID}`,
      ServicePassword: expect.stringMatching(PASSWORD),
      ServiceSpecificCredentialId: expect.stringMatching(/^ACCA[A-Z2-7]{17}$/),
      UserName,
      Status: 'Active',
    });
    expect(created!.CreateDate!.getTime()).toBeGreaterThanOrEqual(before);
    const { ServicePassword, ...metadata } = created!;
    const listed = await iam.send(new ListServiceSpecificCredentialsCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }));
    expect(listed.ServiceSpecificCredentials).toEqual([metadata]);
    expect(listed.IsTruncated).toBe(false);
    // Never again: not listed, not logged.
    expect(JSON.stringify(listed)).not.toContain(ServicePassword);
    expect(server.output()).not.toContain(ServicePassword);
  });

  it('allows two per user per service, named user-at and user+1-at; Keyspaces counts apart', async () => {
    const UserName = await newUser('two');
    const create = (ServiceName: string) => iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName }));
    const a = (await create('codecommit.amazonaws.com')).ServiceSpecificCredential!;
    const b = (await create('codecommit.amazonaws.com')).ServiceSpecificCredential!;
    expect([a.ServiceUserName, b.ServiceUserName]).toEqual([`${UserName}-at-${ACCOUNT_ID}`, `${UserName}+1-at-${ACCOUNT_ID}`]);
    expect(a.ServicePassword).not.toBe(b.ServicePassword);
    expect(await awsError(create('codecommit.amazonaws.com'))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2',
      status: 409,
    });
    const k = (await create('cassandra.amazonaws.com')).ServiceSpecificCredential!;
    expect(k).toMatchObject({ ServiceName: 'cassandra.amazonaws.com', ServiceUserName: `${UserName}-at-${ACCOUNT_ID}` });
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials).toHaveLength(3);
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName, ServiceName: 'cassandra.amazonaws.com' }))).ServiceSpecificCredentials!.map(
      (c) => c.ServiceSpecificCredentialId,
    )).toEqual([k.ServiceSpecificCredentialId]);

    // A freed name is given again.
    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId: a.ServiceSpecificCredentialId }));
    expect((await create('codecommit.amazonaws.com')).ServiceSpecificCredential!.ServiceUserName).toBe(`${UserName}-at-${ACCOUNT_ID}`);
  });

  it('resets the password (the status stays), updates the status, deletes', async () => {
    const UserName = await newUser('reset');
    const created = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' })))
      .ServiceSpecificCredential!;
    const ServiceSpecificCredentialId = created.ServiceSpecificCredentialId!;
    await iam.send(new UpdateServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId, Status: 'Inactive' }));
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials![0]!.Status).toBe('Inactive');
    const reset = (await iam.send(new ResetServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId }))).ServiceSpecificCredential!;
    expect(reset).toEqual({ ...created, ServicePassword: expect.stringMatching(PASSWORD), Status: 'Inactive' });
    expect(reset.ServicePassword).not.toBe(created.ServicePassword);
    expect(await awsError(iam.send(new UpdateServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId, Status: 'Expired' })))).toMatchObject({
      code: 'InvalidInput',
    });
    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId }));
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials).toEqual([]);
  });

  it('answers AWS’s errors: unsupported service, unknown user first, malformed and unknown ids, another user', async () => {
    const UserName = await newUser('ssc-errors');
    for (const ServiceName of ['nonexistentservice.amazonaws.com', 'o3on3n3onosneo', 'lambda.amazonaws.com']) {
      const unsupported = { code: 'NoSuchEntity', message: `No such service ${ServiceName} is supported for Service Specific Credentials`, status: 404 };
      expect(await awsError(iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName })))).toEqual(unsupported);
      expect(await awsError(iam.send(new ListServiceSpecificCredentialsCommand({ UserName, ServiceName })))).toEqual(unsupported);
    }
    const noUser = (name: string) => ({ code: 'NoSuchEntity', message: `The user with name ${name} cannot be found.`, status: 404 });
    expect(
      await awsError(iam.send(new CreateServiceSpecificCredentialCommand({ UserName: 'non-existent-user', ServiceName: 'nonexistentservice.amazonaws.com' }))),
    ).toEqual(noUser('non-existent-user'));

    const id = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }))).ServiceSpecificCredential!
      .ServiceSpecificCredentialId!;
    // Update, Reset and Delete, each sent only when awaited.
    const calls = (u: string, credentialId: string) => [
      () => iam.send(new UpdateServiceSpecificCredentialCommand({ UserName: u, ServiceSpecificCredentialId: credentialId, Status: 'Inactive' })),
      () => iam.send(new ResetServiceSpecificCredentialCommand({ UserName: u, ServiceSpecificCredentialId: credentialId })),
      () => iam.send(new DeleteServiceSpecificCredentialCommand({ UserName: u, ServiceSpecificCredentialId: credentialId })),
    ];
    for (const call of calls(UserName, 'totally-wrong-credential-id-with-hyphens')) {
      expect(await awsError(call())).toEqual({
        code: 'ValidationError',
        message:
          "1 validation error detected: Value at 'serviceSpecificCredentialId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+",
        status: 400,
      });
    }
    for (const call of calls(UserName, 'satisfiesregexbutstillinvalid')) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: 'No such credential satisfiesregexbutstillinvalid exists', status: 404 });
    }
    for (const call of calls('wrong-user-name', id)) expect(await awsError(call())).toEqual(noUser('wrong-user-name'));
    const other = await newUser('ssc-other');
    for (const call of calls(other, id)) expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: `No such credential ${id} exists`, status: 404 });
    // Untouched by all of it.
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials!.map((c) => c.Status)).toEqual(['Active']);
  });

  it('keeps the service user name when the user is renamed', async () => {
    const UserName = await newUser('renamed');
    await iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }));
    const NewUserName = uniqueName('renamed-to');
    await iam.send(new UpdateUserCommand({ UserName, NewUserName }));
    expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: NewUserName }))).ServiceSpecificCredentials).toEqual([
      expect.objectContaining({ UserName: NewUserName, ServiceUserName: `${UserName}-at-${ACCOUNT_ID}` }),
    ]);
    // A new user of the old name gets the next free service user name.
    await iam.send(new CreateUserCommand({ UserName }));
    expect(
      (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }))).ServiceSpecificCredential!
        .ServiceUserName,
    ).toBe(`${UserName}+1-at-${ACCOUNT_ID}`);
  });

  it('Bedrock API keys: an alias and a secret instead of a user name and password, an expiry with CredentialAgeDays', async () => {
    const UserName = await newUser('bedrock');
    const created = (
      await iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'bedrock.amazonaws.com', CredentialAgeDays: 30 }))
    ).ServiceSpecificCredential!;
    expect(created).toEqual({
      CreateDate: expect.any(Date),
      ExpirationDate: new Date(created.CreateDate!.getTime() + 30 * 86_400_000),
      ServiceName: 'bedrock.amazonaws.com',
      ServiceCredentialAlias: `${UserName}-at-${ACCOUNT_ID}`,
      ServiceCredentialSecret: expect.stringMatching(/^ABSK[A-Za-z0-9+/]+=*$/),
      ServiceSpecificCredentialId: expect.stringMatching(/^ACCA/),
      UserName,
      Status: 'Active',
    });
    expect(Buffer.from(created.ServiceCredentialSecret!.slice(4), 'base64').toString()).toMatch(new RegExp(`^${UserName}-at-${ACCOUNT_ID}:`));
    expect(await awsError(iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com', CredentialAgeDays: 1 })))).toEqual({
      code: 'InvalidInput',
      message: 'CredentialAgeDays is only valid for Bedrock and CloudWatch Logs API keys.',
      status: 400,
    });
    try {
      await moveClock(31 * 86_400);
      expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName }))).ServiceSpecificCredentials).toEqual([
        expect.objectContaining({ ServiceCredentialAlias: `${UserName}-at-${ACCOUNT_ID}`, Status: 'Expired', ExpirationDate: created.ExpirationDate }),
      ]);
    } finally {
      await moveClock(0);
    }
  });

  it('ListServiceSpecificCredentials: the caller’s own without UserName; everyone’s with AllUsers', async () => {
    const { UserName, client } = await signedInUser(['iam:CreateServiceSpecificCredential', 'iam:ListServiceSpecificCredentials']);
    await client.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'cassandra.amazonaws.com' }));
    expect((await client.send(new ListServiceSpecificCredentialsCommand({}))).ServiceSpecificCredentials!.map((c) => c.UserName)).toEqual([UserName]);
    expect((await awsError(iam.send(new ListServiceSpecificCredentialsCommand({})))).code).toBe('ValidationError');

    const everyone = (await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true, ServiceName: 'cassandra.amazonaws.com' })))
      .ServiceSpecificCredentials!;
    expect(everyone.map((c) => c.UserName)).toContain(UserName);
    expect(new Set(everyone.map((c) => c.ServiceName))).toEqual(new Set(['cassandra.amazonaws.com']));
    const page = await iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true, MaxItems: 1 }));
    expect(page.ServiceSpecificCredentials).toHaveLength(1);
    expect(page.IsTruncated).toBe(true);
    expect(await awsError(iam.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true, UserName })))).toEqual({
      code: 'InvalidInput',
      message: 'AllUsers cannot be specified together with UserName.',
      status: 400,
    });
    // AllUsers is the account's resource: a user allowed only on itself may not.
    expect((await awsError(client.send(new ListServiceSpecificCredentialsCommand({ AllUsers: true })))).code).toBe('AccessDenied');
  });
});

describe('DeleteUser with credentials', () => {
  it('refuses while any credential remains, naming each in AWS’s order, and then deletes', async () => {
    const UserName = await newUser('doomed');
    await iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Doomed-Passw0rd!' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const cert = (await iam.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: certificate().body }))).Certificate!;
    const ssh = (await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: VECTOR_RSA }))).SSHPublicKey!;
    const ssc = (await iam.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }))).ServiceSpecificCredential!;
    const conflict = async (message: string) =>
      expect(await awsError(iam.send(new DeleteUserCommand({ UserName })))).toEqual({ code: 'DeleteConflict', message, status: 409 });

    await conflict('Cannot delete entity, must delete login profile first.');
    await iam.send(new DeleteLoginProfileCommand({ UserName }));
    await conflict('Cannot delete entity, must delete access keys first.');
    await iam.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId: key.AccessKeyId }));
    await conflict('Cannot delete entity, must delete certificates first.');
    await iam.send(new DeleteSigningCertificateCommand({ UserName, CertificateId: cert.CertificateId }));
    await conflict('Cannot delete entity, must remove referenced objects first.');
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName, SSHPublicKeyId: ssh.SSHPublicKeyId }));
    await conflict('Cannot delete entity, must remove referenced objects first.');
    await iam.send(new DeleteServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId: ssc.ServiceSpecificCredentialId }));
    await iam.send(new DeleteUserCommand({ UserName }));
    expect((await awsError(iam.send(new ListSSHPublicKeysCommand({ UserName })))).code).toBe('NoSuchEntity');
  });
});

describe('authorization', () => {
  it('each operation is its own action on the target user’s ARN', async () => {
    const { UserName, client } = await signedInUser(['iam:UploadSSHPublicKey']);
    const target = await newUser('target');
    expect(await awsError(client.send(new UploadSSHPublicKeyCommand({ UserName: target, SSHPublicKeyBody: VECTOR_RSA })))).toEqual({
      code: 'AccessDenied',
      message:
        `User: arn:aws:iam::${ACCOUNT_ID}:user/${UserName} is not authorized to perform: iam:UploadSSHPublicKey on resource: ` +
        `user ${target} because no identity-based policy allows the iam:UploadSSHPublicKey action`,
      status: 403,
    });
    expect((await client.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: VECTOR_RSA }))).SSHPublicKey!.UserName).toBe(UserName);
    const denied: [string, () => Promise<unknown>][] = [
      ['ListSSHPublicKeys', () => client.send(new ListSSHPublicKeysCommand({ UserName }))],
      ['UploadSigningCertificate', () => client.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: certificate().body }))],
      ['ListSigningCertificates', () => client.send(new ListSigningCertificatesCommand({}))],
      ['CreateServiceSpecificCredential', () => client.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' }))],
      ['ListServiceSpecificCredentials', () => client.send(new ListServiceSpecificCredentialsCommand({}))],
    ];
    for (const [action, call] of denied) {
      expect(await awsError(call())).toEqual({
        code: 'AccessDenied',
        message: `User: arn:aws:iam::${ACCOUNT_ID}:user/${UserName} is not authorized to perform: iam:${action} on resource: user ${UserName} because no identity-based policy allows the iam:${action} action`,
        status: 403,
      });
    }
  });
});

describe('boto3', () => {
  it('GetSSHPublicKey with Encoding=PEM', async () => {
    const UserName = await newUser('boto3-ssh');
    const id = (await iam.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: VECTOR_RSA }))).SSHPublicKey!.SSHPublicKeyId!;
    const script = [
      'import json, os, boto3',
      'iam = boto3.client("iam", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1")',
      'k = iam.get_ssh_public_key(UserName=os.environ["USER_NAME"], SSHPublicKeyId=os.environ["KEY_ID"], Encoding="PEM")["SSHPublicKey"]',
      'print(json.dumps({"body": k["SSHPublicKeyBody"], "fingerprint": k["Fingerprint"], "status": k["Status"], "id": k["SSHPublicKeyId"]}))',
    ].join('\n');
    const { stdout } = await promisify(execFile)('python3', ['-c', script], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: ROOT.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ROOT.secretAccessKey,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        USER_NAME: UserName,
        KEY_ID: id,
      },
      cwd: path.dirname(fileURLToPath(import.meta.url)),
    });
    expect(JSON.parse(stdout)).toEqual({ body: VECTOR_RSA_PEM, fingerprint: VECTOR_RSA_MD5, status: 'Active', id });
  });
});

describe('secrets', () => {
  it('keeps service passwords and API keys, and a private key pasted by mistake, out of the database files and the audit trail', async () => {
    const dir = tempDir('user-credentials-at-rest');
    const auditFile = path.join(dir, 'audit.log');
    const own = await startServer({ args: ['--data-dir', dir], env: { IAMD_AUDIT_LOG: auditFile } });
    try {
      const client = iamClient(own.url);
      const UserName = 'at-rest';
      await client.send(new CreateUserCommand({ UserName }));
      const password = (await client.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'codecommit.amazonaws.com' })))
        .ServiceSpecificCredential!;
      const reset = (await client.send(new ResetServiceSpecificCredentialCommand({ UserName, ServiceSpecificCredentialId: password.ServiceSpecificCredentialId })))
        .ServiceSpecificCredential!.ServicePassword!;
      const apiKey = (await client.send(new CreateServiceSpecificCredentialCommand({ UserName, ServiceName: 'bedrock.amazonaws.com' })))
        .ServiceSpecificCredential!.ServiceCredentialSecret!;
      const { privateKey } = certificate();
      expect((await awsError(client.send(new UploadSigningCertificateCommand({ UserName, CertificateBody: privateKey })))).code).toBe('MalformedCertificate');
      expect((await awsError(client.send(new UploadSSHPublicKeyCommand({ UserName, SSHPublicKeyBody: privateKey })))).code).toBe(
        'UnrecognizedPublicKeyEncoding',
      );

      const events = jsonLines(auditFile);
      const created = events.find((e) => e.eventName === 'CreateServiceSpecificCredential')!;
      expect(created.responseElements.serviceSpecificCredential).toMatchObject({ servicePassword: 'HIDDEN_DUE_TO_SECURITY_REASONS', serviceUserName: `${UserName}-at-${ACCOUNT_ID}` });
      expect(events.find((e) => e.eventName === 'UploadSigningCertificate')!.requestParameters.certificateBody).toBe('HIDDEN_DUE_TO_SECURITY_REASONS');
      const keyLine = privateKey.split('\n')[1]!;
      const secrets = [password.ServicePassword!, reset, apiKey, apiKey.slice(4), keyLine];
      const trail = JSON.stringify(events);
      for (const secret of secrets) expect(trail).not.toContain(secret);
      await own.stop();
      const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
      expect(findInFiles(files, secrets)).toEqual([]);
      expect(own.output()).not.toContain(password.ServicePassword!);
    } finally {
      await own.stop();
    }
  });
});
