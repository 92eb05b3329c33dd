/**
 * Terraform's provider `assume_role` block against iamd: the provider signs with a user's keys,
 * assumes the role through iamd's STS (with an external id the trust policy requires), and
 * manages IAM as the role session. Terraform and the provider come from the machine's mirror
 * (docs/terraform.md); where they are missing the suite says so and skips, by name.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, GetUserCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ACCOUNT_ID, awsError, iamClient, startServer } from './support/server.js';
import { accessLog, cliConfig, discoverToolchain, runTerraform, summarizeCalls, terraformEnv } from './support/terraform.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const discovery = discoverToolchain();
const ROLE_SESSION = `arn:aws:sts::${ACCOUNT_ID}:assumed-role/terraform-deployer/terraform`;

if (!discovery.ok) {
  console.warn(`\n!! The Terraform assume_role test did NOT run: ${discovery.reason}.\n`);
  it.skip(`Terraform assume_role NOT RUN: ${discovery.reason}`, () => {});
} else {
  const toolchain = discovery.toolchain;
  it(
    `Terraform ${toolchain.terraformVersion}, hashicorp/aws ${toolchain.providerVersion}: assume_role, then apply and destroy as the session`,
    async () => {
      const server = await startServer({ env: { IAMD_ACCESS_LOG: 'true' } });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-tf-assume-'));
      try {
        const iam = iamClient(server.url);
        const { User } = await iam.send(new CreateUserCommand({ UserName: 'ci' }));
        const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ci' }));
        const trust = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { AWS: User!.Arn }, Action: 'sts:AssumeRole', Condition: { StringEquals: { 'sts:ExternalId': 'tf-external' } } }],
        };
        const { Role } = await iam.send(new CreateRoleCommand({ RoleName: 'terraform-deployer', AssumeRolePolicyDocument: JSON.stringify(trust) }));
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: 'terraform-deployer',
            PolicyName: 'users',
            PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${ACCOUNT_ID}:user/terraform/*` }] }),
          }),
        );

        fs.writeFileSync(path.join(dir, 'cli.tfrc'), cliConfig(toolchain.mirror));
        fs.writeFileSync(
          path.join(dir, 'versions.tf'),
          `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "${toolchain.providerVersion}"\n    }\n  }\n}\n`,
        );
        fs.copyFileSync(path.join(here, 'fixtures/terraform/assume-role/main.tf'), path.join(dir, 'main.tf'));
        const env = terraformEnv(path.join(dir, 'cli.tfrc'), {
          iamd_url: server.url,
          access_key: AccessKey!.AccessKeyId!,
          secret_key: AccessKey!.SecretAccessKey!,
          role_arn: Role!.Arn!,
        });
        const run = async (args: string[]) => {
          const result = await runTerraform(toolchain, dir, args, env, 150_000);
          if (result.code !== 0) {
            throw new Error(`${result.command} exited ${result.code}\n${result.stderr.slice(-3000)}\n${summarizeCalls(accessLog(server.stderr()))}`);
          }
          return result;
        };
        await run(['init', '-input=false']);
        await run(['apply', '-auto-approve', '-input=false']);
        const outputs = JSON.parse((await run(['output', '-json'])).stdout) as Record<string, { value: string }>;
        expect(outputs.caller_arn!.value).toBe(ROLE_SESSION);
        expect((await iam.send(new GetUserCommand({ UserName: 'made-by-role' }))).User!.Path).toBe('/terraform/');
        await server.settledOutput(); // access lines are written in chunks (src/server/logger.ts)
        const calls = accessLog(server.stderr());
        expect(calls).toContainEqual({ action: 'AssumeRole', status: 200, principal: User!.Arn });
        expect(calls).toContainEqual({ action: 'CreateUser', status: 200, principal: ROLE_SESSION });
        await run(['destroy', '-auto-approve', '-input=false']);
        expect((await awsError(iam.send(new GetUserCommand({ UserName: 'made-by-role' })))).code).toBe('NoSuchEntity');
      } finally {
        await server.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    480_000,
  );
}
