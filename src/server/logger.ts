import fs from 'node:fs';
import { pino, type DestinationStream, type Logger as Pino } from 'pino';
import type { Log } from '../ports/runtime.js';

/** One access log line's members, in the order written; absent ones are left out. */
export interface AccessLine {
  method?: string;
  path: string;
  status: number;
  ms: number;
  requestId: string;
  action?: string;
  principal?: string;
  errorCode?: string;
  errorDetail?: string;
}

/**
 * Every line the server writes goes through here:
 * - log lines (start-up, errors, the access log): JSON, one object a line, on stderr, through pino
 *   (the access line through its own serialiser, in pino's format) into a buffered writer
 *   (sonic-boom). Access lines are handed to it in chunks of ACCESS_BUFFER_CHARS, or
 *   ACCESS_FLUSH_MS after the first line of a chunk if fewer come (as nginx's `access_log …
 *   buffer= flush=`), so a request pays for serialising its line, not for a write system call.
 *   A regular file is written synchronously (isRegularFile); anything else asynchronously, and
 *   lines that arrive while a write is in flight go out together in the next one;
 * - the lines meant for stdout (the listening URL, first-start credentials, the audit trail with
 *   IAMD_AUDIT_LOG=-): written synchronously by `stdoutLines`, since the audit trail promises that
 *   an answered change is already written.
 * Callers pass only what is safe to keep (no request parameters, no secrets); pino's redaction
 * censors known secret names anyway, should one slip in.
 *
 * A closed stderr or stdout (EPIPE: the reader exited) neither crashes nor stalls the server: log
 * lines are dropped from then on, and stdout writes fail fast (the audit trail reports it).
 */
export interface Logger extends Log {
  access(line: AccessLine): void;
  /**
   * At shutdown: the write under way finishes, then everything buffered is written, in order;
   * resolves when it is out (or the reader is gone, or after `timeoutMs` of a reader that does
   * not read). Later lines are dropped.
   */
  close(timeoutMs?: number): Promise<void>;
  /**
   * Writes out what is buffered, synchronously: the last resort in a process 'exit' handler (an
   * uncaught exception). A write under way at that moment may land after these lines or not at
   * all; an orderly shutdown uses close().
   */
  flush(): void;
}

/**
 * Member names whose values are never written. Top level only: iamd's lines are flat, and pino's
 * wildcard paths (`*.password`) tripled the cost of every line (bench/access-log-lines.ts).
 */
export const REDACTED_FIELDS = [
  'password', 'Password', 'OldPassword', 'NewPassword', 'newPassword', 'oldPassword',
  'secret', 'secretAccessKey', 'SecretAccessKey', 'sessionToken', 'SessionToken', 'token', 'cookie',
  'authorization', 'Authorization', 'privateKey', 'PrivateKey', 'seed', 'Base32StringSeed',
];

/** Beyond this much unwritten (a reader that stopped reading), lines are dropped, not buffered. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * Access lines are written once this many characters of them wait (about 60 lines), or this long
 * after the first of them: one write(2) for many requests, not one a turn of the event loop. A turn
 * under load answers a few requests, so a write a turn was a system call and a trip through the
 * writer every few requests (bench/server-instructions.ts: 8,900 instructions a write, besides the
 * call's own time in the kernel). 100 ms is the longest a line waits: short for a person or a log
 * shipper watching, long enough that a server answering hundreds of requests a second writes only
 * full chunks. Error and start-up lines are written at once, after the access lines before them.
 */
export const ACCESS_BUFFER_CHARS = 16 * 1024;
export const ACCESS_FLUSH_MS = 100;

export function jsonLogger(options: { access: boolean; fd?: number }): Logger {
  const fd = options.fd ?? 2;
  const destination = pino.destination({ fd, sync: isRegularFile(fd), minLength: 0, maxLength: MAX_BUFFERED_BYTES });
  let closed = false;
  // EPIPE and the like: nobody reads the lines any more. Without a listener the 'error' event
  // would end the process; with it, later lines are dropped instead of retried for ever.
  destination.on('error', () => {
    closed = true;
  });
  const log = pinoFor(destination);
  // Access lines waiting to be handed to the writer together (ACCESS_BUFFER_CHARS, ACCESS_FLUSH_MS).
  let accessLines: string[] = [];
  let accessChars = 0;
  let accessTimer: NodeJS.Timeout | undefined;
  const writeAccessLines = (): void => {
    if (accessTimer !== undefined) clearTimeout(accessTimer);
    accessTimer = undefined;
    const lines = accessLines;
    accessLines = [];
    accessChars = 0;
    if (!closed && lines.length > 0) destination.write(lines.join(''));
  };
  return {
    info: (message, fields) => {
      if (closed) return;
      writeAccessLines(); // the lines before it stay before it
      log.info({ message, ...fields });
    },
    error: (message, fields) => {
      if (closed) return;
      writeAccessLines();
      log.error({ message, ...fields });
    },
    access: (line) => {
      if (!options.access || closed) return;
      const text = accessLine(line);
      accessLines.push(text);
      accessChars += text.length;
      if (accessChars >= ACCESS_BUFFER_CHARS) writeAccessLines();
      // unref: a line waiting to be written does not keep the process alive (close() and flush() write it).
      else if (accessTimer === undefined) accessTimer = setTimeout(writeAccessLines, ACCESS_FLUSH_MS).unref();
    },
    close: (timeoutMs = 2_000) =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        writeAccessLines();
        closed = true;
        const timer = setTimeout(resolve, timeoutMs).unref();
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        destination.once('close', done);
        destination.once('error', done);
        destination.end();
      }),
    flush: () => {
      if (closed) return;
      try {
        writeAccessLines();
        destination.flushSync();
      } catch {
        closed = true; // the reader is gone: nothing more to save
      }
    },
  };
}

/**
 * Whether `fd` is a regular file. A write there lands in the page cache and never waits for a
 * reader, so it is written synchronously: a turn's access lines cost one write(2) on the main
 * thread (about 6-12 µs for 8 KB), where handing them to libuv's thread pool cost 35-45 µs of CPU
 * (measured, scratch script; the hand-off's futex and wake-ups, not the write). A pipe, socket or
 * terminal may have a reader that stops reading, so those keep the asynchronous writer.
 */
function isRegularFile(fd: number): boolean {
  try {
    return fs.fstatSync(fd).isFile();
  } catch {
    return false;
  }
}

/**
 * `new Date(ms).toISOString()` for whole milliseconds (Date.now()), made from the second's text,
 * which is kept, and the milliseconds: toISOString cost 4,400 instructions a call, about a fifth
 * of an access line's cost (bench/server-instructions.ts), and a server that is not flooded
 * writes each line in a millisecond of its own.
 */
let isoSecond = Number.NaN;
let isoSecondText = ''; // "2026-12-06T10:29:57."
let isoMs = Number.NaN;
let isoText = '';
export function isoTimestamp(ms: number): string {
  if (ms !== isoMs) {
    const second = Math.floor(ms / 1000);
    if (second !== isoSecond) {
      isoSecond = second;
      isoSecondText = new Date(second * 1000).toISOString().slice(0, -4);
    }
    const milli = ms - second * 1000;
    isoMs = ms;
    isoText = `${isoSecondText}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
  return isoText;
}

/**
 * The access line, in pino's format (as pinoFor writes it) but serialised here: it is written for
 * every request and its members are fixed and never secret (no parameters), so it skips pino's
 * generic object walk and redaction, which cost more than the rest of a cheap read's logging.
 */
export function accessLine(a: AccessLine): string {
  let line = `{"level":"info","time":"${isoTimestamp(Date.now())}","message":"request"`;
  if (a.method !== undefined) line += `,"method":${jsonString(a.method)}`;
  line += `,"path":${jsonString(a.path)},"status":${a.status},"ms":${a.ms},"requestId":${jsonString(a.requestId)}`;
  if (a.action !== undefined) line += `,"action":${jsonString(a.action)}`;
  if (a.principal !== undefined) line += `,"principal":${jsonString(a.principal)}`;
  if (a.errorCode !== undefined) line += `,"errorCode":${jsonString(a.errorCode)}`;
  if (a.errorDetail !== undefined) line += `,"errorDetail":${jsonString(a.errorDetail)}`;
  return `${line}}\n`;
}

/**
 * What JSON.stringify escapes in a string: a quote, a backslash, a control character, a lone
 * surrogate (this matches either half of a pair too; JSON.stringify then keeps the pair as it is).
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * JSON.stringify(s), without calling it for the common string that needs no escape (a request id,
 * an action, an ARN): a regular expression's test costs a quarter of the call (callgrind, whole
 * server: JSON.stringify of the line's five strings was 6k instructions a request).
 */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * The line format (README, "Logs"): {"level":"info","time":"<ISO 8601>","message":"...",...fields}.
 * The message is passed as the object's first member (not as pino's msg argument, which pino puts
 * last), so it stays where iamd's lines always had it. No pid or hostname: a process supervisor
 * knows them, and they cost bytes on every line.
 */
export function pinoFor(destination: DestinationStream): Pino {
  return pino(
    {
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_FIELDS, censor: '[redacted]' },
    },
    destination,
  );
}

/**
 * Synchronous lines on stdout, for what must be written before anything else happens (an audit
 * event before its response leaves). A full pipe is waited for; a closed one (EPIPE) throws, for
 * the caller to report, and is not retried.
 */
export function writeLineSync(fd: number, line: string): void {
  const bytes = Buffer.from(line.endsWith('\n') ? line : `${line}\n`);
  for (let off = 0; off < bytes.length; ) {
    try {
      off += fs.writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      // A non-blocking pipe that is full: its reader is alive but behind. Wait a millisecond.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/** The CLI's messages to a person on stderr (a refused setting, a failed start), before it exits. */
export function printError(text: string): void {
  try {
    writeLineSync(2, text);
  } catch {
    // stderr closed: nobody to tell.
  }
}

/** The CLI's own lines on stdout (the listening URL, first-start credentials): dropped if stdout is closed. */
export function printLine(text: string): void {
  try {
    writeLineSync(1, text);
  } catch {
    // stdout closed: the line has no reader; the server goes on.
  }
}
