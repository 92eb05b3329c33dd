import { describe, expect, it } from 'vitest';
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetCredentialReportCommand,
  GetUserCommand,
  PutUserPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError } from './support/server.js';
import { useServer } from './support/use-server.js';

const api = useServer();

const COLUMNS =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,' +
  'access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,' +
  'access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,' +
  'cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

describe('credential report', () => {
  it('is ReportNotPresent (410) before the first generation', async () => {
    expect(await awsError(api.iam.send(new GetCredentialReportCommand({})))).toMatchObject({ code: 'ReportNotPresent', status: 410 });
  });

  it('generates (STARTED, then COMPLETE) a CSV with AWS columns, a root row and real data', async () => {
    await api.iam.send(new UpdateAccountPasswordPolicyCommand({ MaxPasswordAge: 90 }));
    await api.iam.send(new CreateUserCommand({ UserName: 'reported' }));
    await api.iam.send(new CreateLoginProfileCommand({ UserName: 'reported', Password: 'Report-Passw0rd!' }));
    const key = (await api.iam.send(new CreateAccessKeyCommand({ UserName: 'reported' }))).AccessKey!;
    await api.iam.send(
      new PutUserPolicyCommand({
        UserName: 'reported',
        PolicyName: 'Self',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: '*' }] }),
      }),
    );
    await api.client({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }).send(new GetUserCommand({}));
    await api.iam.send(new CreateUserCommand({ UserName: 'nopassword' }));

    expect(await api.iam.send(new GenerateCredentialReportCommand({}))).toMatchObject({
      State: 'STARTED',
      Description: 'No report exists. Starting a new report generation task',
    });
    expect((await api.iam.send(new GenerateCredentialReportCommand({}))).State).toBe('COMPLETE');

    const report = await api.iam.send(new GetCredentialReportCommand({}));
    expect(report.ReportFormat).toBe('text/csv');
    expect(Math.abs(report.GeneratedTime!.getTime() - Date.now())).toBeLessThan(60_000);
    const [header, ...rows] = Buffer.from(report.Content!).toString('utf8').split('\n');
    expect(header).toBe(COLUMNS);
    const byUser = new Map(rows.map((r) => [r.split(',')[0], r.split(',')]));
    expect(byUser.get('<root_account>')?.slice(0, 2)).toEqual(['<root_account>', `arn:aws:iam::${ACCOUNT_ID}:root`]);
    expect(byUser.get('<root_account>')?.[3]).toBe('not_supported');

    const reported = byUser.get('reported')!;
    expect(reported).toHaveLength(22);
    expect(reported[1]).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/reported`);
    expect(reported[3]).toBe('true'); // password_enabled
    expect(reported[4]).toBe('no_information'); // never signed in
    expect(reported[5]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/); // password_last_changed
    const nextRotation = new Date(reported[6]!).getTime() - new Date(reported[5]!).getTime();
    expect(nextRotation).toBe(90 * 86_400_000);
    expect(reported.slice(8, 9)).toEqual(['true']); // access_key_1_active
    expect(reported.slice(11, 13)).toEqual(['us-east-1', 'iam']);
    expect(reported[13]).toBe('false'); // no second key

    const without = byUser.get('nopassword')!;
    expect(without.slice(3, 7)).toEqual(['false', 'N/A', 'N/A', 'N/A']);
  });
});
