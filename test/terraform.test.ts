import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CreateUserCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  ListAccountAliasesCommand,
  ListEntitiesForPolicyCommand,
  ListOpenIDConnectProvidersCommand,
  ListSAMLProvidersCommand,
  ListServiceSpecificCredentialsCommand,
  ListSigningCertificatesCommand,
  ListSSHPublicKeysCommand,
  ListVirtualMFADevicesCommand,
  GetGroupCommand,
  GetLoginProfileCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupsCommand,
  ListInstanceProfilesCommand,
  ListServerCertificatesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import { ACCOUNT_ID, ROOT, awsError, iamClient, startServer, type TestServer } from './support/server.js';
import { selfSigned } from './support/certificates.js';
import {
  accessLog,
  cliConfig,
  discoverToolchain,
  runTerraform,
  summarizeCalls,
  terraformEnv,
  type LoggedCall,
  type RunResult,
  type Toolchain,
} from './support/terraform.js';

/**
 * Terraform (hashicorp/aws) against a real iamd: for each configuration, init, apply, a plan that
 * must find nothing to change (drift: a member iamd drops or answers differently), destroy, and
 * then the AWS SDK checks that nothing is left.
 *
 * Terraform and the provider come from the machine, never from a registry (docs/terraform.md says
 * where the suite looks). Where they are missing the suite says so loudly and skips, by name.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, 'fixtures/terraform');

/** Bounds for each terraform command; a healthy run takes a fraction of them. */
const TIMEOUT_MS = { init: 60_000, apply: 150_000, plan: 90_000, output: 60_000, destroy: 150_000 };
const TEST_TIMEOUT_MS = 480_000;

const discovery = discoverToolchain();
const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

interface Workspace {
  server: TestServer;
  iam: IAMClient;
  dir: string;
  run(args: string[], timeoutMs: number): Promise<RunResult>;
  /** iamd's access log so far, one distinct call a line. */
  calls(): string;

  close(): Promise<void>;
}

/** A fresh iamd (access log on) and a temporary folder holding the configuration and its CLI config. */
async function workspace(toolchain: Toolchain, configuration: string): Promise<Workspace> {
  const server = await startServer({ env: { IAMD_ACCESS_LOG: 'true' } });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `iamd-tf-${configuration}-`));
  fs.writeFileSync(path.join(dir, 'cli.tfrc'), cliConfig(toolchain.mirror));
  fs.writeFileSync(
    path.join(dir, 'versions.tf'),
    `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "${toolchain.providerVersion}"\n    }\n  }\n}\n`,
  );
  fs.copyFileSync(path.join(FIXTURES, 'provider.tf'), path.join(dir, 'provider.tf'));
  fs.copyFileSync(path.join(FIXTURES, configuration, 'main.tf'), path.join(dir, 'main.tf'));
  // A fresh self-signed certificate and key for aws_iam_server_certificate (workloads).
  const certificate = selfSigned({ cn: 'edge.workloads.test' });
  fs.writeFileSync(path.join(dir, 'server-cert.pem'), certificate.certificate);
  fs.writeFileSync(path.join(dir, 'server-key.pem'), certificate.privateKey, { mode: 0o600 });
  // An IdP's metadata and a user's signing certificate, each with a fresh certificate (everything).
  fs.writeFileSync(path.join(dir, 'saml-metadata.xml'), samlMetadata(selfSigned({ key: 'rsa', cn: 'idp.everything.test' }).certificate));
  fs.writeFileSync(path.join(dir, 'signing-cert.pem'), selfSigned({ key: 'rsa', cn: 'operator.everything.test' }).certificate);
  const env = terraformEnv(path.join(dir, 'cli.tfrc'), { iamd_url: server.url, access_key: ROOT.accessKeyId, secret_key: ROOT.secretAccessKey });
  const timings: string[] = [];
  return {
    server,
    iam: iamClient(server.url),
    dir,
    run: async (args, timeoutMs) => {
      const result = await runTerraform(toolchain, dir, args, env, timeoutMs);
      timings.push(`${args[0]} ${(result.ms / 1000).toFixed(1)} s`);
      return result;
    },
    calls: () => summarizeCalls(accessLog(server.stderr())),
    close: async () => {
      console.info(`terraform ${configuration}: ${timings.join(', ')}`);
      await server.stop();
      // The state holds the secrets Terraform created (a key's secret, a password): gone with the folder.
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SAML metadata for an IdP signing with this certificate (AWS wants at least 1000 characters). */
function samlMetadata(certificate: string): string {
  const base64 = certificate.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.everything.test/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo><ds:X509Data><ds:X509Certificate>${base64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.everything.test/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`.padEnd(1000, ' ');
}

/** Fails with what terraform said and every call iamd answered, unless the command exited `expected`. */
function expectExit(ws: Workspace, result: RunResult, expected = 0): void {
  if (result.code === expected && !result.timedOut) return;
  const tail = (s: string) => s.split('\n').slice(-60).join('\n');
  throw new Error(
    `${result.command} ${result.timedOut ? 'timed out' : `exited ${result.code}`} after ${result.ms} ms (wanted ${expected})\n` +
      `--- stdout (end)\n${tail(result.stdout)}\n--- stderr (end)\n${tail(result.stderr)}\n--- iamd's access log (action status error)\n${ws.calls()}`,
  );
}

/**
 * init, apply, plan (no changes), `between` (checks on what was built), destroy. Returns the calls
 * terraform made that iamd refused (the provider tolerates some, such as NoSuchEntity on a delete):
 * those of the root user, whose key terraform signs with (`between` may act as other users, and
 * its own calls as root must succeed), or of no one (refused before authentication).
 */
async function cycle(ws: Workspace, between: () => Promise<void>): Promise<LoggedCall[]> {
  expectExit(ws, await ws.run(['init', '-input=false'], TIMEOUT_MS.init));
  expectExit(ws, await ws.run(['apply', '-auto-approve', '-input=false'], TIMEOUT_MS.apply));
  // -detailed-exitcode: 0 no changes, 2 changes (drift), 1 error.
  expectExit(ws, await ws.run(['plan', '-detailed-exitcode', '-input=false'], TIMEOUT_MS.plan), 0);
  await between();
  expectExit(ws, await ws.run(['destroy', '-auto-approve', '-input=false'], TIMEOUT_MS.destroy));
  // The access lines of destroy's last requests may still be buffered (src/server/logger.ts).
  await ws.server.settledOutput();
  return accessLog(ws.server.stderr()).filter((c) => c.status >= 400 && (!c.principal || c.principal === ROOT_ARN));
}

/** The account as a fresh iamd has it: no users, groups or customer policies, no password policy. */
async function expectNothingLeft(iam: IAMClient): Promise<void> {
  expect((await iam.send(new ListUsersCommand({}))).Users).toEqual([]);
  expect((await iam.send(new ListGroupsCommand({}))).Groups).toEqual([]);
  expect((await iam.send(new ListPoliciesCommand({ Scope: 'Local' }))).Policies).toEqual([]);
  expect(await awsError(iam.send(new GetAccountPasswordPolicyCommand({})))).toMatchObject({ code: 'NoSuchEntity', status: 404 });
}

if (!discovery.ok) {
  const banner = `\n${'!'.repeat(100)}\n!! The Terraform suite did NOT run: ${discovery.reason}.\n!! See docs/terraform.md to point it at Terraform and a provider mirror.\n${'!'.repeat(100)}\n`;
  console.warn(banner);
  it.skip(`Terraform suite NOT RUN: ${discovery.reason}`, () => {});
} else {
  const toolchain = discovery.toolchain;
  console.info(`Terraform ${toolchain.terraformVersion}, hashicorp/aws ${toolchain.providerVersion} from the mirror at ${toolchain.mirror}`);

  describe(`Terraform ${toolchain.terraformVersion} with hashicorp/aws ${toolchain.providerVersion}`, () => {
    it(
      'people: users, login profiles, access keys, groups, memberships, inline and managed policies, the password policy',
      async () => {
        const ws = await workspace(toolchain, 'people');
        try {
          const refused = await cycle(ws, async () => {
            const { iam } = ws;
            // The provider validated its keys and learned the account through iamd's STS.
            expect(accessLog(ws.server.stderr())).toContainEqual({ action: 'GetCallerIdentity', status: 200, principal: ROOT_ARN });

            const alice = (await iam.send(new GetUserCommand({ UserName: 'alice' }))).User!;
            expect(alice.Arn).toBe(`arn:aws:iam::${ACCOUNT_ID}:user/people/alice`);
            expect(alice.Tags).toEqual(expect.arrayContaining([{ Key: 'team', Value: 'platform' }, { Key: 'cost-center', Value: '42' }]));
            expect((await iam.send(new GetLoginProfileCommand({ UserName: 'alice' }))).LoginProfile!.PasswordResetRequired).toBe(true);
            const engineers = await iam.send(new GetGroupCommand({ GroupName: 'engineers' }));
            expect(engineers.Users!.map((u) => u.UserName).sort()).toEqual(['alice', 'bob']);
            expect((await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: 'engineers' }))).AttachedPolicies).toEqual([
              { PolicyName: 'IAMUserChangePassword', PolicyArn: 'arn:aws:iam::aws:policy/IAMUserChangePassword' },
            ]);
            expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'alice' }))).AttachedPolicies).toEqual([
              { PolicyName: 'ReadPeople', PolicyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/people/ReadPeople` },
            ]);
            expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toMatchObject({ MinimumPasswordLength: 14, PasswordReusePrevention: 5 });

            // The key Terraform created signs as alice, and the policies Terraform attached decide.
            const output = await ws.run(['output', '-json'], TIMEOUT_MS.output);
            expectExit(ws, output);
            const outputs = JSON.parse(output.stdout) as Record<string, { value: string }>;
            expect(outputs.account_id!.value).toBe(ACCOUNT_ID);
            const asAlice = iamClient(ws.server.url, { accessKeyId: outputs.alice_access_key_id!.value, secretAccessKey: outputs.alice_secret_access_key!.value });
            expect((await asAlice.send(new GetUserCommand({ UserName: 'bob' }))).User!.UserName).toBe('bob'); // ReadPeople, attached
            expect((await asAlice.send(new ListAccessKeysCommand({ UserName: 'alice' }))).AccessKeyMetadata).toHaveLength(1); // OwnKeys, inline
            expect(await awsError(asAlice.send(new CreateUserCommand({ UserName: 'mallory' })))).toMatchObject({ code: 'AccessDenied', status: 403 });
          });
          expect(refused).toEqual([]); // every call the provider made was answered
          await expectNothingLeft(ws.iam);
        } finally {
          await ws.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    // Roles, an instance profile, a service-linked role, policy tags, and a force_destroy user (the
    // provider lists its SSH keys, MFA devices, certificates and service credentials before DeleteUser).
    it(
      'workloads: a role with inline and attached policies, an instance profile, a service-linked role, a tagged policy, a force_destroy user',
      async () => {
        const ws = await workspace(toolchain, 'workloads');
        try {
          await cycle(ws, async () => {
            const role = await ws.iam.send(new ListRolesCommand({ PathPrefix: '/workloads/' }));
            expect(role.Roles!.map((r) => [r.RoleName, r.MaxSessionDuration])).toEqual([['app', 7200]]);
            const certificates = await ws.iam.send(new ListServerCertificatesCommand({ PathPrefix: '/workloads/' }));
            expect(certificates.ServerCertificateMetadataList!.map((c) => c.ServerCertificateName)).toEqual(['edge']);
          });
          await expectNothingLeft(ws.iam);
          // Roles left behind would include the service-linked one, under /aws-service-role/.
          expect((await ws.iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
          expect((await ws.iam.send(new ListInstanceProfilesCommand({}))).InstanceProfiles).toEqual([]);
          expect((await ws.iam.send(new ListServerCertificatesCommand({}))).ServerCertificateMetadataList).toEqual([]);
        } catch (e) {
          console.warn(`workloads failed: ${String(e).split('\n')[0]}\n${ws.calls()}`);
          throw e;
        } finally {
          await ws.close();
        }
      },
      TEST_TIMEOUT_MS,
    );

    // Every other aws_iam_* resource type but aws_iam_organizations_features (needs AWS
    // Organizations), and the IAM data sources.
    it(
      'everything: account alias, STS preferences, OIDC and SAML providers, the *_exclusive resources, policy_attachment, SSH key, signing certificate, service credential, virtual MFA device, data sources',
      async () => {
        const ws = await workspace(toolchain, 'everything');
        try {
          const refused = await cycle(ws, async () => {
            const { iam } = ws;
            const output = await ws.run(['output', '-json'], TIMEOUT_MS.output);
            expectExit(ws, output);
            const outputs = JSON.parse(output.stdout) as Record<string, { value: unknown }>;
            expect(outputs.account_alias!.value).toBe('iamd-everything');
            expect(outputs.oidc_client_ids!.value).toEqual(['sts.amazonaws.com']);
            expect(outputs.role_names!.value).toEqual(expect.arrayContaining(['ci-deploy', 'sso-admin']));
            expect(outputs.user_names!.value).toEqual(['operator']);
            expect(outputs.operator_keys_allowed!.value).toBe(true);
            expect(outputs.virtual_mfa_seed_length!.value).toBe(64); // base32 of a 40-byte seed, AWS's length
            expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(['iamd-everything']);
            expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap).toMatchObject({ GlobalEndpointTokenVersion: 2 });
            expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([
              { Arn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com` },
            ]);
            expect((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList!.map((p) => p.Arn)).toEqual([`arn:aws:iam::${ACCOUNT_ID}:saml-provider/corp-idp`]);
            const entities = await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: `arn:aws:iam::${ACCOUNT_ID}:policy/AuditRead` }));
            expect([entities.PolicyRoles!.map((r) => r.RoleName), entities.PolicyGroups!.map((g) => g.GroupName), entities.PolicyUsers]).toEqual([['sso-admin'], ['readers'], []]);
            expect((await iam.send(new ListSSHPublicKeysCommand({ UserName: 'operator' }))).SSHPublicKeys).toHaveLength(1);
            expect((await iam.send(new ListSigningCertificatesCommand({ UserName: 'operator' }))).Certificates).toHaveLength(1);
            expect((await iam.send(new ListServiceSpecificCredentialsCommand({ UserName: 'operator' }))).ServiceSpecificCredentials).toHaveLength(1);
            expect((await iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices!.map((d) => d.SerialNumber)).toEqual([
              `arn:aws:iam::${ACCOUNT_ID}:mfa/people/operator-phone`,
            ]);
          });
          // force_destroy deletes a login profile the user may not have; NoSuchEntity is the answer
          // the provider expects (AWS's, too). Nothing else was refused.
          expect(refused).toEqual([{ action: 'DeleteLoginProfile', status: 404, errorCode: 'NoSuchEntity', principal: ROOT_ARN }]);
          await expectNothingLeft(ws.iam);
          expect((await ws.iam.send(new ListRolesCommand({}))).Roles).toEqual([]);
          expect((await ws.iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
          expect((await ws.iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([]);
          expect((await ws.iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList).toEqual([]);
          expect((await ws.iam.send(new ListVirtualMFADevicesCommand({}))).VirtualMFADevices).toEqual([]);
        } catch (e) {
          console.warn(`everything failed: ${String(e).split('\n')[0]}\n${ws.calls()}`);
          throw e;
        } finally {
          await ws.close();
        }
      },
      TEST_TIMEOUT_MS,
    );
  });
}
