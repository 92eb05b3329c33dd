import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import type { ServerCertificate, Tag } from './entities.js';
import type { Domain } from './context.js';
import { IamError } from './errors.js';
import { listByPath } from './paging.js';
import { checkNewTags } from './tags.js';
import type { ListPage } from '../ports/store.js';

/**
 * Server certificates: a certificate, its optional chain and its private key, for TLS endpoints of
 * other services. The three are checked as AWS checks them (PEM, the key matching the certificate,
 * each chain link signing the one before); the private key is sealed before it reaches the store
 * and no operation returns it.
 */

/** AWS's ServerCertificatesQuota (GetAccountSummary). */
export const MAX_SERVER_CERTIFICATES = 20;

// Recorded AWS texts (LocalStack's AWS-validated snapshots; AWS error responses quoted in issues).
export const noSuchServerCertificate = (name: string) => new IamError('NoSuchEntity', `The Server Certificate with name ${name} cannot be found.`);
const serverCertificateExists = (name: string) => new IamError('EntityAlreadyExists', `The Server Certificate with name ${name} already exists.`);
const unparsableCertificate = () => new IamError('MalformedCertificate', 'Unable to parse certificate. Please ensure the certificate is in PEM format.');
/**
 * Recorded text; AWS appends the index within the chain of the certificate that does not sign the
 * one before it. Guessed: -1 (the recorded value) when the first chain certificate does not sign the
 * body, i when chain[i + 1] does not sign chain[i].
 */
const invalidChain = (index: number) =>
  new IamError(
    'MalformedCertificate',
    'Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, ' +
      `followed by any intermediaries in order. The index within the chain of the invalid certificate is: ${index}`,
  );
// Guessed texts (no recorded AWS response found): the model's descriptions of the errors.
const unparsableChain = () =>
  new IamError('MalformedCertificate', 'Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.');
const unparsablePrivateKey = () => new IamError('MalformedCertificate', 'Unable to parse private key. Please ensure the private key is in PEM format.');
const keyPairMismatch = () => new IamError('KeyPairMismatch', 'The public key certificate and the private key do not match.');
const serverCertificateQuota = () =>
  new IamError('LimitExceeded', `Cannot exceed quota for ServerCertificatesPerAccount: ${MAX_SERVER_CERTIFICATES}`);

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** PEM certificate blocks and nothing else but whitespace around them; undefined otherwise. */
function certificateBlocks(text: string): string[] | undefined {
  const blocks = text.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0 || text.replace(CERTIFICATE_BLOCK, '').trim() !== '') return undefined;
  return blocks;
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** The body: exactly one PEM certificate node's X.509 parser reads. */
function readBody(body: string): X509Certificate {
  const blocks = certificateBlocks(body);
  const certificate = blocks?.length === 1 ? parseCertificate(blocks[0]!) : undefined;
  if (!certificate) throw unparsableCertificate();
  return certificate;
}

/** One unencrypted PEM private key (PKCS#1, PKCS#8 or SEC1). Its text never reaches an error message. */
function readPrivateKey(pem: string): KeyObject {
  if (pem.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----/g)?.length !== 1 || /ENCRYPTED/.test(pem)) throw unparsablePrivateKey();
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw unparsablePrivateKey();
  }
}

const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });

/** The chain, leaf side first: each certificate must have issued (and signed) the one before it. */
function checkChain(body: X509Certificate, chain: string): void {
  const blocks = certificateBlocks(chain);
  if (!blocks) throw unparsableChain();
  let previous = body;
  for (let i = 0; i < blocks.length; i++) {
    const issuer = parseCertificate(blocks[i]!);
    if (!issuer) throw unparsableChain();
    if (!previous.checkIssued(issuer) || !previous.verify(issuer.publicKey)) throw invalidChain(i - 1);
    previous = issuer;
  }
}

export async function uploadServerCertificate(
  domain: Domain,
  input: { ServerCertificateName: string; Path?: string; CertificateBody: string; PrivateKey: string; CertificateChain?: string; Tags?: Tag[] },
): Promise<ServerCertificate> {
  const tags = checkNewTags(input.Tags, 'ServerCertificate');
  const body = readBody(input.CertificateBody);
  const privateKey = readPrivateKey(input.PrivateKey);
  if (!spki(createPublicKey(privateKey)).equals(spki(body.publicKey))) throw keyPairMismatch();
  if (input.CertificateChain !== undefined) checkChain(body, input.CertificateChain);
  const certificate: ServerCertificate = {
    id: domain.ids.uniqueId('ASCA'),
    name: input.ServerCertificateName,
    path: input.Path ?? '/',
    uploadedAt: domain.clock.now(),
    expiration: new Date(body.validTo),
    // Kept without surrounding whitespace: AWS answers so (Terraform's AWS provider stores the body
    // trimmed and reads back GetServerCertificate's without a diff only then).
    body: input.CertificateBody.trim(),
    chain: input.CertificateChain?.trim() ?? null,
    sealedPrivateKey: domain.sealer.seal(input.PrivateKey),
    tags,
  };
  const created = await domain.store.serverCertificates.create(certificate, MAX_SERVER_CERTIFICATES);
  if (created === 'exists') throw serverCertificateExists(input.ServerCertificateName);
  if (created === 'quota') throw serverCertificateQuota();
  return certificate;
}

export async function requireServerCertificate(domain: Domain, name: string): Promise<ServerCertificate> {
  const certificate = await domain.store.serverCertificates.getByName(name);
  if (!certificate) throw noSuchServerCertificate(name);
  return certificate;
}

export async function updateServerCertificate(
  domain: Domain,
  input: { ServerCertificateName: string; NewServerCertificateName?: string; NewPath?: string },
): Promise<void> {
  const result = await domain.store.serverCertificates.update(input.ServerCertificateName, {
    newName: input.NewServerCertificateName,
    newPath: input.NewPath,
  });
  if (result === 'missing') throw noSuchServerCertificate(input.ServerCertificateName);
  if (result === 'name-taken') throw serverCertificateExists(input.NewServerCertificateName!);
}

export async function deleteServerCertificate(domain: Domain, name: string): Promise<void> {
  if ((await domain.store.serverCertificates.delete(name)) === 'missing') throw noSuchServerCertificate(name);
}

export async function listServerCertificates(
  domain: Domain,
  input: { PathPrefix?: string; Marker?: string; MaxItems?: number },
): Promise<ListPage<ServerCertificate>> {
  return listByPath(domain.store.serverCertificates, input);
}
