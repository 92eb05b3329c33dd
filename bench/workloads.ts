/**
 * The operations the benchmark drives, the same for iamd and for a peer IAM endpoint (moto), and
 * the console sign-in client (iamd only).
 */
import http from 'node:http';
import { exchange, type SignedClient } from './load.js';

/** 100 users (ListUsers answers one full page of 100), the first POOL with a login profile. */
export const USERS = 100;
export const POOL = 64;
/** Names carry the run's id, so a peer endpoint that is reused (--peer) takes a second run. */
export const userName = (runId: string, i: number) => `bench-${runId}-user-${String(i).padStart(3, '0')}`;
const SETUP_PASSWORD = 'Bench-Setup-Passw0rd!';

export interface Operation {
  key: string;
  label: string;
  /** Only against iamd (the console is iamd's). */
  iamdOnly?: boolean;
  /** Reads: also measured rate-limited at half the maximum, and held to the ×moto target. */
  read?: boolean;
  /** One request; throws unless it was answered as expected. */
  op: () => Promise<void>;
}

async function inBatches(n: number, width: number, work: (i: number) => Promise<unknown>): Promise<void> {
  for (let start = 0; start < n; start += width) {
    await Promise.all(Array.from({ length: Math.min(width, n - start) }, (_, k) => work(start + k)));
  }
}

/**
 * Creates the users and login profiles the operations use; on a fresh endpoint exactly USERS
 * users exist afterwards. Returns how many users ListUsers (MaxItems=100) answers.
 */
export async function setUp(client: SignedClient, runId: string): Promise<number> {
  await inBatches(USERS, 8, (i) => client.ok({ Action: 'CreateUser', UserName: userName(runId, i) }));
  await inBatches(POOL, 8, (i) => client.ok({ Action: 'CreateLoginProfile', UserName: userName(runId, i), Password: SETUP_PASSWORD }));
  const list = await client.ok({ Action: 'ListUsers', MaxItems: '100' });
  const members = list.match(/<member>/g)?.length ?? 0;
  if (members < USERS) throw new Error(`ListUsers answered ${members} users, expected at least ${USERS}`);
  return members;
}

/** The API operations, in the order they run (CreateUser last: it adds users, and moto's ListUsers ignores MaxItems). */
export function apiOperations(client: SignedClient, runId: string, options: { peer?: boolean } = {}): Operation[] {
  let n = 0;
  const next = () => n++;
  const expect = async (params: Record<string, string>, check?: (body: string) => boolean) => {
    const body = await client.ok(params);
    if (check && !check(body)) throw new Error(`${params.Action}: unexpected answer ${body.slice(0, 300)}`);
  };
  let flag = false;
  return [
    {
      key: 'GetLoginProfile',
      label: 'GetLoginProfile',
      read: true,
      op: () => expect({ Action: 'GetLoginProfile', UserName: userName(runId, next() % POOL) }, (b) => b.includes('<LoginProfile>')),
    },
    {
      key: 'GetUser',
      label: 'GetUser',
      read: true,
      op: () => expect({ Action: 'GetUser', UserName: userName(runId, next() % USERS) }, (b) => b.includes('<User>')),
    },
    {
      key: 'ListUsers',
      label: 'ListUsers (100 per page)',
      op: () => expect({ Action: 'ListUsers', MaxItems: '100' }),
    },
    {
      key: 'UpdateLoginProfileFlag',
      label: 'UpdateLoginProfile (flag only)',
      // moto 5.2.1 deletes the login profile on an UpdateLoginProfile without Password (its
      // update_login_profile sets user.password = None), so the peer gets the password unchanged too.
      op: () =>
        expect({
          Action: 'UpdateLoginProfile',
          UserName: userName(runId, next() % POOL),
          PasswordResetRequired: String((flag = !flag)),
          ...(options.peer ? { Password: SETUP_PASSWORD } : {}),
        }),
    },
    {
      key: 'UpdateLoginProfilePassword',
      label: 'UpdateLoginProfile (new password)',
      op: () => {
        const i = next();
        return expect({ Action: 'UpdateLoginProfile', UserName: userName(runId, i % POOL), Password: `Bench-${runId}-${i}-Passw0rd!` });
      },
    },
    {
      key: 'CreateUser',
      label: 'CreateUser',
      op: () => expect({ Action: 'CreateUser', UserName: `bench-new-${runId}-${next()}` }),
    },
  ];
}

/**
 * Console sign-in: GET /console once for the CSRF cookie and token, then POST /console/signin for
 * a pool of users (the per-user counter is cleared by each success, so it never reaches its
 * limit). iamd books every attempt, successful or not, against the source address and never
 * clears that counter (src/domain/console-sign-in.ts), so the 21st sign-in from one address is
 * delayed; each connection therefore comes from its own loopback address (127.1.0.0/16 and up),
 * used for at most ADDRESS_USES sign-ins.
 */
export const SIGN_IN_USERS = 64;
const SIGN_IN_PASSWORD = 'Bench-SignIn-Passw0rd!';
const ADDRESS_USES = 16;

export async function consoleSignIn(client: SignedClient, runId: string): Promise<Operation> {
  const target = client.target;
  const names = Array.from({ length: SIGN_IN_USERS }, (_, i) => `bench-console-${runId}-${i}`);
  await inBatches(SIGN_IN_USERS, 8, async (i) => {
    await client.ok({ Action: 'CreateUser', UserName: names[i]! });
    await client.ok({ Action: 'CreateLoginProfile', UserName: names[i]!, Password: SIGN_IN_PASSWORD });
  });
  const agent = new http.Agent({ keepAlive: false });
  const page = await exchange(agent, target, 'GET', '/console', {}, '');
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  const account = /name="account"[^>]*value="(\d{12})"/.exec(page.body)?.[1];
  const setCookie = page.headers['set-cookie']?.find((c) => c.startsWith('iamd_csrf='));
  if (page.status !== 200 || !csrf || !account || !setCookie) throw new Error(`GET /console: ${page.status} ${page.body.slice(0, 200)}`);
  const cookie = setCookie.split(';')[0]!;

  let n = 0;
  let uses = 0;
  let address = 0;
  const nextAddress = () => {
    if (uses++ >= ADDRESS_USES) {
      uses = 1;
      address++;
    }
    return `127.${1 + Math.floor(address / (256 * 254))}.${Math.floor(address / 254) % 256}.${1 + (address % 254)}`;
  };
  return {
    key: 'ConsoleSignIn',
    label: 'console sign-in (POST /console/signin)',
    iamdOnly: true,
    op: async () => {
      const body = new URLSearchParams({ csrf, account, username: names[n++ % SIGN_IN_USERS]!, password: SIGN_IN_PASSWORD }).toString();
      const localAddress = nextAddress();
      const res = await new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: target.hostname,
            port: target.port,
            localAddress,
            agent: false,
            method: 'POST',
            path: '/console/signin',
            headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) },
          },
          (r) => {
            let text = '';
            r.setEncoding('utf8');
            r.on('data', (c: string) => (text += c));
            r.on('end', () => resolve({ status: r.statusCode ?? 0, location: r.headers.location, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
      if (res.status !== 303 || res.location !== '/console/home') {
        throw new Error(`console sign-in from ${localAddress}: ${res.status} ${res.location ?? ''} ${res.body.replace(/\s+/g, ' ').slice(0, 300)}`);
      }
    },
  };
}
