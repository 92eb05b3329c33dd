/**
 * The operations of AWS features an iamd account has no part in (AWS Organizations, temporary
 * delegation for partners) answer as AWS answers a standalone account, through the AWS SDK; and
 * SetSecurityTokenServicePreferences is kept and shown by GetAccountSummary. Messages marked
 * guessed in src/domain/standalone-account.ts are asserted as iamd's, so a change is deliberate.
 */
import { describe, expect, it } from 'vitest';
import {
  AcceptDelegationRequestCommand,
  CreateDelegationRequestCommand,
  DisableOrganizationsRootCredentialsManagementCommand,
  DisableOrganizationsRootSessionsCommand,
  EnableOrganizationsRootCredentialsManagementCommand,
  EnableOrganizationsRootSessionsCommand,
  GenerateOrganizationsAccessReportCommand,
  GetAccountSummaryCommand,
  GetDelegationRequestCommand,
  GetHumanReadableSummaryCommand,
  GetOrganizationsAccessReportCommand,
  ListDelegationRequestsCommand,
  ListOrganizationsFeaturesCommand,
  RejectDelegationRequestCommand,
  SendDelegationTokenCommand,
  SetSecurityTokenServicePreferencesCommand,
  UpdateDelegationRequestCommand,
  AssociateDelegationRequestCommand,
  CreateUserCommand,
  CreateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, uniqueName } from './support/server.js';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';

const api = useServer();

const NO_ORGANIZATION = {
  code: 'OrganizationNotFoundException',
  message: 'The request was rejected because no organization is associated with your account.',
  status: 400,
};

describe('organizations features in an account outside any organization', () => {
  it('refuses each root-access operation with OrganizationNotFoundException, changing nothing', async () => {
    for (const command of [
      new EnableOrganizationsRootCredentialsManagementCommand({}),
      new DisableOrganizationsRootCredentialsManagementCommand({}),
      new EnableOrganizationsRootSessionsCommand({}),
      new DisableOrganizationsRootSessionsCommand({}),
      new ListOrganizationsFeaturesCommand({}),
    ]) {
      expect(await awsError(api.iam.send(command as never))).toEqual(NO_ORGANIZATION);
    }
    // The code on the wire is the model's shape name, a Sender fault.
    const raw = errorOf((await signedQuery(api.url, { Action: 'ListOrganizationsFeatures' })).body);
    expect(raw).toEqual({ type: 'Sender', code: 'OrganizationNotFoundException', message: NO_ORGANIZATION.message });
  });

  it('has no organizations access report to make or read', async () => {
    expect(await awsError(api.iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'o-a1b2c3d4e5/r-f6g7h8i9j0example' })))).toEqual(NO_ORGANIZATION);
    const jobId = '00000000-0000-4000-8000-000000000000';
    expect(await awsError(api.iam.send(new GetOrganizationsAccessReportCommand({ JobId: jobId })))).toEqual({
      code: 'NoSuchEntity',
      message: `The job with id ${jobId} cannot be found.`,
      status: 404,
    });
    // The model's constraints come first.
    expect((await awsError(api.iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: 'not-a-path' })))).code).toBe('ValidationError');
  });

  it('still authorizes first: a user without permission is denied, not told about organizations', async () => {
    const UserName = uniqueName('noorg');
    await api.iam.send(new CreateUserCommand({ UserName }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName }))).AccessKey!;
    const user = api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const denied = await awsError(user.send(new ListOrganizationsFeaturesCommand({})));
    expect(denied.code).toBe('AccessDenied');
    expect(denied.message).toContain('iam:ListOrganizationsFeatures');
  });
});

describe('temporary delegation requests (partners only)', () => {
  const id = 'dr-0123456789abcdef';

  it('lists none, finds none, and refuses to create one', async () => {
    const listed = await api.iam.send(new ListDelegationRequestsCommand({}));
    expect(listed.DelegationRequests ?? []).toEqual([]);
    expect(listed.isTruncated).toBe(false);
    const missing = { code: 'NoSuchEntity', message: `The delegation request with id ${id} cannot be found.`, status: 404 };
    for (const command of [
      new GetDelegationRequestCommand({ DelegationRequestId: id }),
      new AcceptDelegationRequestCommand({ DelegationRequestId: id }),
      new RejectDelegationRequestCommand({ DelegationRequestId: id }),
      new AssociateDelegationRequestCommand({ DelegationRequestId: id }),
      new UpdateDelegationRequestCommand({ DelegationRequestId: id }),
      new SendDelegationTokenCommand({ DelegationRequestId: id }),
    ]) {
      expect(await awsError(api.iam.send(command as never))).toEqual(missing);
    }
    const created = await awsError(
      api.iam.send(
        new CreateDelegationRequestCommand({
          Description: 'partner access',
          Permissions: { PolicyTemplateArn: 'arn:aws:iam::aws:policy-template/Example' },
          RequestorWorkflowId: 'workflow-1',
          NotificationChannel: 'arn:aws:sns:us-east-1:111122223333:topic',
          SessionDuration: 3600,
        }),
      ),
    );
    expect(created).toEqual({
      code: 'AccessDenied',
      message: 'Delegation requests can be created only by accounts onboarded as temporary delegation partners.',
      status: 403,
    });
  });

  it('GetHumanReadableSummary: no delegation request to summarize; other entity types are not supported', async () => {
    const arn = `arn:aws:iam::${ACCOUNT_ID}:delegation-request/${id}`;
    expect(await awsError(api.iam.send(new GetHumanReadableSummaryCommand({ EntityArn: arn })))).toEqual({
      code: 'NoSuchEntity',
      message: `The entity with ARN ${arn} cannot be found.`,
      status: 404,
    });
    const role = `arn:aws:iam::${ACCOUNT_ID}:role/some-role`;
    expect(await awsError(api.iam.send(new GetHumanReadableSummaryCommand({ EntityArn: role })))).toEqual({
      code: 'InvalidInput',
      message: `The entity type of ${role} is not supported. Only delegation-request is supported.`,
      status: 400,
    });
  });
});

describe('SetSecurityTokenServicePreferences', () => {
  it('keeps the global endpoint token version and GetAccountSummary shows it (1 by default)', async () => {
    const version = async () => (await api.iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.GlobalEndpointTokenVersion;
    expect(await version()).toBe(1);
    await api.iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v2Token' }));
    expect(await version()).toBe(2);
    await api.iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: 'v1Token' }));
    expect(await version()).toBe(1);
    const bad = await signedQuery(api.url, { Action: 'SetSecurityTokenServicePreferences', GlobalEndpointTokenVersion: 'v3Token' });
    expect(errorOf(bad.body).code).toBe('ValidationError');
    expect(await version()).toBe(1);
  });
});
