/**
 * A throw-away PostgreSQL server for the test suites (and the store benchmark): Debian's server
 * binaries (the `postgresql` package), `initdb` into a temporary folder with trust authentication,
 * `pg_ctl start` on a free loopback port with its unix socket in that folder, and removal
 * afterwards. It never touches a cluster the machine may already run.
 *
 * initdb refuses to run as root; as root, the server runs as the `postgres` OS user the Debian
 * package creates. No vitest here: the benchmark uses it too.
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServerInfo {
  host: string;
  port: number;
  user: string;
}

export interface PostgresServer extends PostgresServerInfo {
  /** Where the data folder, the socket and the log live. */
  dir: string;
  stop(): Promise<void>;
}

/** The newest `/usr/lib/postgresql/<version>/bin` that has initdb and pg_ctl, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return undefined;
}

export const POSTGRES_MISSING =
  'PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb, pg_ctl); install them with `apt-get install -y postgresql`';

/** As root, commands run as the `postgres` OS user; otherwise as ourselves. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  if (fs.existsSync('/usr/sbin/runuser') || fs.existsSync('/sbin/runuser')) return ['runuser', ['-u', 'postgres', '--', command, ...args]];
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return ['su', ['postgres', '-s', '/bin/sh', '-c', quoted]];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** initdb + pg_ctl start; throws with POSTGRES_MISSING when the binaries are not installed. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(POSTGRES_MISSING);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    fs.chownSync(dir, uid, gid);
  }
  fs.chmodSync(dir, 0o700);
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'server.log');
  const exec = (command: string, args: string[]) => run(...asServerUser(command, args), { cwd: dir });
  try {
    await exec(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(e as { stderr?: string }).stderr ?? String(e)}`);
  }

  let port = 0;
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    // Durability is not wanted here; speed is. Enough connections for many iamd pools at once.
    const options = [
      `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir}`,
      '-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB',
    ].join(' ');
    try {
      await exec(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-w', '-t', '60', '-o', options, 'start']);
      break;
    } catch (e) {
      if (attempt >= 3) {
        const serverLog = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
        fs.rmSync(dir, { recursive: true, force: true });
        throw new Error(`pg_ctl start failed: ${(e as { stderr?: string }).stderr ?? String(e)}\n${serverLog}`);
      }
    }
  }

  // Should the test process die without stopping it, do not leave a server behind.
  const stopSync = () => {
    try {
      execFileSync(...asServerUser(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
    } catch {
      /* already stopped */
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);

  let stopped = false;
  return {
    host: '127.0.0.1',
    port,
    user: 'postgres',
    dir,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      process.removeListener('exit', stopSync);
      try {
        await exec(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', 'stop']);
      } catch {
        /* already stopped */
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const databaseUrl = (server: PostgresServerInfo, database: string): string =>
  `postgres://${server.user}@${server.host}:${server.port}/${database}`;

let databases = 0;

/** Creates a new, empty database on the server and returns its URL. */
export async function createDatabase(server: PostgresServerInfo, prefix = 'iamd'): Promise<string> {
  const name = `${prefix}_${process.pid}_${++databases}_${Math.random().toString(36).slice(2, 8)}`.toLowerCase();
  const client = new pg.Client({ connectionString: databaseUrl(server, 'postgres') });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(server, name);
}
