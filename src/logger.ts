import { pino, type Logger } from 'pino';

export type { Logger };

/** Paths of secrets that must never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'token',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.botToken',
  '*.signingSecret',
  '*.clientSecret',
  '*.stateSecret',
  '*.appToken',
  'headers.authorization',
  '*.headers.authorization',
];

/** JSON logs on stdout; readable lines when stdout is a terminal. */
export function createLogger(
  level: string,
  options: { pretty?: boolean; destination?: number } = {},
): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  return pino(
    {
      level,
      base: { app: 'psf-bot' },
      redact: { paths: REDACT, censor: '[redacted]' },
      ...(pretty
        ? {
            transport: {
              target: 'pino-pretty',
              options: { colorize: true, destination: options.destination ?? 1 },
            },
          }
        : {}),
    },
    pretty ? undefined : pino.destination(options.destination ?? 1),
  );
}

/** A logger that drops everything (tests, quiet CLI paths). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
