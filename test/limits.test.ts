/**
 * Resource limits (issue 8, point 6): body size on the API and the console form, header size
 * (431), slow clients (slowloris) cut off by the headers and request timeouts, and bounded
 * password hashing (at most N at once, a bounded queue, Throttling beyond it).
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { describe, expect, it } from 'vitest';
import { CreateLoginProfileCommand, CreateUserCommand, GetLoginProfileCommand } from '@aws-sdk/client-iam';
import { HashLimiter } from '../src/crypto/argon2-hasher.js';
import { IamError } from '../src/domain/errors.js';
import { iamClient, startServer, type TestServer } from './support/server.js';
import { useServer } from './support/use-server.js';
import { errorOf, signedQuery } from './support/signed-http.js';
import { currentRss, peakRss, sleep } from './support/hardening.js';
import { selfSigned } from './support/certificates.js';

const api = useServer({ env: { IAMD_HEADERS_TIMEOUT_MS: '1000', IAMD_REQUEST_TIMEOUT_MS: '2000' } });

/** Opens a raw connection and returns helpers: write, everything received, when it connected, and when it closed. */
function rawConnection(url: string, localAddress?: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect({ port: Number(port), host: hostname, localAddress });
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => {});
  const connected = new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const closed = new Promise<number>((resolve) => {
    const started = Date.now();
    socket.on('close', () => resolve(Date.now() - started));
  });
  return { socket, received: () => received, connected, closed };
}

describe('body size', () => {
  it('refuses an API body over --max-body-bytes with 413 RequestEntityTooLarge', async () => {
    const res = await fetch(`${api.url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListUsers&Pad=' + 'x'.repeat(1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
    expect(errorOf(await res.text()).code).toBe('RequestEntityTooLarge');
  });

  it('refuses a console form over 16 KiB with 413, naming the console limit in an HTML page (not the API XML), and the console still works', async () => {
    const res = await fetch(`${api.url}/console/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=a&password=' + 'x'.repeat(17 * 1024),
    });
    expect(res.status).toBe(413);
    const body = await res.text();
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('connection')).toBe('close');
    expect(body).toContain('This form is larger than the console accepts (16384 bytes).');
    expect(body).not.toContain('<ErrorResponse');
    // Chunked, without a Content-Length: refused while reading (a raw socket, as the server
    // closes the connection while the client is still sending).
    const c = rawConnection(api.url);
    c.socket.write('POST /console/signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n');
    for (let i = 0; i < 20 && c.socket.writable; i++) c.socket.write(`400\r\n${'x'.repeat(1024)}\r\n`);
    await Promise.race([c.closed, sleep(5000)]);
    c.socket.destroy();
    expect(c.received()).toMatch(/^HTTP\/1\.1 413/);
    expect((await fetch(`${api.url}/console`)).status).toBe(200);
  });
});

describe('header size', () => {
  it('answers 431 to a request head over 16 KiB, and takes one just under it', async () => {
    const big = await fetch(`${api.url}/console`, { headers: { 'x-padding': 'x'.repeat(17 * 1024) } });
    expect(big.status).toBe(431);
    const fine = await fetch(`${api.url}/console`, { headers: { 'x-padding': 'x'.repeat(15 * 1024) } });
    expect(fine.status).toBe(200);
  });
});

describe('slow clients (slowloris)', () => {
  it('cuts off a client that trickles its headers, after the headers timeout', async () => {
    const c = rawConnection(api.url);
    c.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => c.socket.writable && c.socket.write(`X-Slow-${Date.now()}: y\r\n`), 200);
    const elapsed = await Promise.race([c.closed, sleep(8000).then(() => -1)]);
    clearInterval(trickle);
    c.socket.destroy();
    expect(elapsed).toBeGreaterThan(0); // closed by the server, not by the test
    expect(elapsed).toBeLessThan(4000);
    expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('cuts off a client that trickles its body, after the request timeout, while others are served', async () => {
    const c = rawConnection(api.url);
    c.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\n');
    const trickle = setInterval(() => c.socket.writable && c.socket.write('Action=ListUsers&'), 200);
    // Meanwhile, an ordinary request gets its answer.
    expect((await signedQuery(api.url, { Action: 'ListUsers' })).status).toBe(200);
    const elapsed = await Promise.race([c.closed, sleep(10000).then(() => -1)]);
    clearInterval(trickle);
    c.socket.destroy();
    expect(elapsed).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(5000);
  });

  it('closes an idle connection that never sends a byte', async () => {
    const c = rawConnection(api.url);
    const elapsed = await Promise.race([c.closed, sleep(8000).then(() => -1)]);
    expect(elapsed).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(4000);
  });
});

describe('bounded password hashing', () => {
  it('runs at most maxConcurrent at once, queues up to maxQueued, and refuses the rest with Throttling (400, "Rate exceeded")', async () => {
    const limiter = new HashLimiter({ maxConcurrent: 4, maxQueued: 10 });
    let running = 0;
    let most = 0;
    const work = async () => {
      running++;
      most = Math.max(most, running);
      await sleep(20);
      running--;
      return 'done';
    };
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => limiter.run(work)));
    expect(most).toBe(4);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(14);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as IamError);
    expect(refused).toHaveLength(16);
    for (const e of refused) expect(e).toMatchObject({ code: 'Throttling', message: 'Rate exceeded', status: 400 });
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
    // A failing computation frees its slot too.
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(limiter.load).toEqual({ running: 0, waiting: 0 });
  });

  it('defaults to the libuv pool size (4) and a queue of 256', () => {
    const limiter = new HashLimiter();
    expect(limiter.maxConcurrent).toBe(Number(process.env.UV_THREADPOOL_SIZE) || 4);
    expect(limiter.maxQueued).toBe(256);
  });

  it('survives a flood of 500 concurrent password changes: every request answers, RSS stays bounded, the excess is Throttling', async () => {
    // 500 connections from one address: this test is about hashing, not the per-address connection limit (256).
    // One hash at a time and 16 waiting (the defaults, 4 and 256, are checked above): with the
    // defaults, a loaded machine delivered the 500 requests slower than 4 threads hashed them, the
    // queue never filled, and nothing was throttled.
    const flood = await startServer({ env: { IAMD_MAX_CONNECTIONS_PER_ADDRESS: '1024', IAMD_MAX_CONCURRENT_HASHES: '1', IAMD_MAX_QUEUED_HASHES: '16' } });
    try {
      const iam = iamClient(flood.url);
      await iam.send(new CreateUserCommand({ UserName: 'flood' }));
      await iam.send(new CreateLoginProfileCommand({ UserName: 'flood', Password: 'Flood-Start-Passw0rd!' }));
      const pid = flood.process.pid!;
      const before = currentRss(pid);
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          signedQuery(flood.url, { Action: 'UpdateLoginProfile', UserName: 'flood', Password: `Flood-${i}-Passw0rd!` }).then((r) => ({
            status: r.status,
            code: errorOf(r.body).code,
          })),
        ),
      );
      const seconds = (Date.now() - started) / 1000;
      const ok = answers.filter((a) => a.status === 200).length;
      const throttled = answers.filter((a) => a.status === 400 && a.code === 'Throttling').length;
      const peak = peakRss(pid);
      console.log(`flood: ${ok} changed, ${throttled} throttled in ${seconds.toFixed(1)} s; RSS ${(before / 2 ** 20).toFixed(0)} MiB before, peak ${(peak / 2 ** 20).toFixed(0)} MiB`);
      expect(ok + throttled).toBe(500);
      expect(ok).toBeGreaterThanOrEqual(17); // 1 computing + 16 waiting, at least
      expect(throttled).toBeGreaterThan(0);
      expect(peak).toBeLessThan(400 * 2 ** 20);
      // And the server is still itself.
      expect((await iam.send(new GetLoginProfileCommand({ UserName: 'flood' }))).LoginProfile!.UserName).toBe('flood');
    } finally {
      await flood.stop();
    }
  }, 120_000);
});

/**
 * The promise, or a failure naming the step that waited longer than `ms` (a hang then says which
 * step hung, not only that vitest's 30 s ran out). Not a timed assertion: the bounds are far above
 * what any step needs.
 */
async function within<T>(promise: Promise<T>, ms: number, step: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still ${step} after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The connection, noted in `opened` (for the clean-up after a failed step). */
function tracked<T>(opened: T[], connection: T): T {
  opened.push(connection);
  return connection;
}

/**
 * Resolves once the spawned server's stderr matches. The server's log lines go out through an
 * asynchronous writer, so a line about a connection can reach us after that connection's close.
 */
function printed(server: TestServer, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (!pattern.test(server.stderr())) return;
      server.process.stderr!.off('data', check);
      resolve();
    };
    server.process.stderr!.on('data', check);
    check();
  });
}

// How these tests order things without sleeping:
// - The kernel queues connections for accept in the order their handshakes complete (on loopback,
//   before connect() returns) and the server accepts them in that order: once a client's 'connect'
//   has fired, a later connection is counted after it.
// - A slot is freed without a race when the server closes the connection itself (an answer to
//   `Connection: close`): it destroys its socket, and so frees the slot, in the same turn of its
//   event loop as it sends its FIN, before it accepts anything else. A connection the client
//   closes is freed whenever the server gets to the FIN, which the client cannot see.
const HALF_HEAD = 'GET /console HTTP/1.1\r\nHost: localhost\r\n';
const REST_OF_HEAD_THEN_CLOSE = 'Connection: close\r\n\r\n';
const WHOLE_REQUEST_THEN_CLOSE = HALF_HEAD + REST_OF_HEAD_THEN_CLOSE;

describe('connection limit', () => {
  it('closes a connection beyond IAMD_MAX_CONNECTIONS on arrival, logs it, and serves again once a slot frees', async () => {
    // The held connections send half a request head: a long headers timeout keeps the server from
    // closing them (10 s by default) before the test is done with them on a slow machine.
    const limited = await startServer({ env: { IAMD_MAX_CONNECTIONS: '2', IAMD_HEADERS_TIMEOUT_MS: '120000', IAMD_REQUEST_TIMEOUT_MS: '240000' } });
    const opened: ReturnType<typeof rawConnection>[] = [];
    try {
      const connect = () => tracked(opened, rawConnection(limited.url));
      // Two connections that stay open (each with a request head under way).
      const held = [connect(), connect()];
      for (const c of held) c.socket.write(HALF_HEAD);
      await within(Promise.all(held.map((c) => c.connected)), 3000, 'waiting for the two held connections to connect');
      const third = connect();
      third.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(third.closed, 3000, 'waiting for the server to close the third connection (over the limit of 2)');
      expect(third.received()).toBe('');
      await within(printed(limited, /"connections refused: the connection limit is reached".*"limit":2/), 3000, 'waiting for the server to log the refusal');

      // The server answers the first held request and closes that connection: its slot is free.
      held[0]!.socket.write(REST_OF_HEAD_THEN_CLOSE);
      await within(held[0]!.closed, 5000, 'waiting for the server to answer and close the first held connection');
      expect(held[0]!.received()).toMatch(/^HTTP\/1\.1 200/);
      const served = connect();
      served.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(served.closed, 5000, 'waiting for the server to answer and close a connection in the freed slot');
      expect(served.received()).toMatch(/^HTTP\/1\.1 200/);

      // More refusals within the 10 s window are counted, not logged one by one, and the count is
      // logged when the window ends (here: at shutdown).
      held[0] = connect();
      held[0].socket.write(HALF_HEAD);
      await within(held[0].connected, 3000, 'waiting for the new held connection to connect');
      const extras = [connect(), connect()];
      for (const [i, extra] of extras.entries()) {
        await within(extra.closed, 3000, `waiting for the server to close extra connection ${i + 1} (over the limit of 2)`);
        expect(extra.received()).toBe('');
      }
      for (const c of held) c.socket.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop');
      // stop() resolves once the server's output is all read: no line can still be on its way.
      expect(limited.stderr().match(/connections refused/g)).toHaveLength(2);
      expect(limited.stderr()).toMatch(/"connections refused: the connection limit is reached".*"refused":2/);
    } finally {
      // After a failed step the held connections are still open, and the server's shutdown waits for them.
      for (const c of opened) c.socket.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop (cleaning up)');
    }
  });

  it('refuses a limit that is not a positive integer', async () => {
    await expect(startServer({ env: { IAMD_MAX_CONNECTIONS: '0' } })).rejects.toThrow(/IAMD_MAX_CONNECTIONS must be an integer from 1 to 1000000, got "0"/);
  });
});

describe('per-address connection limit', () => {
  it('closes a connection beyond IAMD_MAX_CONNECTIONS_PER_ADDRESS from one address on arrival, logs it, and still serves other addresses', async () => {
    // The held connections send half a request head: a long headers timeout keeps the server from
    // closing them (10 s by default) before the test is done with them on a slow machine.
    const limited = await startServer({ env: { IAMD_MAX_CONNECTIONS_PER_ADDRESS: '2', IAMD_HEADERS_TIMEOUT_MS: '120000', IAMD_REQUEST_TIMEOUT_MS: '240000' } });
    const opened: ReturnType<typeof rawConnection>[] = [];
    try {
      const connect = (from: string) => tracked(opened, rawConnection(limited.url, from));
      // Two connections from 127.0.0.1 that stay open (each with a request head under way).
      const held = [connect('127.0.0.1'), connect('127.0.0.1')];
      for (const c of held) c.socket.write(HALF_HEAD);
      await within(Promise.all(held.map((c) => c.connected)), 3000, 'waiting for the two held connections to connect');
      const third = connect('127.0.0.1');
      third.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(third.closed, 3000, 'waiting for the server to close the third connection from 127.0.0.1 (over the limit of 2)');
      expect(third.received()).toBe('');
      await within(
        printed(limited, /"connections refused: the per-address connection limit is reached".*"limit":2.*"addresses":\["127\.0\.0\.1"\]/),
        3000,
        'waiting for the server to log the refusal',
      );

      // Another address (all of 127/8 is loopback on Linux) is served meanwhile: the global cap (1024) is far.
      const other = connect('127.0.0.2');
      other.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(other.closed, 5000, 'waiting for the server to answer and close a connection from 127.0.0.2');
      expect(other.received()).toMatch(/^HTTP\/1\.1 200/);

      // Once the server has answered and closed one of the held connections, its address is served again.
      held[0]!.socket.write(REST_OF_HEAD_THEN_CLOSE);
      await within(held[0]!.closed, 5000, 'waiting for the server to answer and close the first held connection');
      expect(held[0]!.received()).toMatch(/^HTTP\/1\.1 200/);
      const again = connect('127.0.0.1');
      again.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(again.closed, 5000, 'waiting for the server to answer and close a connection from 127.0.0.1 in the freed slot');
      expect(again.received()).toMatch(/^HTTP\/1\.1 200/);

      // Further refusals within the 10 s window are counted and logged together (here: at shutdown).
      held[0] = connect('127.0.0.1');
      held[0].socket.write(HALF_HEAD);
      await within(held[0].connected, 3000, 'waiting for the new held connection to connect');
      const extras = [connect('127.0.0.1'), connect('127.0.0.1')];
      for (const [i, extra] of extras.entries()) {
        await within(extra.closed, 3000, `waiting for the server to close extra connection ${i + 1} from 127.0.0.1 (over the limit of 2)`);
        expect(extra.received()).toBe('');
      }
      for (const c of held) c.socket.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop');
      // stop() resolves once the server's output is all read: no line can still be on its way.
      expect(limited.stderr().match(/per-address connection limit/g)).toHaveLength(2);
      expect(limited.stderr()).toMatch(/"connections refused: the per-address connection limit is reached".*"refused":2/);
    } finally {
      // After a failed step the held connections are still open, and the server's shutdown waits for them.
      for (const c of opened) c.socket.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop (cleaning up)');
    }
  });

  it('refuses a per-address limit that is not a positive integer', async () => {
    await expect(startServer({ env: { IAMD_MAX_CONNECTIONS_PER_ADDRESS: '0' } })).rejects.toThrow(
      /IAMD_MAX_CONNECTIONS_PER_ADDRESS must be an integer from 1 to 1000000, got "0"/,
    );
  });
});

// A request that keeps its connection open (HTTP/1.1's default), and the number of answers so far.
const WHOLE_REQUEST = `${HALF_HEAD}\r\n`;
// (Not anchored: an answer follows the body before it, which need not end in a newline.)
const answers = (c: ReturnType<typeof rawConnection>) => (c.received().match(/HTTP\/1\.1 \d{3} /g) ?? []).length;

/** Resolves once the connection has received `n` answers. */
function answered(c: ReturnType<typeof rawConnection>, n: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if (answers(c) < n) return;
      c.socket.off('data', check);
      resolve();
    };
    c.socket.on('data', check);
    check();
  });
}

describe('idle keep-alive connections', () => {
  it('are kept a minute, so a client pausing longer than node\'s 5 s default reuses its connection (no ECONNRESET race)', async () => {
    const c = rawConnection(api.url);
    try {
      c.socket.write(WHOLE_REQUEST);
      await within(answered(c, 1), 5000, 'waiting for the first answer');
      expect(c.received()).toMatch(/^Keep-Alive: timeout=60\r$/m);
      const closedEarly = await Promise.race([c.closed.then(() => true), sleep(6000).then(() => false)]);
      expect(closedEarly).toBe(false);
      c.socket.write(WHOLE_REQUEST);
      await within(answered(c, 2), 5000, 'waiting for the second answer on the same connection');
    } finally {
      c.socket.destroy();
    }
  }, 20_000);

  it('give up their slots to a new connection from their address, while connections with a request to come or under way keep theirs', async () => {
    const limited = await startServer({ env: { IAMD_MAX_CONNECTIONS_PER_ADDRESS: '3', IAMD_HEADERS_TIMEOUT_MS: '120000', IAMD_REQUEST_TIMEOUT_MS: '240000' } });
    const opened: ReturnType<typeof rawConnection>[] = [];
    try {
      const connect = () => tracked(opened, rawConnection(limited.url));
      const idle = connect();
      idle.socket.write(WHOLE_REQUEST);
      await within(answered(idle, 1), 5000, 'waiting for the idle connection\'s answer');
      const fresh = connect(); // connected, nothing sent yet
      const underWay = connect();
      underWay.socket.write(HALF_HEAD);
      await within(Promise.all([fresh.connected, underWay.connected]), 3000, 'waiting for the other two connections to connect');
      // The limit (3) is reached: the fourth connection makes room by closing the idle one only.
      const fourth = connect();
      fourth.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(fourth.closed, 5000, 'waiting for the fourth connection to be answered and closed');
      expect(fourth.received()).toMatch(/^HTTP\/1\.1 200/);
      await within(idle.closed, 3000, 'waiting for the server to close the idle connection');
      fresh.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      underWay.socket.write(REST_OF_HEAD_THEN_CLOSE);
      await within(Promise.all([fresh.closed, underWay.closed]), 5000, 'waiting for the two kept connections to be answered');
      expect(fresh.received()).toMatch(/^HTTP\/1\.1 200/);
      expect(underWay.received()).toMatch(/^HTTP\/1\.1 200/);
      await within(limited.stop(), 5000, 'waiting for the server to stop');
      expect(limited.stderr()).not.toMatch(/connections refused/);
    } finally {
      for (const c of opened) c.socket.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop (cleaning up)');
    }
  });

  it('give up their slots at the global limit, whatever their address', async () => {
    const limited = await startServer({ env: { IAMD_MAX_CONNECTIONS: '2', IAMD_HEADERS_TIMEOUT_MS: '120000', IAMD_REQUEST_TIMEOUT_MS: '240000' } });
    const opened: ReturnType<typeof rawConnection>[] = [];
    try {
      const connect = (from: string) => tracked(opened, rawConnection(limited.url, from));
      const idle = connect('127.0.0.2');
      idle.socket.write(WHOLE_REQUEST);
      await within(answered(idle, 1), 5000, 'waiting for the idle connection\'s answer');
      const underWay = connect('127.0.0.1');
      underWay.socket.write(HALF_HEAD);
      await within(underWay.connected, 3000, 'waiting for the held connection to connect');
      const third = connect('127.0.0.1');
      third.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(third.closed, 5000, 'waiting for the third connection to be answered and closed');
      expect(third.received()).toMatch(/^HTTP\/1\.1 200/);
      await within(idle.closed, 3000, 'waiting for the server to close the idle connection from 127.0.0.2');
      // Nothing idle is left: past the limit, a connection is refused as before.
      const held = connect('127.0.0.3');
      held.socket.write(HALF_HEAD);
      await within(held.connected, 3000, 'waiting for the second held connection to connect');
      await sleep(150); // past the interval between two attempts to make room
      const refused = connect('127.0.0.1');
      refused.socket.write(WHOLE_REQUEST_THEN_CLOSE);
      await within(refused.closed, 3000, 'waiting for the server to refuse a connection over the limit');
      expect(refused.received()).toBe('');
      expect(underWay.received()).toBe('');
    } finally {
      for (const c of opened) c.socket.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop (cleaning up)');
    }
  });

  it('do not hold up a shutdown: a request under way at SIGTERM is answered, then its connection closed and the process gone', async () => {
    const server = await startServer();
    const c = rawConnection(server.url);
    try {
      // A request whose body is still coming when the signal arrives.
      c.socket.write('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 14\r\n\r\nAction=');
      await within(c.connected, 3000, 'waiting for the connection');
      await sleep(200); // the head read: the request is under way
      const exited = server.stop();
      await sleep(200);
      c.socket.write('GetUser');
      await within(answered(c, 1), 5000, 'waiting for the answer to the request under way');
      expect(c.received()).toMatch(/^HTTP\/1\.1 403 /); // unsigned
      await within(c.closed, 3000, 'waiting for the server to close the connection after the answer');
      expect(await within(exited, 3000, 'waiting for the process to exit')).toBe(0);
    } finally {
      c.socket.destroy();
      await server.stop();
    }
  });

  it('over TLS too', async () => {
    const { certificate, privateKey } = selfSigned({ key: 'ec', cn: '127.0.0.1' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-tls-'));
    fs.writeFileSync(path.join(dir, 'cert.pem'), certificate);
    fs.writeFileSync(path.join(dir, 'key.pem'), privateKey);
    const limited = await startServer({
      args: ['--memory', '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem')],
      env: { IAMD_MAX_CONNECTIONS_PER_ADDRESS: '1' },
    });
    const sockets: tls.TLSSocket[] = [];
    try {
      const { hostname, port } = new URL(limited.url);
      const request = async (head: string) => {
        const socket = tls.connect({ host: hostname, port: Number(port), rejectUnauthorized: false });
        sockets.push(socket);
        let received = '';
        socket.on('data', (d) => (received += d.toString()));
        socket.on('error', () => {});
        const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
        socket.write(head);
        await within(
          new Promise<void>((resolve) => {
            const check = () => /^HTTP\/1\.1 200/.test(received) && resolve();
            socket.on('data', check);
            socket.on('close', check);
          }),
          5000,
          'waiting for an answer over TLS',
        );
        return { closed };
      };
      const first = await request(WHOLE_REQUEST);
      await request(WHOLE_REQUEST_THEN_CLOSE); // over the limit of 1: the first, idle, makes room
      await within(first.closed, 3000, 'waiting for the server to close the idle TLS connection');
    } finally {
      for (const s of sockets) s.destroy();
      await within(limited.stop(), 5000, 'waiting for the server to stop');
    }
  });
});

describe('timeout settings', () => {
  it('refuses a headers timeout longer than the request timeout with a clear message (node would throw a RangeError)', async () => {
    await expect(startServer({ env: { IAMD_HEADERS_TIMEOUT_MS: '60000' } })).rejects.toThrow(
      /IAMD_HEADERS_TIMEOUT_MS \(60000 ms\) must not exceed IAMD_REQUEST_TIMEOUT_MS \(30000 ms\)/,
    );
  });
});
