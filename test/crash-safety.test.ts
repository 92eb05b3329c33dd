/**
 * Crash safety (issue 8, point 4): iamd is SIGKILLed in the middle of a write load on SQLite
 * (CreateUser + CreateLoginProfile + UpdateLoginProfile on many users), restarted, and every
 * acknowledged write is there, no write is half there (a login profile always has its history
 * entry, the current hash is the newest history entry), and PRAGMA integrity_check says ok.
 */
import path from 'node:path';
import * as argon2 from '@node-rs/argon2';
import { Database } from '../src/storage/sqlite/better-sqlite3.js';
import { describe, expect, it } from 'vitest';
import { startServer } from './support/server.js';
import { signedQuery } from './support/signed-http.js';
import { sleep, tempDir } from './support/hardening.js';

const CYCLES = 3;
const WORKERS = 12;
const LOAD_MS = 2500;

interface Acked {
  user: boolean;
  profile: boolean;
  update: boolean;
}

describe('crash safety on SQLite', () => {
  it(`survives ${CYCLES} SIGKILLs under write load with no acknowledged write lost and none half-done`, async () => {
    const dir = tempDir('crash');
    const dbFile = path.join(dir, 'iamd.sqlite');
    const acked = new Map<string, Acked>();
    let attempted = 0;
    let crashes = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const server = await startServer({ args: ['--data-dir', dir] });
      let stop = false;
      const worker = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const name = `crash-${cycle}-${w}-${n}`;
          const state: Acked = { user: false, profile: false, update: false };
          acked.set(name, state);
          attempted++;
          try {
            if ((await signedQuery(server.url, { Action: 'CreateUser', UserName: name })).status !== 200) return;
            state.user = true;
            if ((await signedQuery(server.url, { Action: 'CreateLoginProfile', UserName: name, Password: `Crash-${name}-First1!` })).status !== 200) return;
            state.profile = true;
            if ((await signedQuery(server.url, { Action: 'UpdateLoginProfile', UserName: name, Password: `Crash-${name}-Second2!` })).status !== 200) return;
            state.update = true;
          } catch {
            return; // the connection died with the server: not acknowledged
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      await sleep(LOAD_MS);
      server.process.kill('SIGKILL');
      stop = true;
      await server.stop();
      await Promise.all(workers);
      crashes++;
    }

    // Restart once more: the database opens, and then look at every row.
    const server = await startServer({ args: ['--data-dir', dir] });
    await server.stop();
    const db = new Database(dbFile);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const users = new Map((db.prepare('SELECT id, name FROM users').all() as { id: string; name: string }[]).map((u) => [u.name, u.id]));
      const profiles = new Map(
        (db.prepare('SELECT user_id, password_hash FROM login_profiles').all() as { user_id: string; password_hash: string }[]).map((p) => [p.user_id, p.password_hash]),
      );
      const historyOf = (userId: string) =>
        (db.prepare('SELECT password_hash FROM password_history WHERE user_id = ? ORDER BY seq DESC').all(userId) as { password_hash: string }[]).map((r) => r.password_hash);

      let lost = 0;
      let acknowledgedWrites = 0;
      const updated: [string, string][] = [];
      for (const [name, state] of acked) {
        acknowledgedWrites += Number(state.user) + Number(state.profile) + Number(state.update);
        const id = users.get(name);
        if (state.user && !id) lost++;
        if (state.profile && !(id && profiles.has(id))) lost++;
        if (state.update && !(id && historyOf(id).length >= 2)) lost++;
        if (state.update && id) updated.push([name, profiles.get(id)!]);
      }
      // No partial write: every profile has its history, the newest entry being the current hash;
      // no history without a profile.
      let partial = 0;
      for (const [userId, hash] of profiles) {
        const history = historyOf(userId);
        if (history.length === 0 || history[0] !== hash) partial++;
      }
      const orphans = db.prepare('SELECT count(*) AS n FROM password_history WHERE user_id NOT IN (SELECT user_id FROM login_profiles)').get() as { n: number };
      partial += orphans.n;
      // The acknowledged update is the password in force (a sample: argon2 is slow on purpose).
      for (const [name, hash] of updated.slice(0, 12)) expect(await argon2.verify(hash, `Crash-${name}-Second2!`)).toBe(true);

      console.log(
        `crash safety: ${crashes} SIGKILLs survived, ${attempted} users attempted, ${acknowledgedWrites} writes acknowledged, ` +
          `${lost} lost, ${partial} partial, integrity_check ok`,
      );
      expect(crashes).toBe(CYCLES);
      expect(acknowledgedWrites).toBeGreaterThan(50);
      expect(lost).toBe(0);
      expect(partial).toBe(0);
    } finally {
      db.close();
    }
  }, 120_000);
});
