/** Parsing a sweep's flags: the start time, the namespaces in scope, and an identity from a leaked token's claims. */
import { decodeJwtClaims, looksLikeJwt } from '../core/credentials/jwt-claims.js';
import { UsageError } from '../core/errors.js';
export { sweepSince } from '../core/sweep/since.js';
import type { ReadableDb, WritableDb } from '../adapters/store/open-store.js';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The namespaces to sweep: -n, --namespaces, --all-namespaces (null), else those the case captured pods in. */
export function sweepNamespaces(db: ReadableDb | WritableDb, flags: { one: string | undefined; list: string | boolean | undefined; all: boolean }): string[] | null {
  if (flags.all) return null;
  const given = [...(flags.one ? [flags.one] : []), ...(typeof flags.list === 'string' ? flags.list.split(',').map((n) => n.trim()).filter((n) => n !== '') : [])];
  for (const ns of given) if (!DNS_LABEL.test(ns)) throw new UsageError(`${ns} is not a namespace name.`);
  if (given.length > 0) return [...new Set(given)];
  const captured = new Set<string>();
  for (const row of db.prepare("SELECT target FROM captures WHERE target LIKE 'pod:%'").iterate() as Iterable<{ target: string }>) {
    const ns = row.target.slice(4).split('/')[0] ?? '';
    if (DNS_LABEL.test(ns)) captured.add(ns);
  }
  if (captured.size === 0) throw new UsageError('The case captured no pod, so the sweep has no namespace to default to.', 'Pass -n NAMESPACE, --namespaces A,B or --all-namespaces.');
  return [...captured];
}

/** The user name and credential id a leaked token authenticates as (the token itself is not kept). */
export function sweepIdentityOf(text: string, source: string): { username: string | null; credentialId: string | null } {
  const token = text.trim();
  if (!looksLikeJwt(token)) throw new UsageError(`${source} does not hold a JWT.`);
  const claims = decodeJwtClaims(token).claims;
  return { username: claims?.sub ?? null, credentialId: claims?.jti ? `JTI=${claims.jti}` : null };
}
