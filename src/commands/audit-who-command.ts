/** `kustody audit who CASE`: what each captured (or named) identity did, from the case's audit events. */
import { closeSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { buildWhoReport, type WhoIdentity } from '../core/audit/who.js';
import { whoReportLines } from '../core/audit/who-text.js';
import { decodeJwtClaims } from '../core/credentials/jwt-claims.js';
import { toSafeJson } from '../core/display/index.js';
import { UsageError } from '../core/errors.js';
import { readCapturedIdentities, readWhoRows } from '../adapters/store/audit-reader.js';
import { CASE_DB_FILE, resolveCaseDir } from '../adapters/store/case-store.js';
import { openReadableDb } from '../adapters/store/open-store.js';
import { openRegularFile } from '../adapters/system/input-path.js';
import { defaultCaseParent, type Command } from './command.js';

const SELECTORS = ['token-file', 'jti', 'pod', 'sa', 'user', 'ip'] as const;

/** `kustody audit who`. */
export const auditWho: Command = {
  path: ['audit', 'who'],
  usage: 'kustody audit who CASE [--token-file F | --jti ID | --pod NS/POD | --sa NS/NAME | --user NAME | --ip ADDR] [--since TIME] [--json]',
  summary: 'what a stolen identity did: secrets, exec, changes, RBAC, token minting, denials, new addresses, who minted it',
  help: [
    'By default every token identity the case captured (credentials with a jti), then every token the log shows them minting and',
    'every ServiceAccount it shows them creating (transitively). For each: its requests in the ingested audit',
    'log, matched by exact credential (user.extra credential-id JTI=…) when the token has a jti, else by username and pod binding',
    '(the output says which), grouped into secrets read or listed, exec/attach/port-forward, objects created or changed, RBAC',
    'changes, token minting and denied attempts; source addresses and user agents the legitimate workload never used; first and',
    'last use; and the TokenRequest that minted the token. No events is said plainly, with the time the log covers.',
    '--token-file reads a token file (never stored or printed; only its claims are used). --since TIME limits to events at or after TIME.',
  ].join('\n'),
  options: { 'token-file': { type: 'string' }, jti: { type: 'string' }, pod: { type: 'string' }, sa: { type: 'string' }, user: { type: 'string' }, ip: { type: 'string' }, since: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run(args, { io, json, env }) {
    const caseDir = resolveCaseDir(args.positionals[0] ?? '', defaultCaseParent(env));
    const given = SELECTORS.filter((s) => typeof args.values[s] === 'string');
    if (given.length > 1) throw new UsageError(`Pass one of --${SELECTORS.join(', --')}, not ${given.length}.`);
    const since = typeof args.values.since === 'string' ? parseSince(args.values.since) : null;
    const db = openReadableDb(join(caseDir, CASE_DB_FILE));
    try {
      const identities = given.length === 0 ? readCapturedIdentities(db) : [identityFrom(given[0] as (typeof SELECTORS)[number], String(args.values[given[0] as string]))];
      if (identities.length === 0) throw new UsageError('The case holds no captured token with a jti.', 'Capture the pod first, or name the identity: --token-file, --jti, --pod, --sa, --user or --ip.');
      const now = new Date().toISOString();
      const reports = identities.map((identity) => buildWhoReport({ identity, now, since, ...readWhoRows(db, identity, since) }));
      if (json) io.out(toSafeJson({ identities: reports }));
      else for (const report of reports) for (const line of whoReportLines(report)) io.out(line);
      return 0;
    } finally {
      db.close();
    }
  },
};

function parseSince(text: string): string {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new UsageError('--since must be a time such as 2026-12-07T06:00:00Z.');
  return new Date(ms).toISOString();
}

function identityFrom(selector: (typeof SELECTORS)[number], value: string): WhoIdentity {
  const base: WhoIdentity = { label: `${selector} ${value}`, jti: null, username: null, pod: null, ip: null, issuedAt: null, expiresAt: null };
  const pair = (what: string) => {
    const [namespace, name, extra] = value.split('/');
    if (!namespace || !name || extra !== undefined) throw new UsageError(`--${selector} takes NAMESPACE/${what}.`);
    return { namespace, name };
  };
  switch (selector) {
    case 'jti': return { ...base, jti: value.replace(/^JTI=/, '') };
    case 'user': return { ...base, username: value };
    case 'ip': return { ...base, ip: value };
    case 'sa': { const sa = pair('NAME'); return { ...base, username: `system:serviceaccount:${sa.namespace}:${sa.name}` }; }
    case 'pod': return { ...base, pod: pair('POD') };
    case 'token-file': {
      const claims = decodeJwtClaims(readTokenFile(value)).claims;
      if (claims === null) throw new UsageError('The token file does not hold a readable JWT.', 'Pass a ServiceAccount token file; other credentials: use --user or --ip.');
      const k = claims.kubernetes;
      return {
        ...base, label: 'token from --token-file', jti: claims.jti, username: claims.sub,
        pod: k?.namespace && k.pod?.name ? { namespace: k.namespace, name: k.pod.name } : null,
        issuedAt: epochIso(claims.iat), expiresAt: epochIso(claims.exp),
      };
    }
  }
}

/** The token file's text, at most 64 KiB read; the token is only decoded, never kept or printed. */
function readTokenFile(path: string): string {
  let opened: { fd: number };
  try {
    opened = openRegularFile(path, { what: 'token file', nextStep: 'Pass the file holding the token (e.g. a copy of /var/run/secrets/kubernetes.io/serviceaccount/token).' });
  } catch {
    throw new UsageError('The token file cannot be read.', 'Pass the file holding the token (e.g. a copy of /var/run/secrets/kubernetes.io/serviceaccount/token).');
  }
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const n = readSync(opened.fd, buffer, 0, buffer.length, 0);
    return buffer.toString('utf8', 0, n).trim();
  } finally {
    closeSync(opened.fd);
  }
}

function epochIso(seconds: number | null): string | null {
  return seconds !== null && Number.isFinite(seconds) && Math.abs(seconds) < 1e11 ? new Date(seconds * 1000).toISOString() : null;
}
