import { X509Certificate } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { loadXmldom } from '../federation/libraries.js';

/**
 * A SAML provider's metadata document, read as AWS reads it: one md:EntityDescriptor (SAML 2.0
 * metadata) with an IDPSSODescriptor holding at least one signing certificate
 * (KeyDescriptor use="signing" or without use) that is an X.509 certificate. Parsed with a real
 * XML parser (@xmldom/xmldom, which the assertion signature check will share), never with
 * patterns; a DOCTYPE is refused outright (no entity expansion of any kind).
 */

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';

export interface SamlMetadata {
  entityId: string;
  /** The IdP's signing certificates (PEM). */
  signingCertificates: string[];
  /** The EntityDescriptor's validUntil, when it has one. */
  validUntil?: Date;
}

export class InvalidMetadata extends Error {}

const children = (parent: Element, ns: string, name: string): Element[] => {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name) out.push(n as Element);
  }
  return out;
};

const pem = (base64: string) => `-----BEGIN CERTIFICATE-----\n${base64.replace(/\s+/g, '').replace(/(.{64})/g, '$1\n').trim()}\n-----END CERTIFICATE-----\n`;

export async function parseSamlMetadata(text: string): Promise<SamlMetadata> {
  if (/<!DOCTYPE/i.test(text)) throw new InvalidMetadata('DOCTYPE');
  const { DOMParser, onWarningStopParsing } = await loadXmldom();
  let root: Element | null;
  try {
    const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, 'text/xml');
    root = doc.documentElement;
  } catch {
    throw new InvalidMetadata('not XML');
  }
  if (!root || root.namespaceURI !== MD || root.localName !== 'EntityDescriptor') throw new InvalidMetadata('no EntityDescriptor');
  const entityId = root.getAttribute('entityID') ?? '';
  if (entityId === '') throw new InvalidMetadata('no entityID');
  const signingCertificates: string[] = [];
  for (const idp of children(root, MD, 'IDPSSODescriptor')) {
    for (const kd of children(idp, MD, 'KeyDescriptor')) {
      const use = kd.getAttribute('use');
      if (use && use !== 'signing') continue;
      for (const info of children(kd, DS, 'KeyInfo')) {
        for (const data of children(info, DS, 'X509Data')) {
          for (const cert of children(data, DS, 'X509Certificate')) {
            const body = pem(cert.textContent ?? '');
            try {
              new X509Certificate(body);
            } catch {
              throw new InvalidMetadata('certificate');
            }
            signingCertificates.push(body);
          }
        }
      }
    }
  }
  if (signingCertificates.length === 0) throw new InvalidMetadata('no signing certificate');
  const validUntilText = root.getAttribute('validUntil');
  const validUntil = validUntilText ? new Date(validUntilText) : undefined;
  if (validUntil && Number.isNaN(validUntil.getTime())) throw new InvalidMetadata('validUntil');
  return { entityId, signingCertificates, ...(validUntil ? { validUntil } : {}) };
}
