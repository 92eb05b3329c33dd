/**
 * JSON lines on stderr. Callers pass only what is safe to keep: no request parameters, so no
 * password or secret can reach a log by accident.
 */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  access(fields: Record<string, unknown>): void;
}

export function jsonLogger(options: { access: boolean }): Logger {
  const write = (level: string, message: string, fields?: Record<string, unknown>) =>
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }) + '\n');
  return {
    info: (message, fields) => write('info', message, fields),
    error: (message, fields) => write('error', message, fields),
    access: (fields) => {
      if (options.access) write('info', 'request', fields);
    },
  };
}
