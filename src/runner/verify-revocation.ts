/**
 * Proves revocation: every live token is sent to TokenReview until it stops authenticating (bound
 * tokens take some seconds after their pod or ServiceAccount goes; the API server caches reviews), with
 * the times of each answer, and a token still valid at the deadline is reported as such, not hidden.
 */
import type { LiveTokenHandle } from '../core/credentials/live-token.js';
import { messageOf } from '../core/errors.js';

/** The verdict for one token. */
export interface TokenCheck {
  fingerprint: string;
  subject: string | null;
  beforeAuthenticated: boolean | null;
  rejectedAt: string | null;
  secondsToReject: number | null;
  checks: number;
  lastError: string | null;
  outcome: 'revoked' | 'still-valid' | 'unknown';
}

/** How to ask the API server about a token, and the clock. */
export interface VerifyPorts {
  review(token: string): Promise<{ authenticated: boolean; error: string | null }>;
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** Reviews each token once, before any change, to know which were live. */
export async function reviewBefore(tokens: readonly LiveTokenHandle[], ports: VerifyPorts): Promise<Map<string, boolean | null>> {
  const result = new Map<string, boolean | null>();
  for (const token of tokens) {
    try {
      result.set(token.fingerprint, (await ports.review(token.reveal())).authenticated);
    } catch {
      result.set(token.fingerprint, null);
    }
  }
  return result;
}

/** Polls every token until TokenReview rejects it or `deadlineMs` passes; `onPoll` hears, after each round, how many are still accepted. */
export async function waitUntilRejected(tokens: readonly LiveTokenHandle[], before: Map<string, boolean | null>, ports: VerifyPorts, options: { deadlineMs: number; intervalMs: number; onPoll?: (pending: number, total: number) => void }): Promise<TokenCheck[]> {
  const start = ports.now().getTime();
  const checks = tokens.map((token): TokenCheck => ({ fingerprint: token.fingerprint, subject: token.subject, beforeAuthenticated: before.get(token.fingerprint) ?? null, rejectedAt: null, secondsToReject: null, checks: 0, lastError: null, outcome: 'unknown' }));
  for (;;) {
    for (const [i, token] of tokens.entries()) {
      const check = checks[i];
      if (check === undefined || check.outcome === 'revoked') continue;
      check.checks += 1;
      try {
        const verdict = await ports.review(token.reveal());
        if (!verdict.authenticated) {
          const at = ports.now();
          check.outcome = 'revoked';
          check.rejectedAt = at.toISOString();
          check.secondsToReject = Math.round((at.getTime() - start) / 100) / 10;
        } else {
          check.outcome = 'still-valid';
        }
      } catch (error) {
        check.lastError = messageOf(error).slice(0, 200);
      }
    }
    if (checks.every((c) => c.outcome === 'revoked') || ports.now().getTime() - start >= options.deadlineMs) return checks;
    options.onPoll?.(checks.filter((c) => c.outcome !== 'revoked').length, checks.length);
    await ports.sleep(options.intervalMs);
  }
}
