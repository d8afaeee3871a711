/**
 * What a feed host says about how often it wants to be fetched: `Cache-Control: max-age` (minus `Age`) on a
 * success, `Retry-After` on a 429 or 503. Both are the host's text: parsed strictly, never trusted past
 * `HOST_DELAY_CAP_MS`, so a hostile or broken header can slow one feed down to once a day but never stop it.
 */

/** The longest a host's header can hold a feed back. */
export const HOST_DELAY_CAP_MS = 24 * 3_600_000;

/**
 * How long a fetched body stays fresh, from `Cache-Control` and `Age`: null when the host says nothing usable
 * (no max-age, `no-cache`/`no-store`, or a malformed value). `s-maxage` is for shared caches and ignored.
 */
export function freshnessMs(cacheControl: string | undefined, age: string | undefined): number | null {
  if (!cacheControl) return null;
  let maxAge: number | null = null;
  for (const directive of cacheControl.toLowerCase().split(',')) {
    const [name = '', value] = directive.trim().split('=', 2);
    if (name === 'no-cache' || name === 'no-store') return null;
    if (name === 'max-age') maxAge = deltaSeconds(value);
  }
  if (maxAge === null) return null;
  const fresh = maxAge - (deltaSeconds(age) ?? 0);
  return fresh > 0 ? Math.min(fresh * 1000, HOST_DELAY_CAP_MS) : null;
}

/** `Retry-After` as delta-seconds or an HTTP date, in ms from `now`; null when absent, past or malformed. */
export function retryAfterMs(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  const seconds = deltaSeconds(value);
  const ms = seconds !== null ? seconds * 1000 : httpDate(value) - now.getTime();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, HOST_DELAY_CAP_MS) : null;
}

function deltaSeconds(value: string | undefined): number | null {
  const text = value?.trim().replace(/^"(.*)"$/, '$1');
  return text && /^\d{1,10}$/.test(text) ? Number(text) : null;
}

/** An IMF-fixdate (the only form HTTP allows senders to generate); anything else is NaN. */
function httpDate(value: string): number {
  const text = value.trim();
  return /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)
    ? Date.parse(text)
    : NaN;
}
