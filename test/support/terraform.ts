import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Terraform and the hashicorp/aws provider for the Terraform suite, found on this machine and
 * never downloaded: the suite installs the provider from a local filesystem mirror through a CLI
 * configuration file of its own, so it neither needs nor reaches a provider registry.
 */

/** The provider's major version the suite's configurations are written for. */
const PROVIDER_MAJOR = 5;

/**
 * Where a mirror is looked for, after IAMD_TF_PROVIDER_MIRROR: the directories Terraform itself
 * searches as implied local mirrors on Unix, then the usual places a machine image puts one.
 * docs/terraform.md lists the same.
 */
export function mirrorSearchList(): string[] {
  const home = os.homedir();
  const xdgData = process.env.XDG_DATA_HOME || path.join(home, '.local/share');
  return [
    path.join(home, '.terraform.d/plugins'),
    path.join(xdgData, 'terraform/plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
    '/opt/terraform/plugins',
    '/opt/tf-plugins',
  ];
}

export interface Toolchain {
  terraform: string;
  terraformVersion: string;
  /** The mirror directory (holding registry.terraform.io/…). */
  mirror: string;
  providerVersion: string;
}

export type Discovery = { ok: true; toolchain: Toolchain } | { ok: false; reason: string };

/** Terraform's name for this platform, as in the mirror's directory and zip names. */
function platform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' } as Record<string, string>)[process.arch] ?? process.arch;
  return `${process.platform}_${arch}`;
}

const compareVersions = (a: string, b: string) => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

/**
 * The hashicorp/aws versions of the wanted major a mirror holds for this platform, in either of
 * Terraform's mirror layouts: unpacked (`…/aws/5.100.0/linux_amd64/`) or packed
 * (`…/aws/terraform-provider-aws_5.100.0_linux_amd64.zip`).
 */
function providerVersionsIn(mirror: string): string[] {
  const dir = path.join(mirror, 'registry.terraform.io/hashicorp/aws');
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const versions = new Set<string>();
  for (const entry of entries) {
    if (/^\d+\.\d+\.\d+$/.test(entry) && fs.existsSync(path.join(dir, entry, platform()))) versions.add(entry);
    const packed = new RegExp(`^terraform-provider-aws_(\\d+\\.\\d+\\.\\d+)_${platform()}\\.zip$`).exec(entry);
    if (packed) versions.add(packed[1]!);
  }
  return [...versions].filter((v) => v.startsWith(`${PROVIDER_MAJOR}.`)).sort(compareVersions);
}

/** The terraform binary: IAMD_TF_BINARY, else `terraform` on PATH. */
function findTerraform(): { path: string; version: string } | { reason: string } {
  const binary = process.env.IAMD_TF_BINARY || 'terraform';
  const result = spawnSync(binary, ['version', '-json'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
  });
  if (result.error || result.status !== 0) {
    return { reason: `no terraform binary (${process.env.IAMD_TF_BINARY ? `IAMD_TF_BINARY=${binary}` : '"terraform" on PATH'}: ${result.error?.message ?? `exit ${result.status}`})` };
  }
  try {
    return { path: binary, version: (JSON.parse(result.stdout) as { terraform_version: string }).terraform_version };
  } catch {
    return { reason: `"${binary} version -json" did not answer JSON` };
  }
}

/** Terraform and a mirror holding the provider, or why the suite cannot run. */
export function discoverToolchain(): Discovery {
  const terraform = findTerraform();
  if ('reason' in terraform) return { ok: false, reason: terraform.reason };
  const override = process.env.IAMD_TF_PROVIDER_MIRROR;
  const candidates = override ? [override] : mirrorSearchList();
  for (const mirror of candidates) {
    const versions = providerVersionsIn(mirror);
    if (versions.length > 0) {
      return { ok: true, toolchain: { terraform: terraform.path, terraformVersion: terraform.version, mirror, providerVersion: versions.at(-1)! } };
    }
  }
  const where = override ? `IAMD_TF_PROVIDER_MIRROR=${override}` : `any of ${candidates.join(', ')} (set IAMD_TF_PROVIDER_MIRROR)`;
  return { ok: false, reason: `no hashicorp/aws ${PROVIDER_MAJOR}.x provider for ${platform()} in a filesystem mirror at ${where}` };
}

/** The CLI configuration that installs registry.terraform.io providers from the mirror only. */
export function cliConfig(mirror: string): string {
  return `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(mirror)}
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`;
}

export interface RunResult {
  command: string;
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs one terraform command in `dir`, killed with its provider processes (its process group)
 * after `timeoutMs`. Never throws: the caller asserts on the exit code and shows the output.
 */
export function runTerraform(toolchain: Toolchain, dir: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(toolchain.terraform, [...args, '-no-color'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, timeoutMs);
    const finish = (code: number | null) => {
      clearTimeout(timer);
      resolve({ command: `terraform ${args.join(' ')}`, code, stdout, stderr, timedOut, ms: Date.now() - started });
    };
    child.once('error', (e) => {
      stderr += String(e);
      finish(null);
    });
    child.once('close', finish);
  });
}

/**
 * The environment for terraform: the mirror's CLI configuration, no checkpoint (update check),
 * no plugin cache, no prompts, and none of the developer's AWS settings (profiles, keys,
 * endpoints), so the provider sees only what the configuration gives it.
 */
export function terraformEnv(cliConfigFile: string, variables: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_') && !k.startsWith('TF_')) env[k] = v;
  // TF_LOG and TF_LOG_PATH pass through: a developer keeps the provider's debug log with them.
  if (process.env.TF_LOG) env.TF_LOG = process.env.TF_LOG;
  if (process.env.TF_LOG_PATH) env.TF_LOG_PATH = process.env.TF_LOG_PATH;
  Object.assign(env, {
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  });
  for (const [name, value] of Object.entries(variables)) env[`TF_VAR_${name}`] = value;
  return env;
}

/** One request in iamd's access log (JSON lines on stderr). */
export interface LoggedCall {
  action: string;
  status: number;
  errorCode?: string;
  /** The caller's ARN; absent when the request was refused before it was authenticated. */
  principal?: string;
}

export function accessLog(stderr: string): LoggedCall[] {
  const calls: LoggedCall[] = [];
  for (const line of stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { message?: string; action?: string; status?: number; errorCode?: string; principal?: string };
      if (entry.message === 'request' && entry.action) {
        calls.push({ action: entry.action, status: entry.status ?? 0, errorCode: entry.errorCode, principal: entry.principal });
      }
    } catch {
      // not a log line
    }
  }
  return calls;
}

/** `Action status [ErrorCode] ×n`, one line per distinct call, in order of first appearance. */
export function summarizeCalls(calls: LoggedCall[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) {
    const key = `${c.action} ${c.status}${c.errorCode ? ` ${c.errorCode}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => (n > 1 ? `${key} ×${n}` : key)).join('\n');
}
