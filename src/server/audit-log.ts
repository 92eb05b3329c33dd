import fs from 'node:fs';
import type { AuditEvent, AuditSink } from '../protocol/audit.js';
import type { Log } from '../ports/runtime.js';
import { writeLineSync } from './logger.js';

/**
 * The audit trail's destination (IAMD_AUDIT_LOG): `-` for stdout, else a file, appended to and
 * created readable by the owner only. Each event is one line, written synchronously before the
 * response leaves (never through the log's asynchronous buffer), so an answered mutating call is
 * always in the trail. A failed write (a full disk, a closed stdout) must not fail the request
 * whose change is already made: it is logged at error level instead.
 */
export function openAuditLog(target: string | undefined, log: Log): (AuditSink & { close(): void }) | undefined {
  if (target === undefined || target === '') return undefined;
  const fd = target === '-' ? 1 : fs.openSync(target, 'a', 0o600);
  let open = true;
  return {
    write: (event: AuditEvent) => {
      if (!open) return;
      try {
        writeLineSync(fd, JSON.stringify(event));
      } catch (e) {
        log.error('writing the audit trail failed', { requestId: event.requestID, error: String(e) });
      }
    },
    close: () => {
      if (!open) return;
      open = false;
      if (fd !== 1) fs.closeSync(fd);
    },
  };
}
