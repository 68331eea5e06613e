/** The terminal text of `kustody audit who`: one block per identity, every logged value escaped. Pure. */
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import type { WhoReport, WhoRequest } from './who.js';

const SHOWN_PER_GROUP = 50;
const MATCH_TEXT: Record<WhoReport['match'], string> = {
  'credential-id': 'by exact credential (user.extra credential-id JTI=…)',
  'username+pod': 'by username and pod binding (the token has no id: other tokens of the same pod would match too)',
  username: 'by username only (any credential of this user)',
  'source-ip': 'by source address (any user)',
};
const GROUP_TITLES: [keyof WhoReport['groups'], string][] = [
  ['secrets', 'secrets read or listed'], ['exec', 'exec, attach, port-forward'], ['changes', 'objects created or changed'],
  ['rbac', 'RBAC changes'], ['minting', 'tokens minted'], ['denied', 'denied (probing)'], ['other', 'other requests (reads, discovery)'],
];

/** The printed report of one identity. */
export function whoReportLines(r: WhoReport): DisplayText[] {
  const e = (text: string | null) => escapeUntrusted(text ?? '-', { maxBytes: 300 });
  const lines: DisplayText[] = [display`${e(r.identity.label)}`];
  if (r.identity.jti !== null) lines.push(display`  jti ${e(r.identity.jti)}  valid ${e(r.identity.issuedAt)} .. ${e(r.identity.expiresAt)}`);
  for (const m of r.mintedBy) {
    const how = m.match === 'issued-credential-id' ? trusted('its TokenRequest carries this id') : trusted('no TokenRequest carries this id; this one is for the same ServiceAccount within 5 s of the token\'s iat, so likely, not certain');
    lines.push(display`  minted ${e(m.at)} by ${e(m.username)}${m.bound !== null ? display` for ${e(m.bound)}` : trusted('')} (${how}; audit_events ${m.rowid}, ${e(m.where)})`);
  }
  if (r.identity.jti !== null && r.mintedBy.length === 0) lines.push(trusted('  minted: the ingested audit log holds no TokenRequest for this token'));
  for (const gap of r.gaps) lines.push(display`  ${escapeUntrusted(gap)}`);
  if (r.requests === 0) return lines;
  lines.push(display`  ${r.requests} requests matched ${escapeUntrusted(MATCH_TEXT[r.match])}, first ${e(r.firstUse)}, last ${e(r.lastUse)}`);
  for (const [key, title] of GROUP_TITLES) lines.push(...groupLines(title, r.groups[key], e));
  const nothingToCompare = r.baseline.requests === 0 && r.baseline.addresses.length === 0;
  lines.push(nothingToCompare ? trusted('  source addresses (no request or address of the legitimate workload to compare with)') : display`  source addresses (compared with ${r.baseline.requests} requests of the workload and its addresses ${e(r.baseline.addresses.join(', '))})`);
  for (const ip of r.sourceIps) lines.push(display`    ${e(ip.value)}  ${ip.requests}${ip.newForWorkload ? trusted('  NEW: never seen for the workload') : trusted('')}`);
  lines.push(r.baseline.requests === 0 ? trusted('  user agents (the workload made no other request to compare with)') : trusted('  user agents'));
  for (const ua of r.userAgents) lines.push(display`    ${e(ua.value)}  ${ua.requests}${ua.newForWorkload ? trusted('  NEW: never seen for the workload') : trusted('')}`);
  return lines;
}

function groupLines(title: string, items: readonly WhoRequest[], e: (text: string | null) => DisplayText): DisplayText[] {
  if (items.length === 0) return [];
  const lines = [display`  ${escapeUntrusted(title)} (${items.length})`];
  for (const i of items.slice(0, SHOWN_PER_GROUP)) lines.push(display`    ${e(i.at)}  ${e(i.verb)} ${e(i.object)}  ${i.code === null ? trusted('-') : display`${i.code}`}  from ${e(i.sourceIp)}  ${e(i.userAgent)}  [${i.rowid}]`);
  if (items.length > SHOWN_PER_GROUP) lines.push(display`    … ${items.length - SHOWN_PER_GROUP} more (--json lists all)`);
  return lines;
}
