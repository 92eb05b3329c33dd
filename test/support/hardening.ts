/** Helpers for the hardening suites (secrets at rest, audit, limits, races, crashes, fuzzing). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ACCOUNT_ID } from './server.js';

export const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), `iamd-${prefix}-`));

/** A console sign-in as a browser does it (CSRF cookie and token first); the response, unfollowed. */
export async function consoleSignIn(url: string, userName: string, password: string, headers: Record<string, string> = {}): Promise<Response> {
  const page = await fetch(`${url}/console`);
  const cookie = page.headers.getSetCookie().find((c) => c.startsWith('iamd_csrf='))!.split(';')[0]!;
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return fetch(`${url}/console/signin`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ csrf: token, account: ACCOUNT_ID, username: userName, password }),
    redirect: 'manual',
  });
}

/** Which of the needles occur in any of the files (as UTF-8, UTF-16LE or base64 of UTF-8). */
export function findInFiles(files: string[], needles: string[]): { file: string; needle: string }[] {
  const found: { file: string; needle: string }[] = [];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const bytes = fs.readFileSync(file);
    for (const needle of needles) {
      const forms = [Buffer.from(needle, 'utf8'), Buffer.from(needle, 'utf16le'), Buffer.from(Buffer.from(needle).toString('base64').replace(/=+$/, ''))];
      if (forms.some((f) => bytes.includes(f))) found.push({ file, needle });
    }
  }
  return found;
}

/** The peak resident set size of a process, in bytes (Linux /proc). */
export function peakRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]);
  return kb * 1024;
}

export function currentRss(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

/** Every JSON line of a file (the audit trail). */
export function jsonLines(file: string): Record<string, any>[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, any>);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
