import { z } from 'zod';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `30s`, `5m`, `1h`, `7d`, `250ms` or a plain number of milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1);
  return Number.isFinite(value) ? Math.round(value) : null;
}

/** A duration (`30s`, `5m`), refused in plain words when malformed or not positive. */
export const duration = (what: string) =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null) {
      ctx.addIssue({
        code: 'custom',
        message: `${what} must look like 30s, 5m, 1h, 7d or milliseconds (got "${text}")`,
      });
      return z.NEVER;
    }
    if (ms <= 0) {
      ctx.addIssue({ code: 'custom', message: `${what} must be positive, e.g. 30s or 5m (got "${text}")` });
      return z.NEVER;
    }
    return ms;
  });

/**
 * A whole number in a range, refused in the operator's words (`PORT must be a number from 1 to 65535`), not the
 * validation library's. Empty counts as unset, so a blank line in .env keeps the default.
 */
export const wholeNumber = (
  what: string,
  min: number,
  max: number,
  fallback: number,
  range = `from ${min} to ${max}`,
) =>
  z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback;
      const value = Number(text.trim());
      if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} must be a number ${range} (got "${text}")`.replace(', (', ' ('),
        });
        return z.NEVER;
      }
      return value;
    });

/** One of a few words, refused in plain words. */
export const oneOf = <const T extends readonly [string, ...string[]]>(what: string, values: T) =>
  z.enum(values, {
    error: (issue) => `${what} must be one of ${values.join(', ')} (got "${String(issue.input)}")`,
  });

/** A yes/no switch (`1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`), off when unset, refused in plain words. */
export const flag = (what: string) =>
  z.stringbool({ error: (issue) => `${what} must be 1 or 0 (got "${String(issue.input)}")` }).default(false);

/** Optional text, trimmed; blank counts as unset. */
export const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));

/** An http(s) URL, refused in plain words. */
export const httpUrl = (what: string) =>
  z.string().refine((value) => /^https?:\/\/\S+$/.test(value), { message: `${what} must be an http(s) URL` });
