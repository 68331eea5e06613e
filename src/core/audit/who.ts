/**
 * `kustody audit who`: what one identity did, from the audit rows the adapter selected for it. Pure:
 * groups requests into what an investigator asks (secrets, exec, changes, RBAC, minting, denials),
 * compares source addresses and agents with the legitimate workload's, finds the TokenRequest that
 * minted the token, and says plainly what the log does not cover (which is not innocence).
 */

/** Whom to look for. */
export interface WhoIdentity {
  label: string;
  jti: string | null;
  username: string | null;
  pod: { namespace: string; name: string } | null;
  ip: string | null;
  /** The token's lifetime (iat..exp), when known: the window the log should cover. */
  issuedAt: string | null;
  expiresAt: string | null;
}

/** How the rows were matched to the identity. */
export type WhoMatch = 'credential-id' | 'username+pod' | 'username' | 'source-ip';

/** An audit row as the pivot reads it. */
export interface WhoRow {
  rowid: number;
  audit_id: string | null;
  stage: string | null;
  stage_timestamp: string | null;
  verb: string | null;
  request_uri: string | null;
  username: string | null;
  credential_id: string | null;
  source_ips_json: string | null;
  user_agent: string | null;
  api_group: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  response_code: number | null;
  decision: string | null;
  issued_credential_id: string | null;
  kept_json: string | null;
  source_file: string;
  line: number;
}

/** One request in a group. */
export interface WhoRequest {
  at: string | null;
  verb: string;
  object: string;
  code: number | null;
  sourceIp: string | null;
  userAgent: string | null;
  auditId: string | null;
  rowid: number;
  where: string;
}

/** The group names, in the order they are printed; every request is in exactly one, and denied ones also in `denied`. */
export const WHO_GROUPS = ['secrets', 'exec', 'changes', 'rbac', 'minting', 'other'] as const;

/** How a minting TokenRequest was tied to the token. */
export type MintMatch = 'issued-credential-id' | 'service-account-and-time';

/** What an identity did. */
export interface WhoReport {
  identity: WhoIdentity;
  match: WhoMatch;
  requests: number;
  firstUse: string | null;
  lastUse: string | null;
  groups: Record<(typeof WHO_GROUPS)[number] | 'denied', WhoRequest[]>;
  sourceIps: { value: string; requests: number; newForWorkload: boolean }[];
  userAgents: { value: string; requests: number; newForWorkload: boolean }[];
  /** Requests and addresses the comparison used as the legitimate workload's. */
  baseline: { requests: number; addresses: string[] };
  mintedBy: { match: MintMatch; at: string | null; username: string | null; bound: string | null; auditId: string | null; rowid: number; where: string }[];
  /** Sentences on what the ingested log does not include (no events at all, or part of the token's lifetime). */
  gaps: string[];
}

/** Everything the report is built from; the adapter selects the rows. */
export interface WhoInput {
  identity: WhoIdentity;
  match: WhoMatch;
  rows: readonly WhoRow[];
  /** The same user's requests with other credentials or from other pods: the legitimate workload's habits. */
  baseline: readonly WhoRow[];
  /** Addresses the capture saw the workload use (its pod IPs). */
  workloadAddresses: readonly string[];
  /** TokenRequests annotated with the token's id. */
  minted: readonly WhoRow[];
  /** TokenRequests for the token's ServiceAccount around its issue time (used when none carries the id). */
  mintCandidates: readonly WhoRow[];
  coverage: { first: string | null; last: string | null; files: number };
  /** The --since bound the rows were selected with, if any. */
  since?: string | null;
  now: string;
}

const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);
const REVIEW_GROUPS = new Set(['authorization.k8s.io', 'authentication.k8s.io']);
const STAGE_RANK: Record<string, number> = { Panic: 4, ResponseComplete: 3, ResponseStarted: 2, RequestReceived: 1 };
/** How far from a token's iat a TokenRequest may be and still be named as its likely minter. */
export const MINT_WINDOW_MS = 5_000;

/** Builds the report of one identity. */
export function buildWhoReport(input: WhoInput): WhoReport {
  const requests = onePerRequest(input.rows);
  const baseline = onePerRequest(input.baseline);
  const groups: WhoReport['groups'] = { secrets: [], exec: [], changes: [], rbac: [], minting: [], other: [], denied: [] };
  for (const row of requests) {
    const item = toRequest(row);
    groups[groupOf(row)].push(item);
    if (row.response_code === 401 || row.response_code === 403 || row.decision === 'forbid') groups.denied.push(item);
  }
  const times = requests.map((r) => r.stage_timestamp).filter((t): t is string => t !== null).sort();
  const addresses = [...new Set([...input.workloadAddresses, ...baseline.flatMap(ips)])];
  const knownIps = new Set(addresses);
  const knownAgents = new Set(baseline.map((r) => r.user_agent ?? ''));
  const compare = baseline.length > 0 || addresses.length > 0;
  return {
    identity: input.identity, match: input.match, requests: requests.length, firstUse: times[0] ?? null, lastUse: times.at(-1) ?? null, groups,
    sourceIps: tally(requests.flatMap(ips), (v) => compare && !knownIps.has(v)),
    userAgents: tally(requests.map((r) => r.user_agent ?? ''), (v) => baseline.length > 0 && !knownAgents.has(v)),
    baseline: { requests: baseline.length, addresses },
    mintedBy: mintedBy(input),
    gaps: gaps(input, requests.length),
  };
}

/** Which group a request belongs to. */
export function groupOf(row: WhoRow): (typeof WHO_GROUPS)[number] {
  const verb = row.verb ?? '';
  const sub = row.subresource ?? '';
  if (row.resource === 'secrets' && sub === '' && ['get', 'list', 'watch'].includes(verb)) return 'secrets';
  if (row.resource === 'pods' && ['exec', 'attach', 'portforward'].includes(sub)) return 'exec';
  if (row.resource === 'serviceaccounts' && sub === 'token' && verb === 'create') return 'minting';
  if (row.api_group === 'rbac.authorization.k8s.io' && MUTATING.has(verb)) return 'rbac';
  if (MUTATING.has(verb) && !REVIEW_GROUPS.has(row.api_group ?? '')) return 'changes';
  return 'other';
}

/** Keeps the most complete stage of each request (ResponseComplete over ResponseStarted over RequestReceived), in time order. */
export function onePerRequest(rows: readonly WhoRow[]): WhoRow[] {
  const best = new Map<string, WhoRow>();
  for (const row of rows) {
    const key = row.audit_id ?? `row:${row.rowid}`;
    const held = best.get(key);
    if (held === undefined || (STAGE_RANK[row.stage ?? ''] ?? 0) > (STAGE_RANK[held.stage ?? ''] ?? 0)) best.set(key, row);
  }
  return [...best.values()].sort((a, b) => (a.stage_timestamp ?? '').localeCompare(b.stage_timestamp ?? '') || a.rowid - b.rowid);
}

function tally(values: string[], isNew: (value: string) => boolean): WhoReport['sourceIps'] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([value, requests]) => ({ value, requests, newForWorkload: isNew(value) }));
}

function mintedBy(input: WhoInput): WhoReport['mintedBy'] {
  const exact = onePerRequest(input.minted);
  const iat = input.identity.issuedAt === null ? NaN : Date.parse(input.identity.issuedAt);
  const near = exact.length > 0 || !Number.isFinite(iat) ? [] : onePerRequest(input.mintCandidates).filter((r) => {
    const at = Date.parse(r.stage_timestamp ?? '');
    const bound = boundOf(r.kept_json);
    const pod = input.identity.pod;
    return Number.isFinite(at) && Math.abs(at - iat) <= MINT_WINDOW_MS && (r.response_code ?? 0) < 300 && (pod === null || bound === null || bound === `Pod ${pod.name}`);
  });
  const of = (match: MintMatch) => (r: WhoRow) => ({ match, at: r.stage_timestamp, username: r.username, bound: boundOf(r.kept_json), auditId: r.audit_id, rowid: r.rowid, where: `${r.source_file}:${r.line}` });
  return [...exact.map(of('issued-credential-id')), ...near.map(of('service-account-and-time'))];
}

function gaps(input: WhoInput, requests: number): string[] {
  const { identity, coverage } = input;
  if (coverage.files === 0) return ['no audit log has been ingested into this case (kustody audit ingest --case CASE --log FILE): nothing can be said about what this identity did.'];
  const out: string[] = [];
  const who = identity.jti !== null ? 'this token' : 'this identity';
  const from = input.since != null && (coverage.first === null || input.since > coverage.first) ? input.since : (coverage.first ?? '?');
  if (requests === 0) out.push(`the audit log holds no request by ${who} between ${from} and ${coverage.last ?? '?'} (${coverage.files} file(s) ingested). That is not innocence: the audit policy may not log its requests, the log may have rotated away or been cut, or it was used against another cluster.`);
  if (identity.issuedAt !== null && coverage.first !== null && coverage.first > identity.issuedAt) {
    out.push(`the audit log does not include ${who}'s first ${span(identity.issuedAt, coverage.first)} (issued ${identity.issuedAt}, the log starts ${coverage.first}): what it did then is unknown.`);
  }
  if (identity.expiresAt !== null && coverage.last !== null) {
    const end = identity.expiresAt < input.now ? identity.expiresAt : input.now;
    if (coverage.last < end) out.push(`the audit log does not include anything after ${coverage.last}; ${who} ${identity.expiresAt < input.now ? 'was' : 'is'} valid until ${identity.expiresAt}: ingest a newer log to see ${span(coverage.last, end)} more.`);
  }
  return out;
}

function span(from: string, to: string): string {
  const seconds = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
  return seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 3600)} h`;
}

function ips(row: WhoRow): string[] {
  try {
    const parsed = JSON.parse(row.source_ips_json ?? '[]') as unknown;
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function toRequest(row: WhoRow): WhoRequest {
  const kind = row.api_group ? `${row.resource ?? '?'}.${row.api_group}` : (row.resource ?? row.request_uri ?? '?');
  const where = row.namespace ? `${row.namespace}/${row.name ?? '*'}` : (row.name ?? '');
  const object = `${kind}${row.subresource ? `/${row.subresource}` : ''} ${where}`.trim();
  return { at: row.stage_timestamp, verb: row.verb ?? '?', object, code: row.response_code, sourceIp: ips(row)[0] ?? null, userAgent: row.user_agent, auditId: row.audit_id, rowid: row.rowid, where: `${row.source_file}:${row.line}` };
}

function boundOf(kept: string | null): string | null {
  try {
    const parsed = JSON.parse(kept ?? 'null') as { boundObjectRef?: { kind?: unknown; name?: unknown } | null } | null;
    const bound = parsed?.boundObjectRef;
    return bound ? `${typeof bound.kind === 'string' ? bound.kind : '?'} ${typeof bound.name === 'string' ? bound.name : '?'}` : null;
  } catch {
    return null;
  }
}
