import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeTime } from '../../../src/core/audit/normalize-event.js';

// The reference: the stamp cut to milliseconds when Date.parse takes it as a time, else null.
function reference(value: string): string | null {
  const utc = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(value);
  if (utc === null) return 'not-utc-form';
  const stamp = `${utc[1] ?? ''}.${(utc[2] ?? '').padEnd(3, '0').slice(0, 3)}Z`;
  return Number.isFinite(Date.parse(stamp)) ? stamp : null;
}

test('a UTC audit time is kept to the millisecond exactly when it is a real time: every month\'s last days, leap days, hour 24, minute and second 60 checked against Date.parse', () => {
  const two = (n: number) => String(n).padStart(2, '0');
  let checked = 0;
  for (const year of ['0000', '1900', '2000', '2024', '2026', '9999']) {
    for (let month = 0; month <= 13; month += 1) {
      for (const day of [0, 1, 27, 28, 29, 30, 31, 32, 99]) {
        for (const time of ['00:00:00', '23:59:59', '24:00:00', '12:60:00', '12:00:60', '99:99:99']) {
          for (const fraction of ['', '.1', '.123456789']) {
            const value = `${year}-${two(month)}-${two(day)}T${time}${fraction}Z`;
            assert.equal(normalizeTime(value), reference(value), value);
            checked += 1;
          }
        }
      }
    }
  }
  assert.ok(checked > 10_000);
  assert.equal(normalizeTime('2026-12-07T06:00:00.123456Z'), '2026-12-07T06:00:00.123Z');
});
