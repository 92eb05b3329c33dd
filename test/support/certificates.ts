import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * X.509 certificates for tests, made by the openssl command line (node's crypto reads
 * certificates but cannot issue them). EC P-256 keys by default: fast to make.
 */
export interface Issued {
  certificate: string;
  privateKey: string;
}

let counter = 0;
const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-certs-'));
const openssl = (args: string[], cwd: string) => execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
const keyArgs = (key: 'ec' | 'rsa') => (key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048']);

function read(cwd: string, name: string): Issued {
  return { certificate: fs.readFileSync(path.join(cwd, `${name}.pem`), 'utf8'), privateKey: fs.readFileSync(path.join(cwd, `${name}.key`), 'utf8') };
}

/** A self-signed certificate valid for `days` days; a CA when `ca`. */
export function selfSigned(options: { days?: number; key?: 'ec' | 'rsa'; ca?: boolean; cn?: string } = {}): Issued {
  const cwd = dir();
  const ext = options.ca ? ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'] : [];
  const cn = options.cn ?? `iamd-test-${process.pid}-${++counter}`;
  openssl(['req', '-x509', ...keyArgs(options.key ?? 'ec'), '-nodes', '-days', String(options.days ?? 30), '-subj', `/CN=${cn}`, ...ext, '-keyout', 'c.key', '-out', 'c.pem'], cwd);
  return read(cwd, 'c');
}

/** A certificate for `cn` issued by `issuer`; a CA (for the next link) when `ca`; `san`: subjectAltName entries (e.g. IP:127.0.0.1) for a TLS server. */
export function issuedBy(issuer: Issued, options: { cn?: string; ca?: boolean; days?: number; san?: string } = {}): Issued {
  const cwd = dir();
  fs.writeFileSync(path.join(cwd, 'issuer.pem'), issuer.certificate);
  fs.writeFileSync(path.join(cwd, 'issuer.key'), issuer.privateKey);
  fs.writeFileSync(
    path.join(cwd, 'ext.cnf'),
    (options.ca ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' : 'basicConstraints=CA:FALSE\n') +
      (options.san ? `subjectAltName=${options.san}\n` : ''),
  );
  const cn = options.cn ?? `iamd-test-${process.pid}-${++counter}`;
  openssl(['req', '-new', ...keyArgs('ec'), '-nodes', '-subj', `/CN=${cn}`, '-keyout', 'c.key', '-out', 'c.csr'], cwd);
  openssl(
    ['x509', '-req', '-in', 'c.csr', '-CA', 'issuer.pem', '-CAkey', 'issuer.key', '-CAcreateserial', '-days', String(options.days ?? 30), '-extfile', 'ext.cnf', '-out', 'c.pem'],
    cwd,
  );
  return read(cwd, 'c');
}

/** A certificate's notAfter, as openssl reads it. */
export function notAfter(certificate: string): Date {
  const out = execFileSync('openssl', ['x509', '-noout', '-enddate'], { input: certificate }).toString();
  return new Date(out.trim().replace(/^notAfter=/, ''));
}
