import type { Element } from '@xmldom/xmldom';
import { loadXmlCrypto, loadXmldom } from './libraries.js';

/**
 * A SAML 2.0 Response (samlp:Response) as AssumeRoleWithSAML receives it, base64 in the request:
 * its XML signature verified with xml-crypto against the IdP's metadata certificates, and its one
 * Assertion read ONLY from the bytes the signature covers (xml-crypto's getSignedReferences(), as
 * node-saml does since xml-crypto 6), never from the document as received. That, with refusing a
 * second Assertion, a DOCTYPE and duplicate IDs (xml-crypto), is the guard against signature
 * wrapping: whatever an attacker adds or moves outside the signed element is never read.
 *
 * This module says what the assertion is; whether it is acceptable (times, audience, roles) is
 * the caller's rule (src/domain/saml-assume-role.ts).
 */

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const SUCCESS = 'urn:oasis:names:tc:SAML:2.0:status:Success';
/** The largest response read (AWS's SAMLAssertionType allows 100,000 characters of base64). */
const MAX_XML_BYTES = 100_000;

/** The XML parser and the signature checker, loaded on the first SAML response (libraries.ts). */
interface XmlLibraries {
  xmldom: typeof import('@xmldom/xmldom');
  xmlCrypto: typeof import('xml-crypto');
}

export type SamlRefusal =
  | 'malformed' // not base64 XML of a samlp:Response with one Assertion
  | 'signature' // unsigned, or no signature that verifies with the provider's certificates
  | 'status'; // the IdP answered something other than Success

export class InvalidSamlResponse extends Error {
  constructor(readonly refusal: SamlRefusal, detail: string) {
    super(detail);
  }
}

export interface SamlAssertion {
  issuer: string;
  nameId?: string;
  nameIdFormat?: string;
  /** bearer SubjectConfirmationData: its NotOnOrAfter and Recipient. */
  confirmations: { notOnOrAfter?: Date; recipient?: string }[];
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** Each AudienceRestriction's audiences (every restriction must be met, by one of its audiences). */
  audienceRestrictions: string[][];
  /** AuthnStatement SessionNotOnOrAfter. */
  sessionNotOnOrAfter?: Date;
  /** Attribute Name -> its AttributeValue texts. */
  attributes: Map<string, string[]>;
}

const children = (parent: Element, ns: string, name: string): Element[] => {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === name) out.push(n as Element);
  }
  return out;
};
const child = (parent: Element | undefined, ns: string, name: string): Element | undefined => (parent ? children(parent, ns, name)[0] : undefined);
const text = (e: Element | undefined) => (e?.textContent ?? '').trim();

function parse({ xmldom: { DOMParser, onWarningStopParsing } }: XmlLibraries, xml: string): Element {
  if (/<!DOCTYPE/i.test(xml)) throw new InvalidSamlResponse('malformed', 'DOCTYPE');
  let root: Element | null;
  try {
    root = new DOMParser({ onError: onWarningStopParsing }).parseFromString(xml, 'text/xml').documentElement;
  } catch {
    throw new InvalidSamlResponse('malformed', 'not XML');
  }
  if (!root) throw new InvalidSamlResponse('malformed', 'empty');
  return root;
}

const time = (e: Element | undefined, attribute: string): Date | undefined => {
  const value = e?.getAttribute(attribute);
  if (!value) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw new InvalidSamlResponse('malformed', `${attribute} is not a time`);
  return d;
};

/** The signature on `element` (a ds:Signature child), verified with one of the certificates: the canonical XML it covers, or undefined. */
function verifiedContent({ xmldom: { XMLSerializer }, xmlCrypto: { SignedXml } }: XmlLibraries, xml: string, element: Element, certificates: readonly string[]): string | undefined {
  const signatures = children(element, DS, 'Signature');
  if (signatures.length !== 1) return undefined;
  const signature = new XMLSerializer().serializeToString(signatures[0]!);
  for (const certificate of certificates) {
    const signed = new SignedXml({ publicCert: certificate, getCertFromKeyInfo: () => null });
    try {
      signed.loadSignature(signature);
      if (!signed.checkSignature(xml)) continue;
    } catch {
      continue; // a wrapping attempt (duplicate IDs), an unknown algorithm, a broken signature
    }
    const references = signed.getSignedReferences();
    // Exactly one reference, to the element carrying the signature (an enveloped signature).
    const id = element.getAttribute('ID');
    const uris = signed.getReferences().map((r) => r.uri);
    if (references.length !== 1 || !id || uris.length !== 1 || uris[0]!.replace(/^#/, '') !== id) continue;
    return references[0];
  }
  return undefined;
}

/** Reads and verifies a base64 SAML response; the assertion returned is the signed one. */
export async function verifySamlResponse(base64: string, certificates: readonly string[]): Promise<SamlAssertion> {
  const libraries: XmlLibraries = { xmldom: await loadXmldom(), xmlCrypto: await loadXmlCrypto() };
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new InvalidSamlResponse('malformed', 'not base64');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  if (xml.length > MAX_XML_BYTES) throw new InvalidSamlResponse('malformed', 'too large');
  const root = parse(libraries, xml);
  if (root.namespaceURI !== SAMLP || root.localName !== 'Response') throw new InvalidSamlResponse('malformed', 'not a samlp:Response');
  // One Assertion anywhere in the document, and no encrypted one (not supported; see docs).
  const all = root.getElementsByTagNameNS(SAML, 'Assertion');
  if (all.length !== 1 || root.getElementsByTagNameNS(SAML, 'EncryptedAssertion').length > 0) throw new InvalidSamlResponse('malformed', 'not exactly one Assertion');
  const assertion = all.item(0)!;
  if (assertion.parentNode !== root) throw new InvalidSamlResponse('malformed', 'the Assertion is not a child of the Response');
  // Read only to refuse: an unsigned Status can make iamd refuse, never accept.
  const status = child(child(root, SAMLP, 'Status'), SAMLP, 'StatusCode')?.getAttribute('Value');
  if (status !== SUCCESS) throw new InvalidSamlResponse('status', `status ${String(status)}`);

  // The Assertion's own signature, else the Response's; the assertion is read from what it covers.
  let signedAssertion: Element | undefined;
  const assertionContent = verifiedContent(libraries, xml, assertion, certificates);
  if (assertionContent !== undefined) {
    const signedRoot = parse(libraries, assertionContent);
    if (signedRoot.namespaceURI === SAML && signedRoot.localName === 'Assertion') signedAssertion = signedRoot;
  } else {
    const responseContent = verifiedContent(libraries, xml, root, certificates);
    if (responseContent !== undefined) {
      const signedRoot = parse(libraries, responseContent);
      const inner = signedRoot.namespaceURI === SAMLP && signedRoot.localName === 'Response' ? children(signedRoot, SAML, 'Assertion') : [];
      if (inner.length === 1 && signedRoot.getElementsByTagNameNS(SAML, 'Assertion').length === 1) signedAssertion = inner[0];
    }
  }
  if (!signedAssertion) throw new InvalidSamlResponse('signature', 'no valid signature');
  return readAssertion(signedAssertion);
}

function readAssertion(a: Element): SamlAssertion {
  const subject = child(a, SAML, 'Subject');
  const nameIdElement = child(subject, SAML, 'NameID');
  const confirmations = (subject ? children(subject, SAML, 'SubjectConfirmation') : [])
    .filter((c) => c.getAttribute('Method') === 'urn:oasis:names:tc:SAML:2.0:cm:bearer')
    .map((c) => {
      const data = child(c, SAML, 'SubjectConfirmationData');
      const notOnOrAfter = time(data, 'NotOnOrAfter');
      const recipient = data?.getAttribute('Recipient') || undefined;
      return { ...(notOnOrAfter ? { notOnOrAfter } : {}), ...(recipient ? { recipient } : {}) };
    });
  const conditions = child(a, SAML, 'Conditions');
  const audienceRestrictions = (conditions ? children(conditions, SAML, 'AudienceRestriction') : []).map((r) => children(r, SAML, 'Audience').map((e) => text(e)));
  const attributes = new Map<string, string[]>();
  for (const statement of children(a, SAML, 'AttributeStatement')) {
    for (const attribute of children(statement, SAML, 'Attribute')) {
      const name = attribute.getAttribute('Name') ?? '';
      attributes.set(name, [...(attributes.get(name) ?? []), ...children(attribute, SAML, 'AttributeValue').map((v) => text(v))]);
    }
  }
  const sessionNotOnOrAfter = time(child(a, SAML, 'AuthnStatement'), 'SessionNotOnOrAfter');
  const notBefore = time(conditions, 'NotBefore');
  const notOnOrAfter = time(conditions, 'NotOnOrAfter');
  const nameId = nameIdElement ? text(nameIdElement) : undefined;
  const nameIdFormat = nameIdElement?.getAttribute('Format') || undefined;
  return {
    issuer: text(child(a, SAML, 'Issuer')),
    ...(nameId !== undefined ? { nameId } : {}),
    ...(nameIdFormat ? { nameIdFormat } : {}),
    confirmations,
    ...(notBefore ? { notBefore } : {}),
    ...(notOnOrAfter ? { notOnOrAfter } : {}),
    audienceRestrictions,
    ...(sessionNotOnOrAfter ? { sessionNotOnOrAfter } : {}),
    attributes,
  };
}
