// A small leveled logger: one line per message, component first, so `kubelab serve` output reads like a cluster log.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: LogLevel = (process.env.KUBELAB_LOG as LogLevel) in order ? (process.env.KUBELAB_LOG as LogLevel) : 'info';
let sink: (line: string, level: LogLevel) => void = (line, level) =>
  (level === 'error' || level === 'warn' ? process.stderr : process.stderr).write(line + '\n');

export function setLogLevel(level: LogLevel): void {
  threshold = level;
}

/** Redirect log lines (the Electron app shows them; tests silence them). */
export function setLogSink(fn: (line: string, level: LogLevel) => void): void {
  sink = fn;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export function logger(component: string): Logger {
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[level] < order[threshold]) return;
    const extra = fields
      ? ' ' +
        Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ')
      : '';
    sink(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${component}] ${msg}${extra}`, level);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

/** Marks the log line of a promise rejected with no handler: test/fixtures/serve.ts fails a test that causes one. */
export const UNHANDLED_REJECTION = 'unhandled promise rejection (a bug in kubelab)';

/**
 * A rejection nobody handles is a bug, but one stream's or one request's bug must not end a lab with its
 * pods: log it loudly, with its stack, and keep serving (Node's default would exit). For `kubelab serve`.
 */
export function logUnhandledRejections(): void {
  const log = logger('process');
  process.on('unhandledRejection', (reason) => {
    log.error(UNHANDLED_REJECTION, { error: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason) });
  });
}
