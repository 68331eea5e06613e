/** Runs every registered rule over a case's facts and orders the findings most urgent first. */
import { FINDING_RULES } from './registry.js';
import type { CaseFacts, Finding, FindingRule, Severity } from './types.js';

/** Severity order, most urgent first. */
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** The findings of a case: every rule's, sorted by severity, then rule order, then id. A rule that throws becomes an `info` finding saying so. */
export function deriveFindings(facts: CaseFacts, rules: readonly FindingRule[] = FINDING_RULES): Finding[] {
  const all: { finding: Finding; order: number }[] = [];
  rules.forEach((rule, order) => {
    let found: Finding[];
    try {
      found = rule.derive(facts);
    } catch (error) {
      found = [{ id: `${rule.id}:rule-error`, rule: rule.id, severity: 'info', title: `Rule ${rule.id} could not run`, detail: `The rule failed on this case (${error instanceof Error ? error.message : String(error)}); its findings are missing from this report.`, evidence: [], mappings: [] }];
    }
    for (const finding of found) all.push({ finding, order });
  });
  if (facts.limited !== undefined && facts.limited.length > 0) {
    const parts = facts.limited.map((l) => `the first ${l.read} rows of ${l.table}`).join(', ');
    all.push({ order: rules.length, finding: { id: 'case-facts:limited', rule: 'case-facts', severity: 'info', title: 'Findings rest on part of this case', detail: `The case is larger than the findings read: they rest on ${parts}. Query the rest with sqlite3, or run kustody report on the case.`, evidence: [], mappings: [] } });
  }
  all.sort((a, b) => SEVERITIES.indexOf(a.finding.severity) - SEVERITIES.indexOf(b.finding.severity) || a.order - b.order || (a.finding.id < b.finding.id ? -1 : a.finding.id > b.finding.id ? 1 : 0));
  return all.map((entry) => entry.finding);
}

/** An empty fact set for a case (tests and rules that need a base). */
export function emptyFacts(caseId: string, now: string): CaseFacts {
  return { caseId, now, actions: [], captures: [], processes: [], connections: [], mounts: [], credentials: [], warnings: [], pods: [], extra: {} };
}
