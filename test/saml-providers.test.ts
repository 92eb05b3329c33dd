/**
 * SAML identity providers through @aws-sdk/client-iam against the real server (both stores). The
 * metadata documents carry a certificate made by openssl. Recorded texts: LocalStack's
 * AWS-validated snapshots (not found; Get's members); the others are marked guessed in
 * src/domain/saml-providers.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CreateSAMLProviderCommand,
  DeleteSAMLProviderCommand,
  GetSAMLProviderCommand,
  ListSAMLProvidersCommand,
  ListSAMLProviderTagsCommand,
  TagSAMLProviderCommand,
  UntagSAMLProviderCommand,
  UpdateSAMLProviderCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';
import { selfSigned } from './support/certificates.js';

const api = useServer();
beforeEach(() => api.reset());

const idp = selfSigned({ key: 'rsa', cn: 'idp.example.com' });
const base64 = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

const metadata = (options: { cert?: string; validUntil?: string; use?: string; root?: string } = {}) => `<?xml version="1.0"?>
<md:${options.root ?? 'EntityDescriptor'} xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml"${options.validUntil ? ` validUntil="${options.validUntil}"` : ''}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="${options.use ?? 'signing'}">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${options.cert ?? base64(idp.certificate)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:${options.root ?? 'EntityDescriptor'}>`.padEnd(1000, ' ');

const arnOf = (name: string) => `arn:aws:iam::${ACCOUNT_ID}:saml-provider/${name}`;

describe('SAML providers', () => {
  it('creates, gets, lists, updates and deletes', async () => {
    const created = await api.iam.send(new CreateSAMLProviderCommand({ Name: 'corp-idp', SAMLMetadataDocument: metadata({ validUntil: '2030-01-01T00:00:00Z' }), Tags: [{ Key: 'a', Value: '1' }] }));
    expect(created.SAMLProviderArn).toBe(arnOf('corp-idp'));
    const got = await api.iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp') }));
    expect(got).toMatchObject({ AssertionEncryptionMode: 'Allowed', PrivateKeyList: [], Tags: [{ Key: 'a', Value: '1' }], ValidUntil: new Date('2030-01-01T00:00:00Z') });
    expect(got.SAMLMetadataDocument).toBe(metadata({ validUntil: '2030-01-01T00:00:00Z' }));
    expect(got.SAMLProviderUUID).toMatch(/^[A-Z0-9]{22,64}$/);
    expect((await api.iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList).toEqual([
      { Arn: arnOf('corp-idp'), ValidUntil: new Date('2030-01-01T00:00:00Z'), CreateDate: got.CreateDate },
    ]);

    const key = selfSigned({ key: 'rsa' }).privateKey;
    const updated = await api.iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp'), SAMLMetadataDocument: metadata(), AddPrivateKey: key, AssertionEncryptionMode: 'Required' }));
    expect(updated.SAMLProviderArn).toBe(arnOf('corp-idp'));
    const after = await api.iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp') }));
    expect(after.AssertionEncryptionMode).toBe('Required');
    expect(after.PrivateKeyList).toHaveLength(1);
    expect(JSON.stringify(after)).not.toContain('PRIVATE KEY');
    expect(after.ValidUntil!.getTime()).toBeGreaterThan(Date.now() + 50 * 365 * 24 * 3600 * 1000);

    await api.iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp') }));
    for (const call of [
      () => api.iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp') })),
      () => api.iam.send(new DeleteSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp') })),
      () => api.iam.send(new UpdateSAMLProviderCommand({ SAMLProviderArn: arnOf('corp-idp'), SAMLMetadataDocument: metadata() })),
      () => api.iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arnOf('corp-idp') })),
    ]) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: `Manifest not found for arn ${arnOf('corp-idp')}`, status: 404 });
    }
  });

  it('refuses metadata that is not an EntityDescriptor with an IdP signing certificate, and duplicates', async () => {
    const refused = { code: 'InvalidInput', message: 'Could not parse metadata', status: 400 };
    for (const doc of [
      'x'.repeat(1000),
      metadata({ cert: 'bm90IGEgY2VydGlmaWNhdGU=' }),
      metadata({ use: 'encryption' }),
      metadata({ root: 'EntitiesDescriptor' }),
      `<!DOCTYPE x [<!ENTITY e "e">]>${metadata()}`,
      metadata().replace('</md:IDPSSODescriptor>', '</md:IDPSSODescriptorX>'),
    ]) {
      expect(await awsError(api.iam.send(new CreateSAMLProviderCommand({ Name: 'bad', SAMLMetadataDocument: doc })))).toEqual(refused);
    }
    await api.iam.send(new CreateSAMLProviderCommand({ Name: 'idp', SAMLMetadataDocument: metadata() }));
    expect(await awsError(api.iam.send(new CreateSAMLProviderCommand({ Name: 'idp', SAMLMetadataDocument: metadata() })))).toMatchObject({ code: 'EntityAlreadyExists', status: 409 });
    expect((await api.iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList).toHaveLength(1);
  });

  it('tags and untags', async () => {
    await api.iam.send(new CreateSAMLProviderCommand({ Name: 'idp', SAMLMetadataDocument: metadata() }));
    await api.iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: arnOf('idp'), Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await api.iam.send(new UntagSAMLProviderCommand({ SAMLProviderArn: arnOf('idp'), TagKeys: ['a'] }));
    expect((await api.iam.send(new ListSAMLProviderTagsCommand({ SAMLProviderArn: arnOf('idp') }))).Tags).toEqual([{ Key: 'b', Value: '2' }]);
    expect(await awsError(api.iam.send(new TagSAMLProviderCommand({ SAMLProviderArn: arnOf('nope'), Tags: [{ Key: 'a', Value: '1' }] })))).toEqual({
      code: 'NoSuchEntity',
      message: `Manifest not found for arn ${arnOf('nope')}`,
      status: 404,
    });
  });
});
