/** A sweep's window start from an ISO time or a duration before now. Pure. */
import { UsageError } from '../errors.js';

/** A duration a sweep window may be given as: 30m, 6h, 2d. */
export const SWEEP_DURATION = /^(\d{1,5})([mhd])$/;

/** The sweep's start as ISO UTC: an ISO time, or `30m`/`6h`/`2d` before `now` (default 24h). */
export function sweepSince(value: string | boolean | undefined, now: Date): string {
  const text = typeof value === 'string' ? value : '24h';
  const relative = SWEEP_DURATION.exec(text);
  if (relative !== null) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const parsed = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(parsed)) throw new UsageError(`--since ${text} is neither an ISO time (2026-01-02T03:04:05Z) nor a duration (30m, 6h, 2d).`);
  return new Date(parsed).toISOString();
}

/** Where a sweep step's window starts, and why there. */
export interface SweepWindow {
  since: string;
  from: 'incident start given (--since)' | "the leaked token's issue time (iat)" | 'the playbook step\'s default window';
}

/**
 * A playbook sweep's window: the incident start the responder gave, else the earliest issue time of the
 * leaked tokens (nothing can have been made with a token before it existed), else the step's duration.
 */
export function sweepWindow(input: { given: string | undefined; leakedIssuedAt: readonly number[]; duration: string; now: Date }): SweepWindow {
  if (input.given !== undefined) return { since: sweepSince(input.given, input.now), from: 'incident start given (--since)' };
  const issued = input.leakedIssuedAt.filter((s) => Number.isFinite(s) && s > 0 && s * 1000 <= input.now.getTime());
  if (issued.length > 0) return { since: new Date(Math.min(...issued) * 1000).toISOString(), from: "the leaked token's issue time (iat)" };
  return { since: sweepSince(input.duration, input.now), from: 'the playbook step\'s default window' };
}
