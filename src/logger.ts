import { pino, type DestinationStream, type Logger } from 'pino';
import { boundText, redactText } from './redaction.js';

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
  'metricsToken',
  'currentKey',
  'oldKeys',
];

/** pino's redaction takes explicit paths: every secret key at the top level and up to three levels down. */
const REDACT = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);
/**
 * ioredis puts the failed command on a reply error (`err.command.args`): for a rejected AUTH that is the
 * Redis password, and a cluster error nests it (`err.lastNodeError.command.args`).
 */
REDACT.push('*.command.args', '*.*.command.args', '*.*.*.command.args');

/** A log line longer than this has each of its strings cut to `LOG_STRING_CAP` (a feed can send megabytes). */
const LINE_CAP = 16 * 1024;

/** Each finished line: scrubbed of secrets inside free text (URLs, tokens), which key paths miss, then bounded. */
function finishLine(line: string): string {
  const clean = redactText(line);
  return clean.length <= LINE_CAP ? clean : boundLine(clean);
}

function boundLine(line: string): string {
  try {
    return `${JSON.stringify(boundStrings(JSON.parse(line)))}\n`;
  } catch {
    return `${boundText(line, LINE_CAP)}\n`;
  }
}

function boundStrings(value: unknown): unknown {
  if (typeof value === 'string') return boundText(value);
  if (Array.isArray(value)) return value.slice(0, 100).map(boundStrings);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, boundStrings(item)]));
}

/** What a logger writes to: a file descriptor (1 stdout, 2 stderr) or a stream (tests). */
export interface LoggerOptions {
  pretty?: boolean;
  destination?: number;
  stream?: DestinationStream;
}

/** JSON logs on stdout; readable lines when stdout is a terminal. Secrets are redacted either way. */
export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const pretty = options.stream ? false : (options.pretty ?? Boolean(process.stdout.isTTY));
  const base = {
    level,
    base: { app: 'psf-bot' },
    redact: { paths: REDACT, censor: '[redacted]' },
    hooks: { streamWrite: finishLine },
  };
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
