/** Findings: what a case shows, derived from its stored rows, each with the rows it rests on and its framework ids. */
export type { ActionFact, CaseFacts, EvidenceRef, FactRow, Finding, FindingRule, Framework, FrameworkMapping, Severity } from './types.js';
export { FINDING_ACTION_KINDS } from './types.js';
export { deriveFindings, emptyFacts, SEVERITIES } from './derive.js';
export { FINDING_RULES } from './registry.js';
export { FRAMEWORK_ENTRIES, RULE_MAPPINGS, frameworkEntry, mappingsFor, type FrameworkEntry } from './framework-map.js';
export { makeFinding, MAX_EVIDENCE_ROWS, type FindingDraft } from './make-finding.js';
