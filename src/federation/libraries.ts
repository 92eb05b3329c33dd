/**
 * The JOSE and XML-signature libraries, loaded on first use. Only web identity federation, SAML and
 * outbound federation need them, and importing them at start-up cost every cold start about 100 ms
 * (measured after iamd's other imports: jose 35-43 ms, @xmldom/xmldom 31 ms, xml-crypto 26-33 ms)
 * and their share of the heap that every full garbage collection walks.
 */
let jose: Promise<typeof import('jose')> | undefined;
let xmldom: Promise<typeof import('@xmldom/xmldom')> | undefined;
let xmlCrypto: Promise<typeof import('xml-crypto')> | undefined;

export const loadJose = (): Promise<typeof import('jose')> => (jose ??= import('jose'));
export const loadXmldom = (): Promise<typeof import('@xmldom/xmldom')> => (xmldom ??= import('@xmldom/xmldom'));
export const loadXmlCrypto = (): Promise<typeof import('xml-crypto')> => (xmlCrypto ??= import('xml-crypto'));
