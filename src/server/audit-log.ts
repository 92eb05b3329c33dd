import fs from 'node:fs';
import type { AuditEvent, AuditSink } from '../protocol/audit.js';

/**
 * The audit trail's destination (IAMD_AUDIT_LOG): `-` for stdout, else a file, appended to and
 * created readable by the owner only. Each event is one line, written synchronously before the
 * response leaves, so an answered mutating call is always in the trail.
 */
export function openAuditLog(target: string | undefined): (AuditSink & { close(): void }) | undefined {
  if (target === undefined || target === '') return undefined;
  if (target === '-') {
    return { write: (event: AuditEvent) => void process.stdout.write(JSON.stringify(event) + '\n'), close: () => {} };
  }
  const fd = fs.openSync(target, 'a', 0o600);
  let open = true;
  return {
    write: (event: AuditEvent) => {
      if (!open) return;
      const line = Buffer.from(JSON.stringify(event) + '\n');
      try {
        for (let off = 0; off < line.length; ) off += fs.writeSync(fd, line, off);
      } catch (e) {
        // A full disk must not fail the request whose change is already made; say so loudly.
        process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', message: 'writing the audit trail failed', requestId: event.requestID, error: String(e) }) + '\n');
      }
    },
    close: () => {
      if (!open) return;
      open = false;
      fs.closeSync(fd);
    },
  };
}
