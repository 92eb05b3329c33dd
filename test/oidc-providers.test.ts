/**
 * OIDC identity providers through @aws-sdk/client-iam against the real server (SQLite in memory, or
 * PostgreSQL with IAMD_TEST_STORE=postgres). Expected texts: LocalStack's AWS-validated snapshots
 * (tests/aws/services/iam/test_iam_oidc) and a Terraform error log for the account quota.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AddClientIDToOpenIDConnectProviderCommand,
  CreateOpenIDConnectProviderCommand,
  DeleteOpenIDConnectProviderCommand,
  GetOpenIDConnectProviderCommand,
  ListOpenIDConnectProvidersCommand,
  ListOpenIDConnectProviderTagsCommand,
  RemoveClientIDFromOpenIDConnectProviderCommand,
  TagOpenIDConnectProviderCommand,
  UntagOpenIDConnectProviderCommand,
  UpdateOpenIDConnectProviderThumbprintCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();
beforeEach(() => api.reset());

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const arnOf = (key: string) => `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${key}`;

describe('CreateOpenIDConnectProvider, Get, List, Delete', () => {
  it('creates with and without a path, thumbprints optional; Get answers the URL without https://', async () => {
    const created = await api.iam.send(
      new CreateOpenIDConnectProviderCommand({
        Url: 'https://token.actions.githubusercontent.com',
        ClientIDList: ['sts.amazonaws.com', 'sts.amazonaws.com'],
        Tags: [{ Key: 'team', Value: 'ci' }],
      }),
    );
    expect(created.OpenIDConnectProviderArn).toBe(arnOf('token.actions.githubusercontent.com'));
    expect(created.Tags).toEqual([{ Key: 'team', Value: 'ci' }]);
    const withPath = await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://oidc.example.com/id/ABC', ThumbprintList: [A] }));
    expect(withPath.OpenIDConnectProviderArn).toBe(arnOf('oidc.example.com/id/ABC'));

    const got = await api.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: created.OpenIDConnectProviderArn }));
    expect(got).toMatchObject({ Url: 'token.actions.githubusercontent.com', ClientIDList: ['sts.amazonaws.com'], ThumbprintList: [], Tags: [{ Key: 'team', Value: 'ci' }] });
    expect(got.CreateDate).toBeInstanceOf(Date);

    const list = await api.iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(list.OpenIDConnectProviderList).toEqual([{ Arn: arnOf('oidc.example.com/id/ABC') }, { Arn: arnOf('token.actions.githubusercontent.com') }]);

    await api.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: withPath.OpenIDConnectProviderArn }));
    expect(await awsError(api.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: withPath.OpenIDConnectProviderArn })))).toEqual({
      code: 'NoSuchEntity',
      message: `OpenIDConnect Provider not found for arn ${arnOf('oidc.example.com/id/ABC')}`,
      status: 404,
    });
    expect(await awsError(api.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: withPath.OpenIDConnectProviderArn })))).toEqual({
      code: 'NoSuchEntity',
      message: `OpenId connect Provider ${arnOf('oidc.example.com/id/ABC')} cannot be found.`,
      status: 404,
    });
  });

  it('refuses what AWS refuses, creating nothing', async () => {
    for (const Url of ['example.org', 'http://example.org', 'https://', 'https://example.org?x=1', 'https://example.org#f']) {
      expect(await awsError(api.iam.send(new CreateOpenIDConnectProviderCommand({ Url, ThumbprintList: [A] }))), Url).toEqual({
        code: 'ValidationError',
        message: 'Invalid Open ID Connect Provider URL',
        status: 400,
      });
    }
    await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://dup.example.com', ThumbprintList: [A] }));
    expect(await awsError(api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://dup.example.com', ThumbprintList: [A] })))).toEqual({
      code: 'EntityAlreadyExists',
      message: 'Provider with url https://dup.example.com already exists.',
      status: 409,
    });
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(40));
    expect(await awsError(api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://t.example.com', ThumbprintList: six })))).toEqual({
      code: 'InvalidInput',
      message: 'Thumbprint list must contain fewer than 5 entries.',
      status: 400,
    });
    const clients = Array.from({ length: 101 }, (_, i) => `${i}`);
    expect(await awsError(api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://c.example.com', ClientIDList: clients })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100',
      status: 409,
    });
    expect(await awsError(api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'b'.repeat(256), ThumbprintList: ['b'.repeat(41)], ClientIDList: ['b'.repeat(256)] })))).toMatchObject({
      code: 'ValidationError',
      status: 400,
    });
    expect((await api.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([{ Arn: arnOf('dup.example.com') }]);
  });

  it('holds at most 100 providers per account', async () => {
    for (let i = 0; i < 100; i++) await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: `https://p${i}.example.com` }));
    expect(await awsError(api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://one-more.example.com' })))).toEqual({
      code: 'LimitExceeded',
      message: 'Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100',
      status: 409,
    });
  });
});

describe('client ids, thumbprints and tags', () => {
  it('adds and removes client ids (idempotent), replaces thumbprints', async () => {
    const { OpenIDConnectProviderArn: arn } = await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://x.example.com', ThumbprintList: [A] }));
    await api.iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'one' }));
    await api.iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'two' }));
    await api.iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'one' }));
    await api.iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'one' }));
    await api.iam.send(new RemoveClientIDFromOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: 'absent' }));
    await api.iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: [B, A] }));
    expect(await api.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).toMatchObject({ ClientIDList: ['two'], ThumbprintList: [B, A] });
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(40));
    expect(await awsError(api.iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: arn, ThumbprintList: six })))).toMatchObject({
      code: 'InvalidInput',
    });
    const missing = arnOf('missing.example.com');
    for (const call of [
      () => api.iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing, ClientID: 'x' })),
      () => api.iam.send(new UpdateOpenIDConnectProviderThumbprintCommand({ OpenIDConnectProviderArn: missing, ThumbprintList: [A] })),
      () => api.iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: missing, Tags: [{ Key: 'a', Value: 'b' }] })),
      () => api.iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: missing })),
    ]) {
      expect(await awsError(call())).toEqual({ code: 'NoSuchEntity', message: `OpenIDConnect Provider not found for arn ${missing}`, status: 404 });
    }
  });

  it('tags, pages tags, untags; at most 50', async () => {
    const tags = Array.from({ length: 10 }, (_, i) => ({ Key: `k${String(i).padStart(2, '0')}`, Value: `v${i}` }));
    const { OpenIDConnectProviderArn: arn } = await api.iam.send(new CreateOpenIDConnectProviderCommand({ Url: 'https://t.example.com', Tags: tags }));
    const first = await api.iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn, MaxItems: 4 }));
    expect(first.Tags).toHaveLength(4);
    expect(first.IsTruncated).toBe(true);
    await api.iam.send(new UntagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, TagKeys: tags.slice(1).map((t) => t.Key) }));
    await api.iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: [{ Key: 'k1', Value: 'x' }] }));
    expect((await api.iam.send(new ListOpenIDConnectProviderTagsCommand({ OpenIDConnectProviderArn: arn }))).Tags).toEqual([
      { Key: 'k00', Value: 'v0' },
      { Key: 'k1', Value: 'x' },
    ]);
    const many = Array.from({ length: 49 }, (_, i) => ({ Key: `m${i}`, Value: 'v' }));
    expect(await awsError(api.iam.send(new TagOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, Tags: many })))).toEqual({
      code: 'LimitExceeded',
      message: 'The number of tags has reached the maximum limit.',
      status: 409,
    });
  });
});
