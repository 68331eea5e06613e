// Times as a reviewer reads them: ISO 8601 UTC beside how long ago (or how soon) that is, from a
// clock the caller passes in; pure, no I/O. Hostile input (not a time, out of range) stays as given.

const UNITS: readonly [number, string][] = [[365 * 86400_000, 'y'], [86400_000, 'd'], [3600_000, 'h'], [60_000, 'min'], [1000, 's']];

/**
 * Says a duration in its two largest units: `3 d 4 h`, `12 min 5 s`, `0 s`.
 *
 * @example spanText(93_784_000) // '1 d 2 h'
 */
export function spanText(ms: number): string {
  const total = Math.abs(Math.round(ms));
  const first = UNITS.findIndex(([size]) => total >= size);
  if (first < 0) return '0 s';
  const [size, unit] = UNITS[first] ?? [1000, 's'];
  const n = Math.floor(total / size);
  const next = UNITS[first + 1];
  const m = next === undefined ? 0 : Math.floor((total - n * size) / next[0]);
  return next === undefined || m === 0 ? `${n} ${unit}` : `${n} ${unit} ${m} ${next[1]}`;
}

/**
 * Says when `at` (ms since the epoch) is from `now`: `5 min ago`, `in 2 d 3 h`, `now`.
 *
 * @example relativeText(0, 90_000) // '1 min 30 s ago'
 */
export function relativeText(at: number, now: number): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta < 0 ? `${spanText(-delta)} ago` : `in ${spanText(delta)}`;
}

// 0001-01-01 to 9999-12-31: what an ISO 8601 year of four digits can say.
const MIN_MS = -62135596800000;
const MAX_MS = 253402300799999;

/** Parses an ISO 8601 date-time with an explicit zone (Z or ±hh:mm); null when it is not one. */
export function parseIsoTime(text: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Shows an ISO time with its distance from `now`: `2026-11-27T04:56:55.265Z (3 d 2 h ago)`. Text
 * that is not an ISO time with a zone comes back unchanged, for the caller to escape.
 *
 * @example isoWithRelative('2026-11-27T04:56:55Z', Date.parse('2026-11-27T05:56:55Z')) // '2026-11-27T04:56:55Z (1 h ago)'
 */
export function isoWithRelative(text: string, now: number): string {
  const at = parseIsoTime(text);
  return at === null ? text : `${text} (${relativeText(at, now)})`;
}

/**
 * Shows seconds since the epoch (a JWT's exp, iat, nbf) as ISO UTC with its distance from `now`;
 * null when the value is not a finite number of seconds within years 1–9999.
 *
 * @example epochSecondsText(1828151253, Date.parse('2026-12-07T03:47:33Z')) // '2027-12-07T03:47:33.000Z (in 1 y)'
 */
export function epochSecondsText(seconds: unknown, now: number): string | null {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return null;
  const ms = seconds * 1000;
  if (ms < MIN_MS || ms > MAX_MS) return null;
  return `${new Date(ms).toISOString()} (${relativeText(ms, now)})`;
}
