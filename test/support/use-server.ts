/**
 * The API suites' server, in one line: `const api = useServer();` starts iamd in the test's own
 * process (beforeAll) and stops it (afterAll). It is the real composition root, startIamd(), on a
 * real loopback port: real HTTP, the real store (SQLite in memory, or a database of its own on the
 * run's PostgreSQL server when IAMD_TEST_STORE=postgres), real SigV4, the real AWS clients. Its
 * configuration goes through resolveServeConfig, the CLI's own parsing, from the same environment a
 * spawned server gets (serverEnv), so the defaults are the CLI's. What it saves is a node process
 * per suite and, as a vitest worker runs file after file (isolate: false in vitest.config.ts),
 * loading the server's modules and the AWS SDK again for every file: twelve one-test suites cost
 * ~5 s of CPU this way against ~14 s with a spawned server and a process per file.
 *
 * In-process servers share nothing that matters: every server has its own store, clock, hasher (and
 * its HashLimiter), sealer and HTTP server; the module-level caches in src/ are keyed by content
 * (parsed policy documents, compiled model patterns, SigV4 signing keys by secret, opened secrets
 * by their sealed text, each sealing with a fresh IV) and so answer the same for every server. And
 * vitest runs each test file in a process of its own, so suites never share one anyway.
 *
 * Where the process itself is under test, the suite spawns the built CLI (startServer in server.ts):
 * - server.test.ts: the CLI's start-up output, exit codes, flag and environment errors, signals,
 *   restarts on the same data folder, generated root credentials printed once.
 * - crash-safety.test.ts: SIGKILL under write load.
 * - database-config.test.ts: --database / IAMD_DATABASE_URL refusals and exit codes, the password
 *   never printed, test endpoints only when asked for.
 * - multi-node.test.ts: two nodes on one database are two processes, as in production.
 * - secrets-at-rest.test.ts: restarts with other keys must be refused (exit), `iamd
 *   rotate-master-key` between runs, and a scan of everything the process printed.
 * - fuzz-server.test.ts: its claim is that no request takes the process down (a throw outside any
 *   try once did) and that nothing is logged at error level on stderr; both are the process's.
 * - In suites that are otherwise in-process, single tests keep a spawned server for the same
 *   reasons: limits (the RSS of the server process under a flood; the connection-limit message on
 *   stderr; settings refused at start-up), audit (IAMD_AUDIT_LOG=- and the default: what stdout
 *   holds), console (no password in the access log on stderr; --tls-cert/--tls-key through the CLI).
 *
 * Everything else (users, access keys, login profiles, authorization, password policy, validation,
 * limits, credential report, protocol, SigV4 at the server, the iamd/client package, boto3 and the
 * AWS CLI, which need a URL only, the console in a browser, the audit trail file, races on a data
 * folder) runs in-process.
 */
import { afterAll, beforeAll } from 'vitest';
import { IAMClient } from '@aws-sdk/client-iam';
import { resolveServeConfig, type ServeFlags } from '../../src/config/config.js';
import { startIamd, type Iamd } from '../../src/server/app.js';
import type { Logger } from '../../src/server/logger.js';
import type { Domain } from '../../src/domain/context.js';
import { newTestDatabase } from './postgres-tests.js';
import { iamClient, ROOT, serverEnv, testStore } from './server.js';

export interface InProcessOptions {
  /**
   * `iamd serve` flags as the CLI hands them to resolveServeConfig (commander's camelCase names,
   * string values), e.g. `{ memory: true, maxBodyBytes: '4096' }`; `port` is always '0' (a free
   * port). Default: `{ memory: true }`.
   */
  flags?: Omit<ServeFlags, 'port'>;
  /** Environment settings on top of the test environment (see serverEnv); undefined removes one. */
  env?: Record<string, string | undefined>;
}

export interface ServerHandle {
  /** Where it listens, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  /** The server's domain (store, hasher, clock): for planting state no API call can make, e.g. a hash of an older binding. */
  readonly domain: Domain;
  /** An SDK client signed with the root credentials (maxAttempts 1, as iamClient). */
  readonly iam: IAMClient;
  /** An SDK client signed with these credentials. */
  client(credentials: { accessKeyId: string; secretAccessKey: string }): IAMClient;
  /** POST /moto-api/reset: every user, key and policy gone, the clock back, the root key kept. */
  reset(): Promise<void>;
  /** POST /iamd-test/clock: the server's clock moved by this many seconds from now (0: back). */
  setClock(offsetSeconds: number): Promise<void>;
  /** Drains in-flight requests, closes the store and the clients handed out. */
  stop(): Promise<void>;
}

/**
 * Registers beforeAll/afterAll in the current scope (the file, or a describe) and returns the
 * server's handle; its members are there from the beforeAll on (tests and later hooks).
 */
export function useServer(options: InProcessOptions = {}): ServerHandle {
  let running: ServerHandle | undefined;
  const started = (): ServerHandle => {
    if (!running) throw new Error('useServer: the server starts in beforeAll; use it in tests and hooks, not while the file loads');
    return running;
  };
  beforeAll(async () => {
    running = await startInProcess(options);
  });
  afterAll(async () => {
    await running?.stop();
  });
  return {
    get url() {
      return started().url;
    },
    get iam() {
      return started().iam;
    },
    get domain() {
      return started().domain;
    },
    client: (credentials) => started().client(credentials),
    reset: () => started().reset(),
    setClock: (offsetSeconds) => started().setClock(offsetSeconds),
    stop: () => started().stop(),
  };
}

/** Not a word from an in-process server: the test reads answers, not logs. */
const silentLogger: Logger = { info: () => {}, error: () => {}, access: () => {}, close: async () => {}, flush: () => {} };

/** An in-process server for one test (stop it in a finally); useServer for a whole suite. */
export async function startInProcess(options: InProcessOptions = {}): Promise<ServerHandle> {
  let flags: ServeFlags = { ...(options.flags ?? { memory: true }), port: '0' };
  // As startServer does for --memory: a new database with the test endpoints memory mode has.
  if (testStore === 'postgres' && flags.memory) flags = { ...flags, memory: undefined, database: await newTestDatabase(), enableTestEndpoints: true };
  const env = serverEnv({ env: options.env, database: flags.database !== undefined });
  const iamd: Iamd = await startIamd(resolveServeConfig(flags, env), { logger: silentLogger, print: () => {} });

  const clients: IAMClient[] = [];
  const client = (credentials = ROOT) => {
    const c = iamClient(iamd.url, credentials);
    clients.push(c);
    return c;
  };
  const post = async (path: string) => {
    const res = await fetch(`${iamd.url}${path}`, { method: 'POST' });
    if (res.status !== 200) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
  };
  const root = client();
  let stopped: Promise<void> | undefined;
  return {
    url: iamd.url,
    domain: iamd.domain,
    iam: root,
    client,
    reset: () => post('/moto-api/reset'),
    setClock: (offsetSeconds) => post(`/iamd-test/clock?offsetSeconds=${offsetSeconds}`),
    stop: () =>
      (stopped ??= (async () => {
        for (const c of clients) c.destroy();
        await iamd.stop();
      })()),
  };
}
