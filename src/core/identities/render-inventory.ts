// Terminal lines for an identity inventory: a small table per identity, the RBAC reach with
// dangerous rules marked `!!`, the SubjectAccessReview answers, and the next step. Every string
// from the cluster or the case goes through the escaper.
import { display, escapeUntrusted, trusted, type DisplayText } from '../display/index.js';
import { disagrees, type AccessCheck } from './access-checks.js';
import type { EffectiveRule } from './danger.js';
import type { Inventory } from './inventory.js';
import type { PolicyRule } from './rbac-rules.js';
import type { FactValue, Identity, IdentityKind } from './types.js';

/** The marker on every dangerous line, plain text so it survives logs and pipes. */
export const DANGER_MARK = '!!';

const KIND_LABEL: Record<IdentityKind, string> = {
  'service-account': 'ServiceAccount', 'projected-token': 'Projected token volume', 'captured-token': 'Captured token', 'legacy-token': 'Legacy token Secret',
  'image-pull-secret': 'Image pull Secret', 'secret-volume': 'Secret mounted as a volume', 'secret-env': 'Secret read into env',
  'aws-irsa': 'AWS IRSA role', 'aws-pod-identity': 'AWS EKS Pod Identity', 'gcp-workload-identity': 'GKE Workload Identity', 'azure-workload-identity': 'Azure Workload Identity',
};

const e = (text: string): DisplayText => escapeUntrusted(text, { maxBytes: 2000 });
const cell = (text: string, width: number): DisplayText => e(text.padEnd(width));

/**
 * Renders the inventory for people.
 *
 * @example renderInventory(inventory, 'case-1')[0] // 'Identities of pod shop/suspect (uid 6f1c…), read 2026-11-27T04:40:00.000Z'
 */
export function renderInventory(inventory: Inventory, caseArg: string): DisplayText[] {
  const { pod, serviceAccount: sa } = inventory;
  const lines: DisplayText[] = [
    display`Identities of pod ${e(`${pod.namespace}/${pod.name}`)} (uid ${e(pod.uid ?? 'unknown')}), read ${e(inventory.inspectedAt)}`,
    display`Runs as ${e(sa.user)} (ServiceAccount uid ${e(sa.uid ?? 'unknown')})`,
  ];
  for (const identity of inventory.identities) lines.push(trusted(''), ...renderIdentity(identity));
  lines.push(trusted(''), ...renderRbac(inventory));
  for (const note of inventory.notes) lines.push(display`note: ${e(note)}`);
  lines.push(trusted(''), nextStep(inventory, caseArg));
  return lines;
}

/** One identity as a two-column table: its facts, where the pod uses it, how long it stays valid, what ends it. */
export function renderIdentity(identity: Identity): DisplayText[] {
  const lines = [display`${e(KIND_LABEL[identity.kind])}  ${e(identity.name)}`];
  const row = (key: string, value: string) => lines.push(display`    ${cell(key, 26)} ${e(value)}`);
  for (const [key, value] of Object.entries(identity.facts)) if (!(Array.isArray(value) && value.length === 0)) row(key, factText(value));
  for (const use of identity.usedBy) row('used by', use);
  row('valid until', identity.validity.summary);
  row('why', identity.validity.detail);
  row('revoke with', identity.revokeWith.length === 0 ? 'rotating it at its source (kustody revoke lists it)' : `kustody revoke ${identity.revokeWith.join(' or ')}`);
  return lines;
}

function renderRbac(inventory: Inventory): DisplayText[] {
  const { rbac, serviceAccount: sa } = inventory;
  const lines = [display`RBAC reach of ${e(sa.user)} (groups ${e(sa.groups.join(', '))})`, trusted('  Bindings that name it:')];
  if (rbac.grants.length === 0) lines.push(trusted('    none'));
  for (const grant of rbac.grants) {
    const where = grant.scope === null ? 'cluster-wide' : `in ${grant.scope}`;
    const binding = `${grant.binding.kind} ${grant.binding.namespace === null ? '' : `${grant.binding.namespace}/`}${grant.binding.name}`;
    const status = grant.role.status === 'found' ? '' : ` (${grant.role.status})`;
    lines.push(display`    ${e(binding)} -> ${e(`${grant.role.kind} ${grant.role.name}${status}`)}, ${e(where)}, via ${e(grant.matchedSubject)}`);
  }
  lines.push(display`  Effective rules: ${rbac.effectiveRules.length}, dangerous: ${rbac.dangerousRules}`);
  for (const rule of rbac.effectiveRules) lines.push(...renderRule(rule));
  lines.push(display`  SubjectAccessReview as ${e(sa.user)}:`);
  for (const check of rbac.accessChecks) lines.push(renderCheck(check));
  return lines;
}

function renderRule(effective: EffectiveRule): DisplayText[] {
  const mark = effective.dangers.length > 0 ? DANGER_MARK : '  ';
  const where = effective.scope === null ? 'cluster-wide' : `in ${effective.scope}`;
  const lines = [display`  ${e(mark)} ${cell(where, 20)} ${e(ruleText(effective.rule))}`];
  for (const danger of effective.dangers) lines.push(display`       ${e(DANGER_MARK)} ${e(danger.label)}`);
  lines.push(display`       from ${e(effective.grantedBy.join('; '))}`);
  return lines;
}

function renderCheck(check: AccessCheck): DisplayText {
  const answer = check.allowed === null ? `error: ${check.error ?? 'no answer'}` : check.allowed ? 'allowed' : 'denied';
  const mark = check.allowed === true && check.probe.dangerous ? DANGER_MARK : '  ';
  const differs = disagrees(check) ? ` (the RBAC rules read predict ${check.predicted ? 'allowed' : 'denied'}; another authorizer decided${check.reason === '' ? '' : `: ${check.reason}`})` : '';
  return display`  ${e(mark)} ${cell(answer, 8)} ${e(check.probe.question)}${e(differs)}`;
}

/** A rule in one line: `get,list secrets`, `create deployments [apps]`, `get /healthz`, with resourceNames when set. */
export function ruleText(rule: PolicyRule): string {
  const parts = [rule.verbs.join(',')];
  if (rule.resources.length > 0) {
    parts.push(rule.resources.join(','));
    const groups = rule.apiGroups.map((group) => (group === '' ? 'core' : group));
    if (!(groups.length === 1 && groups[0] === 'core')) parts.push(`[${groups.join(',')}]`);
  }
  if (rule.resourceNames.length > 0) parts.push(`named ${rule.resourceNames.join(',')}`);
  if (rule.nonResourceURLs.length > 0) parts.push(rule.nonResourceURLs.join(','));
  return parts.join(' ');
}

/** The one-line next step: the `kustody revoke` command with the flags that end what was found, as a dry run first. */
export function nextStep(inventory: Inventory, caseArg: string): DisplayText {
  const target = `${inventory.pod.namespace}/${inventory.pod.name}`;
  if (inventory.revokeFlags.length === 0) return display`next: nothing kustody revoke can end; rotate the Secrets listed above at their source.`;
  return display`next: kustody revoke ${e(target)} --case ${e(caseArg)} --dry-run ${e(inventory.revokeFlags.join(' '))}  (then again with --yes)`;
}

function factText(value: FactValue): string {
  if (Array.isArray(value)) return value.join(', ');
  return value === null ? '(not set)' : String(value);
}
