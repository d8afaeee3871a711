import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Names under which a secret may sit in a logged object (config slices, request options, errors). */
const SECRET_KEYS = [
  'token',
  'password',
  'secret',
  'authorization',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'stateSecret',
  'adminToken',
];

/** pino's redaction takes explicit paths: every secret key at the top level and up to three levels down. */
const REDACT = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

/** What a logger writes to: a file descriptor (1 stdout, 2 stderr) or a stream (tests). */
export interface LoggerOptions {
  pretty?: boolean;
  destination?: number;
  stream?: DestinationStream;
}

/** JSON logs on stdout; readable lines when stdout is a terminal. Secrets are redacted either way. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const pretty = options.stream ? false : (options.pretty ?? Boolean(process.stdout.isTTY));
  const base = { level, base: { app: 'psf-bot' }, redact: { paths: REDACT, censor: '[redacted]' } };
  if (pretty) {
    return pino({
      ...base,
      transport: {
        target: 'pino-pretty',
        options: { colorize: true, destination: options.destination ?? 1 },
      },
    });
  }
  return pino(base, options.stream ?? pino.destination(options.destination ?? 1));
}

/** A logger that drops everything (tests, quiet CLI paths). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
