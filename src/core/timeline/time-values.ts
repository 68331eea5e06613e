/** Parsing and normalising the times found in evidence (untrusted text) into ISO 8601 UTC with milliseconds. Pure. */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds since the epoch of an RFC 3339 time (zone required) or a bare date (midnight UTC); null for anything else. */
export function parseIsoTime(value: unknown): number | null {
  if (typeof value !== 'string' || value.length > 40) return null;
  const date = DATE_ONLY.exec(value);
  if (date !== null) return checked(`${value}T00:00:00.000Z`, Number(date[1]), Number(date[2]), Number(date[3]));
  const m = RFC3339.exec(value);
  if (m === null) return null;
  const fraction = (m[7] ?? '').padEnd(3, '0').slice(0, 3);
  const zone = m[8] === 'z' ? 'Z' : m[8];
  return checked(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${fraction}${zone}`, Number(m[1]), Number(m[2]), Number(m[3]));
}

function checked(text: string, year: number, month: number, day: number): number | null {
  if (year < 1970 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** The ISO 8601 UTC form (`…T…:…:….mmmZ`) of a time found in evidence, or null when it is not a valid time. */
export function isoUtc(value: unknown): string | null {
  const ms = parseIsoTime(value);
  return ms === null ? null : isoFromMs(ms);
}

/** ISO 8601 UTC with milliseconds from epoch milliseconds (years 1970-9999). */
export function isoFromMs(ms: number): string | null {
  if (!Number.isFinite(ms) || ms < 0 || ms >= 253402300800000) return null;
  return new Date(Math.floor(ms)).toISOString();
}
