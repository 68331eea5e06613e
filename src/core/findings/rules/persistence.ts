/** Persistence a sweep found (`kustody audit sweep`): one finding per object, and whether the case removed it. */
import type { JsonValue } from '../../custody/canonical-json.js';
import { asArray, asObject, asString } from '../json-fields.js';
import { makeFinding, text } from '../make-finding.js';
import type { ActionFact, Finding, FindingRule, Severity } from '../types.js';

const SEVERITIES = new Set<Severity>(['critical', 'high', 'medium', 'low', 'info']);

/** One finding per object the latest sweep that saw it reported; removed ones drop to low with the removal row as evidence. */
export const persistenceRule: FindingRule = {
  id: 'persistence',
  describes: 'objects an attacker may persist with (CronJobs, workloads, escaping pods, ServiceAccounts, token Secrets, bindings, webhooks, policies) that a persistence sweep found, and whether they were removed',
  derive(facts) {
    const starts = new Map<string, ActionFact>();
    const removals = new Map<string, ActionFact>();
    for (const a of facts.actions) {
      const detail = asObject(a.detail);
      if (a.kind === 'observe' && detail.step === 'capture-start' && detail.vantage === 'api' && asString(asObject(detail).capture_id)?.startsWith('sweep-')) starts.set(asString(detail.capture_id) ?? '', a);
      const change = asObject(detail.change);
      if (a.kind === 'revoke' && detail.plan === 'sweep' && a.outcome === 'applied') removals.set(`${asString(asObject(change.target).kind)}/${asString(asObject(change.target).namespace) ?? ''}/${asString(asObject(change.target).name)}/${asString(change.uid) ?? ''}`, a);
    }
    const latest = new Map<string, { item: Readonly<Record<string, JsonValue>>; captureRowid: number; start: ActionFact | undefined; at: string }>();
    for (const capture of facts.captures) {
      const id = text(capture.capture_id);
      if (!id.startsWith('sweep-')) continue;
      let detail: JsonValue;
      try {
        detail = JSON.parse(text(capture.detail)) as JsonValue;
      } catch {
        continue;
      }
      for (const raw of asArray(asObject(detail).items)) {
        const item = asObject(raw);
        const key = asString(item.key);
        if (key !== null) latest.set(key, { item, captureRowid: capture.rowid, start: starts.get(id), at: text(capture.started_at) });
      }
    }
    const findings: Finding[] = [];
    for (const [key, { item, captureRowid, start, at }] of latest) {
      const kind = asString(item.kind) ?? '?';
      const ns = asString(item.namespace);
      const name = asString(item.name) ?? '?';
      const removal = removals.get(key) ?? (kind === 'Secret' ? removals.get(`Secret/${ns ?? ''}/${name}/`) : undefined);
      const stated = asString(item.severity) as Severity | null;
      const severity: Severity = removal !== undefined ? 'low' : stated !== null && SEVERITIES.has(stated) ? stated : 'medium';
      const reasons = asArray(item.reasons).filter((r): r is string => typeof r === 'string');
      const kept = asString(item.kept_because);
      findings.push(makeFinding('persistence', {
        key, severity, mappingKey: kind.toLowerCase(),
        title: `${kind} ${ns ? `${ns}/` : ''}${name}${removal !== undefined ? ' (removed)' : ''}`,
        detail: `${reasons.slice(0, 6).join('; ')}.${removal !== undefined ? ` Removed by this case (custody row ${removal.seq}).` : kept !== null ? ` Not removed: ${kept}.` : ' Not removed: `kustody audit sweep CASE --yes`.'}`,
        evidence: [{ table: 'captures', rowid: captureRowid }, ...(start !== undefined ? [{ table: 'actions', rowid: start.seq }] : []), ...(removal !== undefined ? [{ table: 'actions', rowid: removal.seq }] : []),
          ...asArray(item.audit_rowids).filter((r): r is number => typeof r === 'number').map((rowid) => ({ table: 'audit_events', rowid }))],
        at: asString(item.created_at) ?? at,
      }));
    }
    return findings;
  },
};
