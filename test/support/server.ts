import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IAMClient } from '@aws-sdk/client-iam';
import { newTestDatabase } from './postgres-tests.js';

export const ROOT = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
export const ACCOUNT_ID = '123456789012';
const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/iamd.js');

/**
 * IAMD_TEST_STORE=postgres runs the API suites against PostgreSQL: where a test asks for a memory
 * server (the default), it gets a new database on the run's PostgreSQL server instead, with the
 * test endpoints (reset, clock) memory mode would have. Tests that name a data folder keep SQLite.
 */
const TEST_STORE = process.env.IAMD_TEST_STORE || 'memory';
if (TEST_STORE !== 'memory' && TEST_STORE !== 'postgres') throw new Error(`IAMD_TEST_STORE must be "memory" or "postgres", got "${TEST_STORE}"`);
export const testStore: 'memory' | 'postgres' = TEST_STORE;

/** The master key of every test server on PostgreSQL (random per test run). */
export const TEST_MASTER_KEY = randomBytes(32).toString('base64');

export interface TestServer {
  url: string;
  process: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, and the exit code once it is gone and all it printed is read. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /**
   * The output once every access line of the requests answered so far is in it. Access lines are
   * written in chunks up to ACCESS_FLUSH_MS after a request (src/server/logger.ts), so reading
   * output() right after a response can miss its line; this sends one more request, to a path of
   * its own, and waits (bounded) for that request's line: lines are written in order, so all before
   * it are there too. Needs the access log on.
   */
  settledOutput(): Promise<string>;
}

/**
 * Starts the real `iamd serve` (the built CLI) as a child process on a free loopback port and
 * waits until it says where it listens.
 */
export async function startServer(
  options: { args?: string[]; env?: Record<string, string | undefined>; rootFromEnv?: boolean; noPortFlag?: boolean; cwd?: string } = {},
): Promise<TestServer> {
  const portArgs = options.noPortFlag ? [] : ['--port', '0'];
  let args = options.args ?? ['--memory'];
  if (testStore === 'postgres' && args.includes('--memory')) {
    const url = await newTestDatabase();
    args = args.flatMap((a) => (a === '--memory' ? ['--database', url, '--enable-test-endpoints'] : [a]));
  }
  const env = serverEnv({ ...options, database: args.includes('--database') });
  const child = spawn(process.execPath, [BIN, 'serve', ...portArgs, ...args], {
    env: env as NodeJS.ProcessEnv,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
    stderr += d.toString();
  });
  // 'close', not 'exit': the process can be gone while the last of its output is still in the
  // pipes; after 'close' stdout and stderr hold everything it printed (its last log lines are
  // written at shutdown).
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`iamd did not start:\n${out}`)), 15_000);
    const check = () => {
      const m = /iamd listening on (http\S+)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => reject(new Error(`iamd exited with ${code} before listening:\n${out}`)));
  });

  return {
    url,
    process: child,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
    settledOutput: async () => {
      const marker = `/settled-${randomBytes(6).toString('hex')}`;
      await (await fetch(`${url}${marker}`)).arrayBuffer();
      const until = Date.now() + SETTLE_TIMEOUT_MS;
      while (!out.includes(`"path":"${marker}"`)) {
        if (Date.now() > until) throw new Error(`no access line for ${marker} after ${SETTLE_TIMEOUT_MS} ms (is the access log off?):\n${out.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return out;
    },
  };
}

/** How long settledOutput() waits for its marker's access line (ACCESS_FLUSH_MS is 100 ms). */
const SETTLE_TIMEOUT_MS = 10_000;

/**
 * The environment a test server reads its configuration from (the spawned CLI's and the in-process
 * server's alike): the developer's, without IAMD_DATABASE_URL (which must not turn SQLite tests
 * into PostgreSQL ones), with the test root credentials, then the test's own settings; an
 * undefined value removes the variable.
 */
export function serverEnv(options: { env?: Record<string, string | undefined>; rootFromEnv?: boolean; database: boolean }): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, IAMD_ACCESS_LOG: 'false', IAMD_DATABASE_URL: undefined };
  if (options.rootFromEnv !== false) {
    env.IAMD_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
    env.IAMD_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
  }
  Object.assign(env, options.env);
  // PostgreSQL requires a master key; one key for every test server, so nodes sharing a database
  // agree. A test that sets IAMD_MASTER_KEY (even to undefined) decides for itself.
  if (options.database && !(options.env && 'IAMD_MASTER_KEY' in options.env)) env.IAMD_MASTER_KEY = TEST_MASTER_KEY;
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return env as Record<string, string>;
}

export function iamClient(url: string, credentials = ROOT): IAMClient {
  return new IAMClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });
}

/** Runs a call that must fail and returns the AWS error, for assertions on code, message and status. */
export async function awsError(call: Promise<unknown>): Promise<{ code: string; message: string; status: number | undefined }> {
  try {
    await call;
  } catch (e) {
    // The SDK names modelled errors after their class (NoSuchEntityException); Code is AWS's code.
    const err = e as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { code: err.Code ?? err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

let counter = 0;
/** A user name no other test in this process uses. */
export const uniqueName = (prefix = 'user') => `${prefix}-${process.pid}-${++counter}`;

/**
 * An inline policy letting an IAM user read itself and its keys: real IAM grants nothing by
 * default, not even GetUser on oneself.
 */
export const SELF_SERVICE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['iam:GetUser', 'iam:ListAccessKeys'],
      // Both forms, as AWS's IAMUserChangePassword has them: a user with a path has it in its ARN.
      Resource: ['arn:aws:iam::*:user/${aws:username}', 'arn:aws:iam::*:user/*/${aws:username}'],
    },
  ],
});
