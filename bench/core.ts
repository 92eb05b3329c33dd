/**
 * Core figures: cold start to first answer, idle memory, the cost of one SigV4 verification, one
 * argon2id hash, and a ChangePassword under PasswordReusePrevention=24, with GetUser latency
 * measured while it runs (hashing must not block the event loop).
 *
 *   npm run bench:core
 */
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { argon2Hasher } from '../src/crypto/argon2-hasher.js';
import { signRequest } from '../src/protocol/sigv4/sign.js';
import { verifySigV4 } from '../src/protocol/sigv4/verify.js';
import { call, median, percentile, printTable, ROOT, rssMiB, startIamd } from './support.js';

const rows: [string, string][] = [];

// Cold start: process spawn to the first signed answer, in memory and on a new SQLite file.
for (const mode of ['memory', 'sqlite'] as const) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iamd-bench-'));
    const server = await startIamd(mode === 'memory' ? ['--memory'] : ['--data-dir', dir]);
    await call(server.url, { Action: 'GetUser' });
    times.push(Number(process.hrtime.bigint() - server.startedAt) / 1e6);
    if (i === 0) {
      await new Promise((r) => setTimeout(r, 1000));
      rows.push([`idle RSS (${mode})`, `${rssMiB(server.child.pid!).toFixed(1)} MiB`]);
    }
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  rows.push([`cold start to first answer (${mode}, median of 5)`, `${median(times).toFixed(0)} ms`]);
}

// SigV4 verification, in process, with the derived key cached as the server has it.
{
  const signed = signRequest(
    { method: 'POST', headers: { host: 'localhost', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=GetUser&Version=2010-05-08' },
    { credentials: ROOT, region: 'us-east-1', service: 'iam' },
  );
  const opts = { now: new Date(), services: ['iam'], lookupSecret: async () => ROOT.secretAccessKey };
  for (let i = 0; i < 2000; i++) await verifySigV4(signed, opts);
  const n = 20_000;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await verifySigV4(signed, opts);
  rows.push(['SigV4 verification (cached key)', `${(Number(process.hrtime.bigint() - start) / 1e3 / n).toFixed(1)} µs`]);
}

// One argon2id hash at the parameters iamd uses.
const hasher = argon2Hasher();
const hashTimes: number[] = [];
for (let i = 0; i < 20; i++) {
  const t = process.hrtime.bigint();
  await hasher.hash(`Bench-Passw0rd-${i}!`);
  hashTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const hashMs = median(hashTimes);
rows.push(['argon2id hash (m=19 MiB, t=2, p=1), median of 20', `${hashMs.toFixed(1)} ms`]);

// ChangePassword with PasswordReusePrevention=24: 1 verify of the old password, 24 verifies
// against the history, 1 hash of the new password, while GetUser is called every 5 ms.
{
  const server = await startIamd(['--memory']);
  const url = server.url;
  await call(url, { Action: 'UpdateAccountPasswordPolicy', PasswordReusePrevention: '24', AllowUsersToChangePassword: 'true' });
  await call(url, { Action: 'CreateUser', UserName: 'bench' });
  await call(url, { Action: 'CreateLoginProfile', UserName: 'bench', Password: 'Bench-0-Passw0rd!' });
  for (let i = 1; i < 24; i++) await call(url, { Action: 'UpdateLoginProfile', UserName: 'bench', Password: `Bench-${i}-Passw0rd!` });
  const keyXml = (await call(url, { Action: 'CreateAccessKey', UserName: 'bench' })).body;
  const user = { accessKeyId: /<AccessKeyId>(\w+)</.exec(keyXml)![1]!, secretAccessKey: /<SecretAccessKey>([^<]+)</.exec(keyXml)![1]! };

  const changeTimes: number[] = [];
  const readLatencies: number[] = [];
  let current = 'Bench-23-Passw0rd!';
  for (let i = 0; i < 5; i++) {
    const next = `Bench-new-${i}-Passw0rd!`;
    let running = true;
    const reader = (async () => {
      while (running) {
        const t = process.hrtime.bigint();
        await call(url, { Action: 'GetUser', UserName: 'bench' });
        readLatencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const t = process.hrtime.bigint();
    const res = await call(url, { Action: 'ChangePassword', OldPassword: current, NewPassword: next }, user);
    changeTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    running = false;
    await reader;
    if (res.status !== 200) throw new Error(`ChangePassword failed: ${res.body}`);
    current = next;
  }
  await server.stop();
  readLatencies.sort((a, b) => a - b);
  rows.push(['ChangePassword, PasswordReusePrevention=24 (26 argon2 operations), median of 5', `${median(changeTimes).toFixed(0)} ms`]);
  rows.push(['  26 x hash time / libuv pool (4 threads, 2 cores)', `${((26 * hashMs) / 2).toFixed(0)} ms if CPU-bound on 2 cores`]);
  rows.push([`GetUser during those changes: p50 / p99 (n=${readLatencies.length})`, `${percentile(readLatencies, 50).toFixed(2)} / ${percentile(readLatencies, 99).toFixed(2)} ms`]);
}

printTable(`iamd core benchmark (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version})`, rows);
