/**
 * The one pino logger of a process (API or worker) and the Nest logger over it.
 *
 * `json` writes one object per line for log collectors (production's default): `time`, `level`, `app`,
 * `context` (the Nest logger's name), `msg`; `reqId` on the API's access lines and on the worker's lines of
 * a job that a request queued.
 * `pretty` writes text for people (pino-pretty, synchronous: no worker thread). Every line goes through
 * redactSecrets before it is written, so no signature, token or password reaches the output, whoever
 * logged it. Writes are synchronous: a line logged just before the process exits is not lost.
 */
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { pino, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';
import { redactSecrets } from './redact.js';

export type LogFormat = 'json' | 'pretty';

/** LOG_LEVEL's names (Nest's) in pino's. */
const PINO_LEVELS: Record<string, string> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

export interface LoggerSettings {
  /** `api` or `worker`: in every line, to tell the two apart in one stream. */
  app: string;
  /** LOG_LEVEL: fatal, error, warn, log, debug or verbose. */
  level: string;
  format: LogFormat;
}

let installed: PinoLogger | undefined;
let root: Logger | undefined;

/**
 * Makes the process's logger and answers the Nest logger over it (NestFactory's `logger`). Nest's
 * `new Logger(context)` anywhere then writes through it, with the bindings of withLogContext when it
 * runs inside one (the worker's jobs).
 */
export function installLogger(settings: LoggerSettings): NestPinoLogger {
  root = createRootLogger(settings);
  installed = new PinoLogger({ pinoHttp: { logger: root } });
  if (settings.format === 'json') {
    // Node's process warnings (deprecations, a library's notice) as log lines too, not text on stderr.
    const node = root.child({ context: 'Node' });
    process.removeAllListeners('warning');
    process.on('warning', (warning) => node.warn({ name: warning.name }, warning.message));
  }
  return new NestPinoLogger(installed, {});
}

/** The installed pino logger with `context`, for the HTTP access lines (its own fields, no Nest format). */
export function contextLogger(context: string): Logger {
  if (!root) throw new Error('installLogger() runs first');
  return root.child({ context });
}

/**
 * Logs a process's start ("listening on", "worker started") whatever LOG_LEVEL is: people and
 * orchestration scripts wait for it, as they did for the text line before.
 */
export function announce(context: string, message: string): void {
  if (!root) return void console.log(message);
  root.child({ context }, { level: 'info' }).info(message);
}

/** Fields the text format folds into the message line rather than printing one per line. */
const ONE_LINE_FIELDS = ['reqId', 'method', 'route', 'url', 'status', 'ms', 'queue', 'jobId'];

/** `[context] message`, an access line as `GET /url 200 3 ms`, and the request id at the end. */
function oneLine(log: Record<string, unknown>, messageKey: string): string {
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  const context = log.context ? `[${text(log.context)}] ` : '';
  const message =
    log.context === 'HTTP'
      ? `${text(log.method)} ${text(log.url)} ${text(log.status)} ${text(log.ms)} ms`
      : text(log[messageKey]);
  return `${context}${message}${log.reqId ? ` (${text(log.reqId)})` : ''}`;
}

export function createRootLogger({ app, level, format }: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: PINO_LEVELS[level] ?? 'info',
    base: { app, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    hooks: { streamWrite: redactSecrets },
  };
  if (format === 'pretty') {
    const stream = pretty({
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: `pid,hostname,app,context,${ONE_LINE_FIELDS.join(',')}`,
      messageFormat: (log, messageKey) => `${app} ${oneLine(log, messageKey)}`,
    });
    return pino(options, stream);
  }
  return pino(
    { ...options, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ dest: 1, sync: true }),
  );
}

/**
 * The error that stops the process, as a fatal line; before the logger exists (the configuration was
 * refused) as text on stderr, whose message names no secret (libs/config).
 */
export function logFatal(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  if (root) root.fatal({ err: error }, message);
  else console.error(redactSecrets(message));
}

/**
 * Runs `work` with `bindings` (a job's queue, id and `reqId`) on every line logged inside it, across its
 * awaits (AsyncLocalStorage: cheap per job, too dear per request on Node 20, see request-observer.ts).
 * Without an installed logger it only runs `work`.
 */
export function withLogContext<T>(bindings: Record<string, string | undefined>, work: () => T): T {
  return installed ? installed.runInContext(work, { bindings }) : work();
}
